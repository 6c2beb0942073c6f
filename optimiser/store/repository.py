"""Versioned plan store: named scenarios saved as append-only versions in SQL.

:class:`PlanStore` keeps forecasts, requirements, schedules and rosters as
named scenarios.  Every save appends a new version; nothing is overwritten.

* **Database.**  ``PlanStore(url)``; without ``url`` the environment variable
  ``WFM_DATABASE_URL`` is used, else a SQLite file
  ``$XDG_DATA_HOME/wfm/wfm.sqlite`` (``~/.local/share/wfm/wfm.sqlite``).
  ``sqlite://`` (in memory, one shared connection) is fine for tests.
  PostgreSQL: ``postgresql+psycopg://user:password@host:5432/db``.
  The schema is brought to the newest Alembic revision on first connect.
* **Optimistic version check.**  ``save(..., expected_version=k)`` says "my
  edit is based on version k" (0 for a new scenario).  If the latest version
  is no longer k the save is refused with :class:`ConflictError`, which names
  the scenario, the expected and the actual version: reload and merge.  The
  check is an ``UPDATE scenarios SET latest_version = k + 1 WHERE ...
  latest_version = k`` inside the writing transaction, so two planners racing
  cannot both win, on SQLite (writers serialised by ``BEGIN IMMEDIATE``) or
  PostgreSQL (row lock, re-check after the other commits).
* **Published versions are immutable.**  :meth:`PlanStore.publish` marks a
  version published; afterwards :meth:`PlanStore.set_note` and any SQL
  ``UPDATE``/``DELETE`` of that row are refused (repository check plus a
  database trigger on SQLite and PostgreSQL).  An edit is saved as a new
  version.
* **Transactions.**  A save is one transaction: an exception half-way leaves
  neither the version row nor the bumped counter behind.
* **Exact round trip.**  The frame is stored as a zstd-compressed Parquet
  blob; column dtypes (tz-aware timestamps with their zone, ``Int64``,
  ``str``, ``object``, ``category``, ``bool``), the index and ``df.attrs``
  come back as they went in.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import io
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from optimiser.store import migrations
from optimiser.store.models import KINDS, scenario_versions, scenarios
from wfm.ground.errors import WfmInputError
from wfm.ground.timegrid import interval_minutes_of

ENV_VAR = "WFM_DATABASE_URL"
PAYLOAD_FORMAT = "parquet+zstd"
IMMUTABLE_MARK = "scenario version is published and immutable"
NAME_PATTERN = re.compile(r"[^\W_][\w ._:/-]{0,199}")

#: Columns a frame of each kind must have (checked on save; used by diff).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "forecast": ("interval_start", "queue", "calls_offered"),
    "requirement": ("interval_start", "queue", "agents_required"),
    "schedule": ("start", "end", "count", "paid_minutes"),
    "roster": ("agent_id", "start", "end", "paid_minutes"),
    "capacity": ("month", "required_fte", "available_fte", "service_level"),
}
#: Columns that must be tz-aware timestamps, per kind.
TIME_COLUMNS: dict[str, tuple[str, ...]] = {
    "forecast": ("interval_start",),
    "requirement": ("interval_start",),
    "schedule": ("start", "end"),
    "roster": ("start", "end"),
    "capacity": (),
}


class ConflictError(WfmInputError):
    """A save based on a version that is no longer the latest."""

    def __init__(self, name: str, expected_version: int, actual_version: int):
        self.name = name
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"scenario {name!r}: save conflict: your edit is based on version {expected_version} "
            f"but the latest version is now {actual_version} (saved by someone else); "
            f"reload version {actual_version}, merge your changes and save again with "
            f"expected_version={actual_version}"
        )


class ImmutableVersionError(WfmInputError):
    """An attempt to change a published version."""


class ScenarioNotFoundError(WfmInputError):
    """A scenario name or version that does not exist."""


@dataclass(frozen=True)
class ScenarioVersion:
    """One saved version of a scenario (``frame`` is None in listings)."""

    name: str
    kind: str
    version: int
    parent_version: int | None
    status: str
    created_at: dt.datetime
    created_by: str | None
    note: str | None
    n_rows: int
    content_hash: str
    published_at: dt.datetime | None
    meta: dict = field(default_factory=dict, compare=False)
    frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def is_published(self) -> bool:
        return self.status == "published"


@dataclass(frozen=True)
class ScenarioDiff:
    """Differences between two versions of one scenario.

    ``by_day`` has columns ``date``, ``<quantity>_a``, ``<quantity>_b``,
    ``<quantity>_change`` (b minus a) where ``quantity`` is ``agent_hours``
    (requirement: agents_required x interval; schedule: count x paid minutes;
    roster: paid minutes), ``calls_offered`` (forecast) or ``available_fte``
    (capacity: one row per month, ``date`` its first day).  ``agents_changed``
    (rosters only) has ``agent_id``, ``change`` (``added``, ``removed``,
    ``changed``), ``shifts_a``, ``shifts_b``.
    """

    name: str
    kind: str
    version_a: int
    version_b: int
    quantity: str
    by_day: pd.DataFrame = field(repr=False)
    agents_changed: pd.DataFrame = field(repr=False)


def default_database_url() -> str:
    """``$WFM_DATABASE_URL``, else the SQLite file under the user's data directory."""
    url = os.environ.get(ENV_VAR, "").strip()
    if url:
        return url
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'wfm' / 'wfm.sqlite'}"


def _make_engine(url: str) -> sa.engine.Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise WfmInputError(f"database URL: not a SQLAlchemy URL, got {url!r} "
                            f"(e.g. sqlite:///path/wfm.sqlite or postgresql+psycopg://user@host/db)") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
        if in_memory:
            engine = sa.create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            _prepare_sqlite_file(Path(database).expanduser())
            engine = sa.create_engine(url, connect_args={"timeout": 60})

        # pysqlite's own transaction handling would start the transaction late
        # (deferred); serialise writers with BEGIN IMMEDIATE instead, so the
        # optimistic check and the insert see the same latest version.
        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    try:
        return sa.create_engine(url, pool_pre_ping=True)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise WfmInputError(f"database URL {parsed.render_as_string(hide_password=True)!r}: {exc}") from exc


def _prepare_sqlite_file(path: Path) -> None:
    """Create a SQLite store's folder (mode 0700) and file (mode 0600) before SQLite does: the store
    holds agent names, so only its owner may read it.  A location that cannot be created is refused
    by name; an existing file is left as it is (a read-only store can still be listed and shown)."""
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise WfmInputError(f"plan store {path}: cannot create the database there ({exc.strerror or exc}); "
                            "give a writable location", parameter="database_url") from None
    if path.is_dir():
        raise WfmInputError(f"plan store {path}: is a folder, not a database file", parameter="database_url")


def _cannot_write(store: "PlanStore", exc: sa.exc.OperationalError) -> WfmInputError:
    return WfmInputError(f"plan store {store!r}: cannot write to the database ({exc.orig}); give a writable "
                         "location", parameter="database_url")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _default_author() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user database entry
        return None


# --- frame <-> bytes -------------------------------------------------------------------

def _check_frame(kind: str, frame: pd.DataFrame, name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise WfmInputError(f"scenario {name!r}: frame must be a pandas DataFrame, got {type(frame).__name__}")
    bad = [c for c in frame.columns if not isinstance(c, str)]
    if bad:
        raise WfmInputError(f"scenario {name!r}: column names must be text, got {bad[0]!r}")
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        raise WfmInputError(f"scenario {name!r}: column {dup!r} appears more than once")
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in frame.columns]
    if missing:
        raise WfmInputError(f"scenario {name!r}: a {kind} frame needs column(s) {', '.join(missing)}; "
                            f"got {', '.join(map(str, frame.columns)) or 'no columns'}")
    for column in TIME_COLUMNS[kind]:
        dtype = frame[column].dtype
        if not isinstance(dtype, pd.DatetimeTZDtype):
            raise WfmInputError(f"scenario {name!r}: column {column} must hold tz-aware timestamps "
                                f"(datetime64 with a zone), got dtype {dtype}")


def frame_to_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet (zstd) bytes of ``frame`` including its index."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", compression="zstd", index=True)
    return buffer.getvalue()


def frame_from_bytes(payload: bytes, dtypes: dict[str, str] | None = None,
                     attrs: dict | None = None) -> pd.DataFrame:
    """Inverse of :func:`frame_to_bytes`; ``object`` columns are restored from ``dtypes``."""
    frame = pd.read_parquet(io.BytesIO(payload), engine="pyarrow")
    for column, dtype in (dtypes or {}).items():
        if dtype == "object" and column in frame.columns and frame[column].dtype != object:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame.attrs = dict(attrs or {})
    return frame


def _json_or_error(value: Any, what: str, name: str) -> str:
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise WfmInputError(f"scenario {name!r}: {what} must be JSON-serialisable "
                            f"(text, numbers, booleans, lists, dicts), got {value!r}: {exc}") from exc


# --- the store -------------------------------------------------------------------------

class PlanStore:
    """Named, versioned scenarios in SQL (SQLite file by default, PostgreSQL by URL).

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL.  Default: :func:`default_database_url` (env
        ``WFM_DATABASE_URL``, else ``~/.local/share/wfm/wfm.sqlite``).
    migrate : bool, default True
        Run ``alembic upgrade head`` on first connect.
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True):
        self.url = url or default_database_url()
        self.engine = _make_engine(self.url)
        self._migrated = False
        self._lock = threading.Lock()
        if migrate:
            self._ensure_schema()

    def __repr__(self) -> str:
        return f"PlanStore({sa.engine.make_url(self.url).render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def _ensure_schema(self) -> None:
        with self._lock:
            if not self._migrated:
                try:
                    migrations.upgrade(self.engine, "head")
                except sa.exc.OperationalError as exc:
                    raise WfmInputError(f"plan store {self!r}: cannot open the database: {exc.orig}",
                                        parameter="database_url") from exc
                self._migrated = True

    # -- writing --------------------------------------------------------------------
    def save(self, name: str, kind: str, frame: pd.DataFrame, *, expected_version: int,
             meta: dict | None = None, author: str | None = None, note: str | None = None) -> ScenarioVersion:
        """Append a new version of scenario ``name``.

        Parameters
        ----------
        name : str
            Scenario name: letters (any alphabet), digits, space and
            ``_.:/-``, up to 200 characters, starting with a letter or digit.
        kind : {"forecast", "requirement", "schedule", "roster"}
            Must match the scenario's kind once it exists.
        frame : pandas.DataFrame
            The plan (long format; see :data:`REQUIRED_COLUMNS`).
        expected_version : int
            The version this edit is based on: 0 for a new scenario, else the
            version you loaded.  If another save came first:
            :class:`ConflictError`.
        meta : dict, optional
            JSON-serialisable metadata kept with the version.
        author, note : str, optional
            Who saved it (default: the OS user) and why.

        Returns
        -------
        ScenarioVersion
            The new version (status ``draft``), with ``frame``.
        """
        self._ensure_schema()
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise WfmInputError(f"scenario name must be 1-200 characters of letters (å, ä, ö too), digits, "
                                f"space or _.:/- starting with a letter or digit, got {name!r}")
        if kind not in KINDS:
            raise WfmInputError(f"scenario {name!r}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if isinstance(expected_version, bool) or not isinstance(expected_version, (int, np.integer)) \
                or expected_version < 0:
            raise WfmInputError(f"scenario {name!r}: expected_version must be a whole number >= 0 "
                                f"(0 for a new scenario), got {expected_version!r}")
        expected_version = int(expected_version)
        _check_frame(kind, frame, name)
        meta = dict(meta or {})
        attrs = dict(frame.attrs)
        stored_meta = {
            "meta": meta,
            "attrs": attrs,
            "dtypes": {c: str(t) for c, t in frame.dtypes.items()},
        }
        _json_or_error(meta, "meta", name)
        _json_or_error(attrs, "frame.attrs", name)
        meta_text = json.dumps(stored_meta, sort_keys=True, allow_nan=False)
        try:
            payload = frame_to_bytes(frame)
        except (ValueError, TypeError, ImportError) as exc:  # pyarrow errors derive from these
            raise WfmInputError(f"scenario {name!r}: frame cannot be stored as Parquet: {exc}") from exc
        content_hash = hashlib.sha256(payload).hexdigest()
        author = author if author is not None else _default_author()
        now = _utcnow()
        new_version = expected_version + 1
        try:
            with self.engine.begin() as conn:
                row = conn.execute(
                    sa.select(scenarios.c.id, scenarios.c.kind, scenarios.c.latest_version)
                    .where(scenarios.c.name == name)
                ).first()
                if row is None:
                    if expected_version != 0:
                        raise ConflictError(name, expected_version, 0)
                    scenario_id = conn.execute(
                        scenarios.insert().values(name=name, kind=kind, latest_version=0,
                                                  created_at=now, created_by=author)
                    ).inserted_primary_key[0]
                else:
                    scenario_id = row.id
                    if row.kind != kind:
                        raise WfmInputError(f"scenario {name!r} holds {row.kind} plans; cannot save a {kind} "
                                            f"as a version of it (choose another name)")
                bumped = conn.execute(
                    scenarios.update()
                    .where(scenarios.c.id == scenario_id, scenarios.c.latest_version == expected_version)
                    .values(latest_version=new_version)
                ).rowcount
                if bumped != 1:
                    actual = conn.execute(sa.select(scenarios.c.latest_version)
                                          .where(scenarios.c.id == scenario_id)).scalar_one()
                    raise ConflictError(name, expected_version, int(actual))
                conn.execute(scenario_versions.insert().values(
                    scenario_id=scenario_id, version=new_version,
                    parent_version=expected_version or None, status="draft", created_at=now,
                    created_by=author, note=note, payload=payload, payload_format=PAYLOAD_FORMAT,
                    meta=meta_text, n_rows=len(frame), content_hash=content_hash, published_at=None,
                ))
        except sa.exc.IntegrityError as exc:
            # Two first saves of the same new name, or the same version inserted
            # twice: the database's unique constraints caught the race.
            actual = self._latest_version(name)
            raise ConflictError(name, expected_version, actual) from exc
        except sa.exc.OperationalError as exc:
            raise _cannot_write(self, exc) from exc
        return ScenarioVersion(
            name=name, kind=kind, version=new_version, parent_version=expected_version or None,
            status="draft", created_at=now, created_by=author, note=note, n_rows=len(frame),
            content_hash=content_hash, published_at=None, meta=meta,
            frame=frame_from_bytes(payload, stored_meta["dtypes"], attrs),
        )

    def publish(self, name: str, version: int) -> ScenarioVersion:
        """Mark ``version`` published: from now on it can never change.

        Publishing an already published version returns it unchanged.
        """
        self._ensure_schema()
        try:
            with self.engine.begin() as conn:
                row = self._version_row(conn, name, version, with_payload=False)
                if row.status != "published":
                    conn.execute(scenario_versions.update().where(scenario_versions.c.id == row.id)
                                 .values(status="published", published_at=_utcnow()))
        except sa.exc.OperationalError as exc:
            raise _cannot_write(self, exc) from exc
        return self.load(name, version, with_frame=False)

    def set_note(self, name: str, version: int, note: str | None) -> ScenarioVersion:
        """Change the note of a draft version (refused for published versions)."""
        self._ensure_schema()
        try:
            with self.engine.begin() as conn:
                row = self._version_row(conn, name, version, with_payload=False)
                if row.status == "published":
                    raise ImmutableVersionError(
                        f"scenario {name!r} version {version} is published and immutable; "
                        f"save your change as a new version instead")
                conn.execute(scenario_versions.update().where(scenario_versions.c.id == row.id)
                             .values(note=note))
        except sa.exc.DBAPIError as exc:
            raise self._translate(exc, name, version) from exc
        return self.load(name, version, with_frame=False)

    @staticmethod
    def _translate(exc: sa.exc.DBAPIError, name: str, version: int) -> Exception:
        if IMMUTABLE_MARK in str(exc.orig):
            return ImmutableVersionError(f"scenario {name!r} version {version} is published and immutable "
                                         f"(refused by the database)")
        if isinstance(exc, sa.exc.OperationalError):
            return WfmInputError(f"plan store: cannot write the note of scenario {name!r} version {version} "
                                 f"({exc.orig}); give a writable location", parameter="database_url")
        return exc

    # -- reading --------------------------------------------------------------------
    def _latest_version(self, name: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(scenarios.c.latest_version).where(scenarios.c.name == name)).scalar()
        return int(value or 0)

    def _names(self, conn) -> list[str]:
        return list(conn.execute(sa.select(scenarios.c.name).order_by(scenarios.c.name)).scalars())

    def _version_row(self, conn, name: str, version: int | None, *, with_payload: bool,
                     published_only: bool = False):
        scenario = conn.execute(sa.select(scenarios).where(scenarios.c.name == name)).first()
        if scenario is None:
            names = self._names(conn)
            raise ScenarioNotFoundError(
                f"scenario {name!r} not found; existing: {', '.join(names[:20]) if names else 'none'}")
        columns = [c for c in scenario_versions.c if with_payload or c.name != "payload"]
        query = sa.select(*columns).where(scenario_versions.c.scenario_id == scenario.id)
        if published_only:
            query = query.where(scenario_versions.c.status == "published")
        if version is None:
            query = query.order_by(scenario_versions.c.version.desc()).limit(1)
        else:
            if isinstance(version, bool) or not isinstance(version, (int, np.integer)) or version < 1:
                raise WfmInputError(f"scenario {name!r}: version must be a whole number >= 1, got {version!r}")
            query = query.where(scenario_versions.c.version == int(version))
        row = conn.execute(query).first()
        if row is None:
            have = list(conn.execute(sa.select(scenario_versions.c.version, scenario_versions.c.status)
                                     .where(scenario_versions.c.scenario_id == scenario.id)
                                     .order_by(scenario_versions.c.version)))
            listing = ", ".join(f"{v} ({s})" for v, s in have) or "none"
            what = "a published version" if published_only and version is None else f"version {version}"
            raise ScenarioNotFoundError(f"scenario {name!r} has no {what}; versions: {listing}")
        return _Joined(scenario, row)

    def load(self, name: str, version: int | None = None, *, published_only: bool = False,
             with_frame: bool = True) -> ScenarioVersion:
        """Load one version (default: the latest; ``published_only``: the latest published)."""
        self._ensure_schema()
        with self.engine.connect() as conn:
            joined = self._version_row(conn, name, version, with_payload=with_frame,
                                       published_only=published_only)
        return joined.to_version(with_frame=with_frame)

    def versions(self, name: str) -> list[ScenarioVersion]:
        """Every version of ``name``, oldest first, without frames."""
        self._ensure_schema()
        with self.engine.connect() as conn:
            scenario = conn.execute(sa.select(scenarios).where(scenarios.c.name == name)).first()
            if scenario is None:
                names = self._names(conn)
                raise ScenarioNotFoundError(
                    f"scenario {name!r} not found; existing: {', '.join(names[:20]) if names else 'none'}")
            columns = [c for c in scenario_versions.c if c.name != "payload"]
            rows = conn.execute(sa.select(*columns).where(scenario_versions.c.scenario_id == scenario.id)
                                .order_by(scenario_versions.c.version)).all()
        return [_Joined(scenario, row).to_version(with_frame=False) for row in rows]

    def list(self) -> pd.DataFrame:
        """One row per scenario: ``name, kind, latest_version, published_version, versions,
        created_at, updated_at, updated_by`` (``published_version`` is the newest
        published one, <NA> if none)."""
        self._ensure_schema()
        v = scenario_versions
        query = (
            sa.select(
                scenarios.c.name, scenarios.c.kind, scenarios.c.latest_version,
                sa.func.max(sa.case((v.c.status == "published", v.c.version), else_=None)).label("published_version"),
                sa.func.count(v.c.id).label("versions"), scenarios.c.created_at,
            )
            .select_from(scenarios.join(v, v.c.scenario_id == scenarios.c.id, isouter=True))
            .group_by(scenarios.c.id, scenarios.c.name, scenarios.c.kind, scenarios.c.latest_version,
                      scenarios.c.created_at)
            .order_by(scenarios.c.name)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            latest = {r.scenario_id: r for r in conn.execute(
                sa.select(v.c.scenario_id, v.c.created_at, v.c.created_by, scenarios.c.name)
                .join(scenarios, scenarios.c.id == v.c.scenario_id)
                .where(v.c.version == scenarios.c.latest_version))}
        by_name = {r.name: r for r in latest.values()}
        frame = pd.DataFrame({
            "name": pd.Series([r.name for r in rows], dtype="str"),
            "kind": pd.Series([r.kind for r in rows], dtype="str"),
            "latest_version": pd.Series([int(r.latest_version) for r in rows], dtype="int64"),
            "published_version": pd.array([r.published_version for r in rows], dtype="Int64"),
            "versions": pd.Series([int(r.versions) for r in rows], dtype="int64"),
            "created_at": pd.to_datetime([r.created_at for r in rows], utc=True),
            "updated_at": pd.to_datetime([by_name[r.name].created_at if r.name in by_name else pd.NaT
                                          for r in rows], utc=True),
            "updated_by": pd.Series([by_name[r.name].created_by if r.name in by_name else None
                                     for r in rows], dtype="str"),
        })
        return frame

    # -- comparing ------------------------------------------------------------------
    def diff(self, name: str, version_a: int, version_b: int) -> ScenarioDiff:
        """Per-day differences between two versions (and changed agents for rosters)."""
        a = self.load(name, version_a)
        b = self.load(name, version_b)
        return diff_frames(a.frame, b.frame, a.kind, name=name, version_a=a.version, version_b=b.version,
                           meta_a=a.meta, meta_b=b.meta)


class _Joined:
    """A scenarios row joined with one scenario_versions row."""

    def __init__(self, scenario, row):
        self.scenario = scenario
        self.row = row
        self.id = row.id
        self.status = row.status

    def to_version(self, *, with_frame: bool) -> ScenarioVersion:
        row = self.row
        stored = json.loads(row.meta)
        frame = frame_from_bytes(row.payload, stored.get("dtypes"), stored.get("attrs")) if with_frame else None
        if with_frame and hashlib.sha256(row.payload).hexdigest() != row.content_hash:
            raise WfmInputError(f"scenario {self.scenario.name!r} version {row.version}: stored payload does "
                                f"not match its content hash {row.content_hash} (database corrupted?)")
        return ScenarioVersion(
            name=self.scenario.name, kind=self.scenario.kind, version=int(row.version),
            parent_version=None if row.parent_version is None else int(row.parent_version),
            status=row.status, created_at=row.created_at, created_by=row.created_by, note=row.note,
            n_rows=int(row.n_rows), content_hash=row.content_hash, published_at=row.published_at,
            meta=stored.get("meta", {}), frame=frame,
        )


# --- diff ------------------------------------------------------------------------------

def _interval_minutes(frame: pd.DataFrame, meta: dict | None) -> float:
    if (meta or {}).get("interval_minutes"):
        return float(meta["interval_minutes"])
    return float(interval_minutes_of(frame, what="requirement diff"))


def _per_day(frame: pd.DataFrame, kind: str, meta: dict | None) -> pd.Series:
    if kind == "forecast":
        when, value = frame["interval_start"], frame["calls_offered"].astype("float64")
    elif kind == "requirement":
        when = frame["interval_start"]
        value = frame["agents_required"].astype("float64") * _interval_minutes(frame, meta) / 60.0
    elif kind == "schedule":
        when = frame["start"]
        value = frame["count"].astype("float64") * frame["paid_minutes"].astype("float64") / 60.0
    elif kind == "capacity":  # one row per month: the month's first day and its available FTE
        return pd.Series(frame["available_fte"].astype("float64").to_numpy(), index=list(frame["month"]))
    else:
        when, value = frame["start"], frame["paid_minutes"].astype("float64") / 60.0
    days = pd.Series([t.date() for t in when], index=frame.index)
    return value.groupby(days).sum()


def _shift_text(start: pd.Timestamp, end: pd.Timestamp) -> str:
    return f"{start:%Y-%m-%d %H:%M}\u2013{end:%H:%M}"


def diff_frames(frame_a: pd.DataFrame, frame_b: pd.DataFrame, kind: str, *, name: str = "",
                version_a: int = 0, version_b: int = 0, meta_a: dict | None = None,
                meta_b: dict | None = None) -> ScenarioDiff:
    """Per-day difference of two plans of the same kind (see :class:`ScenarioDiff`)."""
    quantity = {"forecast": "calls_offered", "capacity": "available_fte"}.get(kind, "agent_hours")
    a = _per_day(frame_a, kind, meta_a)
    b = _per_day(frame_b, kind, meta_b)
    days = sorted(set(a.index) | set(b.index))
    by_day = pd.DataFrame({
        "date": days,
        f"{quantity}_a": a.reindex(days, fill_value=0.0).to_numpy(dtype="float64"),
        f"{quantity}_b": b.reindex(days, fill_value=0.0).to_numpy(dtype="float64"),
    })
    by_day[f"{quantity}_change"] = by_day[f"{quantity}_b"] - by_day[f"{quantity}_a"]
    changed = pd.DataFrame({"agent_id": pd.Series([], dtype="str"), "change": pd.Series([], dtype="str"),
                            "shifts_a": pd.Series([], dtype="str"), "shifts_b": pd.Series([], dtype="str")})
    if kind == "roster":
        def shifts(frame):
            out: dict[str, list] = {}
            for agent, start, end in zip(frame["agent_id"].astype(str), frame["start"], frame["end"]):
                out.setdefault(agent, []).append((start, end))
            return {k: sorted(v) for k, v in out.items()}

        sa_, sb_ = shifts(frame_a), shifts(frame_b)
        rows = []
        for agent in sorted(set(sa_) | set(sb_)):
            left, right = sa_.get(agent, []), sb_.get(agent, [])
            if left == right:
                continue
            change = "added" if not left else "removed" if not right else "changed"
            rows.append((agent, change, "; ".join(_shift_text(s, e) for s, e in left),
                         "; ".join(_shift_text(s, e) for s, e in right)))
        if rows:
            changed = pd.DataFrame(rows, columns=["agent_id", "change", "shifts_a", "shifts_b"]).astype("str")
    return ScenarioDiff(name=name, kind=kind, version_a=version_a, version_b=version_b, quantity=quantity,
                        by_day=by_day, agents_changed=changed)
