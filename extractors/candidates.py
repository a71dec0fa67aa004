"""Candidates and their evidence: every place in a document that could be a priority, a
commitment or a measure, with the features a reader would weigh.

The rule stages (`priorities`, `actions`, `measures`) say what the layouts they know hold; this
module proposes more generously — every heading, list item, "will" sentence, table cell and row —
and describes each candidate by what it is (its words: an instruction verb first, a "will", a
passive, a figure), where it is (under which heading, after which lead-in, in which column of
what kind of table, in a list of how many siblings, a heading that repeats under every section)
and whether a rule stage took it. `extractors/decide.py` scores the candidates with a model
trained on the project's gold (`councilplans train`) and keeps the ones a reader would.

Features are plain ``{name: value}`` dicts, readable on their own (`councilplans debug` prints
them with their weights).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.cleaners import clean_text, strip_bullet
from extractors.deadlines import parse_deadline
from extractors.measures import measure_name
from extractors.nlp import parse
from extractors.patterns import cues, priority_heading_pattern
from extractors.state import State
from extractors.text_cues import WE_WILL, starts_with_commitment_verb, strip_we_will
from schemas.document import Block

KINDS = ("priority", "action", "measure")
MAX_WORDS = {"priority": 40, "action": 120, "measure": 60}


@dataclass
class Candidate:
    kind: str
    text: str  # the record's key text as it would be stored (title / commitment / measure name)
    index: int  # block index in state.blocks
    origin: str  # "rule", "heading", "list_item", "sentence", "paragraph", "cell", "cell_line"
    row: int | None = None  # table row, for cells
    col: int | None = None
    number: str | None = None  # a printed number or code ("1", "SO1", "2.3")
    rule: object | None = None  # the record a rule stage produced for this text, if any
    lead: str | None = None  # for a line of a cell: the line before it that ends ":" ("We will:")
    sentence: str | None = None  # for a measure named inside a sentence: the sentence (its figures)
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    context: dict[str, float] = field(default_factory=dict)  # from the first reading's scores (decide.py)
    raised_from: float | None = None  # its own score, when its list carried it to the threshold (decide._harmonise)


# --------------------------------------------------------------------------- word classes

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
MODALS_OTHER = re.compile(r"\b(?:should|must|could|may|might|would|can|cannot|can't)\b", re.I)
WILL = re.compile(r"\b(?:will|shall)\b", re.I)
WILL_NOT_COMMIT = re.compile(r"\bwill\s+(?:need|have)\s+to\b|\bwill\s+(?:help|be\s+able|likely|enable|allow|mean|result|continue\s+to\s+be\s+a)\b", re.I)
PASSIVE_WILL = re.compile(r"\b(?:will|shall)\s+(?:also\s+|then\s+|now\s+|continue\s+to\s+)?be\s+\w+(?:ed|en|ne|wn|lt|ght)\b", re.I)
WE_WILL_ANY = re.compile(r"\b(?:we|council|partnership|board|partners|authority|kcc|hwb|group|services?|team)\s+will\b", re.I)
INTENT = re.compile(r"\b(?:aim|aims|plan|plans|intend|intends|propose|proposes|commit|commits|committed|pledge|promise|going)\s+to\b", re.I)
PAST = re.compile(r"\b(?:was|were|has\s+been|have\s+been|had|did|achieved|completed|delivered|launched|established|introduced|held|took|made|developed|agreed)\b", re.I)
CONDITIONAL = re.compile(r"\b(?:subject\s+to|where\s+possible|if\s+|unless|when\s+funding)\b", re.I)
PRESENT_DESC = re.compile(r"^(?:the|this|these|it|there|our)\b.*\b(?:is|are|provides|brings|supports|works|includes|has|have)\b", re.I)
# "The Board will maintain oversight", "A Place Plan will be developed": "will" in the main
# clause, its subject opening the sentence (after at most an opening phrase and its comma).
WILL_MAIN = re.compile(
    r"^(?:[^,;:]{0,80},\s*)?(?:(?:the|a|an|our|this|these|that|each|every|all|its|their)\s+)?[\w’'&/-]+(?:\s+[\w’'&/()-]+){0,7}?\s+"
    r"(?:will|shall)\s+(?:also\s+|then\s+|now\s+|further\s+|continue\s+to\s+|jointly\s+|be\s+)?\w+", re.I)
WILL_SUBORDINATE = re.compile(r"\b(?:how|what|that|which|who|whom|where|when|whether|if|once|until|so)\b[^.;:]{0,60}\b(?:will|shall)\b", re.I)
WILL_KNOW = re.compile(r"\bwill\s+(?:know|see|measure|judge|recognise|tell|be\s+able\s+to\s+(?:see|tell))\b", re.I)
SETS_OUT = re.compile(r"\b(?:sets?\s+out|outlines?|describes?|summarises?|explains?|this\s+(?:document|plan|strategy|report)\s+(?:is|will))\b", re.I)
EFFECT_WILL = re.compile(r"\b(?:will|would)\s+(?:help|lead|result|mean|allow|enable|support\s+the|make\s+a|have\s+an?|bring|reduce\s+the\s+need|contribute|benefit)\b", re.I)
NUMBER = re.compile(r"\d")
PERCENT = re.compile(r"%|\bper\s*cent\b|\bpercentage\b", re.I)
MONEY = re.compile(r"£\s*\d|\b\d+(?:\.\d+)?\s*(?:m|bn|million|billion)\b", re.I)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
MEASURE_OPENERS = re.compile(
    r"^(?:the\s+)?(?:number|numbers|proportion|percentage|rate|rates|%|no\.|average|total|level|levels|"
    r"prevalence|uptake|take-up|count|ratio|amount|share|gap|score|time|length|%age)\b", re.I)
MEASURE_WORDS = re.compile(
    r"\b(?:number\s+of|proportion|percentage|rate|rates|per\s+1[,0]*|prevalence|uptake|indicator|measure|kpi|"
    r"ratio|attainment|admissions|deaths|emissions|satisfaction|completion|timeliness|average)\b", re.I)
PRIORITY_WORDS = re.compile(
    r"\b(?:priorit(?:y|ies)|themes?|goals?|objectives?|outcomes?|ambitions?|aims?|pillars?|missions?|"
    r"areas?\s+of\s+focus|focus\s+areas?|strands?|pledges?|promises?|domains?|initiatives?)\b", re.I)
ACTION_CUE = re.compile(
    r"\b(?:we\s+will|will\s+we|actions?|commit(?:ments?|ted)?|what\s+we(?:'ll|\s+will)\s+do|deliver(?:y|ables?)?|"
    r"next\s+steps|plans?\s+for|to\s+do|key\s+activities|we\s+plan|intend|pledges?|promises?)\b", re.I)
MEASURE_CUE = re.compile(
    r"\b(?:measur\w*|indicators?|kpis?|monitor\w*|how\s+we\s+will\s+know|success|performance|scorecard|"
    r"outcomes?\s+framework|dashboard|targets?|metrics?|data)\b", re.I)
RECORD_CUE = re.compile(
    r"\b(?:achiev\w*|did|done|progress|last\s+year|so\s+far|case\s+stud\w*|background|context|introduction|"
    r"summary|foreword|about|appendix|glossary|contents|history|what\s+you\s+told\s+us|feedback|findings?|"
    r"key\s+(?:facts|data|issues|challenges)|where\s+we\s+are|national|evidence|risks?|consultation|minutes)\b", re.I)
# A heading that asks or names the document itself ("What you told us", "Why we need this
# strategy", "About this plan") introduces a part of the document, not a priority of it.
INTERROGATIVE = frozenset({"what", "why", "how", "where", "when", "who", "which", "whose"})
# The plan's statement of vision, mission or values, introduced by its label.
STATEMENT_LABEL = re.compile(r"^\s*(?:our|the|a|shared)?\s*(?:vision|mission|ambition|values|strapline)\b\s*(?:is|for\s+\S+(?:\s+\S+)?)?\s*[:–—-]", re.I)
SELF_REFERENCE = re.compile(r"\b(?:this|the)\s+(?:\w+\s+)?(?:strategy|plan|document|report|framework|programme)\b", re.I)
CODE = re.compile(r"^(?:[A-Z]{1,4}\s?\d{1,2}[a-z]?(?:\.\d{1,2}[a-z]?)*|\d{1,2}(?:\.\d{1,2})+[a-z]?|\d{1,2}[a-z]?|[A-Ha-h])$")
LEADING_NUMBER = re.compile(
    r"^\s*(?:(?:priority|theme|goal|objective|outcome|ambition|aim|pillar|area|strand|pledge|promise|domain|"
    r"strategic\s+(?:objective|priority|aim)|key\s+priority)\s+)?"
    r"(?P<number>[A-Z]{1,4}\s?\d{1,2}[a-z]?(?:\.\d{1,2})*|\d{1,2}(?:\.\d{1,2})*[a-z]?|[A-Ha-h](?=[.)]))"
    r"\s*[.):–—\-]?\s+(?=\S)", re.I)
# "Policy links People SO1: Health and Wellbeing": a table's header and theme cells run into the
# heading of its first row when a page is flattened; the printed code and its colon mark where
# the title starts (a code is letters then digits, "SO1", "CP12").
GLUED_CODE = re.compile(r"^(?:\S+\s+){1,5}?(?P<number>[A-Z]{1,4}\d{1,2}[a-z]?)\s*[:–—]\s+(?=\S)")
NEXT_CODE = re.compile(r"\s[A-Z]{1,4}\d{1,2}[a-z]?\s*:\s")
CODE_TOKEN = re.compile(r"\b[A-Z]{1,4}\d{1,2}[a-z]?\b")
PARAGRAPH_NUMBER = re.compile(r"^\d{1,2}\.\d{1,3}\s+(?=[A-Z])")
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                "eight": "8", "nine": "9", "ten": "10"}


@lru_cache(maxsize=200_000)
def ctext(text: str) -> str:
    """`clean_text`, remembered (block texts are cleaned again for every candidate near them)."""
    return clean_text(text)


@lru_cache(maxsize=50_000)
def has_date(text: str) -> bool:
    """The text names a date or period the deadline grammar reads ("by March 2026", "2024/25")."""
    return parse_deadline(text[:500]) is not None


def words(text: str) -> list[str]:
    return WORD.findall(text)


def split_number(text: str) -> tuple[str | None, str]:
    """A printed number or code before a title, and the title.

    >>> split_number("Priority 2: Children have a healthy childhood")
    ('2', 'Children have a healthy childhood')
    >>> split_number("SO1 Accessible communities")
    ('SO1', 'Accessible communities')
    """
    m = LEADING_NUMBER.match(text)
    if m and len(text[m.end():].split()) >= 1:
        return m.group("number").replace(" ", ""), text[m.end():].strip()
    spelled = priority_heading_pattern().match(text)
    if spelled and spelled.group("title"):
        number = spelled.group("number")
        return NUMBER_WORDS.get(number.lower(), number), spelled.group("title").strip()
    return None, text


def is_code(number: str | None) -> bool:
    """A printed code ("SO1", "CP12a"), as against a plain or dotted number ("2", "1.3")."""
    return bool(number) and re.match(r"^[A-Z]{1,4}\d", number) is not None


def split_code(text: str) -> tuple[str | None, str]:
    """`split_number`, and a printed code after words glued before it.

    >>> split_code("Policy links People SO1: Health and Wellbeing")
    ('SO1', 'Health and Wellbeing')
    >>> split_code("Priority 2: Children have a healthy childhood")
    ('2', 'Children have a healthy childhood')
    """
    number, title = split_number(text)
    if number is None:
        m = GLUED_CODE.match(text)
        if m and len(text[m.end():].split()) >= 1:
            number, title = m.group("number"), text[m.end():].strip()
    if is_code(number):
        # "SO5: Built Environment SO9: Rural Areas": the next coded item ran into this one's line
        nxt = NEXT_CODE.search(title)
        if nxt and nxt.start() > 0:
            title = title[: nxt.start()].strip()
    return number, title


def heading_code(text: str) -> str | None:
    """The printed code a heading carries ("SO6: Natural Environment" -> "SO6"), if any."""
    number, _ = split_code(text)
    return number if is_code(number) else None


def _bucket(n: int, edges=(3, 6, 10, 16, 25, 40, 60)) -> str:
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


@lru_cache(maxsize=1)
def _verbs() -> frozenset[str]:
    """The broad verb lexicon (patterns/verbs.txt) with the commitment verbs."""
    from extractors.patterns import HERE
    from extractors.text_cues import commitment_verbs

    words = set(commitment_verbs())
    for line in (HERE / "verbs.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.update(w.lower() for w in line.split())
    return frozenset(words)


def infinitive_first(text: str) -> bool:
    """The text opens with "To" and a verb: how objectives and aims are written ("To provide
    better job opportunities ...").

    >>> infinitive_first("To protect the best agricultural land"), infinitive_first("To date, 40 homes")
    (True, False)
    """
    ws = text.split()
    return len(ws) > 2 and ws[0].lower() == "to" and first_is_verb(" ".join(ws[1:]))


def first_is_verb(text: str) -> bool:
    """The first word is a base-form verb and the second does not make it a noun ("Use data"
    yes; "Use of data", "Support is" no).

    >>> first_is_verb("Integrate systems and data"), first_is_verb("Support for families")
    (True, False)
    """
    ws = text.split()
    if not ws:
        return False
    first = re.sub(r"[^a-z-]", "", ws[0].lower())
    if first not in _verbs():
        return False
    second = re.sub(r"[^a-z]", "", ws[1].lower()) if len(ws) > 1 else ""
    return second not in {"of", "is", "are", "was", "were", "has", "have", "will", "for", "and"} or first in {"work", "engage"}


def text_features(text: str, prefix: str = "") -> dict[str, float]:
    """What the words alone say (a reader's first glance). Texts beyond 3,000 characters are
    judged by their start (a whole chapter run into one paragraph says no more)."""
    return dict(_text_features(text[:3000], prefix))


@lru_cache(maxsize=50_000)
def _text_features(text: str, prefix: str) -> tuple[tuple[str, float], ...]:
    f: dict[str, float] = {}
    ws = words(text)
    n = len(text.split())
    low = text.lower().strip()
    first = ws[0].lower() if ws else ""
    f[f"{prefix}len={_bucket(n)}"] = 1
    if starts_with_commitment_verb(text):
        f[f"{prefix}verb_first"] = 1
    elif first.endswith("ing") and len(first) > 5:
        f[f"{prefix}gerund_first"] = 1
    if first_is_verb(text):
        f[f"{prefix}verb_word_first"] = 1
    if len(ws) > 1 and ws[0].lower() in {"also", "further", "then", "now", "continue", "jointly", "together"} and first_is_verb(" ".join(ws[1:])):
        f[f"{prefix}verb_word_first"] = 1
    if WE_WILL.match(text):
        f[f"{prefix}we_will_first"] = 1
    elif WE_WILL_ANY.search(text):
        f[f"{prefix}subject_will"] = 1
    if WILL.search(text):
        f[f"{prefix}will"] = 1
    if PASSIVE_WILL.search(text):
        f[f"{prefix}passive_will"] = 1
    if WILL_NOT_COMMIT.search(text):
        f[f"{prefix}will_not_commit"] = 1
    if WILL_MAIN.match(text):
        f[f"{prefix}will_main_clause"] = 1
    if WILL_SUBORDINATE.search(text):
        f[f"{prefix}will_subordinate"] = 1
    if WILL_KNOW.search(text):
        f[f"{prefix}will_know"] = 1
    if SETS_OUT.search(text):
        f[f"{prefix}sets_out"] = 1
    if EFFECT_WILL.search(text):
        f[f"{prefix}will_effect"] = 1
    m = WILL.search(text)
    if m:
        f[f"{prefix}will_at=" + _bucket(len(text[:m.start()].split()), (0, 2, 4, 8, 15))] = 1
    if MODALS_OTHER.search(text):
        f[f"{prefix}other_modal"] = 1
    if INTENT.search(text):
        f[f"{prefix}intent"] = 1
    if PAST.search(text):
        f[f"{prefix}past"] = 1
    if CONDITIONAL.search(text):
        f[f"{prefix}conditional"] = 1
    if PRESENT_DESC.match(text) and not WILL.search(text):
        f[f"{prefix}present_description"] = 1
    if NUMBER.search(text):
        f[f"{prefix}digit"] = 1
    if PERCENT.search(text):
        f[f"{prefix}percent"] = 1
    if MONEY.search(text):
        f[f"{prefix}money"] = 1
    if YEAR.search(text):
        f[f"{prefix}year"] = 1
    if MEASURE_OPENERS.match(low):
        f[f"{prefix}measure_opener"] = 1
    if MEASURE_WORDS.search(text):
        f[f"{prefix}measure_words"] = 1
    if PRIORITY_WORDS.search(text):
        f[f"{prefix}priority_words"] = 1
    if low.endswith(":"):
        f[f"{prefix}ends_colon"] = 1
    elif low.endswith("?"):
        f[f"{prefix}ends_question"] = 1
    elif low.endswith("."):
        f[f"{prefix}ends_period"] = 1
    if text[:1].islower():
        f[f"{prefix}lower_first"] = 1
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        f[f"{prefix}all_caps"] = 1
    if sum(1 for w in ws if w[:1].isupper()) >= max(2, 0.6 * len(ws)):
        f[f"{prefix}title_case"] = 1
    if first in {"we", "our", "us"}:
        f[f"{prefix}first_we"] = 1
    if first in {"the", "this", "these", "it", "there", "that", "those", "a", "an"}:
        f[f"{prefix}first_determiner"] = 1
    if "?" in text:
        f[f"{prefix}question"] = 1
    if re.search(r"https?://|www\.|@\w", text):
        f[f"{prefix}url"] = 1
    if len(ws) < 0.5 * max(1, n):
        f[f"{prefix}few_letters"] = 1
    return tuple(f.items())


def part_features(text: str) -> dict[str, float]:
    """For a priority: the words of a heading that introduces a part of the document."""
    f: dict[str, float] = {}
    ws = words(text[:300])
    if ws and ws[0].lower() in INTERROGATIVE:
        f["first_interrogative"] = 1
    if SELF_REFERENCE.search(text[:300]):
        f["names_the_document"] = 1
    if STATEMENT_LABEL.match(text):
        f["statement_label"] = 1  # "Our vision: a borough where ...", "Our values:"
    return f


def cue_features(text: str | None, prefix: str) -> dict[str, float]:
    """What a heading or lead-in above the candidate announces."""
    return dict(_cue_features(text[:500] if text else text, prefix))


@lru_cache(maxsize=50_000)
def _cue_features(text: str | None, prefix: str) -> tuple[tuple[str, float], ...]:
    if not text:
        return ((f"{prefix}none", 1),)
    f: dict[str, float] = {}
    if ACTION_CUE.search(text):
        f[f"{prefix}action"] = 1
    if MEASURE_CUE.search(text):
        f[f"{prefix}measure"] = 1
    if PRIORITY_WORDS.search(text):
        f[f"{prefix}priority"] = 1
    if RECORD_CUE.search(text):
        f[f"{prefix}record"] = 1
    if WILL.search(text):
        f[f"{prefix}will"] = 1
    if text.rstrip().endswith(":"):
        f[f"{prefix}colon"] = 1
    if priority_heading_pattern().match(text.strip()):
        f[f"{prefix}numbered_priority"] = 1
    return tuple(f.items())


# --------------------------------------------------------------------------- document context

@dataclass
class Context:
    """Per-document facts the features refer to, computed once."""

    headings: list[int | None]  # nearest heading block index per block
    parents: list[list[int]]  # heading chain (outermost first) per block
    lead_in: list[int | None]  # the paragraph ending ":" that introduces a block's list
    runs: dict[int, tuple[int, int]]  # list item index -> (run start, run end)
    heading_counts: Counter
    heading_rank: dict[int, int]  # heading block index -> outline depth (1 = top)
    rule_texts: dict[str, dict[str, object]]  # kind -> normalised text -> rule record
    doc_report: bool
    n_blocks: int
    section_end: dict[int, int]  # heading index -> index of the next heading as large
    actionish: list[int]  # prefix sums: blocks that read as commitments (verb-first item, "will" sentence)
    measureish: list[int]  # prefix sums: blocks that read as indicators
    later_headings: dict[str, int]  # normalised heading text -> last index it heads
    interleaved: set[str]  # repeated heading texts that alternate with other repeated ones (a template)
    first_heading: dict[str, int]  # normalised heading text -> first index
    siblings: dict[int, list[int]]  # heading index -> headings at its depth under the same parent
    numbered_priorities: bool  # the document prints "Priority 1", "Theme 2", "SO3" ... somewhere
    run_cache: dict = field(default_factory=dict)
    template: set[int] = field(default_factory=set)  # heading indexes that are template labels
    code_first: dict[str, int] = field(default_factory=dict)  # printed code -> first heading carrying it
    code_mentions: Counter = field(default_factory=Counter)  # printed code -> blocks that mention it
    doc_planning: bool = False  # a land-use plan: its "will" sentences are mostly policy, not commitments
    doc_inspection: bool = False  # an inspectorate's report on the council: its findings, not the council's plan


@lru_cache(maxsize=100_000)
def key(text: str) -> str:
    """The scorer's normalised form of a text (what pairs with gold)."""
    from pipeline.evaluate import normalise_text

    return normalise_text(text)


def _heading_depths(blocks: list[Block]) -> dict[int, int]:
    """Outline depth of each heading: by the loader's level when it has one, else by font size
    rank, else 1 (numbered "2.1" headings one deeper than "2")."""
    depth: dict[int, int] = {}
    sizes = sorted({round(b.font_size, 1) for b in blocks if b.kind == "heading" and b.font_size}, reverse=True)
    for i, b in enumerate(blocks):
        if b.kind != "heading":
            continue
        if b.level is not None:
            d = b.level
        elif b.font_size and sizes:
            d = sizes.index(round(b.font_size, 1)) + 1
        else:
            # No measured size (plain text): a numbered priority heading or one in capitals
            # outranks a plain heading.
            text = clean_text(b.text)
            d = 1 if priority_heading_pattern().match(text) or (text.isupper() and len(text) > 3) else 2
        number, _ = split_number(clean_text(b.text))
        if number and "." in number:
            d += number.count(".")
        depth[i] = d
    return depth


def build_context(state: State) -> Context:
    blocks = list(state.blocks)
    depth = _heading_depths(blocks)
    headings: list[int | None] = []
    parents: list[list[int]] = []
    chain: list[int] = []
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            d = depth[i]
            chain = [h for h in chain if depth[h] < d]
            parents.append(list(chain))
            headings.append(chain[-1] if chain else None)
            chain.append(i)
        else:
            parents.append(list(chain))
            headings.append(chain[-1] if chain else None)
    lead_in: list[int | None] = [None] * len(blocks)
    runs: dict[int, tuple[int, int]] = {}
    i = 0
    while i < len(blocks):
        if blocks[i].kind == "list_item":
            j = i
            while j < len(blocks) and blocks[j].kind == "list_item":
                j += 1
            lead = i - 1 if i > 0 and blocks[i - 1].kind in ("paragraph", "heading") else None
            for k in range(i, j):
                runs[k] = (i, j)
                lead_in[k] = lead
            i = j
        else:
            i += 1
    counts = Counter(key(clean_text(b.text)) for b in blocks if b.kind == "heading")
    rule_texts = {
        "priority": {key(p.title): p for p in state.priorities},
        "action": {key(a.text): a for a in state.actions},
        "measure": {key(m.name): m for m in state.measures},
    }
    title = " ".join(b.text for b in blocks[:8])
    report = bool(re.search(r"\b(?:report|minutes|inspection|assessment|decision|cabinet|committee)\b", title, re.I))
    section_end: dict[int, int] = {}
    open_headings: list[int] = []
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            while open_headings and depth[open_headings[-1]] >= depth[i]:
                section_end[open_headings.pop()] = i
            open_headings.append(i)
    for h in open_headings:
        section_end[h] = len(blocks)
    actionish, measureish = [0], [0]
    for b in blocks:
        t = strip_bullet(clean_text(b.text)) if b.kind != "table" else ""
        a = b.kind in ("list_item", "paragraph") and (first_is_verb(t) or bool(WE_WILL_ANY.search(t)) or bool(WE_WILL.match(t)))
        m = b.kind == "list_item" and bool(MEASURE_OPENERS.match(t.lower()) or MEASURE_WORDS.search(t))
        if b.kind == "table" and b.table is not None:
            a = any(first_is_verb(clean_text(c.text)) or WILL.search(c.text) for r in b.table.rows for c in r.cells)
        actionish.append(actionish[-1] + int(a))
        measureish.append(measureish[-1] + int(m))
    later = {key(clean_text(b.text)): i for i, b in enumerate(blocks) if b.kind == "heading"}
    first: dict[str, int] = {}
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            first.setdefault(key(clean_text(b.text)), i)
    # "Where we are now / What we will do / How we will know" under every chapter alternate
    # (A B C A B C); a chapter title printed on each of its pages repeats in one run (A A A).
    sequence = [key(clean_text(b.text)) for b in blocks if b.kind == "heading" and counts[key(clean_text(b.text))] >= 2]
    runs_of = Counter(k for n, k in enumerate(sequence) if n == 0 or sequence[n - 1] != k)
    interleaved = {k for k, n in runs_of.items() if n >= 2}
    # ... or a sub-heading that recurs under different larger headings ("Where we are now" under
    # "Priority 1" and again under "Priority 2").
    last_seen: dict[str, int] = {}
    heading_ids = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    for pos, i in enumerate(heading_ids):
        k = key(ctext(blocks[i].text))
        if counts[k] < 2:
            continue
        if k in last_seen and any(depth[j] < depth[i] and key(ctext(blocks[j].text)) != k
                                  for j in heading_ids[last_seen[k] + 1:pos]):
            interleaved.add(k)
        last_seen[k] = pos
    # A heading that carries a printed code ("SO6: Natural Environment") and repeats is the code's
    # definition the first time and a cross-reference after (the objectives each policy links to,
    # listed under every policy): its first occurrence is not a template label.
    codes = {i: heading_code(ctext(blocks[i].text)) for i in heading_ids}
    code_first: dict[str, int] = {}
    for i in heading_ids:
        if codes[i]:
            code_first.setdefault(codes[i], i)
    # A line that is only a code ("CP6") is a table cell read as a heading, not a label.
    template = {i for i in heading_ids if key(ctext(blocks[i].text)) in interleaved
                and not CODE_TOKEN.fullmatch(ctext(blocks[i].text).strip())
                and not (codes[i] and code_first[codes[i]] == i)}
    code_mentions: Counter = Counter()
    for b in blocks:
        text = b.text
        if b.kind == "table" and b.table is not None:
            text = " ".join([*(h or "" for h in b.table.header), *(c.text for r in b.table.rows for c in r.cells)])
        code_mentions.update(set(CODE_TOKEN.findall(text)))
    groups: dict[tuple[int, int | None], list[int]] = {}
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            parent = parents[i][-1] if parents[i] else None
            groups.setdefault((depth[i], parent), []).append(i)
    siblings = {i: members for members in groups.values() for i in members}
    numbered = sum(1 for b in blocks if b.kind != "table" and priority_heading_pattern().match(clean_text(b.text))) >= 2
    return Context(headings, parents, lead_in, runs, counts, depth, rule_texts, report, len(blocks),
                   section_end, actionish, measureish, later, interleaved, first, siblings, numbered,
                   doc_planning=is_planning_document(blocks), doc_inspection=is_inspection_report(blocks),
                   template=template, code_first=code_first, code_mentions=code_mentions)


PLANNING_GENRE = re.compile(
    r"\b(?:local\s+plan|core\s+strategy|planning\s+strategy|development\s+plan|site\s+allocations?|spatial\s+(?:plan|strategy)"
    r"|local\s+development\s+framework|neighbourhood\s+plan|planning\s+polic(?:y|ies))\b", re.I)
POLICY_LABEL = re.compile(r"\bPolicy\s+[A-Z]{1,4}\s?\d{1,2}[a-z]?\b")


def _opening(blocks) -> str:
    """The document's first thirty blocks, up to 4,000 characters: where it says what it is."""
    return " ".join(b.text for b in blocks[:30])[:4000]


def is_planning_document(blocks) -> bool:
    """A land-use plan (local plan, core strategy): its title names the genre and its opening
    names it again, or the opening names it three times or more, or it prints ten or more
    labelled policies ("Policy H3"). A housing or school-place strategy that cites the local
    plan and planning policy in its opening is not one. A plan's "will" sentences mostly say
    what development will be required to do, which a reader does not take as the council's
    promise."""
    opening = _opening(blocks)
    named = len(PLANNING_GENRE.findall(opening))
    if named >= 3 or (named >= 2 and PLANNING_GENRE.search(" ".join(b.text for b in blocks[:3])[:300])):
        return True
    labels = {m.group(0) for b in blocks if b.kind != "table" for m in POLICY_LABEL.finditer(b.text[:2000])}
    return len(labels) >= 10


INSPECTION = re.compile(r"\binspect(?:ion|ions|ors?|ed)\b", re.I)
INSPECTION_MASTHEAD = re.compile(r"\b(?:lead\s+inspector|inspection\s+dates?)\b", re.I)


def is_inspection_report(blocks) -> bool:
    """A report by an inspectorate on the council (Ofsted, CQC): its opening prints the masthead
    ("Inspection dates: ...", "Lead inspector: ...") and speaks of the inspection three times or
    more. Its headings are judgements and findings; a plan written in reply to one is the
    council's own and does not print that masthead."""
    opening = _opening(blocks)
    return bool(INSPECTION_MASTHEAD.search(opening)) and len(INSPECTION.findall(opening)) >= 3


# --------------------------------------------------------------------------- generation

def _sentences(text: str) -> list[str]:
    return list(_split_sentences(text))


@lru_cache(maxsize=20_000)
def _split_sentences(text: str) -> tuple[str, ...]:
    doc = parse(text)
    out = []
    for sent in doc.sents:
        s = sent.text.strip()
        if out and s[:1].islower():
            out[-1] = out[-1] + " " + s
        elif s:
            out.append(s)
    return tuple(out)


def _action_text(text: str) -> str:
    text = clean_text(strip_bullet(text))
    text = strip_we_will(text) if WE_WILL.match(text) else text
    text = text.rstrip(" :;")
    return text[:1].upper() + text[1:] if text else text


def _measure_text(text: str) -> str:
    return clean_text(strip_bullet(text)).rstrip(" :;")


def generate(state: State, ctx: Context | None = None) -> list[Candidate]:
    """Every candidate priority, action and measure in the document, with its features."""
    ctx = ctx or build_context(state)
    blocks = state.blocks
    out: list[Candidate] = []
    _COLUMN_CACHE.clear()  # keyed by object id: valid only while this document's blocks are alive

    def add(kind: str, text: str, index: int, origin: str, **kw) -> None:
        text = text.strip()
        n = len(text.split())
        if n < 2 and kind != "priority":
            return
        if not text or n > MAX_WORDS[kind]:
            return
        out.append(Candidate(kind=kind, text=text, index=index, origin=origin, **kw))

    def add_named_measure(text: str, index: int, **kw) -> None:
        """A measure stated as a sentence or labelled figures is proposed by its name too."""
        name = measure_name(strip_bullet(text)) if NUMBER.search(text) or MEASURE_WORDS.search(text) else None
        if name:
            add("measure", name.rstrip(" :;"), index, "measure_name", sentence=text, **kw)

    for i, block in enumerate(blocks):
        text = clean_text(block.text)
        if block.kind == "table" and block.table is not None:
            # A plan on a page prints its priorities as the header of a grid ("Priority 1 ... |
            # Priority 2 – ..."): header cells are candidate priorities too.
            for c, head in enumerate(block.table.header):
                htext = clean_text(head or "")
                if htext and len(htext.split()) >= 2:
                    number, title = split_number(htext)
                    add("priority", title, i, "header_cell", col=c, number=number)
            for r, row in enumerate(block.table.rows):
                for c, cell in enumerate(row.cells):
                    ctext = clean_text(cell.text)
                    if not ctext:
                        continue
                    number, title = split_number(ctext)
                    add("priority", title, i, "cell", row=r, col=c, number=number)
                    add("action", _action_text(ctext), i, "cell", row=r, col=c)
                    add("measure", _measure_text(ctext), i, "cell", row=r, col=c)
                    add_named_measure(ctext, i, row=r, col=c)
                    lines = [clean_text(x) for x in cell.lines if clean_text(x)]
                    if len(lines) >= 2:
                        lead = None  # a cell may hold its own lead-in and list ("We will:" + items)
                        for line in lines:
                            if len(line.split()) >= 3:
                                add("action", _action_text(line), i, "cell_line", row=r, col=c, lead=lead)
                                add("measure", _measure_text(line), i, "cell_line", row=r, col=c, lead=lead)
                                add_named_measure(line, i, row=r, col=c)
                            if line.endswith(":"):
                                lead = line
                    sents = _sentences(ctext)
                    if len(sents) >= 2:
                        for s in sents:
                            if WILL.search(s) or starts_with_commitment_verb(s):
                                add("action", _action_text(s), i, "cell_sentence", row=r, col=c)
            continue
        if not text:
            continue
        if block.kind == "heading":
            number, title = split_code(strip_bullet(text))
            add("priority", title, i, "heading", number=number)
            add("action", _action_text(text), i, "heading")
            add("measure", _measure_text(text), i, "heading")
            continue
        if block.kind == "list_item":
            item = strip_bullet(text)
            number, title = split_number(item)
            if block.marker and not number:
                m = re.match(r"^\(?([A-Za-z]?\d{1,2}(?:\.\d{1,2})*|[a-hA-H])[.)]?$", block.marker.strip())
                number = m.group(1) if m else None
            add("priority", title, i, "list_item", number=number)
            add("action", _action_text(item), i, "list_item")
            add("measure", _measure_text(item), i, "list_item")
            sents = _sentences(item)
            add_named_measure(sents[0] if sents else item, i)
            if len(sents) >= 2:
                for s in sents:
                    add("action", _action_text(s), i, "sentence")
                add("priority", sents[0].rstrip("."), i, "first_sentence", number=number)
            # "Name – long description" or "Name: description": the name alone
            parts = re.split(r"\s+[–—-]\s+|:\s+", title, maxsplit=1)
            if len(parts) == 2 and len(parts[0].split()) <= 10:
                add("priority", parts[0], i, "list_name", number=number)
                if len(parts[0].split()) <= 3 and len(parts[1].split()) >= 2:
                    add("priority", parts[1], i, "list_after_key", number=number)
            continue
        # paragraphs
        number, title = split_number(text)
        if len(text.split()) <= 30:
            add("priority", title, i, "paragraph", number=number)
            add("measure", _measure_text(text), i, "paragraph")
        sents = _sentences(text)
        for k, s in enumerate(sents):
            # "4.19 We will look to develop ...": a numbered paragraph's number is not the commitment's
            add("action", _action_text(PARAGRAPH_NUMBER.sub("", s, count=1) if k == 0 else s), i,
                "sentence" if len(sents) > 1 else "paragraph")
            add_named_measure(s, i)
        if len(sents) >= 2:
            add("priority", sents[0].rstrip("."), i, "first_sentence", number=number)

    # What the rule stages found, merged into the candidates with the same text (or added).
    index_of = {b.id: k for k, b in enumerate(blocks)}
    by_key: dict[tuple[str, str], list[Candidate]] = {}
    for cand in out:
        by_key.setdefault((cand.kind, key(cand.text)), []).append(cand)
    for kind, records in (("priority", state.priorities), ("action", state.actions), ("measure", state.measures)):
        for record in records:
            text = {"priority": "title", "action": "text", "measure": "name"}[kind]
            k = key(getattr(record, text))
            idx = index_of.get(record.provenance.block_id, 0)
            found = [c for c in by_key.get((kind, k), []) if c.index == idx] or by_key.get((kind, k), [])
            if found:
                for c in found:
                    c.rule = record
            else:
                cand = Candidate(kind=kind, text=getattr(record, text), index=idx, origin="rule", rule=record,
                                 number=getattr(record, "number", None))
                out.append(cand)
                by_key.setdefault((kind, k), []).append(cand)
    # The same text proposed twice from one block is one candidate.
    seen: dict[tuple[str, int, str], Candidate] = {}
    unique = []
    for cand in out:
        k = (cand.kind, cand.index, key(cand.text))
        if not k[2]:
            continue
        if k in seen:
            if cand.rule is not None:
                seen[k].rule = cand.rule
            continue
        seen[k] = cand
        unique.append(cand)
    for cand in unique:
        cand.features = features(cand, state, ctx)
    return unique


# --------------------------------------------------------------------------- features

_COLUMN_CACHE: dict[tuple[int, int], tuple[object, dict[str, float]]] = {}


def _table_column_features(block: Block, col: int, kind: str) -> dict[str, float]:
    """What a table column holds (dates, instructions, figures, indicators), computed once per
    column and shared by its cells. (The cache holds the table itself: an id is reused once its
    object is freed, and another document's table must not answer for this one.)"""
    cache_key = (id(block.table), col)
    cached = _COLUMN_CACHE.get(cache_key)
    if cached is None or cached[0] is not block.table:
        if len(_COLUMN_CACHE) > 5000:
            _COLUMN_CACHE.clear()
        cached = _COLUMN_CACHE[cache_key] = (block.table, _column_features(block, col))
    return dict(cached[1])


def _column_features(block: Block, col: int) -> dict[str, float]:
    table = block.table
    f: dict[str, float] = {}
    ncols = max((len(r.cells) for r in table.rows), default=0)
    f["table_cols=" + _bucket(ncols, (1, 2, 3, 4, 6))] = 1
    f["col=" + ("first" if col == 0 else "last" if col == ncols - 1 else "middle")] = 1
    cells = [clean_text(r.cells[col].text) for r in table.rows if col < len(r.cells) and clean_text(r.cells[col].text)]
    if cells:
        verb = sum(1 for c in cells if starts_with_commitment_verb(strip_bullet(c)) or WE_WILL.match(c)) / len(cells)
        will = sum(1 for c in cells if WILL.search(c)) / len(cells)
        digits = sum(1 for c in cells if NUMBER.search(c)) / len(cells)
        dates = sum(1 for c in cells if has_date(c)) / len(cells)
        mean_words = sum(len(c.split()) for c in cells) / len(cells)
        measure = sum(1 for c in cells if MEASURE_OPENERS.match(c.lower()) or MEASURE_WORDS.search(c)) / len(cells)
        f["col_verb_share"] = verb
        f["col_will_share"] = will
        f["col_digit_share"] = digits
        f["col_date_share"] = dates
        f["col_measure_share"] = measure
        f["col_words=" + _bucket(int(mean_words), (2, 4, 8, 15, 30))] = 1
        # the column with the longest texts in its table
        means = []
        for c2 in range(ncols):
            cs = [clean_text(r.cells[c2].text) for r in table.rows if c2 < len(r.cells) and clean_text(r.cells[c2].text)]
            means.append(sum(len(x.split()) for x in cs) / len(cs) if cs else 0)
        if means and max(means) == means[col]:
            f["col_longest"] = 1
    header = table.header[col] if col < len(table.header) else ""
    if not header and table.rows and col < len(table.rows[0].cells):
        header = ""
    f.update(cue_features(header, "header_"))
    all_header = " ".join(table.header)
    f.update({k.replace("header_", "table_header_"): v for k, v in cue_features(all_header, "header_").items()})
    return f


def _run_features(ctx: Context, blocks, start: int, end: int) -> dict[str, float]:
    """What a list's items hold together (instructions, "will", indicators, names restated later
    as headings), computed once per list."""
    cached = ctx.run_cache.get((start, end))
    if cached is not None:
        return cached
    f: dict[str, float] = {}
    items = [strip_bullet(ctext(blocks[k].text)) for k in range(start, end)]
    f["run=" + _bucket(end - start, (1, 2, 4, 7, 12, 20))] = 1
    f["run_verb_share"] = sum(1 for t in items if starts_with_commitment_verb(t) or WE_WILL.match(t)) / len(items)
    f["run_will_share"] = sum(1 for t in items if WILL.search(t)) / len(items)
    f["run_measure_share"] = sum(1 for t in items if MEASURE_OPENERS.match(t.lower()) or MEASURE_WORDS.search(t)) / len(items)
    f["run_short_share"] = sum(1 for t in items if len(t.split()) <= 12) / len(items)
    if ctx.doc_planning:
        f["run_infinitive_share"] = sum(1 for t in items if infinitive_first(t)) / len(items)
    restated = 0
    for k, item in zip(range(start, end), items):
        names = {key(item)} | {key(p) for p in re.split(r"\s+[–—-]\s+|:\s+", item, maxsplit=1)}
        if any(ctx.later_headings.get(n, -1) > k for n in names if n):
            restated += 1
    f["run_restated_share"] = restated / len(items)
    ctx.run_cache[(start, end)] = f
    return f


def features(cand: Candidate, state: State, ctx: Context) -> dict[str, float]:
    blocks = state.blocks
    block = blocks[cand.index]
    f: dict[str, float] = {"bias": 1.0}
    f[f"origin={cand.origin}"] = 1
    f[f"kind={block.kind}"] = 1
    if cand.rule is not None:
        f["rule"] = 1
    f.update(text_features(cand.text))
    if ctx.doc_planning and infinitive_first(cand.text):
        # "To maintain a good supply of land ...": how a land-use plan writes its objectives
        # (read in plans only: in strategies the form is as often a commitment or an outcome)
        f["infinitive_first"] = 1
    if cand.kind == "priority":
        f.update(part_features(cand.text))
    source = clean_text(block.text)
    if cand.origin in ("sentence", "cell_sentence", "first_sentence", "list_name", "list_after_key", "measure_name"):
        f["part_of_block"] = 1
        f.update(text_features(source, "block_") if block.kind != "table" else {})
    if block.kind != "table":
        # "Strategic Objective SO1: Accessible communities", "Priority 2 – ...": the block names
        # itself a priority in the words before the title.
        label = source[: max(0, source.find(cand.text[:20]))] if cand.text[:20] in source else ""
        if label and PRIORITY_WORDS.search(label):
            f["labelled_as_priority"] = 1
    elif cand.row is None and cand.col is not None and cand.col < len(block.table.header):
        head = clean_text(block.table.header[cand.col] or "")
        if PRIORITY_WORDS.search(head[: max(0, head.find(cand.text[:20]))] if cand.text[:20] in head else ""):
            f["labelled_as_priority"] = 1
    if cand.number:
        f["numbered"] = 1
        if is_code(cand.number):
            f["code"] = 1
            # a code the document cites elsewhere ("Key objective links: SO1, SO4") names
            # something other parts hang from; the first heading to carry it defines it
            cited = max(0, ctx.code_mentions.get(cand.number, 0) - 1)  # less the block it stands in
            f["code_cited=" + _bucket(cited, (0, 2, 6))] = 1
            if ctx.code_first.get(cand.number) == cand.index:
                f["code_first_heading"] = 1
        if "." in cand.number:
            f["dotted_number"] = 1
    if block.bold:
        f["bold"] = 1
    if block.kind == "heading":
        depth = ctx.heading_rank.get(cand.index, 1)
        f[f"heading_depth={min(depth, 4)}"] = 1
        count = ctx.heading_counts.get(key(source), 1)
        if count >= 2:
            f["heading_repeats"] = 1
            f["heading_interleaved" if cand.index in ctx.template else "heading_repeats_in_one_run"] = 1
            if ctx.first_heading.get(key(source)) == cand.index:
                f["heading_first_occurrence"] = 1
        siblings = ctx.siblings.get(cand.index, [cand.index])
        f["siblings=" + _bucket(len(siblings), (1, 2, 4, 6, 9, 14))] = 1
        repeated = sum(1 for k in siblings if k in ctx.template)
        if siblings and repeated / len(siblings) >= 0.5:
            f["sibling_headings_repeat"] = 1
        with_actions = sum(1 for k in siblings if ctx.actionish[ctx.section_end.get(k, k + 1)] - ctx.actionish[k + 1] > 0)
        f["siblings_with_actions_share"] = with_actions / len(siblings)
        # does a repeated (template) heading sit under this one?
        end = next((k for k in range(cand.index + 1, len(blocks)) if blocks[k].kind == "heading"
                    and ctx.heading_rank.get(k, 1) <= depth), len(blocks))
        if any(k in ctx.template for k in range(cand.index + 1, min(end, cand.index + 60))):
            f["template_under"] = 1
        span = end - cand.index
        f["section_blocks=" + _bucket(span, (1, 3, 8, 20, 50))] = 1
        inside = ctx.actionish[end] - ctx.actionish[cand.index + 1]
        f["section_actions=" + _bucket(inside, (0, 1, 3, 6, 12))] = 1
        f["section_measures=" + _bucket(ctx.measureish[end] - ctx.measureish[cand.index + 1], (0, 2, 5))] = 1
    # the heading above
    head = ctx.headings[cand.index]
    if block.kind == "heading":
        head = ctx.parents[cand.index][-1] if ctx.parents[cand.index] else None
    f.update(cue_features(ctext(blocks[head].text) if head is not None else None, "head_"))
    if head is not None and head in ctx.template:
        f["head_is_template"] = 1
    # the rule stages' view of the section
    section = state.sections[cand.index] if cand.index < len(state.sections) else None
    if section is not None:
        f[f"section={section.kind}"] = 1
        if section.cue is not None:
            f.update(cue_features(ctext(blocks[section.cue].text), "cue_"))
    if block.kind == "list_item":
        start, end = ctx.runs.get(cand.index, (cand.index, cand.index + 1))
        f.update(_run_features(ctx, blocks, start, end))
        f["list_level=" + str(min(block.level or 0, 3))] = 1
        marker = (block.marker or "").strip()
        if re.match(r"^\(?\d", marker):
            f["marker=number"] = 1
        elif re.match(r"^\(?[a-zA-Z][.)]", marker):
            f["marker=letter"] = 1
        elif marker:
            f["marker=glyph"] = 1
        lead = ctx.lead_in[cand.index]
        if lead is not None:
            f.update(cue_features(ctext(blocks[lead].text), "lead_"))
        else:
            f["lead_none"] = 1
    elif block.kind == "paragraph":
        prev = blocks[cand.index - 1] if cand.index > 0 else None
        if prev is not None and prev.kind == "paragraph" and clean_text(prev.text).endswith(":"):
            f.update(cue_features(clean_text(prev.text), "lead_"))
        n_sents = len(_sentences(source)) if len(source) < 3000 else 10
        f["block_sentences=" + _bucket(n_sents, (1, 2, 4, 8))] = 1
    elif block.kind == "table" and cand.col is not None:
        f.update(_table_column_features(block, cand.col, cand.kind))
        if cand.lead:  # a line under a lead-in inside its cell reads like an item of a list under it
            f.update(cue_features(cand.lead, "lead_"))
            f["cell_lead_in"] = 1
        if cand.kind == "priority":
            cells = [key(clean_text(r.cells[cand.col].text)) for r in block.table.rows if cand.col < len(r.cells)]
            cells = [c for c in cells if c]
            if cells:
                f["col_restated_share"] = sum(1 for c in cells if ctx.later_headings.get(c, -1) > cand.index) / len(cells)
                f["col_distinct_share"] = len(set(cells)) / len(cells)
        if cand.row is None:  # a header cell
            others = [clean_text(h) for k, h in enumerate(block.table.header) if k != cand.col and clean_text(h or "")]
            f["header_cells=" + _bucket(len(others) + 1, (1, 2, 4, 7))] = 1
            f["header_numbered_share"] = sum(1 for h in others if split_number(h)[0]) / max(1, len(others))
        else:
            row = block.table.rows[cand.row]
            others = [clean_text(c.text) for k, c in enumerate(row.cells) if k != cand.col and clean_text(c.text)]
        if any(has_date(o) for o in others):
            f["row_has_date"] = 1
        if any(PERCENT.search(o) or re.fullmatch(r"[\d.,%£\s-]+", o) for o in others):
            f["row_has_figure"] = 1
        if len(others) == 0:
            f["row_single_cell"] = 1
    if ctx.doc_report:
        f["doc_report"] = 1
    if ctx.doc_planning:
        f["doc_planning"] = 1
    if ctx.doc_inspection:
        f["doc_inspection"] = 1
    if ctx.numbered_priorities:
        f["doc_numbers_priorities"] = 1
    if cand.kind == "priority" and block.kind != "heading":
        later = ctx.later_headings.get(key(cand.text))
        if later is not None and later > cand.index:
            f["restated_as_heading_later"] = 1
    if cand.kind == "action" and has_date(cand.text):
        f["has_deadline"] = 1
    return {k: float(v) for k, v in f.items() if v}
