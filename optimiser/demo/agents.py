"""Seeded generator of the demo agent list and their unavailability.

About 800 operators of a national police non-emergency number, spread over
six sites named after police-region seats, with contracts, skills and
availability limits for the roster work.  Names are fictitious: a given name
and a surname drawn independently from lists of common Swedish (and a few
international) names, so no real person is implied.

Columns of the agent list (``data/demo_agents.csv``):

=========================  ======  ==============================================
column                     type    meaning
=========================  ======  ==============================================
``agent_id``               str     ``A0001`` ...
``name``                   str     fictitious "Given Surname"
``site``                   str     Stockholm, Göteborg, Malmö, Umeå, Örebro, Sundsvall
``skill_group``            str     ``sv_reports`` | ``sv_all`` | ``bilingual``
``skills``                 str     queues, ``;``-separated
``languages``              str     ``sv`` or ``sv;en``
``contract``               str     ``full_time`` | ``part_time``
``contract_hours_per_week`` float  contracted hours per week [h/week]
``min_hours_per_week``     float   fewest hours in a week of the averaging period [h/week]
``max_hours_per_week``     float   most hours in a week of the averaging period [h/week]
``nights_allowed``         bool    may work shifts touching 22:00--06:00
``fixed_days_off``         str     weekday names Mon..Sun, ``;``-separated, may be empty
``hire_date``              date    ``YYYY-MM-DD``, the start of the agent's hiring class
``fte``                    float   FTE share: contract hours / 40
=========================  ======  ==============================================

Hire dates (for the capacity plan, :mod:`optimiser.capacity`): hires come in classes that start
on the first Monday of a month; each agent's tenure at ``horizon_start`` is drawn from an
exponential distribution (mean five years: about 18 % leave a year) from 4 months, truncated at
15 years, and the agent joins the class of that month.  The two newest classes
(about 3 % of the staff) started in the last three months, so some operators are still in
training or on the ramp at the start.  They are drawn from their own stream (spawn key 3), after
the list and the unavailability, so those stay as they were.

Unavailability (``data/demo_agent_unavailability.csv``): ``agent_id, start,
end, reason`` with ``start``/``end`` ISO-8601 with UTC offset (end exclusive)
and ``reason`` one of ``leave`` (whole weeks, Monday 00:00 to Monday 00:00),
``training`` (a weekday 08:00--16:00) and ``part_time`` (a recurring free
weekday of a part-timer, 00:00 to 00:00 next day).  Intervals of one agent
never overlap: days are given out in that order, each at most once.

Hours rules: full-time 40 h/week may vary between 32 and 48 h in a week as
long as the average over the averaging period is the contract (the 48 h cap
mirrors the EU Working Time Directive 2003/88/EC art. 6 average); part-time
contracts of 20, 25 or 30 h/week vary between 80 % of the contract and the
contract + 8 h (never above 40 h).

References
----------
.. [1] Statistiska centralbyrån (SCB), "Namnstatistik" -- most common given
   names and surnames in Sweden (lists used only as name material).
.. [2] Polisen, police regions: Stockholm, Väst (Göteborg), Syd (Malmö), Nord
   (Umeå), Bergslagen (Örebro), Mitt (Sundsvall) -- site names only.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ, WEEKDAYS

__all__ = [
    "AGENT_COLUMNS",
    "DEFAULT_SEED",
    "SITES",
    "SKILL_GROUPS",
    "UNAVAILABILITY_COLUMNS",
    "UNAVAILABILITY_REASONS",
    "generate_demo_agents",
    "write_agents_csv",
    "write_unavailability_csv",
]

DEFAULT_SEED = 20240101

AGENT_COLUMNS: tuple[str, ...] = (
    "agent_id",
    "name",
    "site",
    "skill_group",
    "skills",
    "languages",
    "contract",
    "contract_hours_per_week",
    "min_hours_per_week",
    "max_hours_per_week",
    "nights_allowed",
    "fixed_days_off",
    "hire_date",
    "fte",
)
UNAVAILABILITY_COLUMNS: tuple[str, ...] = ("agent_id", "start", "end", "reason")
UNAVAILABILITY_REASONS: tuple[str, ...] = ("leave", "training", "part_time")

#: Mean tenure of the demo staff [years] and its cap (the centre's age) [years].
MEAN_TENURE_YEARS = 5.0
MAX_TENURE_YEARS = 15.0
#: Share of the staff in the two newest classes (in training or on the ramp at the start).
NEWEST_CLASSES_SHARE = 0.03

#: Site -> share of the operators.
SITES: dict[str, float] = {
    "Stockholm": 0.28,
    "Göteborg": 0.20,
    "Malmö": 0.17,
    "Örebro": 0.12,
    "Umeå": 0.11,
    "Sundsvall": 0.12,
}

#: Skill group -> (share, skills, languages).
SKILL_GROUPS: dict[str, tuple[float, str, str]] = {
    "sv_reports": (0.40, "reports", "sv"),
    "sv_all": (0.45, "reports;tips;switchboard", "sv"),
    "bilingual": (0.15, "reports;tips;switchboard;english", "sv;en"),
}

_GIVEN = (
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Malin",
    "Linnea", "Elin", "Johanna", "Sofia", "Hanna", "Ida", "Maja", "Frida", "Amira", "Leila",
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Jonas", "Oskar",
    "Emil", "Viktor", "Filip", "Axel", "Gustav", "Hugo", "Ali", "Mohammed", "Daniel", "David",
)
_SURNAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
    "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist",
    "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lundgren", "Lind", "Mattsson",
    "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Ali", "Mohamed",
    "Engström", "Danielsson",
)


def _check_int(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise WfmInputError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def _quota(n: int, shares: list[float]) -> np.ndarray:
    """Split ``n`` into whole counts by largest remainder (exact shares, sum n)."""
    raw = np.asarray(shares, dtype=float) / np.sum(shares) * n
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return counts


def generate_demo_agents(
    n_agents: int = 800,
    seed: int = DEFAULT_SEED,
    *,
    horizon_start="2026-01-05",
    horizon_weeks: int = 13,
    tz: str = DEFAULT_TZ,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate the demo agent list and their unavailability.

    Parameters
    ----------
    n_agents : int, default 800
        Number of operators [agents], >= 1.
    seed : int
        Seed of ``numpy.random.default_rng`` (own stream, spawn key 2, so it
        does not collide with the history generator's streams).
    horizon_start : date-like, default 2026-01-05
        First day of the planning horizon (a Monday) [local date].
    horizon_weeks : int, default 13
        Length of the horizon with unavailability [weeks]; 13 weeks from
        2026-01-05 include the spring-forward Sunday 2026-03-29.
    tz : str
        IANA zone of the timestamps.

    Returns
    -------
    agents : pandas.DataFrame
        Columns :data:`AGENT_COLUMNS`, one row per agent, sorted by ``agent_id``.
    unavailability : pandas.DataFrame
        Columns ``agent_id`` (str), ``start``, ``end`` (tz-aware, end
        exclusive), ``reason`` (str), sorted by agent and start.

    Raises
    ------
    WfmInputError
        For a bad ``n_agents``, ``seed``, ``horizon_start`` (not a Monday),
        ``horizon_weeks`` or ``tz``.
    """
    n = _check_int(n_agents, "n_agents", 1)
    seed = _check_int(seed, "seed", 0)
    weeks = _check_int(horizon_weeks, "horizon_weeks", 1)
    h0 = _monday(horizon_start)
    try:
        pd.Timestamp("2026-01-01").tz_localize(tz)
    except Exception as exc:
        raise WfmInputError(f"tz must be an IANA time zone like Europe/Stockholm, got {tz!r} ({exc})",
                            parameter="tz") from None
    # one stream, drawn in a fixed order: the agent list, then the unavailability
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))
    agents = _agent_list(rng, n)
    unavailability = _unavailability(rng, agents, h0, weeks, tz)
    tenure_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(3,)))
    agents["hire_date"] = _hire_dates(tenure_rng, n, h0)
    agents["fte"] = agents["contract_hours_per_week"] / 40.0
    return agents, unavailability


def _monday(horizon_start) -> _dt.date:
    try:
        h0 = _dt.date.fromisoformat(str(horizon_start)[:10])
    except ValueError:
        raise WfmInputError(f"horizon_start must be a date YYYY-MM-DD, got {horizon_start!r}",
                            parameter="horizon_start") from None
    if h0.weekday() != 0:
        raise WfmInputError(f"horizon_start must be a Monday, got {h0} ({WEEKDAYS[h0.weekday()]})",
                            parameter="horizon_start")
    return h0


def _agent_list(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Names, sites, skill groups, contracts, nights and fixed days off of ``n`` agents."""
    ids = [f"A{i:04d}" for i in range(1, n + 1)]
    # Unique "Given Surname" pairs while the lists allow (40 x 40 = 1600).
    n_pairs = len(_GIVEN) * len(_SURNAMES)
    pair = rng.choice(n_pairs, size=n, replace=n > n_pairs)
    names = [f"{_GIVEN[p // len(_SURNAMES)]} {_SURNAMES[p % len(_SURNAMES)]}" for p in pair]

    site = np.repeat(list(SITES), _quota(n, list(SITES.values())))
    rng.shuffle(site)
    group = np.repeat(list(SKILL_GROUPS), _quota(n, [v[0] for v in SKILL_GROUPS.values()]))
    rng.shuffle(group)
    full = np.zeros(n, dtype=bool)
    full[:int(_quota(n, [0.7, 0.3])[0])] = True
    rng.shuffle(full)

    hours = np.where(full, 40.0, rng.choice([20.0, 25.0, 30.0], size=n, p=[0.3, 0.3, 0.4]))
    nights = rng.random(n) >= np.where(full, 0.15, 0.35)
    fixed: list[str] = []
    for i in range(n):
        k = (1 if rng.random() < 0.08 else 0) if full[i] else int(rng.choice([0, 1, 2], p=[0.55, 0.25, 0.2]))
        days = sorted(rng.choice(7, size=k, replace=False)) if k else []
        fixed.append(";".join(WEEKDAYS[d] for d in days))

    return pd.DataFrame({
        "agent_id": pd.Series(ids, dtype=str),
        "name": pd.Series(names, dtype=str),
        "site": pd.Series(site, dtype=str),
        "skill_group": pd.Series(group, dtype=str),
        "skills": pd.Series([SKILL_GROUPS[g][1] for g in group], dtype=str),
        "languages": pd.Series([SKILL_GROUPS[g][2] for g in group], dtype=str),
        "contract": pd.Series(np.where(full, "full_time", "part_time"), dtype=str),
        "contract_hours_per_week": hours,
        "min_hours_per_week": np.where(full, 32.0, hours * 0.8),
        "max_hours_per_week": np.where(full, 48.0, np.minimum(hours + 8.0, 40.0)),
        "nights_allowed": nights.astype(bool),
        "fixed_days_off": pd.Series(fixed, dtype=str),
    })


def _class_start(year: int, month: int) -> _dt.date:
    """The first Monday of a month (the day a hiring class starts)."""
    first = _dt.date(year, month, 1)
    return first + _dt.timedelta(days=(7 - first.weekday()) % 7)


def _hire_dates(rng: np.random.Generator, n: int, h0: _dt.date) -> list[str]:
    """Hire dates (``YYYY-MM-DD``) of ``n`` agents: the class start of the month their tenure falls in."""
    # 4 months plus an exponential truncated at the cap (inverse CDF): no pile-up at either end
    mean, span = MEAN_TENURE_YEARS * 12.0, MAX_TENURE_YEARS * 12.0 - 4.0
    tenure_months = 4.0 - mean * np.log1p(-rng.random(n) * -np.expm1(-span / mean))
    newest = rng.random(n) < NEWEST_CLASSES_SHARE
    tenure_months = np.where(newest, rng.choice([1.0, 3.0], size=n), tenure_months)
    index = h0.year * 12 + h0.month - 1 - np.floor(tenure_months).astype(int)
    out = []
    for k in index:
        start = _class_start(int(k) // 12, int(k) % 12 + 1)
        if start > h0:  # the month's class starts after the horizon's start: the previous month's
            start = _class_start(int(k - 1) // 12, int(k - 1) % 12 + 1)
        out.append(start.isoformat())
    return out


def _unavailability(rng: np.random.Generator, agents: pd.DataFrame, h0: _dt.date, weeks: int,
                    tz: str) -> pd.DataFrame:
    """Leave, training days and part-timers' free weekdays in the horizon; each day handed out once."""
    horizon_days = [h0 + _dt.timedelta(days=d) for d in range(7 * weeks)]
    rows: list[tuple[str, pd.Timestamp, pd.Timestamp, str]] = []

    def stamp(day: _dt.date, hour: int = 0) -> pd.Timestamp:
        return pd.Timestamp(_dt.datetime(day.year, day.month, day.day, hour)).tz_localize(tz)

    full = (agents["contract"] == "full_time").to_numpy()
    for agent_id, is_full, fixed in zip(agents["agent_id"], full, agents["fixed_days_off"]):
        taken: set[_dt.date] = set()
        u = rng.random()
        # parental/long leave: 2-4 consecutive weeks; a vacation week; or none
        length = min(int(rng.integers(2, 5)) if u < 0.05 else (1 if u < 0.30 else 0), weeks)
        if length:
            first = h0 + _dt.timedelta(weeks=int(rng.integers(0, weeks - length + 1)))
            rows.append((agent_id, stamp(first), stamp(first + _dt.timedelta(weeks=length)), "leave"))
            taken.update(first + _dt.timedelta(days=d) for d in range(7 * length))
        n_training = int(rng.choice([0, 1, 2], p=[0.5, 0.35, 0.15]))
        weekdays = [d for d in horizon_days if d.weekday() < 5 and d not in taken]
        for day in sorted(rng.choice(len(weekdays), size=min(n_training, len(weekdays)), replace=False)):
            d = weekdays[int(day)]
            rows.append((agent_id, stamp(d, 8), stamp(d, 16), "training"))
            taken.add(d)
        if not is_full and not fixed and rng.random() < 0.6:
            # a recurring free weekday (studies, another job, childcare)
            free = int(rng.integers(0, 5))
            for d in horizon_days:
                if d.weekday() == free and d not in taken:
                    rows.append((agent_id, stamp(d), stamp(d + _dt.timedelta(days=1)), "part_time"))
                    taken.add(d)

    unav = pd.DataFrame(rows, columns=list(UNAVAILABILITY_COLUMNS))
    unav["agent_id"] = unav["agent_id"].astype(str)
    unav["reason"] = unav["reason"].astype(str)
    for col in ("start", "end"):
        unav[col] = pd.to_datetime(unav[col]).dt.tz_convert(tz).dt.as_unit("ns") if len(unav) else (
            pd.Series([], dtype=f"datetime64[ns, {tz}]")
        )
    return unav.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


def _iso(series: pd.Series) -> pd.Series:
    text = series.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return text.str[:-2] + ":" + text.str[-2:]


def write_agents_csv(agents: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write the agent list (UTF-8, LF); booleans as ``true``/``false``, hours as numbers."""
    missing = [c for c in AGENT_COLUMNS if c not in agents.columns]
    if missing:
        raise WfmInputError(f"agents frame is missing column(s) {missing}")
    out = agents[list(AGENT_COLUMNS)].copy()
    out["nights_allowed"] = np.where(out["nights_allowed"].astype(bool), "true", "false")
    for col in ("contract_hours_per_week", "min_hours_per_week", "max_hours_per_week", "fte"):
        out[col] = out[col].map(lambda v: f"{v:g}")
    Path(path).write_bytes(out.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def write_unavailability_csv(unavailability: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``agent_id,start,end,reason`` with ISO-8601 timestamps with offset."""
    missing = [c for c in UNAVAILABILITY_COLUMNS if c not in unavailability.columns]
    if missing:
        raise WfmInputError(f"unavailability frame is missing column(s) {missing}")
    out = unavailability[list(UNAVAILABILITY_COLUMNS)].copy()
    out["start"] = _iso(out["start"])
    out["end"] = _iso(out["end"])
    Path(path).write_bytes(out.to_csv(index=False, lineterminator="\n").encode("utf-8"))
