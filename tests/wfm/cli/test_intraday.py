"""`wfm intraday` through the real CLI router: live and replay, bad or late actuals exit 2."""

import json

import pandas as pd
import pytest

from wfm.cli import main

from tests.optimiser.today.builders import DAY, TZ, actuals_from, day_forecast


def _files(tmp_path, now=f"{DAY}T12:00", factor=1.2, agents=12):
    fc = day_forecast(scale=30)
    out = fc.assign(interval_start=[t.isoformat() for t in fc["interval_start"]])
    out.to_csv(tmp_path / "forecast.csv", index=False)
    act = actuals_from(fc, pd.Timestamp(now, tz=TZ), factor=factor)
    act.assign(interval_start=[t.isoformat() for t in act["interval_start"]]).to_csv(tmp_path / "today.csv", index=False)
    whole = actuals_from(fc, pd.Timestamp(DAY, tz=TZ) + pd.Timedelta(days=1), factor=factor)
    whole.assign(interval_start=[t.isoformat() for t in whole["interval_start"]]).to_csv(tmp_path / "history.csv",
                                                                                         index=False)
    rows = ["agent_id,name,site,skill_group,shift_id,date,start,end,paid_minutes,breaks"]
    for i in range(agents):
        s = pd.Timestamp(DAY, tz=TZ) + pd.Timedelta(hours=7 if i % 2 == 0 else 13)
        b = s + pd.Timedelta(hours=4)
        rows.append(f"A{i:02d},Agent {i},Örebro,sv_all,S{i},{DAY},{s.isoformat()},"
                    f"{(s + pd.Timedelta(hours=8)).isoformat()},450,{b.isoformat()}/30/unpaid")
    (tmp_path / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "absences.csv").write_text(
        f"agent_id,start,end,reason\nA01,{DAY}T00:00:00+01:00,2026-03-03T00:00:00+01:00,sick\n")


def _run(tmp_path, *extra):
    return main(["intraday", "--forecast", str(tmp_path / "forecast.csv"), "--roster", str(tmp_path / "roster.csv"),
                 "--patience-seconds", "900", *extra])


def test_live_projection_prints_the_day_and_writes_the_intervals(tmp_path, capsys):
    _files(tmp_path)
    assert _run(tmp_path, "--actuals", str(tmp_path / "today.csv"), "--now", f"{DAY}T12:05",
                "--absences", str(tmp_path / "absences.csv"), "--out", str(tmp_path / "p.csv")) == 0
    out = capsys.readouterr().out
    assert "the day will end at" in out and "24 ended interval(s)" in out
    p = pd.read_csv(tmp_path / "p.csv")
    assert set(p["phase"]) == {"actual", "reforecast"} and len(p) == 48
    assert _run(tmp_path, "--actuals", str(tmp_path / "today.csv"), "--now", f"{DAY}T12:05", "--json") == 0
    payload = json.loads(capsys.readouterr().out)
    assert 0 <= payload["day"]["service_level"] <= 1
    assert {r["queue"] for r in payload["ratios"]} == {"a", "b"}


def test_replay_of_a_past_moment_equals_live(tmp_path, capsys):
    _files(tmp_path)
    assert _run(tmp_path, "--actuals", str(tmp_path / "today.csv"), "--now", f"{DAY}T12:05", "--json") == 0
    live = json.loads(capsys.readouterr().out)
    assert _run(tmp_path, "--actuals", str(tmp_path / "history.csv"), "--now", f"{DAY}T12:05", "--replay",
                "--json") == 0
    assert json.loads(capsys.readouterr().out) == live


@pytest.mark.parametrize("now, actuals, message", [
    (f"{DAY}T14:05", "today.csv", "actuals .*today.csv: interval 2026-03-02 12:00:00\\+01:00 of queue 'a' is missing"),
    ("2026-03-01T12:00", "today.csv", "forecast has no interval on 2026-03-01"),
    (f"{DAY}T11:00", "history.csv", "has not started at now"),
    ("tomorrow noon", "today.csv", "now must be a timestamp .*\\(set with --now\\)"),
])
def test_bad_or_late_actuals_exit_2(tmp_path, capsys, now, actuals, message):
    _files(tmp_path)
    assert _run(tmp_path, "--actuals", str(tmp_path / actuals), "--now", now) == 2
    err = capsys.readouterr().err
    assert pytest.importorskip("re").search(message, err), err


def test_a_queue_the_plan_does_not_know_exits_2(tmp_path, capsys):
    _files(tmp_path)
    t = pd.read_csv(tmp_path / "today.csv")
    t["queue"] = t["queue"].replace({"b": "chat"})
    t.to_csv(tmp_path / "today.csv", index=False)
    assert _run(tmp_path, "--actuals", str(tmp_path / "today.csv"), "--now", f"{DAY}T12:05") == 2
    assert "queue(s) 'chat' are not in the plan" in capsys.readouterr().err


def test_actions_are_ranked_with_their_gain(tmp_path, capsys):
    _files(tmp_path, factor=1.4)
    agents = ["agent_id,name,site,skill_group,skills,languages,contract,contract_hours_per_week,min_hours_per_week,"
              "max_hours_per_week,nights_allowed,fixed_days_off"]
    agents += [f"A{i:02d},Agent {i},Örebro,sv_all,reports;tips;switchboard,sv,full_time,40,32,48,true," for i in range(12)]
    (tmp_path / "agents.csv").write_text("\n".join(agents) + "\n", encoding="utf-8")
    assert _run(tmp_path, "--actuals", str(tmp_path / "today.csv"), "--now", f"{DAY}T12:05", "--actions",
                "--agents", str(tmp_path / "agents.csv"), "--callback-threshold-seconds", "120", "--json") == 0
    ranked = json.loads(capsys.readouterr().out)["actions"]
    assert {"callbacks", "overtime"} <= {a["kind"] for a in ranked}
    assert _run(tmp_path, "--actuals", str(tmp_path / "today.csv"), "--now", f"{DAY}T12:05", "--actions",
                "--callback-acceptance", "2") == 2
    assert "--callback-acceptance must be <= 1" in capsys.readouterr().err
