"""Tests for extractors/deadlines.py: deadline normalisation per corpus/gold/README.md."""

from __future__ import annotations

import calendar
import datetime as dt
import doctest
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import deadlines
from extractors.deadlines import (
    VOCABULARY_PATH,
    VocabularyError,
    deadline_for_action,
    find_deadlines,
    load_vocabulary,
    parse_deadline,
    plan_end_date,
)

GOLD = Path(__file__).resolve().parents[2] / "corpus" / "gold"


def _d(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _interval(deadline) -> tuple[dt.date | None, dt.date | None] | None:
    return None if deadline is None else (deadline.start, deadline.end)


# --------------------------------------------------------------------------- parse_deadline

PARSE_CASES = [
    # calendar-year ranges and single years (Redcar "Timescale" column)
    ("2024 - 2026", "2024-01-01", "2026-12-31"),
    ("2024-2025", "2024-01-01", "2025-12-31"),
    ("2024 - 2025", "2024-01-01", "2025-12-31"),
    ("2025-2026", "2025-01-01", "2026-12-31"),
    ("2024 – 2026", "2024-01-01", "2026-12-31"),
    ("2021– 2031", "2021-01-01", "2031-12-31"),
    ("2023 to 2028", "2023-01-01", "2028-12-31"),
    ("2025-27", "2025-01-01", "2027-12-31"),
    ("between 2022 and 2024", "2022-01-01", "2024-12-31"),
    ("from 2024 to 2026", "2024-01-01", "2026-12-31"),
    ("2024", None, "2024-12-31"),
    ("by 2023", None, "2023-12-31"),
    ("in 2020", None, "2020-12-31"),
    ("end of 2024", None, "2024-12-31"),
    ("before 2025", None, "2024-12-31"),
    # months
    ("July 2025", None, "2025-07-31"),
    ("Completed by Jan 2025", None, "2025-01-31"),
    ("by September 2022", None, "2022-09-30"),
    ("by June 2020", None, "2020-06-30"),
    ("by end of March 2026", None, "2026-03-31"),
    ("by the end of March 2026", None, "2026-03-31"),
    ("by end of July 2021", None, "2021-07-31"),
    ("Sept 2021", None, "2021-09-30"),
    ("Sept. 2021", None, "2021-09-30"),
    ("February 2024", None, "2024-02-29"),
    ("Feb 2023", None, "2023-02-28"),
    ("Mar-25", None, "2025-03-31"),
    ("December '24", None, "2024-12-31"),
    ("no later than April 2021", None, "2021-04-30"),
    ("until March 2025", None, "2025-03-31"),
    ("before April 2021", None, "2021-03-31"),
    ("from January 2020", "2020-01-01", None),
    ("March 2025 onwards", "2025-03-01", None),
    ("2024 onwards", "2024-01-01", None),
    ("Jan–Mar 2025", "2025-01-01", "2025-03-31"),
    ("January to March 2025", "2025-01-01", "2025-03-31"),
    ("Nov - Feb 2025", "2024-11-01", "2025-02-28"),
    ("April 2024 to March 2025", "2024-04-01", "2025-03-31"),
    ("September 2024 - July 2025", "2024-09-01", "2025-07-31"),
    # days (day first; two-digit years are 20xx)
    ("28.07.21", None, "2021-07-28"),
    ("15.09.2021", None, "2021-09-15"),
    ("15/09/2021", None, "2021-09-15"),
    ("by 31/03/2025", None, "2025-03-31"),
    ("1st September 2021", None, "2021-09-01"),
    ("1 st September 2021", None, "2021-09-01"),
    ("30 June 2024", None, "2024-06-30"),
    ("31st of March 2025", None, "2025-03-31"),
    ("March 31, 2025", None, "2025-03-31"),
    ("2025-03-31", None, "2025-03-31"),
    # seasons and school terms
    ("Spring 2025", None, "2025-05-31"),
    ("Autumn 2024", None, "2024-11-30"),
    ("summer 2020", None, "2020-08-31"),
    ("by summer 2020", None, "2020-08-31"),
    ("by early summer 2020", None, "2020-06-30"),
    ("early summer 2020", None, "2020-06-30"),
    ("mid summer 2021", None, "2021-07-31"),
    ("late autumn 2023", None, "2023-11-30"),
    ("winter 2020", None, "2021-02-28"),
    ("early winter 2020", None, "2020-12-31"),
    ("late winter 2023", None, "2024-02-29"),
    # terms read as their seasons (extractors/patterns/deadlines.yaml says why)
    ("Summer term 2024", None, "2024-08-31"),
    ("Autumn Term 2024", None, "2024-11-30"),
    ("Spring term 2025", None, "2025-05-31"),
    ("mid-2024", None, "2024-08-31"),
    ("early 2025", None, "2025-04-30"),
    ("late 2025", None, "2025-12-31"),
    # financial years and quarters
    ("2021/22", "2021-04-01", "2022-03-31"),
    ("2021/2022", "2021-04-01", "2022-03-31"),
    ("2021-22", "2021-04-01", "2022-03-31"),
    ("2024/25", "2024-04-01", "2025-03-31"),
    ("2024/2025", "2024-04-01", "2025-03-31"),
    ("for 2021/2022", "2021-04-01", "2022-03-31"),
    ("throughout 2021/22", "2021-04-01", "2022-03-31"),
    ("FY21/22", "2021-04-01", "2022-03-31"),
    ("FY 2024-25", "2024-04-01", "2025-03-31"),
    ("financial year 2024/25", "2024-04-01", "2025-03-31"),
    ("2099/00", "2099-04-01", "2100-03-31"),
    ("end of 2023/24", None, "2024-03-31"),
    ("by 2024/25", None, "2025-03-31"),
    ("Q1 2021/22", "2021-04-01", "2021-06-30"),
    ("Q2 2021/22", "2021-07-01", "2021-09-30"),
    ("Q3 2025/26", "2025-10-01", "2025-12-31"),
    ("Q4 2021/22", "2022-01-01", "2022-03-31"),
    ("2024/25 Q2", "2024-07-01", "2024-09-30"),
    ("Quarter 3 2024/25", "2024-10-01", "2024-12-31"),
    ("by Q4 2024/25", None, "2025-03-31"),
    ("Q1 2025", "2025-01-01", "2025-03-31"),
    ("academic year 2024/25", "2024-09-01", "2025-08-31"),
    # the plan period (plan_end=2027 is passed for these)
    ("end of the plan", None, "2027-12-31"),
    ("by the end of the plan", None, "2027-12-31"),
    ("By the end of this strategy", None, "2027-12-31"),
    # a converter's "--" for an en dash
    ("2025 -- 2028", "2025-01-01", "2028-12-31"),
    ("April -- June 2026", "2026-04-01", "2026-06-30"),
    # several dates in one cell: prefer "by", then a range
    ("Review in 2024, completed by March 2025", None, "2025-03-31"),
    ("Phase 1 2024; rollout 2024 - 2026", "2024-01-01", "2026-12-31"),
    ("Ongoing – completed by March 2025", None, "2025-03-31"),
]

NO_DEADLINE = [
    "Ongoing",
    "Ongoing (audit work to measure progress)",
    "on-going",
    "To be determined",
    "To be determined based on evaluation following",
    "TBC",
    "tbc 2025",
    "asap",
    "As soon as possible",
    "N/A",
    "",
    "   ",
    "Survive: Years 1 - 2",
    "Quarter to be delivered",
    "31.02.21",
]


@pytest.mark.parametrize(("text", "start", "end"), PARSE_CASES)
def test_parse_deadline(text: str, start: str | None, end: str | None) -> None:
    result = parse_deadline(text, plan_end=2027)
    assert result is not None, text
    assert (result.start, result.end) == (_d(start), _d(end))


@pytest.mark.parametrize("text", NO_DEADLINE)
def test_parse_deadline_none(text: str) -> None:
    assert parse_deadline(text) is None


@pytest.mark.parametrize(
    ("text", "phrase", "granularity"),
    [
        ("Completed by Jan 2025", "Completed by Jan 2025", "month"),
        ("  2024 - 2026  ", "2024 - 2026", "year_range"),
        ("Q3 2025/26", "Q3 2025/26", "quarter"),
        ("2021/22", "2021/22", "financial_year"),
        ("2024", "2024", "year"),
        ("28.07.21", "28.07.21", "day"),
        ("early summer 2020", "early summer 2020", "season"),
        ("from January 2020", "from January 2020", "open"),
        ("March 2025 onwards", "March 2025 onwards", "open"),
        ("by the end of the plan", "by the end of the plan", "plan"),
        ("Jan–Mar 2025", "Jan–Mar 2025", "month"),
    ],
)
def test_parse_deadline_text_and_granularity(text: str, phrase: str, granularity: str) -> None:
    result = parse_deadline(text, plan_end=2027)
    assert result is not None
    assert (result.text, result.granularity) == (phrase, granularity)


def test_plan_end_stated_by_the_document() -> None:
    texts = ["Early Help Strategy 2026–2029", "This strategy covers the period April 2026 to March 2029."]
    end = plan_end_date(texts, 2026, 2029)
    assert end == dt.date(2029, 3, 31)
    assert parse_deadline("by the end of the strategy", plan_end=end).end == dt.date(2029, 3, 31)
    assert plan_end_date(["Targets are for the end of the plan, March 2029."], 2025, 2029) == dt.date(2029, 3, 31)
    # a year range, a dated commitment or a period ending in another year says nothing about it
    assert plan_end_date(["Early Help Strategy 2026–2029", "We will do it by March 2029."], 2026, 2029) is None
    assert plan_end_date(["From April 2026 to March 2028."], 2026, 2029) is None


def test_end_of_plan_without_plan_end_keeps_granularity() -> None:
    result = parse_deadline("by the end of the plan")
    assert result is not None
    assert (result.start, result.end, result.granularity) == (None, None, "plan")
    assert parse_deadline("end of the plan", plan_end=2031).end == dt.date(2031, 12, 31)


# --------------------------------------------------------------------------- find_deadlines

NON_DATES = [
    "services for 0-19 year olds",
    "housing protocol for 16/17 year olds who are homeless",
    "young people aged 19-21",
    "children placed over 20 miles from home",
    "contact made in 24 hours",
    "pupils in Year 11",
    "52 week residential placements",
    "Improving KS4 attainment data",
    "Expected or higher in RWM: 1061 (63.3% of Cohort)",
    "visited at least every 6 weeks",
    "a budget of £2,020,000",
    "saving £2024 per placement",
    "$2025 grant",
    "an increase of 20%",
    "an increase of 2025%",
    "Priority 1,2,3,4",
    "Priority 1, 3,4",
    "2.1a Implement a sufficiency strategy",
    "1.1 - Ensure Looked After Children",
    "Provisional 20/21 data shows improvement",
    "a 2020 mile relay",
    "Attainment 8: 44.74",
    "3105 (94%)",
    "children aged 5-18 years old",
    "NE12 regional framework",
    "3+ placement moves",
    "over the next ten years",
    "a 12 month point",
    "version 1.2.3",
]


@pytest.mark.parametrize("text", NON_DATES)
def test_find_deadlines_ignores_non_dates(text: str) -> None:
    assert find_deadlines(text) == []


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("apprenticeships by September 2022", ["by September 2022"]),
        ("hidden hunger within targeted areas in 2020 to inform our approach", ["in 2020"]),
        ("a new policy framework from January 2020", ["from January 2020"]),
        ("ceremony to be arranged for 2021/2022", ["for 2021/2022"]),
        ("survey to be launched by end of July 2021.", ["by end of July 2021"]),
        ("campaign throughout 2021/22 – to include", ["throughout 2021/22"]),
        ("Placements Hub began 1 st September 2021.", ["1 st September 2021"]),
        ("meeting to take place 28.07.21 and event on 15.09.2021..", ["28.07.21", "on 15.09.2021"]),
        ("IHAs 70% at end of December 2020 and 94.7% Q1 2021/22", ["at end of December 2020", "Q1 2021/22"]),
        ("strategy for 0-19 year olds by March 2023", ["by March 2023"]),
        ("Plan 2023 to 2028; by the end of the plan", ["2023 to 2028", "by the end of the plan"]),
    ],
)
def test_find_deadlines_phrases(text: str, phrases: list[str]) -> None:
    found = find_deadlines(text)
    assert [d.text for _, _, d in found] == phrases
    assert all(text[a:b] == d.text for a, b, d in found)


# --------------------------------------------------------------------------- deadline_for_action

ACTION_CASES = [
    # every dated action in corpus/gold/bcp_brighter_futures.yaml
    ("work with the Learning Partnership Board to deliver an educational offer to meet the needs of all children and young people with the right balance of academic and vocational opportunities, including apprenticeships by September 2022", None, "2022-09-30"),
    ("create a SEND and inclusion strategy that is aspirational and an associated joint commissioning strategy by June 2020", None, "2020-06-30"),
    ("ensure children and young people have access to good, local and inclusive early years, primary, secondary and post-16 education by working with education leaders and developing a sufficiency strategy by summer 2020", None, "2020-08-31"),
    ("work with local Higher Education providers and the Southern Universities Network to support children from disadvantaged families to access higher education by September 2022", None, "2022-09-30"),
    ("ensure the development and delivery of effective, specialist services to support inclusion in schools and early years providers by September 2022", None, "2022-09-30"),
    ("develop a sufficiency strategy for children in care and care experienced young people to ensure appropriate provision is available locally by early summer 2020", None, "2020-06-30"),
    ("harmonise and improve the Foster Care offer by early summer 2020", None, "2020-06-30"),
    ("improve housing options for care experienced young people by October 2020", None, "2020-10-31"),
    ("understand the health needs of children newly into care through timely initial health assessments by early summer 2020", None, "2020-06-30"),
    ("improve the robustness and impact of permanence planning for children in care, beginning with a strong training and development programme for all social workers and a new policy framework from January 2020", "2020-01-01", None),
    ("improve educational outcomes for children in care through the delivery of a high-performing Virtual School by January 2021 which includes ambitions to actively support apprenticeships and work placements", None, "2021-01-31"),
    ("publish the ‘Care Leaver Offer’ across the conurbation by September 2020", None, "2020-09-30"),
    ("develop and implement an early help, family support, young people’s and youth work strategy for 0-19 year olds and align services to deliver on the strategy by March 2023", None, "2023-03-31"),
    ("further develop the BCP SEND Local Offer to ensure this is comprehensive and support families to access appropriate provision by September 2021", None, "2021-09-30"),
    ("develop an integrated health and wellbeing offer for vulnerable children and young people including SEND by September 2021", None, "2021-09-30"),
    ("embed new ways of working (‘Signs of Safety’) to ensure consistency of experience and improving outcomes by 2023", None, "2023-12-31"),
    ("support children to live within their own family environment by extending the Family Group Conference model and Family Network meetings by 2022", None, "2022-12-31"),
    ("increase school attendance and reduce school exclusions and offending by introducing restorative approaches by July 2021", None, "2021-07-31"),
    ("pilot an approach to address and reduce summer holiday ‘hidden hunger’ within targeted areas in 2020 to inform our longer term approach", None, "2020-12-31"),
    ("improve the level of integration of service at the front door so families receive the right response at the right time by early summer 2020", None, "2020-06-30"),
    ("work to ensure the multi-agency partnership arrangements are effective and impactful for the local community by summer 2020", None, "2020-08-31"),
    ("lead a new and robust approach to tackling child exploitation across the community by developing a multi-agency place-based approach and implement by 2022", None, "2022-12-31"),
    ("deliver a Sufficiency Strategy to ensure appropriate levels of services and support for children – Early Help, Edge of Care, School Places for SEND, and Children’s Social Care by early summer 2020", None, "2020-06-30"),
    ("develop a BCP Council Housing Strategy which addresses the needs of vulnerable young people and their families by October 2020", None, "2020-10-31"),
    ("create a consolidated young people’s protocol between housing and children’s social care by early summer 2020", None, "2020-06-30"),
    ("intervene early to avoid young people entering the care system and minimise risks by developing an adolescent service by September 2020", None, "2020-09-30"),
    ("support children and young people’s emotional mental health and wellbeing by implementing the Children and Young People Mental Health Transformation Plan by April 2021", None, "2021-04-30"),
    # other phrasings
    ("Launch the new service during 2024/25", "2024-04-01", "2025-03-31"),
    ("Review the offer before April 2025", None, "2025-03-31"),
    ("Open two homes no later than March 2026", None, "2026-03-31"),
    ("Embed the model within 2025", None, "2025-12-31"),
    ("Embed the model by the end of the plan", None, "2027-12-31"),
    ("Consult in 2024 and publish the strategy by March 2025", None, "2025-03-31"),
]

ACTION_NONE = [
    "Develop housing protocol for 16/17 year olds who are homeless and Care Leavers",
    "Align all activities for children 0-5 to support families",
    "Support young people aged 19-21 into work",
    "Respond to referrals in 24 hours",
    "Implement the priorities of the Corporate Plan 2023 to 2028",
    "Deliver the Vision 2030 ambitions",
    "Deliver our commitments in 2030 Vision",
    "Implement the Children Act 1989 duties",
    "Implement our Practice Model",
    "Placements Hub began 1 st September 2021.",
]


@pytest.mark.parametrize(("text", "start", "end"), ACTION_CASES)
def test_deadline_for_action(text: str, start: str | None, end: str | None) -> None:
    assert _interval(deadline_for_action(text, plan_end=2027)) == (_d(start), _d(end))


@pytest.mark.parametrize("text", ACTION_NONE)
def test_deadline_for_action_none(text: str) -> None:
    assert deadline_for_action(text) is None


STRICT_ACCEPT = [
    ("Achievement award ceremony to be arranged for 2021/2022", "for 2021/2022", "2021-04-01", "2022-03-31"),
    ("Sexual Health Support consultation survey to be launched by end of July 2021.", "by end of July 2021", None, "2021-07-31"),
    ("Review of the service to be undertaken by the end of March 2022", "by the end of March 2022", None, "2022-03-31"),
    ("Training to be held in September 2021 for all carers", "in September 2021", None, "2021-09-30"),
    ("Focus on sexual health. Survey to be completed by 2022.", "completed by 2022", None, "2022-12-31"),
]

STRICT_REJECT = [
    "Annual Surveys for 2019 are outstanding – to be distributed to working groups for consideration of relevant questions asap.",
    "Continue to review and adapt the Fostering recruitment campaign throughout 2021/22 – to include targeted recruitment",
    "Looking to go out to tender on Regional IFA framework with a start date of October 2019.",
    "Placements Hub began 1 st September 2021.",
    "Planning meeting with young people to take place 28.07.21 and Video launch & Panel event to take place on 15.09.2021..",
    "The Fostering Placements Team was established in December 2019",
    "NE7 regional IFA framework in place from October 2019.",
    "Awaiting 2020-21 result from SDQ assessment from Local Authority.",
    "Sessions now in diary with video expected at end of May 2021.",
    "Ceremony held for 2021/2022. Survey to be distributed to groups.",
]


@pytest.mark.parametrize(("text", "phrase", "start", "end"), STRICT_ACCEPT)
def test_strict_accepts(text: str, phrase: str, start: str | None, end: str | None) -> None:
    result = deadline_for_action(text, strict=True)
    assert result is not None
    assert (result.text, result.start, result.end) == (phrase, _d(start), _d(end))


@pytest.mark.parametrize("text", STRICT_REJECT)
def test_strict_rejects(text: str) -> None:
    assert deadline_for_action(text, strict=True) is None


def test_strict_reject_dates_are_still_parseable() -> None:
    assert parse_deadline("to take place 28.07.21").end == dt.date(2021, 7, 28)
    assert deadline_for_action("Annual Surveys for 2019 are outstanding").end == dt.date(2019, 12, 31)


# --------------------------------------------------------------------------- the gold files


def _gold_actions() -> list:
    out = []
    for path in sorted(GOLD.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, action in enumerate(doc.get("actions") or []):
            out.append(pytest.param(action, doc["document"].get("period_end"), id=f"{path.stem}-{i}"))
    return out


@pytest.mark.parametrize(("action", "plan_end"), _gold_actions())
def test_gold_actions(action: dict, plan_end: int | None) -> None:
    gold = action.get("deadline")
    found = deadline_for_action(action["text"], plan_end=plan_end)
    if gold is None:
        assert found is None
        return
    expected = (_d(gold["start"]), _d(gold["end"]))
    if found is not None:  # the date is in the commitment itself
        assert (found.text, found.start, found.end) == (gold["text"], *expected)
    parsed = parse_deadline(gold["text"], plan_end=plan_end)
    assert parsed is not None and (parsed.start, parsed.end) == expected


def test_gold_has_dated_actions() -> None:
    assert sum(1 for p in _gold_actions() if p.values[0].get("deadline")) >= 30


# --------------------------------------------------------------------------- vocabulary file


def test_vocabulary_loads() -> None:
    vocab = load_vocabulary()
    assert vocab.months["sept"] == 9
    assert vocab.seasons["winter"] == 12
    assert "ongoing" in vocab.null_words


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda v: v["months"].__setitem__("sept", 13), "months.sept"),
        (lambda v: v.pop("null_words"), "null_words"),
        (lambda v: v["prepositions"]["within"].append(True), "prepositions.within"),
        (lambda v: v["season_parts"].__setitem__("early", 5), "season_parts.early"),
        (lambda v: v["months"].pop("december") and v["months"].pop("dec"), "months"),
        (lambda v: v.__setitem__("colour", "red"), "colour"),
    ],
)
def test_bad_vocabulary_names_the_key(tmp_path: Path, change, key: str) -> None:
    raw = yaml.safe_load(VOCABULARY_PATH.read_text(encoding="utf-8"))
    change(raw)
    bad = tmp_path / "deadlines.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(VocabularyError, match=key.replace(".", r"\.")):
        load_vocabulary(bad)


def test_unreadable_vocabulary(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match="cannot read"):
        load_vocabulary(tmp_path / "missing.yaml")


def test_docstring_examples() -> None:
    assert doctest.testmod(deadlines).failed == 0


# --------------------------------------------------------------------------- properties

MONTH_NAMES = [(i, calendar.month_name[i]) for i in range(1, 13)] + [
    (i, calendar.month_abbr[i]) for i in range(1, 13)
]


@given(st.integers(1900, 2099), st.sampled_from(MONTH_NAMES))
def test_by_month_year_ends_on_last_day(year: int, month: tuple[int, str]) -> None:
    number, name = month
    result = parse_deadline(f"by {name} {year}")
    last = calendar.monthrange(year, number)[1]
    assert result is not None
    assert (result.start, result.end) == (None, dt.date(year, number, last))


@given(st.integers(1900, 2098), st.sampled_from(["{y}/{s}", "{y}/{n}", "{y}-{s}", "FY {y}/{s}"]))
def test_financial_year(year: int, form: str) -> None:
    text = form.format(y=year, s=f"{(year + 1) % 100:02d}", n=year + 1)
    result = parse_deadline(text)
    assert result is not None
    assert result.start == dt.date(year, 4, 1)
    assert result.end == dt.date(year + 1, 3, 31)
    assert result.start < result.end


PIECES = st.sampled_from(
    ["by", "from", "in", "before", "until", "for", "end of", "Q2", "early", "late", "winter", "summer term",
     "March", "Sept", "Nov", "-", "–", "to", "and", "between", "/", "onwards", "2020", "2024", "2099",
     "1999", "21/22", "2024/25", "28.07.21", "31", "1st", "Ongoing", "the plan", " ", ",", "."]
)


@settings(max_examples=300)
@given(st.lists(PIECES, min_size=1, max_size=8).map(" ".join))
def test_start_never_after_end(text: str) -> None:
    for _, _, found in find_deadlines(text, plan_end=2030):
        if found.start and found.end:
            assert found.start <= found.end, text
    for result in (parse_deadline(text), deadline_for_action(text), deadline_for_action(text, strict=True)):
        if result is not None and result.start and result.end:
            assert result.start <= result.end, text


@settings(max_examples=300)
@given(st.text())
def test_never_raises(text: str) -> None:
    result = parse_deadline(text, plan_end=2030)
    if result is not None and result.start and result.end:
        assert result.start <= result.end
    find_deadlines(text)
    deadline_for_action(text)
    deadline_for_action(text, strict=True)


# --------------------------------------------------------------------------- plan years

ACADEMIC_KEY = "In the implementation timeline, Year 1 means the 2025/26 academic year, Year 2 means 2026/27 and Year 3 means 2027/28."


@pytest.mark.parametrize(
    ("key_text", "timescale", "start", "end"),
    [
        (ACADEMIC_KEY, "Year 1", "2025-09-01", "2026-08-31"),
        (ACADEMIC_KEY, "Year 2–3", "2026-09-01", "2028-08-31"),
        (ACADEMIC_KEY, "Years 1 to 2", "2025-09-01", "2027-08-31"),
        (ACADEMIC_KEY, "by the end of Year 3", "2027-09-01", "2028-08-31"),
        ("Year 1 (2024/25), Year 2 (2025/26)", "Year 2", "2025-04-01", "2026-03-31"),
        ("Year 1 = 2024-25; Year 2 = 2025-26", "Year 1 and 2", "2024-04-01", "2026-03-31"),
    ],
)
def test_plan_years_read_with_the_documents_key(key_text, timescale, start, end):
    from extractors.deadlines import parse_plan_year, plan_years

    found = parse_plan_year(timescale, plan_years([key_text]))
    assert (str(found.start), str(found.end)) == (start, end)


@pytest.mark.parametrize(
    ("key_text", "timescale"),
    [
        ("", "Year 1"),  # no key: the years of the plan are unknown
        (ACADEMIC_KEY, "Year 4"),  # a year the key does not define
        (ACADEMIC_KEY, "Year 9 transition reviews"),  # a school year group, not a timescale
        ("Pupils in Year 6 sit SATs in May.", "Year 6"),  # not a key
    ],
)
def test_plan_years_without_a_key_are_not_guessed(key_text, timescale):
    from extractors.deadlines import parse_plan_year, plan_years

    assert parse_plan_year(timescale, plan_years([key_text])) is None
