"""Kind ``capacity`` (revision 0002): a store made before it is upgraded in place, rows kept; two
capacity plans compare month by month; downgrading removes them and the old check refuses them again."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from optimiser.store import PlanStore, migrations

HEAD = "0002_capacity_kind"


def _months(available) -> pd.DataFrame:
    return pd.DataFrame({"month": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)], "required_fte": [10.0, 12.0],
                         "available_fte": available, "service_level": [0.85, 0.70]})


def _requirement() -> pd.DataFrame:
    idx = pd.date_range("2026-01-05", periods=4, freq="h", tz="Europe/Stockholm")
    return pd.DataFrame({"interval_start": idx, "queue": "q", "agents_required": [1, 2, 3, 4]})


def _insert_capacity(engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO scenarios (name, kind, latest_version, created_at) "
                             "VALUES ('x', 'capacity', 0, CURRENT_TIMESTAMP)"))


def test_a_store_made_before_the_kind_is_upgraded_in_place(db_url):
    store = PlanStore(db_url)
    store.save("req", "requirement", _requirement(), expected_version=0)
    store.publish("req", 1)
    store.close()
    engine = sa.create_engine(db_url)
    migrations.downgrade(engine, "0001_initial")
    with pytest.raises(sa.exc.IntegrityError):  # the old check refuses the kind
        _insert_capacity(engine)
    engine.dispose()

    store = PlanStore(db_url)  # upgraded on connect, with foreign keys enforced
    assert migrations.current_revision(store.engine) == HEAD
    assert store.load("req").status == "published" and len(store.load("req").frame) == 4
    store.save("plan A", "capacity", _months([11.0, 11.0]), expected_version=0)
    store.save("plan A", "capacity", _months([11.0, 13.0]), expected_version=1)
    diff = store.diff("plan A", 1, 2)
    assert diff.by_day["available_fte_change"].tolist() == [0.0, 2.0]
    loaded = store.load("plan A", 2)
    assert loaded.frame["month"].tolist() == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    store.close()

    engine = sa.create_engine(db_url)
    migrations.downgrade(engine, "0001_initial")  # removes the capacity plans, keeps the rest
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM scenarios")).scalars().all() == ["req"]
    with pytest.raises(sa.exc.IntegrityError):
        _insert_capacity(engine)
    migrations.upgrade(engine, "head")
    _insert_capacity(engine)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()


def test_a_capacity_plan_needs_its_month_columns(db_url):
    store = PlanStore(db_url)
    with pytest.raises(Exception, match="available_fte"):
        store.save("plan", "capacity", _months([1.0, 2.0]).drop(columns=["available_fte"]), expected_version=0)
    store.close()
