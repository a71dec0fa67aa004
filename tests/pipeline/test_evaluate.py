"""Tests for pipeline.evaluate (the scorer behind `councilplans eval`).

Expected numbers are worked out by hand in the comments, not taken from the code.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.evaluate import (
    Counts,
    evaluate,
    first_number,
    load_gold,
    load_predictions,
    normalise_text,
    pair_items,
    token_f1,
)

GOLD_DIR = Path(__file__).resolve().parents[2] / "corpus" / "gold"


def act(text, **fields):
    return {"text": text, **fields}


def one_doc(kind, items):
    return {"d": {kind: items}}


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("We will: • Improve school attendance.", "improve school attendance"),
        ("✓ Reduce exclusions – and suspensions", "reduce exclusions and suspensions"),
        ("\uf0b7 Deliver on the placement sufficiency strategy", "deliver on the placement sufficiency strategy"),
        ("Post-16   education\nprovision", "post 16 education provision"),
        ("Children’s services (0-19)", "children s services 0 19"),
        ("WE WILL we will do it", "we will do it"),  # only one leading "we will" is dropped
        ("We willingly help", "we willingly help"),  # whole tokens only
        ("Deliver what we will promise", "deliver what we will promise"),  # only when leading
        ("   ", ""),
        (None, ""),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Improve school attendance", "improve school attendance.", 1.0),
        ("We will improve attendance", "Improve attendance", 1.0),
        ("a b c d", "a b c d e", 8 / 9),  # P=4/5, R=1 -> 2*0.8/1.8
        ("a a b", "a b b", 2 / 3),  # multiset overlap: min(2,1)+min(1,2) = 2 of 3 each
        ("a b", "c d", 0.0),
        ("a b c d", "a b c d e f", 0.8),  # P=4/6, R=1 -> 0.8
        ("", "", 1.0),
        ("x", "", 0.0),
    ],
)
def test_token_f1(a, b, expected):
    assert token_f1(a, b) == pytest.approx(expected)
    assert token_f1(b, a) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("65.8% in 2021/22", 65.8),
        ("1,234 children", 1234.0),
        ("-3.5 points", -3.5),
        ("Attainment 8: 44.74", 8.0),
        (425, 425.0),
        ("no data", None),
        (None, None),
    ],
)
def test_first_number(text, expected):
    assert first_number(text) == expected


# --------------------------------------------------------------------------- pairing


def test_pairing_best_first_and_one_to_one():
    gold = [act("improve school attendance across the borough")]
    preds = [
        act("improve school attendance across the borough by 2025"),  # F1 = 12/14
        act("Improve school attendance across the borough."),  # F1 = 1.0
    ]
    assert pair_items(gold, preds, "text") == [(0, 1, 1.0)]
    report = evaluate(one_doc("actions", gold), one_doc("actions", preds))
    c = report.kinds["actions"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 0)
    assert [s.index for s in report.spurious] == [0]


def test_pairing_cross_best_first():
    gold = [act("a b c d e"), act("a b c d f")]
    preds = [act("a b c d f"), act("a b c d e")]  # each is 0.8 with the other gold item
    assert sorted(pair_items(gold, preds, "text")) == [(0, 1, 1.0), (1, 0, 1.0)]


@pytest.mark.parametrize(
    ("gold", "pred", "pairs"),
    [
        ("improve school attendance for pupils", "improve school attendance for children", True),  # 8/10
        ("improve school attendance for pupils", "improve school attendance for all children", False),  # 8/11
        ("a b c d e f g h i j", "a b c d e f g h x y", True),  # 16/20 = 0.8
        ("a b c d e f g h i j", "a b c d e f g h x y z", False),  # 16/21 ~ 0.762
        ("", "", False),  # empty key texts never pair
    ],
)
def test_threshold(gold, pred, pairs):
    assert bool(pair_items([act(gold)], [act(pred)], "text")) is pairs


# --------------------------------------------------------------------------- optional items


def test_optional_found_is_not_rewarded():
    gold = [act("Deliver the sufficiency strategy"), act("Explore examples across the country", optional=True)]
    preds = [act("Deliver the sufficiency strategy"),
             act("Explore examples across the country", deadline={"end": "2020-01-31"})]
    report = evaluate(one_doc("actions", gold), one_doc("actions", preds))
    c = report.kinds["actions"]
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)
    # fields of the optional pair are not scored either
    assert report.fields["actions"]["deadline_end"].n == 1
    assert report.field_errors == []


def test_optional_missed_is_not_penalised():
    gold = [act("Deliver the sufficiency strategy"), act("Explore examples across the country", optional=True)]
    preds = [act("Deliver the sufficiency strategy")]
    report = evaluate(one_doc("actions", gold), one_doc("actions", preds))
    c = report.kinds["actions"]
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)
    assert report.misses == []


def test_optional_gold_absorbs_prediction_in_same_pass():
    # The prediction pairs best with the optional item, so it is neither TP nor FP,
    # and the required item (F1 0.8 with it) stays a miss.
    gold = [act("a b c d e"), act("a b c d x", optional=True)]
    report = evaluate(one_doc("actions", gold), one_doc("actions", [act("a b c d x")]))
    c = report.kinds["actions"]
    assert (c.tp, c.fp, c.fn) == (0, 0, 1)


# --------------------------------------------------------------------------- scope


def test_predicted_document_without_gold_is_unscored():
    gold = {"a": {"actions": [act("Reduce exclusions")]}}
    pred = {"a": {"actions": [act("Reduce exclusions")]}, "zzz": {"actions": [act("Anything")]}}
    report = evaluate(gold, pred)
    assert report.unscored == ["zzz"]
    assert list(report.documents) == ["a"]
    c = report.kinds["actions"]
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)


def test_gold_document_without_prediction_counts_all_fn():
    gold = {
        "a": {"actions": [act("Reduce exclusions")]},
        "b": {"priorities": [{"number": "1", "level": 1, "title": "Early help"}],
              "actions": [act("One thing"), act("Another thing"), act("Maybe", optional=True)]},
    }
    report = evaluate(gold, {"a": {"actions": [act("Reduce exclusions")]}})
    assert report.missing_documents == ["b"]
    b = report.documents["b"]
    assert (b["actions"].tp, b["actions"].fp, b["actions"].fn) == (0, 0, 2)
    assert b["priorities"].fn == 1
    assert (report.kinds["actions"].tp, report.kinds["actions"].fn) == (1, 2)


def test_scope_pages_leave_out_items_on_other_pages():
    # Gold scores pages 3-4 only: the page-9 prediction is neither TP nor FP, the page-3 one is a TP,
    # the page-4 miss is a FN, and the page-3 spurious item is a FP.
    gold = {"a": {"scope": {"pages": [3, 4]},
                  "actions": [act("Reduce exclusions", page=3), act("Improve attendance", page=4)]}}
    pred = {"a": {"actions": [act("Reduce exclusions", page=3), act("Improve attendance", page=9),
                              act("Something else entirely", page=3)]}}
    report = evaluate(gold, pred)
    c = report.kinds["actions"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)
    assert [s.text for s in report.spurious] == ["Something else entirely"]


def test_items_never_pair_across_documents():
    gold = {"a": {"actions": [act("Reduce exclusions")]}, "b": {"actions": [act("Improve attendance")]}}
    pred = {"a": {"actions": [act("Improve attendance")]}, "b": {"actions": [act("Reduce exclusions")]}}
    c = evaluate(gold, pred).kinds["actions"]
    assert (c.tp, c.fp, c.fn) == (0, 2, 2)


@pytest.mark.parametrize(
    ("gold", "pred"),
    [
        # gold file stem differs; its document.source names the corpus file
        ({"004_1886": {"document": {"source": "bcp.txt"}}}, {"bcp": {}}),
        # prediction file stem differs; its document.source names the corpus file
        ({"bcp": {}}, {"export-1": {"document": {"source": "seeds/bcp.pdf"}}}),
    ],
)
def test_documents_match_on_source_stem(gold, pred):
    g_key, p_key = next(iter(gold)), next(iter(pred))
    gold[g_key]["actions"] = [act("Reduce exclusions")]
    pred[p_key]["actions"] = [act("Reduce exclusions")]
    report = evaluate(gold, pred)
    assert report.unscored == [] and report.missing_documents == []
    assert report.kinds["actions"].tp == 1


# --------------------------------------------------------------------------- field rules

D = dt.date
FIELD_CASES = [
    # kind, field, gold extra, predicted extra, expected (True right / False wrong / None unscored)
    ("actions", "deadline_end", {"deadline": None}, {"deadline": None}, True),
    ("actions", "deadline_end", {"deadline": None}, {}, True),
    ("actions", "deadline_end", {"deadline": {"end": D(2022, 9, 30)}}, {"deadline": {"end": "2022-09-30"}}, True),
    ("actions", "deadline_end", {"deadline": {"end": "2022-09-30"}}, {"deadline": None}, False),
    ("actions", "deadline_end", {"deadline": None}, {"deadline": {"end": "2022-09-30"}}, False),
    ("actions", "deadline_end", {"deadline": {"start": "2020-01-01", "end": None}}, {}, True),
    ("actions", "deadline_start", {"deadline": {"end": "2022-09-30"}}, {"deadline": {"start": "2021-01-01"}}, None),
    ("actions", "deadline_start", {"deadline": {"start": D(2024, 1, 1)}}, {"deadline": {"start": "2024-01-01"}}, True),
    ("actions", "deadline_start", {"deadline": {"start": "2024-01-01"}}, {"deadline": {"end": "2026-12-31"}}, False),
    ("actions", "ref", {"ref": None}, {"ref": ""}, None),
    ("actions", "ref", {"ref": "1.1a"}, {"ref": " 1.1A "}, True),
    ("actions", "ref", {"ref": None}, {"ref": "2.1"}, False),
    ("actions", "owners", {"owners": []}, {}, None),
    ("actions", "owners", {"owners": ["Participation", "Care Leavers"]}, {"owners": ["care leavers", "PARTICIPATION"]}, True),
    ("actions", "owners", {"owners": ["Care  Leavers "]}, {"owners": ["care leavers"]}, True),
    ("actions", "owners", {"owners": ["Participation"]}, {"owners": ["Participation", "Care Leavers"]}, False),
    ("actions", "status", {"status": []}, {"status": []}, None),
    ("actions", "status", {"status": ["amber"]}, {"status": ["Amber"]}, True),
    ("actions", "status", {"status": ["amber"]}, {"status": ["yellow"]}, True),
    ("actions", "status", {"status": ["red", "green"]}, {"status": ["green", "red"]}, True),
    ("actions", "status", {"status": ["red"]}, {"status": ["green"]}, False),
    ("actions", "status", {"status": []}, {"status": ["green"]}, False),
    ("actions", "priorities", {"priorities": []}, {}, True),
    ("actions", "priorities", {"priorities": ["1", "2"]}, {"priorities": ["2", "1"]}, True),
    ("actions", "priorities", {"priorities": ["1"]}, {"priorities": [1]}, True),
    ("actions", "priorities", {"priorities": ["1"]}, {"priorities": ["1", "2"]}, False),
    ("actions", "measure", {"measure": None}, {}, None),
    ("actions", "measure", {"measure": "Attendance rate"}, {"measure": None}, False),
    ("actions", "measure", {"measure": "Percentage of pupils attending school"},
     {"measure": "percentage of pupils attending school."}, True),
    ("priorities", "number", {"number": "1"}, {"number": " 1 "}, True),
    ("priorities", "number", {"number": "1.1"}, {"number": "1"}, False),
    ("priorities", "level", {"level": 1}, {"level": "1"}, True),
    ("priorities", "level", {"level": 1}, {"level": 2}, False),
    ("measures", "value", {"value": "65.8% in 2021/22"}, {"value": "65.8%"}, True),
    ("measures", "value", {"value": "1,234"}, {"value": "1234 children"}, True),
    ("measures", "value", {"value": "425"}, {"value": "452"}, False),
    ("measures", "value", {"value": None}, {}, None),
    ("measures", "value", {"value": "425"}, {"value": None}, False),
    ("measures", "value", {"value": "Good"}, {"value": "good."}, True),  # no numbers: token F1
    ("measures", "value", {"value": "Good"}, {"value": "Outstanding"}, False),
    ("measures", "value", {"value": "Good"}, {"value": "12%"}, False),
    ("measures", "target", {"target": "at least 70%"}, {"target": "70%"}, True),
    ("measures", "target", {}, {"target": "70%"}, False),
    ("measures", "as_at", {"as_at": D(2024, 9, 30)}, {"as_at": "2024-09-30"}, True),
    ("measures", "as_at", {"as_at": "2024-09-30"}, {"as_at": "2024-08-31"}, False),
    ("measures", "as_at", {"as_at": None}, {"as_at": None}, None),
    ("measures", "target_date", {"target_date": None}, {"target_date": "2025-03-31"}, False),
    ("measures", "status", {"status": "green"}, {"status": "Green"}, True),
    ("measures", "status", {"status": None}, {}, None),
    ("measures", "status", {"status": "red"}, {"status": None}, False),
]


@pytest.mark.parametrize(("kind", "field", "gold_extra", "pred_extra", "expected"), FIELD_CASES)
def test_field_rule(kind, field, gold_extra, pred_extra, expected):
    key = {"priorities": "title", "actions": "text", "measures": "name"}[kind]
    gold = one_doc(kind, [{key: "Improve school attendance", **gold_extra}])
    pred = one_doc(kind, [{key: "improve school attendance", "page": 3, **pred_extra}])
    report = evaluate(gold, pred)
    assert report.kinds[kind].tp == 1
    score = report.fields[kind][field]
    if expected is None:
        assert score.n == 0 and score.accuracy is None
    else:
        assert (score.n, score.correct) == (1, int(expected))
        errors = [e for e in report.field_errors if e.field == field]
        assert len(errors) == (0 if expected else 1)
        if errors:
            assert errors[0].page == 3


# --------------------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(
    ("tp", "fp", "fn", "p", "r", "f1"),
    [
        (0, 0, 0, 1.0, 1.0, 1.0),  # nothing expected, nothing predicted
        (0, 0, 3, 0.0, 0.0, 0.0),  # nothing predicted, gold missed
        (0, 2, 0, 0.0, 0.0, 0.0),  # no gold, spurious predictions
        (1, 0, 0, 1.0, 1.0, 1.0),
        (3, 1, 2, 0.75, 0.6, 2 / 3),  # 2*.75*.6/1.35 = .9/1.35
        (2, 2, 0, 0.5, 1.0, 2 / 3),  # 2*.5*1/1.5
    ],
)
def test_counts_arithmetic(tp, fp, fn, p, r, f1):
    c = Counts(tp, fp, fn)
    assert (c.precision, c.recall, c.f1) == (pytest.approx(p), pytest.approx(r), pytest.approx(f1))


def test_prf_small_example_by_hand():
    gold = {
        "d1": {"actions": [act("Reduce exclusions"), act("Improve attendance"), act("Expand post 16 pathways"),
                           act("Publish the care leaver offer"), act("Harmonise the foster care offer"),
                           act("Explore examples", optional=True)]},
        "d2": {"actions": [act("Develop business case")]},
    }
    pred = {
        "d1": {"actions": [act("Reduce exclusions"), act("Improve attendance"), act("Expand post 16 pathways"),
                           act("Explore examples"), act("Buy a new fleet of buses")]},
        "d2": {"actions": [act("develop business case")]},
    }
    report = evaluate(gold, pred)
    d1 = report.documents["d1"]["actions"]
    # d1: 3 TP, the optional find is neutral, 1 FP (buses), 2 FN -> P 3/4, R 3/5, F1 2/3
    assert (d1.tp, d1.fp, d1.fn) == (3, 1, 2)
    assert (d1.precision, d1.recall, d1.f1) == (0.75, 0.6, pytest.approx(2 / 3))
    # overall (micro): TP 4, FP 1, FN 2 -> P 4/5, R 4/6, F1 = 2*4/(2*4+1+2) = 8/11
    c = report.kinds["actions"]
    assert (c.tp, c.fp, c.fn) == (4, 1, 2)
    assert c.precision == pytest.approx(0.8)
    assert c.recall == pytest.approx(2 / 3)
    assert c.f1 == pytest.approx(8 / 11)
    # priorities and measures: nothing on either side -> perfect by convention
    assert report.kinds["priorities"].f1 == 1.0 and report.kinds["measures"].f1 == 1.0
    assert len(report.misses) == 2 and len(report.spurious) == 1


# --------------------------------------------------------------------------- loading and output


def test_load_and_yaml_dates_vs_json_strings(tmp_path):
    gdir, pdir = tmp_path / "gold", tmp_path / "pred"
    gdir.mkdir()
    pdir.mkdir()
    (gdir / "README.md").write_text("# not a document\n")
    (gdir / "doc.yaml").write_text(
        "document: {source: doc.txt}\n"
        "actions:\n  - text: Publish the offer\n    deadline: {text: by September 2020, start: null, end: 2020-09-30}\n"
        "measures:\n  - name: Children in care\n    value: 425\n    as_at: 2024-09-30\n"
    )
    (pdir / "doc.json").write_text(json.dumps({
        "actions": [{"text": "Publish the offer", "page": 1, "deadline": {"end": "2020-09-30"}}],
        "measures": [{"name": "Children in care", "page": 2, "value": "425", "as_at": "2024-09-30"}],
    }))
    (pdir / "other.yaml").write_text("actions: []\n")
    gold, pred = load_gold(gdir), load_predictions(pdir)
    assert list(gold) == ["doc"] and sorted(pred) == ["doc", "other"]
    assert isinstance(gold["doc"]["actions"][0]["deadline"]["end"], dt.date)
    report = evaluate(gold, pred)
    assert report.unscored == ["other"]
    for kind, field in [("actions", "deadline_end"), ("measures", "value"), ("measures", "as_at")]:
        s = report.fields[kind][field]
        assert (s.n, s.correct) == (1, 1), (kind, field)
    assert load_gold(gdir / "doc.yaml").keys() == {"doc"}


def test_report_outputs():
    gold = {"d": {"actions": [act("Reduce exclusions", ref="1.1a"), act("Improve attendance")]}}
    pred = {"d": {"actions": [act("Reduce exclusions", ref="1.1b"), act("Buy buses")]}, "x": {}}
    report = evaluate(gold, pred)
    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["kinds"]["actions"] == {"tp": 1, "fp": 1, "fn": 1, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    text = report.to_text()
    for word in ("Records", "Fields", "Documents", "deadline_end", "Unscored"):
        assert word in text
    md = report.to_markdown()
    assert md.splitlines()[0].startswith("predictions vs gold")
    assert "| actions | 1 | 1 | 1 | 0.500 | 0.500 | 0.500 |" in md
    explained = report.explain()
    assert "Improve attendance" in explained and "Buy buses" in explained and "1.1b" in explained
    assert "… and 1 more" in report.explain(limit=0)


# --------------------------------------------------------------------------- the real gold set


@pytest.fixture(scope="module")
def gold_set():
    gold = load_gold(GOLD_DIR)
    assert len(gold) >= 5 and not any(k.lower().startswith("readme") for k in gold)
    return gold


def test_gold_scores_perfectly_against_itself(gold_set):
    report = evaluate(gold_set, copy.deepcopy(gold_set))
    for kind, c in report.kinds.items():
        assert c.f1 == 1.0, kind
        assert c.fp == 0 and c.fn == 0
    for kind, fields in report.fields.items():
        for name, s in fields.items():
            assert s.correct == s.n, (kind, name)
            assert s.accuracy in (1.0, None), (kind, name)
    assert report.fields["actions"]["deadline_end"].n > 0
    assert report.unscored == [] and report.field_errors == []


def test_deleting_one_action_lowers_recall_by_one_over_n(gold_set):
    n = sum(1 for doc in gold_set.values() for a in doc.get("actions") or [] if not a.get("optional"))
    pred = copy.deepcopy(gold_set)
    doc = next(d for d in pred.values() if any(not a.get("optional") for a in d.get("actions") or []))
    idx = next(i for i, a in enumerate(doc["actions"]) if not a.get("optional"))
    del doc["actions"][idx]
    c = evaluate(gold_set, pred).kinds["actions"]
    assert c.recall == pytest.approx(1 - 1 / n)
    assert (c.tp, c.fp, c.fn) == (n - 1, 0, 1)
    assert c.precision == 1.0
