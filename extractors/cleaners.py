"""Cleaners: small `str -> str` functions, each with an example in its docstring."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Bullet glyphs seen in council documents and PDF-to-text output (incl. Symbol-font private use).
BULLETS = "•●▪◦‣∙·○■□➢➤►▶✓✔✗✘-–—*\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf02d"
_BULLET_RUN = re.compile(rf"^\s*(?:[{re.escape(BULLETS)}]\s*)+")
_WS = re.compile(r"\s+")
_MARKUP = re.compile(r"\*\*|__|</?u>|</?i>|</?b>|</?strong>|</?em>", re.I)


def fold_whitespace(text: str) -> str:
    """Collapse runs of white space and trim.

    >>> fold_whitespace("  Improve   school\\n attendance ")
    'Improve school attendance'
    """
    return _WS.sub(" ", text).strip()


def strip_bullet(text: str) -> str:
    """Remove leading bullet glyphs and ticks.

    >>> strip_bullet("- ✓ We will listen to feedback")
    'We will listen to feedback'
    """
    return _BULLET_RUN.sub("", text, count=1).strip()


def strip_markup(text: str) -> str:
    """Remove inline emphasis markup that text converters leave behind.

    >>> strip_markup("Summary of **priorities** for children's <u>services</u>")
    "Summary of priorities for children's services"
    """
    return _MARKUP.sub("", text)


def repair_hyphenation(text: str) -> str:
    """Join words broken across lines with a hyphen.

    >>> repair_hyphenation("we recog-\\nnise the need")
    'we recognise the need'
    """
    if "-\n" not in text:
        return text  # nothing to join (and long texts skip the scan)
    return re.sub(r"(\w)-\n\s*([a-z])", r"\1\2", text)


def normalise_quotes(text: str) -> str:
    """Straighten curly quotes (for matching only; stored text keeps the original).

    >>> normalise_quotes("Children’s ‘voice’")
    "Children's 'voice'"
    """
    return text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))


def clean_text(text: str) -> str:
    """The standard clean for extracted text: markup, hyphenation, white space.

    >>> clean_text("Expand Family Led\\nDecision making and the **FGC** offer")
    'Expand Family Led Decision making and the FGC offer'
    """
    if len(text) <= CACHED_CHARS:  # the stages clean the same block and cell texts many times
        return _clean_cached(text)
    return fold_whitespace(repair_hyphenation(strip_markup(text)))


CACHED_CHARS = 4000


@lru_cache(maxsize=32768)
def _clean_cached(text: str) -> str:
    return fold_whitespace(repair_hyphenation(strip_markup(text)))


def is_all_caps(text: str) -> bool:
    """True for shouted headings.

    >>> is_all_caps("PRIORITY 3 – POSITIVE RELATIONSHIPS AND IDENTITY")
    True
    """
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def sentence_case(text: str) -> str:
    """Turn an all-capitals heading into sentence case; leave other text alone.

    >>> sentence_case("OUR PLACEMENTS ARE SAFE")
    'Our placements are safe'
    """
    if not is_all_caps(text):
        return text
    lowered = text.lower()
    for i, ch in enumerate(lowered):
        if ch.isalpha():
            return lowered[:i] + ch.upper() + lowered[i + 1 :]
    return lowered


def printable_ratio(text: str) -> float:
    """Share of characters that are printable text (for spotting binary junk).

    >>> printable_ratio("abc")
    1.0
    """
    if not text:
        return 1.0
    good = sum(1 for c in text if c in "\t\n\r\f" or unicodedata.category(c)[0] != "C")
    return good / len(text)
