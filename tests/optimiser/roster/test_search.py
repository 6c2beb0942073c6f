"""The local search (optimiser.roster.search): each move on a tiny instance built so that
the greedy construction gets it wrong, the objective is the MIP's, and the honest status."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.optimiser.roster.roster_builders import make_agent, make_shift

from dataclasses import replace

from optimiser.roster import check_roster, solve_roster
from optimiser.roster.model import build_model, greedy_start, prepare_model
from optimiser.roster.search import local_search, roster_objective


def _week(problem):
    """As solve_roster does: a horizon shorter than a week still has a week's contract hours."""
    return replace(problem, period_weeks=1.0)


def _holders(pairs, sid):
    return sorted(a for a, s in pairs if s == sid)


def test_ejection_chain_fills_a_slot_the_greedy_left_open(build):
    # Both agents may take the 06:00 reports shift; only A (bilingual) the 08:00 English one. In time order
    # the greedy gives 06:00 to A (first of two equals), so 08:00 stays open; A must hand 06:00 to B.
    agents = [make_agent("A", "bilingual"), make_agent("B", "sv_reports")]
    shifts = [make_shift("early", "2026-02-02 06:00"), make_shift("en", "2026-02-02 08:00", group="bilingual")]
    problem = build(agents, shifts)
    m = prepare_model(_week(problem))
    greedy = greedy_start(m)
    assert ("A", "early") in greedy and not any(s == "en" for _a, s in greedy)
    res = local_search(m, 10.0)
    assert _holders(res.assignment, "early") == ["B"] and _holders(res.assignment, "en") == ["A"]
    assert res.unfilled == {} and res.moves["eject"] == 1
    assert res.objective < res.greedy_objective
    # the open slot cost 1000 per paid hour (7.5 h), and B was short of the day's share of the contract
    # (40 h x 1/7 day, 20 per hour); A works 7.5 h either way
    assert res.greedy_objective - res.objective == pytest.approx(7500.0 + 20.0 * 40.0 / 7.0)


def test_transfer_gives_a_wanted_shift_to_the_agent_who_wants_it(build):
    agents = [make_agent("A", contract=8), make_agent("B", contract=8)]
    prefs = pd.DataFrame([{"agent_id": "B", "kind": "wanted", "day": "Mon", "template": "", "weight": 1.0}])
    m = prepare_model(_week(build(agents, [make_shift("mon", "2026-02-02 08:00")], preferences=prefs)))
    assert set(greedy_start(m)) == {("A", "mon")}
    res = local_search(m, 10.0)
    assert res.assignment == {("B", "mon")} and res.moves["transfer"] == 1
    assert res.objective == pytest.approx(res.greedy_objective - 10.0)


def test_transfer_evens_out_night_shifts(build):
    # From a start where A has both nights: moving one to B costs A the hours B gains (net 0 shortfall,
    # both have the same contract) and brings the nights spread from 2 to 0 (5 per unit).
    agents = [make_agent("A", contract=16), make_agent("B", contract=16)]
    shifts = [make_shift("d0", "2026-02-02 08:00"), make_shift("n1", "2026-02-03 22:00", template="night"),
              make_shift("n2", "2026-02-05 22:00", template="night")]
    m = prepare_model(_week(build(agents, shifts, max_consecutive_days=None)))
    res = local_search(m, 10.0, start={("B", "d0"): 1, ("A", "n1"): 1, ("A", "n2"): 1})
    nights = [a for a, s in res.assignment if s in ("n1", "n2")]
    assert sorted(nights) == ["A", "B"] and res.moves["transfer"] == 1
    assert res.objective == pytest.approx(res.greedy_objective - 10.0)


def test_objective_is_the_mips_term_by_term(build):
    agents = [make_agent("A", contract=16, min_h=8), make_agent("B", contract=8, nights=False),
              make_agent("C", "sv_all", contract=24)]
    shifts = [make_shift(f"s{k}", f"2026-02-0{2 + k} {h}", template="night" if h == "22:00" else "day", count=c)
              for k, (h, c) in enumerate([("08:00", 2), ("22:00", 1), ("14:00", 2), ("08:00", 1), ("22:00", 2)])]
    prefs = pd.DataFrame([{"agent_id": "C", "kind": "unwanted", "day": "Wed", "template": "", "weight": 1.0}])
    problem = build(agents, shifts, preferences=prefs)
    res = solve_roster(problem, decompose="none", method="mip")
    pairs = set(zip(res.assignments["agent_id"], res.assignments["shift_id"]))
    assert roster_objective(build_model(problem), pairs) == pytest.approx(res.objective)
    assert roster_objective(prepare_model(problem), pairs) == pytest.approx(res.objective)


def test_local_search_result_is_reported_as_feasible_without_a_bound(build):
    agents = [make_agent("A"), make_agent("B")]
    shifts = [make_shift(f"d{k}", f"2026-02-0{2 + k} 08:00", count=2) for k in range(5)]
    res = solve_roster(build(agents, shifts), method="local_search")
    assert res.status == "Feasible" and res.solver == "local_search"
    assert res.best_bound is None and res.gap is None
    assert "no bound" in res.message and "local_search" in res.message
    assert res.violations == [] and len(res.assignments) == 10


def test_auto_method_switches_to_local_search_above_the_threshold_and_says_why(build):
    agents = [make_agent("A"), make_agent("B")]
    shifts = [make_shift(f"d{k}", pd.Timestamp("2026-02-02 08:00") + pd.Timedelta(days=k)) for k in range(14)]
    big = solve_roster(build(agents, shifts), mip_max_pairs=10, max_variables=10)
    assert big.solver == "local_search" and "28 agent-shift pairs > mip_max_pairs=10" in big.message
    assert not big.decomposed  # the search is lean: no decomposition needed
    small = solve_roster(build(agents, shifts), decompose="none")
    assert small.solver == "highs" and "<= mip_max_pairs" in small.message
    assert big.violations == [] and check_roster(big.assignments, pd.DataFrame(agents), None,
                                                  build(agents, shifts).ruleset) == []


def test_mip_keeps_the_local_search_roster_when_it_finds_nothing_better(build):
    # one agent, one shift: the local search is already optimal; the MIP proves it
    res = solve_roster(build([make_agent("A")], [make_shift("a", "2026-02-02 08:00")]), method="mip")
    assert res.status == "Optimal" and len(res.assignments) == 1


def test_unknown_method_is_refused(build):
    from wfm.ground.errors import WfmInputError

    with pytest.raises(WfmInputError, match="method must be one of auto, mip, local_search, got 'tabu'"):
        solve_roster(build([make_agent("A")], [make_shift("a", "2026-02-02 08:00")]), method="tabu")


def test_ejection_hands_the_given_up_shift_to_the_agent_furthest_below_contract(build):
    # As above, but two agents may take over A's 06:00 shift: B (contract 40 h) and C (contract 20 h).
    # B is further below the day's share of the contract, so the ejection gives 06:00 to B, not C.
    agents = [make_agent("A", "bilingual"), make_agent("C", "sv_reports", contract=20.0),
              make_agent("B", "sv_reports")]
    shifts = [make_shift("early", "2026-02-02 06:00"), make_shift("en", "2026-02-02 08:00", group="bilingual")]
    m = prepare_model(_week(build(agents, shifts)))
    res = local_search(m, 10.0, start={("A", "early"): 1})
    assert _holders(res.assignment, "en") == ["A"] and _holders(res.assignment, "early") == ["B"]
    # the ejection itself chose B: no later transfer was needed to fix the choice
    assert res.unfilled == {} and res.moves["eject"] == 1 and res.moves["transfer"] == 0
