"""Editions of a plan and the commitment diff (pipeline/editions.py, issue 12).

The pair: the bundled BCP "Brighter Futures" plan copied as the 2021-24 edition and, edited by
hand, as the 2024-27 edition: two commitments reworded, one dropped, one added, one deadline moved a
year later. Every expected value below is worked out from those edits, never taken from the code.
"""

from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.editions import THRESHOLD, align, assign, compare, compute_changes, normalise_text, normalise_title
from pipeline.ingest import BUNDLED_CORPUS, ingest
from pipeline.publish import make_datasette
from pipeline.store import open_db

ORIGINAL = BUNDLED_CORPUS / "bcp_brighter_futures.txt"
COUNCIL = "Bournemouth, Christchurch and Poole"

# (text in the 2021-24 edition, text in the 2024-27 edition)
REWORDED = {
    ("improve housing options for care experienced young people by October 2020",
     "improve housing and accommodation options for care experienced young people and care leavers by October 2020"),
    ("publish the ‘Care Leaver Offer’ across the conurbation by September 2020",
     "publish and promote the ‘Care Leaver Offer’ across the whole conurbation by September 2020"),
}
DROPPED = ("pilot an approach to address and reduce summer holiday ‘hidden hunger’ within targeted areas in 2020 to "
           "inform our longer term approach")
AFTER_NEW = "create a consolidated young people’s protocol between housing and children’s social care by early summer 2020"
NEW = "open four family hubs in Bournemouth, Christchurch and Poole by March 2025"
SLIPPED = ("develop an integrated health and wellbeing offer for vulnerable children and young people including SEND by September 2021",
           "develop an integrated health and wellbeing offer for vulnerable children and young people including SEND by September 2022")

MANIFEST = f"""documents:
  - file: bcp_brighter_futures_2021-24.txt
    council: {COUNCIL}
    title: Brighter Futures
    kind: corporate_plan
    period: [2021, 2024]
  - file: bcp_brighter_futures_2024-27.txt
    council: {COUNCIL}
    title: Brighter Futures 2024–2027 (refreshed)
    kind: corporate_plan
    period: [2024, 2027]
"""


def bullets(text: str) -> list[str]:
    return [line.strip()[2:] for line in text.splitlines() if line.startswith("  • ")]


def make_pair(folder):
    """The two editions and their manifest in `folder`; returns the 2021-24 edition's commitments."""
    folder.mkdir(parents=True, exist_ok=True)
    text = ORIGINAL.read_text(encoding="utf-8")
    edits = [(f"  • {old}\n", f"  • {new}\n") for old, new in REWORDED]
    edits += [(f"  • {DROPPED}\n", ""), (f"  • {SLIPPED[0]}\n", f"  • {SLIPPED[1]}\n"),
              (f"  • {AFTER_NEW}\n", f"  • {AFTER_NEW}\n  • {NEW}\n")]
    edited = text
    for old, new in edits:
        assert edited.count(old) == 1, old
        edited = edited.replace(old, new)
    shutil.copyfile(ORIGINAL, folder / "bcp_brighter_futures_2021-24.txt")
    (folder / "bcp_brighter_futures_2024-27.txt").write_text(edited, encoding="utf-8")
    (folder / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    return bullets(text)


def changes(db_path) -> list[dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM changes ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    folder = tmp_path_factory.mktemp("editions")
    old_commitments = make_pair(folder / "plans")
    db_path = folder / "pair.db"
    report = ingest([folder / "plans"], db_path)
    assert len(report.documents) == 2 and not report.failed, report.failed
    return db_path, old_commitments


# --------------------------------------------------------------------------- the edited pair


def test_the_editions_are_one_series_in_date_order(pair):
    db_path, _ = pair
    rows = list(open_db(db_path).query("SELECT d.source, e.* FROM editions e JOIN documents d ON d.id = e.document_id ORDER BY position"))
    assert [r["source"] for r in rows] == ["bcp_brighter_futures_2021-24.txt", "bcp_brighter_futures_2024-27.txt"]
    assert [r["edition"] for r in rows] == ["2021-2024", "2024-2027"]
    assert len({r["series_id"] for r in rows}) == 1 and [r["position"] for r in rows] == [1, 2]
    assert rows[1]["previous_document_id"] == rows[0]["document_id"]


def test_every_change_kind_is_found_for_the_edited_commitments_and_nothing_else(pair):
    db_path, old_commitments = pair
    assert len(old_commitments) == 28  # the bundled plan's 28 "We will" bullets
    rows = changes(db_path)
    by_kind: dict[str, list[dict]] = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append(r)
    assert set(by_kind) == {"carried_forward", "reworded", "dropped", "new", "deadline_slipped"}
    assert {(r["old_text"], r["new_text"]) for r in by_kind["reworded"]} == REWORDED
    assert len(by_kind["reworded"]) == 2
    assert [(r["old_text"], r["new_text"]) for r in by_kind["dropped"]] == [(DROPPED, None)]
    assert [(r["old_text"], r["new_text"]) for r in by_kind["new"]] == [(None, NEW)]
    [slipped] = by_kind["deadline_slipped"]
    assert (slipped["old_text"], slipped["new_text"]) == SLIPPED
    assert (slipped["old_value"], slipped["new_value"]) == ("by September 2021 (2021-09-30)", "by September 2022 (2022-09-30)")
    # the other 28 - 2 reworded - 1 dropped = 25 are carried forward, each to its own text (the
    # one whose deadline moved differs only in its deadline)
    carried = by_kind["carried_forward"]
    expected = set(old_commitments) - {old for old, _ in REWORDED} - {DROPPED}
    assert len(carried) == 25 and {r["old_text"] for r in carried} == expected
    assert {(r["old_text"], r["new_text"]) for r in carried if r["old_text"] != r["new_text"]} == {SLIPPED}
    assert all(r["similarity"] == 100 for r in carried)


def test_each_change_carries_the_evidence_of_both_editions(pair):
    db_path, _ = pair
    db = open_db(db_path)
    documents = {r["source"]: r["id"] for r in db["documents"].rows}
    old_doc, new_doc = documents["bcp_brighter_futures_2021-24.txt"], documents["bcp_brighter_futures_2024-27.txt"]
    for r in changes(db_path):
        assert (r["old_document_id"], r["new_document_id"]) == (old_doc, new_doc)
        assert (r["old_edition"], r["new_edition"]) == ("2021-2024", "2024-2027")
        assert r["council_code"] == "BPC"
        for side, doc in (("old", old_doc), ("new", new_doc)):
            if r[f"{side}_action_id"] is None:
                assert r["kind"] == ("new" if side == "old" else "dropped")
                assert r[f"{side}_text"] is None and r[f"{side}_page"] is None
                continue
            action = db["actions"].get(r[f"{side}_action_id"])
            assert action["document_id"] == doc
            assert (r[f"{side}_text"], r[f"{side}_page"], r[f"{side}_ref"]) == (action["text"], action["page"], action["ref"])
            assert r[f"{side}_page"] == 1


def test_recomputing_gives_the_same_rows_and_ids(pair, tmp_path):
    db_path, _ = pair
    copy = tmp_path / "again.db"
    shutil.copyfile(db_path, copy)
    before = changes(copy)
    compute_changes(open_db(copy))
    assert changes(copy) == before
    compute_changes(open_db(copy), ["BPC"])
    assert changes(copy) == before
    # ingesting the same two files again (here: into a fresh database, newest first) gives them too
    fresh = tmp_path / "fresh.db"
    plans = db_path.parent / "plans"
    ingest([plans / "bcp_brighter_futures_2024-27.txt"], fresh)
    ingest([plans / "bcp_brighter_futures_2021-24.txt"], fresh)
    assert changes(fresh) == before


def test_the_changes_command_prints_the_counts_per_series(pair, tmp_path):
    db_path, _ = pair
    copy = tmp_path / "cli.db"
    shutil.copyfile(db_path, copy)
    result = CliRunner().invoke(main, ["changes", "--db", str(copy), "--council", "BPC"])
    assert result.exit_code == 0, result.output
    assert f"{COUNCIL} — Brighter Futures 2024–2027 (refreshed) (corporate_plan, 2 editions)" in result.output
    assert "2021-2024 -> 2024-2027: 25 carried forward, 2 reworded, 1 dropped, 1 new, 1 deadline slipped" in result.output
    assert "1 series with two or more editions; 30 rows written" in result.output
    assert changes(copy) == changes(db_path)


async def test_what_changed_in_this_plan_in_datasette(pair):
    db_path, _ = pair
    ds = make_datasette(db_path)

    async def rows(**params):
        response = await ds.client.get("/councilplans/what_changed.json", params={**params, "_shape": "array"})
        assert response.status_code == 200, response.text
        return response.json()

    shown = await rows(council="BCP", series="brighter futures", change="")
    assert sorted(r["change"] for r in shown) == ["deadline slipped", "dropped", "new", "reworded", "reworded"]
    assert all(r["old_page"] == 1 for r in shown if r["change"] != "new")
    assert len(await rows(council="", series="", change="all")) == 30
    [slipped] = await rows(council="", series="", change="deadline slipped")
    assert (slipped["old_text"], slipped["new_text"]) == SLIPPED
    assert await rows(council="Gateshead", series="", change="") == []


def test_the_bundled_corpus_has_no_second_editions(corpus_db):
    assert corpus_db["editions"].count == 5
    assert corpus_db["changes"].count == 0
    # each document is its own series; two have no period and no year in their title or name
    positions = {r["source"]: r["position"] for r in corpus_db.query(
        "SELECT d.source, e.position FROM editions e JOIN documents d ON d.id = e.document_id")}
    assert positions == {
        "gateshead_childrens_services_priorities_2025-27.txt": 1, "redcar_cleveland_cyp_families_strategy_2024-27.txt": 1,
        "south_gloucestershire_childrens_services_plan_2021-31.txt": 1,
        "gateshead_corporate_parenting_operational_plan.txt": None, "bcp_brighter_futures.txt": None,
    }
    assert len({r["series_id"] for r in corpus_db["editions"].rows}) == 5


def test_a_failure_while_comparing_editions_loses_no_document(tmp_path, monkeypatch):
    import pipeline.editions

    def broken(*args, **kwargs):
        raise RuntimeError("comparison broke")

    make_pair(tmp_path / "plans")
    monkeypatch.setattr(pipeline.editions, "compute_changes", broken)
    report = ingest([tmp_path / "plans"], tmp_path / "safe.db")
    assert len(report.documents) == 2 and not report.failed
    assert any("comparing editions failed" in note and "comparison broke" in note for note in report.notes)
    assert open_db(tmp_path / "safe.db")["documents"].count == 2


# --------------------------------------------------------------------------- the units


def test_titles_of_one_series_normalise_alike():
    key = "childrens services strategic plan"
    assert normalise_title("Children's Services Strategic Plan 2021– 2031") == key
    assert normalise_title("Children’s Services Strategic Plan 2024/25 - Refreshed edition") == key
    assert normalise_title("DRAFT Children's Services Strategic Plan (2nd version) 2027 to 2030") == key
    assert normalise_title("Gateshead Council Children's Services Strategic Plan", ["Gateshead"]) == key
    assert normalise_title("Corporate Parenting Operational Plan 2021-24") != key


def test_a_commitments_text_is_compared_without_its_deadline():
    assert normalise_text("Publish the ‘Care Leaver Offer’ by September 2020.", "by September 2020") == \
        normalise_text("publish the 'Care Leaver Offer' by September 2021", "by September 2021") == "publish the care leaver offer"


def test_the_assignment_is_one_to_one_and_best_overall():
    # greedy would pair old 0 with new 0 (90) and leave old 1 alone (its only other score is 0);
    # the assignment pairs 0-1 (85) and 1-0 (80): 165 in all
    scores = np.array([[90.0, 85.0], [80.0, 0.0]])
    assert assign(scores, 72) == [(0, 1, 85.0), (1, 0, 80.0)]
    # a score under the threshold is never a pair, even when nothing else is left
    assert assign(np.array([[71.9]]), 72) == []
    assert assign(np.array([[72.0]]), 72) == [(0, 0, 72.0)]


def test_two_similar_old_commitments_cannot_both_pair_with_one_new_one():
    old = [normalise_text("recruit more foster carers"), normalise_text("recruit more foster carers and adopters")]
    new = [normalise_text("recruit more foster carers")]
    pairs, dropped, added, scores = align(old, new)
    assert scores[1, 0] >= THRESHOLD  # similar enough on its own
    assert [(i, j) for i, j, _ in pairs] == [(0, 0)] and dropped == [1] and added == []


def test_unrelated_commitments_are_not_paired():
    old = [normalise_text("harmonise and improve the Foster Care offer")]
    new = [normalise_text("open four family hubs across the borough")]
    pairs, dropped, added, _ = align(old, new)
    assert pairs == [] and dropped == [0] and added == [0]


def action(n, text, deadline_text=None, deadline_end=None, owners=(), measure=None, target=None):
    return {"id": f"a{n}", "document_id": "d", "ordinal": n, "ref": None, "text": text, "page": n + 1,
            "deadline_text": deadline_text, "deadline_start": None, "deadline_end": deadline_end,
            "owners": list(owners), "measure": measure, "target": target, "target_date": None}


def test_owner_target_and_deadline_changes_of_paired_commitments():
    old = [
        action(0, "Recruit more foster carers by March 2025", "by March 2025", "2025-03-31", ["Fostering Service"],
               "number of approved foster carers", "150"),
        action(1, "Open a family hub in every locality by March 2026", "by March 2026", "2026-03-31"),
        action(2, "Review the short breaks offer", owners=["SEND"]),
    ]
    new = [
        action(0, "Recruit more foster carers by March 2026", "by March 2026", "2026-03-31", ["Fostering Service", "Commissioning"],
               "number of approved foster carers", "180"),
        action(1, "Open a family hub in every locality by December 2025", "by December 2025", "2025-12-31"),  # earlier: not a slip
        action(2, "Review the short breaks offer", owners=["send"]),  # the same owner in other letters
    ]
    found = [(c["kind"], c["old"]["id"], c["new"]["id"], c["old_value"], c["new_value"]) for c in compare(old, new)]
    assert found == [
        ("carried_forward", "a0", "a0", None, None),
        ("deadline_slipped", "a0", "a0", "by March 2025 (2025-03-31)", "by March 2026 (2026-03-31)"),
        ("owner_changed", "a0", "a0", "Fostering Service", "Commissioning, Fostering Service"),
        ("target_changed", "a0", "a0", "number of approved foster carers; target 150", "number of approved foster carers; target 180"),
        ("carried_forward", "a1", "a1", None, None),
        ("carried_forward", "a2", "a2", None, None),
    ]


def test_an_edition_without_a_date_is_listed_but_not_compared(tmp_path):
    plans = tmp_path / "plans"
    make_pair(plans)
    (plans / "bcp_brighter_futures_2024-27.txt").rename(plans / "bcp_brighter_futures_refresh.txt")
    (plans / "manifest.yaml").write_text(MANIFEST.replace("bcp_brighter_futures_2024-27.txt", "bcp_brighter_futures_refresh.txt")
                                         .replace("period: [2024, 2027]", "period: [null, null]")
                                         .replace("Brighter Futures 2024–2027 (refreshed)", "Brighter Futures (refreshed)"),
                                         encoding="utf-8")
    report = ingest([plans], tmp_path / "undated.db")
    assert len(report.documents) == 2
    assert changes(tmp_path / "undated.db") == []
    [summary] = report.editions
    assert summary.pairs == []
    assert "  not compared (no date): bcp_brighter_futures_refresh.txt" in summary.lines()
    positions = sorted((r["edition"], r["position"]) for r in open_db(tmp_path / "undated.db")["editions"].rows)
    assert positions == [("2021-2024", 1), ("bcp_brighter_futures_refresh.txt", None)]
