"""Tests for wfm.ground.calendar: Swedish holidays, eves, bridge days, regressors.

Reference dates are from the Swedish law on public holidays, Lag (1989:253) om
allmänna helgdagar, applied to the 2024/2025 calendars (Easter Sunday 2024-03-31
and 2025-04-20 per the Gregorian computus; Midsommardagen is the Saturday
between 20 and 26 June).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.ground.calendar import (
    DEFAULT_NAMED_DAYS,
    calendar_features,
    holiday_coverage,
    public_holidays,
    slugify,
    special_days,
)
from wfm.ground.errors import WfmInputError


def _row(df: pd.DataFrame, day: str) -> dict:
    hit = df[df["date"] == dt.date.fromisoformat(day)]
    assert len(hit) == 1, f"{day} not listed exactly once: {hit}"
    return hit.iloc[0].to_dict()


def test_swedish_2024_eves_and_holidays():
    df = special_days("2024-01-01", "2024-12-31")
    assert _row(df, "2024-06-21") == {"date": dt.date(2024, 6, 21), "name": "Midsommarafton", "kind": "eve"}
    assert _row(df, "2024-06-22")["kind"] == "holiday"  # Midsommardagen
    assert _row(df, "2024-12-24")["name"] == "Julafton"
    assert _row(df, "2024-12-31")["name"] == "Nyårsafton"
    assert _row(df, "2024-03-30")["name"] == "Påskafton"  # Easter Sunday 2024-03-31
    assert _row(df, "2024-04-30")["name"] == "Valborgsmässoafton"
    assert _row(df, "2024-01-05")["name"] == "Trettondagsafton"
    # The 13 Swedish public holidays of 2024 (Lag 1989:253), Sundays excluded
    # except the ones that are named holidays (Påskdagen, Pingstdagen).
    assert (df["kind"] == "holiday").sum() == 13


def test_no_ordinary_sundays():
    df = special_days("2024-01-01", "2024-12-31")
    sundays = [d for d in df["date"] if d.weekday() == 6]
    # Only named holidays fall on a Sunday in 2024: Påskdagen 03-31, Pingstdagen 05-19.
    assert sorted(sundays) == [dt.date(2024, 3, 31), dt.date(2024, 5, 19)]


def test_bridge_days():
    df = special_days("2024-01-01", "2025-12-31")
    # Kristi himmelsfärdsdag is a Thursday (2024-05-09, 2025-05-29): the Friday after is a klämdag.
    assert _row(df, "2025-05-30") == {"date": dt.date(2025, 5, 30), "name": "Klämdag", "kind": "bridge"}
    assert _row(df, "2024-05-10")["kind"] == "bridge"
    # Första maj 2025 is a Thursday -> Friday 2025-05-02 is a bridge day.
    assert _row(df, "2025-05-02")["kind"] == "bridge"
    # Nationaldagen 2024 is a Thursday -> 2024-06-07.
    assert _row(df, "2024-06-07")["kind"] == "bridge"
    # An ordinary Friday is not listed.
    assert dt.date(2024, 5, 17) not in set(df["date"])
    no_bridges = special_days("2024-01-01", "2025-12-31", bridge_days=False)
    assert "bridge" not in set(no_bridges["kind"])
    assert len(no_bridges) == len(df) - (df["kind"] == "bridge").sum()


def test_bridge_days_agree_with_holidays_package_klamdag():
    # The holidays package lists 'Klämdag' in its optional SE category; every
    # one of those must be one of ours (ours also counts de facto eves as off).
    import holidays

    ours = set(special_days("2020-01-01", "2030-12-31").query("kind == 'bridge'")["date"])
    theirs = {
        d
        for d, n in holidays.country_holidays(
            "SE", years=range(2020, 2031), categories="optional", language="sv"
        ).items()
        if "Klämdag" in n
    }
    assert theirs and theirs <= ours


def test_strongest_kind_wins_and_names_join():
    # Easter Sunday 2049 is 18 April, so Pingstdagen (Easter + 49 days) is 6 June = Nationaldagen.
    df = special_days("2049-06-06", "2049-06-06")
    assert len(df) == 1
    assert df.iloc[0]["kind"] == "holiday"
    assert set(df.iloc[0]["name"].split("; ")) == {"Nationaldagen", "Pingstdagen"}


def test_one_row_per_date_sorted_and_in_range():
    df = special_days("2023-01-01", "2025-12-31")
    assert list(df.columns) == ["date", "name", "kind"]
    assert df["date"].is_unique
    assert list(df["date"]) == sorted(df["date"])
    assert df["date"].min() >= dt.date(2023, 1, 1)
    assert df["date"].max() <= dt.date(2025, 12, 31)
    assert all(isinstance(d, dt.date) for d in df["date"])
    assert set(df["kind"]) <= {"holiday", "eve", "bridge"}


@pytest.mark.parametrize(
    "country, day, subdiv",
    [
        ("NO", "2024-05-17", None),  # Norwegian Constitution Day
        ("GB", "2024-12-26", "ENG"),  # Boxing Day
    ],
)
def test_other_countries(country, day, subdiv):
    df = special_days("2024-01-01", "2024-12-31", country, subdiv=subdiv)
    assert _row(df, day)["kind"] == "holiday"
    assert "eve" not in set(df["kind"])  # eves are Sweden-only (documented)


def test_bad_inputs_name_the_parameter():
    with pytest.raises(WfmInputError, match=r"end must be on or after start, got start=2024-02-01 end=2024-01-01"):
        special_days("2024-02-01", "2024-01-01")
    with pytest.raises(WfmInputError, match=r"country must be an ISO 3166 code .* got 'XX'"):
        special_days("2024-01-01", "2024-12-31", "XX")
    with pytest.raises(WfmInputError, match=r"subdiv must be a subdivision of GB .* got 'ZZZ'"):
        special_days("2024-01-01", "2024-12-31", "GB", subdiv="ZZZ")
    with pytest.raises(WfmInputError, match=r"start must be a date like 2024-01-31, got 'yesterday'"):
        special_days("yesterday", "2024-12-31")


def test_calendar_features_local_date_and_dst():
    special = special_days("2024-01-01", "2024-12-31")
    # Fall-back day 2024-10-27 has 100 quarter-hours; Christmas week around it.
    idx = pd.date_range("2024-12-23 22:00", "2024-12-25 01:00", freq="15min", tz="Europe/Stockholm")
    feats = calendar_features(idx, special)
    assert feats.index.equals(idx)
    expected_cols = ["is_holiday", "is_eve", "is_bridge"] + [f"day_{slugify(n)}" for n in DEFAULT_NAMED_DAYS]
    assert list(feats.columns) == expected_cols
    # 23:45 on the 23rd is a bridge day (local), 00:00 on the 24th is julafton.
    assert feats.loc["2024-12-23 23:45+01:00", "is_bridge"] == 1
    assert feats.loc["2024-12-24 00:00+01:00", "is_eve"] == 1
    assert feats.loc["2024-12-24 00:00+01:00", "day_julafton"] == 1
    assert feats.loc["2024-12-25 00:00+01:00", "is_holiday"] == 1
    assert feats.loc["2024-12-25 00:00+01:00", "day_julafton"] == 0
    assert feats.loc["2024-12-25 00:00+01:00", "day_juldagen"] == 1
    # Same instants in UTC: 2024-12-23T23:30Z is local 00:30 on julafton.
    feats_utc_input = calendar_features(idx.tz_convert("UTC").tz_convert("Europe/Stockholm"), special)
    assert feats_utc_input.equals(feats)


def test_calendar_features_uses_the_index_zone():
    special = special_days("2024-12-01", "2024-12-31")
    ts = pd.DatetimeIndex(["2024-12-23T23:30:00+00:00"]).tz_convert("UTC")
    # In UTC this is still the 23rd (bridge); in Stockholm it is the 24th (eve).
    assert calendar_features(ts, special).iloc[0]["is_bridge"] == 1
    assert calendar_features(ts.tz_convert("Europe/Stockholm"), special).iloc[0]["is_eve"] == 1


def test_calendar_features_dst_days_counts():
    special = special_days("2024-01-01", "2024-12-31")
    spring = pd.date_range("2024-03-31", "2024-04-01", freq="15min", tz="Europe/Stockholm", inclusive="left")
    assert len(spring) == 92
    feats = calendar_features(spring, special)
    assert feats["day_paskdagen"].sum() == 92  # Påskdagen 2024 is the spring-forward day


def test_calendar_features_rejects_bad_input():
    special = special_days("2024-01-01", "2024-12-31")
    naive = pd.date_range("2024-01-01", periods=3, freq="h")
    with pytest.raises(WfmInputError, match="index must be tz-aware"):
        calendar_features(naive, special)
    with pytest.raises(WfmInputError, match=r"missing \['kind'\]"):
        calendar_features(naive.tz_localize("Europe/Stockholm"), special.drop(columns="kind"))
    bad = special.assign(kind="party")
    with pytest.raises(WfmInputError, match=r"special.kind must be one of .* got \['party'\]"):
        calendar_features(naive.tz_localize("Europe/Stockholm"), bad)


@settings(max_examples=25, deadline=None)
@given(
    start=st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2060, 12, 31)),
    days=st.integers(min_value=0, max_value=800),
)
def test_property_invariants(start, days):
    end = start + dt.timedelta(days=days)
    df = special_days(start, end)
    assert df["date"].is_unique
    assert all(start <= d <= end for d in df["date"])
    # Each year has exactly one midsommarafton, on a Friday, and julafton on 24 Dec.
    for d, name in zip(df["date"], df["name"]):
        if "Midsommarafton" in name:
            assert d.weekday() == 4 and 19 <= d.day <= 25 and d.month == 6
        if "Julafton" in name:
            assert (d.month, d.day) == (12, 24)
    # Bridge days are working weekdays.
    for d in df.loc[df["kind"] == "bridge", "date"]:
        assert d.weekday() < 5
    # A sub-range gives the same rows as slicing the full range.
    mid = start + dt.timedelta(days=days // 2)
    sub = special_days(start, mid)
    assert sub.reset_index(drop=True).equals(df[df["date"] <= mid].reset_index(drop=True))


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=5).filter(lambda s: s.strip().upper() not in {"SE"}))
def test_property_unknown_country_is_refused_clearly(code):
    import holidays

    if code in holidays.list_supported_countries() or code.upper() in holidays.list_supported_countries():
        return
    with pytest.raises(WfmInputError, match="country must be"):
        special_days("2024-01-01", "2024-01-31", code)


def test_alpha3_sweden_gets_the_swedish_rules_and_lowercase_is_refused():
    se = special_days("2024-01-01", "2024-12-31", "SE")
    assert special_days("2024-01-01", "2024-12-31", "SWE").equals(se)  # no Sundays, eves, Klämdag
    with pytest.raises(WfmInputError, match=r"country must be an ISO 3166 code .* got 'se'"):
        special_days("2024-01-01", "2024-12-31", "se")


def test_calendar_features_empty_inputs():
    special = special_days("2024-01-01", "2024-12-31")
    empty_index = pd.DatetimeIndex([], tz="Europe/Stockholm")
    feats = calendar_features(empty_index, special)
    assert len(feats) == 0 and "is_holiday" in feats.columns
    idx = pd.date_range("2024-12-24", periods=4, freq="6h", tz="Europe/Stockholm")
    none = calendar_features(idx, special.iloc[0:0], named_days=None)
    assert list(none.columns) == ["is_holiday", "is_eve", "is_bridge"]
    assert (none.to_numpy() == 0).all()


# --------------------------------------------------------------------------- one source, known coverage
def test_public_holidays_are_the_holiday_rows_of_special_days_in_any_covered_year():
    # 2031 was outside the range the scheduler's rules file used to ask for (2023-2030)
    days = public_holidays("2031-01-01", "2031-12-31", "SE")
    assert days[:2] == (dt.date(2031, 1, 1), dt.date(2031, 1, 6)) and len(days) == 13
    table = special_days("2031-01-01", "2031-12-31", "SE")
    assert days == tuple(table.loc[table["kind"] == "holiday", "date"])
    assert sum(d.weekday() == 6 for d in days) <= 3  # Easter and Whit Sunday, maybe one more; not every Sunday


def test_a_date_outside_what_the_calendar_knows_is_refused_not_left_without_holidays():
    first, last = holiday_coverage("SE")
    assert first <= 1953 and last >= 2100
    with pytest.raises(WfmInputError, match=rf"covers the years {first}-{last}; the dates {last + 1}-01-01") as err:
        special_days(f"{last + 1}-01-01", f"{last + 1}-12-31", "SE")
    assert err.value.parameter == "country"
    with pytest.raises(WfmInputError, match="reach outside them"):
        public_holidays(f"{first - 1}-12-01", f"{first}-01-31", "SE")
    # the margin year a computation looks at beyond the last covered date is not the caller's problem
    assert len(special_days(f"{last}-12-01", f"{last}-12-31", "SE")) >= 2
