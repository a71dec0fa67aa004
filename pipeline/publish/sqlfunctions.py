"""SQL functions the stored queries use, registered on every connection by the plugin.

- `cp_topic_themes(q)`: the themes a question names, as a JSON list ("foster carers" and "foster
  care" both name ["fostering"]); `cp_topic_rest(q)`: its other words, for full-text search.
- `cp_councils(text)`: council codes for names, register codes, common abbreviations ("BCP") and
  GSS codes, separated by commas, as a JSON list (["?"] when nothing matches, so that nothing does).
- `cp_period_start(text)`, `cp_period_end(text)`: the first and last day of "2022", "2021/22",
  "2021-22", "2021/2022" (UK financial years: April to March), "2025-03" or "2025-03-31"; NULL
  for anything else.
- `cp_mark(text, spans, words)`: `text` with the matched words between ** and ** (rendered as a
  highlight): the [start, end] character spans in `spans` (the evidence of the themes asked
  about) and the words sharing a stem with `words` (the ones full-text search looked for).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sqlite3
from functools import lru_cache

from extractors.themes import WORD, singular
from pipeline.councils import initials_of

MARK = "**"
FINANCIAL_YEAR = re.compile(r"^((?:19|20)\d{2})\s*[/-]\s*((?:19|20)?\d{2})$")
GSS = re.compile(r"^[EWSN]\d{8}$", re.I)


@lru_cache(maxsize=512)
def _topic(q: str) -> tuple[tuple[str, ...], str]:
    from extractors.themes import query_topic

    themes, rest = query_topic(q)
    return tuple(themes), rest


def topic_themes(q: str | None) -> str:
    return json.dumps(list(_topic((q or "").strip()[:500])[0]))


def topic_rest(q: str | None) -> str:
    return _topic((q or "").strip()[:500])[1]


@lru_cache(maxsize=256)
def _register_code(name: str) -> str | None:
    from pipeline.councils import UnknownCouncil, register

    try:
        return register().resolve(name).code
    except (UnknownCouncil, ValueError):
        return None


def council_codes(text: str | None, known: list[tuple[str, str, str | None]]) -> list[str]:
    """Council codes for each comma-separated name, code, abbreviation or GSS code in `text`,
    among `known` (code, name, gss_code) councils.

    >>> council_codes("BCP, e08000037", [("BPC", "Bournemouth, Christchurch and Poole", "E06000058"), ("GAT", "Gateshead", "E08000037")])
    ['BPC', 'GAT']
    """
    codes: list[str] = []
    text = (text or "")[:500]
    by_code = {code.upper(): code for code, _, _ in known}
    by_gss = {(gss or "").upper(): code for code, _, gss in known if gss}
    whole_names = [(name.lower(), code) for code, name, _ in known if name]
    initials: dict[str, list[str]] = {}
    for name, code in whole_names:
        letters = initials_of(name)
        if len(letters) >= 2:
            initials.setdefault(letters, []).append(code)
    # A council's own name may contain commas ("Bournemouth, Christchurch and Poole").
    remaining = text.lower()
    for name, code in sorted(whole_names, key=lambda x: -len(x[0])):
        if name in remaining:
            codes.append(code)
            remaining = remaining.replace(name, ",")
    for part in (p.strip() for p in remaining.split(",")):
        if not part or part in {"and", "&"}:
            continue
        upper = part.upper().replace(" ", "")
        if upper in by_code:
            codes.append(by_code[upper])
        elif GSS.match(upper) and upper in by_gss:
            codes.append(by_gss[upper])
        elif len(initials.get(upper, [])) == 1:  # "BCP": Bournemouth, Christchurch and Poole
            codes.append(initials[upper][0])
        else:
            partial = [code for name, code in whole_names if len(part) >= 3 and part in name]
            if partial:
                codes.extend(partial)
            else:
                code = _register_code(part)
                if code and code in by_code.values():
                    codes.append(code)
                else:
                    codes.append("?")
    return list(dict.fromkeys(codes))


def period(text: str | None) -> tuple[str, str] | None:
    """The first and last day a year, financial year, month or date covers.

    >>> period("2022"), period("2021/22"), period("2021-22"), period("2025-02"), period("2025-03-31"), period("soon")
    (('2022-01-01', '2022-12-31'), ('2021-04-01', '2022-03-31'), ('2021-04-01', '2022-03-31'), ('2025-02-01', '2025-02-28'), ('2025-03-31', '2025-03-31'), None)
    """
    text = (text or "").strip()
    if re.fullmatch(r"(?:19|20)\d{2}", text):
        return f"{text}-01-01", f"{text}-12-31"
    match = re.fullmatch(r"((?:19|20)\d{2})-(\d{2})-(\d{2})", text)
    if match:
        try:
            return (dt.date(*map(int, match.groups())).isoformat(),) * 2
        except ValueError:
            return None
    match = FINANCIAL_YEAR.match(text)
    if match:
        first, second = int(match.group(1)), match.group(2)
        last = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
        if last < first:
            last += 100  # "1999/00"
        month = "-" in text and len(second) == 2 and 1 <= int(second) <= 12
        if "-" in text and len(second) == 4 and last >= first:  # "2024-2025": calendar years, as deadlines read them
            return f"{first}-01-01", f"{last}-12-31"
        if last == first + 1 and not month:  # "2021/22", "2021-22", "2021/2022"; "2011-12" is December 2011
            return f"{first}-04-01", f"{last}-03-31"
        if month:
            year, number = first, int(second)
            return f"{year}-{number:02d}-01", f"{year}-{number:02d}-{calendar.monthrange(year, number)[1]:02d}"
    return None


def period_start(text: str | None) -> str | None:
    found = period(text)
    return found[0] if found else None


def period_end(text: str | None) -> str | None:
    found = period(text)
    return found[1] if found else None


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    """A rough stem, only for highlighting the words full-text search matched (FTS5's porter
    tokenizer decides what matches): "carers", "caring" -> "car"; "attendance" -> "attend"."""
    w = singular(word)
    for suffix in ("ations", "ation", "ances", "ance", "ences", "ence", "ments", "ment", "ings", "ing", "ers", "er", "ed", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w


def mark(text: str | None, spans: str | None = None, words: str | None = None) -> str | None:
    """`text` with matched words between ** and **: the character `spans` (JSON [[start, end]])
    and the words with the same rough stem as one of `words`.

    >>> mark("improve the foster care offer for carers", "[[0, 7]]", "carer")
    '**improve** the foster care offer for **carers**'
    """
    if text is None:
        return None
    marked: list[tuple[int, int]] = []  # [start, end) character ranges to mark
    stems = {_stem(w) for w in (words or "").split() if w}
    if stems:
        starts = {stem[:2].lower() for stem in stems}
        for match in WORD.finditer(text):
            word = match.group()
            if word[:2].lower() in starts and _stem(word) in stems:
                marked.append((match.start(), match.end()))
    if not marked and spans in (None, "", "[]"):
        return text
    try:
        for start, end in json.loads(spans or "[]"):
            marked.append((max(0, int(start)), min(int(end), len(text))))
    except (ValueError, TypeError):
        pass
    out, last = [], 0
    for start, end in _merged(marked):  # ranges that overlap or touch are marked as one
        out += [text[last:start], MARK, text[start:end], MARK]
        last = end
    out.append(text[last:])
    return "".join(out)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(r for r in ranges if r[0] < r[1]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def register(conn: sqlite3.Connection) -> None:
    def councils_sql(text):
        known = conn.execute("select code, name, gss_code from councils").fetchall()
        return json.dumps(council_codes(text, [tuple(r) for r in known]))

    conn.create_function("cp_topic_themes", 1, topic_themes, deterministic=True)
    conn.create_function("cp_topic_rest", 1, topic_rest, deterministic=True)
    conn.create_function("cp_councils", 1, councils_sql)
    conn.create_function("cp_period_start", 1, period_start, deterministic=True)
    conn.create_function("cp_period_end", 1, period_end, deterministic=True)
    conn.create_function("cp_mark", 3, mark, deterministic=True)
