"""Regenerate the small history fixtures beside this file (deterministic).

Run: ``.venv/bin/python tests/wfm/io/data/make_history_fixtures.py``.
Each ``bad_*.csv`` breaks exactly one rule at a known row (see the tests).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
TZ = "Europe/Stockholm"
HEADER = "interval_start,queue,calls_offered,calls_answered,calls_abandoned,aht_seconds"


def _rows(start: str, periods: int, queue: str = "reports", seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    stamps = pd.date_range(pd.Timestamp(start, tz=TZ), periods=periods, freq="15min")
    out = []
    for ts in stamps:
        offered = int(rng.integers(0, 40))
        answered = int(rng.integers(0, offered + 1))
        abandoned = int(rng.integers(0, offered - answered + 1))
        aht = round(float(rng.uniform(180, 420)), 1) if answered else 0.0
        out.append(f"{ts.isoformat()},{queue},{offered},{answered},{abandoned},{aht}")
    return out


def write(name: str, lines: list[str]) -> None:
    (HERE / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    # A good two-queue file over the spring-forward night (2024-03-31 has 92 quarter-hours).
    good = _rows("2024-03-30 00:00", 96 * 3 - 4, "reports", 1) + _rows("2024-03-30 00:00", 96 * 3 - 4, "tips", 2)
    write("good_dst.csv", [HEADER, *good])
    with gzip.open(HERE / "good_dst.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        fh.write("\n".join([HEADER, *good]) + "\n")

    base = _rows("2024-01-08 00:00", 16, "reports", 3)  # rows 2..17 of the file

    def bad(name: str, row: int, line: str | None) -> None:
        lines = [HEADER, *base]
        if line is None:
            del lines[row - 1]
        else:
            lines[row - 1] = line
        write(name, lines)

    write("bad_missing_column.csv", ["interval_start,queue,calls_answered", *[",".join(r.split(",")[:2] + [r.split(",")[3]]) for r in base]])
    bad("bad_timestamp.csv", 5, "2024-01-08T0l:00:00+01:00,reports,3,3,0,200.0")
    bad("bad_negative_count.csv", 7, "2024-01-08T01:15:00+01:00,reports,-3,0,0,0.0")
    bad("bad_non_numeric_count.csv", 8, "2024-01-08T01:30:00+01:00,reports,twelve,0,0,0.0")
    bad("bad_answered_over_offered.csv", 9, "2024-01-08T01:45:00+01:00,reports,14,12,3,250.0")
    bad("bad_duplicate_interval.csv", 10, "2024-01-08T01:45:00+01:00,reports,5,5,0,250.0")
    # 15-minute file whose rows 10.. switch to a 10-minute step
    stamps = list(pd.date_range(pd.Timestamp("2024-01-08 00:00", tz=TZ), periods=8, freq="15min")) + list(
        pd.date_range(pd.Timestamp("2024-01-08 02:10", tz=TZ), periods=3, freq="10min")
    )
    write("bad_mixed_intervals.csv", [HEADER, *[f"{t.isoformat()},reports,4,4,0,200.0" for t in stamps]])
    naive_header = HEADER
    amb = [f"2024-10-27 {h:02d}:{m:02d},reports,2,2,0,200.0" for h in (0, 1, 2) for m in (0, 15, 30, 45)] + [
        f"2024-10-27 {h:02d}:{m:02d},reports,2,2,0,200.0" for h in (3, 4) for m in (0, 15, 30, 45)
    ]
    write("bad_ambiguous_local.csv", [naive_header, *amb])  # 02:00..02:45 listed once: rows 10-13 ambiguous
    ne = [f"2024-03-31 {h:02d}:{m:02d},reports,2,2,0,200.0" for h in (0, 1, 2, 3) for m in (0, 15, 30, 45)]
    write("bad_nonexistent_local.csv", [naive_header, *ne])  # 02:00..02:45 do not exist: rows 10-13
    (HERE / "bad_empty.csv").write_bytes(b"")
    write("bad_header_only.csv", [HEADER])
    rng = np.random.default_rng(7)
    (HERE / "bad_binary.csv").write_bytes(bytes(rng.integers(0, 256, 300, dtype=np.uint8)))
    latin = [HEADER, *base]
    latin[3] = latin[3].replace("reports", "v\u00e4xel")
    (HERE / "bad_latin1.csv").write_bytes(("\n".join(latin) + "\n").encode("latin-1"))
    bad("bad_short_row.csv", 6, "2024-01-08T01:00:00+01:00,reports,3")

    # Weekday centre: Mon-Fri 07:00-21:00 only, four weeks, one gap (Wed 2024-01-17 10:00-11:00).
    rng = np.random.default_rng(11)
    lines = [HEADER]
    for day in pd.date_range("2024-01-08", "2024-02-02", freq="D"):
        if day.weekday() >= 5:
            continue
        for ts in pd.date_range(pd.Timestamp(f"{day:%Y-%m-%d} 07:00", tz=TZ), periods=56, freq="15min"):
            if ts.strftime("%Y-%m-%d") == "2024-01-17" and 10 <= ts.hour < 11:
                continue
            offered = int(rng.integers(1, 30))
            lines.append(f"{ts.isoformat()},main,{offered},{offered},0,{round(float(rng.uniform(200, 400)), 1)}")
    write("weekday_centre.csv", lines)

    # A mapped export: Date + Time (naive local, dd/mm/yyyy), Offered, Answered, handle time mm:ss,
    # an ignored column; over the fall-back night, with the repeated hour listed twice in order.
    lines = ["Date,Time,Offered,Answered,Handle time,Agents"]
    times = [f"{h:02d}:{m:02d}" for h in (0, 1, 2) for m in (0, 15, 30, 45)]
    times += [f"02:{m:02d}" for m in (0, 15, 30, 45)]
    times += [f"{h:02d}:{m:02d}" for h in range(3, 24) for m in (0, 15, 30, 45)]
    rng = np.random.default_rng(5)
    for t in times:
        offered = int(rng.integers(1, 20))
        secs = int(rng.integers(120, 600))
        lines.append(f"27/10/2024,{t},{offered},{offered},{secs // 60}:{secs % 60:02d},{int(rng.integers(3, 9))}")
    write("mapped_export.csv", lines)
    (HERE / "mapped_export.yaml").write_text(
        "# Export with separate Date and Time columns, handle time as mm:ss, one queue.\n"
        "columns:\n  Offered: calls_offered\n  Answered: calls_answered\n  Handle time: aht_seconds\n"
        "date_column: Date\ntime_column: Time\ndate_format: \"%d/%m/%Y\"\ntime_format: \"%H:%M\"\n"
        "duration_format:\n  aht_seconds: \"mm:ss\"\nqueue: main\nignore: [Agents]\n",
        encoding="utf-8",
    )

    # XLSX with naive local datetime cells; Parquet with tz-aware timestamps.
    frame = pd.read_csv(HERE / "good_dst.csv")
    stamps = pd.to_datetime(frame["interval_start"], utc=True).dt.tz_convert(TZ)
    xl = frame.iloc[:96].copy()
    xl["interval_start"] = stamps.iloc[:96].dt.tz_localize(None)
    xl.to_excel(HERE / "history.xlsx", index=False)
    pq = frame.copy()
    pq["interval_start"] = stamps
    pq.to_parquet(HERE / "history.parquet", index=False)


if __name__ == "__main__":
    main()
