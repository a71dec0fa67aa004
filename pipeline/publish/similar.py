"""Similar commitments: TF-IDF (scikit-learn) over every commitment's own text, built once per
served database on first use; cosine similarity picks, for one commitment, the closest ones in
other councils' plans, and the same pledge repeated in this council's other documents.

Words are compared in the theme matcher's normal form (lower case, singular), so "foster carers"
and "foster carer" count as the same words; common English words are left out.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from extractors.themes import WORD, singular

STOP = frozenset("""a about across all also an and any are as at be been being both but by can continue
could do each ensure every for from further has have how in including into is it its make more most new
of on or our over so such that the their them these they this those through to under up use we well
where which while who will with within work working would""".split())
SAME_PLEDGE = 0.8  # at or above: the same commitment, worded (almost) the same
ELSEWHERE = 0.12  # at or above: worth showing as similar (short texts score low)


def analyse(text: str) -> list[str]:
    """Normal-form words and word pairs.

    >>> analyse("Recruit more foster carers")
    ['recruit', 'foster', 'carer', 'recruit foster', 'foster carer']
    """
    words = [singular(w) for _, w in ((0, m.group()) for m in WORD.finditer(text or ""))]
    words = [w for w in words if w not in STOP and len(w) > 1 and not w.isdigit()]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


@dataclass
class Similar:
    id: str
    council_code: str | None
    document_id: str
    text: str
    score: float


class SimilarityIndex:
    def __init__(self, rows: list[tuple[str, str | None, str, str]]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.ids = [r[0] for r in rows]
        self.councils = [r[1] for r in rows]
        self.documents = [r[2] for r in rows]
        self.texts = [r[3] or "" for r in rows]
        self.position = {rid: k for k, rid in enumerate(self.ids)}
        self.vectorizer = TfidfVectorizer(analyzer=analyse, sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(self.texts) if rows else None

    def similar(self, action_id: str, *, limit: int = 5) -> tuple[list[Similar], list[Similar]]:
        """(closest commitments in other councils, the same pledge in this council's other documents)."""
        k = self.position.get(action_id)
        if k is None or self.matrix is None:
            return [], []
        scores = (self.matrix @ self.matrix[k].T).toarray().ravel()
        order = scores.argsort()[::-1]
        elsewhere, same = [], []
        for j in order[: 50 + limit * 4]:
            score = float(scores[j])
            if j == k or score < ELSEWHERE:
                continue
            item = Similar(self.ids[j], self.councils[j], self.documents[j], self.texts[j], round(score, 2))
            if self.councils[j] != self.councils[k]:
                if len(elsewhere) < limit:
                    elsewhere.append(item)
            elif self.documents[j] != self.documents[k] and score >= SAME_PLEDGE:
                same.append(item)
        return elsewhere, same

    def groups(self, action_ids: list[str]) -> list[list[str]]:
        """`action_ids` (one council's) with the same pledge in different documents folded
        together, first occurrence first."""
        positions = [self.position[a] for a in action_ids if a in self.position]
        if self.matrix is None or not positions:
            return [[a] for a in action_ids]
        sub = self.matrix[positions]
        scores = (sub @ sub.T).toarray()
        taken: set[int] = set()
        out = []
        for i, pi in enumerate(positions):
            if i in taken:
                continue
            group = [self.ids[pi]]
            for j in range(i + 1, len(positions)):
                if j not in taken and scores[i, j] >= SAME_PLEDGE and self.documents[positions[j]] != self.documents[pi]:
                    group.append(self.ids[positions[j]])
                    taken.add(j)
            out.append(group)
        missing = [[a] for a in action_ids if a not in self.position]
        return out + missing


_indexes: dict[tuple, SimilarityIndex] = {}
_lock = threading.Lock()


def index_for(key: tuple, load_rows) -> SimilarityIndex:
    """The index for one served database (`key` changes when the database does); `load_rows`
    returns (id, council_code, document_id, text) for every commitment. Call in a thread."""
    with _lock:
        if key not in _indexes:
            _indexes.clear()
            _indexes[key] = SimilarityIndex(load_rows())
        return _indexes[key]
