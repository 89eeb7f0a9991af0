"""Tiles benchmark driver (run by `cargo xtask bench tiles`): times every tile and the
marketing dashboard through HTTP against a running release collector, then computes the
same aggregates with DuckDB over the same SQLite data (exported to CSV and loaded into
DuckDB's own tables), and prints both side by side.

argv: BASE_URL TOKEN DB_PATH SERVER_PID
"""
import csv
import datetime
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import urllib.request

base, token, db_path, pid = sys.argv[1:5]
RUNS = 15


def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read())


def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def median_ms(fn, runs=RUNS):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


rss_before = rss_mb()
t0 = time.perf_counter()
model = get("/api/v1/tiles/model")
load_s = time.perf_counter() - t0
rss_after = rss_mb()

tiles = [t["id"] for t in get("/api/v1/tiles")["items"] if t["id"] != "selection-list"]
marketing = [t["tile"] for t in get("/api/v1/dashboards/marketing")["tiles"]]
period = get("/api/v1/tiles/lead-funnel")["period"]
ours = {tile: median_ms(lambda tile=tile: get(f"/api/v1/tiles/{tile}")) for tile in tiles}
ours_filtered = {tile: median_ms(lambda tile=tile: get(f"/api/v1/tiles/{tile}?country=NO&owner=2")) for tile in tiles}


def dashboard_once(query=""):
    threads = [threading.Thread(target=get, args=(f"/api/v1/tiles/{t}{query}",)) for t in marketing]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


dash_ms = median_ms(dashboard_once, 9)
dash_filtered_ms = median_ms(lambda: dashboard_once("?country=NO&owner=2"), 9)

# ---- DuckDB over the same data ----------------------------------------------------------
import duckdb  # noqa: E402  (installed with `pip install duckdb`)

start = datetime.datetime.fromisoformat(period["from"]).replace(tzinfo=datetime.timezone.utc)
end = datetime.datetime.fromisoformat(period["to"]).replace(tzinfo=datetime.timezone.utc) + datetime.timedelta(days=1)
lo, hi = int(start.timestamp() * 1000), int(end.timestamp() * 1000)

src = sqlite3.connect(db_path)
duck = duckdb.connect()
tables = {
    "persons": "SELECT id, created_at, owner_id, country, status, lead_source, lead_medium, lead_campaign, first_source, lead_referrer, lead_channel FROM persons",
    "status_changes": "SELECT person_id, status FROM status_changes",
    "submissions": "SELECT id, person_id, channel, form_id FROM submissions",
    "sales": "SELECT person_id, status, amount_minor, currency, at FROM sales",
    "forms": "SELECT id, key FROM forms",
}
t0 = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    for name, sql in tables.items():
        path = os.path.join(tmp, name + ".csv")
        cur = src.execute(sql)
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([d[0] for d in cur.description])
            while True:
                rows = cur.fetchmany(50000)
                if not rows:
                    break
                w.writerows(rows)
        duck.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv_auto('{path}', header=true)")
load_duck_s = time.perf_counter() - t0

P = f"p.created_at >= {lo} AND p.created_at < {hi}"
FILTER = " AND p.country = 'NO' AND p.owner_id = 2"
creating = "(SELECT person_id, arg_min(channel, id) AS channel, arg_min(form_id, id) AS form_id FROM submissions GROUP BY person_id)"
queries = {
    "lead-funnel": f"WITH r AS (SELECT person_id, bool_or(status = 'in_progress') ip, bool_or(status = 'qualified') q, bool_or(status = 'disqualified') d FROM status_changes GROUP BY 1) "
                   f"SELECT count(*), count(*) FILTER (WHERE r.ip OR r.q OR p.status IN ('in_progress','qualified')), count(*) FILTER (WHERE r.q OR p.status = 'qualified'), count(*) FILTER (WHERE r.d OR p.status = 'disqualified') "
                   f"FROM persons p LEFT JOIN r ON r.person_id = p.id WHERE {P}",
    "new-leads-by-campaign": f"SELECT lead_campaign, count(*) n FROM persons p WHERE {P} GROUP BY 1 ORDER BY n DESC LIMIT 26",
    "new-leads-by-lead-source": f"SELECT lead_source, count(*) n FROM persons p WHERE {P} GROUP BY 1 ORDER BY n DESC LIMIT 26",
    "new-leads-by-first-source": f"SELECT first_source, count(*) n FROM persons p WHERE {P} GROUP BY 1 ORDER BY n DESC LIMIT 26",
    "new-leads-by-channel": f"SELECT lead_channel, count(*) n FROM persons p WHERE {P} GROUP BY 1 ORDER BY n DESC LIMIT 26",
    "new-leads-from-chat": f"SELECT count(*) FROM persons p JOIN {creating} c ON c.person_id = p.id WHERE {P} AND c.channel = 'chat'",
    "new-leads-from-forms": f"SELECT count(*) FROM persons p JOIN {creating} c ON c.person_id = p.id WHERE {P} AND c.channel = 'form'",
    "sales-by-lead-source": f"SELECT p.lead_source, count(*) n FROM sales s JOIN persons p ON p.id = s.person_id WHERE s.status = 'won' AND s.at >= {lo} AND s.at < {hi} {{F}} GROUP BY 1 ORDER BY n DESC",
    "pipeline-by-lead-source": f"SELECT p.lead_source, s.currency, sum(s.amount_minor) FROM sales s JOIN persons p ON p.id = s.person_id WHERE s.status = 'open' AND s.at >= {lo} AND s.at < {hi} {{F}} GROUP BY 1, 2",
    "top-referring-sites": f"SELECT regexp_extract(lead_referrer, '^[a-z]+://(?:www\\.)?([^/:?#]+)', 1) host, count(*) n FROM persons p WHERE {P} AND lead_referrer IS NOT NULL GROUP BY 1 ORDER BY n DESC LIMIT 10",
    "top-forms": f"SELECT f.key, count(*) n FROM persons p JOIN {creating} c ON c.person_id = p.id JOIN forms f ON f.id = c.form_id WHERE {P} GROUP BY 1 ORDER BY n DESC LIMIT 10",
    "source-performance": f"WITH d AS (SELECT person_id, count(*) deals FROM sales WHERE status = 'won' GROUP BY 1) SELECT lead_source, lead_medium, count(*), sum(coalesce(d.deals, 0)) FROM persons p LEFT JOIN d ON d.person_id = p.id WHERE {P} GROUP BY 1, 2",
    "campaign-channel-split": f"WITH c AS (SELECT lead_campaign FROM persons p WHERE {P} AND lead_campaign IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1) SELECT lead_source, count(*) FROM persons p WHERE {P} AND lead_campaign = (SELECT lead_campaign FROM c) GROUP BY 1",
    "conversion-rate-by-source": f"WITH d AS (SELECT person_id, count(*) deals FROM sales WHERE status = 'won' GROUP BY 1) SELECT lead_source, sum(coalesce(d.deals, 0)) * 100.0 / count(*) FROM persons p LEFT JOIN d ON d.person_id = p.id WHERE {P} GROUP BY 1",
    # The trend tiles at their defaults (weeks by lead source; months, all leads), in UTC as the bench's collector.
    "new-leads-trend": f"SELECT date_trunc('week', make_timestamp(p.created_at * 1000)) b, lead_source, count(*) FROM persons p WHERE {P} GROUP BY 1, 2",
    "conversion-trend": f"WITH d AS (SELECT person_id, count(*) deals FROM sales WHERE status = 'won' GROUP BY 1) SELECT date_trunc('month', make_timestamp(p.created_at * 1000)) b, count(*), sum(coalesce(d.deals, 0)) FROM persons p LEFT JOIN d ON d.person_id = p.id WHERE {P} GROUP BY 1",
}


def sql_of(tile, filtered):
    q = queries[tile]
    f = FILTER if filtered else ""
    if "{F}" in q:
        return q.replace("{F}", f)
    return q.replace(P, P + f)


# Tiles read by SQL rather than the model (attribution-quality) have no DuckDB twin.
duck_ms = {t: median_ms(lambda t=t: duck.execute(sql_of(t, False)).fetchall(), 7) for t in tiles if t in queries}
duck_filtered_ms = {t: median_ms(lambda t=t: duck.execute(sql_of(t, True)).fetchall(), 7) for t in tiles if t in queries}

print(f"  model: {model['persons']} persons, {model['sales']} sales, {model['heap_bytes'] / 1e6:.1f} MB heap "
      f"(≈{model['heap_bytes'] / max(model['persons'], 1):.0f} B/person); loaded on first tile request in {load_s:.2f} s; "
      f"server RSS {rss_before:.0f} → {rss_after:.0f} MB")
print(f"  DuckDB: tables loaded from CSV in {load_duck_s:.1f} s; period {period['from']} – {period['to']}")
print(f"  {'tile':28} {'leadtrail HTTP':>15} {'+filters':>10} {'DuckDB':>10} {'+filters':>10}   (median ms)")
for t in tiles:
    theirs = f"{duck_ms[t]:10.2f} {duck_filtered_ms[t]:10.2f}" if t in duck_ms else f"{'-':>10} {'-':>10}"
    print(f"  {t:28} {ours[t]:15.2f} {ours_filtered[t]:10.2f} {theirs}")
duck_dash = sum(duck_ms.get(t, 0) for t in marketing)
duck_dash_f = sum(duck_filtered_ms.get(t, 0) for t in marketing)
print(f"  {'dashboard marketing (' + str(len(marketing)) + ')':28} {dash_ms:15.2f} {dash_filtered_ms:10.2f} {duck_dash:10.2f} {duck_dash_f:10.2f}"
      "   (leadtrail: tiles requested in parallel, wall time; DuckDB: sum of its queries)")
