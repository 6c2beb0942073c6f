"""Reading a CSV table for a file format's reader: one wording for a missing or unreadable file."""

from __future__ import annotations

import os
from typing import IO

import pandas as pd

from wfm.ground.errors import WfmInputError

__all__ = ["read_csv_table", "source_name"]


def source_name(source: str | os.PathLike | IO) -> str:
    """How messages name a file: its path, or a file object's ``name`` (``"<upload>"`` without one)."""
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return str(getattr(source, "name", None) or "<upload>")


def read_csv_table(source: str | os.PathLike | IO, what: str, **read_csv) -> pd.DataFrame:
    """``pandas.read_csv(source, **read_csv)``, a missing or unreadable file refused by name.

    Raises
    ------
    WfmInputError
        ``"<file>: <what> not found"`` or ``"<file>: not a readable CSV (<reason>)"``.
    """
    name = source_name(source)
    try:
        return pd.read_csv(source, **read_csv)
    except FileNotFoundError as exc:
        raise WfmInputError(f"{name}: {what} not found") from exc
    except IsADirectoryError as exc:
        raise WfmInputError(f"{name}: is a directory, not a {what}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise WfmInputError(f"{name}: not a readable CSV ({exc})") from exc
