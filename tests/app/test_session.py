"""The session object's fingerprints and the planner-language formatting, without a running app."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from app_pages import fmt
from app_pages.session import (
    Computed, RulesChoice, ScheduleSettings, Session, Stamp, changed_inputs, default_targets, targets_stamp,
    whatifs_stamp,
)
from optimiser.staffing.compose import WhatIfs


def test_a_result_is_stale_exactly_when_one_of_its_inputs_changed():
    s = Session()
    inputs = {"targets": s.targets_stamp(), "whatifs": s.whatifs_stamp(), "rules": s.rules.stamp}
    result = Computed("plan", Stamp("schedule:1", "schedule"), inputs)
    assert changed_inputs(result, inputs) == []
    s.whatifs = WhatIfs(aht_change_pct=10.0)
    now = {**inputs, "whatifs": s.whatifs_stamp()}
    changes = changed_inputs(result, now)
    assert [c.name for c in changes] == ["whatifs"]
    assert changes[0].was.facts == () and changes[0].now.facts == (("aht_change_pct", 10.0),)
    # an input that is gone now (refused upload) counts as a change, as does one the result never had
    assert [c.name for c in changed_inputs(result, {"history": None})] == []
    assert [c.name for c in changed_inputs(result, {"history": Stamp("history:demo", "history")})] == ["history"]


def test_equal_choices_give_equal_stamps_and_different_ones_differ():
    assert targets_stamp(default_targets()) == targets_stamp(default_targets())
    assert whatifs_stamp(WhatIfs()) == whatifs_stamp(WhatIfs())
    assert whatifs_stamp(WhatIfs()).key != whatifs_stamp(WhatIfs(share_moved_to_eservice=0.2)).key
    assert RulesChoice("a: 1").stamp.key != RulesChoice("a: 1", quick_plan=False).stamp.key
    # the headcount matters only for the best-accessibility objective
    assert ScheduleSettings("cost", 500).stamp == ScheduleSettings("cost", 600).stamp
    assert ScheduleSettings("max-sl", 500).stamp != ScheduleSettings("max-sl", 600).stamp


def test_recent_results_are_recalled_by_their_exact_inputs():
    s = Session()
    a = {"x": Stamp("x:1", "x")}
    b = {"x": Stamp("x:2", "x")}
    first = Computed(1, Stamp("r:1", "risk"), a)
    second = Computed(2, Stamp("r:2", "risk"), b)
    s.remember("risk", first)
    s.remember("risk", second)
    assert s.risk is second
    assert s.recall("risk", a) is first and s.recall("risk", b) is second
    assert s.recall("risk", {"x": Stamp("x:3", "x")}) is None
    for i in range(Session.MEMO_SIZE + 2):  # bounded: old ones are forgotten
        s.remember("risk", Computed(i, Stamp(f"r:{i}", "risk"), {"x": Stamp(f"y:{i}", "x")}))
    assert len(s.memo["risk"]) == Session.MEMO_SIZE and s.recall("risk", a) is None


def test_numbers_and_shares_in_swedish_and_english():
    assert fmt.number(1234.5, 1, "en") == "1,234.5"
    assert fmt.number(1234.5, 1, "sv") == "1\u00a0234,5"
    assert fmt.number(-3, 0, "sv") == "\u22123"
    assert fmt.number(-0.2, 0, "en") == "0"  # no "-0"
    assert fmt.percent(0.8, 0, "sv") == "80\u00a0%" and fmt.percent(0.805, 1, "sv") == "80,5\u00a0%"
    assert fmt.percent(0.8, 0, "en") == "80\u00a0%"
    assert fmt.number(float("nan")) == "–" and fmt.percent(None) == "–"
    assert fmt.number(3, 0, "en", sign=True) == "+3"


def test_dates_and_durations_in_swedish_and_english():
    d = dt.date(2026, 1, 5)
    assert fmt.day(d, "sv") == "måndag 5 januari 2026"
    assert fmt.day(d, "en") == "Monday 5 January 2026"
    assert fmt.day(d, "sv", style="short") == "mån 5 jan"
    assert fmt.duration_seconds(180) == "3\u00a0min" and fmt.duration_seconds(20) == "20\u00a0s"
    assert fmt.duration_seconds(5400) == "1\u00a0h 30\u00a0min"


@given(hs.floats(min_value=-1e9, max_value=1e9, allow_nan=False), hs.integers(min_value=0, max_value=3))
def test_swedish_numbers_read_back_to_the_same_value(value, decimals):
    text = fmt.number(value, decimals, "sv")
    back = float(text.replace("\u00a0", "").replace(",", ".").replace("\u2212", "-"))
    assert back == pytest.approx(round(value, decimals), abs=10 ** -decimals)


def test_tables_have_readable_headers_and_rounded_cells():
    import pandas as pd

    frame = pd.DataFrame({"queue": ["reports"], "service_level": [0.81234], "aht_seconds": [301.7],
                          "agents_required": [np.int64(12)]})
    sv = fmt.table(frame, lang="sv")
    assert list(sv.columns) == ["Kö", "Besvarade inom måltid", "Hanteringstid (s)", "Personal som behövs"]
    assert sv.iloc[0].tolist() == ["reports", "81,2\u00a0%", "302", "12"]
