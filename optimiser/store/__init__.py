"""Versioned plan store (SQLAlchemy + Alembic): named scenarios of forecasts,
requirements, schedules and rosters, with optimistic version checks and
immutable published versions.  See ``docs/plan_store.md``."""

from optimiser.store.repository import (
    ENV_VAR,
    ConflictError,
    ImmutableVersionError,
    PlanStore,
    ScenarioDiff,
    ScenarioNotFoundError,
    ScenarioVersion,
    default_database_url,
    diff_frames,
)

__all__ = [
    "ENV_VAR",
    "ConflictError",
    "ImmutableVersionError",
    "PlanStore",
    "ScenarioDiff",
    "ScenarioNotFoundError",
    "ScenarioVersion",
    "default_database_url",
    "diff_frames",
]
