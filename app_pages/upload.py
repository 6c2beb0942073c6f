"""The Data page's upload panel: time zone, file, column mapping, and what became of the upload.

Widgets and rendering only; reading, validating and the mapping format are the library's
(:func:`wfm.io.history.read_history`, :mod:`wfm.io.mapping`).
"""

from __future__ import annotations

import hashlib
import io

import streamlit as st

from app_pages import fmt
from app_pages.i18n import t
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
    mapping, mapping_text = mapping_choice(s)
    if uploaded is not None:
        _try_upload(s, uploaded.getvalue(), uploaded.name, tz, mapping, mapping_text)
    if s.upload.status == "refused":
        show_refusal(s.upload)
    elif s.upload.status == "accepted":
        st.success(t("upload_in_use", name=s.upload.file_name, tz=s.upload.tz,
                     rows=fmt.number(s.uploaded.stamp.fact("rows", 0))))
        if uploaded is None:
            st.caption(t("upload_kept"))
    else:
        st.info(t("upload_prompt"))


def mapping_choice(s: Session):
    """The column mapping to read the upload with (None: the canonical layout). Filled in by the
    mapping editor; see :mod:`app_pages.upload` ``mapping_editor``."""
    return None, ""


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
