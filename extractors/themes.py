"""Themes: what a commitment, priority or measure is about, from the taxonomy in
patterns/themes.yaml, with the words that matched kept as evidence.

Matching is spaCy's PhraseMatcher over each token's NORM, which this module sets to a
normalised form of the word (there is no trained pipeline, so no lemmatizer): lower case,
singular ("carers" -> "carer", "policies" -> "policy", "children" -> "child"), without a
possessive "'s". Words are runs of letters and digits, so hyphens, slashes and apostrophes
separate them ("care-experienced" = "care experienced", "SEN/Inclusion" = "SEN Inclusion").
A term written in capitals (SEND, EHCP) is an acronym and matches only in capitals; a query a
person types (`query_topic`) matches acronyms in any case.

>>> [m.theme for m in match_themes("Harmonise and improve the Foster Care offer")]
['fostering']
>>> themes_of("Implement foster carer recruitment and retention strategy")
['fostering']
>>> themes_of("We will send a newsletter")
[]
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from extractors.nlp import nlp
from extractors.patterns import HERE, PatternFileError

THEMES_FILE = HERE / "themes.yaml"
GROUPS = ("children", "council")
WORD = re.compile(r"[^\W_]+(?:['’][sS]\b)?")
IRREGULAR = {"children": "child", "people": "person", "women": "woman", "men": "man", "mice": "mouse",
             "feet": "foot", "teeth": "tooth", "lives": "life", "wives": "wife", "halves": "half", "staff": "staff"}
# Words a query may carry that are not its topic ("commitments on school attendance").
QUERY_STOPWORDS = frozenset("""a an and are as at be by commitment commitments council councils do does
for from has have how in into is it its of on or our plan plans that the their them there these they this
to topic was we were what when where which who will with about""".split())


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    label: str
    group: str
    description: str
    terms: list[str]
    unless: list[str] = []

    @field_validator("terms")
    @classmethod
    def has_terms(cls, value: list[str]) -> list[str]:
        value = [str(v).strip() for v in value if str(v).strip()]
        if not value:
            raise ValueError("must list at least one term")
        return value

    @field_validator("group")
    @classmethod
    def known_group(cls, value: str) -> str:
        if value not in GROUPS:
            raise ValueError(f"unknown group {value!r}; allowed: {', '.join(GROUPS)}")
        return value


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    themes: list[Theme]

    @field_validator("themes")
    @classmethod
    def unique_names(cls, value: list[Theme]) -> list[Theme]:
        seen: set[str] = set()
        for theme in value:
            if theme.name in seen:
                raise ValueError(f"theme {theme.name!r} is listed twice")
            seen.add(theme.name)
        if not value:
            raise ValueError("must list at least one theme")
        return value


class ThemeMatch(NamedTuple):
    theme: str
    start: int  # character offsets in the text matched
    end: int
    text: str  # the words as they are printed: the evidence


def singular(word: str) -> str:
    """A word's normal form for matching: lower case, singular, no possessive.

    >>> [singular(w) for w in ["Carers", "policies", "children's", "classes", "status", "buses", "SEND"]]
    ['carer', 'policy', 'child', 'class', 'status', 'bus', 'send']
    """
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if w in IRREGULAR:
        return IRREGULAR[w]
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes", "uses")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")):
        return w[:-1]
    return w


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and len(word) <= 6


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


def _doc(words: list[str], *, keep_acronyms: bool) -> Doc:
    doc = Doc(nlp().vocab, words=words or [""], spaces=[True] * max(len(words), 1))
    for token, word in zip(doc, words):
        if keep_acronyms and _is_acronym(word):
            token.norm_ = word
        elif keep_acronyms and word.endswith("s") and _is_acronym(word[:-1]):
            token.norm_ = word[:-1]  # "EHCPs" is the plural of "EHCP"
        else:
            token.norm_ = singular(word)
    return doc


def load_taxonomy(path: Path = THEMES_FILE) -> Taxonomy:
    try:
        return Taxonomy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise PatternFileError(f"{path}: {exc}") from exc


class ThemeMatcher:
    """The taxonomy compiled into PhraseMatchers: acronym terms (case kept), other terms and
    `unless` phrases (case ignored), and every term with case ignored for queries."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self.themes = {t.name: t for t in taxonomy.themes}
        self.order = {t.name: k for k, t in enumerate(taxonomy.themes)}
        vocab = nlp().vocab
        self.acronyms = PhraseMatcher(vocab, attr="NORM")
        self.plain = PhraseMatcher(vocab, attr="NORM")
        self.unless = PhraseMatcher(vocab, attr="NORM")
        self.query = PhraseMatcher(vocab, attr="NORM")
        for theme in taxonomy.themes:
            acronym, plain, query = [], [], []
            for term in theme.terms:
                words = [w for _, _, w in _words(term)]
                if not words:
                    raise PatternFileError(f"{THEMES_FILE}: theme {theme.name!r}: term {term!r} has no words")
                if any(_is_acronym(w) for w in words):
                    acronym.append(_doc(words, keep_acronyms=True))
                else:
                    plain.append(_doc(words, keep_acronyms=False))
                query.append(_doc(words, keep_acronyms=False))
            for name in (theme.name, theme.label):  # a question may name the theme itself
                query.append(_doc([w for _, _, w in _words(name)], keep_acronyms=False))
            if acronym:
                self.acronyms.add(theme.name, acronym)
            if plain:
                self.plain.add(theme.name, plain)
            self.query.add(theme.name, query)
            unless = [_doc([w for _, _, w in _words(p)], keep_acronyms=False) for p in theme.unless if _words(p)]
            if unless:
                self.unless.add(theme.name, unless)

    def matches(self, text: str) -> list[ThemeMatch]:
        """Every theme's evidence in `text`: the longest non-overlapping matches of each theme,
        leaving out those inside one of the theme's `unless` phrases."""
        if not text:
            return []
        spans = _words(text)
        words = [w for _, _, w in spans]
        cased = _doc(words, keep_acronyms=True)
        lowered = _doc(words, keep_acronyms=False)
        vocab_strings = nlp().vocab.strings
        excluded: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self.unless(lowered):
            excluded.setdefault(vocab_strings[match_id], []).append((start, end))
        found: dict[str, list] = {}
        for matcher, doc in ((self.acronyms, cased), (self.plain, lowered)):
            for match_id, start, end in matcher(doc):
                theme = vocab_strings[match_id]
                if any(s <= start and end <= e for s, e in excluded.get(theme, [])):
                    continue
                found.setdefault(theme, []).append(lowered[start:end])
        out = []
        for theme, theme_spans in found.items():
            for span in filter_spans(theme_spans):
                start, end = spans[span.start][0], spans[span.end - 1][1]
                out.append(ThemeMatch(theme, start, end, text[start:end]))
        return sorted(out, key=lambda m: (self.order[m.theme], m.start))

    def query_topic(self, query: str) -> tuple[list[str], str]:
        """A question's themes and the words left over once the themes' terms are taken out.

        The themes are those whose terms (in any case) cover words of the query; what is left,
        without filler words, is for full-text search: ("foster carers in Leeds") ->
        (["fostering"], "Leeds")."""
        spans = _words(query or "")
        words = [w for _, _, w in spans]
        if not words:
            return [], ""
        doc = _doc(words, keep_acronyms=False)
        strings = nlp().vocab.strings
        by_span: dict[tuple[int, int], set[str]] = {}
        for match_id, start, end in self.query(doc):
            by_span.setdefault((start, end), set()).add(strings[match_id])
        # The longest matches say which words are covered; every theme matched inside them counts
        # ("foster carer recruitment" names placement sufficiency and, within it, fostering).
        kept = filter_spans([doc[start:end] for start, end in by_span])
        covered: set[int] = set()
        themes: set[str] = set()
        for span in kept:
            covered.update(range(span.start, span.end))
            for (start, end), names in by_span.items():
                if span.start <= start and end <= span.end:
                    themes |= names
        themes = sorted(themes, key=self.order.get)
        rest = [w for k, w in enumerate(words) if k not in covered and w.lower() not in QUERY_STOPWORDS]
        return themes, " ".join(rest)


@lru_cache(maxsize=1)
def matcher() -> ThemeMatcher:
    return ThemeMatcher(load_taxonomy())


@lru_cache(maxsize=1)
def taxonomy_version() -> str:
    """Changes whenever themes.yaml changes (stored themes are recomputed when it does)."""
    return hashlib.sha256(THEMES_FILE.read_bytes()).hexdigest()[:16]


def match_themes(text: str | None) -> list[ThemeMatch]:
    return matcher().matches(text or "")


def themes_of(text: str | None) -> list[str]:
    """Theme names for `text`, in the taxonomy's order."""
    return list(dict.fromkeys(m.theme for m in match_themes(text)))


def query_topic(query: str | None) -> tuple[list[str], str]:
    return matcher().query_topic(query or "")


def theme_list() -> list[Theme]:
    return list(matcher().taxonomy.themes)
