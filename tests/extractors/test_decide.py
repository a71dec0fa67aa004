"""Candidates, their evidence, the learned decisions and how the model is trained and scored.

Expected values are worked out by hand from the inputs (the tiny tree models below are written
out node by node), never taken from a run of the code under test."""

from __future__ import annotations

import math

import pytest

from extractors.candidates import (Candidate, build_context, first_is_verb, generate, split_code, split_number,
                                   text_features)
from extractors.decide import explain, scores, select
from extractors.registry import build, run
from extractors.stages import RULE_STAGES
from extractors.state import State
from pipeline.loaders.text import parse_text
from schemas.document import Document


def state_of(text: str) -> State:
    doc = Document(source="t.txt", path="t.txt", format="text", sha256="0" * 64, pages=tuple(parse_text(text)))
    return run(build(RULE_STAGES), State.start(doc))


@pytest.mark.parametrize(("text", "expected"), [
    ("Priority 2: Children have a healthy childhood", ("2", "Children have a healthy childhood")),
    ("SO1 Accessible communities", ("SO1", "Accessible communities")),
    ("3. Reducing drug and alcohol related deaths.", ("3", "Reducing drug and alcohol related deaths.")),
    ("2.1 – Early help", ("2.1", "Early help")),
    ("Theme Three: Housing", ("3", "Housing")),
    ("Starting Well", (None, "Starting Well")),
    ("2024 was a good year", (None, "2024 was a good year")),
])
def test_split_number(text, expected):
    assert split_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Policy links People SO1: Health and Wellbeing", ("SO1", "Health and Wellbeing")),
    ("Key strategic objective links SO8: Settlements", ("SO8", "Settlements")),
    ("SO2: Accessibility", ("SO2", "Accessibility")),
    # the next coded item run into the same line is not part of the title
    ("SO5: Built and Historic Environment SO9: Rural Areas", ("SO5", "Built and Historic Environment")),
    ("Priority 2: Children have a healthy childhood", ("2", "Children have a healthy childhood")),
    # a code needs its colon after glued words, and a bare year is not a code
    ("Delivering the CP6 programme", (None, "Delivering the CP6 programme")),
    ("Review in 2024: what changed", (None, "Review in 2024: what changed")),
])
def test_split_code_finds_a_printed_code_after_glued_table_words(text, expected):
    assert split_code(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Integrate systems and data, and automate processes", True),
    ("Use data from across the borough", True),
    ("Use of data across the borough", False),
    ("Support for families", False),
    ("Support is available", False),
    ("Development of multi-agency approaches", False),
    ("Commit to co-produce solutions", True),
    ("", False),
])
def test_first_is_verb(text, expected):
    assert first_is_verb(text) is expected


@pytest.mark.parametrize(("text", "present", "absent"), [
    ("The Board will maintain oversight of the delivery of the Place Plan.", {"will_main_clause", "subject_will"}, {"passive_will", "will_subordinate"}),
    ("A Place Plan will be developed by March 2026.", {"will_main_clause", "passive_will"}, {"will_effect"}),
    ("This strategy sets out how we will work together.", {"sets_out", "will_subordinate"}, {"passive_will"}),
    ("This will help us reduce costs.", {"will_effect"}, {"passive_will"}),
    ("We will know we have succeeded when fewer children wait.", {"will_know", "we_will_first"}, set()),
    ("Partners will need to agree the budget.", {"will_not_commit"}, set()),
    ("Proportion of adults who smoke (%)", {"measure_opener", "percent"}, {"will"}),
])
def test_text_features(text, present, absent):
    f = text_features(text)
    assert present <= set(f), sorted(f)
    assert not (absent & set(f)), sorted(f)


def test_a_heading_repeated_under_every_section_is_a_template_and_its_parents_have_one_under_them():
    state = state_of(
        "PRIORITY 1 – SAFE HOMES\n\nWhere we are now\n\nMost children live at home.\n\n"
        "PRIORITY 2 – GOOD SCHOOLS\n\nWhere we are now\n\nAttendance is improving.\n"
    )
    cands = [c for c in generate(state) if c.kind == "priority" and c.origin == "heading"]
    by_text = {c.text: c.features for c in cands}
    assert by_text["Where we are now"].get("heading_interleaved") == 1
    assert by_text["SAFE HOMES"].get("heading_repeats") is None
    assert by_text["SAFE HOMES"].get("template_under") == 1


def test_a_chapter_title_printed_on_each_of_its_pages_is_not_a_template():
    state = state_of(
        "PRIORITY 1 – SAFE HOMES\n\nOur goals\n\nMost children live at home.\n\n"
        "PRIORITY 1 – SAFE HOMES\n\nKey data\n\nAttendance is improving.\n"
    )
    heads = {c.text: c.features for c in generate(state) if c.kind == "priority" and c.origin == "heading"}
    assert heads["SAFE HOMES"].get("heading_repeats_in_one_run") == 1
    assert heads["SAFE HOMES"].get("heading_interleaved") is None


def test_a_coded_heading_repeated_as_a_cross_reference_is_defined_where_it_first_appears():
    state = state_of(
        "Strategic Objectives\n\nSO1: Health and Wellbeing\n\nTo improve health.\n\n"
        "SO2: Accessibility\n\nTo improve access.\n\n"
        "Policy CP1 Growth\n\nDevelopment will be supported.\n\nSO1: Health and Wellbeing\n\nSO2: Accessibility\n\n"
        "Policy CP2 Homes\n\nHomes will be built.\n\nSO1: Health and Wellbeing\n\nSO2: Accessibility\n"
    )
    heads = [(c.index, c.number, c.features) for c in generate(state) if c.kind == "priority" and c.origin == "heading"
             and c.text == "Health and Wellbeing"]
    (first, number, f), *later = sorted(heads, key=lambda h: h[0])
    assert number == "SO1"
    assert f.get("heading_interleaved") is None and f.get("code_first_heading") == 1
    assert f.get("code_cited=<=2") == 1  # cited again under both policies
    assert later and all(g.get("heading_interleaved") == 1 and g.get("code_first_heading") is None for _, _, g in later)


def test_a_printed_code_names_one_priority_the_one_where_it_is_defined():
    from extractors.decide import _priorities

    state = state_of(
        "Strategic Objectives\n\nSO1: Health and Wellbeing\n\nTo improve health.\n\n"
        "SO2: Accessibility\n\nTo improve access.\n\n"
        "Policy CP1 Growth\n\nDevelopment will be supported.\n\nSO1: Health and Wellbeing\n\nSO2: Accessibility\n"
    )
    ctx = build_context(state)
    heads = [c for c in generate(state, ctx) if c.kind == "priority" and c.origin == "heading" and c.number]
    by_index = sorted(heads, key=lambda c: c.index)
    # the cross-reference under the policy comes first in the kept list; the definition still stands
    kept = [by_index[2], by_index[0], by_index[1], by_index[3]]
    priorities, _ = _priorities(state, ctx, kept)
    assert sorted(p.number for p in priorities) == ["SO1", "SO2"]
    assert {p.provenance.block_id for p in priorities} == {state.blocks[by_index[0].index].id, state.blocks[by_index[1].index].id}


def test_candidates_cover_list_items_sentences_and_cells():
    state = state_of(
        "Our plan\n\nWe know things are hard. The Council will open two family hubs by March 2026.\n\n"
        "We will:\n  • recruit 40 foster carers\n  • review the short breaks offer\n"
    )
    actions = {(c.origin, c.text) for c in generate(state) if c.kind == "action"}
    assert ("sentence", "The Council will open two family hubs by March 2026.") in actions
    assert ("list_item", "Recruit 40 foster carers") in actions
    assert ("list_item", "Review the short breaks offer") in actions


def cand(text: str, score: float, index: int = 0) -> Candidate:
    c = Candidate(kind="action", text=text, index=index, origin="sentence")
    c.score = score
    return c


def test_select_keeps_the_best_of_near_copies_and_stops_at_the_threshold():
    kept = select([
        cand("Recruit forty new foster carers by March 2026", 0.6, index=3),
        cand("Recruit forty new foster carers by March 2026.", 0.9, index=1),  # a copy, scored higher
        cand("Review the short breaks offer for disabled children", 0.7, index=2),
        cand("Publish the plan", 0.2, index=0),  # below the threshold
    ], threshold=0.5)
    assert [(c.index, c.score) for c in kept] == [(1, 0.9), (2, 0.7)]


# A one-tree model written out by hand: the root splits on feature "will" (<= 0.5 goes left);
# the left leaf is worth -2.0, the right leaf +1.0; baseline -0.5. So a candidate with "will"
# scores sigmoid(-0.5 + 1.0) and one without sigmoid(-0.5 - 2.0).
TINY = {"features": ["bias", "will"], "baseline": -0.5, "trees": [{
    "feature": [1, 0, 0], "threshold": [0.5, 0.0, 0.0], "left": [1, 0, 0], "right": [2, 0, 0],
    "leaf": [0, 1, 1], "value": [-0.5, -2.0, 1.0]}]}


def test_scores_walk_the_trees():
    got = scores([{"will": 1.0, "bias": 1.0}, {"bias": 1.0}, {"unknown_feature": 1.0}], TINY)
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    assert got == pytest.approx([sig(0.5), sig(-2.5), sig(-2.5)])


def test_explain_credits_the_feature_split_on():
    # From the root (mean value -0.5) to the right leaf (+1.0): "will" moved the log-odds by +1.5.
    assert explain({"will": 1.0}, TINY) == [("will", pytest.approx(1.5))]
    assert explain({}, TINY) == [("will", pytest.approx(-1.5))]


def test_labels_follow_the_scorer_optional_items_are_not_learned_and_scope_limits():
    from pipeline.train import label_candidates

    gold = {"scope": {"pages": [1]}, "actions": [
        {"text": "Recruit 40 foster carers", "page": 1},
        {"text": "Explore a regional adoption agency", "optional": True, "page": 1},
    ]}
    cands = [Candidate(kind="action", text=t, index=0, origin="list_item") for t in (
        "We will recruit 40 foster carers",  # pairs with the required item (a leading "we will" is dropped)
        "Explore a regional adoption agency",  # pairs only with the optional one
        "Improve attendance",  # pairs with nothing
        "Recruit 40 foster carers")]  # the same text, but on page 2, outside the scope
    for c, page in zip(cands, (1, 1, 1, 2)):
        c.features["_page"] = page
    assert label_candidates(cands, gold) == [1.0, None, 0.0, None]


def test_leave_one_out_never_scores_a_document_with_a_model_that_saw_it(monkeypatch):
    import pipeline.train as train

    seen_by_model = []

    def fake_fit(rows, **options):
        seen_by_model.append({gd.stem for gd, *_ in rows})
        return {"id": len(seen_by_model) - 1}

    scored_with = {}

    def fake_predict(state, info, model, candidates=None):
        scored_with[info] = model["id"]
        from schemas.records import DocumentInfo, Extraction

        return Extraction(document=DocumentInfo(source=info))

    monkeypatch.setattr(train, "fit", fake_fit)
    monkeypatch.setattr(train, "predict_document", fake_predict)
    docs = [train.GoldDocument("set", f"d{k}", None, {"actions": []}) for k in range(4)]
    rows = [(gd, None, gd.stem, [], []) for gd in docs]
    train.cross_validate(rows)
    assert len(seen_by_model) == 4
    for stem, model_id in scored_with.items():
        assert stem not in seen_by_model[model_id]
    seen_by_model.clear()
    scored_with.clear()
    train.cross_validate(rows, folds=2)
    assert len(seen_by_model) == 2
    for stem, model_id in scored_with.items():
        assert stem not in seen_by_model[model_id]


def test_the_committed_model_is_small_and_names_its_training_documents():
    from extractors.decide import MODEL_PATH, load_model

    assert MODEL_PATH.stat().st_size < 5_000_000
    model = load_model()
    assert set(model["genres"]) == {"other", "planning"}
    for sub in model["genres"].values():
        assert set(sub["kinds"]) == {"priority", "action", "measure"}
        assert all(sub["kinds"][k]["trees"] for k in sub["kinds"])
        assert "rule" not in sub["kinds"]["action"]["features"]  # left out on purpose (pipeline/train.py)
    sets = {name.split("/")[0] for name in model["trained_on"]}
    assert {"corpus", "challenge1", "challenge6", "real"} <= sets


def test_a_missing_model_says_how_to_rebuild_it(tmp_path):
    from extractors.decide import ModelError, load_model

    with pytest.raises(ModelError, match="make train"):
        load_model.__wrapped__(tmp_path / "nowhere.json")


def test_a_kept_cell_takes_its_row_fields_from_the_header_or_from_what_the_cells_hold(tmp_path):
    from extractors.decide import _row_details
    from pipeline.loaders.markdown import load_markdown

    path = tmp_path / "plan.md"
    path.write_text(
        "# Delivery plan\n\n"
        "| Action | Lead | Due | |\n|---|---|---|---|\n"
        "| Open two family hubs in the north | Head of Early Help | March 2026 | SO1, SO4 |\n",
        encoding="utf-8")
    doc = load_markdown(path)
    state = run(build(RULE_STAGES), State.start(doc))
    index = next(i for i, b in enumerate(state.blocks) if b.kind == "table")
    cand = Candidate(kind="action", text="Open two family hubs in the north", index=index, origin="cell", row=0, col=0)
    details = _row_details(state, cand)
    assert details["owner"] == "Head of Early Help"  # the "Lead" column
    assert details["timescale"] == "March 2026"  # the "Due" column
    assert details["priority"] == "SO1, SO4"  # an unlabelled column of codes


@pytest.mark.parametrize(("name", "rule_fields", "expected"), [
    # a change stated at the start is the target
    ("1,700 fewer adults admitted to hospital.", {}, {"target": "1,700 fewer", "value": None}),
    ("400 more people going directly home", {}, {"target": "400 more", "value": None}),
    # a plain count is not a target
    ("1,200 people benefitting from a rehabilitative offer", {}, {"target": None}),
    # a date with no value beside it is not an as-at date
    ("Proportion of adults who smoke", {"as_at": "2022-04-30"}, {"as_at": None}),
    ("Proportion of adults who smoke", {"as_at": "2022-04-30", "value": "12%"}, {"as_at": "2022-04-30"}),
])
def test_measure_parts(name, rule_fields, expected):
    import datetime as dt

    from extractors.decide import _measure
    from schemas.records import Measure

    fields = {k: (dt.date.fromisoformat(v) if k == "as_at" else v) for k, v in rule_fields.items()}
    cand = Candidate(kind="measure", text=name, index=0, origin="list_item", rule=Measure(name=name, **fields))
    m = _measure(None, cand)
    for key_, value in expected.items():
        got = getattr(m, key_)
        assert (got.isoformat() if hasattr(got, "isoformat") else got) == value


# --------------------------------------------------------------------------- links from structure

def _state_of_markdown(tmp_path, text: str) -> State:
    from pipeline.loaders.markdown import load_markdown

    path = tmp_path / "plan.md"
    path.write_text(text, encoding="utf-8")
    return run(build(RULE_STAGES), State.start(load_markdown(path)))


def test_a_cell_priority_takes_the_code_printed_before_it_and_actions_follow_the_table(tmp_path):
    from extractors.decide import _priorities, _row_code, _table_links

    state = _state_of_markdown(tmp_path,
        "# Plan\n\n"
        "| Code | Objective |\n|---|---|\n| SO1 | Identify needs early |\n| SO2 | Inclusive mainstream schools |\n\n"
        "| Deliverable | Due |\n|---|---|\n"
        "| WS4 Workforce and parent voice | |\n"
        "| Recruit 30 parent champions | Oct 2025 |\n"
        "| Set up a parent panel | Apr 2026 |\n")
    keys, work = [i for i, b in enumerate(state.blocks) if b.kind == "table"]
    so1 = Candidate(kind="priority", text="Identify needs early", index=keys, origin="cell", row=0, col=1)
    assert _row_code(state, so1) == "SO1"
    # a cell with only words before it has no code
    assert _row_code(state, Candidate(kind="priority", text="SO1", index=keys, origin="cell", row=0, col=0)) is None
    ws4 = Candidate(kind="priority", text="Workforce and parent voice", index=work, origin="cell", row=0, col=0, number="WS4")
    ctx = build_context(state)
    priorities, _ = _priorities(state, ctx, [so1, ws4])
    assert [p.number for p in priorities] == ["SO1", "WS4"]
    recruit = Candidate(kind="action", text="Recruit 30 parent champions", index=work, origin="cell", row=1, col=0)
    assert _table_links(state, priorities, [so1, ws4], recruit) == ("WS4",)  # the priority row above it
    # an action in a table with no kept priority in it is left to the sections and printed codes
    elsewhere = Candidate(kind="action", text="Identify needs early", index=keys, origin="cell", row=1, col=1)
    assert _table_links(state, priorities[1:], [ws4], elsewhere) == ()


def test_a_cover_strapline_is_not_a_priority_over_the_whole_plan():
    from extractors.decide import _priorities

    state = state_of("ADOPTION STRATEGY\n\nA cover strapline for the plan\n\fINTRODUCTION\n\n"
                     "Some text here about the plan.\n\nPRIORITY ONE\n\nWe will do things.\n\nPRIORITY TWO\n\nWe will do more things.\n")
    ctx = build_context(state)
    titles = {b.text: i for i, b in enumerate(state.blocks)}
    kept = [Candidate(kind="priority", text=t, index=titles[t], origin="heading")
            for t in ("A cover strapline for the plan", "PRIORITY ONE", "PRIORITY TWO")]
    priorities, anchors = _priorities(state, ctx, kept)
    assert [(p.title, p.level) for p in priorities] == [("PRIORITY ONE", 1), ("PRIORITY TWO", 1)]
    assert anchors[titles["We will do more things."]] == priorities[1].number
    # the same heading with text of its own on the cover is kept: it is not only a title
    state = state_of("ADOPTION STRATEGY\n\nA cover strapline for the plan\n\nWhat this plan is for.\n\fPRIORITY ONE\n\n"
                     "We will do things.\n\nPRIORITY TWO\n\nWe will do more things.\n")
    titles = {b.text: i for i, b in enumerate(state.blocks)}
    kept = [Candidate(kind="priority", text=t, index=titles[t], origin="heading")
            for t in ("A cover strapline for the plan", "PRIORITY ONE", "PRIORITY TWO")]
    priorities, _ = _priorities(state, build_context(state), kept)
    assert priorities[0].title == "A cover strapline for the plan"


def test_a_priority_in_an_overview_list_and_as_its_own_section_heading_is_kept_once(tmp_path):
    from extractors.decide import _priorities

    state = _state_of_markdown(tmp_path,
        "# Climate plan\n\nOur priorities are:\n\n"
        "1. Clean, healthy travel – making walking and cycling the easy choice\n"
        "2. Nature recovery – restoring habitats\n\n"
        "## Clean, healthy travel\n\nWe will build 20 km of cycle lanes by 2027.\n\n"
        "## Nature recovery\n\nWe will plant 5,000 trees by 2026.\n")
    at = {b.text: i for i, b in enumerate(state.blocks)}
    items = [t for t in at if "–" in t]
    kept = [Candidate(kind="priority", text=t, index=at[t], origin="list_item") for t in items]
    kept += [Candidate(kind="priority", text=t, index=at[t], origin="heading") for t in ("Clean, healthy travel", "Nature recovery")]
    priorities, anchors = _priorities(state, build_context(state), kept)
    assert [(p.number, p.title) for p in priorities] == [("1", "Clean, healthy travel"), ("2", "Nature recovery")]
    assert anchors[at["We will plant 5,000 trees by 2026."]] == "2"
    # a title with no heading of its own after it is left alone
    alone = [c for c in kept if c.origin == "list_item"] + [kept[3]]
    assert [p.title for p in _priorities(state, build_context(state), alone)[0]] == [items[0], "Nature recovery"]


def test_a_heading_repeated_as_continued_over_a_page_break_is_not_a_new_priority(tmp_path):
    from extractors.decide import _priorities

    state = _state_of_markdown(tmp_path, "# Plan\n\n## Safer streets\n\nWe will do x.\n\n## Safer streets (continued)\n\n"
                                         "We will do y.\n\n## Greener places\n\nWe will do z.\n")
    at = {b.text: i for i, b in enumerate(state.blocks)}
    kept = [Candidate(kind="priority", text=t, index=at[t], origin="heading")
            for t in ("Safer streets", "Safer streets (continued)", "Greener places")]
    assert [p.title for p in _priorities(state, build_context(state), kept)[0]] == ["Safer streets", "Greener places"]

def test_one_section_heading_over_all_the_priorities_is_not_a_priority(tmp_path):
    from extractors.decide import _priorities

    state = _state_of_markdown(tmp_path,
        "# Annual report\n\n## 4. Progress on our commitments\n\n"
        "### Theme 1: Best start in life\n\nWe opened a school.\n\n"
        "### Theme 2: Healthy lives\n\nWe launched a service.\n")
    at = {b.text: i for i, b in enumerate(state.blocks)}
    section = next(t for t in at if "Progress" in t)
    themes = [t for t in at if t.startswith("Theme")]
    kept = [Candidate(kind="priority", text="Progress on our commitments", index=at[section], origin="heading", number="4")]
    kept += [Candidate(kind="priority", text=t.split(": ")[1], index=at[t], origin="heading", number=t[6]) for t in themes]
    priorities, anchors = _priorities(state, build_context(state), kept)
    assert [(p.number, p.level) for p in priorities] == [("1", 1), ("2", 1)]
    assert anchors[at["We launched a service."]] == "2"
    # with a second level-1 priority beside it, the outline stands
    state2 = _state_of_markdown(tmp_path, "# Plan\n\n## 4. Progress\n\n### Theme 1: A\n\nx\n\n### Theme 2: B\n\ny\n\n## 5. Finance\n\nz\n")
    at2 = {b.text: i for i, b in enumerate(state2.blocks)}
    kept2 = [Candidate(kind="priority", text=t, index=at2[t], origin="heading") for t in at2 if t[:1] in "45T"]
    assert [p.level for p in _priorities(state2, build_context(state2), kept2)[0]] == [1, 2, 2, 1]


def _link(priorities, action):
    from extractors.links import link_actions

    doc = Document(source="t.txt", path="t.txt", format="text", sha256="0" * 64, pages=tuple(parse_text("x")))
    state = State.start(doc).model_copy(update={"priorities": tuple(priorities), "actions": (action,)})
    return list(link_actions(state)["actions"][0].priorities)


def test_links_read_code_columns_printed_prefixes_and_codes_of_priorities_not_found():
    from schemas.records import Action, Priority

    p = lambda n: Priority(number=n, title=f"Priority {n}")  # noqa: E731
    ws = [p("WS1"), p("WS3")]
    assert _link(ws, Action(text="3.1 Link family hub attendance data")) == ["WS3"]
    assert _link(ws, Action(text="2.1 Complete the refurbishment")) == []  # no WS2 in the plan
    assert _link([p("WS3"), p("SO3")], Action(text="3.1 Link the data")) == []  # two candidates: no guess
    # a column of codes, whatever its header
    assert _link([p("SO1"), p("SO2")], Action(text="Do it", details={"SO": "SO1, SO2"})) == ["SO1", "SO2"]
    assert _link([p("SO1")], Action(text="Do it", details={"Places": "105"})) == []
    # a named priority column keeps a code the plan prints even where that priority was not found
    assert _link([p("A")], Action(text="Do it", details={"priority": "A, B"})) == ["A", "B"]
    assert _link([p("A")], Action(text="Do it", details={"priority": "High"})) == []
    # what decide read from the table stands when the row prints nothing
    assert _link(ws, Action(text="Recruit champions", priorities=("WS1",))) == ["WS1"]


def test_a_list_priority_anchors_its_deeper_items_even_when_an_earlier_list_used_its_number():
    from extractors.decide import _priorities

    state = state_of("Our national priorities\n\n1. Breaking drug supply chains\n2. Treatment and recovery\n\n"
                     "Our local priorities\n\n1. Protecting children from harm\n"
                     "    a) Develop multi-agency approaches to exploitation\n    b) Support whole family approaches\n"
                     "2. Criminal justice pathways\n")
    at = {b.text: i for i, b in enumerate(state.blocks)}
    found = {p.title: p for p in state.priorities}  # the rule stage read the first list
    kept = [Candidate(kind="priority", text=t, index=at[t], origin="list_item", number=n, rule=found.get(t))
            for t, n in (("Breaking drug supply chains", "1"), ("Treatment and recovery", "2"),
                         ("Protecting children from harm", "1"), ("Criminal justice pathways", "2"))]
    assert kept[0].rule is not None and kept[2].rule is None
    _, anchors = _priorities(state, build_context(state), kept)
    assert anchors.get(at["Develop multi-agency approaches to exploitation"]) == "1"
    assert anchors.get(at["Support whole family approaches"]) == "1"


def test_a_bare_quantity_is_a_target_among_siblings_that_state_targets_as_changes():
    from extractors.decide import _measure, _sibling_targets

    state = state_of("By 2028 we will see:\n\n- 1,700 fewer adults admitted to hospital.\n- 400 more people going directly home.\n"
                     "- 1,200 people benefitting from a rehabilitative offer.\n\nOther figures:\n\n"
                     "- 1,200 people benefitting from a rehabilitative offer.\n- Proportion of adults who smoke\n")
    ctx = build_context(state)
    items = [i for i, b in enumerate(state.blocks) if b.kind == "list_item"]
    cands = [Candidate(kind="measure", text=state.blocks[i].text, index=i, origin="list_item") for i in items]
    measures = _sibling_targets(ctx, cands, [_measure(state, c) for c in cands])
    assert [m.target for m in measures] == ["1,700 fewer", "400 more", "1,200", None, None]


def test_a_line_under_a_lead_in_inside_its_cell_carries_the_lead_in_as_evidence():
    state = state_of("Our promises\n\n"
                     "<p>1. A safe home</p><p>We will:</p><ul><li>recruit 40 new foster carer households by March 2027</li>"
                     "<li>open two new children's homes by 2026</li></ul>\t"
                     "<p>2. Healthy in body and mind</p><ul><li>complete every health assessment within 20 days</li></ul>\n")
    ctx = build_context(state)
    cands = {(c.origin, c.text): c for c in generate(state, ctx) if c.kind == "action"}
    under = cands[("cell_line", "Recruit 40 new foster carer households by March 2027")]
    assert under.lead == "We will:"
    assert under.features.get("cell_lead_in") == 1 and any(k.startswith("lead_") and k != "lead_none" for k in under.features)
    alone = cands[("cell_line", "Complete every health assessment within 20 days")]  # its cell has no lead-in
    assert alone.lead is None and "cell_lead_in" not in alone.features


# --------------------------------------------------------------------------- measures named inside sentences

@pytest.mark.parametrize(("text", "name"), [
    ("The number of affordable homes completed each year will have increased from 312 in 2023/24 to at least 450.",
     "The number of affordable homes completed each year"),
    ("Long-term empty homes will have fallen from 2,315 in October 2024 to fewer than 1,800 by October 2029.",
     "Long-term empty homes"),
    ("By 2028 pupil absence rates will have fallen from 7.9% to below 5%.", "pupil absence rates"),
    ("By March 2027, the number of children in care will have reduced to 350.", "the number of children in care"),
    ("Households in fuel poverty – Now: 11.2% (2023) Aim: 9% by 2028", "Households in fuel poverty"),
    # not measures: a commitment, a change with no figure and no indicator word, a subject that is "we"
    ("We will reduce the number of children in care from 400 to 350.", None),
    ("Attendance has improved since the pandemic.", None),
    ("Our partners have increased their investment by £2m.", None),
])
def test_a_measure_stated_as_a_sentence_is_named_by_the_words_before_its_change(text, name):
    from extractors.measures import measure_name

    assert measure_name(text) == name


def test_labelled_figures_give_value_date_target_and_target_date():
    import datetime as dt

    from extractors.measures import parse_measure_sentence

    assert parse_measure_sentence("Eligible pensioners claiming Pension Credit – Now: 63% (2024) Aim: 75% by 2027") == {
        "value": "63%", "as_at": dt.date(2024, 12, 31), "target": "75%", "target_date": dt.date(2027, 12, 31)}
    # a figure without its label is neither
    assert parse_measure_sentence("Around 63% of pensioners claim Pension Credit") == {}


def test_a_measure_named_inside_a_sentence_is_a_candidate_and_keeps_the_sentence_figures():
    from extractors.decide import _measure

    state = state_of("How we will know\n\nThe number of affordable homes completed each year will have increased "
                     "from 312 in 2023/24 to at least 450 by 2028.\n")
    named = [c for c in generate(state, build_context(state)) if c.kind == "measure" and c.origin == "measure_name"]
    assert [c.text for c in named] == ["The number of affordable homes completed each year"]
    m = _measure(state, named[0])
    assert (m.name, m.value, m.target) == ("The number of affordable homes completed each year", "312", "at least 450")


# --------------------------------------------------------------------------- the second reading

def test_context_features_read_the_first_scores_around_a_candidate():
    from extractors.decide import context_features

    state = state_of("Priority 1: Safe homes\n\nWe will:\n\n- recruit 40 foster carers\n- open two homes\n- review placements\n\n"
                     "Priority 2: Good health\n\nSome words about health.\n")
    ctx = build_context(state)
    heads = [i for i, b in enumerate(state.blocks) if b.kind == "heading"]
    items = [i for i, b in enumerate(state.blocks) if b.kind == "list_item"]
    assert len(heads) == 2 and len(items) == 3
    cands = [Candidate(kind="priority", text="Safe homes", index=heads[0], origin="heading", score=0.9),
             Candidate(kind="priority", text="Good health", index=heads[1], origin="heading", score=0.5)]
    cands += [Candidate(kind="action", text=state.blocks[i].text, index=i, origin="list_item", score=s)
              for i, s in zip(items, (0.8, 0.6, 0.1))]
    got = context_features(state, ctx, cands, {"priority": 0.25, "action": 0.3, "measure": 0.1})
    first, second, item = got[0], got[1], got[2]
    assert first["ctx_section_actions"] == 2 and first["ctx_section_action_max"] == pytest.approx(0.8)
    assert second["ctx_section_actions"] == 0 and second["ctx_siblings_mean"] == pytest.approx(0.9)
    # an item: its list's other items (0.6, 0.1; one of two kept) and the priority heading above it
    assert item["ctx_siblings_mean"] == pytest.approx(0.35) and item["ctx_siblings_kept_share"] == pytest.approx(0.5)
    assert item["ctx_head_priority"] == pytest.approx(0.9)


@pytest.mark.parametrize(("text", "present"), [
    ("What children and young people told us", {"first_interrogative"}),
    ("Why we need this strategy", {"first_interrogative", "names_the_document"}),
    ("About this delivery plan", {"names_the_document"}),
    ("Delivering the strategy", {"names_the_document"}),
    ("Safe and stable homes", set()),
    ("Whole-family support", set()),  # "whole" is not "who"
])
def test_a_priority_candidate_knows_a_heading_that_asks_or_names_the_document(text, present):
    state = state_of(f"{text}\n\nSome words under it.\n")
    heads = [c for c in generate(state) if c.kind == "priority" and c.origin == "heading"]
    assert [c.text for c in heads] == [text]
    got = {"first_interrogative", "names_the_document"} & set(heads[0].features)
    assert got == present
    # the evidence is the priority model's: the same words as an action candidate do not carry it
    assert not ({"first_interrogative", "names_the_document"} & set(text_features(text)))


def test_a_list_most_of_whose_items_are_priorities_keeps_its_doubtful_items():
    from extractors.decide import _harmonise

    state = state_of("Our priorities\n\n- Safe homes\n- Good health\n- Strong schools\n- Fair work\n\n"
                     "Other things\n\n- Parks\n- Roads\n- Libraries\n")
    ctx = build_context(state)
    items = [i for i, b in enumerate(state.blocks) if b.kind == "list_item"]
    assert len(items) == 7
    # the first list: three of four kept at 0.25; the fourth (0.15) reaches 0.4 x 0.25 = 0.1
    # the second list: one of three kept, so its others (0.2, 0.15) stay below the threshold
    scores_ = (0.6, 0.5, 0.3, 0.15, 0.6, 0.2, 0.15)
    cands = [Candidate(kind="priority", text=state.blocks[i].text, index=i, origin="list_item", score=s)
             for i, s in zip(items, scores_)]
    low = Candidate(kind="priority", text="x", index=items[3], origin="list_name", score=0.05)
    _harmonise(ctx, cands + [low], 0.25)
    assert [c.score for c in cands] == [0.6, 0.5, 0.3, 0.25, 0.6, 0.2, 0.15]
    assert low.score == 0.05  # only the item's best reading is raised
    assert [c.raised_from for c in cands] == [None, None, None, 0.15, None, None, None]


def test_the_second_reading_decides_the_kinds_it_was_fitted_for():
    from extractors.decide import decide_with

    state = state_of("Our plan\n\nWe will:\n\n- recruit 40 foster carers by 2027\n- open two homes by 2026\n")
    never = {"features": ["bias"], "baseline": -9.0, "trees": [], "threshold": 0.3}
    always = {"features": ["bias"], "baseline": 9.0, "trees": [], "threshold": 0.3}
    first_only = {"kinds": {"priority": never, "action": never, "measure": never}}
    assert decide_with(state, first_only)["actions"] == ()
    second = {**first_only, "stack": {"action": always}}
    kept = decide_with(state, second, keep_candidates=True)
    assert {a.text.lower() for a in kept["actions"]} >= {"recruit 40 foster carers by 2027", "open two homes by 2026"}
    assert kept["measures"] == () and kept["priorities"] == ()  # the first reading still decides those
    assert any(c.context for c in kept["candidates"] if c.kind == "action")


def test_cross_validation_in_several_processes_scores_as_in_one(monkeypatch):
    import pipeline.train as train
    from schemas.records import Action, DocumentInfo, Extraction, Provenance

    def fake_fit(rows, **options):
        return {"left_in": sorted(gd.stem for gd, *_ in rows)}

    def fake_predict(state, info, model, candidates=None):
        # one action per document that trained the model: which documents a model saw shows in the score
        actions = tuple(Action(text=f"act {s}", provenance=Provenance(page=1, block_id="b")) for s in model["left_in"])
        return Extraction(document=DocumentInfo(source=info), actions=actions)

    monkeypatch.setattr(train, "fit", fake_fit)
    monkeypatch.setattr(train, "predict_document", fake_predict)
    docs = [train.GoldDocument("set", f"d{k}", None, {"actions": [{"text": f"act d{(k + 1) % 4}", "page": 1}]}) for k in range(4)]
    rows = [(gd, None, gd.stem, [], []) for gd in docs]
    one, _ = train.cross_validate(rows)
    two, _ = train.cross_validate(rows, jobs=2)
    assert one.to_dict() == two.to_dict()
    assert one.kinds["actions"].tp == 4 and one.kinds["actions"].fp == 8  # each model saw the 3 others


def test_a_land_use_plan_is_told_from_a_strategy_by_its_opening_or_its_policies():
    from extractors.candidates import is_planning_document
    from pipeline.loaders.text import parse_text

    def blocks(text):
        return [b for page in parse_text(text) for b in page.blocks]

    assert is_planning_document(blocks("Stroud District Local Plan Review\n\nThe Local Plan sets out where development goes."))
    policies = "\n\n".join(f"Policy H{k}: Housing mix\n\nProposals will be permitted where ..." for k in range(1, 11))
    assert is_planning_document(blocks("Borough Plan Review\n\n" + policies))
    nine = "\n\n".join(f"Policy H{k}: Housing mix" for k in range(1, 10))
    assert not is_planning_document(blocks("Borough Plan Review\n\n" + nine))
    # a strategy that cites the local plan and planning policy in its opening is not one
    assert not is_planning_document(blocks("Housing Strategy 2025-30\n\nSunderland City Council\n\nForeword\n\nThis strategy sits beside the "
                                           "Local Plan and national Planning Policy.\n\nWe will:\n- build homes"))
    # a corporate plan that mentions the local plan once is not one
    assert not is_planning_document(blocks("Council Plan 2024-28\n\nWe will adopt a new Local Plan by 2026.\n\nWe will:\n- build homes"))


def test_an_inspection_report_is_told_from_a_plan_written_in_reply_to_one():
    from extractors.candidates import is_inspection_report
    from pipeline.loaders.text import parse_text

    def blocks(text):
        return [b for page in parse_text(text) for b in page.blocks]

    report = ("Inspection of Norfolk local authority children's services\n\nInspection dates: 7 to 18 November 2022\n\n"
              "Lead inspector: Margaret Burke, His Majesty's Inspector\n\nSince the last inspection, leaders have ...")
    assert is_inspection_report(blocks(report))
    # an improvement plan answering the inspection speaks of it, but does not print its masthead
    plan = ("Children's Social Care Improvement Plan 2025-26\n\nOfsted's inspection in March 2025 judged services to "
            "require improvement. Inspectors found that leaders know their services well.\n\nSince the inspection we have ...")
    assert not is_inspection_report(blocks(plan))


def test_a_numbered_paragraphs_number_is_not_part_of_its_commitment():
    state = state_of("4.19 We will look to develop brownfield housing sites first. Greenfield sites follow.\n\n"
                     "2.5 million visitors came last year.")
    actions = {c.text for c in generate(state) if c.kind == "action"}
    assert "Look to develop brownfield housing sites first." in actions
    assert not any(t.startswith("4.19") for t in actions)
    assert "2.5 million visitors came last year." in actions  # a figure, not a paragraph number


def test_a_numbered_rows_commitment_is_read_from_one_column_but_dated_columns_are_milestones():
    from extractors.decide import _one_column_per_ref

    plan = state_of("Ref\tKey Action\tActions\n1.1a\tEnsure staff are trained to listen\tRun two training days\n"
                    "1.1b\tImprove advocacy for children in care\tPromote the advocacy service\n"
                    "1.1c\tCelebrate the achievements of care leavers\tHold an awards evening\n")
    index = next(i for i, b in enumerate(plan.blocks) if b.kind == "table")
    kept = [Candidate(kind="action", text=plan.blocks[index].table.rows[r].cells[c].text, index=index, origin="cell",
                      row=r, col=c, score=score)
            for r in range(3) for c, score in ((1, 0.9), (2, 0.6))]
    assert [(c.row, c.col) for c in _one_column_per_ref(plan, kept)] == [(0, 1), (1, 1), (2, 1)]
    # a row whose main cell kept nothing keeps what its other column said
    assert [(c.row, c.col) for c in _one_column_per_ref(plan, kept[1:])] == [(0, 2), (1, 1), (2, 1)]

    grid = state_of("Priority\tAutumn term 2025\tSpring term 2026\n1\tOpen the first 10 school clubs\tOpen all 25 school clubs\n"
                    "2\tAppoint network coordinators\tPublish an evaluation of the grants\n"
                    "3\tAgree the checker's specification\tRun a take-up campaign\n")
    index = next(i for i, b in enumerate(grid.blocks) if b.kind == "table")
    kept = [Candidate(kind="action", text="x y", index=index, origin="cell", row=r, col=c, score=0.8)
            for r in range(3) for c in (1, 2)]
    assert len(_one_column_per_ref(grid, kept)) == 6


def test_each_genre_model_weighs_the_other_genres_documents_less():
    import pipeline.train as train
    from extractors.candidates import Candidate

    def row(stem, planning):
        cand = Candidate(kind="action", text="build homes", index=0, origin="list_item")
        cand.features = {"bias": 1.0, **({"doc_planning": 1.0} if planning else {})}
        return (train.GoldDocument("real", stem, None, {}), None, None, [cand], [1.0])

    rows = [row("plan", True), row("strategy", False)]
    _, _, alike = train.training_matrix(rows, "action")
    assert alike[0] == alike[1]
    _, _, for_plans = train.training_matrix(rows, "action", genre="planning")
    _, _, for_others = train.training_matrix(rows, "action", genre="other")
    assert for_plans == [alike[0], alike[1] * train.GENRE_WEIGHT]
    assert for_others == [alike[0] * train.GENRE_WEIGHT, alike[1]]
    assert train.GENRE_WEIGHT < 1


def test_a_land_use_plan_is_decided_by_the_planning_model_and_a_strategy_by_the_other():
    from extractors.decide import decide_with

    never = {"features": ["bias"], "baseline": -9.0, "trees": [], "threshold": 0.3}
    always = {"features": ["bias"], "baseline": 9.0, "trees": [], "threshold": 0.3}
    model = {"genres": {"other": {"kinds": {"priority": never, "action": never, "measure": never}},
                        "planning": {"kinds": {"priority": never, "action": always, "measure": never}}}}
    items = "We will:\n\n- recruit 40 foster carers by 2027\n- open two homes by 2026\n"
    plan = state_of("Stroud District Local Plan Review\n\nThe Local Plan sets out where development goes.\n\n" + items)
    strategy = state_of("Stroud Children's Strategy\n\nWhat we will do for children.\n\n" + items)
    assert {a.text.lower() for a in decide_with(plan, model)["actions"]} >= {"recruit 40 foster carers by 2027"}
    assert decide_with(strategy, model)["actions"] == ()


def test_cross_validation_fits_only_the_genres_its_held_out_documents_need(monkeypatch):
    import pipeline.train as train
    from extractors.candidates import Candidate
    from schemas.records import DocumentInfo, Extraction

    asked = []

    def fake_fit(rows, **options):
        asked.append(options.get("genres"))
        return {}

    monkeypatch.setattr(train, "fit", fake_fit)
    monkeypatch.setattr(train, "predict_document", lambda state, info, model, candidates=None:
                        Extraction(document=DocumentInfo(source=info)))

    def row(stem, planning):
        cand = Candidate(kind="action", text="x y", index=0, origin="list_item")
        cand.features = {"doc_planning": 1.0} if planning else {}
        return (train.GoldDocument("real", stem, None, {"actions": []}), None, stem, [cand], [None])

    train.cross_validate([row("plan", True), row("strategy", False), row("other strategy", False)])
    assert sorted(asked) == [("other",), ("other",), ("planning",)]


@pytest.mark.parametrize(("text", "expected"), [
    ("To protect the best and most versatile agricultural land", True),
    ("To maximise the benefits of the Enterprise Zone", True),
    ("To date, 40 homes have been built", False),
    ("To the council's cabinet", False),
    ("Protect the best land", False),
])
def test_an_aim_written_as_an_infinitive(text, expected):
    from extractors.candidates import infinitive_first

    assert infinitive_first(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Our vision: a borough where everyone is proud to live", True),
    ("Vision for Redcar – a place to grow", True),
    ("Our values: fair, open, kind", True),
    ("Visionary leadership in every school", False),
    ("Nature recovery – restoring habitats", False),
])
def test_a_labelled_vision_or_values_statement_is_marked(text, expected):
    from extractors.candidates import part_features

    assert ("statement_label" in part_features(text)) is expected


def test_an_infinitive_aim_is_evidence_in_land_use_plans_only():
    import dataclasses

    from extractors.candidates import features

    state = state_of("Strategic objectives\n\n1. To protect the best agricultural land\n2. To deliver 15,120 new homes\n")
    at = {b.text: i for i, b in enumerate(state.blocks)}
    index = next(i for t, i in at.items() if "agricultural" in t)
    cand = Candidate(kind="priority", text="To protect the best agricultural land", index=index, origin="list_item")
    ctx = build_context(state)
    assert "infinitive_first" not in features(cand, state, dataclasses.replace(ctx, doc_planning=False))
    planning = dataclasses.replace(ctx, doc_planning=True, run_cache={})
    got = features(cand, state, planning)
    assert got["infinitive_first"] == 1 and got.get("run_infinitive_share") == 1.0
