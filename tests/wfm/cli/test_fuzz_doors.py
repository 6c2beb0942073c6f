"""Property-based fuzzing of every file door through the real CLI entry (issue 16).

Each door gets a small valid file; hypothesis mutates it the way a careless or hostile user would
(a cell replaced by a hostile token, a column dropped or renamed, a row doubled, the text cut short,
binary bytes, another separator, an empty file; for YAML a key's value replaced, a key dropped, an
unknown key added).  The file goes through ``wfm.cli.main`` in-process, and the property is:

* exit 0 (1 where the command documents "no plan could be made") and a result its reader accepts, or
* exit 2 with ``error:`` lines, the first naming the file (or the kind of input) and the rule broken;
* never exit 3 (the last-resort handler: an unexpected exception, i.e. a defect), never a traceback.

Settings are derandomised (a fixed sequence of examples, so CI is stable) with a bounded number of
examples per door; each test has a pytest-timeout, so a hang fails instead of blocking the suite.
The call-records door is fuzzed through its reader (its command, ``wfm replay``, simulates weeks).
Doors added since: the capacity settings YAML and hiring plan (``wfm capacity``), today's actuals and
absences (``wfm intraday``).
"""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.optimiser.roster.roster_builders import make_shift
from tests.optimiser.scheduling.sched_builders import day_profile, requirement, rules_dict
from tests.wfm.cli.test_capacity import SETTINGS as CAPACITY_TEST_SETTINGS
from wfm.cli import main
from wfm.ground.errors import WfmInputError
from wfm.io.requirement import write_requirement_csv
from wfm.io.schedule import write_schedule_csv

TZ = "Europe/Stockholm"
FUZZ = settings(max_examples=20, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

#: Cell values a careless or hostile user writes.
HOSTILE = ["", " ", "nan", "NaN", "inf", "-inf", "-1", "0", "1e308", "-1e308", "99999999999999999999999",
           "1,5", "abc", "=HYPERLINK(\"x\")", "@SUM(A1)", "true", "None", "2025-13-45", "2025-01-07",
           "2025-01-07T25:00:00+01:00", "2025-01-07T08:00:00", "24:00", "Mon", "\"", "a\nb", "x" * 300,
           "😀", "\t", "0x10", "1/3"]


def _run(argv: list[str]) -> tuple[int, str]:
    err, out = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        code = main(argv)
    return code, err.getvalue()


def _check(argv: list[str], names: tuple[str, ...], ok_codes=(0,), valid=None) -> None:
    """The property: a result, or exit 2 naming the input; never a defect or a traceback."""
    code, err = _run(argv)
    assert "Traceback" not in err, err
    assert code != 3, f"a defect (last-resort handler): {err}"
    assert code in (*ok_codes, 2), (code, err)
    if code == 2:
        errors = [line for line in err.splitlines() if line.startswith("error: ")]
        assert errors, err
        assert any(n in errors[0] for n in names), f"the first error does not name {names}: {errors[0]}"
    elif code == 0 and valid is not None:
        valid()


# --- mutations -----------------------------------------------------------------------------------

def _split(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.splitlines()]


def _join(rows: list[list[str]], sep: str = ",") -> str:
    return "\n".join(sep.join(r) for r in rows) + "\n"


@st.composite
def mutated_csv(draw, base: str) -> bytes:
    """``base`` (a small CSV without quoted commas) changed in one or two ways."""
    rows = _split(base)
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "drop_column", "rename", "dup_row", "drop_rows",
                                     "short_row", "semicolon"]))
        width = len(rows[0])
        if kind in ("cell", "dup_row", "short_row") and len(rows) < 2:
            kind = "rename"
        if kind == "cell":
            i, j = draw(st.integers(1, len(rows) - 1)), draw(st.integers(0, width - 1))
            value = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)))
            rows[i][j] = '"' + value.replace('"', '""') + '"' if re.search(r'[,"\n]', value) else value
        elif kind == "drop_column":
            j = draw(st.integers(0, width - 1))
            rows = [r[:j] + r[j + 1:] for r in rows]
        elif kind == "rename":
            j = draw(st.integers(0, width - 1))
            rows[0][j] = draw(st.sampled_from(["", "x", rows[0][j].upper(), rows[0][j] + " ", rows[0][0]]))
        elif kind == "dup_row":
            i = draw(st.integers(1, len(rows) - 1))
            rows.insert(i, list(rows[i]))
        elif kind == "drop_rows":
            rows = rows[:draw(st.integers(0, len(rows)))]
        elif kind == "short_row":
            i = draw(st.integers(1, len(rows) - 1))
            rows[i] = rows[i][:draw(st.integers(0, width - 1))]
        else:
            return _join(rows, ";").encode("utf-8")
        if not rows:
            break
    data = _join(rows).encode("utf-8") if rows else b""
    tail = draw(st.sampled_from(["", "", "", "cut", "binary", "latin1"]))
    if tail == "cut" and data:
        data = data[:draw(st.integers(0, len(data)))]
    elif tail == "binary":
        data = data + draw(st.sampled_from([b"\x00\x01", b"\xff\xfe", b"\x1f\x8b\x08"]))
    elif tail == "latin1":
        data = data.replace(b"a", b"\xe4", 1)
    return data


def _paths(doc) -> list[tuple]:
    """Every key path of a YAML document (dicts and lists)."""
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append((k,))
            out += [(k, *p) for p in _paths(v)]
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.append((i,))
            out += [(i, *p) for p in _paths(v)]
    return out


@st.composite
def mutated_yaml(draw, base: dict) -> bytes:
    """``base`` with one or two values replaced, dropped or an unknown key added; or broken text."""
    import copy

    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 2))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        kind = draw(st.sampled_from(["value", "value", "value", "drop", "unknown"]))
        if kind == "value":
            parent[path[-1]] = draw(st.sampled_from(
                [None, -1, 0, 1e308, float("nan"), "x", "25:00", "-01:00", True, [], {}, [None], {"a": 1},
                 "=cmd", 10**30, "00:00", "23:59", 7, 0.5]))
        elif kind == "drop" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent["no_such_key"] = 1
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode("utf-8")
    tail = draw(st.sampled_from(["", "", "", "cut", "tab", "binary"]))
    if tail == "cut":
        text = text[:draw(st.integers(0, len(text)))]
    elif tail == "tab":
        text = text.replace(b"  ", b"\t", 1)
    elif tail == "binary":
        text = b"\xff\xfe" + text
    return text


# --- small valid inputs ---------------------------------------------------------------------------

def _history_text(days: int = 21) -> str:
    idx = pd.date_range(pd.Timestamp("2025-01-06", tz=TZ), periods=days * 24, freq="60min")
    calls = np.random.default_rng(1).poisson(12, len(idx))
    return "interval_start,queue,calls_offered,aht_seconds\n" + "".join(
        f"{t.isoformat()},reports,{c},300\n" for t, c in zip(idx, calls))


AGENTS = ("agent_id,name,site,skill_group,skills,languages,contract,contract_hours_per_week,min_hours_per_week,"
          "max_hours_per_week,nights_allowed,fixed_days_off\n"
          "A1,Anna Berg,Stockholm,sv_all,reports;tips;switchboard,sv,full_time,40,32,48,true,\n"
          "A2,Erik Lind,Malmö,sv_reports,reports,sv,part_time,20,16,28,false,Sat;Sun\n")
UNAVAILABILITY = ("agent_id,start,end,reason\n"
                  "A1,2026-02-03T00:00:00+01:00,2026-02-04T00:00:00+01:00,leave\n"
                  "A2,2026-02-02T12:00:00+01:00,2026-02-02T13:00:00+01:00,training\n")
EVENTS = "date,end_date,name,kind\n2025-01-20,2025-01-21,campaign,one_off\n2025-01-27,,launch,one_off\n"
MAPPING = {"columns": {"Start": "interval_start", "Queue": "queue", "Calls": "calls_offered"},
           "interval_minutes": 60}


@pytest.fixture(scope="module")
def ground(tmp_path_factory):
    """The valid files every door's fuzzing starts from or leans on."""
    d = tmp_path_factory.mktemp("fuzz")
    (d / "history.csv").write_text(_history_text(), encoding="utf-8")
    assert main(["forecast", str(d / "history.csv"), "--horizon", "1d", "--interval", "60min", "--model",
                 "seasonal_naive", "--out", str(d / "forecast.csv"), "--quiet", "--jobs", "1"]) == 0
    write_requirement_csv(requirement(day_profile({(8, 16): 1})), d / "requirement.csv")
    rules = rules_dict()
    rules["solver"]["time_limit_seconds"] = 5
    (d / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    shifts = pd.DataFrame([make_shift("mon-a", "2026-02-02 08:00", group="sv_reports", count=1),
                           make_shift("tue-b", "2026-02-03 14:00", group="sv_all")])
    write_schedule_csv(shifts, d / "schedule.csv")
    (d / "agents.csv").write_text(AGENTS, encoding="utf-8")
    (d / "unavailability.csv").write_text(UNAVAILABILITY, encoding="utf-8")
    (d / "events.csv").write_text(EVENTS, encoding="utf-8")
    assert main(["roster", "--schedule", str(d / "schedule.csv"), "--agents", str(d / "agents.csv"),
                 "--out", str(d / "roster.csv"), "--method", "local_search"]) == 0
    export = "Start,Queue,Calls\n" + "".join(
        f"{t.isoformat()},reports,5\n" for t in pd.date_range(pd.Timestamp("2025-01-06", tz=TZ), periods=48,
                                                              freq="60min"))
    (d / "export.csv").write_text(export, encoding="utf-8")
    return d


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# --- the doors ----------------------------------------------------------------------------------------

@pytest.mark.timeout(120)
@FUZZ
@given(data=st.data())
def test_history_door(ground, data):
    path = _write(ground, "h_fuzz.csv", data.draw(mutated_csv(_history_text(3))))
    _check(["validate", str(path)], (path.name,))


@pytest.mark.timeout(120)
@FUZZ
@given(data=st.data())
def test_mapping_door(ground, data):
    path = _write(ground, "m_fuzz.yaml", data.draw(mutated_yaml(MAPPING)))
    _check(["validate", str(ground / "export.csv"), "--map", str(path)], (path.name, "export.csv"))


@pytest.mark.timeout(180)
@settings(FUZZ, max_examples=10)
@given(data=st.data())
def test_events_door(ground, data):
    path = _write(ground, "e_fuzz.csv", data.draw(mutated_csv(EVENTS)))
    out = ground / "fc_events.csv"
    _check(["forecast", str(ground / "history.csv"), "--horizon", "1d", "--interval", "60min", "--model",
            "seasonal_naive", "--events", str(path), "--out", str(out), "--quiet", "--jobs", "1"],
           (path.name, "events"))


@pytest.mark.timeout(120)
@FUZZ
@given(data=st.data())
def test_forecast_door(ground, data):
    from wfm.io.requirement import read_requirement_csv

    base = "\n".join((ground / "forecast.csv").read_text(encoding="utf-8").splitlines()[:7]) + "\n"
    path = _write(ground, "f_fuzz.csv", data.draw(mutated_csv(base)))
    out = ground / "req_fuzz.csv"
    _check(["staff", "--forecast", str(path), "--out", str(out), "--answer-within-seconds", "20",
            "--target-service-level", "0.8"], (path.name,), valid=lambda: read_requirement_csv(out))


@pytest.mark.timeout(180)
@settings(FUZZ, max_examples=12)
@given(data=st.data())
def test_requirement_door(ground, data):
    from wfm.io.schedule import read_schedule_csv

    base = (ground / "requirement.csv").read_text(encoding="utf-8")
    path = _write(ground, "r_fuzz.csv", data.draw(mutated_csv(base)))
    out = ground / "sched_fuzz.csv"
    _check(["schedule", "--requirement", str(path), "--rules", str(ground / "rules.yaml"), "--out", str(out),
            "--quiet", "--time-limit", "5"], (path.name,), ok_codes=(0, 1), valid=lambda: read_schedule_csv(out))


@pytest.mark.timeout(180)
@settings(FUZZ, max_examples=12)
@given(data=st.data())
def test_rules_door(ground, data):
    base = yaml.safe_load((ground / "rules.yaml").read_text(encoding="utf-8"))
    path = _write(ground, "rules_fuzz.yaml", data.draw(mutated_yaml(base)))
    _check(["schedule", "--requirement", str(ground / "requirement.csv"), "--rules", str(path), "--out",
            str(ground / "s_rules.csv"), "--quiet", "--time-limit", "5"], (path.name,), ok_codes=(0, 1))


@pytest.mark.timeout(180)
@settings(FUZZ, max_examples=12)
@given(data=st.data())
def test_agents_door(ground, data):
    path = _write(ground, "a_fuzz.csv", data.draw(mutated_csv(AGENTS)))
    _check(["roster", "--schedule", str(ground / "schedule.csv"), "--agents", str(path), "--out",
            str(ground / "ro_agents.csv"), "--method", "local_search"], (path.name,), ok_codes=(0, 1))


@pytest.mark.timeout(180)
@settings(FUZZ, max_examples=12)
@given(data=st.data())
def test_unavailability_door(ground, data):
    path = _write(ground, "u_fuzz.csv", data.draw(mutated_csv(UNAVAILABILITY)))
    _check(["roster", "--schedule", str(ground / "schedule.csv"), "--agents", str(ground / "agents.csv"),
            "--unavailability", str(path), "--out", str(ground / "ro_un.csv"), "--method", "local_search"],
           (path.name,), ok_codes=(0, 1))


@pytest.mark.timeout(120)
@FUZZ
@given(data=st.data())
def test_schedule_door(ground, data):
    base = (ground / "schedule.csv").read_text(encoding="utf-8")
    path = _write(ground, "s_fuzz.csv", data.draw(mutated_csv(base)))
    _check(["scenarios", "save", "--name", "fuzz", "--kind", "schedule", "--file", str(path),
            "--database-url", f"sqlite:///{ground / 'fuzz.sqlite'}"], (path.name,))


@pytest.mark.timeout(120)
@FUZZ
@given(data=st.data())
def test_roster_door(ground, data):
    base = (ground / "roster.csv").read_text(encoding="utf-8")
    path = _write(ground, "ro_fuzz.csv", data.draw(mutated_csv(base)))
    _check(["scenarios", "save", "--name", "fuzz-roster", "--kind", "roster", "--file", str(path),
            "--database-url", f"sqlite:///{ground / 'fuzz.sqlite'}"], (path.name,))


RECORDS = ("vru+line,call_id,customer_id,priority,type,date,vru_entry,vru_exit,vru_time,q_start,q_exit,q_time,"
           "outcome,ser_start,ser_exit,ser_time,server\n"
           "AA0101,1,1,2,PS,990801,0:00:31,0:00:36,5,0:00:36,0:03:09,153,AGENT,0:03:09,0:06:49,220,MICHAL\n"
           "AA0101,2,2,2,PS,990801,0:34:12,0:34:23,11,0:34:23,0:36:01,98,HANG,0:00:00,0:00:00,0,NO_SERVER\n")


@pytest.mark.timeout(120)
@FUZZ
@given(data=st.data())
def test_call_records_door(ground, data):
    from wfm.io.call_records import read_call_records

    path = _write(ground, "cr_fuzz.csv", data.draw(mutated_csv(RECORDS)))
    try:
        read_call_records(path, tz="Asia/Jerusalem")
    except WfmInputError as exc:
        assert path.name in str(exc), str(exc)


# --- capacity planning (wfm capacity): its settings YAML and hiring-plan CSV ------------------------------

CAPACITY_SETTINGS = {**CAPACITY_TEST_SETTINGS, "plan": {"start": "2026-01", "months": 3}}
HIRING_PLAN = "class_type,start,hires\npermanent,2026-01-05,4\npermanent,2026-02-02,2\n"


@pytest.fixture(scope="module")
def capacity_ground(tmp_path_factory):
    from tests.optimiser.capacity.capacity_builders import hourly_history

    d = tmp_path_factory.mktemp("fuzz_capacity")
    history = hourly_history(months=14, calls_per_hour=40.0, aht_seconds=300.0)
    history["calls_offered"] = history["calls_offered"].round().astype(int)
    history.to_csv(d / "history.csv", index=False)
    agents = pd.read_csv(Path(__file__).resolve().parents[3] / "data" / "demo_agents.csv", dtype=str,
                         keep_default_na=False).head(20)
    agents["hire_date"], agents["fte"] = "2020-01-06", "1"
    agents.to_csv(d / "agents.csv", index=False)
    (d / "settings.yaml").write_text(yaml.safe_dump(CAPACITY_SETTINGS), encoding="utf-8")
    (d / "plan.csv").write_text(HIRING_PLAN, encoding="utf-8")
    return d


@pytest.mark.timeout(180)
@settings(FUZZ, max_examples=10)
@given(data=st.data())
def test_capacity_settings_door(capacity_ground, data):
    d = capacity_ground
    path = _write(d, "cap_fuzz.yaml", data.draw(mutated_yaml(CAPACITY_SETTINGS)))
    _check(["capacity", str(d / "history.csv"), "--agents", str(d / "agents.csv"), "--settings", str(path),
            "--plan", str(d / "plan.csv"), "--out", str(d / "months.csv")], (path.name, "settings"))


@pytest.mark.timeout(180)
@settings(FUZZ, max_examples=10)
@given(data=st.data())
def test_capacity_plan_door(capacity_ground, data):
    d = capacity_ground
    path = _write(d, "plan_fuzz.csv", data.draw(mutated_csv(HIRING_PLAN)))
    _check(["capacity", str(d / "history.csv"), "--agents", str(d / "agents.csv"), "--settings",
            str(d / "settings.yaml"), "--plan", str(path), "--out", str(d / "months.csv")], (path.name,))


# --- same-day steering (wfm intraday): today's actuals and the absences reported today ----------------------

@pytest.fixture(scope="module")
def intraday_ground(tmp_path_factory):
    from tests.optimiser.today.builders import DAY, actuals_from, day_forecast

    d = tmp_path_factory.mktemp("fuzz_intraday")
    fc = day_forecast(scale=30)
    fc.assign(interval_start=[t.isoformat() for t in fc["interval_start"]]).to_csv(d / "forecast.csv", index=False)
    act = actuals_from(fc, pd.Timestamp(f"{DAY}T12:00", tz=TZ), factor=1.2)
    act = act.assign(interval_start=[t.isoformat() for t in act["interval_start"]])
    (d / "today.csv").write_text(act.to_csv(index=False), encoding="utf-8")
    rows = ["agent_id,name,site,skill_group,shift_id,date,start,end,paid_minutes,breaks"]
    for i in range(6):
        s = pd.Timestamp(DAY, tz=TZ) + pd.Timedelta(hours=7 if i % 2 == 0 else 13)
        rows.append(f"A{i:02d},Agent {i},Örebro,sv_all,S{i},{DAY},{s.isoformat()},"
                    f"{(s + pd.Timedelta(hours=8)).isoformat()},480,")
    (d / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    absences = f"agent_id,start,end,reason\nA01,{DAY}T00:00:00+01:00,{DAY}T23:00:00+01:00,sick\n"
    (d / "absences.csv").write_text(absences, encoding="utf-8")
    return d, DAY, absences


def _intraday(d, day, actuals, absences):
    return ["intraday", "--forecast", str(d / "forecast.csv"), "--roster", str(d / "roster.csv"), "--actuals",
            str(actuals), "--absences", str(absences), "--now", f"{day}T12:05", "--patience-seconds", "900",
            "--json"]


@pytest.mark.timeout(180)
@settings(FUZZ, max_examples=12)
@given(data=st.data())
def test_intraday_actuals_door(intraday_ground, data):
    d, day, _ = intraday_ground
    path = _write(d, "today_fuzz.csv", data.draw(mutated_csv((d / "today.csv").read_text(encoding="utf-8"))))
    _check(_intraday(d, day, path, d / "absences.csv"), (path.name,))


@pytest.mark.timeout(180)
@settings(FUZZ, max_examples=12)
@given(data=st.data())
def test_intraday_absences_door(intraday_ground, data):
    d, day, absences = intraday_ground
    path = _write(d, "abs_fuzz.csv", data.draw(mutated_csv(absences)))
    _check(_intraday(d, day, d / "today.csv", path), (path.name,))
