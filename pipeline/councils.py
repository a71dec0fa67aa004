"""The council register: names and spellings to the register's code, GSS code, type and region.

Data: mySociety's "UK Local Authorities (including future)" dataset (CC BY 4.0), shipped in
pipeline/data/. Exact look-up through the dataset's name table first, then a fuzzy match
(rapidfuzz) over every known spelling, preferring current authorities.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from schemas.records import Council

DATA = Path(__file__).parent / "data"
REGISTER = DATA / "uk_local_authorities.csv"
LOOKUP = DATA / "uk_local_authority_name_lookup.csv"
SUFFIXES = re.compile(
    r"\b(metropolitan borough|borough|county|city|district|london borough of|royal borough of|council|"
    r"unitary authority|ua|mbc|cc|dc|bc)\b",
    re.I,
)


class UnknownCouncil(LookupError):
    pass


def _simplify(name: str) -> str:
    name = name.lower().replace("&", " and ")
    name = SUFFIXES.sub(" ", name)
    return " ".join(re.findall(r"[a-z0-9]+", name))


INITIALS_SKIP = {"and", "of", "the", "upon", "on", "in", "with"}


def initials_of(name: str) -> str:
    """ "Bournemouth, Christchurch and Poole" -> "BCP"."""
    return "".join(w[0] for w in re.findall(r"[a-z]+", name.lower()) if w not in INITIALS_SKIP).upper()


@dataclass
class Register:
    councils: dict[str, Council]
    current: dict[str, bool]
    names: dict[str, str]  # simplified spelling -> code

    def resolve(self, name: str, *, threshold: float = 90.0) -> Council:
        """The council a name refers to.

        >>> register().resolve("BCP").gss_code
        'E06000058'
        """
        key = _simplify(name)
        if key in self.names:
            return self.councils[self.names[key]]
        upper = name.strip().upper()
        if upper in self.councils:  # the register's own code ("BPC")
            return self.councils[upper]
        by_gss = [c for c in self.councils.values() if c.gss_code == upper]
        if by_gss:
            return max(by_gss, key=lambda c: self.current[c.code])
        # A common abbreviation: the initials of one current council's name ("BCP").
        initials = [c for c in self.councils.values() if self.current[c.code] and initials_of(c.name) == upper]
        if len(upper) >= 2 and len(initials) == 1:
            return initials[0]
        choices = list(self.names)
        matches = process.extract(key, choices, scorer=fuzz.token_sort_ratio, limit=5)
        matches = [m for m in matches if m[1] >= threshold]
        if not matches:
            close = process.extract(key, choices, scorer=fuzz.token_sort_ratio, limit=3)
            suggestions = ", ".join(self.councils[self.names[c]].name for c, _, _ in close)
            raise UnknownCouncil(f"no council in the register is called {name!r}; closest: {suggestions}")
        best = max(matches, key=lambda m: (m[1], self.current[self.names[m[0]]]))
        return self.councils[self.names[best[0]]]

    def find_in_text(self, text: str) -> Council | None:
        """The council most named in a document's text (current authorities only)."""
        counts: dict[str, int] = {}
        lowered = " " + " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("&", " and "))) + " "
        for spelling, code in self.names.items():
            if not self.current[code] or len(spelling) < 4:
                continue
            hits = lowered.count(f" {spelling} ")
            if hits:
                counts[code] = counts.get(code, 0) + hits * len(spelling.split())
        if not counts:
            return None
        return self.councils[max(counts, key=counts.get)]


@lru_cache(maxsize=1)
def register() -> Register:
    councils: dict[str, Council] = {}
    current: dict[str, bool] = {}
    names: dict[str, str] = {}
    with open(REGISTER, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["local-authority-code"]
            councils[code] = Council(
                code=code,
                name=row["nice-name"],
                official_name=row["official-name"] or None,
                gss_code=row["gss-code"] or None,
                nation=row["nation"] or None,
                region=row["region"] or None,
                authority_type=row["local-authority-type-name"] or None,
            )
            current[code] = row["current-authority"] == "True" and not row["end-date"]
    with open(LOOKUP, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["local-authority-code"]
            key = _simplify(row["la-name"])
            if code in councils and key and (key not in names or (current[code] and not current[names[key]])):
                names[key] = code
    for code, council in councils.items():
        key = _simplify(council.name)
        if key not in names or (current[code] and not current[names[key]]):
            names[key] = code
    return Register(councils, current, names)
