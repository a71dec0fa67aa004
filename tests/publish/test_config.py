"""The Datasette configuration agrees with the schema, and `serve` publishes read-only on loopback."""

from __future__ import annotations

import re
import sqlite3

import pytest
import yaml

from pipeline.publish import DATABASE_NAME, METADATA, PLUGINS_DIR, STATIC_DIR, TEMPLATES_DIR, datasette_args

META = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
DB_META = META["databases"][DATABASE_NAME]
QUERIES = DB_META["queries"]


def columns(conn, table):
    return {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}


def test_serve_arguments_are_read_only_on_loopback_with_our_configuration(tmp_path):
    args = datasette_args(tmp_path / "x.db")
    assert args[:3] == ["serve", "--immutable", str(tmp_path / "x.db")]
    assert args[args.index("--host") + 1] == "127.0.0.1"
    assert args[args.index("--metadata") + 1] == str(METADATA)
    assert args[args.index("--plugins-dir") + 1] == str(PLUGINS_DIR)
    assert args[args.index("--template-dir") + 1] == str(TEMPLATES_DIR)
    assert args[args.index("--static") + 1] == f"assets:{STATIC_DIR}"
    other = datasette_args(tmp_path / "x.db", host="0.0.0.0", port=9000)
    assert other[other.index("--host") + 1] == "0.0.0.0" and other[other.index("--port") + 1] == "9000"


def test_credits_the_register_to_mysociety_under_cc_by():
    councils = DB_META["tables"]["councils"]
    assert "mySociety" in META["source"] and "CC BY 4.0" in META["license"]
    assert "mySociety" in councils["source"] and councils["license_url"].startswith("https://creativecommons.org/licenses/by/4.0")


@pytest.mark.parametrize("table", sorted(DB_META["tables"]))
def test_table_metadata_names_real_columns(corpus_db_path, table):
    conn = sqlite3.connect(corpus_db_path)
    have = columns(conn, table)
    assert have, f"metadata.yaml describes a table {table!r} the schema does not have"
    meta = DB_META["tables"][table]
    named = set(meta.get("columns", {}))
    named |= {f if isinstance(f, str) else next(iter(f.values())) for f in meta.get("facets", [])}
    named |= {meta[k] for k in ("label_column", "sort", "sort_desc") if k in meta}
    assert named <= have, f"{table}: metadata names columns the table lacks: {sorted(named - have)}"


def test_every_column_of_the_main_tables_is_described(corpus_db_path):
    conn = sqlite3.connect(corpus_db_path)
    for table in ("actions", "priorities", "measures", "documents", "councils"):
        missing = columns(conn, table) - set(DB_META["tables"][table]["columns"])
        assert not missing, f"{table}: describe {sorted(missing)} in pipeline/publish/metadata.yaml"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_stored_query_parameters_are_listed_in_order(name):
    query = QUERIES[name]
    used = set(re.findall(r"(?<!:):([a-z_]+)", query["sql"]))
    assert set(query.get("params", [])) == used
    assert query.get("title") and query.get("description_html")


def test_the_journeys_stored_queries_exist():
    assert {"search_commitments", "compare_councils", "councils_without_topic", "topic_coverage",
            "due_between", "overdue", "measures_with_baselines"} <= set(QUERIES)
