"""The Data page's upload panel: time zone, file, column mapping, and what became of the upload.

Widgets and rendering only; reading, validating and the mapping format are the library's
(:func:`wfm.io.history.read_history`, :mod:`wfm.io.mapping`).
"""

from __future__ import annotations

import hashlib
import io

import streamlit as st

from app_pages import fmt
from app_pages.i18n import column_label, t
from app_pages.session import Computed, Session, Stamp, UploadState
from wfm.ground.errors import WfmInputError
from wfm.ground.vocabulary import DEFAULT_TZ

MAX_ERRORS_SHOWN = 200


def _read(data: bytes, name: str, tz: str, mapping):
    from wfm.io.history import read_history

    buffer = io.BytesIO(data)
    buffer.name = name
    # the default zone left as it is: a file whose UTC offsets fit another zone only is read in that
    # zone, one that several zones fit is refused naming them (issue 17 item 0)
    return read_history(buffer, tz=None if tz == DEFAULT_TZ else tz, mapping=mapping)


def _try_upload(s: Session, data: bytes, name: str, tz: str, mapping, mapping_text: str) -> None:
    """Validate the file; keep it as the session's history when accepted, keep the errors when refused."""
    key = hashlib.sha256(data + b"\0" + tz.encode() + b"\0" + mapping_text.encode()).hexdigest()[:16]
    if s.uploaded is not None and s.uploaded.stamp.key == f"history:upload:{key}":
        return  # the same file, zone and mapping as the accepted one
    if s.upload.status == "refused" and s.upload.content_key == key:
        return  # the same refused file: its errors are on screen already
    try:
        with st.spinner(t("validating")):
            frame = _read(data, name, tz, mapping)
    except WfmInputError as exc:
        s.uploaded = None
        s.upload = UploadState("refused", name, tz, mapping_text, tuple(exc.errors), key)
        return
    zone = str(frame.attrs.get("tz", tz))  # the zone the file was read in (inferred from its offsets or not)
    stamp = Stamp(f"history:upload:{key}", "history",
                  (("source", "upload"), ("file_name", name), ("tz", zone), ("rows", len(frame))))
    s.uploaded = Computed(frame, stamp, {})
    s.upload = UploadState("accepted", name, zone, mapping_text, (), key)


def show_refusal(upload: UploadState) -> None:
    """Every problem of a refused file, in full (wrapped text, not cut table cells)."""
    st.error(t("errors_found", name=upload.file_name, n=len(upload.errors)))
    shown = upload.errors[:MAX_ERRORS_SHOWN]
    st.markdown("\n".join(f"{i}. {message}" for i, message in enumerate(shown, 1)))
    if len(upload.errors) > len(shown):
        st.caption(t("more_errors", n=len(upload.errors) - len(shown)))
    st.download_button(t("download_errors"), "\n".join(upload.errors), "upload-errors.txt", "text/plain",
                       key="upload_errors_download", on_click="ignore")


def upload_panel(s: Session) -> None:
    """Time zone and file; validates a newly chosen file; shows the accepted or refused upload."""
    c1, c2 = st.columns([1, 2])
    tz = c1.text_input(t("timezone"), value=s.upload.tz or DEFAULT_TZ, key="upload_tz", persist_state="session",
                       help=t("timezone_help")).strip()
    uploaded = c2.file_uploader(t("upload"), type=["csv", "gz", "xlsx", "parquet"], key="upload_file",
                                help=t("upload_help"))
    if uploaded is not None:
        data = uploaded.getvalue()
        mapping, mapping_text = mapping_choice(s, data, uploaded.name)
        _try_upload(s, data, uploaded.name, tz, mapping, mapping_text)
    if s.upload.status == "refused":
        show_refusal(s.upload)
    elif s.upload.status == "accepted":
        st.success(t("upload_in_use", name=s.upload.file_name, tz=s.upload.tz,
                     rows=fmt.number(s.uploaded.stamp.fact("rows", 0))))
        if s.upload.mapping_text:
            st.caption(t("mapping_in_use"))
        if uploaded is None:
            st.caption(t("upload_kept"))
    else:
        st.info(t("upload_prompt"))
    if uploaded is not None and not uploaded.name.lower().endswith(".parquet"):
        mapping_editor(s, uploaded.getvalue(), uploaded.name)


def _is_csv(name: str) -> bool:
    return name.lower().endswith((".csv", ".csv.gz", ".gz", ".txt"))


def mapping_choice(s: Session, data: bytes, name: str):
    """The column mapping to read the upload with: the planner's (made in :func:`mapping_editor`), else for a
    CSV whose separator or decimal mark is not the canonical one the detected ones (said on screen), else
    None (the canonical layout). Returns the mapping and its YAML text (part of the upload's identity)."""
    from wfm.io.mapping import HistoryMapping, detect_csv_layout, load_mapping, mapping_text

    if s.mapping_text:
        return load_mapping(io.StringIO(s.mapping_text)), s.mapping_text
    if not _is_csv(name):
        return None, ""
    sep, decimal = detect_csv_layout(data)
    if (sep, decimal) == (",", "."):
        return None, ""
    st.info(t("mapping_detected", sep=_sep_label(sep), decimal=decimal))
    mapping = HistoryMapping(sep=sep, decimal=decimal)
    return mapping, mapping_text(mapping)


def _sep_label(sep: str) -> str:
    return {",": t("sep_comma"), ";": t("sep_semicolon"), "\t": t("sep_tab")}.get(sep, sep)


def _current_mapping(s: Session, data: bytes, name: str):
    from wfm.io.mapping import HistoryMapping, detect_csv_layout, load_mapping

    if s.mapping_text:
        try:
            return load_mapping(io.StringIO(s.mapping_text))
        except WfmInputError:
            return HistoryMapping()
    if _is_csv(name):
        sep, decimal = detect_csv_layout(data)
        return HistoryMapping(sep=sep, decimal=decimal)
    return HistoryMapping()


def _pick(label: str, columns: list[str], current: str | None, key: str) -> str | None:
    options = [""] + columns
    index = options.index(current) if current in options else 0
    choice = st.selectbox(label, options, index=index, key=key,
                          format_func=lambda c: c if c else t("mapping_not_in_file"))
    return choice or None


# long: one widget per canonical column and option of the mapping file, in the file's order
def mapping_editor(s: Session, data: bytes, name: str) -> None:
    """Say which column of the file is which (and how dates, durations, separator and decimal mark are
    written); reading the file with it, and the mapping file (the same the command line reads) to download."""
    from wfm.ground.frames import HISTORY_COLUMNS
    from wfm.io.mapping import DURATION_FORMATS, SEPARATORS, export_columns, load_mapping, mapping_text

    refused = s.upload.status == "refused"
    with st.expander(t("mapping_title"), expanded=refused or bool(s.mapping_text)):
        st.caption(t("mapping_intro"))
        if refused:
            st.caption(t("mapping_hint"))
        current = _current_mapping(s, data, name)
        c1, c2, c3 = st.columns(3)
        sep = c1.selectbox(t("mapping_sep"), SEPARATORS, index=SEPARATORS.index(current.sep)
                           if current.sep in SEPARATORS else 0, format_func=_sep_label, key="map_sep")
        decimal = c2.selectbox(t("mapping_decimal"), [".", ","], index=[".", ","].index(current.decimal)
                               if current.decimal in (".", ",") else 0, key="map_decimal")
        encoding = c3.text_input(t("mapping_encoding"), value=current.encoding or "utf-8", key="map_encoding")
        try:
            columns = export_columns(data, name, sep=sep, encoding=encoding or "utf-8", sheet=current.sheet)
        except WfmInputError as exc:
            st.error(str(exc))
            return
        chosen = {canon: src for src, canon in current.columns}
        split = st.checkbox(t("mapping_date_time_split"), value=bool(current.date_column), key="map_split")
        pairs = {}
        cols = st.columns(3)
        for i, canon in enumerate(HISTORY_COLUMNS):
            if canon == "interval_start" and split:
                continue
            with cols[i % 3]:
                src = _pick(column_label(canon), columns, chosen.get(canon, canon if canon in columns else None),
                            key=f"map_col_{canon}")
            if src is not None:
                pairs[src] = canon
        doc = {"columns": pairs, "sep": sep, "decimal": decimal}
        if encoding and encoding.lower() not in ("utf-8", "utf8"):
            doc["encoding"] = encoding
        d1, d2 = st.columns(2)
        if split:
            doc["date_column"] = _pick(t("mapping_date_column"), columns, current.date_column, "map_date_col")
            doc["time_column"] = _pick(t("mapping_time_column"), columns, current.time_column, "map_time_col")
            doc["date_format"] = d1.text_input(t("mapping_date_format"), current.date_format or "%Y-%m-%d",
                                               key="map_date_fmt")
            doc["time_format"] = d2.text_input(t("mapping_time_format"), current.time_format or "%H:%M",
                                               key="map_time_fmt")
        else:
            fmt_text = d1.text_input(t("mapping_timestamp_format"), current.timestamp_format or "", key="map_ts_fmt")
            if fmt_text.strip():
                doc["timestamp_format"] = fmt_text.strip()
        queue = d2.text_input(t("mapping_constant_queue"), current.queue or "", key="map_queue")
        if queue.strip() and "queue" not in pairs.values():
            doc["queue"] = queue.strip()
        durations = dict(current.duration_format)
        duration = d1.selectbox(t("mapping_duration"), DURATION_FORMATS,
                                index=DURATION_FORMATS.index(durations.get("aht_seconds", "seconds")), key="map_dur")
        if duration != "seconds":
            doc["duration_format"] = {"aht_seconds": duration}
        doc = {k: v for k, v in doc.items() if v is not None}
        used = set(pairs) | {doc.get("date_column"), doc.get("time_column")}
        ignored = [c for c in columns if c not in used]
        if ignored:
            doc["ignore"] = ignored
            st.caption(t("mapping_ignored", columns=", ".join(ignored)))
        b1, b2, b3 = st.columns(3)
        if b1.button(t("mapping_apply"), key="map_apply", type="primary"):
            try:
                s.mapping_text = mapping_text(load_mapping(doc))
            except WfmInputError as exc:
                for message in exc.errors:
                    st.error(message)
                return
            st.rerun()
        if b2.button(t("mapping_clear"), key="map_clear", disabled=not s.mapping_text):
            s.mapping_text = ""
            st.rerun()
        if s.mapping_text:
            b3.download_button(t("mapping_download"), s.mapping_text, "mapping.yaml", "text/yaml", key="map_download",
                               on_click="ignore")


def opening_hours_lines(summary) -> list[str]:
    """``reports: Mon–Sun 00:00–24:00`` per queue, with weekday names and words in the planner's language."""
    lines = []
    for oh in summary.opening_hours:
        parts, d = [], 0
        while d < 7:
            e = d
            while e + 1 < 7 and oh.spans[e + 1] == oh.spans[d]:
                e += 1
            days = fmt.weekday(d, short=True) if d == e else f"{fmt.weekday(d, short=True)}–{fmt.weekday(e, short=True)}"
            spans = oh.spans[d]
            hours = t("no_data") if spans is None else t("closed") if not spans else ", ".join(
                f"{a // 60:02d}:{a % 60:02d}–{b // 60:02d}:{b % 60:02d}" for a, b in spans)
            parts.append(f"{days} {hours}")
            d = e + 1
        lines.append(f"**{oh.queue}**: " + "; ".join(parts))
    return lines
