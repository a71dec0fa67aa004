"""Derived fields stored for publishing (pipeline/publish/enrich.py): themes with evidence,
strength, SMART flags, progress and source notes; migration 2; the export's themes lists."""

from __future__ import annotations

import json
import sqlite3

import pytest

from pipeline import store
from pipeline.export import export_all
from pipeline.publish import enrich


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Implement the Early Help Strategy", "firm"),
        ("recruit more local foster carers", "firm"),
        ("Explore the development of in house provision", "aspirational"),
        ("We aim to reduce exclusions", "aspirational"),
        ("seek to increase the number of adopters", "aspirational"),
        ("work towards net zero", "aspirational"),
        ("extend the offer, subject to funding", "conditional"),
        ("open two more hubs where possible", "conditional"),
        ("explore options where resources allow", "conditional"),  # conditional wins over aspirational
        ("consider-ably improve", "firm"),  # a cue only as a whole word
        ("", "firm"),
    ],
)
def test_strength(text, expected):
    assert enrich.strength(text) == expected


@pytest.mark.parametrize(
    ("deadline", "details", "expected"),
    [
        ("Completed by Jan 2025", None, "completed"),
        ("Complete", None, "completed"),
        ("by June 2026", None, None),
        ("2024 - 2026", None, None),
        (None, {"status": "On track"}, "in progress"),
        (None, {"Progress": "Delayed."}, "delayed"),
        (None, {"Milestones/Progress/Impact": "Completed the first phase; the second is delayed until 2026 for funding"}, None),
        ("Ongoing", None, "in progress"),
    ],
)
def test_progress_is_read_from_status_words_not_deadlines(deadline, details, expected):
    assert enrich.progress(deadline, details) == expected


@pytest.mark.parametrize(
    ("quote", "text", "note"),
    [
        ("Implement our Practice Model (printed 4 times, garbled)", "Implement our Practice Model", "printed 4 times, garbled"),
        ("Develop business case (printed 1 time, garbled)", "Develop business case", "printed 1 time, garbled"),
        ("Children (printed in the plan) are safe", "Children (printed in the plan) are safe", None),
        (None, None, None),
    ],
)
def test_tool_notes_are_split_from_source_quotes(quote, text, note):
    assert enrich.split_note(quote) == (text, note)


def test_stored_records_carry_themes_evidence_strength_and_smart_flags(corpus_db_path):
    conn = sqlite3.connect(corpus_db_path)
    conn.row_factory = sqlite3.Row
    row = conn.execute("select * from actions where text like 'Implement foster carer recruitment%'").fetchone()
    assert json.loads(row["themes"]) == ["placement sufficiency", "fostering"]  # recruiting foster carers adds placements
    assert (row["strength"], row["has_owner"], row["has_deadline"], row["has_measure"]) == ("firm", 0, 1, 0)
    evidence = conn.execute("select theme, evidence, span_start, span_end from theme_matches where record_id = ? "
                            "order by theme", [row["id"]]).fetchall()
    assert [tuple(e) for e in evidence] == [("fostering", "foster carer", 10, 22),
                                            ("placement sufficiency", "foster carer recruitment", 10, 34)]
    assert all(row["text"][e[2]:e[3]] == e[1] for e in evidence)
    completed = conn.execute("select progress from actions where deadline_text like 'Completed%'").fetchall()
    assert completed and {r[0] for r in completed} == {"completed"}


def test_full_text_search_is_over_the_commitments_own_text(corpus_db_path):
    conn = sqlite3.connect(corpus_db_path)
    columns = [r[1] for r in conn.execute("pragma table_info(actions_fts)")]
    assert columns == ["text"]
    assert "porter" in conn.execute("select sql from sqlite_master where name = 'actions_fts'").fetchone()[0]
    # "foster carers" is in a Gateshead progress note, not in any Gateshead commitment
    hits = conn.execute("select a.council_code from actions a join actions_fts f on f.rowid = a.rowid "
                        "where actions_fts match 'foster carers'").fetchall()
    assert "GAT" not in {h[0] for h in hits}
    stemmed = conn.execute("select count(*) from actions_fts where actions_fts match 'carer'").fetchone()[0]
    assert stemmed >= 2  # porter: "carers" and "carer"


def test_export_lists_themes_on_every_priority_action_and_measure(corpus_db):
    exported = export_all(corpus_db)
    items = [i for doc in exported.values() for kind in ("priorities", "actions", "measures") for i in doc[kind]]
    assert items and all(isinstance(i["themes"], list) for i in items)
    actions = [a for doc in exported.values() for a in doc["actions"]]
    assert any(a["themes"] == ["fostering"] and "Foster Care offer" in a["text"] for a in actions)


def test_a_version_1_database_is_migrated_with_its_records_themed(tmp_path):
    path = tmp_path / "old.db"
    db = store.sqlite_utils.Database(path)
    store._create_v1(db)
    db.conn.execute("PRAGMA user_version = 1")
    db["documents"].insert({"id": "d1", "source": "plan.txt", "title": "Plan", "kind": "strategy"})
    db["actions"].insert({"id": "a1", "document_id": "d1", "ordinal": 0, "text": "Improve the Foster Care offer",
                          "owners": "[]", "source_text": "We will improve the Foster Care offer (printed 3 times, garbled)"})
    db.conn.commit()
    db.conn.close()
    migrated = store.open_db(path)
    row = migrated.execute("select themes, strength, source_text, source_note from actions").fetchone()
    assert row == ('["fostering"]', "firm", "We will improve the Foster Care offer", "printed 3 times, garbled")
    assert migrated.execute("pragma user_version").fetchone()[0] >= 2
    assert migrated.execute("select count(*) from themes").fetchone()[0] >= 21


def test_a_changed_taxonomy_rethemes_every_record(tmp_path, monkeypatch):
    path = tmp_path / "plans.db"
    db = store.open_db(path)
    with db.conn:
        db["documents"].insert({"id": "d1", "source": "plan.txt"})
        db["actions"].insert({"id": "a1", "document_id": "d1", "ordinal": 0, "text": "Improve the Foster Care offer", "owners": "[]"})
        db.conn.execute("update store_meta set value = 'an older taxonomy' where key = 'themes_version'")
    assert enrich.refresh(db) is True
    assert db.execute("select themes from actions").fetchone()[0] == '["fostering"]'
    assert enrich.refresh(db) is False  # nothing changed since
