"""Normalise the due dates UK council plans print into `Deadline` intervals.

Rules (see corpus/gold/README.md): a point date keeps only its last day as `end`
("July 2025" -> end 2025-07-31, "2024" -> end 2024-12-31); ranges keep both ends
("2024 - 2026" -> 2024-01-01..2026-12-31, financial year "2021/22" -> 2021-04-01..2022-03-31,
"Q1 2021/22" -> 2021-04-01..2021-06-30); "by X" keeps only X's end; "from X" / "X onwards" keep
only X's start; "before X" ends the day before X; "Ongoing", "TBC" -> None.

    >>> parse_deadline("Completed by Jan 2025").end
    datetime.date(2025, 1, 31)
    >>> d = parse_deadline("Q3 2025/26"); (d.start, d.end, d.granularity)
    (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31), 'quarter')
    >>> deadline_for_action("harmonise the Foster Care offer by early summer 2020").text
    'by early summer 2020'

The vocabulary (month and season words, prepositions, null words) is data, in
extractors/patterns/deadlines.yaml; the regexes are built from it at import.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from schemas.records import Deadline

__all__ = ["Vocabulary", "VocabularyError", "load_vocabulary", "parse_deadline", "find_deadlines",
           "deadline_for_action"]

VOCABULARY_PATH = Path(__file__).parent / "patterns" / "deadlines.yaml"
Month = Annotated[int, Field(ge=1, le=12)]
Words = list[Annotated[str, Field(min_length=1)]]


class VocabularyError(ValueError):
    """The vocabulary file is missing, not YAML, or breaks the `Vocabulary` schema."""


class Prepositions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    due: Words
    before: Words
    start: Words
    within: Words


class Vocabulary(BaseModel):
    """The schema of patterns/deadlines.yaml (see the comments in that file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    months: dict[str, Month]
    seasons: dict[str, Month]
    season_parts: dict[str, Annotated[int, Field(ge=0, le=2)]]
    terms: dict[str, tuple[Month, Month]]
    financial_year_start_month: Month
    academic_year_start_month: Month
    prepositions: Prepositions
    open_suffixes: Words
    null_words: Words
    plan_words: Words
    irregular_participles: Words
    quantity_units: Words

    @field_validator("months", "seasons", "season_parts", "terms")
    @classmethod
    def _lower_keys(cls, value: dict) -> dict:
        if not value:
            raise ValueError("must not be empty")
        return {k.strip().lower(): v for k, v in value.items()}

    @model_validator(mode="after")
    def _check(self) -> Vocabulary:
        missing = set(range(1, 13)) - set(self.months.values())
        if missing:
            raise ValueError(f"months: no word for month(s) {sorted(missing)}")
        if bad := [t for t, (a, b) in self.terms.items() if a > b]:
            raise ValueError(f"terms: first month after last month for {bad}")
        return self


def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """Read and validate a vocabulary file; errors name the file and the offending key."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return Vocabulary.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: cannot read deadline vocabulary: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<top level>'}: {e['msg']}"
                             for e in exc.errors())
        raise VocabularyError(f"{path}: invalid deadline vocabulary: {problems}") from None


VOCAB = load_vocabulary()


def _alt(words) -> str:
    """Regex alternation of phrases, longest first; a space matches any white space."""
    return "|".join(re.escape(w.lower()).replace(r"\ ", r"\s+")
                    for w in sorted(set(words), key=len, reverse=True))


_FLAGS = re.I | re.A  # ASCII: "ſ" must not match "s"
_Y4 = r"(?:19|20)[0-9]{2}"
_MON = rf"(?:{_alt(VOCAB.months)})\b\.?"
_PART = _alt(VOCAB.season_parts)
_FY = rf"(?:FY\s*)?{_Y4}\s*[/–-]\s*(?:{_Y4}|[0-9]{{2}})(?![0-9])"
_DASH = r"\s*(?:--?|–|—|\bto\b|\buntil\b)\s*"  # "--": a converter's en dash
_ATOMS = [
    rf"(?P<iso_y>{_Y4})-(?P<iso_m>[01]?[0-9])-(?P<iso_d>[0-3]?[0-9])(?![0-9])",
    rf"(?<![0-9.,/])(?P<dn_d>[0-3]?[0-9])(?P<dn_s>[./-])(?P<dn_m>[01]?[0-9])(?P=dn_s)"
    rf"(?P<dn_y>{_Y4}|[0-9]{{2}})(?![0-9%]|[.,/][0-9])",
    rf"\b(?P<dm_d>[0-3]?[0-9])\s*(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm_m>{_MON}),?\s+(?P<dm_y>{_Y4})\b",
    rf"\b(?P<md_m>{_MON})\s+(?P<md_d>[0-3]?[0-9])(?:st|nd|rd|th)?,?\s+(?P<md_y>{_Y4})\b",
    rf"\b(?:Q|quarter\s*)(?P<qa_n>[1-4])(?:\s+of)?[\s,]*(?P<qa_p>{_FY}|{_Y4}\b)",
    rf"(?<![0-9.,/])(?P<qb_p>{_FY})[\s,]*(?:Q|quarter\s*)(?P<qb_n>[1-4])\b",
    rf"\b(?P<mr_a>{_MON}){_DASH}(?P<mr_b>{_MON}),?\s+(?P<mr_y>{_Y4})\b",
    rf"\b(?:(?P<s_part>{_PART})[\s-]*)?(?P<s_name>{_alt(VOCAB.seasons)})(?P<s_term>\s+term)?"
    rf"(?:\s+of)?,?\s+(?P<s_y>{_Y4})\b",
    rf"\b(?P<my_m>{_MON})(?:[\s,-]*(?P<my_y>{_Y4})\b|\s*['’-]\s*(?P<my_y2>[0-9]{{2}})(?![0-9]))",
    rf"\b(?P<py_part>{_PART})[\s-]+(?P<py_y>{_Y4})\b(?!\s*[/–-]\s*[0-9])",
    rf"\bFY\s*(?P<fs_a>[0-9]{{2}})\s*[/-]\s*(?P<fs_b>[0-9]{{2}})(?![0-9])",
    rf"(?<![0-9.,/£$€#])(?:(?P<r_tag>(?:the\s+)?(?:FY|financial\s+year|academic\s+year))\s*)?"
    rf"(?P<r_a>{_Y4})(?P<r_s>\s*(?:/|--?|–|—)\s*|\s+(?:to|until)\s+)(?P<r_b>{_Y4}|[0-9]{{2}})(?![0-9%])",
    rf"(?<![0-9.,/£$€#])(?P<y>{_Y4})(?![0-9%]|[.,/][0-9]|\s*(?:{_alt(VOCAB.quantity_units)})\b)",
    rf"\b(?P<plan>(?:the|this|our)\s+(?:current\s+)?(?:{_alt(VOCAB.plan_words)}))\b",
]
_ATOM_RX = re.compile("|".join(f"(?:{a})" for a in _ATOMS), _FLAGS)
_PREP_MODE = {" ".join(p.lower().split()): mode for mode in ("within", "start", "before", "due")
              for p in getattr(VOCAB.prepositions, mode)}
_PREP_RX = re.compile(rf"(?:^|(?<=[^\w]))(?P<prep>{_alt(_PREP_MODE)})\s+$", _FLAGS)
_SUFFIX_RX = re.compile(rf"\s*(?:{_alt(VOCAB.open_suffixes)})\b", _FLAGS)
_JOIN_RX = re.compile(r"\s*(?:-|–|—|to|until|till|through|and)\s*", _FLAGS)
_NULL_RX = re.compile(rf"\s*[(\[]?\s*(?:{_alt(VOCAB.null_words)})(?![\w])", _FLAGS)
_TO_BE_RX = re.compile(rf"\bto\s+be\s+(?:\w+ed|\w+en|{_alt(VOCAB.irregular_participles)})\b", _FLAGS)
_CLAUSE_END_RX = re.compile(r"[;!?\n]|\.(?=\s)")
_SPACES = str.maketrans({"\xa0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " "})


@dataclass
class _Hit:
    """One date expression found in text: its natural interval before prepositions apply."""

    begin: int
    stop: int
    lo: dt.date | None
    hi: dt.date | None
    gran: str
    ranged: bool = False  # the expression is an interval (FY, quarter, "2024 - 2026")
    explicit: bool = False  # the interval is written as two ends ("Jan–Mar", "2024 - 2026")
    prep: str = ""
    mode: str = ""
    open_end: bool = False


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, first: int, count: int) -> tuple[dt.date, dt.date]:
    """First day of month `first` of `year` (13 = next January) to the last day `count` months on."""
    idx, last = year * 12 + first - 1, year * 12 + first - 1 + count - 1
    return dt.date(idx // 12, idx % 12 + 1, 1), _month_end(last // 12, last % 12 + 1)


def _month(word: str) -> int:
    return VOCAB.months[word.lower().rstrip(".")]


def _fy_start(text: str) -> int | None:
    """First year of a financial-year string ("2021/22", "FY 2021-2022"), if consecutive."""
    a, b = re.findall(r"[0-9]{2,4}", text)[:2]
    first = int(a) if len(a) == 4 else 2000 + int(a)
    second = int(b) if len(b) == 4 else first // 100 * 100 + int(b)
    return first if second == first + 1 or (len(b) == 2 and (first + 1) % 100 == int(b)) else None


def _fy(first: int, quarter: int | None = None) -> tuple[dt.date, dt.date]:
    start_month = VOCAB.financial_year_start_month
    if quarter is None:
        return _months(first, start_month, 12)
    return _months(first, start_month + 3 * (quarter - 1), 3)


def _convert(m: re.Match) -> _Hit | None:
    """Turn one atom match into its natural interval; None when it is not a real date."""
    g = {k: v for k, v in m.groupdict().items() if v is not None}

    def hit(lo: dt.date | None, hi: dt.date | None, gran: str, **kw: bool) -> _Hit:
        return _Hit(m.start(), m.end(), lo, hi, gran, **kw)

    if "iso_y" in g or "dn_d" in g or "dm_d" in g or "md_d" in g:
        y, mo, d = (g.get("iso_y") or g.get("dn_y") or g.get("dm_y") or g["md_y"],
                    g.get("iso_m") or g.get("dn_m") or g.get("dm_m") or g["md_m"],
                    g.get("iso_d") or g.get("dn_d") or g.get("dm_d") or g["md_d"])
        day = dt.date(int(y) if len(y) == 4 else 2000 + int(y),
                      int(mo) if mo.isdigit() else _month(mo), int(d))
        return hit(day, day, "day")
    if "qa_n" in g or "qb_n" in g:
        n, period = int(g.get("qa_n") or g["qb_n"]), g.get("qa_p") or g["qb_p"]
        if re.fullmatch(_Y4, period.strip()):  # calendar quarter: "Q1 2025" = Jan-Mar 2025
            return hit(*_months(int(period), 3 * n - 2, 3), "quarter", ranged=True)
        first = _fy_start(period)
        return hit(*_fy(first, n), "quarter", ranged=True) if first else None
    if "mr_a" in g:
        a, b, y = _month(g["mr_a"]), _month(g["mr_b"]), int(g["mr_y"])
        lo = dt.date(y - (a > b), a, 1)
        return hit(lo, _month_end(y, b), "month", ranged=True, explicit=True)
    if "s_name" in g:
        y, name = int(g["s_y"]), g["s_name"].lower()
        if g.get("s_term") and name in VOCAB.terms:
            a, b = VOCAB.terms[name]
            return hit(dt.date(y, a, 1), _month_end(y, b), "season")
        first = VOCAB.seasons[name]
        if "s_part" in g:
            return hit(*_months(y, first + VOCAB.season_parts[g["s_part"].lower()], 1), "season")
        return hit(*_months(y, first, 3), "season")
    if "my_m" in g:
        y = int(g["my_y"]) if "my_y" in g else 2000 + int(g["my_y2"])
        return hit(*_months(y, _month(g["my_m"]), 1), "month")
    if "py_part" in g:
        return hit(*_months(int(g["py_y"]), 1 + 4 * VOCAB.season_parts[g["py_part"].lower()], 4), "season")
    if "fs_a" in g:
        first = _fy_start(f"{g['fs_a']}/{g['fs_b']}")
        return hit(*_fy(first), "financial_year", ranged=True) if first else None
    if "r_a" in g:
        a, b, sep, tag = int(g["r_a"]), g["r_b"], g["r_s"].strip(), g.get("r_tag", "").lower()
        if len(b) == 2 and sep.isalpha():
            return None
        if "academic" in tag:
            first = _fy_start(f"{a}/{b}")
            return hit(*_months(first, VOCAB.academic_year_start_month, 12), "year_range",
                       ranged=True) if first else None
        if tag or sep == "/" or len(b) == 2:
            first = _fy_start(f"{a}/{b}")
            if first:
                return hit(*_fy(first), "financial_year", ranged=True)
        last = int(b) if len(b) == 4 else a // 100 * 100 + int(b)
        if last <= a:
            return None
        return hit(dt.date(a, 1, 1), dt.date(last, 12, 31), "year_range", ranged=True, explicit=True)
    if "y" in g:
        return hit(dt.date(int(g["y"]), 1, 1), dt.date(int(g["y"]), 12, 31), "year")
    return hit(None, None, "plan")


def _atoms(text: str) -> list[_Hit]:
    hits, pos = [], 0
    while (m := _ATOM_RX.search(text, pos)) is not None:
        try:
            h = _convert(m)
        except (ValueError, KeyError, TypeError):  # "31.02.21", unknown words
            h = None
        if h is None:
            pos = m.start() + 1
            continue
        hits.append(h)
        pos = m.end()
    return hits


def _scan(text: str) -> list[_Hit]:
    """All date expressions, with two-ended ranges joined and prepositions/suffixes attached."""
    text = text.translate(_SPACES)
    joined: list[_Hit] = []
    for h in _atoms(text):
        prev = joined[-1] if joined else None
        if (prev and prev.gran != "plan" and h.gran != "plan" and prev.lo and h.hi >= prev.lo
                and (gap := _JOIN_RX.fullmatch(text, prev.stop, h.begin))
                and (gap.group().strip().lower() != "and"
                     or text[:prev.begin].rstrip().lower().endswith("between"))):
            gran = prev.gran if prev.gran == h.gran and prev.gran != "year" else h.gran
            joined[-1] = _Hit(prev.begin, h.stop, prev.lo, h.hi,
                              "year_range" if gran == "year" else gran, True, True)
        else:
            joined.append(h)
    out = []
    for h in joined:
        if p := _PREP_RX.search(text, max(0, h.begin - 40), h.begin):
            h.prep, h.mode, h.begin = p["prep"], _PREP_MODE[" ".join(p["prep"].lower().split())], p.start()
        if h.gran == "plan" and not h.prep.lower().endswith(" of"):
            continue
        if s := _SUFFIX_RX.match(text, h.stop):
            h.stop, h.open_end = s.end(), True
        out.append(h)
    return out


def _plan_end(plan_end: int | dt.date | None) -> dt.date | None:
    """The last day of the plan: a date the document states, or 31 December of its last year."""
    if isinstance(plan_end, dt.date) or plan_end is None:
        return plan_end
    return dt.date(plan_end, 12, 31)


def _deadline(text: str, h: _Hit, plan_end: int | dt.date | None) -> Deadline:
    phrase = text[h.begin:h.stop].strip()
    if h.gran == "plan":
        return Deadline(text=phrase, end=_plan_end(plan_end), granularity="plan")
    if h.open_end or (h.mode == "start" and not h.explicit):
        return Deadline(text=phrase, start=h.lo, granularity="open")
    if h.mode == "due":
        return Deadline(text=phrase, end=h.hi, granularity=h.gran)
    if h.mode == "before":
        return Deadline(text=phrase, end=h.lo - dt.timedelta(days=1), granularity=h.gran)
    return Deadline(text=phrase, start=h.lo if h.ranged else None, end=h.hi, granularity=h.gran)


def find_deadlines(text: str, *, plan_end: int | dt.date | None = None) -> list[tuple[int, int, Deadline]]:
    """Every date expression in running text as (start offset, end offset, Deadline).

    The span and `Deadline.text` include a leading preposition ("by September 2022",
    "from January 2020", "for 2021/2022") and a trailing "onwards". Counts, ages, money,
    percentages and references ("0-19 year olds", "16/17", "Year 11", "2.1a") are not dates.

        >>> [(a, b, d.text) for a, b, d in find_deadlines("Pilot it in 2020 for 0-19 year olds")]
        [(9, 16, 'in 2020')]
    """
    return [(h.begin, h.stop, _deadline(text, h, plan_end)) for h in _scan(text)]


_WEEK_RX = re.compile(r"\b(?:w/c|w\.c\.|wc|week\s+commencing|week\s+beginning)\s+", _FLAGS)
_BARE_QUARTER_RX = re.compile(r"\b(?P<end>end\s+of\s+)?(?:Q|quarter\s*)(?P<n>[1-4])\b(?!\s*(?:[/–-]|of)?\s*(?:FY|19|20)\d)", _FLAGS)


def _week_or_quarter(text: str, plan_start: int | None) -> Deadline | None:
    """Two phrasings that need more than the date itself.

    "w/c 5 January 2026" (week commencing) is due by the end of that week; "end of Q2" with no
    year is a quarter of the plan's own first financial year (`plan_start`).

        >>> _week_or_quarter("w/c 5 January 2026", None).end
        datetime.date(2026, 1, 11)
        >>> _week_or_quarter("end of Q2", 2025).end
        datetime.date(2025, 9, 30)
    """
    week = _WEEK_RX.search(text)
    if week:
        hits = [h for h in _scan(text[week.end():]) if h.gran == "day" and h.begin == 0]
        if hits:
            day = hits[0].hi
            return Deadline(text=text[week.start(): week.end() + hits[0].stop].strip(), start=day,
                            end=day + dt.timedelta(days=6), granularity="day")
    quarter = _BARE_QUARTER_RX.search(text)
    if quarter and plan_start:
        lo, hi = _fy(plan_start, int(quarter.group("n")))
        phrase = quarter.group(0).strip()
        return Deadline(text=phrase, start=None if quarter.group("end") else lo, end=hi, granularity="quarter")
    return None


def parse_deadline(text: str, *, plan_end: int | dt.date | None = None, plan_start: int | None = None) -> Deadline | None:
    """Normalise a whole timescale phrase (a table "Timescale" cell); None when it has no date.

    Prefers a date introduced by "by"/"completed by", then a range, then the first date.
    A cell opening with a null word ("Ongoing", "TBC", "asap") is None unless it says "by ...".
    "end of the plan" gives end = 31 December of `plan_end` (None without it), granularity "plan".

        >>> parse_deadline("2024 - 2026").start, parse_deadline("2024 - 2026").end
        (datetime.date(2024, 1, 1), datetime.date(2026, 12, 31))
        >>> parse_deadline("Ongoing (audit work to measure progress)") is None
        True
    """
    special = _week_or_quarter(text, plan_start)
    if special:
        return special
    hits = _scan(text)
    due = [h for h in hits if h.mode == "due"]
    if not hits or (not due and _NULL_RX.match(text)):
        return None
    best = due[0] if due else next((h for h in hits if h.ranged), hits[0])
    return _deadline(text, best, plan_end)


def _named(text: str, h: _Hit) -> bool:
    """A bare year followed by a capitalised word is part of a name ("in 2030 Vision")."""
    nxt = re.match(r"\s+([A-Z][a-z]+)", text[h.stop:])
    return h.gran == "year" and nxt is not None and nxt.group(1).lower() not in VOCAB.months


def deadline_for_action(text: str, *, strict: bool = False,
                        plan_end: int | dt.date | None = None) -> Deadline | None:
    """The due date of a commitment sentence, or None.

    Non-strict (the commitment text itself): a date introduced by a preposition from the
    vocabulary ("by", "by the end of", "in", "during", "before", "until", "from", "for",
    "no later than", "within", ...); a "by" date wins, otherwise the first such date. Bare
    dates and years that are part of names are ignored.

    Strict (progress notes, "Actions" columns, where most dates are history): only a date
    introduced by "by" ("by end of July 2021"), or by for/in/during/within after
    "to be <participle>" in the same clause ("ceremony to be arranged for 2021/2022").

        >>> deadline_for_action("a new policy framework from January 2020").start
        datetime.date(2020, 1, 1)
        >>> deadline_for_action("Annual Surveys for 2019 are outstanding", strict=True) is None
        True
    """
    hits = [h for h in _scan(text) if h.prep and not _named(text, h)]
    if strict:
        def accepted(h: _Hit) -> bool:
            if "by" in h.prep.lower().split():
                return True
            clause = _CLAUSE_END_RX.split(text[:h.begin])[-1]
            return h.prep.lower() in {"for", "in", "during", "within"} and bool(_TO_BE_RX.search(clause))
        hits = [h for h in hits if accepted(h)]
    if not hits:
        return None
    due = [h for h in hits if "by" in h.prep.lower().split()] or [h for h in hits if h.mode == "due"]
    return _deadline(text, (due or hits)[0], plan_end)


# "Year 1 means the 2025/26 academic year", "Year 2 = 2026/27", "Year 3 (2027/28)": the
# document's own key to the years of its plan, used for timescales written "Year 1", "Year 2–3".
_PLAN_YEAR_DEF_RX = re.compile(
    r"\byear\s+(?P<n>\d)\b\s*(?:means|is|=|:|–|—|-|\()\s*(?:the\s+)?(?P<period>\d{4}\s*[/-]\s*\d{2,4})", re.I
)
_PLAN_YEAR_USE_RX = re.compile(
    r"^\s*(?:by\s+(?:the\s+)?(?:end\s+of\s+)?)?years?\s+(?P<a>\d)(?:\s*(?:[–—-]|to|and|&)\s*(?:years?\s+)?(?P<b>\d))?\s*\.?\s*$",
    re.I,
)


def plan_end_date(texts, plan_start: int | None, plan_end: int | None) -> dt.date | None:
    """The plan's last day when the document states it: "April 2026 to March 2029", "2025/26 to
    2028/29", "the end of the plan, March 2029". None when it does not (the caller falls back to
    31 December of `plan_end`). Only a statement ending in the plan's last year counts.

        >>> plan_end_date(["This strategy runs from April 2026 to March 2029."], 2026, 2029)
        datetime.date(2029, 3, 31)
        >>> plan_end_date(["Targets are for the end of the plan, March 2029."], 2025, 2029)
        datetime.date(2029, 3, 31)
        >>> plan_end_date(["We will do it by March 2029."], 2025, 2029) is None
        True
    """
    if not plan_end:
        return None
    for text in texts:
        hits = _scan(text.translate(_SPACES))
        for i, h in enumerate(hits):
            if h.hi is None or h.hi.year != plan_end or (h.hi.month, h.hi.day) == (12, 31):
                continue  # "2026-2029" says no more than the default
            # an interval written with both ends, starting in the plan's first year
            if h.explicit and h.lo and (plan_start is None or h.lo.year == plan_start) and h.lo.year < plan_end:
                return h.hi
            # "the end of the plan, March 2029"
            before = hits[i - 1] if i else None
            if (before and before.gran == "plan" and h.gran in ("month", "day", "financial_year")
                    and re.fullmatch(r"[\s,:(–—-]*(?:is|was|will\s+be)?\s*", text[before.stop:h.begin])):
                return h.hi
    return None


def plan_years(texts) -> dict[int, Deadline]:
    """The years of the plan as a document defines them, by number.

        >>> key = plan_years(["In the timeline, Year 1 means the 2025/26 academic year, Year 2 means 2026/27."])
        >>> key[2].start, key[2].end
        (datetime.date(2026, 9, 1), datetime.date(2027, 8, 31))
    """
    key: dict[int, Deadline] = {}
    for text in texts:
        matches = list(_PLAN_YEAR_DEF_RX.finditer(text))
        if not matches:
            continue
        # One "academic"/"financial" in the sentence that defines them says which all of them are.
        kind = "academic year " if re.search(r"\bacademic\b", text, re.I) else ""
        for match in matches:
            found = parse_deadline(kind + match.group("period"))
            if found and found.start and found.end:
                key.setdefault(int(match.group("n")), found)
    return key


def parse_plan_year(text: str, key: dict[int, Deadline]) -> Deadline | None:
    """A timescale given in the plan's own years ("Year 1", "Year 2–3"), read with its key.

        >>> key = plan_years(["Year 1 is 2025/26, Year 2 is 2026/27, Year 3 is 2027/28"])
        >>> found = parse_plan_year("Year 2–3", key)
        >>> found.start, found.end
        (datetime.date(2026, 4, 1), datetime.date(2028, 3, 31))
        >>> parse_plan_year("Year 9", key) is None
        True
    """
    match = _PLAN_YEAR_USE_RX.match(text)
    if not match or not key:
        return None
    first, last = int(match.group("a")), int(match.group("b") or match.group("a"))
    if first not in key or last not in key or last < first:
        return None
    granularity = key[first].granularity if first == last else "year_range"
    return Deadline(text=text.strip(), start=key[first].start, end=key[last].end, granularity=granularity)
