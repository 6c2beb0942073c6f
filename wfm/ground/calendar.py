"""Special days (public holidays, eves, bridge days) and calendar regressors.

Contact-centre volume on a public holiday looks like a Sunday, the eves of the
big Swedish holidays (midsommarafton, julafton, nyårsafton) are even quieter
although they are formally working days, and a *klämdag* (bridge day, a single
working day squeezed between a holiday and a weekend) is a half-empty office
day.  This module turns a date range into one table of such days,
:func:`special_days`, and that table into dummy regressors per timestamp,
:func:`calendar_features`.

Rules (documented here because the forecast depends on them):

* **holiday** -- the public holidays of the ``holidays`` package [1]_ for the
  country (and optional subdivision).  For Sweden ``include_sundays=False`` is
  passed: the package otherwise lists *every Sunday* as a holiday (Swedish law
  counts Sundays as "allmänna helgdagar"), which would swamp the weekly shape.
  Swedish names are used (``language="sv"``), e.g. ``Midsommardagen``.
* **eve** -- Sweden only: the day before six named holidays, whatever weekday
  it falls on: trettondagsafton (5 Jan), påskafton (Easter Saturday),
  valborgsmässoafton (30 Apr), midsommarafton (the Friday before
  Midsommardagen), julafton (24 Dec) and nyårsafton (31 Dec).  Of these,
  midsommarafton, julafton and nyårsafton are *de facto* days off [2]_ and
  count as non-working days for the bridge rule below.  Other countries get no
  eves (the ``holidays`` package has no common notion of them); pass your own
  rows to :func:`calendar_features` if you need them.
* **bridge** -- a weekday that is neither a holiday nor a de facto day off but
  whose previous *and* next day are non-working days (weekend, holiday or de
  facto eve), named ``Klämdag`` for Sweden and ``Bridge day`` elsewhere, e.g. Friday 2025-05-30 after Kristi himmelsfärdsdag (Thursday
  2025-05-29).  The weekend is the country's weekend from ``holidays``
  (Saturday and Sunday for Sweden).  Derivable for every country; switch off
  with ``bridge_days=False``.
* one row per date: when several rules hit the same date the strongest kind
  wins (holiday > eve > bridge) and all names are kept, joined by ``"; "``
  (e.g. 2049-06-06 is both Nationaldagen and Pingstdagen).

References
----------
.. [1] ``holidays`` Python package, https://github.com/vacanza/holidays
   (version 0.109 used here; ``holidays.countries.Sweden``).
.. [2] Lag (1989:253) om allmänna helgdagar lists the Swedish public
   holidays.  Midsommarafton, julafton and nyårsafton are not in it but are
   days off under most collective agreements, which is why the ``holidays``
   package lists them in its ``de_facto`` category for Sweden.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import Sequence

import holidays as _holidays
import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.zones import country_of_zone

__all__ = [
    "DEFACTO_DAYS_OFF",
    "DEFAULT_NAMED_DAYS",
    "KINDS",
    "SWEDISH_EVES",
    "calendar_features",
    "holiday_country",
    "holiday_coverage",
    "public_holidays",
    "slugify",
    "special_days",
]

#: Kinds in decreasing strength.
KINDS: tuple[str, ...] = ("holiday", "eve", "bridge")
_STRENGTH = {k: i for i, k in enumerate(KINDS)}

#: Swedish eves: name of the eve -> name of the holiday it precedes
#: (``holidays`` Swedish names).  Nyårsafton precedes next year's Nyårsdagen.
SWEDISH_EVES: dict[str, str] = {
    "Trettondagsafton": "Trettondedag jul",
    "Påskafton": "Påskdagen",
    "Valborgsmässoafton": "Första maj",
    "Midsommarafton": "Midsommardagen",
    "Julafton": "Juldagen",
    "Nyårsafton": "Nyårsdagen",
}

#: Eves that are de facto days off (non-working days for the bridge rule).
DEFACTO_DAYS_OFF: frozenset[str] = frozenset({"Midsommarafton", "Julafton", "Nyårsafton"})

#: Named days that get their own dummy column in :func:`calendar_features`
#: by default (Swedish names as written by :func:`special_days`).
DEFAULT_NAMED_DAYS: tuple[str, ...] = (
    "Nyårsdagen",
    "Trettondedag jul",
    "Långfredagen",
    "Påskafton",
    "Påskdagen",
    "Annandag påsk",
    "Valborgsmässoafton",
    "Första maj",
    "Kristi himmelsfärdsdag",
    "Nationaldagen",
    "Midsommarafton",
    "Midsommardagen",
    "Alla helgons dag",
    "Julafton",
    "Juldagen",
    "Annandag jul",
    "Nyårsafton",
)


def slugify(name: str) -> str:
    """ASCII column-name slug of a day name: ``"Påskafton"`` -> ``"paskafton"``."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")


def _to_date(value, parameter: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise WfmInputError(
            f"{parameter} must be a date like 2024-01-31, got {value!r} ({exc})"
        ) from None
    if pd.isna(ts):
        raise WfmInputError(f"{parameter} must be a date like 2024-01-31, got {value!r}")
    return ts.date()


def _is_sweden(country: str) -> bool:
    """``SE`` or ``SWE`` (the ``holidays`` package is case-sensitive)."""
    return country in ("SE", "SWE")


def _holiday_table(country: str, subdiv: str | None, years: range):
    kwargs: dict = {}
    if _is_sweden(country):
        kwargs["include_sundays"] = False
        kwargs["language"] = "sv"
    try:
        return _holidays.country_holidays(country, subdiv=subdiv, years=years, **kwargs)
    except NotImplementedError as exc:
        if subdiv is not None and "subdivision" in str(exc):
            raise WfmInputError(
                f"subdiv must be a subdivision of {country} known to the holidays "
                f"package, got {subdiv!r} ({exc})"
            ) from None
        raise WfmInputError(
            f"country must be an ISO 3166 code known to the holidays package "
            f"(e.g. 'SE', 'NO', 'GB'), got {country!r} ({exc})"
        ) from None


def holiday_coverage(country: str = "SE", subdiv: str | None = None) -> tuple[int, int]:
    """First and last year whose public holidays the calendar knows for ``country``.

    Raises
    ------
    WfmInputError
        Unknown country or subdivision.
    """
    if not isinstance(country, str) or not country:
        raise WfmInputError(f"country must be a non-empty ISO code string, got {country!r}", parameter="country")
    table = _holiday_table(country, subdiv, range(2000, 2001))
    return int(getattr(table, "start_year", 1)), int(getattr(table, "end_year", 9999))


def _check_covered(country: str, subdiv: str | None, d0: _dt.date, d1: _dt.date) -> None:
    """A date outside the years the calendar knows must not silently get no holidays."""
    first, last = holiday_coverage(country, subdiv)
    if d0.year < first or d1.year > last:
        raise WfmInputError(
            f"the holiday calendar of {country} covers the years {first}-{last}; the dates {d0} to {d1} reach "
            "outside them, where their public holidays are unknown", parameter="country")


def public_holidays(start, end, country: str = "SE", *, subdiv: str | None = None) -> tuple[_dt.date, ...]:
    """The public holidays (kind ``holiday``) between two dates, both inclusive, sorted.

    The one source of public holidays for every stage (forecast regressors, the scheduler's
    holiday premium, the roster's fairness); eves and bridge days are :func:`special_days`.

    Raises
    ------
    WfmInputError
        Unknown country, ``end`` before ``start``, or a date outside :func:`holiday_coverage`.
    """
    days = special_days(start, end, country, bridge_days=False, subdiv=subdiv)
    return tuple(days.loc[days["kind"] == "holiday", "date"])


def special_days(
    start,
    end,
    country: str = "SE",
    *,
    bridge_days: bool = True,
    subdiv: str | None = None,
) -> pd.DataFrame:
    """Holidays, eves and bridge days between two dates (both inclusive).

    Parameters
    ----------
    start, end : date-like
        First and last date [local calendar date], inclusive.
    country : str, default "SE"
        ISO 3166-1 code understood by the ``holidays`` package (upper case,
        alpha-2 or alpha-3, e.g. ``"SE"``, ``"SWE"``, ``"NO"``, ``"GB"``).
        Eves are only produced for Sweden.
    bridge_days : bool, default True
        Also list bridge days (klämdagar), see the module docstring.
    subdiv : str, optional
        Subdivision code for the ``holidays`` package (e.g. ``"ENG"`` for GB).

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (``datetime.date``), ``name`` (str, several names
        joined by ``"; "``) and ``kind`` (``holiday`` | ``eve`` | ``bridge``),
        one row per date, sorted by date, default RangeIndex.

    Raises
    ------
    WfmInputError
        When a date cannot be parsed, ``end`` is before ``start``, the
        country/subdivision is unknown, or a date lies outside the years the
        calendar knows for the country (:func:`holiday_coverage`): a date there
        must not silently get no holidays.

    References
    ----------
    .. [1] ``holidays`` package, https://github.com/vacanza/holidays
    """
    if not isinstance(country, str) or not country:
        raise WfmInputError(f"country must be a non-empty ISO code string, got {country!r}", parameter="country")
    d0 = _to_date(start, "start")
    d1 = _to_date(end, "end")
    if d1 < d0:
        raise WfmInputError(f"end must be on or after start, got start={d0} end={d1}")
    _check_covered(country, subdiv, d0, d1)
    # One year of margin either side so eves/bridges at the edges are right.
    table = _holiday_table(country, subdiv, range(d0.year - 1, d1.year + 2))
    weekend = set(getattr(table, "weekend", {5, 6}))

    rows: dict[_dt.date, list[tuple[str, str]]] = {}

    def add(day: _dt.date, name: str, kind: str) -> None:
        rows.setdefault(day, []).append((name, kind))

    for day, names in table.items():
        for name in str(names).split("; "):
            add(day, name, "holiday")

    if _is_sweden(country):
        by_name: dict[str, list[_dt.date]] = {}
        for day, names in table.items():
            for name in str(names).split("; "):
                by_name.setdefault(name, []).append(day)
        for eve, holiday in SWEDISH_EVES.items():
            for day in by_name.get(holiday, []):
                add(day - _dt.timedelta(days=1), eve, "eve")

    if bridge_days:
        bridge_name = "Klämdag" if _is_sweden(country) else "Bridge day"

        def off(day: _dt.date) -> bool:
            if day.weekday() in weekend:
                return True
            for name, kind in rows.get(day, []):
                if kind == "holiday" or name in DEFACTO_DAYS_OFF:
                    return True
            return False

        lo = _dt.date(d0.year - 1, 1, 2)
        hi = _dt.date(d1.year + 1, 12, 30)
        day = lo
        one = _dt.timedelta(days=1)
        while day <= hi:
            if not off(day) and off(day - one) and off(day + one):
                add(day, bridge_name, "bridge")
            day += one

    out_dates, out_names, out_kinds = [], [], []
    for day in sorted(rows):
        if not d0 <= day <= d1:
            continue
        entries = rows[day]
        kind = min((k for _, k in entries), key=_STRENGTH.__getitem__)
        names: list[str] = []
        for name, _ in sorted(entries, key=lambda e: _STRENGTH[e[1]]):
            if name not in names:
                names.append(name)
        out_dates.append(day)
        out_names.append("; ".join(names))
        out_kinds.append(kind)
    return pd.DataFrame(
        {
            "date": pd.Series(out_dates, dtype=object),
            "name": pd.Series(out_names, dtype=str),
            "kind": pd.Series(out_kinds, dtype=str),
        }
    )


def calendar_features(
    index: pd.DatetimeIndex,
    special: pd.DataFrame,
    *,
    named_days: Sequence[str] | None = DEFAULT_NAMED_DAYS,
) -> pd.DataFrame:
    """Dummy regressors for special days, one row per timestamp.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        tz-aware timestamps (e.g. interval starts); the *local* calendar date
        in the index's own zone decides the day.
    special : pandas.DataFrame
        Output of :func:`special_days` (columns ``date``, ``name``, ``kind``).
    named_days : sequence of str, optional
        Day names that get their own column ``day_<slug>`` (e.g.
        ``day_julafton``); defaults to :data:`DEFAULT_NAMED_DAYS`.  ``None``
        or empty: kind columns only.  A name matches when it is one of the
        ``"; "``-joined names of a row.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``index``; int8 columns ``is_holiday``, ``is_eve``,
        ``is_bridge`` then one ``day_<slug>`` per named day (always present,
        all zero when the day is not in range), values 0 or 1.

    Raises
    ------
    WfmInputError
        When ``index`` is not a tz-aware DatetimeIndex or ``special`` lacks a
        column or holds an unknown kind.
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise WfmInputError(
            f"index must be a pandas DatetimeIndex, got {type(index).__name__}"
        )
    if index.tz is None:
        raise WfmInputError(
            "index must be tz-aware (e.g. Europe/Stockholm) so the local date is "
            "defined, got a naive DatetimeIndex"
        )
    missing = [c for c in ("date", "name", "kind") if c not in special.columns]
    if missing:
        raise WfmInputError(
            f"special must have columns date, name, kind (from special_days); "
            f"missing {missing}"
        )
    bad = sorted(set(special["kind"].astype(str)) - set(KINDS))
    if bad:
        raise WfmInputError(f"special.kind must be one of {list(KINDS)}, got {bad}")

    # Dropping the zone keeps the local wall time; normalize() gives its date.
    day_keys = index.tz_localize(None).normalize().to_numpy()
    spec_dates = pd.DatetimeIndex(
        [pd.Timestamp(d) for d in special["date"]], dtype="datetime64[ns]"
    ).normalize().to_numpy()

    data: dict[str, np.ndarray] = {}
    kinds = special["kind"].astype(str).to_numpy()
    for kind in KINDS:
        days = spec_dates[kinds == kind]
        data[f"is_{kind}"] = np.isin(day_keys, days).astype(np.int8)
    if named_days:
        split_names = [str(n).split("; ") for n in special["name"]]
        for name in named_days:
            days = spec_dates[np.array([name in parts for parts in split_names], dtype=bool)]
            col = f"day_{slugify(name)}"
            data[col] = np.isin(day_keys, days).astype(np.int8)
    return pd.DataFrame(data, index=index)


def holiday_country(zone: str) -> str | None:
    """The country whose public holidays apply in an IANA zone (tz database ``zone.tab``):
    ``America/Denver`` -> ``"US"``, ``Europe/Stockholm`` -> ``"SE"``; None when the zone has no
    country (``UTC``) or the calendar does not know that country's holidays."""
    country = country_of_zone(zone)
    if country is None:
        return None
    try:
        holiday_coverage(country)
    except WfmInputError:
        return None
    return country
