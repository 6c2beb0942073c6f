"""Same-day steering: actuals checked, the rest of the day re-forecast, the day projected."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from optimiser.staffing.requirement import AccessibilityTargets
from optimiser.today.actuals import actuals_so_far, day_of_plan
from optimiser.today.projection import agents_on_phone_today
from optimiser.today.reforecast import reforecast_day
from optimiser.today.steer import steer_day
from wfm.ground.errors import WfmInputError

from tests.optimiser.today.builders import DAY, TZ, actuals_from, day_forecast, roster

TARGETS = AccessibilityTargets(answer_within_seconds=180, target_service_level=0.8, patience_seconds=900)


@settings(max_examples=20, deadline=None)
@given(hour=st.integers(1, 23), minute=st.sampled_from([0, 10, 30, 59]), scale=st.floats(0.5, 80),
       power=st.floats(0, 4))
def test_actuals_equal_to_the_forecast_give_the_forecast_back(hour, minute, scale, power):
    fc = day_forecast(scale=scale)
    now = pd.Timestamp(f"{DAY} {hour:02d}:{minute:02d}", tz=TZ)
    plan = day_of_plan(fc, now)
    done = fc[fc["interval_start"] + pd.Timedelta(minutes=30) <= now]
    actuals = done.drop(columns=["model", "calls_offered_p10", "calls_offered_p90"]).reset_index(drop=True)
    r = reforecast_day(plan, actuals_so_far(actuals, plan, now), now, shrink_power=power)
    merged = plan.merge(r.forecast, on=["interval_start", "queue"], suffixes=("", "_re"))
    assert np.array_equal(merged["calls_offered"].to_numpy(), merged["calls_offered_re"].to_numpy())
    assert np.array_equal(merged["aht_seconds"].to_numpy(), merged["aht_seconds_re"].to_numpy())
    rest = merged[merged["phase"] == "reforecast"]  # ended intervals' bands collapse to the known actual
    assert np.array_equal(rest["calls_offered_p90"].to_numpy(), rest["calls_offered_p90_re"].to_numpy())
    assert (r.ratios["calls_ratio"] == 1.0).all()


def test_ratio_is_shrunk_towards_one_by_the_share_of_the_day_passed():
    fc = day_forecast()
    now = pd.Timestamp(f"{DAY} 12:00", tz=TZ)
    plan = day_of_plan(fc, now)
    act = actuals_so_far(actuals_from(fc, now, factor=1.5), plan, now)
    r = reforecast_day(plan, act, now, shrink_power=1.0)  # the rule: weight = p
    p = r.ratios["share_of_day_passed"]
    assert ((p > 0.2) & (p < 0.8)).all()
    assert np.allclose(r.ratios["calls_ratio"], 1 + p * (r.ratios["calls_ratio_observed"] - 1))
    assert np.allclose(r.ratios["calls_ratio_observed"], 1.5, atol=0.02)  # rounding of the counts
    rest = r.rest_of_day()
    expect = rest["calls_offered_day_ahead"] * rest["queue"].map(r.ratios["calls_ratio"])
    assert np.allclose(rest["calls_offered"], expect)
    half = reforecast_day(plan, act, now)  # the default, tuned by benchmarks/intraday.py
    assert np.allclose(half.ratios["weight"], np.sqrt(p))
    full = reforecast_day(plan, act, now, shrink_power=0.0)
    assert np.allclose(full.ratios["calls_ratio"], full.ratios["calls_ratio_observed"])
    with pytest.raises(WfmInputError, match="shrink_power must be"):
        reforecast_day(plan, act, now, shrink_power=-1)


def test_handle_time_is_reforecast_likewise():
    fc = day_forecast()
    now = pd.Timestamp(f"{DAY} 15:00", tz=TZ)
    plan = day_of_plan(fc, now)
    r = reforecast_day(plan, actuals_so_far(actuals_from(fc, now, aht_factor=1.2), plan, now), now)
    assert np.allclose(r.ratios["aht_ratio_observed"], 1.2)
    rest = r.rest_of_day()
    assert np.allclose(rest["aht_seconds"], 300 * (1 + r.ratios.loc[rest["queue"], "weight"].to_numpy() * 0.2))


@pytest.mark.parametrize("mutate, message", [
    (lambda a: a[~((a["queue"] == "a") & (a["interval_start"] == pd.Timestamp(f"{DAY} 09:00", tz=TZ)))],
     r"interval 2026-03-02 09:00:00\+01:00 of queue 'a' is missing"),
    (lambda a: a.assign(interval_start=a["interval_start"] - pd.Timedelta(days=7)), "is from another day"),
    (lambda a: pd.concat([a, a.tail(1).assign(interval_start=a["interval_start"].iloc[0] - pd.Timedelta(days=1))]),
     "holds rows of another day"),
    (lambda a: a.assign(queue=a["queue"].replace({"b": "chat"})), r"queue\(s\) 'chat' are not in the plan"),
    (lambda a: a[a["interval_start"] < pd.Timestamp(f"{DAY} 08:00", tz=TZ)], "a late or partial ACD export"),
])
def test_bad_or_late_actuals_are_refused_by_name(mutate, message):
    fc = day_forecast()
    now = pd.Timestamp(f"{DAY} 12:00", tz=TZ)
    plan = day_of_plan(fc, now)
    bad = mutate(actuals_from(fc, now)).reset_index(drop=True)
    bad.attrs["interval_minutes"] = 30
    with pytest.raises(WfmInputError, match=message):
        actuals_so_far(bad, plan, now)


def test_forecast_must_cover_the_day():
    with pytest.raises(WfmInputError, match="has no interval on 2026-04-01"):
        day_of_plan(day_forecast(), "2026-04-01T10:00")


def test_absences_take_the_covered_part_of_shifts_off_and_breaks_count_once():
    starts = pd.date_range(DAY, periods=48, freq="30min", tz=TZ)
    r = roster(agents=4)
    base = agents_on_phone_today(r, starts, 30)
    at = base.index
    assert base[at == pd.Timestamp(f"{DAY} 07:00", tz=TZ)].iloc[0] == 2
    assert base[at == pd.Timestamp(f"{DAY} 10:00", tz=TZ)].iloc[0] == 0  # both early agents on break 10:00-10:30
    day_off = pd.DataFrame({"agent_id": ["A00"], "start": [pd.Timestamp(DAY, tz=TZ)],
                            "end": [pd.Timestamp(DAY, tz=TZ) + pd.Timedelta(days=1)]})
    less = agents_on_phone_today(r, starts, 30, absences=day_off)
    assert (less <= base).all() and less.sum() == base.sum() - 15  # 8 h minus the 30-min break
    part = day_off.assign(start=pd.Timestamp(f"{DAY} 09:00", tz=TZ))  # leaves at 09:00, break 10:00 inside
    left = agents_on_phone_today(r, starts, 30, absences=part)
    assert base.sum() - left.sum() == 9  # 09:00-14:00 = 10 half-hours, of which the 10:00 break was off anyway
    assert (left >= 0).all()


def test_more_agents_never_lower_the_projected_day():
    fc = day_forecast(scale=40)
    now = pd.Timestamp(f"{DAY} 11:00", tz=TZ)
    act = actuals_from(fc, now, factor=1.2)
    few = steer_day(fc, act, roster(agents=10), now, TARGETS)
    many = steer_day(fc, act, roster(agents=16), now, TARGETS)
    assert many.projection.day["service_level"] >= few.projection.day["service_level"]
    assert many.projection.day["so_far_service_level"] == few.projection.day["so_far_service_level"]
    d = few.projection.day
    per = few.projection.per_interval
    assert d["calls_offered"] == pytest.approx(per["calls_offered"].sum())
    assert d["service_level"] == pytest.approx(per["calls_answered_within_target"].sum() / per["calls_offered"].sum())


def test_replay_behaves_as_live_at_that_moment():
    fc = day_forecast()
    now = pd.Timestamp(f"{DAY} 13:30", tz=TZ)
    whole_day = actuals_from(fc, pd.Timestamp(DAY, tz=TZ) + pd.Timedelta(days=1), factor=1.1)
    live = steer_day(fc, actuals_from(fc, now, factor=1.1), roster(), now, TARGETS)
    replay = steer_day(fc, whole_day, roster(), now, TARGETS, replay=True)
    pd.testing.assert_frame_equal(live.projection.per_interval, replay.projection.per_interval)
