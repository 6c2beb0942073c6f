"""SQLAlchemy 2.x tables of the plan store.

Two tables:

``scenarios``
    One row per named scenario: ``name`` (unique), ``kind`` (``forecast``,
    ``requirement``, ``schedule``, ``roster`` or ``capacity``; the last added by
    revision ``0002_capacity_kind``), ``latest_version`` (the
    optimistic-lock counter, 0 before the first version), ``created_at``
    (UTC), ``created_by``.
``scenario_versions``
    One row per saved version, append-only: ``version`` (1, 2, ...),
    ``parent_version`` (the version the edit was based on, NULL for the
    first), ``status`` (``draft`` or ``published``), ``created_at`` (UTC),
    ``created_by``, ``note``, ``payload`` (the frame as a zstd-compressed
    Parquet blob), ``payload_format``, ``meta`` (JSON text: caller metadata
    plus the frame's ``attrs``), ``n_rows``, ``content_hash`` (SHA-256 of the
    payload bytes) and ``published_at``.

A published version is immutable: the initial migration installs triggers
(SQLite and PostgreSQL) that refuse any UPDATE or DELETE of a row whose
status is ``published``.  The schema itself is created by the Alembic
revisions in :mod:`optimiser.store.migrations`, not by ``create_all``; these
classes mirror it for the ORM-free Core queries of the repository.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

KINDS: tuple[str, ...] = ("forecast", "requirement", "schedule", "roster", "capacity")
STATUSES: tuple[str, ...] = ("draft", "published")


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always returned tz-aware (UTC).

    SQLite has no time-zone type, so values are stored as naive UTC and the
    zone is re-attached on read; PostgreSQL uses ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamps in the plan store must be tz-aware, got naive {value!r}")
        value = value.astimezone(dt.timezone.utc)
        if dialect.name == "sqlite":
            value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class ScenarioRow(Base):
    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    latest_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_by: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)

    __table_args__ = (
        sa.CheckConstraint("kind IN ('forecast', 'requirement', 'schedule', 'roster', 'capacity')",
                           name="ck_scenarios_kind"),
        sa.CheckConstraint("latest_version >= 0", name="ck_scenarios_latest_version"),
    )


class ScenarioVersionRow(Base):
    __tablename__ = "scenario_versions"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    scenario_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("scenarios.id", ondelete="RESTRICT"), nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    parent_version: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="draft")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_by: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    payload_format: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    meta: Mapped[str] = mapped_column(sa.Text, nullable=False)
    n_rows: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    content_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        sa.UniqueConstraint("scenario_id", "version", name="uq_scenario_versions_scenario_version"),
        sa.CheckConstraint("status IN ('draft', 'published')", name="ck_scenario_versions_status"),
        sa.CheckConstraint("version >= 1", name="ck_scenario_versions_version"),
    )


scenarios = ScenarioRow.__table__
scenario_versions = ScenarioVersionRow.__table__
