"""Alembic migrations of the plan store: empty database -> head -> base, on both backends."""

from __future__ import annotations

import sqlalchemy as sa

from optimiser.store import PlanStore, migrations


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def _triggers(engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        else:
            rows = conn.execute(sa.text(
                "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"))
        return {r[0] for r in rows}


def test_upgrade_creates_the_schema_and_downgrade_removes_it(db_url):
    engine = sa.create_engine(db_url)
    assert _tables(engine) == set()
    assert migrations.current_revision(engine) is None

    migrations.upgrade(engine, "head")
    assert {"scenarios", "scenario_versions", migrations.VERSION_TABLE} <= _tables(engine)
    assert migrations.current_revision(engine) == "0002_capacity_kind"
    columns = {c["name"] for c in sa.inspect(engine).get_columns("scenario_versions")}
    assert {"version", "parent_version", "status", "created_at", "created_by", "note", "payload",
            "meta", "content_hash", "published_at"} <= columns
    uniques = sa.inspect(engine).get_unique_constraints("scenario_versions")
    assert any(set(u["column_names"]) == {"scenario_id", "version"} for u in uniques)
    assert _triggers(engine)  # immutability triggers installed

    migrations.downgrade(engine, "base")
    assert _tables(engine) <= {migrations.VERSION_TABLE}
    assert _triggers(engine) == set()
    assert migrations.current_revision(engine) is None

    migrations.upgrade(engine, "head")  # and up again
    assert migrations.current_revision(engine) == "0002_capacity_kind"
    engine.dispose()


def test_plan_store_migrates_an_empty_database_on_first_connect(db_url):
    store = PlanStore(db_url)
    assert migrations.current_revision(store.engine) == "0002_capacity_kind"
    assert store.list().empty
    store.close()
    again = PlanStore(db_url)  # a second connect finds the schema at head and leaves it
    assert migrations.current_revision(again.engine) == "0002_capacity_kind"
    again.close()


def test_migration_command_line(tmp_path, capsys):
    from optimiser.store.migrations.__main__ import main

    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    assert main(["upgrade", "head", "--database-url", url]) == 0
    assert migrations.current_revision(url) == "0002_capacity_kind"
    assert main(["downgrade", "base", "--database-url", url]) == 0
    assert migrations.current_revision(url) is None
    assert "downgrade base: done" in capsys.readouterr().out
