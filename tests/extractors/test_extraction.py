"""The rule stages on small hand-written documents: what a reader would take from each layout.

These run the rule and field stages alone (`RULES_ONLY`): the rules are the evidence the learned
`decide` stage weighs, and each layout here is one the rules must read exactly. What the learned
decisions keep is measured against gold (tests/test_quality.py) and tested in test_decide.py."""

import pytest

from pipeline.extract import extract
from pipeline.loaders.text import parse_text
from schemas.document import Document
from schemas.records import DocumentInfo
from extractors.text_cues import split_run_on_commitments, starts_with_commitment_verb
from extractors.registry import PipelineError, build
from extractors.stages import RULES_ONLY


def run(text: str):
    doc = Document(source="t.txt", path="t.txt", format="text", sha256="0" * 64, pages=tuple(parse_text(text)))
    return extract(doc, DocumentInfo(source="t.txt"), stages=RULES_ONLY)


def test_we_will_lead_in_bullets_under_unnumbered_headings_make_priorities_and_linked_actions():
    result = run(
        "Enable access to high quality education\n\nSDG 4 / 8\nWe will:\n  • create a SEND strategy by June 2020\n"
        "  • publish the offer by summer 2020\n\nBe aspirational for our children in care\n\nWe will:\n"
        "  • improve housing options by October 2020\n\nMeasures of Success\n\n  1. number of children in care\n"
        "  2. proportion of schools rated good\n"
    )
    assert [(p.number, p.title) for p in result.priorities] == [
        ("1", "Enable access to high quality education"), ("2", "Be aspirational for our children in care")]
    assert [(a.text, a.priorities, str(a.deadline.end)) for a in result.actions] == [
        ("create a SEND strategy by June 2020", ("1",), "2020-06-30"),
        ("publish the offer by summer 2020", ("1",), "2020-08-31"),
        ("improve housing options by October 2020", ("2",), "2020-10-31"),
    ]
    assert [m.name for m in result.measures] == ["number of children in care", "proportion of schools rated good"]


def test_numbered_priority_grid_does_not_claim_the_actions_after_it():
    result = run(
        "Priority 1\nSupporting early help\n\nPriority 2\nSupporting education for all\n\n"
        "Priorities for next 12-24 months\n\nImprove school attendance\n\nReduce exclusions and suspensions\n"
    )
    assert [p.number for p in result.priorities] == ["1", "2"]
    assert [(a.text, a.priorities) for a in result.actions] == [
        ("Improve school attendance", ()), ("Reduce exclusions and suspensions", ())]


def test_numbered_themes_and_sections_that_name_them():
    result = run(
        "We will deliver by focusing on two themes:\n\n1. Children at the heart of everything we do\n"
        "2. Local support to help children build a life\n\nPutting children at the heart of everything we do\n\n"
        "Our priority actions\n\n- ✓ We will listen to children.\n\nLocal support to help children build a life\n\n"
        "Our priority actions\n\n- ✓ We will recruit more local foster carers.\n"
    )
    assert [p.title for p in result.priorities] == [
        "Children at the heart of everything we do", "Local support to help children build a life"]
    assert [(a.text, a.priorities) for a in result.actions] == [
        ("listen to children.", ("1",)), ("recruit more local foster carers.", ("2",))]


def test_action_table_with_refs_owners_rag_and_sub_objectives():
    text = (
        "Key: P = Participation Workstream H = Health Workstream\n\n"
        "PRIORITY 1 – OUR CHILDREN ARE RESPECTED\n\nHow we will deliver our priority:\n\n"
        "Ref\tKey Action\tWorkstream Involved\tActions\tRAG Rating\n"
        "1.1 – Ensure children know their entitlements\t\t\t\t\n"
        "1.1a\tEnsure staff listen to children\tParticipation Health\tSurvey to be launched by end of July 2021.\tYellow\n"
        "1.1b\tCelebrate the achievements of children\tP\tSurveys for 2019 are outstanding\t<div style=\"background-color: red\"></div>\n"
    )
    result = run(text)
    assert [(p.number, p.level, p.title) for p in result.priorities] == [
        ("1", 1, "Our children are respected"), ("1.1", 2, "Ensure children know their entitlements")]
    a, b = result.actions
    assert (a.ref, a.text, a.priorities, a.owners, a.status) == ("1.1a", "Ensure staff listen to children", ("1",), ("Participation", "Health"), ("amber",))
    assert str(a.deadline.end) == "2021-07-31"
    assert (b.ref, b.owners, b.status, b.deadline) == ("1.1b", ("Participation",), ("red",), None)


def test_we_will_sentences_inside_paragraphs():
    result = run("Our approach\n\nWe know this is hard. We will publish a new offer by March 2026. It matters.\n")
    assert [(a.text, str(a.deadline.end)) for a in result.actions] == [("publish a new offer by March 2026.", "2026-03-31")]


def test_kpi_table_values_and_as_at_dates():
    text = (
        "Measure of success\tPerformance indicator/outcome\tOutturn position 2023/24\n"
        "Performance measure (as at 30/09/2024)\tThe number of children in our care\t425\n"
        "\tChildren achieving a good level of development\t868 (66.9% of cohort) As at 31/07/2024\n"
        "\tThe proportion of children in foster care\t(August 2024) 26% 15%\n"
        "\tReduce exclusions\t98 (2023/24)\n"
        "\tImproving school attendance\tData being sourced\n"
    )
    result = run(text)
    assert [(m.name, m.value, str(m.as_at)) for m in result.measures] == [
        ("The number of children in our care", "425", "2024-09-30"),
        ("Children achieving a good level of development", "868 (66.9% of cohort)", "2024-07-31"),
        ("The proportion of children in foster care", "26% 15%", "2024-08-31"),
        ("Reduce exclusions", "98", "2024-03-31"),
        ("Improving school attendance", None, "None"),
    ]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Embed a new Family Help model in local communities Further strengthen our support for disabled children",
         ["Embed a new Family Help model in local communities", "Further strengthen our support for disabled children"]),
        ("Implement Early Help Strategy to ensure we focus on early intervention", ["Implement Early Help Strategy to ensure we focus on early intervention"]),
        ("Work with partners through Work Experience placements", ["Work with partners through Work Experience placements"]),
        ("Deliver on the placement sufficiency strategy", ["Deliver on the placement sufficiency strategy"]),
    ],
)
def test_split_run_on_commitments(text, parts):
    assert split_run_on_commitments(text) == parts


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Improve school attendance", True), ("Reduces exclusions", True), ("Children achieve well", False), ("The plan", False)],
)
def test_commitment_verbs(text, expected):
    assert starts_with_commitment_verb(text) is expected


def test_unknown_stage_and_unmet_requirement_fail_at_start_up():
    with pytest.raises(PipelineError, match="Available stages"):
        build(["sections", "nonsense"])
    with pytest.raises(PipelineError, match="requires"):
        build(["links"])


def test_table_priority_column_by_number_title_or_merged_cell():
    text = (
        "Priority 1 – Children are safe\n\nPriority 2 – Children achieve well\n\nOur action plan\n\n"
        "Priority\tAction\tLead\tBy when\n"
        "Children achieve well\tImprove school attendance for all pupils\tHead of Inclusion\tMarch 2026\n"
        "\tReduce exclusions in primary schools\tVirtual School\tQ3 2025/26\n"
        "1\tRecruit more foster carers locally\tFostering Service\t2024/25\n"
    )
    result = run(text)
    assert [(a.text, a.priorities, a.owners, str(a.deadline.end)) for a in result.actions] == [
        ("Improve school attendance for all pupils", ("2",), ("Head of Inclusion",), "2026-03-31"),
        ("Reduce exclusions in primary schools", ("2",), ("Virtual School",), "2025-12-31"),
        ("Recruit more foster carers locally", ("1",), ("Fostering Service",), "2025-03-31"),
    ]


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("By 2028/29, the proportion of mothers smoking at time of delivery will have reduced from 10.2% to no more than 6%.",
         {"value": "10.2%", "target": "no more than 6%", "target_date": "2029-03-31"}),
        ("By 2028 pupil absence rates will have fallen from 7.9% to below 5%.",
         {"value": "7.9%", "target": "below 5%", "target_date": "2028-12-31"}),
        ("Increase the proportion of care leavers in suitable accommodation to at least 90%",
         {"target": "at least 90%"}),
        ("number of children in care with long-term stability", {}),
        # a statistic stated figure first, as infographic tiles print them
        ("9.6% of mothers are smokers at the time of delivery (2014/15).", {"value": "9.6%", "as_at": "2015-03-31"}),
        ("282.3 per 10,000 Children assessed to be in need of services (2014/15 - England rate = 337.3)",
         {"value": "282.3 per 10,000", "as_at": "2015-03-31"}),
        ("158 (2.0%) of babies born in 2014 had a LOW BIRTHWEIGHT", {"value": "158 (2.0%)", "as_at": "2014-12-31"}),
        ("5 Year Housing Land Supply", {}),
    ],
)
def test_measure_sentences(text, fields):
    from extractors.measures import parse_measure_sentence

    found = {k: str(v) for k, v in parse_measure_sentence(text).items()}
    assert found == fields


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("9.6% of mothers are smokers at the time of delivery (2014/15).", "mothers are smokers at the time of delivery"),
        ("3.4 per 1,000 births Rate of deaths in infants aged under 1 year (2012 -2014) (91 deaths)",
         "Rate of deaths in infants aged under 1 year"),
        ("63.5% of children assessed as being ready for school at the end of reception (2015).",
         "children assessed as being ready for school at the end of reception"),
        ("2 new family hubs will open by 2026", None),
        ("12 months from the date of adoption", None),
    ],
)
def test_a_statistic_stated_figure_first_is_named_by_what_it_counts(text, name):
    from extractors.measures import measure_name

    assert measure_name(text) == name


def test_measures_printed_as_lines_under_an_indicators_lead_in():
    result = run(
        "Give children the best start\n\nIndicators for this outcome could include:\n\n"
        "By 2028 pupil absence rates will have fallen from 7.9% to below 5%.\n\n"
        "By 2028/29, attainment gaps will have narrowed.\n\nNext section heading here\n\nSome narrative text that follows.\n"
    )
    assert [(m.name[:25], m.value, m.target) for m in result.measures] == [
        ("By 2028 pupil absence rat", "7.9%", "below 5%"), ("By 2028/29, attainment ga", None, None)]


@pytest.mark.parametrize(
    ("line", "number", "title"),
    [
        ("Priority 2 – Children have a healthy childhood", "2", "Children have a healthy childhood"),
        ("PRIORITY 1 – OUR CHILDREN ARE RESPECTED", "1", "Our children are respected"),
        ("Strategic Objective SO2: Local economy and jobs", "SO2", "Local economy and jobs"),
        ("Priority One: Children are safe at home", "1", "Children are safe at home"),
        ("Theme A – Early help for every family", "A", "Early help for every family"),
        ("Shared outcome 3: Supporting happy and healthy living", "3", "Supporting happy and healthy living"),
        ("Aim 3. Reduce the number of exclusions", "3", "Reduce the number of exclusions"),
        ("Priority 1,2,3,4 Implement our Practice Model", None, None),
        ("Priority 2.3 Align all activities", None, None),
        ("Priorities 2024-2027", None, None),
    ],
)
def test_priority_headings(line, number, title):
    result = run(line + "\n")
    found = [(p.number, p.title) for p in result.priorities]
    assert found == ([(number, title)] if number else [])


@pytest.mark.parametrize(
    ("header", "roles"),
    [
        (("Ref", "Key Action", "Workstream Involved", "Actions", "RAG Rating"), {"ref": 0, "action": 1, "owner": 2, "followup": 3, "status": 4}),
        (("What we have committed to", "Led by", "Timescale", "Measure"), {"action": 0, "owner": 1, "timescale": 2, "measure": 3}),
        (("No.", "Area", "What we will do", "Lead", "By", "Progress", "Latest update (September 2025)"),
         {"ref": 0, "priority": 1, "action": 2, "owner": 3, "timescale": 4, "status": 5, "value": 6}),
        (("What we will do", "How we will know"), {"action": 0, "measure": 1}),
        (("No.", "Action", "Lead officer", "Target date", "RAG", "Progress update"), {"ref": 0, "action": 1, "owner": 2, "timescale": 3, "status": 4}),
        (("What we have committed to", "Strategies / plans in place to deliver Led by / responsible"), {"action": 0}),
        (("Judgement", "Grade"), {}),
    ],
)
def test_column_roles_from_headers(header, roles):
    from extractors.tables import roles_from_header

    assert roles_from_header(header) == roles


@pytest.mark.parametrize(
    ("paragraph", "commitments"),
    [
        ("We know it is hard. We will act now.", ["We will act now."]),
        ("Working with schools and health partners, we will halve permanent exclusions by 2027.",
         ["Working with schools and health partners, we will halve permanent exclusions by 2027."]),
        ("We will know this has worked when fewer children are excluded.", []),
        ("This plan says we will do things.", []),
        ("The council will publish its offer.", ["The council will publish its offer."]),
    ],
)
def test_commitment_sentences(paragraph, commitments):
    from extractors.nlp import commitment_sentences

    assert [s for _, _, s in commitment_sentences(paragraph)] == commitments


def test_group_rows_spanning_the_table_define_and_link_priorities():
    text = (
        "No.\tAction\tLead officer\tTarget date\tRAG\n"
        "Priority 1: Early identification and support\t\t\t\t\n"
        "A1\tRoll out the inclusion fund to all nurseries\tHead of Early Years\tSept 2025\tGreen\n"
        "Priority 2: Timely plans for every child\t\t\t\t\n"
        "B1\tIssue 60% of new plans within 20 weeks\tHead of SEND\tQ4 2025/26\tRed\n"
    )
    result = run(text)
    assert [(p.number, p.title) for p in result.priorities] == [
        ("1", "Early identification and support"), ("2", "Timely plans for every child")]
    assert [(a.ref, a.priorities, str(a.deadline.end), a.status) for a in result.actions] == [
        ("A1", ("1",), "2025-09-30", ("green",)), ("B1", ("2",), "2026-03-31", ("red",))]


def test_priority_numbers_with_titles_in_the_row_below():
    result = run("Priority 1\tPriority 2\nHealthy pregnancies and babies\tConfident parents and strong families\n")
    assert [(p.number, p.title) for p in result.priorities] == [
        ("1", "Healthy pregnancies and babies"), ("2", "Confident parents and strong families")]


def test_sub_outcomes_nest_under_themes_and_contents_lines_are_skipped():
    text = (
        "Contents\n\nTheme A: Thriving communities ........ 4\n\nTheme B: Healthy lives ........ 6\n\n"
        "Theme A: Thriving communities\n\nOutcome A1 – Children have a great start in life\n\n"
        "We know the gap is wide. We will expand breakfast clubs to every school by September 2026.\n\n"
        "Theme B: Healthy lives\n\nOutcome B1 – People live active lives for longer\n\n"
        "We will refresh the physical activity strategy in 2025/26.\n"
    )
    result = run(text)
    assert sorted((p.number, p.level, p.parent or "") for p in result.priorities) == [
        ("A", 1, ""), ("A1", 2, "A"), ("B", 1, ""), ("B1", 2, "B")]
    assert [(a.text[:20], a.priorities) for a in result.actions] == [
        ("expand breakfast clu", ("A",)), ("refresh the physical", ("B",))]


def test_a_list_of_promises_is_priorities_not_actions():
    text = (
        "Our promises to you\n\n1. We will help you feel safe and settled\n2. We will support you to be healthy\n\n"
        "Promise 1: We will help you feel safe and settled\n\nWhat we will do\n\n- Find every child a stable home by 2027\n\n"
        "Promise 2: We will support you to be healthy\n\nWhat we will do\n\n- Offer every child a health check\n"
    )
    result = run(text)
    assert [p.number for p in result.priorities] == ["1", "2"]
    assert [(a.text, a.priorities) for a in result.actions] == [
        ("Find every child a stable home by 2027", ("1",)), ("Offer every child a health check", ("2",))]


@pytest.mark.parametrize(
    ("item", "name", "figures"),
    [
        ("Fewer placement moves in a year (2024/25: 9.1%; target below 8%)", "Fewer placement moves in a year",
         {"as_at": "2025-03-31", "value": "9.1%", "target": "below 8%"}),
        ("More children live near home (2024/25: 78%; target 85% by 2028)", "More children live near home",
         {"as_at": "2025-03-31", "value": "78%", "target": "85%", "target_date": "2028-12-31"}),
        ("Children who feel listened to (2024: 74%)", "Children who feel listened to", {"as_at": "2024-12-31", "value": "74%"}),
        ("number of children in care (in 24 hours)", "number of children in care (in 24 hours)", {}),
    ],
)
def test_bracketed_figures_in_measure_items(item, name, figures):
    from extractors.measures import split_bracketed_figures

    found_name, found = split_bracketed_figures(item)
    assert (found_name, {k: str(v) for k, v in found.items()}) == (name, figures)


def test_kpi_table_with_dated_headers():
    text = (
        "Indicator\tBaseline (2023/24)\tTarget 2026/27\tStatus\n"
        "Primary schools offering a free breakfast club\t41%\t100%\tAmber\n"
        "Measure\tSheffield now\tAmbition 2027\n"
    )
    result = run(text)
    (m,) = result.measures
    assert (m.value, str(m.as_at), m.target, str(m.target_date), m.status) == ("41%", "2024-03-31", "100%", "2027-03-31", "amber")


def test_a_note_near_a_kpi_table_dates_its_figures_unless_a_row_says_otherwise():
    text = (
        "How we will measure success\n\n"
        "The Board will monitor these every quarter. Baselines are for 2024/25 unless stated.\n\n"
        "Measure\tBaseline\tTarget (March 2029)\n"
        "Families with an assessment completed within 45 days\t71%\t90%\n"
        "Re-referrals to children's social care within 12 months\t24% (2023/24)\t18%\n"
    )
    result = run(text)
    assert [(m.value, str(m.as_at)) for m in result.measures] == [("71%", "2025-03-31"), ("24%", "2024-03-31")]
    without_note = run(text.replace(" Baselines are for 2024/25 unless stated.", ""))
    assert [str(m.as_at) for m in without_note.measures] == ["None", "2024-03-31"]


RED_KPIS = (
    "2. Quarter 3 performance\n\n2.2 Of the 38 KPIs included in the report, the latest RAG status are as follows:\n"
    "  • 17 are rated Green – the target was achieved.\n  • Nine are rated Red – below the floor standard.\n"
    "2.3 The nine indicators where the RAG rating is Red, are in:\n  • Customer Services\n"
    "    o Percentage of complaints responded to within timescale\n  • Adult Social Care\n"
    "    o Proportion of new Care Needs Assessments delivered within 28 days\n    o Number of foster households\n"
    "2.4 With regards to direction of travel, 10 indicators show a positive trend.\n"
)
EXPECTED_RED = [
    ("Percentage of complaints responded to within timescale", "red"),
    ("Proportion of new Care Needs Assessments delivered within 28 days", "red"),
    ("Number of foster households", "red"),
]


def test_indicators_listed_under_groups_after_a_lead_in_that_rates_them():
    # Group labels ("Customer Services") are not measures, counts ("17 are rated Green") are not
    # indicators, and the one rating the lead-in names is every item's status.
    result = run(RED_KPIS)
    assert [(m.name, m.status) for m in result.measures] == EXPECTED_RED
    assert result.actions == ()


def test_a_numbered_list_item_can_be_the_lead_in_of_its_sub_list():
    # The PDF loader reads "2.3. The nine indicators ...:" as a numbered item with bullets below it.
    from schemas.document import Block, Page

    lines = [("2.3.", 0, "The nine indicators where the RAG rating is Red, are in:"), ("•", 1, "Customer Services"),
             ("o", 2, EXPECTED_RED[0][0]), ("•", 1, "Adult Social Care"), ("o", 2, EXPECTED_RED[1][0]),
             ("o", 2, EXPECTED_RED[2][0]), ("2.4.", 0, "With regards to direction of travel, 10 indicators show a positive trend."),
             ("•", 1, "Percentage of invoices paid within 30 days")]
    blocks = tuple(Block(id=f"b{i}", kind="list_item", text=t, marker=m, level=lv) for i, (m, lv, t) in enumerate(lines))
    doc = Document(source="t.pdf", path="t.pdf", format="pdf", sha256="0" * 64, pages=(Page(number=1, blocks=blocks),))
    result = extract(doc, DocumentInfo(source="t.pdf"), stages=RULES_ONLY)
    # The sub-list ends at the next item of the lead-in's own level: the last bullet is not a measure.
    assert [(m.name, m.status) for m in result.measures] == EXPECTED_RED


def test_listed_themes_are_named_without_their_long_description():
    result = run(
        "This summary is structured around three themes:\n\n"
        "1) A healthy start to life – summary of the key health and development outcomes, universal services in "
        "early years and the identification of families at risk\n"
        "2) Tackling disadvantage – needs of children and families who may require longer term and specialist support\n"
        "3) Early identification and support – needs are identified early and met quickly\n"
    )
    assert [(p.number, p.title) for p in result.priorities] == [
        ("1", "A healthy start to life"), ("2", "Tackling disadvantage"),
        ("3", "Early identification and support – needs are identified early and met quickly")]


def test_timescales_in_the_plans_own_years():
    result = run(
        "It covers three academic years. Year 1 means the 2025/26 academic year, Year 2 means 2026/27 and "
        "Year 3 means 2027/28.\n\nImplementation timeline\n\nRef\tAction\tTimescale\tLead\n"
        "IT1\tFund an adviser for every secondary school\tYear 1\tHead of Inclusion\n"
        "IT2\tCommission an outreach service from special schools\tYear 2–3\tHead of SEND\n"
    )
    assert [(a.ref, str(a.deadline.start), str(a.deadline.end)) for a in result.actions] == [
        ("IT1", "2025-09-01", "2026-08-31"), ("IT2", "2026-09-01", "2028-08-31")]


def test_aims_written_as_lead_in_sentences_with_their_own_commitments():
    result = run(
        "Looking to next year\n\nOur Strategic Aims:\n\n"
        "Raising awareness amongst schools of the specific needs of service children:\n"
        "  • Work with headteachers of the schools with the most service children.\n"
        "  • Extend an invitation to a headteacher representative to the welfare meetings.\n\n"
        "Maintaining a strong focus on recruitment and training of ex-service personnel:\n"
        "  • Support and promote the benefits of recruiting reservists.\n"
        "  • By holding an annual conference this aim is furthered.\n"
    )
    assert [(p.number, p.title) for p in result.priorities] == [
        ("1", "Raising awareness amongst schools of the specific needs of service children"),
        ("2", "Maintaining a strong focus on recruitment and training of ex-service personnel")]
    # Verb-led items are the aims' commitments; "By holding ..." is not a commitment.
    assert [(a.text[:20], a.priorities) for a in result.actions] == [
        ("Work with headteache", ("1",)), ("Extend an invitation", ("1",)), ("Support and promote ", ("2",))]


def test_a_single_lead_in_with_a_list_is_not_a_set_of_priorities():
    result = run(
        "Our aims\n\nWe asked parents what matters to them and they told us:\n"
        "  • Make services easier to find.\n  • Keep the same worker.\n"
    )
    assert result.priorities == ()


def test_a_numbered_series_without_its_first_is_not_the_documents_priorities():
    # "Key theme 4/5" among unnumbered interview themes, or "Priority 4" quoted from another plan.
    result = run(
        "Partnership working\n\nStaff said partners share information well.\n\n"
        "KEY THEME 4: INEQUALITY IN SERVICE PROVISION\n\nThresholds vary across the county.\n\n"
        "KEY THEME 5: MODELS OF SUPPORT\n\nToo many professionals are involved.\n"
    )
    assert result.priorities == ()


def test_a_numbered_list_is_priorities_only_when_its_own_lead_in_sentence_names_them():
    lead = ("Emerging themes from several sources are more robust. Through triangulation the following "
            "elements may be considered:\n")
    items = "1. Incidence or prevalence\n2. Effectiveness of any intervention\n3. Assessment of existing services\n"
    assert run(lead + items).priorities == ()
    named = run("The evidence is grouped into three themes:\n" + items)
    assert [p.title for p in named.priorities][0] == "Incidence or prevalence"


@pytest.mark.parametrize(
    ("sentence", "is_commitment"),
    [
        ("The Council will work with partners to deliver new school places.", True),
        ("Where the developer cannot provide it, the Council will require the developer to pay.", False),
        ("In setting the levy, the Council will have regard to viability.", False),
        ("The Council will need to find savings of £10m.", False),
        ("We will expect providers to report quarterly.", False),
    ],
)
def test_conditions_set_for_others_are_not_commitments(sentence, is_commitment):
    from extractors.nlp import commitment_sentences

    assert bool(commitment_sentences(sentence)) is is_commitment


@pytest.mark.parametrize(
    ("item", "verb_first"),
    [
        ("support care leavers into work", True),
        ("support for the faster roll out of broadband", False),
        ("review of the short breaks offer", False),
        ("provide for children close to home", True),
        ("Review the short breaks offer by March 2026", True),
        ("Work is now progressing with partners", False),
    ],
)
def test_instruction_words_used_as_nouns(item, verb_first):
    assert starts_with_commitment_verb(item) is verb_first


@pytest.mark.parametrize(
    ("sentence", "is_commitment"),
    [
        ("KCC will publish the new offer by April 2026.", True),
        ("If the decision to not re-procure the two children's centres contracts goes ahead, KCC officers will "
         "reach out to the centres.", True),
        ("The Borough Council will seek further funding.", True),
        ("The local authority will review the policy annually.", True),
        ("NCC will need to consult on the change.", False),
        ("The report will be published in May.", False),
    ],
)
def test_the_council_by_its_initials_or_its_officers(sentence, is_commitment):
    from extractors.nlp import commitment_sentences

    assert bool(commitment_sentences(sentence)) is is_commitment


def test_commitments_in_the_cells_of_a_question_and_response_table():
    result = run(
        "Issue raised\tResponse\n"
        "Families will lose a local venue.\tRooms will remain available. KCC officers will reach out to the centres "
        "and rent rooms for targeted sessions.\n"
        "Bus fares are too high.\tSubsidised fares were suggested in the consultation.\n"
    )
    assert [a.text for a in result.actions] == ["KCC officers will reach out to the centres and rent rooms for targeted sessions."]
    assert "Bus fares" not in result.actions[0].provenance.source_text


def test_promises_under_unnumbered_areas_are_commitments():
    result = run(
        "Our promises to you\n\nHealth and wellbeing\n\nLeaving care can be a stressful time.\n\nWe promise to:\n"
        "  • give you a written summary of your health history before your 18th birthday\n"
        "  • pay for your prescriptions until you are 25\n\nFamily and relationships\n\nWe promise to:\n"
        "  • help you keep in touch with your brothers and sisters\n"
    )
    assert [p.title for p in result.priorities] == ["Health and wellbeing", "Family and relationships"]
    assert [(a.text[:20], a.priorities) for a in result.actions] == [
        ("give you a written s", ("1",)), ("pay for your prescri", ("1",)), ("help you keep in tou", ("2",))]


def test_an_action_cell_listing_several_commitments_gives_one_action_each():
    result = run(
        "Objective\tWhat we will do\tLead\tWhen\n"
        "A1 Neglect is recognised early\t<ul><li>Relaunch the neglect toolkit for universal services</li>"
        "<li>Train 600 more practitioners to use the toolkit</li></ul>\tRSCP\tQ2 2025/26\n"
        "A2 Poverty is understood\tAdd a cost-of-living conversation to every early help assessment\tRMBC\tMarch 2026\n"
    )
    assert [(a.text, a.owners, str(a.deadline.end)) for a in result.actions] == [
        ("Relaunch the neglect toolkit for universal services", ("RSCP",), "2025-09-30"),
        ("Train 600 more practitioners to use the toolkit", ("RSCP",), "2025-09-30"),
        ("Add a cost-of-living conversation to every early help assessment", ("RMBC",), "2026-03-31"),
    ]
    assert not starts_with_commitment_verb("Contact: beststart@example.gov.uk")


def test_counted_priorities_each_followed_by_its_own_table():
    result = run(
        "Our priorities\n\nWe have two priorities. For each one we set out what we will do.\n\n"
        "Enough safe accommodation in the right places\n\nToo few refuge spaces.\n\n"
        "What we will do\tHow we will know\nOpen 12 new refuge spaces in the west\tSpaces open\n\n"
        "Moving on safely\n\nStays are too long.\n\n"
        "What we will do\tHow we will know\nAgree a reciprocal housing protocol\tProtocol signed\n"
    )
    assert [p.title for p in result.priorities] == ["Enough safe accommodation in the right places", "Moving on safely"]
    assert [(a.text, a.priorities) for a in result.actions] == [
        ("Open 12 new refuge spaces in the west", ("1",)), ("Agree a reciprocal housing protocol", ("2",))]


def test_lettered_objectives_under_lettered_priorities():
    result = run(
        "Priority A: Neglect and poverty\n\nPriority B: Safer babies\n\n"
        "Objective\tWhat we will do\tLead\nA1 Neglect is recognised early\tRelaunch the neglect toolkit\tRSCP\n"
        "B1 Babies are protected from injury\tDeliver the ICON programme to all new parents\tICB\n"
    )
    assert sorted((p.number, p.level, p.parent or "") for p in result.priorities) == [
        ("A", 1, ""), ("A1", 2, "A"), ("B", 1, ""), ("B1", 2, "B")]


def test_a_one_word_heading_the_loader_measured_opens_a_section():
    from schemas.document import Block, Page

    spec = [("heading", 2, "Our promises"), ("heading", 3, "Health and wellbeing"), ("paragraph", None, "We promise to:"),
            ("list_item", 0, "give you a summary of your health history"), ("heading", 3, "Relationships"),
            ("paragraph", None, "We promise to:"), ("list_item", 0, "help you keep in touch with your brothers and sisters")]
    blocks = tuple(Block(id=f"b{i}", kind=k, level=lv, text=t, marker="•" if k == "list_item" else None)
                   for i, (k, lv, t) in enumerate(spec))
    doc = Document(source="t.pdf", path="t.pdf", format="pdf", sha256="0" * 64, pages=(Page(number=1, blocks=blocks),))
    result = extract(doc, DocumentInfo(source="t.pdf"), stages=RULES_ONLY)
    assert [p.title for p in result.priorities] == ["Health and wellbeing", "Relationships"]
    assert [a.priorities for a in result.actions] == [("1",), ("2",)]


def test_commitments_coded_c1_with_what_success_looks_like_lists():
    result = run(
        "Our five commitments\n\nC1 Grow our own\n\nWhy it matters: most of our social workers trained with us.\n\n"
        "What success looks like by 2028\n\n- Walsall is a place where people build their career\n"
        "- New social workers feel supported\n\nC2 Recruit the right people\n\n"
        "What success looks like by 2028\n\n- Most of our social workers are permanent staff\n"
    )
    assert [(p.number, p.title) for p in result.priorities] == [("C1", "Grow our own"), ("C2", "Recruit the right people")]
    assert result.actions == ()


def test_milestones_in_columns_headed_by_period():
    result = run(
        "Priority 1: More places for babies\n\nPriority 2: Wraparound care\n\nMilestones by term\n\n"
        "Priority\tAutumn term 2025\tSpring term 2026\tSummer term 2026\n"
        "1\tAnnounce the decisions on round 1 of the capital grants\tOpen round 2 of the capital grants\t—\n"
        "2\tOpen the first 10 school clubs\t—\tOpen all 25 school clubs\n"
    )
    assert [(a.text[:20], a.priorities, str(a.deadline.end)) for a in result.actions] == [
        ("Announce the decisio", ("1",), "2025-11-30"), ("Open round 2 of the ", ("1",), "2026-05-31"),
        ("Open the first 10 sc", ("2",), "2025-11-30"), ("Open all 25 school c", ("2",), "2026-08-31")]


def test_a_contact_table_headed_area_lists_no_priorities():
    result = run(
        "Armed Forces Champions\n\nArea\tArmed Forces Champions\tContact email\n"
        "Ashford Borough Council\tCllr Peter Feacey\tpeter@example.gov.uk\n"
        "Canterbury City Council\tCllr Jane Doe\tjane@example.gov.uk\n"
    )
    assert result.priorities == ()


def test_a_numbered_list_whose_names_later_head_sections_lists_the_priorities():
    result = run(
        "Our six badges\n\nEvery city works on two foundation badges. Our badges are:\n\n"
        "1. Communication – children know about their rights and what is happening\n"
        "2. Healthy – children are as healthy as they can be\n\n"
        "Communication\n\nWe will:\n  • publish a child-friendly summary of every major decision\n\n"
        "Healthy\n\nWe will:\n  • expand free holiday activities and food to 8,000 children\n"
    )
    assert [(p.number, p.title) for p in result.priorities] == [("1", "Communication"), ("2", "Healthy")]
    assert [a.priorities for a in result.actions] == [("1",), ("2",)]


def test_a_column_of_priority_titles_links_its_rows_and_coded_refs_link_too():
    result = run(
        "Priority 1: Healthy lives\n\nPriority 2: Safe places\n\n"
        "Badge\tMilestone\tLead\tWhen\nHealthy lives\tOpen four holiday hubs for children\tPH\tJuly 2026\n"
        "\tExtend the school nursing drop-in to every school\tPH\t2026/27\nSafe places\tCo-design the play area refurbishment\tPOS\t2026\n"
    )
    assert [a.priorities for a in result.actions] == [("1",), ("1",), ("2",)]
    from extractors.links import REF_PREFIX

    assert REF_PREFIX.match("C1.3").group(1) == "C1" and REF_PREFIX.match("2.1a").group(1) == "2"


def test_numbered_boxes_on_a_page_and_partner_contribution_tables():
    from schemas.document import Block, Cell, Page, Row, Table

    def cell(*lines):
        return Cell(text=" ".join(lines), lines=lines)

    grid = Table(header=(), rows=(
        Row(cells=(cell("1Child First in everything we do", "Seeing children as children."), cell("2Prevention and diversion", "Helping early."))),))
    contributions = Table(header=("Partner", "Our contribution", "By"), rows=(
        Row(cells=(cell("Youth Justice Service"), cell("Train every case manager in Child First practice"), cell("Sept 2025"))),))
    blocks = (Block(id="b0", kind="table", table=grid), Block(id="b1", kind="heading", level=2, text="Child First in everything we do"),
              Block(id="b2", kind="table", table=contributions))
    doc = Document(source="t.pdf", path="t.pdf", format="pdf", sha256="0" * 64, pages=(Page(number=1, blocks=blocks),))
    result = extract(doc, DocumentInfo(source="t.pdf"), stages=RULES_ONLY)
    assert [(p.number, p.title) for p in result.priorities] == [("1", "Child First in everything we do"), ("2", "Prevention and diversion")]
    assert [(a.text, a.priorities, str(a.deadline.end)) for a in result.actions] == [
        ("Train every case manager in Child First practice", ("1",), "2025-09-30")]


def test_a_card_of_label_rows_is_one_commitment():
    from schemas.document import Block, Cell, Page, Row, Table

    def row(label, value, fills=()):
        return Row(cells=(Cell(text=label, lines=(label,)), Cell(text=value, lines=(value,), fills=fills)))

    card = Table(header=("Action 1.2", "Introduce a multi-agency quality assurance panel"), rows=(
        row("Lead", "Principal Educational Psychologist"), row("Due", "September 2025"),
        row("Progress rating", "On track", ("#00B050",)), row("Evidence of impact", "Three panels held.")))
    doc = Document(source="t.pdf", path="t.pdf", format="pdf", sha256="0" * 64,
                   pages=(Page(number=1, blocks=(Block(id="b0", kind="table", table=card),)),))
    (action,) = extract(doc, DocumentInfo(source="t.pdf"), stages=RULES_ONLY).actions
    assert (action.text, action.ref, action.owners, str(action.deadline.end), action.status) == (
        "Introduce a multi-agency quality assurance panel", "1.2", ("Principal Educational Psychologist",), "2025-09-30", ("green",))


def test_last_year_we_said_is_a_record_and_next_year_items_carry_their_lead_and_date():
    result = run(
        "**Priority 1 – A safe and stable home**\n\nLast year we said\tWe did\n"
        "We will open two new children’s homes\tOpened Brook House in October 2024.\n\n**Next year we will:**\n\n"
        "- reduce out-of-area placements to below 15% (Lead: Head of Service, Cared for Children; by March 2026)\n"
    )
    assert [(a.text, a.owners, str(a.deadline.end)) for a in result.actions] == [
        ("reduce out-of-area placements to below 15%", ("Head of Service, Cared for Children",), "2026-03-31")]


def test_lettered_boxes_after_a_contents_table():
    result = run(
        "Contents\n\n1. Introduction\t2\n2. How healthy are our children?\t2\n3. Our four outcomes\t3\n\n"
        "Our four outcomes\n\n<p><strong>A</strong></p><p>Every child has the best start in life</p>\t"
        "<p><strong>B</strong></p><p>Children grow up a healthy weight</p>\n"
    )
    assert [(p.number, p.title) for p in result.priorities] == [
        ("A", "Every child has the best start in life"), ("B", "Children grow up a healthy weight")]


def test_a_statement_with_its_code_printed_first():
    result = run("Objective 1: Enough school places\n\nPS2 The council will publish its pupil forecasts every summer.\n")
    assert [(a.text, a.ref) for a in result.actions] == [("The council will publish its pupil forecasts every summer.", "PS2")]
