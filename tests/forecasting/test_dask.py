"""The same pipeline on a local Dask cluster gives the same forecast as joblib."""

import numpy as np
import pandas as pd
import pytest

from forecasting.parallel import parallel_map
from forecasting.pipeline import ForecastSettings, forecast
from wfm.ground.errors import WfmInputError

distributed = pytest.importorskip("dask.distributed")
TZ = "Europe/Stockholm"


def history():
    idx = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=36 * 24, freq="60min")
    rng = np.random.default_rng(5)
    h = pd.concat([pd.DataFrame({"interval_start": idx, "queue": q, "calls_offered": rng.poisson(8 + k, len(idx)),
                                 "aht_seconds": 200.0 + k}) for k, q in enumerate(("a", "b", "c"))], ignore_index=True)
    h.attrs = {"interval_minutes": 60, "tz": TZ}
    return h


def _square(x):
    return x * x


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as c:
        yield c


def test_parallel_map_on_dask_keeps_order(cluster):
    seen = []
    out = parallel_map(_square, [3, 1, 2], dask_scheduler=cluster.scheduler_address,
                       progress=lambda d, t, l: seen.append((d, t)))
    assert out == [9, 1, 4]
    assert sorted(seen) == [(1, 3), (2, 3), (3, 3)]


def test_forecast_on_dask_equals_joblib(cluster):
    h = history()
    settings = ForecastSettings(7, 60, model="auto", backtest=True, candidates=("seasonal_naive", "weekly_mean"),
                                n_origins=2)
    local = forecast(h, settings, n_jobs=2)
    remote = forecast(h, settings, dask_scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(local.forecast, remote.forecast)
    pd.testing.assert_frame_equal(local.backtest, remote.backtest)
    pd.testing.assert_frame_equal(local.selection, remote.selection)


def test_cli_with_dask_scheduler(cluster, tmp_path):
    from wfm.cli import main

    h = history()
    text = pd.Series(pd.DatetimeIndex(h["interval_start"]).strftime("%Y-%m-%dT%H:%M:%S%z")).str.replace(
        r"(\d\d)(\d\d)$", r"\1:\2", regex=True)
    h.assign(interval_start=text).to_csv(tmp_path / "h.csv", index=False)
    for name, extra in (("dask.csv", ["--dask-scheduler", cluster.scheduler_address]), ("joblib.csv", ["--jobs", "1"])):
        rc = main(["forecast", str(tmp_path / "h.csv"), "--horizon", "3d", "--interval", "60min",
                   "--model", "seasonal_naive", "--out", str(tmp_path / name), "--quiet", *extra])
        assert rc == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "dask.csv"), pd.read_csv(tmp_path / "joblib.csv"))


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(WfmInputError, match="cannot connect to a Dask scheduler there"):
        parallel_map(_square, [1], dask_scheduler="tcp://127.0.0.1:1")
