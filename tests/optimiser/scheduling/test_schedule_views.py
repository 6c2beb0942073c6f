"""Chart frames of a schedule and the CSV text for downloads."""

from __future__ import annotations

import pandas as pd
import pytest

from optimiser.scheduling.io import read_schedule_csv
from optimiser.scheduling.views import schedule_csv_text, shift_timeline

TZ = "Europe/Stockholm"


def _shifts():
    s = pd.Timestamp("2026-01-05 07:00", tz=TZ)
    return pd.DataFrame({
        "shift_id": ["S1", "S2", "S3"],
        "template": ["day", "day", "night"],
        "skill_group": ["sv_all", "sv_reports", "sv_all"],
        "start": [s, s + pd.Timedelta(hours=1), s + pd.Timedelta(hours=15)],
        "end": [s + pd.Timedelta(hours=9), s + pd.Timedelta(hours=9), s + pd.Timedelta(hours=23)],
        "count": [12, 3, 5],
        "paid_minutes": [510, 450, 480],
        "breaks": ["2026-01-05T11:00:00+01:00/30/unpaid", "", ""],
    })


def test_timeline_keeps_the_most_staffed_and_labels_them():
    top = shift_timeline(_shifts(), limit=2)
    assert list(top["shift_id"]) == ["S1", "S3"]  # 12 and 5 agents, sorted by start
    assert top.loc[0, "label"] == "sv_all Mon 07:00-16:00 x12"
    assert top["start"].dt.tz is None
    with pytest.raises(ValueError, match="limit must be >= 1, got 0"):
        shift_timeline(_shifts(), limit=0)


def test_csv_text_round_trips_through_the_contract_reader(tmp_path):
    path = tmp_path / "schedule.csv"
    path.write_text(schedule_csv_text(_shifts()), encoding="utf-8")
    back = read_schedule_csv(path)
    assert list(back["shift_id"]) == ["S1", "S2", "S3"]
    assert list(back["count"]) == [12, 3, 5]
    assert back["start"].iloc[0] == pd.Timestamp("2026-01-05 07:00", tz=TZ)


def test_coarsened_rules_keep_the_families_and_shrink_the_templates():
    from pathlib import Path

    import yaml

    from optimiser.scheduling.rules_file import parse_rules
    from optimiser.scheduling.views import coarsen_rules_text

    text = (Path(__file__).resolve().parents[3] / "data" / "demo_rules.yaml").read_text(encoding="utf-8")
    small = yaml.safe_load(coarsen_rules_text(text))
    day = small["shift_templates"]["day"]
    assert day["start_every_minutes"] == 60 and day["lengths_hours"] == [6, 8, 10]
    assert small["breaks"] == yaml.safe_load(text)["breaks"]
    parse_rules(small, source="coarsened")  # still a valid rules file
    with pytest.raises(ValueError, match="lengths must be >= 1, got 0"):
        coarsen_rules_text(text, lengths=0)
