"""Search benchmark driver (run by `cargo xtask bench search`): asks a fixed list of
criteria trees through HTTP against a running release collector — the first page of 50 and
its exact `total` — and prints median and p99 per query; then asks the same questions of
DuckDB over the same SQLite data (exported to CSV and loaded into DuckDB's own tables), and
checks that both count the same.

argv: BASE_URL TOKEN DB_PATH SERVER_PID
Environment: LEADTRAIL_BENCH_ONLY (a substring of the query labels to run);
LEADTRAIL_BENCH_CACHED=1 repeats each request as it is (by default every run asks a tree
no earlier run asked, so that no answer kept from the previous run is timed).
"""
import csv
import datetime
import json
import math
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request

base, token, db_path, pid = sys.argv[1:5]
ONLY = os.environ.get("LEADTRAIL_BENCH_ONLY", "")
PAGE = 50


def request(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as res:
        return json.loads(res.read())


def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(times, p):
    s = sorted(times)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


def timed(fn):
    """Median, p99 and the number of timed runs; the untimed first call warms up and says
    how many runs the query can afford (slow ones fewer)."""
    t0 = time.perf_counter()
    result = fn()
    first = (time.perf_counter() - t0) * 1000
    runs = 30 if first < 20 else 11 if first < 100 else 5 if first < 1000 else 3
    # A query of seconds is its own warm-up: it counts, and its runs stop after 10 s.
    times = [first] if first >= 1000 else []
    spent = sum(times)
    while len(times) < runs and spent < 10_000:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        spent += times[-1]
    return statistics.median(times), percentile(times, 99), len(times), result


# ---- values taken from the data -----------------------------------------------------------
src = sqlite3.connect(db_path)


def top(sql_from, column, n=2):
    rows = src.execute(
        f"SELECT {column} v FROM {sql_from} WHERE {column} IS NOT NULL AND {column} <> '' "
        f"GROUP BY v ORDER BY count(*) DESC, v LIMIT {n}").fetchall()
    return [r[0] for r in rows]


def fragment(value):
    """A piece of a value, for `contains`: its middle, at least 3 characters."""
    value = str(value)
    if len(value) <= 4:
        return value
    mid = len(value) // 2
    return value[mid - 2:mid + 2]


# Where each searchable field of persons lives: (table expression, column) for the value
# samples, and how DuckDB evaluates it (mirrors the collector's field registry).
TOUCH = ["source", "medium", "campaign", "term", "content", "channel"]
LOWER = {"source", "medium", "campaign", "channel", "email", "domain"}
fields = {}
for f in TOUCH:
    fields[f"first_interaction.{f}"] = ("value", f"p.first_{f}", "persons p", f"p.first_{f}")
    fields[f"lead_generation.{f}"] = ("value", f"p.lead_{f}", "persons p", f"p.lead_{f}")
    fields[f"conversion.{f}"] = ("submissions", f"s.conv_{f}", "submissions s", f"s.conv_{f}")
    fields[f"company.source.{f}"] = ("company", f"c.src_{f}", "companies c", f"c.src_{f}")
fields.update({
    "status": ("value", "p.status", "persons p", "p.status"),
    "owner": ("value", "p.owner_id", "persons p", "p.owner_id"),
    "country": ("value", "p.country", "persons p", "p.country"),
    "form": ("forms", "f.key", "submissions s JOIN forms f ON f.id = s.form_id", "f.key"),
    "email": ("value", "p.email_key", "persons p", "p.email_key"),
    "name": ("value", "p.name", "persons p", "p.name"),
    "company.name": ("company", "c.name", "companies c", "c.name"),
    "domain": ("company", "c.domain", "companies c", "c.domain"),
    "company_id": ("value", "p.company_id", "persons p", "p.company_id"),
    "created_at": ("value", "p.created_at", "persons p", "p.created_at"),
})

DAY = 86_400_000
max_created = src.execute("SELECT max(created_at) FROM persons").fetchone()[0]


def day(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%d")


recent = day(max_created - 36 * DAY)


def samples(name):
    kind, _, table, column = fields[name]
    if name == "created_at":
        return [day(max_created - 30 * DAY)]
    if name == "email":
        # Unique per person: a sample of a few, not the most common.
        return [r[0] for r in src.execute("SELECT email_key FROM persons ORDER BY id LIMIT 2")]
    return top(table, column)


def leaf(field, op="eq", value=None):
    node = {"field": field, "op": op}
    if value is not None:
        node["value"] = value
    return node


def queries():
    """(label, method, path, tree): the tree is what DuckDB evaluates."""
    out = []

    def get(label, qs):
        tree = {"all": []}
        for key, value in urllib.parse.parse_qsl(qs):
            field, _, op = key.partition("[")
            op = op.rstrip("]") or "eq"
            tree["all"].append(leaf(field, op, value.split(",") if op == "in" else value))
        out.append((label, "GET", f"/api/v1/persons?limit={PAGE}&{qs}", tree))

    def post(label, tree):
        out.append((label, "POST", f"/api/v1/persons/search?limit={PAGE}", tree))

    # The usual questions.
    get("lead_generation.source=linkedin", "lead_generation.source=linkedin")
    get("first_interaction.campaign[contains]=webinar", "first_interaction.campaign[contains]=webinar")
    get("status=open&country=NO&lead_generation.channel=paid_social",
        "status=open&country=NO&lead_generation.channel=paid_social")
    get("lead_generation.source=partner_c&status=qualified", "lead_generation.source=partner_c&status=qualified")
    get(f"created_at[gte]={recent} (last 5 weeks)", f"created_at[gte]={recent}")
    get("conversion.source=facebook", "conversion.source=facebook")
    post("any(lead_generation.source, conversion.campaign)", {"any": [
        leaf("lead_generation.source", "eq", "linkedin"),
        leaf("conversion.campaign", "eq", "webinar_sept")]})
    get("form=webinar-signup", "form=webinar-signup")
    get("form=contact", "form=contact")
    get("everything (no criteria)", "")
    # Trees up to 8 leaves.
    post("all of 8 leaves", {"all": [
        leaf("lead_generation.source", "in", ["google", "linkedin", "facebook"]),
        leaf("status", "in", ["open", "in_progress"]),
        leaf("country", "not_empty"),
        leaf("form", "eq", "contact"),
        leaf("conversion.medium", "eq", "cpc"),
        leaf("created_at", "gte", day(max_created - 400 * DAY)),
        leaf("email", "contains", "a"),
        leaf("owner", "not_empty")]})
    post("any of 8 leaves", {"any": [
        leaf("lead_generation.source", "eq", "bing"),
        leaf("first_interaction.campaign", "contains", "guide"),
        leaf("form", "eq", "pricing"),
        leaf("conversion.source", "eq", "newsletter"),
        leaf("company.source.medium", "eq", "referral"),
        leaf("status", "eq", "qualified"),
        leaf("country", "eq", "SE"),
        leaf("created_at", "eq", day(max_created - 3 * DAY))]})
    post("any(all, all) of 8 leaves", {"any": [
        {"all": [leaf("form", "eq", "webinar-signup"), leaf("status", "eq", "qualified"),
                 leaf("conversion.channel", "eq", "paid_social"), leaf("country", "eq", "NO")]},
        {"all": [leaf("lead_generation.medium", "eq", "cpc"), leaf("owner", "empty"),
                 leaf("name", "contains", "an"), leaf("created_at", "lte", day(max_created - 300 * DAY))]}]})
    # One per field and operator of the catalogue.
    catalogue = request("GET", "/api/v1/search/fields")["person"]
    for entry in catalogue:
        name = entry["name"]
        if name not in fields:
            print(f"  (no DuckDB mapping for field {name}: skipped)")
            continue
        values = samples(name)
        if not values:
            continue
        for op in entry["ops"]:
            if name == "status":
                value = {"eq": "qualified", "in": ["open", "qualified"]}[op]
            elif op == "in":
                value = [str(v) for v in values]
            elif op in ("empty", "not_empty"):
                value = None
            elif op == "contains":
                value = fragment(values[0])
            elif name == "created_at" and op == "lte":
                value = day(max_created - 600 * DAY)
            else:
                value = str(values[0])
            post(f"{name}[{op}]" + ("" if value is None else f"={value}"), leaf(name, op, value))
    return [q for q in out if ONLY in q[0]]


# ---- DuckDB: the same trees as SQL ---------------------------------------------------------
def lit(v):
    if isinstance(v, (int, float)):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def day_range(text):
    d = datetime.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc)
    start = int(d.timestamp() * 1000)
    return start, start + DAY


def test_sql(name, expr, op, value):
    norm = (lambda v: str(v).strip().lower()) if name.split(".")[-1] in LOWER else str
    if name == "created_at":
        lo, hi = day_range(value)
        return {"eq": f"({expr} >= {lo} AND {expr} < {hi})", "gte": f"{expr} >= {lo}",
                "lte": f"{expr} <= {hi - 1}"}[op]
    if name in ("owner", "company_id"):
        norm = int
    if op == "eq":
        return f"{expr} = {lit(norm(value))}"
    if op == "in":
        return f"{expr} IN ({', '.join(lit(norm(v)) for v in value)})"
    if op == "contains":
        # SQLite's LIKE ignores ASCII case.
        return f"{expr} ILIKE {lit('%' + norm(value) + '%')}"
    if op == "empty":
        return f"({expr} IS NULL OR CAST({expr} AS VARCHAR) = '')"
    if op == "not_empty":
        return f"({expr} IS NOT NULL AND CAST({expr} AS VARCHAR) <> '')"
    if op == "gte":
        return f"{expr} >= {lit(norm(value))}"
    if op == "lte":
        return f"{expr} <= {lit(norm(value))}"
    raise ValueError(op)


def where(node):
    if "all" in node or "any" in node:
        items = node.get("all", node.get("any"))
        if not items:
            return "TRUE" if "all" in node else "FALSE"
        joiner = " AND " if "all" in node else " OR "
        return "(" + joiner.join(where(i) for i in items) + ")"
    name, op, value = node["field"], node.get("op", "eq"), node.get("value")
    kind, expr, table, _ = fields[name]
    test = test_sql(name, expr, op, value)
    if kind == "value":
        return test
    if kind == "submissions":
        return f"p.id IN (SELECT s.person_id FROM submissions s WHERE {test})"
    if kind == "forms":
        return f"p.id IN (SELECT s.person_id FROM submissions s JOIN forms f ON f.id = s.form_id WHERE {test})"
    inner = f"p.company_id IN (SELECT c.id FROM companies c WHERE {test})"
    return f"(p.company_id IS NULL OR {inner})" if op == "empty" else inner


# ---- run ------------------------------------------------------------------------------------
qs = queries()
rss_start = rss_mb()
# A search model, if the build has one, loads in the background after the first search:
# wait until a question it answers fast (one SQL finds slow) is fast, for at most one
# minute, so that the timings are of the settled server.
probe = "/api/v1/persons?limit=1&form=contact"
t0 = time.perf_counter()
while True:
    t1 = time.perf_counter()
    request("GET", probe)
    if (time.perf_counter() - t1) < 0.1 or time.perf_counter() - t0 > 60:
        break
    time.sleep(0.5)
settled_s = time.perf_counter() - t0
rss_settled = rss_mb()
ours = {}
runs_made = [0]


def uncached(tree):
    """The same question as a tree the previous run did not ask (one or two extra empty
    `all`s, which are true, in turn): a server that keeps its last answer must work it
    out again."""
    runs_made[0] += 1
    return request("POST", f"/api/v1/persons/search?limit={PAGE}",
                   {"all": [tree] + [{"all": []}] * (runs_made[0] % 2 + 1)})


for label, method, path, tree in qs:
    body = tree if method == "POST" else None
    if os.environ.get("LEADTRAIL_BENCH_CACHED"):
        ours[label] = timed(lambda: request(method, path, body))
    else:
        ours[label] = timed(lambda: uncached(tree))
    med, p99, runs, answer = ours[label]
    print(f"  . {label[:70]:70} {med:9.1f} ms  (total {answer['total']})", flush=True)
rss_end = rss_mb()
# Everything loaded: the tiles' model too.
request("GET", "/api/v1/tiles/lead-funnel")
rss_all = rss_mb()

import duckdb  # noqa: E402  (installed with `pip install duckdb`)

duck = duckdb.connect()
tables = {
    "persons": "SELECT id, created_at, status, owner_id, country, email_key, name, company_id, "
               + ", ".join(f"{r}_{f}" for r in ("first", "lead") for f in TOUCH) + " FROM persons",
    "submissions": "SELECT id, person_id, form_id, " + ", ".join(f"conv_{f}" for f in TOUCH) + " FROM submissions",
    "companies": "SELECT id, name, domain, " + ", ".join(f"src_{f}" for f in TOUCH) + " FROM companies",
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
        duck.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true)")
        for column in ("id", "created_at", "owner_id", "company_id", "person_id", "form_id"):
            if column in [d[0] for d in cur.description]:
                duck.execute(f"ALTER TABLE {name} ALTER {column} TYPE BIGINT")
load_duck_s = time.perf_counter() - t0

duck_ms = {}
mismatches = []
for label, method, path, tree in qs:
    w = where(tree)
    page_sql = f"SELECT p.id FROM persons p WHERE {w} ORDER BY p.id LIMIT {PAGE}"
    count_sql = f"SELECT count(*) FROM persons p WHERE {w}"
    med, p99, runs, count = timed(lambda: (duck.execute(page_sql).fetchall(), duck.execute(count_sql).fetchone()[0])[1])
    duck_ms[label] = (med, p99)
    if count != ours[label][3]["total"]:
        mismatches.append(f"{label}: leadtrail {ours[label][3]['total']}, DuckDB {count}")

persons = src.execute("SELECT count(*) FROM persons").fetchone()[0]
subs = src.execute("SELECT count(*) FROM submissions").fetchone()[0]
print(f"\n  {persons} persons, {subs} submissions; settled {settled_s:.1f} s after the first search; "
      f"server RSS {rss_start:.0f} MB at the start, {rss_settled:.0f} MB settled, {rss_end:.0f} MB after "
      f"the queries, {rss_all:.0f} MB with the tiles' model too; DuckDB tables loaded from CSV in {load_duck_s:.1f} s")
print(f"  {'query (first page of ' + str(PAGE) + ' + total)':72} {'total':>8} {'median':>8} {'p99':>8} {'runs':>4}"
      f" {'DuckDB':>8} {'p99':>8}   (ms)")
worst = []
for label, _, _, _ in qs:
    med, p99, runs, answer = ours[label]
    dmed, dp99 = duck_ms[label]
    worst.append((med, label))
    print(f"  {label[:72]:72} {answer['total']:8} {med:8.1f} {p99:8.1f} {runs:4} {dmed:8.1f} {dp99:8.1f}")
meds = [m for m, _ in worst]
print(f"\n  {len(qs)} queries: median of medians {statistics.median(meds):.1f} ms, worst median "
      f"{max(worst)[0]:.1f} ms ({max(worst)[1]}), worst p99 {max(o[1] for o in ours.values()):.1f} ms; "
      f"{sum(1 for m in meds if m < 50)} under 50 ms")
if mismatches:
    print("  COUNTS DIFFER from DuckDB:\n    " + "\n    ".join(mismatches))
    sys.exit(1)
print("  every total equals DuckDB's count")
