"""Capacity settings to and from plain mappings (what the settings file and the app's editors hold).

The file format itself (YAML, safe and bounded) lives in :mod:`wfm.io.capacity`; this module
turns its mapping into :class:`~optimiser.capacity.spec.CapacitySettings` and back, refusing
unknown keys and naming every parameter by its path (``hiring.types[1].max_class``).  The layout
is documented in ``docs/capacity.md``; ``data/demo_capacity.yaml`` is an example.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import pandas as pd

from optimiser.capacity.spec import (
    SHRINKAGE_CATEGORIES,
    WORKING_DAYS_PER_MONTH,
    AttritionBand,
    CapacitySettings,
    HiringLimits,
    HiringPlan,
    HiringType,
    MonthWhatIf,
    Overtime,
    PlanHorizon,
    PlannedClass,
    ShrinkageProfile,
    Transfer,
    Workforce,
)
from optimiser.staffing.requirement import AccessibilityTargets
from wfm.ground.errors import WfmInputError

__all__ = [
    "PLAN_COLUMNS",
    "SETTINGS_SECTIONS",
    "plan_from_frame",
    "plan_to_frame",
    "settings_from_mapping",
    "settings_to_mapping",
]

#: Top-level sections of the settings mapping.
SETTINGS_SECTIONS: tuple[str, ...] = (
    "plan", "targets", "workforce", "shrinkage", "attrition", "hiring", "overtime", "transfers", "what_ifs",
    "default_aht_seconds",
)
#: Columns of a hiring plan table (file or frame).
PLAN_COLUMNS: tuple[str, ...] = ("class_type", "start", "hires")

_PLAN_KEYS = ("start", "months", "interval_minutes", "tz", "target_from")
_TARGET_KEYS = ("answer_within_seconds", "target_service_level", "max_abandon_rate", "max_occupancy",
                "max_asa_seconds", "patience_seconds")
_WORKFORCE_KEYS = ("hours_per_fte_week", "scheduling_efficiency", "salary_per_fte_month")
_BAND_KEYS = ("from_months", "to_months", "annual_rate")
_HIRING_KEYS = ("lead_weeks", "training_seats", "budget", "max_hires_total", "types")
_TYPE_KEYS = ("name", "training_weeks", "ramp", "min_class", "max_class", "cost_per_hire", "fte",
              "fixed_term_months", "starts")
_OVERTIME_KEYS = ("max_hours_per_fte_month", "cost_per_hour")
_TRANSFER_KEYS = ("month", "fte", "note")
_WHATIF_KEYS = ("month", "volume_change_pct", "share_moved_to_eservice", "aht_change_pct")


def _mapping(value, path: str, keys: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise WfmInputError(f"{path} must be a mapping of {', '.join(keys)}, got {type(value).__name__}",
                            parameter=path)
    unknown = [str(k) for k in value if k not in keys]
    if unknown:
        raise WfmInputError(f"{path}: unknown key(s) {', '.join(map(repr, unknown))}; expected {', '.join(keys)}",
                            parameter=f"{path}.{unknown[0]}" if path else unknown[0])
    missing = [k for k in required if value.get(k) is None]
    if missing:
        raise WfmInputError(f"{path}: missing {', '.join(missing)}", parameter=f"{path}.{missing[0]}" if path else missing[0])
    return dict(value)


def _list(value, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise WfmInputError(f"{path} must be a list, got {type(value).__name__}", parameter=path)
    return list(value)


def _plain(value) -> Any:
    """YAML dates and numbers as the spec takes them (dates stay dates; text stays text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _horizon(raw) -> PlanHorizon:
    p = _mapping(raw, "plan", _PLAN_KEYS, ("start",))
    kwargs = {k: _plain(p[k]) for k in _PLAN_KEYS if p.get(k) is not None}
    return PlanHorizon(**kwargs)


def _targets(raw) -> AccessibilityTargets:
    t = _mapping(raw, "targets", _TARGET_KEYS, ("answer_within_seconds", "target_service_level"))
    try:
        return AccessibilityTargets(**{k: t.get(k) for k in _TARGET_KEYS})
    except WfmInputError as exc:
        first = str(exc).split(" ")[0]
        name = first if first in _TARGET_KEYS else None
        text = f"targets.{exc}" if name else f"targets: {exc}"
        raise WfmInputError(text, parameter=f"targets.{name}" if name else "targets") from None


def _vacation_days(raw) -> tuple[float, ...]:
    """``shrinkage.vacation_days`` (days off per full-timer in each calendar month) as shares."""
    days = _list(raw, "shrinkage.vacation_days")
    if len(days) != 12:
        raise WfmInputError(f"shrinkage.vacation_days must hold 12 monthly values (January first), got {len(days)}",
                            parameter="shrinkage.vacation_days")
    out = []
    for k, d in enumerate(days):
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 <= d < WORKING_DAYS_PER_MONTH:
            raise WfmInputError(f"shrinkage.vacation_days[{k}] must be a number of days in [0, "
                                f"{WORKING_DAYS_PER_MONTH:g}), got {d!r}", parameter="shrinkage.vacation_days")
        out.append(float(d) / WORKING_DAYS_PER_MONTH)
    return tuple(out)


def _shrinkage(raw) -> ShrinkageProfile:
    s = _mapping(raw, "shrinkage", ("preset", "vacation_days") + SHRINKAGE_CATEGORIES)
    preset = s.pop("preset", None)
    if preset not in (None, "sweden", "none"):
        raise WfmInputError(f"shrinkage.preset must be 'sweden' or 'none', got {preset!r}", parameter="shrinkage.preset")
    if "vacation_days" in s:
        if "vacation" in s:
            raise WfmInputError("shrinkage: give vacation (shares) or vacation_days, not both",
                                parameter="shrinkage.vacation_days")
        s["vacation"] = _vacation_days(s.pop("vacation_days"))
    base = dict(ShrinkageProfile.sweden().shares) if (preset == "sweden" or (preset is None and not s)) else {}
    for name, values in s.items():
        base[name] = tuple(_list(values, f"shrinkage.{name}"))
    return ShrinkageProfile(tuple(base.items()))


def _attrition(raw) -> tuple[AttritionBand, ...]:
    bands = []
    for k, item in enumerate(_list(raw, "attrition")):
        b = _mapping(item, f"attrition[{k}]", _BAND_KEYS, ("from_months", "annual_rate"))
        bands.append(AttritionBand(b["from_months"], b.get("to_months"), b["annual_rate"]))
    return tuple(bands)


def _hiring(raw) -> tuple[HiringLimits, tuple[HiringType, ...]]:
    h = _mapping(raw, "hiring", _HIRING_KEYS, ("types",))
    limits = HiringLimits(**{k: h[k] for k in _HIRING_KEYS[:-1] if h.get(k) is not None})
    types = []
    for k, item in enumerate(_list(h["types"], "hiring.types")):
        t = _mapping(item, f"hiring.types[{k}]", _TYPE_KEYS, ("name",))
        kwargs = {key: t[key] for key in _TYPE_KEYS if t.get(key) is not None}
        if "ramp" in kwargs:
            kwargs["ramp"] = tuple(_list(kwargs["ramp"], f"hiring.types[{k}].ramp"))
        if "starts" in kwargs and not isinstance(kwargs["starts"], str):
            kwargs["starts"] = tuple(_plain(d) for d in _list(kwargs["starts"], f"hiring.types[{k}].starts"))
        types.append(HiringType(**kwargs))
    return limits, tuple(types)


def settings_from_mapping(raw: Mapping) -> CapacitySettings:
    """:class:`CapacitySettings` from the settings mapping (see ``docs/capacity.md``).

    Raises
    ------
    WfmInputError
        An unknown or missing key, or a value that breaks a rule, named by its path.
    """
    top = _mapping(raw, "", SETTINGS_SECTIONS, ("plan", "targets", "attrition", "hiring"))
    limits, types = _hiring(top["hiring"])
    workforce = _mapping(top.get("workforce"), "workforce", _WORKFORCE_KEYS)
    overtime = _mapping(top.get("overtime"), "overtime", _OVERTIME_KEYS)
    transfers = []
    for k, item in enumerate(_list(top.get("transfers"), "transfers")):
        t = _mapping(item, f"transfers[{k}]", _TRANSFER_KEYS, ("month", "fte"))
        transfers.append(Transfer(_plain(t["month"]), t["fte"], str(t.get("note") or "")))
    what_ifs = []
    for k, item in enumerate(_list(top.get("what_ifs"), "what_ifs")):
        w = _mapping(item, f"what_ifs[{k}]", _WHATIF_KEYS, ("month",))
        what_ifs.append(MonthWhatIf(_plain(w["month"]), w.get("volume_change_pct"), w.get("share_moved_to_eservice"),
                                    w.get("aht_change_pct")))
    return CapacitySettings(
        horizon=_horizon(top["plan"]), targets=_targets(top["targets"]), types=types,
        attrition=_attrition(top["attrition"]), shrinkage=_shrinkage(top.get("shrinkage")),
        workforce=Workforce(**{k: v for k, v in workforce.items() if v is not None}), limits=limits,
        overtime=Overtime(**{k: v for k, v in overtime.items() if v is not None}),
        transfers=tuple(transfers), what_ifs=tuple(what_ifs), default_aht_seconds=top.get("default_aht_seconds"))


def _month_text(d: dt.date) -> str:
    return f"{d:%Y-%m}"


def settings_to_mapping(settings: CapacitySettings) -> dict:
    """The settings mapping of ``settings`` (what :func:`settings_from_mapping` reads back)."""
    h, t = settings.horizon, settings.targets
    types = []
    for kind in settings.types:
        entry = {"name": kind.name, "training_weeks": kind.training_weeks, "ramp": list(kind.ramp),
                 "min_class": kind.min_class, "max_class": kind.max_class, "cost_per_hire": kind.cost_per_hire,
                 "fte": kind.fte, "starts": kind.starts if isinstance(kind.starts, str) else [str(d) for d in kind.starts]}
        if kind.fixed_term_months is not None:
            entry["fixed_term_months"] = kind.fixed_term_months
        types.append(entry)
    limits = {k: getattr(settings.limits, k) for k in _HIRING_KEYS[:-1] if getattr(settings.limits, k) is not None}
    return {
        "plan": {"start": _month_text(h.start), "months": h.months, "interval_minutes": h.interval_minutes, "tz": h.tz,
                 **({"target_from": _month_text(h.target_from)} if h.target_from else {})},
        "targets": {k: getattr(t, k) for k in _TARGET_KEYS if getattr(t, k) is not None},
        "workforce": {k: getattr(settings.workforce, k) for k in _WORKFORCE_KEYS},
        "shrinkage": {"preset": "none", **{c: [float(v) for v in vals] for c, vals in settings.shrinkage.shares}},
        "attrition": [{"from_months": b.from_months, **({"to_months": b.to_months} if b.to_months is not None else {}),
                       "annual_rate": b.annual_rate} for b in settings.attrition],
        "hiring": {**limits, "types": types},
        "overtime": {k: getattr(settings.overtime, k) for k in _OVERTIME_KEYS},
        "transfers": [{"month": _month_text(tr.month), "fte": tr.fte, **({"note": tr.note} if tr.note else {})}
                      for tr in settings.transfers],
        "what_ifs": [{"month": _month_text(w.month), **{k: getattr(w, k) for k in _WHATIF_KEYS[1:]
                                                         if getattr(w, k) is not None}} for w in settings.what_ifs],
        **({"default_aht_seconds": settings.default_aht_seconds} if settings.default_aht_seconds is not None else {}),
    }


def plan_from_frame(frame: pd.DataFrame, what: str = "hiring plan") -> HiringPlan:
    """A :class:`HiringPlan` (classes only) from a table with :data:`PLAN_COLUMNS`.

    Raises
    ------
    WfmInputError
        A missing column, a start that is not a date or hires that are not a whole number,
        naming the row (1 = header, so the first class is row 2).
    """
    missing = [c for c in PLAN_COLUMNS if c not in frame.columns]
    if missing:
        raise WfmInputError(f"{what}: missing column(s) {', '.join(missing)}; expected {', '.join(PLAN_COLUMNS)}",
                            parameter="plan")
    classes = []
    for i, row in enumerate(frame.itertuples(index=False)):
        where = f"{what}: row {i + 2}"
        try:
            start = row.start if isinstance(row.start, dt.date) else dt.date.fromisoformat(str(row.start).strip())
        except ValueError:
            raise WfmInputError(f"{where}, column start: must be a date YYYY-MM-DD, got {row.start!r}",
                                parameter="start") from None
        hires = pd.to_numeric(pd.Series([row.hires]), errors="coerce").iloc[0]
        if pd.isna(hires) or float(hires) != int(hires) or hires < 0:
            raise WfmInputError(f"{where}, column hires: must be a whole number >= 0, got {row.hires!r}",
                                parameter="hires")
        classes.append(PlannedClass(str(row.class_type).strip(), start, int(hires)))
    return HiringPlan(tuple(classes))


def plan_to_frame(plan: HiringPlan) -> pd.DataFrame:
    """The classes of ``plan`` as a table with :data:`PLAN_COLUMNS` (start as ``YYYY-MM-DD`` text)."""
    return pd.DataFrame([{"class_type": c.class_type, "start": c.start.isoformat(), "hires": int(c.hires)}
                         for c in plan.classes], columns=list(PLAN_COLUMNS))
