"""Plan-store and export timings for a full demo-size roster (800 agents x 4 weeks).

Run:  .venv/bin/python benchmarks/plan_store.py   (WFM_TEST_POSTGRES_URL for PostgreSQL)
Peers in the same run: pandas DataFrame.to_sql/read_sql (a row table) for the store,
pandas to_csv / to_excel / to_json for the exports.
"""
import os, time, tempfile, tracemalloc, uuid
from pathlib import Path
from urllib.parse import quote
import numpy as np, pandas as pd, sqlalchemy as sa
from optimiser.store import PlanStore
from wfm.io.roster import export_roster

TZ = "Europe/Stockholm"
rng = np.random.default_rng(1)
agents = [f"A{i:04d}" for i in range(800)]
rows = []
day0 = pd.Timestamp("2025-03-17", tz=TZ)  # 4 weeks incl. the spring-forward
for a in agents:
    for d in range(28):
        if rng.random() < 0.3:
            continue
        h = int(rng.choice([7, 8, 10, 14, 22]))
        start = (day0 + pd.Timedelta(days=d)).replace(hour=h)
        end = start + pd.Timedelta(hours=9)
        b = start + pd.Timedelta(hours=4)
        rows.append((a, f"Name {a}", "Umeå", "sv_all", f"S{len(rows)}", start, end, 510, f"{b.isoformat()}/30/unpaid"))
df = pd.DataFrame(rows, columns=["agent_id","name","site","skill_group","shift_id","start","end","paid_minutes","breaks"])
df["start"] = pd.to_datetime(df["start"].map(lambda t: t.isoformat()), format="ISO8601", utc=True).dt.tz_convert(TZ)
df["end"] = pd.to_datetime(df["end"].map(lambda t: t.isoformat()), format="ISO8601", utc=True).dt.tz_convert(TZ)
print(f"roster: {len(df)} shifts, {df.agent_id.nunique()} agents")

def timed(label, fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter(); out = fn(); best = min(best, time.perf_counter() - t)
    print(f"{label:55s} {best*1000:9.1f} ms")
    return best, out

urls = {"sqlite": f"sqlite:///{tempfile.mkdtemp()}/b.sqlite"}
pg = os.environ.get("WFM_TEST_POSTGRES_URL")
schema = None
if pg:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with sa.create_engine(pg).begin() as c: c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    urls["postgresql"] = f"{pg}?options={quote('-csearch_path=' + schema)}"
for backend, url in urls.items():
    store = PlanStore(url)
    counter = iter(range(1, 100))
    t_save, _ = timed(f"{backend}: PlanStore.save (parquet blob)", lambda: store.save("bench", "roster", df, expected_version=next(counter) - 1))
    t_load, _ = timed(f"{backend}: PlanStore.load", lambda: store.load("bench"))
    eng = store.engine
    t_tosql, _ = timed(f"{backend}: peer pandas.to_sql (row table)", lambda: df.to_sql("peer_rows", eng, if_exists="replace", index=False, chunksize=5000))
    t_readsql, _ = timed(f"{backend}: peer pandas.read_sql", lambda: pd.read_sql("select * from peer_rows", eng))
    print(f"{backend}: ratio save/to_sql = {t_save/t_tosql:.2f}, load/read_sql = {t_load/t_readsql:.2f}")
    size = store.load("bench", with_frame=True)
    store.close()
if schema:
    with sa.create_engine(pg).begin() as c: c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))

out = Path(tempfile.mkdtemp())
flat = df.assign(start=df.start.map(lambda t: t.isoformat()), end=df.end.map(lambda t: t.isoformat()))
for suffix in (".csv", ".json", ".xlsx"):
    t, _ = timed(f"export_roster {suffix}", lambda: export_roster(df, out / f"r{suffix}"), repeat=1)
peer = {".csv": lambda: flat.to_csv(out / "p.csv", index=False), ".json": lambda: flat.to_json(out / "p.json", orient="records"),
        ".xlsx": lambda: flat.to_excel(out / "p.xlsx", index=False)}
for suffix, fn in peer.items():
    timed(f"peer pandas to_{suffix[1:]} (flat, no grid/neutralising)", fn, repeat=1)
timed("export_roster directory of .ics (800 files)", lambda: export_roster(df, out / "ics"), repeat=1)
tracemalloc.start(); export_roster(df, out / "m.xlsx"); peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
print(f"peak traced Python memory of the xlsx export: {peak/2**20:.0f} MiB")
print(f"sizes: csv {os.path.getsize(out/'r.csv')/1e6:.1f} MB, xlsx {os.path.getsize(out/'r.xlsx')/1e6:.1f} MB, json {os.path.getsize(out/'r.json')/1e6:.1f} MB")
