"""``wfm scenarios`` through the real ``wfm`` entry point (with this module registered)."""

from __future__ import annotations

import pandas as pd
import pytest

import wfm.cli
from wfm.io.roster import export_roster
from optimiser.store import PlanStore
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


@pytest.fixture
def run(monkeypatch, tmp_path):
    """``wfm scenarios`` through the real entry point, on a fresh SQLite store."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    return lambda *argv: wfm.cli.main(["scenarios", *argv, "--database-url", url]), url


def roster(hour: int) -> pd.DataFrame:
    start = pd.Timestamp(f"2025-01-06 {hour:02d}:00", tz=TZ)
    return pd.DataFrame({
        "agent_id": ["A0001", "A0002"], "name": ["Anna Berg", "Björn Ek"], "site": ["Umeå", "Malmö"],
        "skill_group": ["sv_all", "bilingual"], "shift_id": ["S1", "S2"],
        "start": [start, pd.Timestamp("2025-01-06 08:00", tz=TZ)],
        "end": [start + pd.Timedelta(hours=9), pd.Timestamp("2025-01-06 17:00", tz=TZ)],
        "paid_minutes": [510, 510], "breaks": ["2025-01-06T11:30:00+01:00/30/unpaid", ""],
    })


def test_save_show_publish_diff_list(run, tmp_path, capsys):
    wfm_, url = run
    export_roster(roster(7), tmp_path / "v1.csv")
    export_roster(roster(9), tmp_path / "v2.csv")
    assert wfm_("save", "--name", "week 2", "--kind", "roster", "--file", str(tmp_path / "v1.csv"),
                "--expected-version", "0", "--author", "kim", "--note", "first") == 0
    assert "version 1 [draft]" in capsys.readouterr().out
    assert wfm_("save", "--name", "week 2", "--kind", "roster", "--file", str(tmp_path / "v2.csv")) == 0
    assert "version 2 [draft], 2 rows, based on version 1" in capsys.readouterr().out
    assert wfm_("publish", "--name", "week 2", "--version", "1") == 0
    assert "now immutable" in capsys.readouterr().out

    assert wfm_("show", "--name", "week 2", "--version", "1", "--out", str(tmp_path / "back.csv")) == 0
    out = capsys.readouterr().out
    assert "version 1 [published]" in out and "note: first" in out and "saved:" in out
    back = pd.read_csv(tmp_path / "back.csv")
    assert back["start"].tolist() == ["2025-01-06T07:00:00+01:00", "2025-01-06T08:00:00+01:00"]

    assert wfm_("diff", "--name", "week 2", "--from-version", "1", "--to-version", "2") == 0
    out = capsys.readouterr().out
    assert "1 agent(s) with changed shifts" in out and "A0001" in out and "A0002" not in out

    assert wfm_("list") == 0
    out = capsys.readouterr().out
    assert "week 2" in out and "roster" in out

    stored = PlanStore(url).load("week 2", 1).frame
    pd.testing.assert_frame_equal(stored.loc[:, list(roster(7).columns)], roster(7), check_dtype=False)


def test_stale_expected_version_exits_2_with_reload_and_merge(run, tmp_path, capsys):
    wfm_, _ = run
    export_roster(roster(7), tmp_path / "v1.csv")
    for _ in range(2):
        wfm_("save", "--name", "w", "--kind", "roster", "--file", str(tmp_path / "v1.csv"))
    capsys.readouterr()
    code = wfm_("save", "--name", "w", "--kind", "roster", "--file", str(tmp_path / "v1.csv"),
                "--expected-version", "1")
    assert code == 2
    err = capsys.readouterr().err
    assert "based on version 1 but the latest version is now 2" in err and "reload version 2, merge" in err


def test_bad_files_and_names_exit_2(run, tmp_path, capsys):
    wfm_, _ = run
    bad = tmp_path / "bad.csv"
    bad.write_text("agent_id,name,site,skill_group,shift_id,start,end,paid_minutes,breaks\n"
                   "A1,Anna,Umeå,sv_all,S1,2025-01-06T07:00:00,2025-01-06T16:00:00+01:00,480,\n")
    assert wfm_("save", "--name", "w", "--kind", "roster", "--file", str(bad)) == 2
    assert "row 2, column start: timestamps must carry a UTC offset" in capsys.readouterr().err
    assert wfm_("save", "--name", "w", "--kind", "roster", "--file", str(tmp_path / "missing.csv")) == 2
    assert "roster file not found" in capsys.readouterr().err
    assert wfm_("show", "--name", "nope") == 2
    assert "scenario 'nope' not found" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        wfm_("save", "--name", "w", "--kind", "plan", "--file", str(bad))


def test_save_of_each_kind_uses_its_contract_reader(run, tmp_path):
    wfm_, url = run
    req = tmp_path / "requirement.csv"
    req.write_text("interval_start,queue,agents_required\n"
                   "2025-01-06T08:00:00+01:00,reports,3\n2025-01-06T08:15:00+01:00,reports,4\n")
    assert wfm_("save", "--name", "req", "--kind", "requirement", "--file", str(req)) == 0
    frame = PlanStore(url).load("req").frame
    assert str(frame["interval_start"].dt.tz) == TZ and frame["agents_required"].tolist() == [3.0, 4.0]
    with pytest.raises(WfmInputError, match="--kind must be one of"):
        from wfm.cli.scenarios import read_plan_csv
        read_plan_csv(req, "plan")
