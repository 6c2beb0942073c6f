"""What the file-format modules share: naming a source, reading a file within the size limits
(gzip and XLSX decompressed in bounded chunks), and the one CSV writer, which neutralises formula text
and whose output paths are checked before the work starts."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

import pandas as pd

from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import format_offset_timestamps

#: A file as the readers and writers accept it: a path, or an open file (text or binary).
FileLike = str | os.PathLike | IO


def source_name(source: Any, default: str) -> str:
    """How messages name ``source``: its path, an open file's name, else ``default``."""
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    name = getattr(source, "name", None)
    return str(name) if isinstance(name, (str, os.PathLike)) else default


def read_csv(source: FileLike, what: str, name: str, **kwargs) -> pd.DataFrame:
    """``pandas.read_csv`` of a path or an open file within :data:`MAX_TABLE_BYTES` (gzip by its magic
    bytes, decompressed in bounded chunks), with "not found" / "not a readable CSV" errors; text cells
    written neutralised by :func:`write_csv` are restored (:func:`restore_formula`)."""
    try:
        buffer = bounded_table_file(source, name)
    except WfmInputError as exc:
        if str(exc) == f"{name}: file not found":
            raise WfmInputError(f"{name}: {what} file not found") from None
        if str(exc) == f"{name}: is a directory, not a file":
            raise WfmInputError(f"{name}: is a directory, not a {what} file") from None
        raise
    try:
        frame = pd.read_csv(buffer, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise WfmInputError(f"{name}: not a readable CSV ({' '.join(str(exc).split())[:300]})") from exc
    return restore_frame(frame)


def write_text(text: str, target: FileLike | None) -> Path | None:
    """Write ``text`` to a path (UTF-8, its folder created; returned) or an open text/binary file (None returned)."""
    if target is None:
        return None
    if hasattr(target, "write"):
        target.write(text.encode("utf-8") if isinstance(target, (io.BufferedIOBase, io.RawIOBase)) else text)
        return None
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def iso_text(values) -> list[str]:
    """Timestamps as ISO-8601 text with their UTC offset (the CSV contracts' time notation,
    :func:`wfm.ground.timegrid.format_offset_timestamps`); an empty column stays empty."""
    return list(format_offset_timestamps(values)) if len(values) else []


# --- limits that protect the machine -------------------------------------------------------------

#: Largest table text read from one file, after decompression [bytes] (256 MiB: twelve times the
#: demo's three years of 15-minute history for four queues, 21 MB).  A gzip or XLSX file is
#: decompressed in chunks and refused as soon as it passes this, so a small "zip bomb" never
#: takes more memory than the limit.
MAX_TABLE_BYTES = 256 * 1024 * 1024
#: Decompressed in pieces of this size [bytes].
_CHUNK_BYTES = 1024 * 1024


def _too_large(name: str, what: str, limit: int) -> WfmInputError:
    return WfmInputError(f"{name}: {what} is larger than the {limit:,} bytes ({limit // 2**20} MiB) "
                         "allowed for one file; split it (e.g. by year or queue)")


def read_bounded(source: Any, name: str, *, max_bytes: int | None = None) -> bytes:
    """The bytes of a path, an open file or a bytes object, refused above ``max_bytes``.

    Raises
    ------
    WfmInputError
        ``"<name>: file not found"``, ``"<name>: is a directory, not a file"``, ``"<name>: cannot read
        the file (<reason>)"`` or ``"<name>: the file is larger than the <limit> bytes allowed ..."``.
    """
    max_bytes = MAX_TABLE_BYTES if max_bytes is None else max_bytes
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            if path.is_dir():
                raise WfmInputError(f"{name}: is a directory, not a file")
            if path.stat().st_size > max_bytes:
                raise _too_large(name, "the file", max_bytes)
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except FileNotFoundError:
            raise WfmInputError(f"{name}: file not found") from None
        except OSError as exc:
            raise WfmInputError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    else:
        raise WfmInputError(f"{name}: cannot read a {type(source).__name__}; give a path or an open file")
    if len(data) > max_bytes:
        raise _too_large(name, "the file", max_bytes)
    return data


def gunzip_bounded(data: bytes, name: str, *, max_bytes: int | None = None) -> bytes:
    """Decompress gzip ``data`` (one or more members) in chunks, refused as soon as it passes ``max_bytes``.

    Raises
    ------
    WfmInputError
        ``"<name>: is not a readable gzip file (<reason>)"`` or ``"<name>: the decompressed text is
        larger than the <limit> bytes allowed ..."``.
    """
    max_bytes = MAX_TABLE_BYTES if max_bytes is None else max_bytes
    if not data:
        raise WfmInputError(f"{name}: the file is empty")
    parts: list[bytes] = []
    total = 0
    rest = data
    try:
        while rest:
            inflater = zlib.decompressobj(wbits=31)
            chunk = inflater.decompress(rest, _CHUNK_BYTES)
            while True:
                total += len(chunk)
                if total > max_bytes:
                    raise _too_large(name, "the decompressed text", max_bytes)
                parts.append(chunk)
                if inflater.eof or not inflater.unconsumed_tail:
                    break
                chunk = inflater.decompress(inflater.unconsumed_tail, _CHUNK_BYTES)
            if not inflater.eof:
                raise WfmInputError(f"{name}: is not a readable gzip file (it ends before the end of its data)")
            rest = inflater.unused_data.lstrip(b"\x00")  # members may follow; zero padding may end the file
    except zlib.error as exc:
        raise WfmInputError(f"{name}: is not a readable gzip file ({exc})") from None
    return b"".join(parts)


def check_zip_bounded(data: bytes, name: str, *, max_bytes: int | None = None) -> None:
    """Refuse a ZIP (an XLSX workbook) whose parts add up to more than ``max_bytes`` decompressed.

    The sizes are the ones the archive declares; :mod:`zipfile` never inflates a part past its
    declared size, so a reader of the checked archive stays within the limit.
    """
    max_bytes = MAX_TABLE_BYTES if max_bytes is None else max_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise WfmInputError(f"{name}: is not a readable XLSX file (damaged ZIP archive: {exc})") from None
    if total > max_bytes:
        raise _too_large(name, "the workbook, decompressed,", max_bytes)


#: Most rows of a Parquet table read [rows]: a columnar file holding one repeated value compresses to
#: almost nothing, so its rows are bounded as well as its bytes (20 queues x 5 years of quarter-hours
#: is 3.5 million rows).
MAX_TABLE_ROWS = 10_000_000


def check_parquet_bounded(data: bytes, name: str, *, max_bytes: int | None = None,
                          max_rows: int | None = None) -> None:
    """Refuse a Parquet file whose footer declares more than ``max_rows`` rows or more than
    ``max_bytes`` of uncompressed column data, before any column is decoded."""
    import pyarrow.parquet as pq

    max_bytes = MAX_TABLE_BYTES if max_bytes is None else max_bytes
    max_rows = MAX_TABLE_ROWS if max_rows is None else max_rows
    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
    except Exception as exc:  # pyarrow.ArrowInvalid and friends: a damaged footer
        raise WfmInputError(f"{name}: is not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    if meta.num_rows > max_rows:
        raise WfmInputError(f"{name}: has {meta.num_rows:,} rows, more than the {max_rows:,} allowed for one file; "
                            "split it (e.g. by year or queue)")
    if sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)) > max_bytes:
        raise _too_large(name, "the table, uncompressed,", max_bytes)


def bounded_table_file(source: Any, name: str, *, max_bytes: int | None = None) -> io.BytesIO:
    """An in-memory copy of a table file for pandas, within the limits: gzip (by its magic bytes)
    decompressed in chunks, a ZIP/XLSX's declared size checked; the copy carries ``name``."""
    max_bytes = MAX_TABLE_BYTES if max_bytes is None else max_bytes
    data = read_bounded(source, name, max_bytes=max_bytes)
    if data[:2] == b"\x1f\x8b":
        data = gunzip_bounded(data, name, max_bytes=max_bytes)
    elif data[:4] == b"PK\x03\x04":
        check_zip_bounded(data, name, max_bytes=max_bytes)
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


# --- writing: formula text neutralised, output paths checked before the work -----------------------

#: Text starting with one of these is run as a formula by spreadsheet programs (OWASP, "CSV Injection").
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def _reads_as_formula(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_PREFIXES)


def neutralise_formula(value):
    """Prefix ``'`` to text that a spreadsheet would read as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return (after any leading
    apostrophes) gets one more leading apostrophe; anything else (numbers, negative ones too) is
    returned unchanged.  :func:`restore_formula` undoes it exactly, so the CSV contracts round-trip.

    References
    ----------
    OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
    """
    if isinstance(value, str) and _reads_as_formula(value):
        return "'" + value
    return value


def restore_formula(value):
    """The text :func:`neutralise_formula` was given (one leading ``'`` removed where it added one)."""
    if isinstance(value, str) and value.startswith("'") and _reads_as_formula(value[1:]):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns
            if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) passed through :func:`neutralise_formula`."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(neutralise_formula)
    out.columns = [neutralise_formula(c) for c in out.columns]
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (and column name) passed through :func:`restore_formula` (in place)."""
    for column in _text_columns(frame):
        frame[column] = frame[column].map(restore_formula)
    frame.columns = [restore_formula(c) for c in frame.columns]
    return frame


def csv_text(frame: pd.DataFrame, **to_csv) -> str:
    """The CSV text of ``frame`` (no index) with formula text neutralised: the one CSV writer."""
    return neutralise_frame(frame).to_csv(index=False, **to_csv)


def write_csv(frame: pd.DataFrame, target: FileLike, **to_csv) -> Path | None:
    """Write ``frame`` as CSV (see :func:`csv_text`) to a path (its folder created; returned) or an open file."""
    if not hasattr(target, "write"):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    return write_text(csv_text(frame, **to_csv), target)


def check_output_path(path: str | os.PathLike, what: str = "output", *, directory: bool = False) -> Path:
    """Refuse, before any work, an output path that cannot be written.

    The path must not be an existing directory (unless ``directory``: then it names a folder to
    write files in, which must not be an existing file); its folder is created when missing (as
    the writers do) and must be writable.

    Raises
    ------
    WfmInputError
        Naming the path and why it cannot be written.
    """
    target = Path(path).expanduser()
    if str(path) == "" or "\x00" in str(path):
        raise WfmInputError(f"{what} {str(path)!r}: not a file name")
    if directory:
        if target.exists() and not target.is_dir():
            raise WfmInputError(f"{what} must be a directory, got the file {str(target)!r}")
    elif target.is_dir():
        raise WfmInputError(f"{what} {target}: is a folder; give a file name")
    folder = target if directory else target.parent
    ancestor = folder
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise WfmInputError(f"{what} {target}: cannot be written, {ancestor} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WfmInputError(f"{what} {target}: cannot create the folder {folder} ({exc.strerror or exc})") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WfmInputError(f"{what} {target}: cannot be written, the folder {folder} is not writable")
    if target.exists() and not target.is_dir() and not os.access(target, os.W_OK):
        raise WfmInputError(f"{what} {target}: the file exists and is not writable")
    return target
