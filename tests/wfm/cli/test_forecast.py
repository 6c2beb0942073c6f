"""wfm forecast: exact output columns, optional files, progress, exit 2 on bad input."""

import numpy as np
import pandas as pd
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.cli import main
from wfm.cli.forecast import parse_horizon_days, parse_interval_minutes
from wfm.ground.errors import WfmInputError

TZ = "Europe/Stockholm"
COLUMNS = ["interval_start", "queue", "calls_offered", "calls_offered_p10", "calls_offered_p90",
           "calls_offered_p025", "calls_offered_p975", "aht_seconds", "model"]


@pytest.fixture
def history_csv(tmp_path):
    idx = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=35 * 24, freq="60min")
    rng = np.random.default_rng(0)
    frames = []
    for q in ("reports", "english"):
        frames.append(pd.DataFrame({"interval_start": idx, "queue": q,
                                    "calls_offered": rng.poisson(10, len(idx)), "aht_seconds": 300.0}))
    h = pd.concat(frames, ignore_index=True)
    text = pd.Series(idx.strftime("%Y-%m-%dT%H:%M:%S%z")).str.replace(r"(\d\d)(\d\d)$", r"\1:\2", regex=True)
    h["interval_start"] = np.tile(text.to_numpy(), 2)
    path = tmp_path / "history.csv"
    h.to_csv(path, index=False)
    return path


def test_forecast_writes_the_contract(history_csv, tmp_path, capsys):
    out = tmp_path / "forecast.csv"
    report = tmp_path / "report.csv"
    rc = main(["forecast", str(history_csv), "--horizon", "7d", "--interval", "60min", "--model", "weekly_mean",
               "--out", str(out), "--backtest", str(report), "--jobs", "1"])
    assert rc == 0
    df = pd.read_csv(out, dtype={"interval_start": str})
    assert list(df.columns) == COLUMNS
    assert len(df) == 2 * 7 * 24
    assert df["interval_start"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+01:00$").all()
    rep = pd.read_csv(report)
    assert {"queue", "model", "horizon_bucket", "wape", "mase", "bias", "coverage80", "coverage95", "rank"} <= set(rep.columns)
    err = capsys.readouterr().err
    assert "[1/" in err and "forecast reports" in err  # progress on stderr


def test_queues_selection_and_events_file(history_csv, tmp_path):
    ev = tmp_path / "events.csv"
    ev.write_text("date,end_date,name,kind\n2024-01-10,,campaign one,campaign\n")
    out = tmp_path / "f.csv"
    rc = main(["forecast", str(history_csv), "--horizon", "2d", "--interval", "60min", "--model", "regression",
               "--out", str(out), "--events", str(ev), "--queues", "english", "--jobs", "1", "--quiet", "--country", "SE"])
    assert rc == 0
    df = pd.read_csv(out)
    assert set(df["queue"]) == {"english"} and len(df) == 2 * 24


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "magic"], "unknown model 'magic'; valid models: auto, combination"),
        (["--horizon", "0d"], "--horizon must be at least 1 day"),
        (["--horizon", "soon"], "--horizon must look like 28d"),
        (["--interval", "10min"], "interval_minutes 10 is finer than the history's 60-minute intervals"),
        (["--model", "auto", "--candidates", "ets,foo"], "candidates: unknown model(s) ['foo']"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(history_csv, tmp_path, capsys, args, message):
    base = {"--horizon": "7d", "--interval": "60min", "--model": "weekly_mean"}
    for k, v in zip(args[::2], args[1::2]):
        base[k] = v
    argv = ["forecast", str(history_csv), "--out", str(tmp_path / "x.csv"), "--jobs", "1"]
    for k, v in base.items():
        argv += [k, v]
    rc = main(argv)
    assert rc == 2
    err = capsys.readouterr().err
    assert message in err
    flag = args[0] if args[0] != "--model" or len(args) == 2 else "--candidates"
    assert flag in err  # only the CLI speaks of flags: it says which one sets the value
    assert not (tmp_path / "x.csv").exists()


def test_auto_with_candidates_and_selection_file(history_csv, tmp_path):
    out, sel = tmp_path / "f.csv", tmp_path / "sel.csv"
    rc = main(["forecast", str(history_csv), "--horizon", "3d", "--interval", "60min", "--model", "auto",
               "--candidates", "seasonal_naive,weekly_mean", "--out", str(out), "--selection", str(sel),
               "--jobs", "1", "--quiet"])
    assert rc == 0
    table = pd.read_csv(sel)
    assert set(table["queue"]) == {"reports", "english"}
    assert set(table.loc[table["kind"] == "model", "candidate"]) == {"seasonal_naive", "weekly_mean"}
    assert pd.read_csv(out)["model"].str.startswith("auto:").all()


def test_bad_events_file_exits_2(history_csv, tmp_path, capsys):
    ev = tmp_path / "events.csv"
    ev.write_text("date,end_date,name,kind\n2024-01-10,,storm,weather\n")
    rc = main(["forecast", str(history_csv), "--horizon", "7d", "--interval", "60min", "--out", str(tmp_path / "x.csv"),
               "--events", str(ev), "--model", "weekly_mean"])
    assert rc == 2
    assert "line 2 column 'kind'" in capsys.readouterr().err


def test_calls_only_history_is_forecast_and_says_its_aht_column_is_empty(history_csv, tmp_path, capsys):
    calls_only = tmp_path / "calls_only.csv"
    pd.read_csv(history_csv).drop(columns="aht_seconds").to_csv(calls_only, index=False)
    out = tmp_path / "f.csv"
    rc = main(["forecast", str(calls_only), "--horizon", "2d", "--interval", "60min", "--model", "weekly_mean",
               "--out", str(out), "--jobs", "1", "--quiet"])
    assert rc == 0
    df = pd.read_csv(out)
    assert df["aht_seconds"].isna().all() and df["calls_offered"].sum() > 0
    assert "no aht_seconds for queue(s) english, reports" in capsys.readouterr().err


def test_flag_value_parsers():
    assert parse_horizon_days("28d") == 28 and parse_horizon_days("4w") == 28 and parse_horizon_days(3) == 3
    assert parse_interval_minutes("15min") == 15 and parse_interval_minutes("1h") == 60
    for bad in ("0d", "-3d", "abc", "2.5d"):
        with pytest.raises(WfmInputError, match="--horizon"):
            parse_horizon_days(bad)
    for bad in ("7min", "0", "x"):
        with pytest.raises(WfmInputError, match="--interval"):
            parse_interval_minutes(bad)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=12))
def test_flag_value_parsers_accept_or_refuse_clearly(text):
    """Property: any text is either a valid horizon/interval or a WfmInputError naming the flag."""
    for parse, flag in ((parse_horizon_days, "--horizon"), (parse_interval_minutes, "--interval")):
        try:
            value = parse(text)
        except WfmInputError as exc:
            assert flag in str(exc) and repr(text) in str(exc)
        else:
            assert isinstance(value, int) and value >= 1
            if flag == "--interval":
                assert 1440 % value == 0


def test_an_unavailable_model_is_an_error_naming_why(history_csv, tmp_path):
    """Without the prophet package the registry lists prophet as unavailable, and asking for it says why."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = ("import sys; sys.modules['prophet'] = None\n"  # the package is not installed
              "from forecasting.models import MODELS, UNAVAILABLE\n"
              "assert 'prophet' not in MODELS and 'prophet' in UNAVAILABLE, UNAVAILABLE\n"
              "from wfm.cli import main\n"
              f"sys.exit(main(['forecast', {str(history_csv)!r}, '--horizon', '2d', '--interval', '60min', "
              f"'--model', 'prophet', '--out', {str(tmp_path / 'x.csv')!r}, '--jobs', '1']))\n")
    root = Path(__file__).resolve().parents[3]
    env = dict(os.environ, PYTHONPATH=str(root))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 2, out.stderr[-2000:]
    assert "model 'prophet' is unavailable: it needs the 'prophet' package, which is not installed" in out.stderr
    assert "(set with --model)" in out.stderr and "Traceback" not in out.stderr


def _offsets_csv(tmp_path, zone: str, days: int = 120):
    idx = pd.date_range(pd.Timestamp("2024-01-01", tz=zone), periods=days * 24, freq="60min")
    calls = np.random.default_rng(1).poisson(10, len(idx))
    path = tmp_path / f"{zone.replace('/', '_')}.csv"
    pd.DataFrame({"interval_start": [t.isoformat() for t in idx], "queue": "q", "calls_offered": calls}).to_csv(
        path, index=False)
    return path


def test_a_file_from_another_zone_stops_naming_its_offsets_and_the_tz_flag(tmp_path, capsys):
    """issue 17 item 0: no silent re-cut to Stockholm days; several US zones fit -07:00/-06:00."""
    path = _offsets_csv(tmp_path, "America/Denver")
    out = tmp_path / "f.csv"
    rc = main(["forecast", str(path), "--horizon", "2d", "--interval", "60min", "--model", "weekly_mean",
               "--out", str(out), "--jobs", "1", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and not out.exists()
    assert "-07:00, -06:00" in err and "America/Denver" in err and "--tz" in err
    rc = main(["forecast", str(path), "--horizon", "2d", "--interval", "60min", "--model", "weekly_mean",
               "--out", str(out), "--jobs", "1", "--quiet", "--tz", "America/Denver"])
    assert rc == 0
    assert pd.read_csv(out, dtype={"interval_start": str})["interval_start"].str.endswith("-06:00").all()  # May


def test_a_zone_the_offsets_alone_fit_is_used_and_said(tmp_path, capsys):
    path = _offsets_csv(tmp_path, "Asia/Jerusalem")
    out = tmp_path / "f.csv"
    rc = main(["forecast", str(path), "--horizon", "2d", "--interval", "60min", "--model", "weekly_mean",
               "--out", str(out), "--jobs", "1", "--quiet"])
    assert rc == 0
    err = capsys.readouterr().err
    assert "note:" in err and "Asia/Jerusalem" in err and "holidays of IL" in err
    assert pd.read_csv(out, dtype={"interval_start": str})["interval_start"].str.endswith("+03:00").all()  # May
