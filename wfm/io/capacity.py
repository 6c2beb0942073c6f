"""The capacity plan's files: settings (YAML), a hiring plan and overtime (CSV), the month table
(CSV and XLSX).

* **settings** — one YAML document (read by :func:`~wfm.ground.yamlfile.load_yaml`: safe and
  bounded); this module checks that it is a mapping and hands it on, the capacity stage
  (:func:`optimiser.capacity.settings.settings_from_mapping`) checks every key and value.  Layout:
  ``docs/capacity.md``; example ``data/demo_capacity.yaml``.
* **hiring plan** — ``class_type,start,hires``: one row per class, ``start`` a date
  ``YYYY-MM-DD``, ``hires`` a whole number >= 0.
* **overtime** — ``month,overtime_hours_per_week``: ``month`` ``YYYY-MM``, hours >= 0 (centre total
  per week, on the phone).
* **month table** — the evaluation's columns (``docs/capacity.md``), ``month`` as ``YYYY-MM``,
  dates ``YYYY-MM-DD``, numbers with 4 decimals; the workbook has sheets ``Months``, ``Classes`` and,
  after a simulation, ``Bands``.  Text that a spreadsheet would run as a formula is neutralised.

Readers take a path or an open file (an upload) and refuse, naming the file, row (1 = header)
and column, anything they cannot read exactly; nothing is dropped or altered silently.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import yaml

from wfm.ground.errors import WfmInputError
from wfm.ground.yamlfile import load_yaml
from wfm.io.common import FileLike, neutralise_formula, read_csv, source_name, write_text

__all__ = [
    "HIRING_PLAN_COLUMNS",
    "OVERTIME_COLUMNS",
    "capacity_workbook_bytes",
    "month_table_csv_text",
    "read_capacity_settings",
    "read_hiring_plan",
    "read_month_table",
    "read_overtime",
    "settings_yaml_text",
    "write_hiring_plan",
    "write_month_table_csv",
    "write_month_table_xlsx",
]

HIRING_PLAN_COLUMNS: tuple[str, ...] = ("class_type", "start", "hires")
OVERTIME_COLUMNS: tuple[str, ...] = ("month", "overtime_hours_per_week")
#: Largest plan or overtime file [rows]: a plan has a few classes per month for at most 5 years.
MAX_ROWS = 10_000
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def read_capacity_settings(source: FileLike | bytes, *, name: str | None = None) -> dict:
    """The settings mapping of a capacity settings file (YAML).

    Raises
    ------
    WfmInputError
        Not found, too large, not YAML, or not a mapping at the top.
    """
    label = name or source_name(source, "capacity settings")
    if hasattr(source, "read"):
        source = source.read()
    elif isinstance(source, str):
        source = Path(source)
    doc = load_yaml(source, name=label, what="capacity settings file")
    if not isinstance(doc, dict):
        raise WfmInputError(f"{label}: a capacity settings file is a mapping of sections (plan, targets, ...), got "
                            f"{type(doc).__name__}")
    return doc


def settings_yaml_text(mapping: dict) -> str:
    """YAML text of a settings mapping (the app's download; readable by :func:`read_capacity_settings`)."""
    return yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, default_flow_style=None)


def _read_rows(source: FileLike, what: str, columns: tuple[str, ...]) -> tuple[pd.DataFrame, str]:
    label = source_name(source, what)
    frame = read_csv(source, what, label, dtype=str, keep_default_na=False, nrows=MAX_ROWS + 1)
    header = [str(c).strip() for c in frame.columns]
    if header != list(columns):
        raise WfmInputError(f"{label}: the {what} must have the columns {','.join(columns)} in this order, got "
                            f"{','.join(header)}")
    if len(frame) > MAX_ROWS:
        raise WfmInputError(f"{label}: more than {MAX_ROWS} rows; a {what} is smaller")
    frame.columns = header
    return frame.apply(lambda col: col.str.strip()), label


def read_hiring_plan(source: FileLike) -> pd.DataFrame:
    """A hiring plan file: ``class_type`` (text), ``start`` (date), ``hires`` (int), in file order.

    Raises
    ------
    WfmInputError
        Every problem at once, each naming the file, row and column.
    """
    frame, label = _read_rows(source, "hiring plan", HIRING_PLAN_COLUMNS)
    errors, starts, hires = [], [], []
    for i, (kind, start, n) in enumerate(frame.itertuples(index=False), start=2):
        if not kind:
            errors.append(f"{label}: row {i}, column class_type: must name a hiring class type, got an empty cell")
        try:
            starts.append(dt.date.fromisoformat(start))
        except ValueError:
            starts.append(None)
            errors.append(f"{label}: row {i}, column start: must be a date YYYY-MM-DD, got {start!r}")
        if not n.isdigit():
            errors.append(f"{label}: row {i}, column hires: must be a whole number >= 0, got {n!r}")
        hires.append(int(n) if n.isdigit() else None)
    if errors:
        raise WfmInputError(errors[0] if len(errors) == 1 else f"{label}: {len(errors)} problems; first: {errors[0]}",
                            errors)
    return pd.DataFrame({"class_type": frame["class_type"].tolist(), "start": starts, "hires": hires},
                        columns=list(HIRING_PLAN_COLUMNS))


def read_overtime(source: FileLike) -> pd.DataFrame:
    """An overtime file: ``month`` (first of month, ``datetime.date``) and ``overtime_hours_per_week`` (float)."""
    frame, label = _read_rows(source, "overtime file", OVERTIME_COLUMNS)
    errors, months, hours = [], [], []
    for i, (month, value) in enumerate(frame.itertuples(index=False), start=2):
        months.append(dt.date(int(month[:4]), int(month[5:7]), 1) if _MONTH.match(month) and
                      1 <= int(month[5:7]) <= 12 else None)
        if months[-1] is None:
            errors.append(f"{label}: row {i}, column month: must be a month YYYY-MM, got {month!r}")
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        if pd.isna(number) or not (0 <= float(number) < float("inf")):
            errors.append(f"{label}: row {i}, column overtime_hours_per_week: must be a number >= 0, got {value!r}")
        hours.append(None if pd.isna(number) else float(number))
    if len(set(months)) != len(months) and not errors:
        errors.append(f"{label}: a month appears twice")
    if errors:
        raise WfmInputError(errors[0] if len(errors) == 1 else f"{label}: {len(errors)} problems; first: {errors[0]}",
                            errors)
    return pd.DataFrame({"month": months, "overtime_hours_per_week": hours})


def write_hiring_plan(plan: pd.DataFrame, target: FileLike | None = None) -> str:
    """The hiring plan file of a table with :data:`HIRING_PLAN_COLUMNS`; returns the text too."""
    out = plan[list(HIRING_PLAN_COLUMNS)].copy()
    out["class_type"] = out["class_type"].astype(str).map(neutralise_formula)
    out["start"] = [d.isoformat() if isinstance(d, dt.date) else str(d) for d in out["start"]]
    text = out.to_csv(index=False, lineterminator="\n")
    write_text(text, target)
    return text


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text (``month`` as ``YYYY-MM``) and text neutralised, for CSV."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if col == "month":
            out[col] = [f"{d:%Y-%m}" for d in values]
        elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            out[col] = [("" if v is None or (isinstance(v, float) and pd.isna(v)) else
                         v.isoformat()[:10] if isinstance(v, (dt.date, pd.Timestamp)) else neutralise_formula(v))
                        for v in values]
    return out


def month_table_csv_text(months: pd.DataFrame, bands: pd.DataFrame | None = None) -> str:
    """The month table as CSV text (the bands' columns appended after a simulation)."""
    frame = months if bands is None else months.merge(bands, on="month", how="left")
    return _text_frame(frame).to_csv(index=False, float_format="%.4f", lineterminator="\n")


def write_month_table_csv(months: pd.DataFrame, target: FileLike, bands: pd.DataFrame | None = None) -> str:
    """Write the month table CSV to ``target`` (path or open file); returns the text."""
    text = month_table_csv_text(months, bands)
    write_text(text, target)
    return text


def capacity_workbook_bytes(months: pd.DataFrame, classes: pd.DataFrame, bands: pd.DataFrame | None = None) -> bytes:
    """An XLSX workbook: ``Months``, ``Classes`` and (after a simulation) ``Bands``; no cell is a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    sheets = [("Months", months), ("Classes", classes)] + ([("Bands", bands)] if bands is not None else [])
    for k, (title, frame) in enumerate(sheets):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = title
        text = _text_frame(frame)
        for j, col in enumerate(text.columns, start=1):
            ws.cell(row=1, column=j, value=col).font = Font(bold=True)
            ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = max(10, len(col) + 2)
        for i, row in enumerate(text.itertuples(index=False), start=2):
            for j, value in enumerate(row, start=1):
                if isinstance(value, float) and pd.isna(value):
                    value = None
                elif hasattr(value, "item"):
                    value = value.item()
                cell = ws.cell(row=i, column=j, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula
        ws.freeze_panes = "B2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_month_table_xlsx(months: pd.DataFrame, classes: pd.DataFrame, target: FileLike,
                           bands: pd.DataFrame | None = None) -> None:
    """Write the capacity workbook (see :func:`capacity_workbook_bytes`) to a path or a binary file."""
    data = capacity_workbook_bytes(months, classes, bands)
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)


#: Columns a month table must have to be read back (the plan store's capacity contract).
MONTH_TABLE_REQUIRED: tuple[str, ...] = ("month", "required_fte", "available_fte", "service_level")


def read_month_table(source: FileLike) -> pd.DataFrame:
    """A month table CSV (as ``wfm capacity`` writes it) as a frame: ``month`` the first day of the month
    (``datetime.date``), ``meets_target`` bool, every other column a number (an empty cell is NaN).

    Raises
    ------
    WfmInputError
        A missing column of :data:`MONTH_TABLE_REQUIRED`, a month that is not ``YYYY-MM`` or appears
        twice, a value that is not a number or ``True``/``False`` — naming the file, row and column.
    """
    label = source_name(source, "month table")
    frame = read_csv(source, "month table", label, dtype=str, keep_default_na=False, nrows=MAX_ROWS + 1)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in MONTH_TABLE_REQUIRED if c not in frame.columns]
    if missing:
        raise WfmInputError(f"{label}: missing column(s) {', '.join(missing)} of the month table")
    if len(frame) > MAX_ROWS:
        raise WfmInputError(f"{label}: more than {MAX_ROWS} rows; a month table is smaller")
    errors, out = [], {}
    for column in frame.columns:
        cells = frame[column].str.strip()
        if column == "month":
            ok = cells.str.match(_MONTH.pattern) & cells.str[5:7].isin([f"{m:02d}" for m in range(1, 13)])
            out[column] = [dt.date(int(v[:4]), int(v[5:7]), 1) if good else None for v, good in zip(cells, ok)]
            bad = [(i, v) for i, (v, good) in enumerate(zip(cells, ok)) if not good]
            errors += [f"{label}: row {i + 2}, column month: must be a month YYYY-MM, got {v!r}" for i, v in bad]
        elif column == "meets_target":
            out[column] = cells.map({"True": True, "False": False, "true": True, "false": False})
            errors += [f"{label}: row {i + 2}, column meets_target: must be True or False, got {v!r}"
                       for i, v in enumerate(cells) if pd.isna(out[column].iloc[i])]
        else:
            numbers = pd.to_numeric(cells.where(cells != "", "nan"), errors="coerce")
            errors += [f"{label}: row {i + 2}, column {column}: must be a number, got {v!r}"
                       for i, (v, n) in enumerate(zip(cells, numbers)) if pd.isna(n) and v not in ("", "nan", "NaN")]
            if column in MONTH_TABLE_REQUIRED:
                errors += [f"{label}: row {i + 2}, column {column}: must not be empty"
                           for i, v in enumerate(cells) if v == ""]
            out[column] = numbers.astype("float64")
    months = [m for m in out["month"] if m is not None]
    if not errors and len(set(months)) != len(months):
        errors.append(f"{label}: a month appears twice")
    if errors:
        raise WfmInputError(errors[0] if len(errors) == 1 else f"{label}: {len(errors)} problems; first: {errors[0]}",
                            errors)
    return pd.DataFrame(out, columns=list(frame.columns))

