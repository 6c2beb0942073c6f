"""What the file-format modules share: naming a source, and reading a CSV from a path or an open file."""

from __future__ import annotations

import io
import os
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
    """``pandas.read_csv`` of a path or an open file, with "not found" / "not a readable CSV" errors."""
    try:
        return pd.read_csv(Path(source) if isinstance(source, str) else source, **kwargs)
    except FileNotFoundError as exc:
        raise WfmInputError(f"{name}: {what} file not found") from exc
    except IsADirectoryError as exc:
        raise WfmInputError(f"{name}: is a directory, not a {what} file") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise WfmInputError(f"{name}: not a readable CSV ({exc})") from exc


def write_text(text: str, target: FileLike | None) -> Path | None:
    """Write ``text`` to a path (UTF-8; returned) or an open text/binary file (None returned)."""
    if target is None:
        return None
    if hasattr(target, "write"):
        target.write(text.encode("utf-8") if isinstance(target, (io.BufferedIOBase, io.RawIOBase)) else text)
        return None
    path = Path(target)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def iso_text(values) -> list[str]:
    """Timestamps as ISO-8601 text with their UTC offset (the CSV contracts' time notation,
    :func:`wfm.ground.timegrid.format_offset_timestamps`); an empty column stays empty."""
    return list(format_offset_timestamps(values)) if len(values) else []
