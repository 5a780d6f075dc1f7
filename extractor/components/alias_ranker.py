"""Which earlier organisation a descriptive reference means: a ranker learned from gold aliases.

A reader resolves "das Wiesbadener Unternehmen" or "der Energieriese" by weighing what
they know: does the place or sector fit what the article or the knowledge base says,
which company was named last, which one the article is about. The alias linker turns
each (reference, earlier organisation) pair into such evidence (`Candidate.features`);
a ranker picks the organisation meant, or none when nothing fits or two fit alike.

`RuleRanker` scores the evidence by hand (any contradiction rules a candidate out, the
article's own word counts more than the knowledge base, recency breaks ties); it is what
a pipeline without trained weights uses. `TrainedRanker` keeps the rules' choice only
when a thinc `SparseLinear` over the features, trained on the aliases of SmartData
train-full (extractor/training/aliases.py), is confident a reader makes that link: with
~50 references whose referent is among the candidates, a model that re-ranks on its own
found fewer correct links out of fold than one that vets the rules' choice.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import srsly
from thinc.api import Model, SparseLinear

from .relation_classifier import featurize, sigmoid

CONFLICT = "conflict"


@dataclass
class Candidate:
    """An organisation named before the reference, with the evidence for and against it."""

    entity: object  # aliases.EntityInfo
    last: int  # token index of its last mention before the reference
    evidence: Dict[str, str]  # place / sector / owner / media -> learned, kb, conflict, unknown, none
    features: List[str]


class RuleRanker:
    """The hand-weighted choice: article evidence 2, knowledge base 1, a product's maker 3."""

    WEIGHTS = {"learned": 2, "kb": 1, "match": 3}

    def score(self, cand: Candidate) -> int:
        # a place the reference names must be known to fit: "die Münchner" is not any company
        if CONFLICT in cand.evidence.values() or cand.evidence.get("place") == "unknown":
            return 0
        return 1 + sum(self.WEIGHTS.get(value, 0) for value in cand.evidence.values())

    def pick(self, doc, cands: Sequence[Candidate]) -> Optional[Candidate]:
        """The best-scored candidate; none when nothing fits or two fit alike."""
        scored = sorted(((score, c.last, c) for c in cands if (score := self.score(c)) > 0),
                        key=lambda x: (x[0], x[1]), reverse=True)
        if not scored:
            return None
        if len(scored) > 1 and scored[0][0] == scored[1][0] and _alike(doc, scored[0][2], scored[1][2]):
            return None
        return scored[0][2]

    def choose(self, doc, alias, cands: Sequence[Candidate]):
        cand = self.pick(doc, cands)
        return cand.entity if cand is not None else None


class TrainedRanker(RuleRanker):
    """The hand-weighted choice, kept only when a model learned from gold aliases is
    confident that a reader links it (probability >= `threshold`)."""

    def __init__(self, length: int = 2 ** 14) -> None:
        self.length = length
        self.threshold = 0.5
        self.model: Model = SparseLinear(nO=1, length=length)
        self.model.initialize(X=featurize([["init"]]))

    def scores(self, bags: Sequence[List[str]]):
        return sigmoid(self.model.predict(featurize(bags)))[:, 0]

    def choose(self, doc, alias, cands: Sequence[Candidate]):
        cand = self.pick(doc, cands)
        if cand is None or self.scores([cand.features])[0] < self.threshold:
            return None
        return cand.entity

    def to_disk(self, path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg", {"length": self.length, "threshold": self.threshold})
        self.model.to_disk(path / "model")

    def from_disk(self, path) -> "TrainedRanker":
        path = Path(path)
        cfg = srsly.read_json(path / "cfg")
        missing = {"length", "threshold"} - set(cfg)
        if missing:
            raise ValueError(f"{path / 'cfg'}: missing {', '.join(sorted(missing))}")
        self.__init__(int(cfg["length"]))
        self.threshold = float(cfg["threshold"])
        self.model.from_disk(path / "model")
        return self


def candidate_features(evidence: Dict[str, str], entity_type: str, has_kb: bool, reference: str,
                       recency: int, distance: int, salience: int, first: int, n_candidates: int) -> List[str]:
    """The evidence as sparse features, with the conjunctions a linear model needs
    (a place that fits matters more for the company named last)."""
    place, sector = evidence.get("place", "none"), evidence.get("sector", "none")
    position = [f"rec:{min(recency, 4)}", f"dist:{_distance_bucket(distance)}", f"sal:{min(salience, 4)}",
                f"first:{min(first, 4)}"]
    feats = [f"{k}:{v}" for k, v in sorted(evidence.items())]
    feats += position + [f"type:{entity_type}", f"kb:{has_kb}", f"ref:{reference}", f"n:{min(n_candidates, 4)}",
                         f"ps:{place}|{sector}", f"ref:{reference}|type:{entity_type}"]
    feats += [f"p|{p}|{place}" for p in position] + [f"s|{p}|{sector}" for p in position]
    return feats


def _alike(doc, first: Candidate, second: Candidate) -> bool:
    """Two candidates named in one sentence with the same evidence: nothing tells them apart
    ("BMW und Siemens ... die Bayern"), so the reference stays unlinked."""
    starts = doc.user_data["sentence_starts"]
    return first.evidence == second.evidence and bisect_right(starts, first.last) == bisect_right(starts, second.last)


def _distance_bucket(sentences: int) -> str:
    return str(sentences) if sentences < 3 else ("3-5" if sentences < 6 else "6+")
