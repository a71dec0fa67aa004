"""Full-text search latency of the published database, at the scale of every council's plans.

Builds a synthetic database with the real schema (pipeline.store.open_db): 50,000 commitments
across ~150 councils, written from a vocabulary of the phrases council plans use; serves it with
`datasette serve` on 127.0.0.1 exactly as `councilplans serve` does (pipeline.publish.datasette_args);
and times ~200 searches through the JSON API (/councilplans/actions.json?_search=...), and the same
searches through the `search_commitments` stored query. Target: p95 < 100 ms.

    .venv/bin/python benchmarks/bench_search.py --out benchmarks/SEARCH_RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.publish import datasette_args, enrich  # noqa: E402
from pipeline.store import open_db  # noqa: E402

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


def build(path: Path, *, actions: int = 50_000, councils: int = 150, seed: int = 1) -> dict[str, int]:
    """Write a synthetic councilplans database at `path`; returns the row counts."""
    rnd = random.Random(seed)
    db = open_db(path)
    names = sorted({f"{a}{b}" for a in PLACES_A for b in PLACES_B})
    rnd.shuffle(names)
    council_rows = [
        {"code": f"Z{n:03d}", "name": names[n], "official_name": f"{names[n]} {rnd.choice(KINDS)}",
         "gss_code": f"E0{rnd.randint(6, 9)}{n:06d}", "nation": "England", "region": rnd.choice(["North East", "South West", "London", "Midlands"]),
         "authority_type": "Unitary authority"}
        for n in range(councils)
    ]
    documents, priorities, action_rows, links, measures = [], [], [], [], []
    for i, c in enumerate(council_rows):
        per_council = actions // councils + (1 if i < actions % councils else 0)
        doc_ids = [f"d{c['code']}{k}" for k in range(rnd.choice([1, 2, 2, 3]))]
        for k, doc_id in enumerate(doc_ids):
            start = rnd.randint(2019, 2025)
            documents.append({"id": doc_id, "source": f"{c['name'].lower()}_plan_{k}.pdf", "council_code": c["code"],
                              "title": rnd.choice(["Children's Services Plan", "Corporate Plan", "Corporate Parenting Strategy"]),
                              "kind": "strategy", "period_start": start, "period_end": start + 3, "format": "pdf", "pages": 40,
                              "path": f"/nonexistent/{doc_id}.pdf"})
            for p in range(5):
                priorities.append({"id": f"p{doc_id}{p}", "document_id": doc_id, "council_code": c["code"], "ordinal": p,
                                   "number": str(p + 1), "level": 1, "title": rnd.choice(PRIORITIES), "page": rnd.randint(1, 5),
                                   "source_text": "Priority"})
            for m in range(rnd.randint(0, 12)):
                measures.append({"id": f"m{doc_id}{m}", "document_id": doc_id, "council_code": c["code"], "ordinal": m,
                                 "name": rnd.choice(MEASURES), "value": f"{rnd.randint(1, 900)}", "as_at": f"{start}-03-31",
                                 "page": rnd.randint(30, 40), "source_text": "measure"})
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
            action_rows.append({
                "id": aid, "document_id": doc_id, "council_code": c["code"], "ordinal": n, "ref": f"{priority + 1}.{n}",
                "text": text, "priority_numbers": str(priority + 1), "owners": "[]", "status": "[]",
                "rag": rnd.choice(["red", "amber", "green", None, None]), "deadline_text": deadline,
                "deadline_end": end, "deadline_year": year if deadline else None, "deadline_granularity": "month" if deadline else None,
                "page": rnd.randint(3, 30), "source_text": text,
            })
            links.append({"action_id": aid, "priority_id": f"p{doc_id}{priority}"})
    with db.conn:
        db["councils"].insert_all(council_rows)
        db["documents"].insert_all(documents)
        db["priorities"].insert_all(priorities)
        db["actions"].insert_all(action_rows, batch_size=2000)
        db["action_priorities"].insert_all(links, batch_size=5000)
        db["measures"].insert_all(measures)
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


def time_queries(client: httpx.Client, path: str, param: str, queries: list[str]) -> tuple[list[float], list[int]]:
    latencies, hits = [], []
    for q in queries:
        start = time.perf_counter()
        response = client.get(path, params={param: q})
        latencies.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        hits.append(body.get("filtered_table_rows_count", len(body.get("rows", []))))
    return latencies, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=50_000)
    parser.add_argument("--councils", type=int, default=150)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, help="Write the results as Markdown here.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        counts = build(db_path, actions=args.actions, councils=args.councils)
        build_s = time.perf_counter() - t0
        print(f"built {counts} in {build_s:.1f}s", file=sys.stderr)

        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "datasette", *datasette_args(db_path, port=port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=30) as client:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        if client.get("/-/versions.json").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("datasette did not start")
                    time.sleep(0.1)
                rnd = random.Random(2)
                queries = [rnd.choice(QUERIES) for _ in range(args.queries)]
                time_queries(client, "/councilplans/actions.json", "_search", QUERIES[:10])  # warm up
                table_ms, table_hits = time_queries(client, "/councilplans/actions.json", "_search", queries)
                stored_ms, _ = time_queries(client, "/councilplans/search_commitments.json", "q", queries)
                coverage_ms, _ = time_queries(client, "/councilplans/topic_coverage.json", "q", queries[:50])
                themes_ms, _ = time_queries(client, "/-/themes", "_", [""] * 10)
        finally:
            server.terminate()
            server.wait(timeout=10)

    def row(name, values):
        return f"| {name} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 95):.1f} | {max(values):.1f} |"

    p95 = percentile(table_ms, 95)
    lines = [
        "# Search latency",
        "",
        f"`benchmarks/bench_search.py` on {dt.date.today().isoformat()}: a synthetic database of "
        f"{counts['actions']:,} commitments, {counts['priorities']:,} priorities and {counts['measures']:,} measures "
        f"from {counts['documents']:,} documents of {counts['councils']} councils (built in {build_s:.0f} s), "
        f"served by `datasette serve` with the arguments `councilplans serve` uses (immutable, our metadata with its "
        f"default facets and sort, the plugin), queried over HTTP on 127.0.0.1 one request at a time.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}.",
        "",
        "| request | queries | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
        row("`/councilplans/actions.json?_search=Q` (table JSON API: rows, count, 3 facets)", table_ms),
        row("`/councilplans/search_commitments.json?q=Q` (stored query: by theme or words, best matches first)", stored_ms),
        row("`/councilplans/topic_coverage.json?q=Q` (every council: yes / no / no plan)", coverage_ms),
        row("`/-/themes` (councils x themes page)", themes_ms),
        "",
        f"Target: p95 < 100 ms for the table JSON API — **{'met' if p95 < 100 else 'NOT met'}** ({p95:.1f} ms). "
        f"Queries: {len(set(queries))} distinct topics drawn from a list of {len(QUERIES)} (one to two words, "
        f"from rare to matching most rows); median hits per query {statistics.median(table_hits):,.0f}, "
        f"most {max(table_hits):,}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
