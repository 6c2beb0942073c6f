"""The agent list, the agents' unavailability and their preferences, read strictly.

The agent list (CSV or single-sheet XLSX) has the columns of ``data/demo_agents.csv``
(:data:`AGENT_COLUMNS`, and optionally :data:`OPTIONAL_AGENT_COLUMNS`: ``hire_date``
``YYYY-MM-DD`` and ``fte``, the FTE share in (0, 1], which the capacity plan needs); the unavailability file ``agent_id, start, end, reason`` with ISO-8601
timestamps carrying a UTC offset (``end`` exclusive); the preferences file ``agent_id, kind, day,
template, weight``.  As with the history importer, the whole file is checked and every problem is
reported at once in a :class:`~wfm.ground.errors.WfmInputError` whose messages name the file, the
row (1 = header, so the first agent is row 2), the column, the rule and the value.  Nothing is
dropped or altered silently.  Each reader takes a path or an open file (e.g. an upload).

Legal limits checked (Swedish Working Hours Act, Arbetstidslag 1982:673):
``contract_hours_per_week`` may not exceed 40 h (5 §, ordinary working time,
which may be averaged over up to four weeks) and ``max_hours_per_week`` may
not exceed 48 h (10 b §, total working time including overtime, as an
average; the EU Working Time Directive 2003/88/EC art. 6 has the same 48 h).
Both figures come from the rule set, so a collective agreement can change
them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from optimiser.roster.agents import CONTRACTS, DEFAULT_SKILL_GROUPS, KNOWN_LANGUAGES, QUEUE_LANGUAGE
from optimiser.roster.rules import RuleSet, packaged_ruleset
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ, WEEKDAYS
from wfm.io.common import FileLike, bounded_table_file, restore_frame, source_name

__all__ = [
    "AGENT_COLUMNS",
    "OPTIONAL_AGENT_COLUMNS",
    "PREFERENCE_COLUMNS",
    "PREFERENCE_KINDS",
    "UNAVAILABILITY_COLUMNS",
    "read_agents",
    "read_preferences",
    "read_unavailability",
]

AGENT_COLUMNS: tuple[str, ...] = (
    "agent_id", "name", "site", "skill_group", "skills", "languages", "contract",
    "contract_hours_per_week", "min_hours_per_week", "max_hours_per_week", "nights_allowed",
    "fixed_days_off",
)
#: Columns an agent list may add (for the capacity plan): the hire date and the FTE share.
OPTIONAL_AGENT_COLUMNS: tuple[str, ...] = ("hire_date", "fte")
UNAVAILABILITY_COLUMNS: tuple[str, ...] = ("agent_id", "start", "end", "reason")
PREFERENCE_COLUMNS: tuple[str, ...] = ("agent_id", "kind", "day", "template", "weight")
PREFERENCE_KINDS: tuple[str, ...] = ("wanted", "unwanted")
HOUR_COLUMNS: tuple[str, ...] = ("contract_hours_per_week", "min_hours_per_week", "max_hours_per_week")
_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_EXCEL = (".xlsx", ".xlsm")
_CSV = (".csv", ".txt", ".gz")


def _suffix(source, label: str) -> str:
    suffix = Path(label).suffix.lower()
    if isinstance(source, (str, Path)) or suffix in _EXCEL + _CSV:
        return suffix
    return ".csv"  # an open file without a telling name is read as CSV


def _read_table(source: FileLike, what: str) -> tuple[pd.DataFrame, str]:
    """All cells of a CSV or single-sheet XLSX as text, and how messages name the file."""
    label = source_name(source, what)
    if isinstance(source, (str, Path)) and not Path(source).exists():
        raise WfmInputError(f"{label}: {what} file not found")
    suffix = _suffix(source, label)
    handle = bounded_table_file(source, label)  # size limits; gzip decompressed in bounded chunks
    try:
        if suffix in _EXCEL:
            sheets = pd.read_excel(handle, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
            if len(sheets) != 1:
                raise WfmInputError(f"{label}: the workbook must have exactly one sheet with the {what}, "
                                    f"found {len(sheets)}: {', '.join(sheets)}")
            df = next(iter(sheets.values()))
        elif suffix in _CSV:
            df = pd.read_csv(handle, dtype=str, keep_default_na=False, skipinitialspace=False)
        else:
            raise WfmInputError(f"{label}: {what} must be a .csv or .xlsx file, got suffix {suffix!r}")
    except WfmInputError:
        raise
    except Exception as exc:  # noqa: BLE001 -- any unreadable file is bad input
        raise WfmInputError(f"{label}: cannot read the {what} ({type(exc).__name__}: {exc})") from exc
    df.columns = [str(c).strip() for c in df.columns]
    return (restore_frame(df.astype(str)) if len(df.columns) else df), label


def _check_columns(df: pd.DataFrame, columns: tuple[str, ...], label: str, optional: tuple[str, ...] = ()) -> None:
    missing = [c for c in columns if c not in df.columns]
    extra = [c for c in df.columns if c not in columns + optional]
    problems = []
    if missing:
        problems.append(f"{label}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    if extra:
        problems.append(f"{label}: unknown column(s) {', '.join(map(repr, extra))}; expected {', '.join(columns)}")
    if problems:
        raise WfmInputError(problems[0] if len(problems) == 1 else f"{label}: {len(problems)} problems", problems)


def _number(text: str):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def _raise_all(errors: list[str], label: str, what: str) -> None:
    if errors:
        raise WfmInputError(errors[0] if len(errors) == 1 else
                            f"{label}: {len(errors)} problems in the {what}; first: {errors[0]}", errors)


def _listed(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(";") if s.strip())


# --- the agent list, one check per group of columns ----------------------------------------------

Err = Callable[[str, str], None]


def _check_identity(rec: dict, i: int, seen: dict, err: Err) -> None:
    aid = rec["agent_id"]
    if not aid:
        err("agent_id", "must not be empty")
    elif aid in seen:
        err("agent_id", f"must be unique, {aid!r} already on row {seen[aid] + 2}")
    else:
        seen[aid] = i
    for column in ("name", "site"):
        if not rec[column]:
            err(column, "must not be empty")


def _check_skills(rec: dict, groups: dict, queues: list, err: Err) -> tuple[tuple, tuple]:
    group = rec["skill_group"]
    if group not in groups:
        err("skill_group", f"unknown skill group {group!r}; known: {', '.join(groups)}")
    skills = _listed(rec["skills"])
    if not skills:
        err("skills", "must list at least one queue (';'-separated)")
    for s in skills:
        if s not in queues:
            err("skills", f"unknown skill (queue) {s!r}; known queues: {', '.join(queues)}")
    if group in groups and skills and not set(groups[group]) <= set(skills):
        err("skills", f"must include every queue of skill group {group!r} "
                      f"({';'.join(groups[group])}), got {rec['skills']!r}")
    langs = _listed(rec["languages"])
    if not langs:
        err("languages", "must list at least one language (';'-separated)")
    for lang in langs:
        if lang not in KNOWN_LANGUAGES:
            err("languages", f"unknown language {lang!r}; known: {', '.join(KNOWN_LANGUAGES)}")
    for s in skills:
        need = QUEUE_LANGUAGE.get(s)
        if need and langs and need not in langs:
            err("languages", f"skill {s!r} needs language {need!r}, got {rec['languages']!r}")
    return skills, langs


def _check_hours(rec: dict, rules: RuleSet, err: Err) -> dict:
    if rec["contract"] not in CONTRACTS:
        err("contract", f"must be one of {', '.join(CONTRACTS)}, got {rec['contract']!r}")
    hours = {}
    for column in HOUR_COLUMNS:
        value = _number(rec[column])
        if value is None or value < 0:
            err(column, f"must be a number of hours >= 0, got {rec[column]!r}")
        hours[column] = value
    c, lo, hi = (hours[k] for k in HOUR_COLUMNS)
    if c is not None and c > rules.max_ordinary_hours_per_week:
        err("contract_hours_per_week",
            f"above the legal maximum of ordinary working time ({rules.max_ordinary_hours_per_week:g} h/week, "
            f"Arbetstidslagen 5 §), got {c:g}")
    if hi is not None and hi > rules.max_total_hours_per_week:
        err("max_hours_per_week",
            f"above the legal maximum of total working time ({rules.max_total_hours_per_week:g} h/week "
            f"incl. overtime, Arbetstidslagen 10 b §), got {hi:g}")
    if None not in (c, lo, hi) and not lo <= c <= hi:
        err("contract_hours_per_week",
            f"must satisfy min_hours_per_week <= contract_hours_per_week <= max_hours_per_week, "
            f"got {lo:g} <= {c:g} <= {hi:g}")
    return hours


def _check_days(rec: dict, err: Err) -> tuple[bool, tuple]:
    night = _BOOL.get(rec["nights_allowed"].lower())
    if night is None:
        err("nights_allowed", f"must be true or false, got {rec['nights_allowed']!r}")
    days = _listed(rec["fixed_days_off"])
    for d in days:
        if d not in WEEKDAYS:
            err("fixed_days_off", f"must be weekday names {'/'.join(WEEKDAYS)}, got {d!r}")
    if len(set(days)) != len(days):
        err("fixed_days_off", f"lists a day twice: {rec['fixed_days_off']!r}")
    return bool(night), days


def _check_optional(rec: dict, optional: list[str], err: Err) -> dict:
    """``hire_date`` (a date) and ``fte`` (a share in (0, 1]) when the file has them."""
    out = {}
    if "hire_date" in optional:
        try:
            out["hire_date"] = dt.date.fromisoformat(rec["hire_date"])
        except ValueError:
            err("hire_date", f"must be a date YYYY-MM-DD, got {rec['hire_date']!r}")
            out["hire_date"] = None
    if "fte" in optional:
        value = _number(rec["fte"])
        if value is None or not 0 < value <= 1:
            err("fte", f"must be an FTE share in (0, 1] (1 = full time), got {rec['fte']!r}")
        out["fte"] = value
    return out


def read_agents(source: FileLike, *, skill_groups: dict[str, tuple[str, ...]] | None = None,
                ruleset: RuleSet | None = None) -> pd.DataFrame:
    """Read and validate an agent list (CSV or single-sheet XLSX).

    Parameters
    ----------
    source : path-like or file object
        The agent list with the columns :data:`AGENT_COLUMNS` and any of
        :data:`OPTIONAL_AGENT_COLUMNS`.
    skill_groups : dict, optional
        Skill group -> queues; default :data:`optimiser.roster.agents.DEFAULT_SKILL_GROUPS`.
    ruleset : RuleSet, optional
        Gives the legal maxima (``max_ordinary_hours_per_week`` [h/week],
        ``max_total_hours_per_week`` [h/week]); default the ``sweden`` set.

    Returns
    -------
    pandas.DataFrame
        One row per agent, columns :data:`AGENT_COLUMNS` (then the optional
        columns the file has) with ``skills``/``languages``/``fixed_days_off``
        as tuples of str, the hour columns float64 [h/week], ``nights_allowed``
        bool, ``hire_date`` a ``datetime.date`` and ``fte`` float64, in file order.

    Raises
    ------
    WfmInputError
        Every broken rule, one message each (``errors``), naming file, row,
        column, rule and value.
    """
    groups = {k: tuple(v) for k, v in (skill_groups or DEFAULT_SKILL_GROUPS).items()}
    queues = sorted({q for qs in groups.values() for q in qs})
    rules = ruleset or packaged_ruleset("sweden")
    df, label = _read_table(source, "agent list")
    _check_columns(df, AGENT_COLUMNS, label, OPTIONAL_AGENT_COLUMNS)
    optional = [c for c in OPTIONAL_AGENT_COLUMNS if c in df.columns]
    if df.empty:
        raise WfmInputError(f"{label}: the agent list has no agents")
    errors: list[str] = []
    seen: dict[str, int] = {}
    rows = []
    for i, rec in enumerate(df.to_dict("records")):
        rec = {k: str(v).strip() for k, v in rec.items()}

        def err(column: str, text: str, i=i) -> None:
            errors.append(f"{label}: row {i + 2}, column {column}: {text}")

        _check_identity(rec, i, seen, err)
        skills, langs = _check_skills(rec, groups, queues, err)
        hours = _check_hours(rec, rules, err)
        night, days = _check_days(rec, err)
        rows.append({**rec, "skills": skills, "languages": langs, "nights_allowed": night, "fixed_days_off": days,
                     **hours, **_check_optional(rec, optional, err)})
    _raise_all(errors, label, "agent list")
    agents = pd.DataFrame(rows, columns=list(AGENT_COLUMNS) + optional)
    for column in HOUR_COLUMNS + (("fte",) if "fte" in optional else ()):
        agents[column] = agents[column].astype("float64")
    agents["nights_allowed"] = agents["nights_allowed"].astype(bool)
    agents.attrs["source"] = label
    agents.attrs["skill_groups"] = groups
    return agents


# --- unavailability ---------------------------------------------------------------------------

def _stamps(rec: dict, i: int, label: str, tz: str, errors: list) -> dict | None:
    stamps = {}
    for column in ("start", "end"):
        try:
            ts = pd.Timestamp(rec[column])
            if ts is pd.NaT or pd.isna(ts):
                raise ValueError
        except (ValueError, TypeError, OverflowError):
            errors.append(f"{label}: row {i + 2}, column {column}: must be an ISO-8601 timestamp with UTC "
                          f"offset, got {rec[column]!r}")
            return None
        if ts.tzinfo is None:
            errors.append(f"{label}: row {i + 2}, column {column}: must carry a UTC offset "
                          f"(e.g. 2025-01-06T08:00:00+01:00), got {rec[column]!r}")
            return None
        stamps[column] = ts.tz_convert(tz)
    return stamps


def _overlaps(rows: list, label: str) -> list[str]:
    errors = []
    by_agent: dict[str, list] = {}
    for row in rows:
        by_agent.setdefault(row[1], []).append(row)
    for aid, items in by_agent.items():
        items.sort(key=lambda r: r[2])
        for a, b in zip(items, items[1:]):
            if b[2] < a[3]:
                errors.append(f"{label}: row {b[0] + 2}: unavailability of agent {aid!r} overlaps row {a[0] + 2} "
                              f"({a[2].isoformat()} .. {a[3].isoformat()} and {b[2].isoformat()} .. "
                              f"{b[3].isoformat()}); intervals of one agent must not overlap")
    return errors


def read_unavailability(source: FileLike, agents: pd.DataFrame | None = None, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Read and validate the unavailability file (leave, training, part-time patterns).

    Parameters
    ----------
    source : path-like or file object
        CSV or XLSX with columns ``agent_id, start, end, reason``; ``start``
        and ``end`` ISO-8601 with a UTC offset, ``end`` exclusive.
    agents : pandas.DataFrame, optional
        From :func:`read_agents`; when given, every ``agent_id`` must be in it.
    tz : str
        IANA zone the timestamps are converted to.

    Returns
    -------
    pandas.DataFrame
        ``agent_id`` (str), ``start``/``end`` (tz-aware), ``reason`` (str),
        sorted by agent and start.

    Raises
    ------
    WfmInputError
        Unparseable or offset-less timestamps, ``end <= start``, unknown
        agents, empty reasons and intervals of one agent that overlap.
    """
    df, label = _read_table(source, "unavailability")
    _check_columns(df, UNAVAILABILITY_COLUMNS, label)
    errors: list[str] = []
    known = set(agents["agent_id"]) if agents is not None else None
    rows = []
    for i, rec in enumerate(df.to_dict("records")):
        rec = {k: str(v).strip() for k, v in rec.items()}
        ok = True
        if not rec["agent_id"]:
            errors.append(f"{label}: row {i + 2}, column agent_id: must not be empty")
            ok = False
        elif known is not None and rec["agent_id"] not in known:
            errors.append(f"{label}: row {i + 2}, column agent_id: unknown agent {rec['agent_id']!r} "
                          f"(not in the agent list)")
        if not rec["reason"]:
            errors.append(f"{label}: row {i + 2}, column reason: must not be empty")
        stamps = _stamps(rec, i, label, tz, errors)
        if stamps is not None and stamps["end"] <= stamps["start"]:
            errors.append(f"{label}: row {i + 2}: end must be after start, got {rec['start']} .. {rec['end']}")
            stamps = None
        if ok and stamps is not None:
            rows.append((i, rec["agent_id"], stamps["start"], stamps["end"], rec["reason"]))
    errors += _overlaps(rows, label)
    _raise_all(errors, label, "unavailability file")
    out = pd.DataFrame({
        "agent_id": pd.Series([r[1] for r in rows], dtype=str),
        "start": pd.Series([r[2] for r in rows], dtype=f"datetime64[ns, {tz}]"),
        "end": pd.Series([r[3] for r in rows], dtype=f"datetime64[ns, {tz}]"),
        "reason": pd.Series([r[4] for r in rows], dtype=str),
    })
    return out.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


def read_preferences(source: FileLike, agents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read the soft preferences file.

    Columns ``agent_id, kind, day, template, weight``: ``kind`` is
    ``wanted`` or ``unwanted``; ``day`` an ISO date (``2026-02-06``), a
    weekday name (``Fri``) or empty (any day); ``template`` a schedule
    template name (``night``) or empty (any shift); ``weight`` a number >= 0
    (multiplied by the rule set's ``penalties.preference_weight``).

    Raises
    ------
    WfmInputError
        Unknown agent, kind, day or a bad weight, with file, row and column.
    """
    df, label = _read_table(source, "preferences")
    _check_columns(df, PREFERENCE_COLUMNS, label)
    known = set(agents["agent_id"]) if agents is not None else None
    errors, rows = [], []
    for i, rec in enumerate(df.to_dict("records")):
        rec = {k: str(v).strip() for k, v in rec.items()}
        if not rec["agent_id"] or (known is not None and rec["agent_id"] not in known):
            errors.append(f"{label}: row {i + 2}, column agent_id: unknown agent {rec['agent_id']!r}")
        if rec["kind"] not in PREFERENCE_KINDS:
            errors.append(f"{label}: row {i + 2}, column kind: must be wanted or unwanted, got {rec['kind']!r}")
        if rec["day"] and rec["day"] not in WEEKDAYS:
            try:
                dt.date.fromisoformat(rec["day"])
            except ValueError:
                errors.append(f"{label}: row {i + 2}, column day: must be YYYY-MM-DD, a weekday Mon..Sun or empty, "
                              f"got {rec['day']!r}")
        w = _number(rec["weight"]) if rec["weight"] else 1.0
        if w is None or w < 0:
            errors.append(f"{label}: row {i + 2}, column weight: must be a number >= 0, got {rec['weight']!r}")
        rows.append({**rec, "weight": w})
    _raise_all(errors, label, "preferences")
    return pd.DataFrame(rows, columns=list(PREFERENCE_COLUMNS))
