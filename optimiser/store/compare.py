"""Compare two saved plans side by side (the Scenarios page and ``wfm scenarios``).

Two scenarios of the same kind — say the schedule at 500 operators against the
one at 550 — are compared on their totals (agent-hours; cost, predicted service
level and abandonment where the plan's metadata carries them) and day by day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from optimiser.store.repository import diff_frames
from wfm.ground.errors import WfmInputError

#: Metadata keys compared when both plans carry them, in display order.
META_METRICS: tuple[str, ...] = ("agent_hours", "cost", "global_service_level", "abandon_rate", "asa_seconds",
                                 "hard_violations", "unfilled_slots")


@dataclass(frozen=True)
class Comparison:
    """``summary``: one row per metric (``metric``, ``a``, ``b``, ``change`` = b - a);
    ``by_day``: the store's per-day difference; ``agents_changed``: rosters only."""

    label_a: str
    label_b: str
    kind: str
    summary: pd.DataFrame = field(repr=False)
    by_day: pd.DataFrame = field(repr=False)
    agents_changed: pd.DataFrame = field(repr=False)


def compare_versions(a, b) -> Comparison:
    """Compare two loaded :class:`optimiser.store.repository.ScenarioVersion` objects."""
    if a.frame is None or b.frame is None:
        raise WfmInputError("compare_versions needs versions loaded with their frames")
    if a.kind != b.kind:
        raise WfmInputError(f"scenarios must be of the same kind to compare: {a.name!r} is a {a.kind}, "
                            f"{b.name!r} is a {b.kind}")
    diff = diff_frames(a.frame, b.frame, a.kind, name=f"{a.name} vs {b.name}", version_a=a.version,
                       version_b=b.version, meta_a=a.meta, meta_b=b.meta)
    q = diff.quantity
    rows = [{"metric": q, "a": float(diff.by_day[f"{q}_a"].sum()), "b": float(diff.by_day[f"{q}_b"].sum())}]
    for key in META_METRICS:
        if key == q:
            continue
        va, vb = (a.meta or {}).get(key), (b.meta or {}).get(key)
        if isinstance(va, (int, float)) and isinstance(vb, (int, float)):
            rows.append({"metric": key, "a": float(va), "b": float(vb)})
    summary = pd.DataFrame(rows)
    summary["change"] = summary["b"] - summary["a"]
    return Comparison(label_a=f"{a.name} v{a.version}", label_b=f"{b.name} v{b.version}", kind=a.kind,
                      summary=summary, by_day=diff.by_day, agents_changed=diff.agents_changed)


def compare_scenarios(store, name_a: str, name_b: str, version_a: int | None = None,
                      version_b: int | None = None) -> Comparison:
    """Load two scenarios (latest versions by default) from ``store`` and compare them."""
    return compare_versions(store.load(name_a, version_a), store.load(name_b, version_b))
