"""Frames for charts of a schedule result (pure functions, used by the app's Schedule page)."""

from __future__ import annotations

import os
import tempfile

import pandas as pd

from optimiser.scheduling.io import write_schedule_csv


def coverage_by_interval(result) -> pd.DataFrame:
    """Required and allocated agents per interval, summed over queues.

    Returns
    -------
    DataFrame
        ``interval_start``, ``agents_required``, ``agents_allocated``, ``shortfall`` [agents].
    """
    cov = result.coverage
    cols = [c for c in ("agents_required", "agents_allocated", "shortfall") if c in cov.columns]
    return cov.groupby("interval_start", as_index=False)[cols].sum().sort_values("interval_start", ignore_index=True)


def shift_timeline(shifts: pd.DataFrame, *, limit: int = 60) -> pd.DataFrame:
    """The ``limit`` most staffed distinct shifts, labelled for a Gantt chart.

    Returns
    -------
    DataFrame
        The shift columns plus ``label`` (e.g. ``"sv_all Mon 07:00-16:00 x12"``),
        sorted by start; ``start``/``end`` converted to naive local time for plotting.
    """
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    top = shifts.sort_values("count", ascending=False).head(limit).sort_values(["start", "skill_group"]).copy()
    top["label"] = [
        f"{g} {s:%a %H:%M}-{e:%H:%M} x{int(c)}"
        for g, s, e, c in zip(top["skill_group"], top["start"], top["end"], top["count"])
    ]
    top["start"] = top["start"].map(lambda ts: ts.tz_localize(None))
    top["end"] = top["end"].map(lambda ts: ts.tz_localize(None))
    return top.reset_index(drop=True)


def schedule_csv_text(shifts: pd.DataFrame) -> str:
    """The schedule CSV (the ``wfm schedule`` output contract) as text, for a download button."""
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    try:
        write_schedule_csv(shifts, path)
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    finally:
        os.unlink(path)


def coarsen_rules_text(rules_yaml: str, *, start_every_minutes: int = 60, lengths: int = 3) -> str:
    """A coarser copy of a rules file: shift starts on the hour and ``lengths`` shift lengths per template.

    The same rule families on a much smaller model, for quick looks (and for tests and benchmarks that
    must finish fast). Start windows are rounded down to the hour.
    """
    import yaml

    if lengths < 1:
        raise ValueError(f"lengths must be >= 1, got {lengths}")
    rules = yaml.safe_load(rules_yaml)
    for template in rules["shift_templates"].values():
        template["start_every_minutes"] = start_every_minutes
        template["start_from"] = template["start_from"][:3] + "00"
        template["start_to"] = template["start_to"][:3] + "00"
        all_lengths = template["lengths_hours"]
        picks = sorted({round(i * (len(all_lengths) - 1) / max(lengths - 1, 1)) for i in range(lengths)})
        template["lengths_hours"] = [all_lengths[i] for i in picks]
    return yaml.safe_dump(rules, sort_keys=False)
