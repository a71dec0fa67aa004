"""Full-text search latency of the published database, at the scale of every council's plans.

Builds synthetic databases with the real schema (pipeline.store.open_db) of 50,000 and 1,000,000
commitments across 150 councils, written from a vocabulary of the phrases council plans use (kept
in --cache and shared with benchmarks/bench_store.py: the million takes minutes to build, once);
serves each with `datasette serve` on 127.0.0.1 exactly as `councilplans serve` does
(pipeline.publish.datasette_args); and times searches through the table JSON API
(/councilplans/actions.json?_search=...) and the `search_commitments` stored query, faceted browsing
without search (the table's JSON and page with their default facets), and a few other pages.
Goals (issue 11): table search p95 < 50 ms at 50,000 and < 100 ms at a million; browse p95 <
200 ms at a million. With --baseline-code DIR (an earlier checkout), the same databases are also
served by that code in the same run.

    .venv/bin/python benchmarks/bench_search.py --baseline-code /tmp/cp-base --out benchmarks/SEARCH_RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# COUNCILPLANS_CODE: another checkout's code to run against (the baseline in a before/after run).
sys.path.insert(0, os.environ.get("COUNCILPLANS_CODE") or str(ROOT))

from pipeline.publish import datasette_args, enrich  # noqa: E402
from pipeline.store import open_db, stable_id  # noqa: E402

PLACES_A = ["North", "South", "East", "West", "Upper", "Lower", "Great", "Kings", "New", "Old", "Mid", "High", "Long"]
PLACES_B = ["ham", "ford", "bridge", "field", "ton", "bury", "chester", "wick", "mouth", "worth", "minster", "dale"]
KINDS = ["County Council", "Borough Council", "City Council", "Council", "Metropolitan Borough Council"]
VERBS = [
    "develop", "implement", "deliver", "improve", "increase", "reduce", "embed", "strengthen", "expand",
    "review", "launch", "publish", "recruit", "support", "ensure the delivery of", "work with partners to improve",
    "co-produce with young people", "commission", "introduce", "extend", "refresh", "evaluate",
]
OBJECTS = [
    "a new Family Help model", "the SEND and inclusion strategy", "our foster carer recruitment and retention offer",
    "school attendance support", "the Care Leaver Offer", "early help services", "the placement sufficiency strategy",
    "youth work provision", "mental health and wellbeing support", "the Virtual School", "supported accommodation for care leavers",
    "alternative provision", "the Signs of Safety practice model", "family group conferencing", "short breaks for disabled children",
    "the SEND Local Offer", "transition planning for young adults", "the Corporate Parenting Board",
    "participation of children in care", "exploitation and missing pathways", "domestic abuse support",
    "speech, language and communication support", "post-16 education pathways", "apprenticeship opportunities",
    "housing options for care leavers", "the multi-agency safeguarding hub", "social worker recruitment and retention",
    "quality assurance of practice", "children's home capacity", "kinship care support", "youth justice prevention",
    "breakfast clubs and holiday activities", "the Healthy Child Programme", "school readiness in the early years",
    "personal education plans", "independent visitors", "advocacy for children in care", "inclusion in mainstream schools",
]
PURPOSES = [
    "so that children get the right help at the right time", "to reduce the number of children entering care",
    "to improve educational outcomes", "so families are supported in their communities", "to reduce exclusions and suspensions",
    "to increase school attendance", "so young people are ready for adulthood", "to keep children safe from harm",
    "to reduce placement moves", "so that care leavers have a safe home", "to narrow the attainment gap",
    "to reduce reliance on agency placements", "so that children's voices shape our services", "", "", "",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
PRIORITIES = [
    "Children grow up safe, loved and happy", "Children achieve well", "Being the best corporate parent",
    "Early help and prevention", "Children have a healthy childhood", "Ready for adulthood",
    "Inclusive education for all", "Listening to children and families", "A skilled and stable workforce",
]
MEASURES = [
    "Number of children in our care", "Persistent absence (primary)", "Persistent absence (secondary)",
    "Care leavers in suitable accommodation", "Re-referrals within 12 months", "Permanent exclusions",
    "EHCPs issued within 20 weeks", "Young people not in education, employment or training",
]
QUERIES = [
    "school attendance", "foster carers", "attendance", "care leavers", "early help", "mental health", "exclusions",
    "youth justice", "kinship care", "family help", "SEND", "apprenticeship", "advocacy", "sufficiency strategy",
    "social worker recruitment", "breakfast clubs", "independent visitors", "domestic abuse", "exploitation",
    "supported accommodation", "virtual school", "signs of safety", "short breaks", "speech language",
    "corporate parenting", "alternative provision", "placement moves", "attainment gap", "children", "care",
    "healthy child programme", "school readiness", "post-16", "housing options", "quality assurance",
    "agency placements", "family group conferencing", "participation", "holiday activities", "wellbeing",
]


TITLES = [
    "Children's Services Plan", "Corporate Plan", "Corporate Parenting Strategy", "SEND Strategy", "Early Help Strategy",
    "Youth Justice Plan", "Placement Sufficiency Strategy", "Education Strategy", "Care Leavers Local Offer",
    "Health and Wellbeing Strategy", "Inclusion Strategy", "Family Help Plan", "Workforce Strategy",
    "Participation Strategy", "Early Years Strategy", "Emotional Health Plan",
]
OWNERS = ["Head of Early Help", "Virtual School Head", "Service Manager, Fostering", "SEND Team", "Director of Children's Services",
          "Corporate Parenting Board", "Youth Justice Service", "Public Health"]
PROBLEMS = [("extract", "table without a header row"), ("load", "page without a text layer"), ("decide", "heading read as a priority")]


def build(path: Path, *, actions: int = 50_000, councils: int = 150, seed: int = 1, per_document: int = 160) -> dict[str, int]:
    """Write a synthetic councilplans database at `path`; returns the row counts.

    Every table the store writes is filled the way `store_extraction` fills it (documents, priorities
    with sub-priorities and their parents, commitments with their deadlines, owners and priority
    links, measures, problems, files, then the themes and other derived fields by `enrich`), so that
    the benchmarks read and rewrite a database of the real shape. Documents hold about
    `per_document` commitments whatever the size: a larger database has more documents per council
    (up to three dated editions of each title, the series `changes` compares), not larger ones."""
    rnd = random.Random(seed)
    db = open_db(path)
    names = sorted({f"{a}{b}" for a in PLACES_A for b in PLACES_B})
    rnd.shuffle(names)
    names = (names * (councils // len(names) + 1))[:councils]
    council_rows = [
        {"code": f"Z{n:03d}", "name": names[n] + (f" {n // len(PLACES_A) // len(PLACES_B) + 1}" if n >= len(PLACES_A) * len(PLACES_B) else ""),
         "official_name": f"{names[n]} {rnd.choice(KINDS)}",
         "gss_code": f"E0{rnd.randint(6, 9)}{n:06d}", "nation": "England", "region": rnd.choice(["North East", "South West", "London", "Midlands"]),
         "authority_type": "Unitary authority"}
        for n in range(councils)
    ]
    with db.conn:
        db["councils"].insert_all(council_rows)
        for i, c in enumerate(council_rows):
            per_council = actions // councils + (1 if i < actions % councils else 0)
            n_docs = max(1, round(per_council / per_document * rnd.choice([0.5, 1, 1, 1.5])))
            documents, priorities, action_rows, links, owners, deadlines, measures, problems, files = ([] for _ in range(9))
            doc_ids = [f"d{c['code']}.{k}" for k in range(n_docs)]
            first_title = rnd.randrange(len(TITLES))
            for k, doc_id in enumerate(doc_ids):
                start = 2016 + 3 * (k % 3) + rnd.randint(0, 1)  # up to three dated editions of each title
                source = f"{c['name'].lower().replace(' ', '_')}_plan_{k}.pdf"
                documents.append({"id": doc_id, "source": source, "council_code": c["code"],
                                  "title": TITLES[(first_title + k // 3) % len(TITLES)],
                                  "kind": "strategy", "period_start": start, "period_end": start + 3, "format": "pdf", "pages": 40,
                                  "path": f"/nonexistent/{doc_id}.pdf", "location": f"{c['code']}/{source}",
                                  "sha256": stable_id("content", doc_id) * 4})
                files.append({"id": stable_id("file", doc_id), "path": f"{c['code']}/{source}", "name": source,
                              "outcome": "ingested", "document_id": doc_id, "size": 100_000, "seconds": 1.0})
                for p in range(5):
                    priorities.append({"id": f"p{doc_id}.{p}", "document_id": doc_id, "council_code": c["code"], "ordinal": p,
                                       "number": str(p + 1), "level": 1, "title": rnd.choice(PRIORITIES), "page": rnd.randint(1, 5),
                                       "source_text": "Priority"})
                for p in range(2):
                    priorities.append({"id": f"p{doc_id}.{p}.1", "document_id": doc_id, "council_code": c["code"], "ordinal": 5 + p,
                                       "number": f"{p + 1}.1", "level": 2, "title": rnd.choice(PRIORITIES), "page": rnd.randint(1, 5),
                                       "parent_id": f"p{doc_id}.{p}", "source_text": "Sub-priority"})
                for m in range(rnd.randint(0, 12)):
                    measures.append({"id": f"m{doc_id}.{m}", "document_id": doc_id, "council_code": c["code"], "ordinal": m,
                                     "name": rnd.choice(MEASURES), "value": f"{rnd.randint(1, 900)}", "as_at": f"{start}-03-31",
                                     "page": rnd.randint(30, 40), "source_text": "measure"})
                for m in range(rnd.randint(0, 3)):
                    stage, reason = rnd.choice(PROBLEMS)
                    problems.append({"id": stable_id("problem", doc_id, m), "source": source, "document_id": doc_id, "stage": stage,
                                     "reason": reason, "page": rnd.randint(1, 40), "path": f"{c['code']}/{source}"})
            if rnd.random() < 0.3:  # a file that failed to load: a problem with no document
                problems.append({"id": stable_id("problem", c["code"]), "source": "scan.pdf", "stage": "load",
                                 "reason": "[E204] no text layer", "path": f"{c['code']}/scan.pdf"})
            for n in range(per_council):
                doc_id = rnd.choice(doc_ids)
                verb, obj, purpose = rnd.choice(VERBS), rnd.choice(OBJECTS), rnd.choice(PURPOSES)
                year = rnd.randint(2020, 2030)
                month = rnd.randint(1, 12)
                deadline = rnd.choice([f"by {MONTHS[month - 1]} {year}", f"by summer {year}", f"{year}/{(year + 1) % 100:02d}", f"by {year}", None, None])
                end = dt.date(year, month, 28).isoformat() if deadline else None
                text = " ".join(x for x in (f"We will {verb} {obj}", purpose, deadline or "") if x)
                aid = f"a{c['code']}{n:05d}"
                priority = rnd.randrange(5)
                who = rnd.sample(OWNERS, rnd.choice([0, 0, 1, 2]))
                action_rows.append({
                    "id": aid, "document_id": doc_id, "council_code": c["code"], "ordinal": n, "ref": f"{priority + 1}.{n}",
                    "text": text, "priority_numbers": str(priority + 1), "owners": json.dumps(who), "status": "[]",
                    "rag": rnd.choice(["red", "amber", "green", None, None]), "deadline_text": deadline,
                    "deadline_end": end, "deadline_year": year if deadline else None, "deadline_granularity": "month" if deadline else None,
                    "page": rnd.randint(3, 30), "source_text": text,
                })
                links.append({"action_id": aid, "priority_id": f"p{doc_id}.{priority}"})
                owners.extend({"action_id": aid, "owner": o} for o in who)
                if deadline:
                    deadlines.append({"id": aid, "action_id": aid, "document_id": doc_id, "text": deadline, "end": end,
                                      "granularity": "month", "year": year})
            db["documents"].insert_all(documents)
            db["files"].insert_all(files)
            db["priorities"].insert_all(priorities)
            db["actions"].insert_all(action_rows, batch_size=2000)
            db["action_priorities"].insert_all(links, batch_size=5000)
            db["action_owners"].insert_all(owners, batch_size=5000)
            db["deadlines"].insert_all(deadlines, batch_size=5000)
            db["measures"].insert_all(measures)
            db["problems"].insert_all(problems)
        for table, column in (("actions", "actions_count"), ("priorities", "priorities_count"), ("measures", "measures_count")):
            db.conn.execute(f"UPDATE documents SET {column} = (SELECT count(*) FROM {table} t WHERE t.document_id = documents.id)")
        enrich.refresh(db, force=True)  # themes with evidence, strength, SMART flags: what ingest stores
    db.conn.execute("ANALYZE")
    db.conn.execute("VACUUM")
    counts = {t: db[t].count for t in ("councils", "documents", "priorities", "actions", "measures")}
    db.conn.close()
    return counts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def time_queries(client: httpx.Client, path: str, param: str, queries: list[str]) -> tuple[list[float], list[int], int]:
    """Latencies (ms), rows matched and the number of failed requests (e.g. over the SQL time limit)."""
    latencies, hits, failed = [], [], 0
    for q in queries:
        start = time.perf_counter()
        response = client.get(path, params={param: q} if param else {})
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            failed += 1
            continue
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        hits.append(body.get("filtered_table_rows_count", len(body.get("rows", []))))
    return latencies, hits, failed


def _env(code: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("COUNCILPLANS_CODE", None)
    if code:
        env["COUNCILPLANS_CODE"] = str(code)
        env["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [env.get("PYTHONPATH")])])
    return env


def serve_args(code: Path | None, db_path: Path, port: int) -> list[str]:
    """`councilplans serve`'s Datasette arguments, as the code in `code` (None: this checkout) builds them."""
    out = subprocess.run([sys.executable, __file__, "--print-args", str(db_path), str(port)], env=_env(code),
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


# What is measured: (label, path, query parameter or None, how many of the queries, note).
REQUESTS = [
    ("table", "/councilplans/actions.json", "_search", None,
     "`/councilplans/actions.json?_search=Q` (table JSON API: rows, count, default facets)"),
    ("stored", "/councilplans/search_commitments.json", "q", None,
     "`/councilplans/search_commitments.json?q=Q` (stored query: by theme or words, best first, up to 1,000 rows)"),
    ("browse", "/councilplans/actions.json", None, 20, "`/councilplans/actions.json` (faceted browse without search: rows, count, default facets)"),
    ("browse_html", "/councilplans/actions", None, 20, "`/councilplans/actions` (the same as a page)"),
    ("search_html", "/councilplans/actions", "_search", 20, "`/councilplans/actions?_search=Q` (a search as a page)"),
    ("coverage", "/councilplans/topic_coverage.json", "q", 10, "`/councilplans/topic_coverage.json?q=Q` (every council: yes / no / no plan)"),
    ("themes", "/-/themes", None, 5, "`/-/themes` (councils x themes page)"),
]


def measure(db_path: Path, code: Path | None, queries: list[str]) -> dict[str, tuple[list[float], list[int]]]:
    """Serve `db_path` as `councilplans serve` does (with `code`) and time every request in REQUESTS."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "datasette", *serve_args(code, db_path, port)], env=_env(code),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if client.get("/-/versions.json").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("datasette did not start")
                time.sleep(0.2)
            for label, path, param, _, _ in REQUESTS:  # warm up: the first requests fill caches
                time_queries(client, path, param, QUERIES[:3] if param else [""])
            for label, path, param, count, _ in REQUESTS:
                asked = (queries[:count] if count else queries) if param else [""] * (count or 20)
                results[label] = time_queries(client, path, param, asked)
                print(f"    {label}: p50 {statistics.median(results[label][0]):.0f} ms, p95 {percentile(results[label][0], 95):.0f} ms",
                      file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def prepare(cache: Path, size: int, baseline: Path | None) -> tuple[Path, Path, dict]:
    """The database for `size` (built once, by the baseline code when there is one, so in its
    schema) and a copy migrated by this code."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_store import GENERATOR, cached_database

    built = sorted(cache.glob(f"store-{GENERATOR}-*-{size}.db"))
    database = built[0] if built and not baseline else cached_database(cache, size, baseline)
    current = cache / f"serve-current-{size}.db"
    if not current.exists() or current.stat().st_mtime < database.stat().st_mtime:
        shutil.copyfile(database, current)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; from pipeline.store import open_db; open_db(sys.argv[1]).conn.close()",
                    str(current)], env=_env(None), cwd=ROOT, check=True)
    migrate_s = time.perf_counter() - started
    conn = sqlite3.connect(f"file:{database}?immutable=1", uri=True)
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("councils", "documents", "priorities", "actions", "measures")}
    conn.close()
    return database, current, {**counts, "migrate_s": migrate_s}


EXPLAINED = """What each request did per query at a million commitments, and what it does now (issue 11):

- Faceted browse: Datasette counted every row for each default facet (the council and strength
  through their indexes, a million rows each; the themes array facet by building a distinct copy of
  every row, which timed out after `facet_time_limit_ms` and vanished). The `counted` and
  `counted_array` facets (pipeline/publish/facets.py) read a table's facets without filters from
  `facet_counts`, which the store keeps per document: a few rows per document. With a filter they
  count the rows shown (the array facet with `json_each` alone). Datasette's count of a whole table
  is its smallest index.
- Table search: every search read every matching row three to five times (the page sorted by
  council, the count, each facet), a third of a million rows for "children". A search that
  matches more than 2,000 rows, with no other filter, is now answered from its 2,000 most recently
  published matches, which the full-text index yields in order without sorting: counted, sorted and
  faceted as usual and labelled as such (pipeline/publish/search.py). Narrower searches, searches
  with other filters and CSV exports are exact, as before.
- Stored search: it ranked and joined every match, then sorted them by rank, council, document and
  position. Now, with only a topic, it reads at most 2,000 candidates (newest first) from the
  full-text index or the theme index, ranks words by FTS5's rank among those, and joins only the
  best 1,001 to their councils, documents, priorities and owners; with another box filled, every
  match is a candidate, as before.
- Not changed: `topic_coverage` counts every match in every council and `/-/themes` counts every
  theme match (both exact by design), so they still grow with the database.
"""


def _row(note: str, before, after) -> str:
    def cells(result):
        if not result:
            return "| – | – | – "
        values, _, failed = result
        errors = f" ({failed} failed)" if failed else ""
        return f"| {statistics.median(values):,.0f} | {percentile(values, 95):,.0f} | {max(values):,.0f}{errors} "
    return f"| {note} {cells(before)}{cells(after)}|"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "councilplans-bench",
                        help="Where the synthetic databases are built once and kept (shared with bench_store.py).")
    parser.add_argument("--baseline-code", type=Path, help="An earlier checkout to measure in the same run.")
    parser.add_argument("--baseline-label", default="before")
    parser.add_argument("--rounds", type=int, default=2, help="Each of the topics this many times, shuffled.")
    parser.add_argument("--out", type=Path, help="Write the results as Markdown here.")
    parser.add_argument("--print-args", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.print_args:
        print(json.dumps(datasette_args(Path(args.print_args[0]), port=int(args.print_args[1]))))
        return

    args.cache.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(2)
    queries = [q for _ in range(args.rounds) for q in QUERIES]
    rnd.shuffle(queries)
    load_before = os.getloadavg()
    sections = []
    goals = {50_000: 50, 1_000_000: 100}
    for size in args.sizes:
        database, current, info = prepare(args.cache, size, args.baseline_code)
        print(f"{size:,}: {info}", file=sys.stderr)
        before = None
        if args.baseline_code:
            print("  before", file=sys.stderr)
            before = measure(database, args.baseline_code, queries)
        print("  after", file=sys.stderr)
        after = measure(current, None, queries)
        lines = [
            f"### {info['actions']:,} commitments",
            "",
            f"{info['actions']:,} commitments, {info['priorities']:,} priorities and {info['measures']:,} measures from "
            f"{info['documents']:,} documents of {info['councils']} councils. Milliseconds, one request at a time.",
            "",
            f"| request | {args.baseline_label}: p50 | p95 | max | after: p50 | p95 | max |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for label, _, _, _, note in REQUESTS:
            lines.append(_row(note, before[label] if before else None, after[label]))
        table_p95 = percentile(after["table"][0], 95)
        goal = goals.get(size)
        hits = after["table"][1]
        lines += [
            "",
            f"Matches per search (table API, after): median {statistics.median(hits):,.0f}, most {max(hits):,} "
            f"(a search matching more than the window is answered from its newest matches: the count is the window's)."
            + (f" Before: median {statistics.median(before['table'][1]):,.0f}, most {max(before['table'][1]):,}." if before and before["table"][1] else ""),
            "A failed request is one Datasette stopped at its SQL time limit (`sql_time_limit_ms`, 3 s): its time counts.",
        ]
        if goal:
            lines.append(f"Goal for the table JSON API search: p95 < {goal} ms — **{'met' if table_p95 < goal else 'NOT met'}** "
                         f"({table_p95:,.0f} ms).")
        if size >= 1_000_000:
            browse_p95 = percentile(after["browse"][0], 95)
            lines.append(f"Goal for faceted browse without search: p95 < 200 ms — **{'met' if browse_p95 < 200 else 'NOT met'}** "
                         f"({browse_p95:,.0f} ms JSON, {percentile(after['browse_html'][0], 95):,.0f} ms as a page).")
        lines += [f"Migrating this database to the current schema (once) took {info['migrate_s']:.1f} s.", ""]
        sections.append("\n".join(lines))
    load_after = os.getloadavg()
    text = "\n".join([
        "# Search latency",
        "",
        f"`benchmarks/bench_search.py` on {dt.date.today().isoformat()}: synthetic databases with the real schema "
        f"(the generator in this file: documents of about 160 commitments written from a vocabulary of the phrases council "
        f"plans use, with their priorities, deadlines, owners, measures and themes), served by `datasette serve` with the "
        f"arguments `councilplans serve` uses (immutable, our metadata with its default facets and sort, the plugin), queried "
        f"over HTTP on 127.0.0.1 one request at a time: each of {len(QUERIES)} topics (one to two words, from rare to "
        f"matching a third of all commitments) {args.rounds} times, shuffled, for the searches."
        + (f" \"{args.baseline_label}\" is the code in `{args.baseline_code}` serving the same database (in its own schema), "
           "measured in the same run." if args.baseline_code else ""),
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; load average {load_before[0]:.1f} at the start and {load_after[0]:.1f} at the end "
        f"(the machine is shared).",
        "",
        *sections,
        "",
        EXPLAINED,
    ])
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
