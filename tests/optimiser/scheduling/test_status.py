"""Status paths: proven optimum, time limit, user interrupt, HiGHS missing -> CBC, infeasible."""

import json
from dataclasses import replace
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from optimiser.scheduling import build_problem, solve
from wfm.io.rules import load_rules
from optimiser.scheduling.spec import SolverSettings
from tests.optimiser.scheduling.sched_builders import TZ, day_profile, make_rules, requirement


def _hard_day():
    """One demo-like day on the demo rules (588 shift types x 3 groups): not solvable in 1 s."""
    rules = load_rules("data/demo_rules.yaml")
    idx = pd.date_range(pd.Timestamp("2025-01-07", tz=TZ), periods=96, freq="15min")
    h = idx.hour + idx.minute / 60
    base = np.round(6 + 30 * np.exp(-((h - 11) / 3.5) ** 2) + 12 * np.exp(-((h - 18.5) / 2.5) ** 2))
    frames = [pd.DataFrame({"interval_start": idx, "queue": q, "agents_required": np.round(base * f)})
              for q, f in [("reports", 1.0), ("tips", 0.3), ("switchboard", 0.5), ("english", 0.2)]]
    return rules, pd.concat(frames, ignore_index=True)


def test_time_limit_is_reported_honestly():
    rules, req = _hard_day()
    problem = build_problem(req, rules, solver=SolverSettings("highs", 0.5, 0.0))
    res = solve(problem)
    assert res.hit_time_limit and res.stop_reason == "time_limit"
    assert res.status in ("Feasible", "No solution")
    assert res.status != "Optimal"
    if res.status == "Feasible":
        assert "not optimal" in res.message


def test_progress_callback_and_user_stop_keep_the_best_plan_so_far():
    rules, req = _hard_day()
    problem = build_problem(req, rules, solver=SolverSettings("highs", 30, 0.0))
    seen = []
    res = solve(problem, on_progress=lambda inc, bound, t: seen.append((inc, bound, t)), should_stop=lambda: True)
    assert res.stop_reason == "interrupted"
    assert res.status in ("Feasible", "No solution") and not res.hit_time_limit
    assert seen and all(t >= 0 for _, _, t in seen)
    assert res.progress == tuple(seen)


def test_cbc_gives_the_same_optimum_as_highs():
    rules = make_rules()
    req = requirement(day_profile({(8, 18): 2, (12, 14): 3}))
    h = solve(build_problem(req, rules))
    c = solve(build_problem(req, rules, solver=SolverSettings("cbc", 20, 0.0)))
    assert (h.solver, c.solver) == ("highs", "cbc")
    assert h.status == c.status == "Optimal"
    assert c.objective == pytest.approx(h.objective)
    assert c.best_bound == pytest.approx(c.objective)


SCRIPT = r"""
import sys, json
sys.modules["highspy"] = None          # HiGHS is not installed in this interpreter
from tests.optimiser.scheduling.sched_builders import make_rules, requirement, day_profile
from optimiser.scheduling import build_problem, solve
res = solve(build_problem(requirement(day_profile({(8, 16): 2})), make_rules()))
print(json.dumps({"solver": res.solver, "status": res.status, "message": res.message, "hours": res.agent_hours}))
"""


def test_missing_highs_falls_back_to_cbc_with_a_message():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["solver"] == "cbc" and res["status"] == "Optimal"
    assert "HiGHS (highspy) is not available; fell back to CBC" in res["message"]
    assert res["hours"] == pytest.approx(16)


def test_infeasible_hard_rules_give_explanation_and_partial_plan():
    rules = make_rules(shift_templates={"night": {"start_times": ["22:00"], "lengths_hours": [8],
                                                  "max_agents_per_day": 10}})
    req = requirement(day_profile({(22, 24): 14}) + day_profile({(0, 6): 14}), start="2025-01-05")  # Sun night
    res = solve(build_problem(req, rules), elastic=False)
    assert res.status == "Infeasible" and res.stop_reason == "infeasible"
    assert "best partial plan" in res.message
    assert res.shifts["count"].sum() == 10  # the partial plan is returned
    first = res.shortfalls[0]
    assert first.start.strftime("%a %H:%M") == "Sun 22:00"
    assert "needs 14 agents" in first.describe() and "capped at 10" in first.describe()


def test_time_limit_counts_the_model_build(monkeypatch):
    # solve() hands the solver only what is left of the time limit after the build
    import importlib

    solve_module = importlib.import_module("optimiser.scheduling.solve")

    seen = {}
    real = solve_module.mip.solve_mip

    def spy(model, **kw):
        seen["limit"] = model.problem.solver.time_limit_seconds
        return real(model, **kw)

    monkeypatch.setattr(solve_module.mip, "solve_mip", spy)
    rules = make_rules()
    rules = replace(rules, solver=replace(rules.solver, time_limit_seconds=20))
    solve(build_problem(requirement(day_profile({(8, 16): 2})), rules))
    assert seen["limit"] < 20 - 0.99
