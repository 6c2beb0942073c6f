"""Tests of the demo agent list generator (optimiser.demo.agents)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimiser.demo.agents import (
    AGENT_COLUMNS,
    SKILL_GROUPS,
    UNAVAILABILITY_COLUMNS,
    UNAVAILABILITY_REASONS,
    generate_demo_agents,
    write_agents_csv,
    write_unavailability_csv,
)
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ, WEEKDAYS

DATA = Path(__file__).resolve().parents[3] / "data"
TZ = DEFAULT_TZ


@pytest.fixture
def generated():
    return generate_demo_agents()


def test_about_800_agents_unique_ids_and_sites(generated):
    agents, _ = generated
    assert list(agents.columns) == list(AGENT_COLUMNS)
    assert len(agents) == 800
    assert agents["agent_id"].is_unique
    assert agents["agent_id"].str.fullmatch(r"A\d{4}").all()
    assert 5 <= agents["site"].nunique() <= 7
    assert agents["site"].value_counts().min() >= 50
    assert agents["name"].is_unique  # fictitious "Given Surname" pairs, drawn without replacement


def test_skill_groups_skills_and_languages_consistent(generated):
    agents, _ = generated
    shares = agents["skill_group"].value_counts(normalize=True)
    for group, (share, skills, languages) in SKILL_GROUPS.items():
        assert shares[group] == pytest.approx(share, abs=0.01)
        rows = agents[agents["skill_group"] == group]
        assert (rows["skills"] == skills).all()
        assert (rows["languages"] == languages).all()
    english = agents["skills"].str.split(";").map(lambda s: "english" in s)
    assert (english == agents["languages"].str.contains("en")).all()  # only English speakers take english


def test_contracts_valid(generated):
    agents, _ = generated
    assert set(agents["contract"]) == {"full_time", "part_time"}
    assert (agents["contract"] == "full_time").mean() == pytest.approx(0.7, abs=0.01)
    full = agents[agents["contract"] == "full_time"]
    part = agents[agents["contract"] == "part_time"]
    assert (full["contract_hours_per_week"] == 40).all()
    assert set(part["contract_hours_per_week"]) <= {20.0, 25.0, 30.0}
    assert (agents["min_hours_per_week"] <= agents["contract_hours_per_week"]).all()
    assert (agents["contract_hours_per_week"] <= agents["max_hours_per_week"]).all()
    assert (agents["max_hours_per_week"] <= 48).all()  # EU Working Time Directive average cap
    assert agents["nights_allowed"].dtype == bool
    assert 0.05 < (~agents["nights_allowed"]).mean() < 0.5
    tokens = {t for v in agents["fixed_days_off"] for t in v.split(";") if t}
    assert tokens <= set(WEEKDAYS)
    assert (agents["fixed_days_off"] != "").sum() > 20


def test_unavailability_non_overlapping_and_in_horizon(generated):
    agents, unav = generated
    assert list(unav.columns) == list(UNAVAILABILITY_COLUMNS)
    assert str(unav["start"].dt.tz) == TZ and str(unav["end"].dt.tz) == TZ
    assert set(unav["reason"]) == set(UNAVAILABILITY_REASONS)
    assert set(unav["agent_id"]) <= set(agents["agent_id"])
    assert (unav["start"] < unav["end"]).all()
    h0 = pd.Timestamp("2026-01-05", tz=TZ)
    h1 = pd.Timestamp("2026-04-06", tz=TZ)  # 13 weeks later
    assert (unav["start"] >= h0).all() and (unav["end"] <= h1).all()
    for _, rows in unav.groupby("agent_id"):
        rows = rows.sort_values("start")
        assert (rows["start"].to_numpy()[1:] >= rows["end"].to_numpy()[:-1]).all()
    # Part-time patterns only for part-timers; training on weekdays 08-16.
    part_ids = set(agents.loc[agents["contract"] == "part_time", "agent_id"])
    assert set(unav.loc[unav["reason"] == "part_time", "agent_id"]) <= part_ids
    training = unav[unav["reason"] == "training"]
    assert (training["start"].dt.hour == 8).all() and (training["end"].dt.hour == 16).all()
    assert (training["start"].dt.day_of_week < 5).all()
    leave = unav[unav["reason"] == "leave"]
    assert (leave["start"].dt.day_of_week == 0).all()
    assert ((leave["end"] - leave["start"]) >= pd.Timedelta(days=6)).all()


def test_dst_offsets_in_unavailability(generated, tmp_path):
    _, unav = generated
    write_unavailability_csv(unav, tmp_path / "u.csv")
    text = (tmp_path / "u.csv").read_text()
    assert "+01:00" in text and "+02:00" in text  # horizon spans 2026-03-29
    # Leave runs Monday 00:00 to Monday 00:00 local: whole weeks of 168 h, one
    # hour shorter when it contains the spring-forward night (2026-03-29 02:00).
    leave = unav[unav["reason"] == "leave"]
    change = pd.Timestamp("2026-03-29 03:00", tz=TZ)
    spans = (leave["start"] < change) & (leave["end"] > change)
    hours = (leave["end"] - leave["start"]) / pd.Timedelta(hours=1)
    days = (leave["end"].dt.tz_localize(None) - leave["start"].dt.tz_localize(None)).dt.days
    np.testing.assert_array_equal(hours.to_numpy(), (days * 24 - spans.astype(int)).to_numpy())
    assert spans.any()
    assert (days % 7 == 0).all()


def test_committed_files_regenerate_byte_identical(generated, tmp_path):
    agents, unav = generated
    write_agents_csv(agents, tmp_path / "a.csv")
    write_unavailability_csv(unav, tmp_path / "u.csv")
    assert (tmp_path / "a.csv").read_bytes() == (DATA / "demo_agents.csv").read_bytes()
    assert (tmp_path / "u.csv").read_bytes() == (DATA / "demo_agent_unavailability.csv").read_bytes()


def test_committed_agents_file_round_trip(generated):
    agents = pd.read_csv(DATA / "demo_agents.csv", keep_default_na=False, dtype=str)
    assert list(agents.columns) == list(AGENT_COLUMNS)
    assert set(agents["nights_allowed"].astype(str)) == {"true", "false"}
    unav = pd.read_csv(DATA / "demo_agent_unavailability.csv", dtype=str)
    # Written with offsets (+01:00 in winter, +02:00 after 2026-03-29): the
    # instants read back equal the generated ones.
    _, expected = generated
    for col in ("start", "end"):
        back = pd.to_datetime(unav[col], format="ISO8601", utc=True).dt.tz_convert(TZ)
        pd.testing.assert_series_equal(back, expected[col].dt.as_unit(back.dt.unit), check_names=False)


def test_reproducible_and_seed_matters():
    a1, u1 = generate_demo_agents(50, seed=3)
    a2, u2 = generate_demo_agents(50, seed=3)
    pd.testing.assert_frame_equal(a1, a2)
    pd.testing.assert_frame_equal(u1, u2)
    a3, _ = generate_demo_agents(50, seed=4)
    assert not a1["name"].equals(a3["name"])


def test_bad_input_is_refused():
    with pytest.raises(WfmInputError, match=r"n_agents must be a whole number >= 1, got 0"):
        generate_demo_agents(0)
    with pytest.raises(WfmInputError, match=r"seed must be a whole number >= 0, got -1"):
        generate_demo_agents(10, seed=-1)
    with pytest.raises(WfmInputError, match=r"horizon_start must be a Monday, got 2026-01-06 \(Tue\)"):
        generate_demo_agents(10, horizon_start="2026-01-06")
    with pytest.raises(WfmInputError, match=r"horizon_start must be a date YYYY-MM-DD, got 'next week'"):
        generate_demo_agents(10, horizon_start="next week")
    with pytest.raises(WfmInputError, match=r"tz must be an IANA time zone"):
        generate_demo_agents(10, tz="Nowhere/Land")
    with pytest.raises(WfmInputError, match=r"agents frame is missing column\(s\) \['name', 'site'"):
        write_agents_csv(pd.DataFrame({"agent_id": ["A1"]}), "/dev/null")


@settings(max_examples=20, deadline=None)
@given(n=st.integers(min_value=-5, max_value=300), weeks=st.integers(min_value=1, max_value=8))
def test_property_any_size_valid_or_refused(n, weeks):
    if n < 1:
        with pytest.raises(WfmInputError, match="n_agents must be a whole number >= 1"):
            generate_demo_agents(n, horizon_weeks=weeks)
        return
    agents, unav = generate_demo_agents(n, horizon_weeks=weeks)
    assert len(agents) == n and agents["agent_id"].is_unique
    end = pd.Timestamp(dt.date(2026, 1, 5) + dt.timedelta(weeks=weeks)).tz_localize(TZ)
    assert (unav["end"] <= end).all()
    for _, rows in unav.groupby("agent_id"):
        s = rows["start"].to_numpy()
        e = rows["end"].to_numpy()
        order = np.argsort(s)
        assert (s[order][1:] >= e[order][:-1]).all()
