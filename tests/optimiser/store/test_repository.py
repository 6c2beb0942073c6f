"""PlanStore behaviour on SQLite and PostgreSQL (``db_url`` fixture, see conftest)."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimiser.store import (
    ConflictError,
    ImmutableVersionError,
    PlanStore,
    ScenarioNotFoundError,
    default_database_url,
)
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=TZ)


def roster_frame(shift_hour: int = 7) -> pd.DataFrame:
    """Assignments in exactly the roster engineer's shape."""
    starts = [ts(f"2025-03-29 {shift_hour:02d}:00"), ts("2025-03-29 22:00"), ts("2025-03-31 07:00")]
    ends = [s + pd.Timedelta(hours=9) for s in starts]  # the night shift crosses the spring-forward
    return pd.DataFrame({
        "agent_id": ["A0001", "A0002", "A0001"],
        "name": ["Anna Berg", "Björn Ek", "Anna Berg"],
        "site": ["Umeå", "Malmö", "Umeå"],
        "skill_group": ["sv_all", "bilingual", "sv_all"],
        "shift_id": ["S1", "S2", "S3"],
        "start": pd.Series(starts, dtype=f"datetime64[ns, {TZ}]"),
        "end": pd.Series(ends, dtype=f"datetime64[ns, {TZ}]"),
        "paid_minutes": np.array([510, 510, 510], dtype="int64"),
        "breaks": ["2025-03-29T11:30:00+01:00/30/unpaid", "", ""],
    })


def requirement_frame(agents: list[float]) -> pd.DataFrame:
    starts = pd.date_range("2025-10-25 23:30", periods=len(agents), freq="15min", tz=TZ)
    return pd.DataFrame({"interval_start": starts, "queue": "reports", "agents_required": agents})


@pytest.fixture
def store(db_url):
    s = PlanStore(db_url)
    yield s
    s.close()


# --- round trips ---------------------------------------------------------------------

def test_round_trip_keeps_values_dtypes_index_and_attrs(store):
    # 2025-10-26 is the fall-back day: 100 quarter-hours, 02:00-03:00 twice.
    starts = pd.date_range("2025-10-26", "2025-10-27", freq="15min", tz=TZ, inclusive="left")
    assert len(starts) == 100
    n = len(starts)
    frame = pd.DataFrame({
        "interval_start": starts,
        "queue": pd.Series(["reports", "tips", None, "english"] * (n // 4), dtype="str"),
        "calls_offered": np.arange(n, dtype="int64"),
        "calls_answered": pd.array([None if i % 7 == 0 else i for i in range(n)], dtype="Int64"),
        "aht_seconds": np.where(np.arange(n) % 5 == 0, np.nan, 300.25),
        "open": np.arange(n) % 2 == 0,
        "site": pd.Categorical(["Umeå", "Malmö"] * (n // 2)),
        "label": pd.Series([f"x{i}" for i in range(n)], dtype=object),
    }, index=pd.RangeIndex(10, 10 + n, name="row"))
    frame.attrs = {"interval_minutes": 15, "tz": TZ}
    saved = store.save("fc", "forecast", frame, expected_version=0, meta={"model": "seasonal_naive"})
    loaded = store.load("fc", 1)
    pd.testing.assert_frame_equal(loaded.frame, frame, check_exact=True)
    assert loaded.frame.attrs == {"interval_minutes": 15, "tz": TZ}
    assert str(loaded.frame["interval_start"].dt.tz) == TZ
    assert loaded.meta == {"model": "seasonal_naive"}
    assert loaded.content_hash == saved.content_hash and len(loaded.content_hash) == 64
    assert loaded.n_rows == n
    assert loaded.created_at.tzinfo is not None and loaded.created_at.utcoffset().total_seconds() == 0


def test_roster_frame_round_trips_exactly(store):
    frame = roster_frame()
    store.save("week 14", "roster", frame, expected_version=0, author="planner-a", note="first draft")
    loaded = store.load("week 14")
    pd.testing.assert_frame_equal(loaded.frame, frame, check_exact=True)
    assert (loaded.version, loaded.status, loaded.created_by, loaded.note) == (1, "draft", "planner-a", "first draft")


# --- versions, publish, immutability -------------------------------------------------------

def test_each_save_appends_a_version_and_old_ones_stay(store):
    store.save("w", "roster", roster_frame(7), expected_version=0)
    v2 = store.save("w", "roster", roster_frame(8), expected_version=1)
    assert (v2.version, v2.parent_version) == (2, 1)
    assert store.load("w").version == 2
    assert store.load("w", 1).frame["start"].iloc[0] == ts("2025-03-29 07:00")
    assert store.load("w", 2).frame["start"].iloc[0] == ts("2025-03-29 08:00")
    assert [v.version for v in store.versions("w")] == [1, 2]


def test_published_version_is_immutable_and_an_edit_makes_a_new_version(store):
    store.save("w", "roster", roster_frame(7), expected_version=0)
    published = store.publish("w", 1)
    assert published.status == "published" and published.published_at is not None
    assert store.publish("w", 1).published_at == published.published_at  # idempotent
    with pytest.raises(ImmutableVersionError, match=r"'w' version 1 is published and immutable.*new version"):
        store.set_note("w", 1, "changed")
    edit = store.save("w", "roster", roster_frame(9), expected_version=1, note="swap")
    assert (edit.version, edit.parent_version, edit.status) == (2, 1, "draft")
    assert store.load("w", 1).frame["start"].iloc[0] == ts("2025-03-29 07:00")
    assert store.load("w", published_only=True).version == 1
    assert store.set_note("w", 2, "still a draft").note == "still a draft"


@pytest.mark.parametrize("statement", [
    "UPDATE scenario_versions SET note = 'tampered' WHERE version = 1",
    "UPDATE scenario_versions SET status = 'draft' WHERE version = 1",
    "DELETE FROM scenario_versions WHERE version = 1",
])
def test_database_trigger_refuses_changes_to_a_published_row(store, statement):
    store.save("w", "roster", roster_frame(), expected_version=0)
    store.save("w", "roster", roster_frame(8), expected_version=1)
    store.publish("w", 1)
    with pytest.raises(sa.exc.DBAPIError, match="published and immutable"):
        with store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert store.load("w", 1).status == "published"
    assert store.load("w", 1).note is None
    # The trigger is selective: the draft version 2 can still be changed in SQL.
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE scenario_versions SET note = 'ok' WHERE version = 2"))
    assert store.load("w", 2).note == "ok"


# --- optimistic version check ------------------------------------------------------------

def test_saving_on_a_stale_version_is_a_conflict_naming_both_versions(store):
    store.save("w", "roster", roster_frame(7), expected_version=0)
    store.save("w", "roster", roster_frame(8), expected_version=1)
    with pytest.raises(ConflictError, match=r"scenario 'w'.*based on version 1 but the latest version is now 2"
                                            r".*reload version 2, merge") as info:
        store.save("w", "roster", roster_frame(9), expected_version=1)
    assert (info.value.name, info.value.expected_version, info.value.actual_version) == ("w", 1, 2)
    assert isinstance(info.value, WfmInputError)
    assert [v.version for v in store.versions("w")] == [1, 2]
    with pytest.raises(ConflictError, match="based on version 5 but the latest version is now 0"):
        store.save("new", "roster", roster_frame(), expected_version=5)
    with pytest.raises(ScenarioNotFoundError, match="'new' not found; existing: w"):
        store.load("new")


def _race(url: str, name: str, expected: int, frames: list[pd.DataFrame]) -> tuple[list, list]:
    stores = [PlanStore(url) for _ in frames]
    barrier = threading.Barrier(len(frames))
    wins, conflicts, other = [], [], []

    def worker(s, frame):
        barrier.wait()
        try:
            wins.append(s.save(name, "roster", frame, expected_version=expected))
        except ConflictError as exc:
            conflicts.append(exc)
        except Exception as exc:  # pragma: no cover - reported below
            other.append(exc)

    threads = [threading.Thread(target=worker, args=(s, f)) for s, f in zip(stores, frames)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for s in stores:
        s.close()
    assert not other, other
    return wins, conflicts


def test_two_planners_racing_on_the_same_version_exactly_one_wins(db_url):
    first = PlanStore(db_url)
    first.save("w", "roster", roster_frame(7), expected_version=0)
    first.close()
    for round_ in range(3):
        wins, conflicts = _race(db_url, "w", 1 + round_, [roster_frame(8), roster_frame(9)])
        assert len(wins) == 1 and len(conflicts) == 1
        assert wins[0].version == 2 + round_
        assert conflicts[0].expected_version == 1 + round_ and conflicts[0].actual_version == 2 + round_
    check = PlanStore(db_url)
    assert [v.version for v in check.versions("w")] == [1, 2, 3, 4]
    check.close()


def test_two_planners_creating_the_same_new_scenario_exactly_one_wins(db_url):
    PlanStore(db_url).close()  # migrate once before the race
    wins, conflicts = _race(db_url, "fresh", 0, [roster_frame(8), roster_frame(9)])
    assert len(wins) == 1 and len(conflicts) == 1
    assert conflicts[0].actual_version == 1
    check = PlanStore(db_url)
    assert [v.version for v in check.versions("fresh")] == [1]
    check.close()


# --- transactions -----------------------------------------------------------------------

class Interrupted(RuntimeError):
    pass


def _interrupt_version_insert(store):
    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO SCENARIO_VERSIONS"):
            raise Interrupted("power cut while inserting the version row")

    sa.event.listen(store.engine, "before_cursor_execute", before)
    return lambda: sa.event.remove(store.engine, "before_cursor_execute", before)


def test_interrupted_first_save_leaves_no_scenario(store):
    undo = _interrupt_version_insert(store)
    with pytest.raises(Interrupted):
        store.save("half", "roster", roster_frame(), expected_version=0)
    undo()
    with pytest.raises(ScenarioNotFoundError):
        store.load("half")
    assert store.list().empty
    assert store.save("half", "roster", roster_frame(), expected_version=0).version == 1


def test_interrupted_edit_leaves_the_counter_and_versions_unchanged(store):
    store.save("w", "roster", roster_frame(7), expected_version=0)
    undo = _interrupt_version_insert(store)
    with pytest.raises(Interrupted):
        store.save("w", "roster", roster_frame(8), expected_version=1)
    undo()
    assert [v.version for v in store.versions("w")] == [1]
    assert int(store.list().loc[0, "latest_version"]) == 1
    assert store.save("w", "roster", roster_frame(8), expected_version=1).version == 2


# --- listing and diff --------------------------------------------------------------------

def test_list_summarises_every_scenario(store):
    store.save("b-roster", "roster", roster_frame(), expected_version=0, author="kim")
    store.save("b-roster", "roster", roster_frame(8), expected_version=1, author="lee")
    store.publish("b-roster", 1)
    store.save("a-req", "requirement", requirement_frame([1, 2]), expected_version=0)
    listing = store.list()
    assert list(listing["name"]) == ["a-req", "b-roster"]
    assert list(listing["kind"]) == ["requirement", "roster"]
    assert list(listing["latest_version"]) == [1, 2]
    assert listing["published_version"].isna().tolist() == [True, False]
    assert int(listing.loc[1, "published_version"]) == 1
    assert list(listing["versions"]) == [1, 2]
    assert listing.loc[1, "updated_by"] == "lee"


def test_diff_of_requirements_counts_agent_hours_per_local_day(store):
    # 23:30, 23:45 on Sat 25 Oct, then 00:00, 00:15 on Sun 26 Oct; 15-minute intervals.
    store.save("req", "requirement", requirement_frame([4, 4, 2, 2]), expected_version=0)
    store.save("req", "requirement", requirement_frame([4, 8, 2, 6]), expected_version=1)
    d = store.diff("req", 1, 2)
    assert d.quantity == "agent_hours"
    assert [str(x) for x in d.by_day["date"]] == ["2025-10-25", "2025-10-26"]
    # By hand: day 1 (4+4)/4 = 2.0 h -> (4+8)/4 = 3.0 h; day 2 (2+2)/4 = 1.0 h -> (2+6)/4 = 2.0 h.
    assert d.by_day["agent_hours_a"].tolist() == [2.0, 1.0]
    assert d.by_day["agent_hours_b"].tolist() == [3.0, 2.0]
    assert d.by_day["agent_hours_change"].tolist() == [1.0, 1.0]
    assert d.agents_changed.empty


def test_diff_of_rosters_names_the_agents_whose_shifts_changed(store):
    a = roster_frame(7)
    b = a.copy()
    b.loc[0, ["start", "end"]] = [ts("2025-03-29 10:00"), ts("2025-03-29 19:00")]  # A0001 moved
    b = pd.concat([b, pd.DataFrame({
        "agent_id": ["A0003"], "name": ["Cecilia Lund"], "site": ["Umeå"], "skill_group": ["sv_reports"],
        "shift_id": ["S9"], "start": [ts("2025-03-31 08:00")], "end": [ts("2025-03-31 12:00")],
        "paid_minutes": [240], "breaks": [""]})], ignore_index=True)
    store.save("r", "roster", a, expected_version=0)
    store.save("r", "roster", b, expected_version=1)
    d = store.diff("r", 1, 2)
    changed = d.agents_changed.set_index("agent_id")
    assert sorted(changed.index) == ["A0001", "A0003"]  # A0002 unchanged
    assert changed.loc["A0001", "change"] == "changed"
    assert changed.loc["A0003", "change"] == "added"
    assert "2025-03-29 07:00\u201316:00" in changed.loc["A0001", "shifts_a"]
    assert "2025-03-29 10:00\u201319:00" in changed.loc["A0001", "shifts_b"]
    by_day = d.by_day.set_index(d.by_day["date"].astype(str))
    assert by_day.loc["2025-03-31", "agent_hours_change"] == 4.0  # 240 paid minutes added
    assert by_day.loc["2025-03-29", "agent_hours_change"] == 0.0  # moved, same paid time


# --- bad input -------------------------------------------------------------------------------

def test_bad_input_is_refused_with_a_clear_message(store):
    with pytest.raises(WfmInputError, match="kind must be one of forecast, requirement, schedule, roster, capacity, got 'plan'"):
        store.save("x", "plan", roster_frame(), expected_version=0)
    with pytest.raises(WfmInputError, match="scenario name must be .* got ''"):
        store.save("", "roster", roster_frame(), expected_version=0)
    with pytest.raises(WfmInputError, match="expected_version must be a whole number >= 0.*got -1"):
        store.save("x", "roster", roster_frame(), expected_version=-1)
    with pytest.raises(WfmInputError, match="a roster frame needs column\\(s\\) agent_id"):
        store.save("x", "roster", roster_frame().drop(columns="agent_id"), expected_version=0)
    naive = roster_frame()
    naive["start"] = naive["start"].dt.tz_localize(None)
    with pytest.raises(WfmInputError, match="column start must hold tz-aware timestamps"):
        store.save("x", "roster", naive, expected_version=0)
    with pytest.raises(WfmInputError, match="meta must be JSON-serialisable"):
        store.save("x", "roster", roster_frame(), expected_version=0, meta={"when": pd.Timestamp("2025-01-01")})
    store.save("x", "roster", roster_frame(), expected_version=0)
    with pytest.raises(WfmInputError, match="scenario 'x' holds roster plans; cannot save a requirement"):
        store.save("x", "requirement", requirement_frame([1, 2]), expected_version=1)
    with pytest.raises(ScenarioNotFoundError, match=r"'x' has no version 7; versions: 1 \(draft\)"):
        store.load("x", 7)
    assert [v.version for v in store.versions("x")] == [1]


def test_swedish_names_are_fine(store):
    store.save("Påsk vecka 14: Umeå/Malmö", "roster", roster_frame(), expected_version=0)
    assert store.list()["name"].tolist() == ["Påsk vecka 14: Umeå/Malmö"]


def test_default_url_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WFM_DATABASE_URL", "postgresql+psycopg://u@db.example/wfm")
    assert default_database_url() == "postgresql+psycopg://u@db.example/wfm"
    monkeypatch.delenv("WFM_DATABASE_URL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_database_url() == f"sqlite:///{tmp_path / 'wfm' / 'wfm.sqlite'}"
    store = PlanStore()
    store.save("x", "roster", roster_frame(), expected_version=0)
    store.close()
    assert (tmp_path / "wfm" / "wfm.sqlite").is_file()


# --- property: the version counter never loses or duplicates a save ----------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expected=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=8))
def test_any_sequence_of_saves_accepts_exactly_the_up_to_date_ones(expected):
    store = PlanStore("sqlite://")
    latest = 0
    for k in expected:
        if k == latest:
            assert store.save("p", "roster", roster_frame(), expected_version=k).version == latest + 1
            latest += 1
        else:
            with pytest.raises(ConflictError) as info:
                store.save("p", "roster", roster_frame(), expected_version=k)
            assert (info.value.expected_version, info.value.actual_version) == (k, latest)
    versions = [v.version for v in store.versions("p")] if latest else []
    assert versions == list(range(1, latest + 1))
    store.close()


@settings(max_examples=40, deadline=None)
@given(name=st.one_of(st.text(max_size=210),
                     st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,30}", fullmatch=True)))
def test_a_name_is_either_accepted_and_listed_exactly_or_refused_naming_it(name):
    import re

    store = PlanStore("sqlite://")
    valid = re.fullmatch(r"[^\W_][\w ._:/-]{0,199}", name) is not None
    if valid:
        store.save(name, "roster", roster_frame(), expected_version=0)
        assert store.list()["name"].tolist() == [name]
        assert store.load(name).name == name
    else:
        with pytest.raises(WfmInputError, match="scenario name must be 1-200 characters of letters") as info:
            store.save(name, "roster", roster_frame(), expected_version=0)
        assert repr(name) in str(info.value)
        assert store.list().empty
    store.close()


@pytest.mark.parametrize("name", ["week 1\n", "\nweek", " week", "_week", "week\t1", "w" * 201, "a=b", ""])
def test_names_with_newlines_or_outside_the_alphabet_are_refused(name):
    store = PlanStore("sqlite://")
    with pytest.raises(WfmInputError, match="scenario name must be"):
        store.save(name, "roster", roster_frame(), expected_version=0)
    store.close()
