"""Import the agent list and the agents' unavailability, strictly.

The agent list (CSV or XLSX) has the columns of ``data/demo_agents.csv``
(:data:`AGENT_COLUMNS`); the unavailability file ``agent_id, start, end,
reason`` with ISO-8601 timestamps carrying a UTC offset (``end`` exclusive).
As with the history importer, the whole file is checked and every problem is
reported at once in a :class:`~wfm.ground.errors.WfmInputError` whose messages name
the file, the row (1 = header, so the first agent is row 2), the column, the
rule and the value.  Nothing is dropped or altered silently.

Legal limits checked (Swedish Working Hours Act, Arbetstidslag 1982:673):
``contract_hours_per_week`` may not exceed 40 h (5 §, ordinary working time,
which may be averaged over up to four weeks) and ``max_hours_per_week`` may
not exceed 48 h (10 b §, total working time including overtime, as an
average; the EU Working Time Directive 2003/88/EC art. 6 has the same 48 h).
Both figures come from the rule set, so a collective agreement can change
them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from optimiser.roster.rules import RuleSet, load_ruleset
from wfm.ground.errors import WfmInputError

__all__ = [
    "AGENT_COLUMNS",
    "DEFAULT_SKILL_GROUPS",
    "KNOWN_LANGUAGES",
    "QUEUE_LANGUAGE",
    "UNAVAILABILITY_COLUMNS",
    "WEEKDAYS",
    "read_agents",
    "read_preferences",
    "read_unavailability",
]

AGENT_COLUMNS: tuple[str, ...] = (
    "agent_id", "name", "site", "skill_group", "skills", "languages", "contract",
    "contract_hours_per_week", "min_hours_per_week", "max_hours_per_week", "nights_allowed",
    "fixed_days_off",
)
UNAVAILABILITY_COLUMNS: tuple[str, ...] = ("agent_id", "start", "end", "reason")
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Skill group -> queues it covers (the demo's groups; a rules file's ``skill_groups`` replaces it).
DEFAULT_SKILL_GROUPS: dict[str, tuple[str, ...]] = {
    "sv_reports": ("reports",),
    "sv_all": ("reports", "tips", "switchboard"),
    "bilingual": ("reports", "tips", "switchboard", "english"),
}
KNOWN_LANGUAGES: tuple[str, ...] = ("sv", "en")
#: Queue -> language an agent needs to take it.
QUEUE_LANGUAGE: dict[str, str] = {"reports": "sv", "tips": "sv", "switchboard": "sv", "english": "en"}
CONTRACTS: tuple[str, ...] = ("full_time", "part_time")
_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def _read_table(path: Path, what: str) -> pd.DataFrame:
    if not path.exists():
        raise WfmInputError(f"{path}: {what} file not found")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
            if len(sheets) != 1:
                raise WfmInputError(f"{path}: the workbook must have exactly one sheet with the {what}, "
                                    f"found {len(sheets)}: {', '.join(sheets)}")
            df = next(iter(sheets.values()))
        elif suffix in (".csv", ".txt", ".gz"):
            df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=False)
        else:
            raise WfmInputError(f"{path}: {what} must be a .csv or .xlsx file, got suffix {suffix!r}")
    except WfmInputError:
        raise
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError,
            KeyError, TypeError, Exception) as exc:  # noqa: BLE001 -- any unreadable file is bad input
        raise WfmInputError(f"{path}: cannot read the {what} ({type(exc).__name__}: {exc})") from exc
    df.columns = [str(c).strip() for c in df.columns]
    return df.astype(str) if len(df.columns) else df


def _check_columns(df: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in df.columns]
    extra = [c for c in df.columns if c not in columns]
    problems = []
    if missing:
        problems.append(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    if extra:
        problems.append(f"{path}: unknown column(s) {', '.join(map(repr, extra))}; expected {', '.join(columns)}")
    if problems:
        raise WfmInputError(problems[0] if len(problems) == 1 else f"{path}: {len(problems)} problems", problems)


def _number(text: str):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def read_agents(path: str | Path, *, skill_groups: dict[str, tuple[str, ...]] | None = None,
                ruleset: RuleSet | None = None) -> pd.DataFrame:
    """Read and validate an agent list (CSV or single-sheet XLSX).

    Parameters
    ----------
    path : path-like
        The agent list with exactly the columns :data:`AGENT_COLUMNS`.
    skill_groups : dict, optional
        Skill group -> queues; default :data:`DEFAULT_SKILL_GROUPS`.
    ruleset : RuleSet, optional
        Gives the legal maxima (``max_ordinary_hours_per_week`` [h/week],
        ``max_total_hours_per_week`` [h/week]); default the ``sweden`` set.

    Returns
    -------
    pandas.DataFrame
        One row per agent, columns :data:`AGENT_COLUMNS` with
        ``skills``/``languages``/``fixed_days_off`` as tuples of str, the hour
        columns float64 [h/week] and ``nights_allowed`` bool, in file order.

    Raises
    ------
    WfmInputError
        Every broken rule, one message each (``errors``), naming file, row,
        column, rule and value.
    """
    path = Path(path)
    groups = {k: tuple(v) for k, v in (skill_groups or DEFAULT_SKILL_GROUPS).items()}
    queues = sorted({q for qs in groups.values() for q in qs})
    rules = ruleset or load_ruleset("sweden")
    df = _read_table(path, "agent list")
    _check_columns(df, AGENT_COLUMNS, path)
    if df.empty:
        raise WfmInputError(f"{path}: the agent list has no agents")
    errors: list[str] = []

    def err(i: int, column: str, text: str) -> None:
        errors.append(f"{path}: row {i + 2}, column {column}: {text}")

    seen: dict[str, int] = {}
    rows = []
    for i, rec in enumerate(df.to_dict("records")):
        rec = {k: str(v).strip() for k, v in rec.items()}
        out = dict(rec)
        aid = rec["agent_id"]
        if not aid:
            err(i, "agent_id", "must not be empty")
        elif aid in seen:
            err(i, "agent_id", f"must be unique, {aid!r} already on row {seen[aid] + 2}")
        else:
            seen[aid] = i
        for column in ("name", "site"):
            if not rec[column]:
                err(i, column, "must not be empty")
        group = rec["skill_group"]
        if group not in groups:
            err(i, "skill_group", f"unknown skill group {group!r}; known: {', '.join(groups)}")
        skills = tuple(s.strip() for s in rec["skills"].split(";") if s.strip())
        if not skills:
            err(i, "skills", "must list at least one queue (';'-separated)")
        for s in skills:
            if s not in queues:
                err(i, "skills", f"unknown skill (queue) {s!r}; known queues: {', '.join(queues)}")
        if group in groups and skills and not set(groups[group]) <= set(skills):
            err(i, "skills", f"must include every queue of skill group {group!r} "
                             f"({';'.join(groups[group])}), got {rec['skills']!r}")
        langs = tuple(s.strip() for s in rec["languages"].split(";") if s.strip())
        if not langs:
            err(i, "languages", "must list at least one language (';'-separated)")
        for lang in langs:
            if lang not in KNOWN_LANGUAGES:
                err(i, "languages", f"unknown language {lang!r}; known: {', '.join(KNOWN_LANGUAGES)}")
        for s in skills:
            need = QUEUE_LANGUAGE.get(s)
            if need and langs and need not in langs:
                err(i, "languages", f"skill {s!r} needs language {need!r}, got {rec['languages']!r}")
        if rec["contract"] not in CONTRACTS:
            err(i, "contract", f"must be one of {', '.join(CONTRACTS)}, got {rec['contract']!r}")
        hours = {}
        for column in ("contract_hours_per_week", "min_hours_per_week", "max_hours_per_week"):
            value = _number(rec[column])
            if value is None or value < 0:
                err(i, column, f"must be a number of hours >= 0, got {rec[column]!r}")
            hours[column] = value
        c, lo, hi = hours["contract_hours_per_week"], hours["min_hours_per_week"], hours["max_hours_per_week"]
        if c is not None and c > rules.max_ordinary_hours_per_week:
            err(i, "contract_hours_per_week",
                f"above the legal maximum of ordinary working time ({rules.max_ordinary_hours_per_week:g} h/week, "
                f"Arbetstidslagen 5 §), got {c:g}")
        if hi is not None and hi > rules.max_total_hours_per_week:
            err(i, "max_hours_per_week",
                f"above the legal maximum of total working time ({rules.max_total_hours_per_week:g} h/week "
                f"incl. overtime, Arbetstidslagen 10 b §), got {hi:g}")
        if None not in (c, lo, hi) and not lo <= c <= hi:
            err(i, "contract_hours_per_week",
                f"must satisfy min_hours_per_week <= contract_hours_per_week <= max_hours_per_week, "
                f"got {lo:g} <= {c:g} <= {hi:g}")
        night = _BOOL.get(rec["nights_allowed"].lower())
        if night is None:
            err(i, "nights_allowed", f"must be true or false, got {rec['nights_allowed']!r}")
        days = tuple(s.strip() for s in rec["fixed_days_off"].split(";") if s.strip())
        for d in days:
            if d not in WEEKDAYS:
                err(i, "fixed_days_off", f"must be weekday names {'/'.join(WEEKDAYS)}, got {d!r}")
        if len(set(days)) != len(days):
            err(i, "fixed_days_off", f"lists a day twice: {rec['fixed_days_off']!r}")
        out.update(skills=skills, languages=langs, nights_allowed=bool(night), fixed_days_off=days, **hours)
        rows.append(out)
    if errors:
        raise WfmInputError(errors[0] if len(errors) == 1 else
                            f"{path}: {len(errors)} problems in the agent list; first: {errors[0]}", errors)
    agents = pd.DataFrame(rows, columns=list(AGENT_COLUMNS))
    for column in ("contract_hours_per_week", "min_hours_per_week", "max_hours_per_week"):
        agents[column] = agents[column].astype("float64")
    agents["nights_allowed"] = agents["nights_allowed"].astype(bool)
    agents.attrs["source"] = str(path)
    agents.attrs["skill_groups"] = groups
    return agents


def read_unavailability(path: str | Path, agents: pd.DataFrame | None = None,
                        tz: str = "Europe/Stockholm") -> pd.DataFrame:
    """Read and validate the unavailability file (leave, training, part-time patterns).

    Parameters
    ----------
    path : path-like
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
    path = Path(path)
    df = _read_table(path, "unavailability")
    _check_columns(df, UNAVAILABILITY_COLUMNS, path)
    errors: list[str] = []
    known = set(agents["agent_id"]) if agents is not None else None
    rows = []
    for i, rec in enumerate(df.to_dict("records")):
        rec = {k: str(v).strip() for k, v in rec.items()}
        ok = True
        if not rec["agent_id"]:
            errors.append(f"{path}: row {i + 2}, column agent_id: must not be empty")
            ok = False
        elif known is not None and rec["agent_id"] not in known:
            errors.append(f"{path}: row {i + 2}, column agent_id: unknown agent {rec['agent_id']!r} "
                          f"(not in the agent list)")
        if not rec["reason"]:
            errors.append(f"{path}: row {i + 2}, column reason: must not be empty")
        stamps = {}
        for column in ("start", "end"):
            try:
                ts = pd.Timestamp(rec[column])
                if ts is pd.NaT or pd.isna(ts):
                    raise ValueError
            except (ValueError, TypeError, OverflowError):
                errors.append(f"{path}: row {i + 2}, column {column}: must be an ISO-8601 timestamp with UTC "
                              f"offset, got {rec[column]!r}")
                ok = False
                continue
            if ts.tzinfo is None:
                errors.append(f"{path}: row {i + 2}, column {column}: must carry a UTC offset "
                              f"(e.g. 2025-01-06T08:00:00+01:00), got {rec[column]!r}")
                ok = False
                continue
            stamps[column] = ts.tz_convert(tz)
        if ok and stamps["end"] <= stamps["start"]:
            errors.append(f"{path}: row {i + 2}: end must be after start, got {rec['start']} .. {rec['end']}")
            ok = False
        if ok:
            rows.append((i, rec["agent_id"], stamps["start"], stamps["end"], rec["reason"]))
    by_agent: dict[str, list] = {}
    for row in rows:
        by_agent.setdefault(row[1], []).append(row)
    for aid, items in by_agent.items():
        items.sort(key=lambda r: r[2])
        for a, b in zip(items, items[1:]):
            if b[2] < a[3]:
                errors.append(f"{path}: row {b[0] + 2}: unavailability of agent {aid!r} overlaps row {a[0] + 2} "
                              f"({a[2].isoformat()} .. {a[3].isoformat()} and {b[2].isoformat()} .. "
                              f"{b[3].isoformat()}); intervals of one agent must not overlap")
    if errors:
        raise WfmInputError(errors[0] if len(errors) == 1 else
                            f"{path}: {len(errors)} problems in the unavailability file; first: {errors[0]}", errors)
    out = pd.DataFrame({
        "agent_id": pd.Series([r[1] for r in rows], dtype=str),
        "start": pd.Series([r[2] for r in rows], dtype=f"datetime64[ns, {tz}]"),
        "end": pd.Series([r[3] for r in rows], dtype=f"datetime64[ns, {tz}]"),
        "reason": pd.Series([r[4] for r in rows], dtype=str),
    })
    return out.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


PREFERENCE_COLUMNS: tuple[str, ...] = ("agent_id", "kind", "day", "template", "weight")
PREFERENCE_KINDS: tuple[str, ...] = ("wanted", "unwanted")


def read_preferences(path: str | Path, agents: pd.DataFrame | None = None) -> pd.DataFrame:
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
    import datetime as _dt

    path = Path(path)
    df = _read_table(path, "preferences")
    _check_columns(df, PREFERENCE_COLUMNS, path)
    known = set(agents["agent_id"]) if agents is not None else None
    errors, rows = [], []
    for i, rec in enumerate(df.to_dict("records")):
        rec = {k: str(v).strip() for k, v in rec.items()}
        if not rec["agent_id"] or (known is not None and rec["agent_id"] not in known):
            errors.append(f"{path}: row {i + 2}, column agent_id: unknown agent {rec['agent_id']!r}")
        if rec["kind"] not in PREFERENCE_KINDS:
            errors.append(f"{path}: row {i + 2}, column kind: must be wanted or unwanted, got {rec['kind']!r}")
        if rec["day"] and rec["day"] not in WEEKDAYS:
            try:
                _dt.date.fromisoformat(rec["day"])
            except ValueError:
                errors.append(f"{path}: row {i + 2}, column day: must be YYYY-MM-DD, a weekday Mon..Sun or empty, "
                              f"got {rec['day']!r}")
        w = _number(rec["weight"]) if rec["weight"] else 1.0
        if w is None or w < 0:
            errors.append(f"{path}: row {i + 2}, column weight: must be a number >= 0, got {rec['weight']!r}")
        rows.append({**rec, "weight": w})
    if errors:
        raise WfmInputError(errors[0] if len(errors) == 1 else
                            f"{path}: {len(errors)} problems in the preferences; first: {errors[0]}", errors)
    return pd.DataFrame(rows, columns=list(PREFERENCE_COLUMNS))
