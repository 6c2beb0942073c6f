"""Working-time rule sets for rostering, as data.

A :class:`RuleSet` is a frozen record of the hard working-time rules and the
soft-rule weights the roster model uses.  The packaged rule set ``sweden``
(``optimiser/roster/rulesets/sweden.yaml``) holds the figures of the Swedish
Working Hours Act [1]_:

=====================================  ======  ===================================
rule                                   value   source
=====================================  ======  ===================================
``min_daily_rest_hours``               11 h    ATL 13 § dygnsvila, every 24 h
``min_weekly_rest_hours``              36 h    ATL 14 § veckovila, every 7 days
``max_work_without_break_hours``       5 h     ATL 15 § rast
``max_ordinary_hours_per_week``        40 h    ATL 5 § (averaged, up to 4 weeks)
``max_total_hours_per_week``           48 h    ATL 10 b § (average incl. overtime)
=====================================  ======  ===================================

plus configurable ones (``max_consecutive_days``, ``max_shifts_per_week``,
``max_hours_per_week``, ``max_nights_per_week``, the night window, the
holiday calendar) and the penalty weights of the soft rules.

A scheduling rules file may carry a ``roster:`` section: ``ruleset: sweden``
(the base, default ``sweden``) and any field to override
(:func:`ruleset_from_section`; the file is read by :mod:`wfm.io.rules`).  The
schedule's :class:`~optimiser.scheduling.spec.Rules` keep that section, so the
roster of a schedule uses the rules the planner chose (:func:`ruleset_from_rules`).

References
----------
.. [1] Arbetstidslag (1982:673), Sveriges riksdag,
   https://www.riksdagen.se/sv/dokument-och-lagar/dokument/svensk-forfattningssamling/arbetstidslag-1982673_sfs-1982-673/
.. [2] Council Directive 2003/88/EC (EU Working Time Directive), art. 3, 5, 6.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from wfm.ground.errors import WfmInputError
from wfm.ground.yamlfile import load_yaml

__all__ = ["Penalties", "RuleSet", "packaged_ruleset", "packaged_rulesets", "ruleset_from_mapping",
           "ruleset_from_rules", "ruleset_from_section"]

_RULESET_DIR = Path(__file__).with_name("rulesets")


@dataclass(frozen=True)
class Penalties:
    """Weights of the soft rules in the roster objective [objective units].

    Attributes
    ----------
    unfilled_slot_per_hour : float
        Cost of one scheduled shift slot left without an agent, per paid hour.
    contract_shortfall_per_hour : float
        Cost per hour an agent is rostered below the (prorated) contract hours.
    fairness_nights, fairness_weekends, fairness_holidays : float
        Cost per unit of spread (max - min count over agents) of night,
        weekend and public-holiday shifts.
    preference_weight : float
        Multiplier of the per-row ``weight`` of the preferences file.
    """

    unfilled_slot_per_hour: float = 1000.0
    contract_shortfall_per_hour: float = 20.0
    fairness_nights: float = 5.0
    fairness_weekends: float = 5.0
    fairness_holidays: float = 5.0
    preference_weight: float = 10.0


@dataclass(frozen=True)
class RuleSet:
    """Hard working-time rules and soft weights (see the module docstring)."""

    name: str = "sweden"
    min_daily_rest_hours: float = 11.0
    min_weekly_rest_hours: float = 36.0
    max_work_without_break_hours: float = 5.0
    max_ordinary_hours_per_week: float = 40.0
    max_total_hours_per_week: float = 48.0
    max_consecutive_days: int | None = 6
    max_shifts_per_week: int | None = None
    max_hours_per_week: float | None = None
    max_nights_per_week: int | None = None
    night_start: dt.time = dt.time(22, 0)
    night_end: dt.time = dt.time(6, 0)
    holiday_country: str | None = "SE"
    weekly_rest_grid_hours: float = 4.0
    penalties: Penalties = field(default_factory=Penalties)

    def __post_init__(self):
        where = f"rule set {self.name!r}"
        for name in ("min_daily_rest_hours", "min_weekly_rest_hours", "max_work_without_break_hours",
                     "max_ordinary_hours_per_week", "max_total_hours_per_week", "weekly_rest_grid_hours"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
                raise WfmInputError(f"{where}: {name} must be a number > 0, got {value!r}")
        if self.min_daily_rest_hours >= 24:
            raise WfmInputError(f"{where}: min_daily_rest_hours must be < 24, got {self.min_daily_rest_hours!r}")
        if self.min_weekly_rest_hours > 24 * 6:
            raise WfmInputError(f"{where}: min_weekly_rest_hours must be <= 144, got {self.min_weekly_rest_hours!r}")
        for name in ("max_consecutive_days", "max_shifts_per_week", "max_nights_per_week"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise WfmInputError(f"{where}: {name} must be a whole number >= 1 or null, got {value!r}")
        if self.max_hours_per_week is not None and (
                not isinstance(self.max_hours_per_week, (int, float)) or not self.max_hours_per_week > 0):
            raise WfmInputError(f"{where}: max_hours_per_week must be a number > 0 or null, "
                                f"got {self.max_hours_per_week!r}")
        for name, value in dataclasses.asdict(self.penalties).items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise WfmInputError(f"{where}: penalties.{name} must be a number >= 0, got {value!r}")

    def is_night(self, start, end) -> bool:
        """True when ``[start, end)`` (local, tz-aware) touches the night window."""
        return _touches_window(start, end, self.night_start, self.night_end)


def _touches_window(start, end, w_start: dt.time, w_end: dt.time) -> bool:
    """Does the local interval ``[start, end)`` overlap a daily window (may wrap midnight)?"""
    day = start.normalize() - dt.timedelta(days=1)
    while day < end:
        ws = day + dt.timedelta(hours=w_start.hour, minutes=w_start.minute)
        we = day + dt.timedelta(hours=w_end.hour, minutes=w_end.minute)
        if we <= ws:
            we += dt.timedelta(days=1)
        if ws < end and start < we:
            return True
        day += dt.timedelta(days=1)
    return False


def packaged_rulesets() -> list[str]:
    """Names of the rule sets shipped with wfm (``sweden``)."""
    return sorted(p.stem for p in _RULESET_DIR.glob("*.yaml"))


def _parse_time(value, where: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads 22:00 as sexagesimal 1320
        value = f"{value // 60:02d}:{value % 60:02d}"
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise WfmInputError(f"{where}: must be a time \"HH:MM\", got {value!r}") from exc


_FIELDS = {f.name for f in dataclasses.fields(RuleSet)}
_PEN_FIELDS = {f.name for f in dataclasses.fields(Penalties)}


def ruleset_from_mapping(data: dict, source: str) -> RuleSet:
    """A :class:`RuleSet` from a mapping of its fields (``penalties`` a mapping too), named ``source``
    in messages; YAML's whole numbers become floats where the field is in hours."""
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise WfmInputError(f"{source}: unknown roster rule(s) {', '.join(unknown)}; "
                            f"known: {', '.join(sorted(_FIELDS))}")
    data = dict(data)
    for key in ("night_start", "night_end"):
        if key in data:
            data[key] = _parse_time(data[key], f"{source}: {key}")
    pen = data.pop("penalties", None) or {}
    if not isinstance(pen, dict):
        raise WfmInputError(f"{source}: penalties must be a mapping, got {pen!r}")
    unknown = sorted(set(pen) - _PEN_FIELDS)
    if unknown:
        raise WfmInputError(f"{source}: unknown penalty(ies) {', '.join(unknown)}; known: {', '.join(sorted(_PEN_FIELDS))}")
    for key in ("min_daily_rest_hours", "min_weekly_rest_hours", "max_work_without_break_hours",
                "max_ordinary_hours_per_week", "max_total_hours_per_week", "weekly_rest_grid_hours"):
        if isinstance(data.get(key), int) and not isinstance(data.get(key), bool):
            data[key] = float(data[key])
    try:
        return RuleSet(**data, penalties=Penalties(**pen))
    except WfmInputError as exc:  # name the file's section rather than the rule set
        prefix = f"rule set {data.get('name', RuleSet.name)!r}: "
        text = str(exc)
        raise WfmInputError(f"{source}: {text[len(prefix):] if text.startswith(prefix) else text}") from None


def _packaged_fields(name: str) -> dict:
    if name not in packaged_rulesets():
        raise WfmInputError(f"unknown rule set {name!r}; packaged: {', '.join(packaged_rulesets())}")
    path = _RULESET_DIR / f"{name}.yaml"
    data = load_yaml(path, name=f"rule set {name!r} ({path.name})", what="rule set") or {}
    if not isinstance(data, dict):
        raise WfmInputError(f"rule set {name!r}: must be a YAML mapping, got {type(data).__name__}")
    return data


def packaged_ruleset(name: str = "sweden", **overrides) -> RuleSet:
    """The packaged rule set ``name`` (:func:`packaged_rulesets`), with ``overrides`` of its fields."""
    return ruleset_from_mapping({**_packaged_fields(name), **overrides}, f"rule set {name!r}")


def ruleset_from_section(section: dict | None, source: str, *, file_name: str | None = None,
                         **overrides) -> RuleSet:
    """The rule set a rules file's ``roster:`` section names: its base (``ruleset:``, default
    ``sweden``) with the section's fields, then ``overrides``, on top.

    ``source`` names the section in messages (``"rules.yaml: roster"``); ``file_name`` is added to
    the base's name when the section overrides something (``sweden+rules.yaml``).
    """
    section = {} if section is None else section
    if not isinstance(section, dict):
        raise WfmInputError(f"{source} must be a mapping, got {section!r}")
    section = dict(section)
    base = section.pop("ruleset", "sweden")
    if base not in packaged_rulesets():
        raise WfmInputError(f"{source}.ruleset must be one of {', '.join(packaged_rulesets())}, got {base!r}")
    base_data = _packaged_fields(base)
    pen = {**(base_data.pop("penalties", None) or {}), **(section.pop("penalties", None) or {})}
    merged = {**base_data, **section, **overrides, "penalties": pen}
    merged.setdefault("name", base)
    if section:
        merged["name"] = f"{base}+{file_name or 'rules'}"
    return ruleset_from_mapping(merged, source)


def ruleset_from_rules(rules) -> RuleSet:
    """The rule set of the roster of a schedule built with ``rules``
    (:class:`~optimiser.scheduling.spec.Rules`): its ``roster`` section, else ``sweden``."""
    return ruleset_from_section(dict(rules.roster), "rules: roster")
