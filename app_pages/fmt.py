"""Numbers, percentages, dates and tables in the planner's language (Swedish: 1 234,5 and 80 %).

Pure functions of a value and a language code (default: the language chosen in the sidebar), so
pages never format with f-strings of their own. Tables are formatted for reading (rounded, readable
column names, text cells); downloads keep the machine formats of the files they are.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

NBSP = "\u00a0"
MINUS = "\u2212"

WEEKDAYS_LONG = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
}
WEEKDAYS_SHORT = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "sv": ("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
}
MONTHS_LONG = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december"),
}
MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}


def _lang(lang: str | None) -> str:
    from app_pages.i18n import current_language

    return lang or current_language()


def _missing(value) -> bool:
    return value is None or (isinstance(value, (float, np.floating)) and math.isnan(value)) or value is pd.NA


def number(value, decimals: int = 0, lang: str | None = None, *, sign: bool = False) -> str:
    """``1,234.5`` (English) or ``1 234,5`` (Swedish, no-break space); ``–`` for a missing value."""
    if _missing(value):
        return "–"
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    text = f"{abs(value):,.{decimals}f}"
    if round(value, decimals) == 0:
        value = 0.0  # no "-0"
    lang = _lang(lang)
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
        minus = MINUS
    else:
        minus = "-"
    prefix = minus if value < 0 else ("+" if sign and value > 0 else "")
    return prefix + text


def percent(share, decimals: int = 0, lang: str | None = None, *, sign: bool = False) -> str:
    """A share in [0, 1] as ``80 %`` (``80,5 %`` in Swedish)."""
    if _missing(share):
        return "–"
    return f"{number(100.0 * float(share), decimals, lang, sign=sign)}{NBSP}%"


def points(value_fraction, decimals: int = 1, lang: str | None = None) -> str:
    """A difference of two shares in percentage points, signed (``+1.2``)."""
    return number(100.0 * float(value_fraction), decimals, lang, sign=True)


def duration_seconds(seconds, lang: str | None = None) -> str:
    """``3 min``, ``90 s`` or ``1 h 30 min``: whole minutes when the value is whole minutes."""
    if _missing(seconds):
        return "–"
    seconds = float(seconds)
    if seconds >= 3600 and seconds % 60 == 0:
        h, m = divmod(int(seconds) // 60, 60)
        return f"{h}{NBSP}h" + (f" {m}{NBSP}min" if m else "")
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}{NBSP}min"
    return f"{number(seconds, 0, lang)}{NBSP}s"


def weekday(index: int, lang: str | None = None, *, short: bool = False) -> str:
    return (WEEKDAYS_SHORT if short else WEEKDAYS_LONG)[_lang(lang)][index]


def month(index_1: int, lang: str | None = None, *, short: bool = False) -> str:
    return (MONTHS_SHORT if short else MONTHS_LONG)[_lang(lang)][index_1 - 1]


def day(value, lang: str | None = None, *, style: str = "long") -> str:
    """A date: ``long`` (``Monday 5 January 2026`` / ``måndag 5 januari 2026``), ``short`` (``Mon 5 Jan``),
    ``iso`` (``2026-01-05``)."""
    if _missing(value):
        return "–"
    d = value.date() if isinstance(value, (dt.datetime, pd.Timestamp)) else value
    lang = _lang(lang)
    if style == "iso":
        return f"{d:%Y-%m-%d}"
    if style == "short":
        return f"{weekday(d.weekday(), lang, short=True)} {d.day} {month(d.month, lang, short=True)}"
    return f"{weekday(d.weekday(), lang)} {d.day} {month(d.month, lang)} {d.year}"


def timestamp(value, lang: str | None = None) -> str:
    """``2026-01-05 08:15`` (ISO date, 24-hour clock: the same in both languages)."""
    if _missing(value):
        return "–"
    return f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


#: A plotly date axis without month or weekday names (they would be English): hours within a day,
#: ISO dates beyond.
DATE_AXIS: dict = {"tickformatstops": [
    {"dtickrange": [None, 86_400_000], "value": "%H:%M\n%Y-%m-%d"},
    {"dtickrange": [86_400_000, None], "value": "%Y-%m-%d"},
]}


# --------------------------------------------------------------------------- tables
#: How a column is shown: ("number", decimals) | ("percent", decimals) | ("seconds",) | ("timestamp",)
#: | ("date",) | ("text",) | ("bool",)
ColumnKind = tuple


def guess_kind(name: str, series: pd.Series) -> ColumnKind:
    """How to show a column, from its canonical name and dtype (the nomenclature's unit suffixes)."""
    if pd.api.types.is_bool_dtype(series):
        return ("bool",)
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series):
        return ("timestamp",)
    if not pd.api.types.is_numeric_dtype(series):
        if len(series) and isinstance(series.iloc[0], dt.date):
            return ("date",)
        return ("text",)
    share_words = ("service_level", "abandon_rate", "occupancy", "shrinkage", "p_wait", "wape", "bias", "coverage80",
                   "coverage95", "p_meet", "share", "sl_", "_rate", "_pct_of")
    if any(w in name for w in share_words):
        return ("percent", 1)
    if name.endswith("_seconds"):
        return ("number", 0)
    if pd.api.types.is_integer_dtype(series):
        return ("number", 0)
    values = series.dropna().to_numpy(dtype=float)
    if len(values) and np.allclose(values, np.round(values)):
        return ("number", 0)
    return ("number", 1)


def cell(value, kind: ColumnKind, lang: str | None = None) -> str:
    """One table cell as text."""
    if not isinstance(value, (tuple, list)) and _missing(value):
        return ""
    what = kind[0]
    if what == "number":
        return number(value, kind[1], lang)
    if what == "percent":
        return percent(value, kind[1], lang)
    if what == "timestamp":
        return timestamp(value, lang)
    if what == "date":
        return day(value, lang, style="iso")
    if what == "bool":
        from app_pages.i18n import t

        return t("yes") if bool(value) else t("no")
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    return str(value)


def table(frame: pd.DataFrame, labels: Mapping[str, str] | None = None, *,
          kinds: Mapping[str, ColumnKind] | None = None, columns: list[str] | None = None,
          lang: str | None = None, index: bool = False) -> pd.DataFrame:
    """``frame`` for reading: chosen ``columns``, each cell formatted by its kind, readable headers.

    ``labels`` maps canonical column names to headers (default :func:`app_pages.i18n.column_label`);
    ``kinds`` overrides :func:`guess_kind` per column.
    """
    from app_pages.i18n import column_label

    lang = _lang(lang)
    df = frame.reset_index() if index else frame
    cols = [c for c in (columns or list(df.columns)) if c in df.columns]
    out = {}
    for c in cols:
        kind = (kinds or {}).get(c) or guess_kind(str(c), df[c])
        header = (labels or {}).get(c) or column_label(str(c), lang)
        out[header] = [cell(v, kind, lang) for v in df[c].tolist()]
    return pd.DataFrame(out)
