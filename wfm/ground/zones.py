"""Which IANA zones fit the UTC offsets written in a file, and which country a zone is in.

A history written with UTC offsets (``2017-03-12T03:00:00-06:00``) says in
which zone it was written only up to the zones that had those offsets at those
instants. :func:`zones_matching_offsets` lists them (a US mountain-time file
with -07:00 in winter and -06:00 in summer fits ``America/Denver`` and
``America/Boise`` but not ``America/Phoenix``, which keeps -07:00), so a reader
can keep the default zone only when the file agrees with it, and otherwise
name the offsets found and the zones that fit. :func:`country_of_zone` gives
the ISO 3166 country of a zone (from the tz database's ``zone.tab``), so the
holiday calendar can follow the zone.

References
----------
.. [1] The tz database (IANA), files ``zone.tab`` and ``zone1970.tab``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

import numpy as np
import pandas as pd

from wfm.ground.errors import WfmInputError

__all__ = ["NO_OFFSET", "ZoneChoice", "country_of_zone", "offsets_text", "written_offset_minutes", "zone_from_offsets",
           "zones_matching_offsets"]


def _offset_minutes(instants_utc: pd.DatetimeIndex, zone: str) -> np.ndarray:
    tz = ZoneInfo(zone)
    return np.array([int(t.astimezone(tz).utcoffset().total_seconds() // 60) for t in instants_utc.to_pydatetime()],
                    dtype=np.int64)


def _probe_points(instants_utc: pd.DatetimeIndex, offsets_minutes: np.ndarray) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The first instant of each run of equal offsets, and the last one: enough to tell zones apart."""
    order = np.argsort(instants_utc.asi8, kind="stable")
    t, off = instants_utc[order], np.asarray(offsets_minutes)[order]
    change = np.flatnonzero(np.r_[True, off[1:] != off[:-1]])
    keep = np.unique(np.r_[change, np.maximum(change - 1, 0), len(t) - 1])
    return t[keep], off[keep]


def zones_matching_offsets(instants_utc, offsets_minutes, candidates=None) -> list[str]:
    """IANA zones whose UTC offset at every instant equals the offset written there.

    Parameters
    ----------
    instants_utc : DatetimeIndex or array-like of tz-aware timestamps
        The instants (any zone; compared in UTC).
    offsets_minutes : array-like of int
        The UTC offset written with each instant [minutes east of UTC].
    candidates : iterable of str, optional
        Zones to test (default: every zone the system knows, canonical
        ``Area/City`` names only).

    Returns
    -------
    list of str
        Matching zones, sorted; empty when none fits (e.g. offsets that
        change on dates no zone changes on).
    """
    t = pd.DatetimeIndex(instants_utc).tz_convert("UTC")
    t, off = _probe_points(t, np.asarray(offsets_minutes, dtype=np.int64))
    zones = sorted(candidates) if candidates is not None else _area_city_zones()
    return [z for z in zones if np.array_equal(_offset_minutes(t, z), off)]


@functools.lru_cache(maxsize=1)
def _area_city_zones() -> list[str]:
    areas = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")
    return sorted(z for z in available_timezones() if z.startswith(areas))


@functools.lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - tzdata is a dependency
        return {}
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                out[parts[2]] = parts[0]
    return out


def country_of_zone(zone: str) -> str | None:
    """ISO 3166 alpha-2 country of an IANA zone (``America/Denver`` -> ``"US"``), None if it has none (``UTC``)."""
    return _zone_countries().get(str(zone))


def offsets_text(offsets_minutes) -> str:
    """``-07:00, -06:00``: the distinct offsets, in order of first appearance."""
    seen = dict.fromkeys(int(m) for m in np.asarray(offsets_minutes).ravel())
    return ", ".join(f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in seen)


#: A UTC offset at the end of a timestamp text: ``Z``, ``+01:00``, ``-0700``, ``+05``.
_OFFSET_TAIL = re.compile(r"(Z|[+-]\d{2}(?::?\d{2})?)$")
#: What :func:`written_offset_minutes` gives for a text without an offset.
NO_OFFSET = -1440
#: How many fitting zones a message lists before "and N more".
_ZONES_SHOWN = 8


def written_offset_minutes(text) -> np.ndarray:
    """The UTC offset written at the end of each timestamp text [minutes east of UTC]; -1440 where none.

    ``2017-03-12T03:00:00-06:00`` -> -360, ``...Z`` -> 0, ``...+0530`` -> 330.
    """
    tails = pd.Series(text, dtype="str").str.strip().str[-6:]
    uniques = pd.unique(tails)
    minutes = {}
    for tail in uniques:
        m = _OFFSET_TAIL.search(str(tail)) if isinstance(tail, str) else None
        if m is None:
            minutes[tail] = NO_OFFSET
        elif m.group(1) == "Z":
            minutes[tail] = 0
        else:
            digits = m.group(1)[1:].replace(":", "")
            value = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
            minutes[tail] = -value if m.group(1)[0] == "-" else value
    return tails.map(minutes).to_numpy(dtype=np.int64)


@dataclass(frozen=True)
class ZoneChoice:
    """The zone a file with UTC offsets is read in, and whether it was inferred from them."""

    zone: str
    inferred: bool
    note: str = ""


def zone_from_offsets(instants_utc, offsets_minutes, *, default: str, source: str = "the file") -> ZoneChoice:
    """The zone to read a file written with UTC offsets in, when no zone was given.

    The default zone is kept when every written offset fits it; otherwise the one
    canonical zone (tz database ``zone.tab``) that fits every offset is used; when none
    or several fit, the file is refused, naming the offsets found, the zones that fit
    and the parameter ``tz`` to set (a file re-cut to the wrong zone's days and holidays
    forecasts worse, silently: issue 17).

    Raises
    ------
    WfmInputError
        ``parameter="tz"``: no zone, or more than one, fits the offsets.
    """
    t = pd.DatetimeIndex(instants_utc).tz_convert("UTC")
    off = np.asarray(offsets_minutes, dtype=np.int64)
    known = off != NO_OFFSET
    t, off = t[known], off[known]
    if len(t) == 0 or zones_matching_offsets(t, off, candidates=[default]):
        return ZoneChoice(default, False)
    canonical = sorted(_zone_countries()) or _area_city_zones()
    fits = zones_matching_offsets(t, off, candidates=canonical)
    found = offsets_text(off)
    if len(fits) == 1:
        country = country_of_zone(fits[0])
        note = (f"{source}: its timestamps carry the UTC offsets {found}, which do not fit {default} and fit only "
                f"{fits[0]}: read in {fits[0]}" + (f" (holidays of {country} unless a country is given)" if country else ""))
        return ZoneChoice(fits[0], True, note)
    if fits:
        shown = ", ".join(fits[:_ZONES_SHOWN]) + (f" and {len(fits) - _ZONES_SHOWN} more" if len(fits) > _ZONES_SHOWN else "")
        which = f"several zones fit them ({shown})"
    else:
        which = "no zone of the tz database fits them all (check the offsets)"
    written_in_utc = " (the file is written in UTC, which does not say whose days and holidays apply)" \
        if set(np.unique(off)) == {0} else ""
    raise WfmInputError(
        f"{source}: its timestamps carry the UTC offsets {found}{written_in_utc}, which do not fit the default zone "
        f"{default}; {which}; set tz to the zone the calls were taken in",
        parameter="tz")
