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
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

import numpy as np
import pandas as pd

__all__ = ["zones_matching_offsets", "country_of_zone", "offsets_text"]


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
