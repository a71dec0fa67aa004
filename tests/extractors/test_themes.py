"""The theme matcher (extractors/themes.py, patterns/themes.yaml): a table of phrasings a
researcher would expect under each theme, their variants, and the near misses that must not count.
Add a row to add a case."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.patterns import PatternFileError
from extractors.themes import load_taxonomy, match_themes, query_topic, singular, theme_list, themes_of

# (text, a theme it must have, or None, a theme it must not have, or None)
CASES = [
    # fostering: the issue's two wordings and their variants
    ("harmonise and improve the Foster Care offer", "fostering", None),
    ("Implement foster carer recruitment and retention strategy", "fostering", "workforce"),
    ("recruit more local foster carers", "fostering", None),
    ("work to improve the stability of fostering placements", "fostering", None),
    ("support connected carers and kinship care arrangements", "fostering", None),
    ("expand the Mockingbird constellation model", "fostering", None),
    ("foster a culture of learning across the service", None, "fostering"),
    # SEND: acronyms only in capitals
    ("create a SEND and inclusion strategy", "SEND", None),
    ("Implement SEN/Inclusion Strategy using findings from DBV", "SEND", None),
    ("issue more EHCPs within 20 weeks", "SEND", None),
    ("Further strengthen our support for disabled children", "SEND", None),
    ("improve support for children with special educational needs and disabilities", "SEND", None),
    ("We will send every family a newsletter", None, "SEND"),
    ("send out the annual survey", None, "SEND"),
    # attendance
    ("increase school attendance", "attendance", None),
    ("reduce persistent absence in secondary schools", "attendance", None),
    ("track children missing education", "attendance", None),
    ("Improve attendance at the Corporate Parenting Board", None, "attendance"),
    # exclusions
    ("reduce school exclusions and suspensions", "exclusions", None),
    ("Develop and implement Alternative Provision Strategy", None, "exclusions"),  # AP alone is not about exclusions
    ("commission alternative provision for excluded pupils", "exclusions", None),
    ("tackle digital exclusion among older residents", "digital", "exclusions"),
    ("reduce social exclusion", None, "exclusions"),
    # care leavers
    ("publish the ‘Care Leaver Offer’", "care leavers", None),
    ("improve housing options for care-experienced young people", "care leavers", None),
    ("improve housing options for care experienced young people", "housing", None),
    ("extend Staying Put and Staying Close", "care leavers", None),
    ("continue to develop our Leaving Care offer", "care leavers", None),
    # placement sufficiency
    ("Increase Local Authority Children's Home capacity", "placement sufficiency", None),
    ("increase local authority childrens homes capacity", None, "fostering"),
    ("Placement Changes are kept to a minimum", "placement sufficiency", None),
    ("deliver the sufficiency strategy for children in care", "placement sufficiency", None),
    ("offer work placements to care leavers", "care leavers", "placement sufficiency"),
    ("address special school sufficiency challenges", "SEND", "placement sufficiency"),
    # adoption and permanence
    ("improve permanence planning for children in care", None, "adoption"),  # permanence in general is not adoption
    ("increase the number of children adopted", "adoption", None),
    ("Adopt and embed GDS design, data and technology standards", "digital", "adoption"),
    ("support special guardians through special guardianship orders", "adoption", None),
    # workforce
    ("develop further recruitment and retention proposals for social workers", "workforce", None),
    ("reduce caseloads", "workforce", None),
    ("invest in our ASYE Academy", "workforce", None),
    ("the recruitment and retention of foster carers", "fostering", "workforce"),
    # participation
    ("strengthen our approach to the Children’s Voice", "participation", None),
    ("co-produce services with young people", "participation", None),
    ("coproduce the strategy with families", "participation", None),
    ("support the Children in Care Council", "participation", None),
    # emotional health
    ("support children's emotional wellbeing", "emotional health", None),
    ("reduce waiting times for CAMHS", "emotional health", None),
    ("report to the Health and Wellbeing Board", None, "emotional health"),
    # exploitation
    ("tackle child criminal exploitation and county lines", "exploitation", None),
    ("respond to children who go missing from home", "exploitation", None),
    # youth justice
    ("reduce first-time entrants to the youth justice system", "youth justice", None),
    ("reduce re-offending by young people", "youth justice", None),
    ("reduce reoffending", "youth justice", None),
    # early years, early help
    ("improve school readiness", "early years", None),
    ("Align all activities for children 0-5", "early years", None),
    ("Embed a new Family Help model", "early help", None),
    ("extend Family Group Conferencing", None, "early help"),  # not early help unless framed as intervening early
    ("intervene early to avoid young people entering the care system", "early help", None),
    ("open family hubs in every locality", "early help", None),
    # housing
    ("reduce homelessness among young people", "housing", None),
    ("provide temporary accommodation", "housing", None),
    ("develop a housing protocol for 16/17 year olds", "housing", None),
    # corporate parenting
    ("Promote the role of elected members as Corporate Parents", "corporate parenting", None),
    ("refresh the corporate parenting strategy", "corporate parenting", None),
    # the other services councils plan for
    ("become a net zero council by 2030", "climate", None),
    ("reduce carbon emissions from our buildings", "climate", None),
    ("create a climate of trust with partners", None, "climate"),
    ("reduce health inequalities across the borough", "health inequalities", None),
    ("narrow the gap in life expectancy between the most and least deprived wards", "health inequalities", None),
    ("Reduce % children who are obese and overweight", None, "health inequalities"),  # public health, no inequality
    ("Continue to strengthen relational trauma informed approaches across our workforce", None, "workforce"),
    ("strengthen our focus on growing our own by investing in our Assessed and Supported Year in Employment Academy",
     "workforce", "economy"),
    ("attract inward investment and create jobs", "economy", None),
    ("Develop business case", None, "economy"),
    ("roll out full fibre broadband", "digital", None),
    ("invest in technology and systems which help staff", "digital", None),
    ("improve bus services and active travel", "transport", None),
    ("improve home to school transport", "transport", None),
    # nothing to find
    ("Implement our Practice Model", None, None),
    ("", None, None),
]


@pytest.mark.parametrize(("text", "has", "has_not"), CASES)
def test_theme_matcher(text, has, has_not):
    themes = themes_of(text)
    if has:
        assert has in themes, (text, themes)
    if has_not:
        assert has_not not in themes, (text, themes)
    if has is None and has_not is None:
        assert themes == []


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    ("text", "theme", "evidence"),
    [
        ("harmonise and improve the Foster Care offer by 2020", "fostering", ["Foster Care"]),
        ("reduce school exclusions and offending", "exclusions", ["school exclusions"]),
        ("improve housing options for care-experienced young people", "care leavers", ["care-experienced"]),
        ("Implement SEN/Inclusion Strategy", "SEND", ["SEN", "Inclusion Strategy"]),
    ],
)
def test_the_words_matched_are_the_evidence(text, theme, evidence):
    found = [m for m in match_themes(text) if m.theme == theme]
    assert [m.text for m in found] == evidence
    assert all(text[m.start:m.end] == m.text for m in found)


@pytest.mark.parametrize(
    ("query", "themes", "rest"),
    [
        ("foster carers", ["fostering"], ""),
        ("foster care", ["fostering"], ""),
        ("Foster Carer recruitment", ["placement sufficiency", "fostering"], ""),
        ("foster carers in Leeds", ["fostering"], "Leeds"),
        ("send", ["SEND"], ""),  # a person typing a question need not capitalise acronyms
        ("commitments on school attendance", ["attendance"], ""),
        ("care leavers housing", ["care leavers", "housing"], ""),
        ("emotional health", ["emotional health"], ""),
        ("Signs of Safety", [], "Signs Safety"),
        ("", [], ""),
    ],
)
def test_query_topic_splits_a_question_into_themes_and_other_words(query, themes, rest):
    assert query_topic(query) == (themes, rest)


@pytest.mark.parametrize(("word", "normal"), [("carers", "carer"), ("policies", "policy"), ("children's", "child"),
                                               ("Children’s", "child"), ("status", "status"), ("classes", "class"),
                                               ("homes", "home"), ("process", "process")])
def test_singular(word, normal):
    assert singular(word) == normal


def test_the_taxonomy_has_the_issues_themes():
    names = {t.name for t in theme_list()}
    assert {"early help", "SEND", "attendance", "exclusions", "care leavers", "placement sufficiency", "fostering",
            "adoption", "workforce", "participation", "emotional health", "exploitation", "youth justice",
            "early years", "housing", "corporate parenting", "climate", "health inequalities", "economy", "digital",
            "transport"} <= names


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("themes:\n  - {name: x, label: X, group: children, description: d, terms: []}\n", "at least one term"),
        ("themes:\n  - {name: x, label: X, group: nowhere, description: d, terms: [a]}\n", "unknown group"),
        ("themes:\n  - {name: x, label: X, group: children, description: d, terms: [a]}\n"
         "  - {name: x, label: X, group: children, description: d, terms: [b]}\n", "listed twice"),
        ("themes:\n  - {name: x, label: X, group: children, description: d, terms: [a], colour: red}\n", "colour"),
    ],
)
def test_a_bad_taxonomy_fails_on_load_naming_the_file_and_problem(tmp_path: Path, text, message):
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PatternFileError) as error:
        load_taxonomy(path)
    assert str(path) in str(error.value) and message in str(error.value)
