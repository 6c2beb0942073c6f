"""The accessibility report file (what `wfm accessibility` writes): CSV or an Excel workbook.

One row per period and queue (the columns of
``optimiser.today.achieved.ACHIEVED_COLUMNS``, plus the ``plan_*`` columns when a
published plan was compared).  Timestamps are written as ISO-8601 local time with
the UTC offset; text that a spreadsheet would run as a formula is neutralised.
The workbook has the report on sheet ``accessibility`` and, on sheet ``notes``,
what each ``service_level_source`` means, so an estimate is never read as a
measurement.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import format_offset_timestamps
from wfm.io.common import neutralise_formula

__all__ = ["REPORT_SUFFIXES", "SOURCE_NOTES", "accessibility_report_table", "write_accessibility_report"]

#: File types the report is written as, by the name's suffix.
REPORT_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx")
#: What each ``service_level_source`` value means (the workbook's notes sheet).
SOURCE_NOTES: dict[str, str] = {
    "measured": "share within the target time counted by the ACD (calls_answered_within_target) or from call records",
    "estimate_erlang_a": "share within the target time ESTIMATED with Erlang A from offered, answered, "
                         "abandoned, ASA and handle time (no within-target counts in the data)",
    "mixed": "some intervals measured, others estimated",
    "unknown": "cannot be computed: no within-target counts and no ASA or handle time to estimate from",
}


def accessibility_report_table(report: pd.DataFrame) -> pd.DataFrame:
    """The report as file cells: timestamps as offset text, formula-like text neutralised."""
    out = report.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = format_offset_timestamps(out[column]).to_numpy()
        elif out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_formula)
    return out


def write_accessibility_report(report: pd.DataFrame, path) -> Path:
    """Write the report as CSV or XLSX (chosen by the suffix of ``path``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise WfmInputError(f"{path}: the report is written as {' or '.join(REPORT_SUFFIXES)}, got {suffix or 'no suffix'!r}",
                            parameter="out")
    table = accessibility_report_table(report)
    try:
        if suffix == ".csv":
            table.to_csv(path, index=False)
        else:
            notes = pd.DataFrame({"service_level_source": list(SOURCE_NOTES), "meaning": list(SOURCE_NOTES.values())})
            with pd.ExcelWriter(path, engine="openpyxl") as writer:
                table.to_excel(writer, sheet_name="accessibility", index=False)
                notes.to_excel(writer, sheet_name="notes", index=False)
    except OSError as exc:
        raise WfmInputError(f"{path}: cannot write the report ({exc.strerror or exc})", parameter="out") from exc
    return path
