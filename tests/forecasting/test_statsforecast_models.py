"""The statsforecast wrappers keep the model protocol (they join the registry and its contract test with auto's rework).

Checked here on the contract test's own histories: horizon length across the DST change, no NaN, non-negative,
ordered bounds, refit == one-shot, a constant history forecast as that constant, closed hours exactly 0.
"""

import numpy as np
import pytest

from forecasting.models.statsforecast_models import SFMSTL, SFAutoETS
from tests.forecasting.test_models_contract import BOUND_ORDER, _history, _horizon

CLASSES = [pytest.param(cls, m, id=f"{cls.name}-{m}min") for cls in (SFAutoETS, SFMSTL) for m in (60, 15)]


@pytest.mark.parametrize("cls, minutes", CLASSES)
def test_protocol_on_a_24_7_history_across_dst(cls, minutes):
    h = _history(minutes, 5, "allday")
    out = cls().fit(h).predict(_horizon(minutes))
    assert len(out) == _horizon(minutes)
    values = out[BOUND_ORDER].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (np.diff(values, axis=1) >= -1e-9).all()
    again = cls().fit(h).predict(_horizon(minutes))
    assert np.allclose(out["calls_offered"], again["calls_offered"])


@pytest.mark.parametrize("cls, minutes", CLASSES)
def test_constant_history_and_closed_hours(cls, minutes):
    const = cls().fit(_history(minutes, 5, "constant")).predict(_horizon(minutes))
    assert np.allclose(const["calls_offered"], 37, rtol=0.02)
    out = cls().fit(_history(minutes, 5, "open")).predict(_horizon(minutes))
    local = out["interval_start"].dt.tz_convert("Europe/Stockholm")
    hour = local.dt.hour + local.dt.minute / 60
    closed = (hour < 7) | (hour >= 21) | (local.dt.day_of_week >= 5)
    assert (out.loc[closed, BOUND_ORDER].to_numpy() == 0).all()
    assert (out.loc[~closed, "calls_offered"] > 0).all()
