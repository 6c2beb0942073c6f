"""Small hand-built days for the same-day steering tests."""

import numpy as np
import pandas as pd

from wfm.ground.frames import Break

TZ = "Europe/Stockholm"
DAY = "2026-03-02"


def day_forecast(day=DAY, queues=("a", "b"), minutes=30, scale=20.0, aht=300.0):
    idx = pd.date_range(day, periods=24 * 60 // minutes, freq=f"{minutes}min", tz=TZ)
    shape = 0.2 + np.sin(np.linspace(0, np.pi, len(idx))) ** 2
    frames = [pd.DataFrame({"interval_start": idx, "queue": q, "calls_offered": scale * shape * (1 + k),
                            "calls_offered_p10": 0.8 * scale * shape * (1 + k),
                            "calls_offered_p90": 1.25 * scale * shape * (1 + k),
                            "aht_seconds": aht, "model": "test"}) for k, q in enumerate(queues)]
    out = pd.concat(frames, ignore_index=True)
    out.attrs["interval_minutes"] = minutes
    return out


def actuals_from(forecast, now, factor=1.0, aht_factor=1.0, asa=30.0):
    """History rows for the intervals ended by ``now``: the forecast times ``factor`` (rounded calls)."""
    now = pd.Timestamp(now, tz=TZ) if pd.Timestamp(now).tzinfo is None else pd.Timestamp(now)
    minutes = forecast.attrs["interval_minutes"]
    done = forecast[forecast["interval_start"] + pd.Timedelta(minutes=minutes) <= now]
    calls = np.round(done["calls_offered"].to_numpy() * factor).astype("int64")
    out = pd.DataFrame({"interval_start": done["interval_start"].to_numpy(), "queue": done["queue"].to_numpy(),
                        "calls_offered": calls, "calls_answered": pd.array(calls, dtype="Int64"),
                        "calls_abandoned": pd.array(np.zeros(len(calls), dtype=int), dtype="Int64"),
                        "aht_seconds": done["aht_seconds"].to_numpy() * aht_factor, "asa_seconds": asa})
    out["interval_start"] = out["interval_start"].dt.tz_convert(TZ)
    out.attrs["interval_minutes"] = minutes
    return out.reset_index(drop=True)


def roster(day=DAY, agents=12, absent=None):
    start = pd.Timestamp(day, tz=TZ)
    rows = []
    for i in range(agents):
        s = start + pd.Timedelta(hours=6 if i % 2 == 0 else 14)
        rows.append({"agent_id": f"A{i:02d}", "start": s, "end": s + pd.Timedelta(hours=8),
                     "breaks": [Break(s + pd.Timedelta(hours=4), 30, False)]})
    return pd.DataFrame(rows)
