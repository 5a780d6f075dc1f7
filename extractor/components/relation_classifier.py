"""A trained relation classifier: recall on sentences no rule was written for.

Candidates are pairs of linked entity mentions in one sentence (at least one an
organisation). Each candidate becomes a bag of hashed features — the words between
the two mentions and around them, their types and kinds, titles and relation
trigger words nearby, hyphen compounds ("Facebook-Tochter Oculus") — and a thinc
`SparseLinear` layer scores one probability per relation type and direction
(`acquisition>`: the first mention is the buyer, `acquisition<`: the second).
A linear model over sparse features is what ~460 training relations support; it
trains in seconds and is deterministic. Thresholds per label and candidate group come
from out-of-fold predictions on the training data (extractor/training/relations.py).

The component runs after the rule components: a pair the rules already related
keeps the rules' relation (they are precise); the classifier adds the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy
import srsly
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc, Span
from spacy.util import registry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from thinc.api import Model, SparseLinear

from ..relation_types import BINARY_TYPES, RELATION_TYPES, SYMMETRIC_TYPES, load_triggers, validation_problems
from .mention import COMPOUND, ORG_TYPES, Mention
from .relation import add_relation, entity_type, mention_counts, sentence_mentions
from .relations import Triggers
from .resources import RELATIONS, TITLES, DataComponent
from .titles import TitleLexicon

FUNCTION_WORDS = frozenset({"von", "vom", "bei", "beim", "der", "die", "das", "des", "dem", "den", "im", "am", "für",
                            "zu", "zum", "zur", "und", "als", "mit", "an", "in", "aus", "nach", "seit", "ist", "wird",
                            "war", "hat", "neuer", "neue", "neuen", "ehemalige", "ehemaliger", "bisherige", "-"})
MAX_GAP = 30  # tokens between the two mentions of a candidate
ENTITY_TYPES = ("PERSON",) + ORG_TYPES


@dataclass
class Candidate:
    """Two linked mentions of different entities, in text order. `kind` says how they
    meet: in one sentence ("sent"), a person in a sentence without an organisation and an
    organisation of the sentence before ("prev"), or that person and the article's most
    mentioned organisation ("salient": "Konzernchef Tim Cook" in an article about Apple)."""

    first: Mention
    second: Mention
    sent: Span  # the evidence: the sentence, or both sentences for "prev"
    kind: str = "sent"


def candidates(doc: Doc, ranks: Dict[str, int]) -> Iterator[Candidate]:
    """Every candidate pair of the Doc; linear in the sentences, bounded by MAX_GAP."""
    sents = list(doc.sents)
    salient = next((e for e, r in ranks.items() if r == 1), None)
    first_mention = {}
    for m in doc._.mentions or []:
        if m.entity and m.entity not in first_mention:
            first_mention[m.entity] = m
    for k, sent in enumerate(sents):
        found = sentence_mentions(doc, sent, ENTITY_TYPES)
        for i, first in enumerate(found):
            for second in found[i + 1:]:
                if second.start - first.end > MAX_GAP:
                    break
                if first.entity == second.entity or second.start < first.end:
                    continue
                types = (entity_type(doc, first.entity), entity_type(doc, second.entity))
                if "PERSON" in types and types[0] == types[1] or _affiliation(doc, first, second, types):
                    continue
                yield Candidate(first, second, sent)
        here = {m.entity for m in found}
        persons = {m.entity: m for m in found if entity_type(doc, m.entity) == "PERSON"}
        for person in persons.values():
            partners = {}
            if k > 0:
                for org in sentence_mentions(doc, sents[k - 1], ORG_TYPES):
                    if org.entity not in here:
                        partners.setdefault(org.entity, (org, "prev"))
            if salient and salient not in partners and salient not in here:
                partners[salient] = (first_mention[salient], "salient")
            for org, kind in partners.values():
                first, second = (org, person) if org.start < person.start else (person, org)
                span = doc[sents[k - 1].start:sent.end] if kind == "prev" else sent
                yield Candidate(first, second, span, kind)


def _affiliation(doc: Doc, first: Mention, second: Mention, types: Tuple[str, str]) -> bool:
    """ "Dieter Althaus (CDU)": a party in parentheses after a person is membership, not a position."""
    return types == ("PERSON", "ORG") and second.start == first.end + 1 and doc[first.end].text == "(" \
        and second.end < len(doc) and doc[second.end].text == ")"


class DocContext:
    """What features ask of a Doc more than once, computed once per Doc (long texts stay linear)."""

    def __init__(self, doc: Doc, features: "FeatureExtractor") -> None:
        self.doc = doc
        self.ranks = salience(doc)
        self._features = features
        self._chains: Dict[int, list] = {}
        self._triggers: Dict[int, dict] = {}
        self._mentions: Dict[int, list] = {}

    def chains(self, sent: Span) -> list:
        if sent.start not in self._chains:
            self._chains[sent.start] = self._features.titles.chains(sent)
        return self._chains[sent.start]

    def triggers(self, sent: Span) -> dict:
        if sent.start not in self._triggers:
            self._triggers[sent.start] = self._features.triggers.in_sentence(sent)
        return self._triggers[sent.start]

    def mentions(self, sent: Span) -> list:
        if sent.start not in self._mentions:
            self._mentions[sent.start] = sentence_mentions(self.doc, sent, ENTITY_TYPES)
        return self._mentions[sent.start]


CANDIDATE_GROUPS = ("sent", "cross")


def candidate_group(cand: Candidate) -> str:
    """Thresholds differ for same-sentence and cross-sentence candidates."""
    return "sent" if cand.kind == "sent" else "cross"


def orient(label: str, first: str, second: str) -> Tuple[str, str, str]:
    """(type, subject, object) a label says of a pair in text order: "<" makes the second the subject."""
    rtype = label.rstrip("<>")
    return (rtype, second, first) if label.endswith("<") else (rtype, first, second)


def salience(doc: Doc) -> Dict[str, int]:
    """Organisation entity -> rank by mention count (1 = most mentioned; ties: first named)."""
    counts = mention_counts(doc, ORG_TYPES)
    order = sorted(counts, key=lambda e: -counts[e])  # stable: first named wins a tie
    return {e: i + 1 for i, e in enumerate(order)}


def labels_for(types: Tuple[str, str]) -> List[str]:
    """The labels a candidate with these entity types can take (type + direction)."""
    out = []
    for name in BINARY_TYPES:
        spec = RELATION_TYPES[name]
        if name in SYMMETRIC_TYPES:
            if spec.allows(*types):
                out.append(name)
            continue
        if spec.allows(types[0], types[1]):
            out.append(name + ">")
        if spec.allows(types[1], types[0]):
            out.append(name + "<")
    return out


class FeatureExtractor:
    """Bag-of-features of a candidate; the lexicons give words a reader's categories."""

    def __init__(self, data_dir: str) -> None:
        self.titles = TitleLexicon(data_dir)
        self.triggers = Triggers(load_triggers(Path(data_dir) / RELATIONS))

    def __call__(self, doc: Doc, cand: Candidate, context: DocContext) -> List[str]:
        a, b = cand.first, cand.second
        types = (entity_type(doc, a.entity), entity_type(doc, b.entity))
        feats = [f"T:{types[0]}|{types[1]}", f"K:{a.kind}|{b.kind}", f"X:{cand.kind}"]
        for m in (a, b):
            if m.entity in context.ranks:
                feats.append(f"SAL:{min(context.ranks[m.entity], 3)}")
        if cand.kind == "sent":
            return feats + self._between(doc, cand, context)
        person = a if types[0] == "PERSON" else b
        # own feature space: a cross-sentence pair is a different question than a same-sentence one
        around = self._around(doc, person, doc[person.start].sent, context)
        return [f"X:{cand.kind}:{f}" for f in feats + around]

    def _between(self, doc: Doc, cand: Candidate, context: DocContext) -> List[str]:
        """Same-sentence features: the words between and around the pair."""
        a, b, sent = cand.first, cand.second, cand.sent
        feats = [f"D:{_bucket(b.start - a.end)}"]
        between = doc[a.end:b.start]
        words = [_word(t) for t in between]
        if len(words) <= 6:
            feats.append("B:" + " ".join(words))
        feats += [f"b:{w}" for w in words]
        feats += [f"bb:{x}_{y}" for x, y in zip(words, words[1:])]
        feats += [f"bl:{t.lemma_.lower()}" for t in between if t.is_alpha]
        for k in (1, 2):
            feats.append(f"L{k}:{_word(doc[a.start - k]) if a.start - k >= sent.start else '<s>'}")
            feats.append(f"R{k}:{_word(doc[b.end + k - 1]) if b.end + k - 1 < sent.end else '</s>'}")
        if a.kind == COMPOUND and a.end + 1 < len(doc) and doc[a.end].text == "-":
            feats.append(f"HY:{doc[a.end + 1].lower_}")  # "Facebook-Tochter", "Daimler-Chef"
        others = [m for m in context.mentions(sent)
                  if a.end <= m.start and m.end <= b.start and m.entity not in (a.entity, b.entity)]
        feats.append(f"NM:{min(len(others), 3)}")
        feats += [f"M:{entity_type(doc, m.entity)}" for m in others]
        lo, hi = max(sent.start, a.start - 4), min(sent.end, b.end + 4)
        for start, end in context.chains(sent):
            if lo <= start < hi:
                where = "in" if a.end <= start < b.start else ("left" if start < a.start else "right")
                feats += [f"TI:{where}", f"TI:{where}:{doc[end - 1].lower_}"]
        for rtype, tokens in context.triggers(sent).items():
            for token in tokens:
                where = "in" if a.end <= token.i < b.start else ("out" if lo <= token.i < hi else "far")
                feats.append(f"TR:{rtype}:{where}")
        if any(t.text in {"(", ")"} for t in between):
            feats.append("P:paren")
        shape = self._shape(doc, a.end, b.start, context, sent)
        if len(shape) <= 8:
            feats.append("S:" + " ".join(shape))
        return feats

    def _shape(self, doc: Doc, start: int, end: int, context: DocContext, sent: Span) -> List[str]:
        """Words reduced to what generalises: titles, names, function words, punctuation
        ("Thomas Berger, Vertriebsleiter bei der Zyrbel AG" -> ", T bei der")."""
        titles = {i for s, e in context.chains(sent) for i in range(s, e)}
        out = []
        for i in range(start, end):
            token = doc[i]
            if i in titles:
                cls = "T"
            elif token.lower_ in FUNCTION_WORDS or token.is_punct:
                cls = token.lower_
            elif token.like_num:
                cls = "#"
            elif token.is_alpha and token.text[:1].isupper():
                cls = "N"
            else:
                cls = "v"
            if not out or out[-1] != cls or cls not in ("N", "v"):
                out.append(cls)
        return out

    def _around(self, doc: Doc, person: Mention, sent: Span, context: DocContext) -> List[str]:
        """Cross-sentence features: what the person's own sentence says about them."""
        feats = []
        for k in (1, 2):
            feats.append(f"L{k}:{_word(doc[person.start - k]) if person.start - k >= sent.start else '<s>'}")
            feats.append(f"R{k}:{_word(doc[person.end + k - 1]) if person.end + k - 1 < sent.end else '</s>'}")
        for start, end in context.chains(sent):
            if person.start - 4 <= start < person.end + 4:
                where = "left" if start < person.start else "right"
                feats += [f"TI:{where}", f"TI:{where}:{doc[end - 1].lower_}"]
        for rtype in context.triggers(sent):
            feats.append(f"TR:{rtype}")
        orgs = sum(entity_type(doc, m.entity) in ORG_TYPES for m in context.mentions(sent))
        feats.append(f"SO:{min(orgs, 2)}")  # the sentence names organisations of its own
        return feats


def sigmoid(logits: numpy.ndarray) -> numpy.ndarray:
    return 1.0 / (1.0 + numpy.exp(-logits))


def _word(token) -> str:
    return "<num>" if token.like_num else token.lower_


def _bucket(n: int) -> str:
    return str(n) if n < 4 else ("4-7" if n < 8 else ("8-15" if n < 16 else "16+"))


def featurize(bags: Sequence[List[str]]) -> Tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Hashed bags in the (keys, values, lengths) layout of thinc's SparseLinear."""
    keys = numpy.asarray([hash_string(f) for bag in bags for f in bag], dtype="uint64")
    values = numpy.ones(len(keys), dtype="float32")
    lengths = numpy.asarray([len(bag) for bag in bags], dtype="int32")
    return keys, values, lengths


@registry.architectures("extractor.RelationSparseLinear.v1")
def build_relation_model(n_labels: int, length: int = 2 ** 16) -> Model:
    """Hashed features -> one logit per label (sigmoid applied by the component)."""
    return SparseLinear(nO=n_labels, length=length)


@Language.factory(
    "relation_classifier",
    requires=["doc._.mentions", "doc._.entities", "doc._.relations"],
    assigns=["doc._.relations"],
    default_config={"length": 2 ** 16},
)
def create_relation_classifier(nlp: Language, name: str, length: int) -> "RelationClassifier":
    return RelationClassifier(name, length)


class ClassifierConfig(BaseModel):
    """The `cfg` file of a trained classifier, checked when loaded: a misspelt key, a label
    no relation type has, or a threshold for no label would otherwise pass unnoticed."""

    model_config = ConfigDict(extra="forbid")

    labels: List[str]
    thresholds: Dict[str, float]
    length: int = Field(gt=0)

    @field_validator("labels")
    @classmethod
    def _known_labels(cls, labels: List[str]) -> List[str]:
        known = {label for a in ENTITY_TYPES for b in ENTITY_TYPES for label in labels_for((a, b))}
        unknown = [label for label in labels if label not in known]
        if unknown:
            raise ValueError(f"unknown label(s) {unknown} (known: {', '.join(sorted(known))})")
        return labels

    @field_validator("thresholds")
    @classmethod
    def _threshold_keys(cls, thresholds: Dict[str, float], info: ValidationInfo) -> Dict[str, float]:
        keys = {f"{label}@{group}" for label in info.data.get("labels", []) for group in CANDIDATE_GROUPS}
        stray = sorted(set(thresholds) - keys)
        if stray:
            raise ValueError(f"{stray} name no label@group (groups: {', '.join(CANDIDATE_GROUPS)})")
        return thresholds


def read_config(path: Path) -> ClassifierConfig:
    """The checked `cfg`; ValueError naming the file and the offending key."""
    try:
        return ClassifierConfig(**srsly.read_json(path))
    except ValidationError as error:
        raise ValueError(f"{path}: {validation_problems(error)}") from None
    except (OSError, ValueError, TypeError) as error:
        raise ValueError(f"{path}: {error}") from None


class RelationClassifier(DataComponent):
    """Scores candidate pairs; the lexicons come from `initialize()` or `from_disk`, labels,
    thresholds and weights from `from_disk`."""

    data_files = (TITLES, RELATIONS)

    def __init__(self, name: str = "relation_classifier", length: int = 2 ** 16) -> None:
        super().__init__(name)
        self.length = length
        self.labels: List[str] = []
        self.thresholds: Dict[str, float] = {}
        self.model: Optional[Model] = None

    def load(self, data_dir: str) -> None:
        self.features = FeatureExtractor(data_dir)

    # -- training side ----------------------------------------------------
    def new_model(self, labels: Iterable[str]) -> None:
        """An untrained model for `labels` (training starts each fold afresh)."""
        self.labels = sorted(set(labels))
        self._build_model()

    def _build_model(self) -> None:
        self.model = build_relation_model(len(self.labels), self.length)
        self.model.initialize(X=featurize([["init"]]))

    def scores(self, bags: Sequence[List[str]]) -> numpy.ndarray:
        """Probabilities, one row per bag, one column per label."""
        if not bags:
            return numpy.zeros((0, len(self.labels)), dtype="float32")
        return sigmoid(self.model.predict(featurize(bags)))

    def update(self, bags: Sequence[List[str]], truth: numpy.ndarray, mask: numpy.ndarray, optimizer) -> float:
        """One gradient step of binary cross-entropy; `mask` zeroes labels a candidate cannot take."""
        logits, backprop = self.model.begin_update(featurize(bags))
        probs = sigmoid(logits)
        d_logits = (probs - truth) * mask / max(1, len(bags))
        backprop(d_logits.astype("float32"))
        self.model.finish_update(optimizer)
        eps = 1e-7
        loss = -(truth * numpy.log(probs + eps) + (1 - truth) * numpy.log(1 - probs + eps)) * mask
        return float(loss.sum())

    def label_mask(self, types: Tuple[str, str]) -> numpy.ndarray:
        allowed = set(labels_for(types))
        return numpy.asarray([label in allowed for label in self.labels], dtype="float32")

    # -- prediction -------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        if self.model is None or not self.labels:
            return doc
        if doc._.relations is None:
            doc._.relations = []
        context = DocContext(doc, self.features)
        cands = list(candidates(doc, context.ranks))
        if not cands:
            return doc
        probs = self.scores([self.features(doc, c, context) for c in cands])
        related = {frozenset((r["subject"], r["object"])) for r in doc._.relations}
        # an argument the rules gave a partner in a sentence gets no second one there from the model
        # ("Laut Handelsblatt übernahm Bayer Monsanto": Monsanto has its buyer)
        settled = {(r["type"], arg, r["evidence"]["start"]) for r in doc._.relations
                   for arg in (r["subject"], r["object"]) if arg}
        best: Dict[Tuple[str, str, str], Tuple[float, Candidate]] = {}
        for cand, row in zip(cands, probs):
            types = (entity_type(doc, cand.first.entity), entity_type(doc, cand.second.entity))
            mask = self.label_mask(types)
            for j, label in enumerate(self.labels):
                p = float(row[j])
                if not mask[j] or p < self.thresholds.get(f"{label}@{candidate_group(cand)}", 1.0):
                    continue
                key = orient(label, cand.first.entity, cand.second.entity)
                if p > best.get(key, (0.0, None))[0]:
                    best[key] = (p, cand)
        for (rtype, subj, obj), (p, cand) in sorted(best.items(), key=lambda item: -item[1][0]):
            pair = frozenset((subj, obj))
            if pair in related or any((rtype, arg, cand.sent.start_char) in settled for arg in pair):
                continue  # the rules (or a stronger prediction) already related this pair or argument
            related.add(pair)
            add_relation(doc, rtype, subj, obj, cand.sent, self._attributes(doc, rtype, cand, context), p)
        return doc

    def _attributes(self, doc: Doc, rtype: str, cand: Candidate, context: DocContext) -> dict:
        if rtype != "role":
            return {}
        sent = cand.sent
        lo, hi = max(sent.start, cand.first.start - 4), min(sent.end, cand.second.end + 4)
        chains = [(s, e) for s, e in context.chains(sent) if lo <= s < hi]
        if not chains:
            return {"status": "current"}
        person = cand.first if entity_type(doc, cand.first.entity) == "PERSON" else cand.second
        start, end = min(chains, key=lambda c: min(abs(c[0] - person.end), abs(person.start - c[1])))
        window = doc[max(sent.start, start - 3):start]
        status_words = self.features.titles.status
        status = next((status_words[t.lower_] for t in reversed(list(window)) if t.lower_ in status_words), "current")
        return {"title": doc[start:end].text, "status": status}

    # -- serialisation ----------------------------------------------------
    def to_disk(self, path, *, exclude: Iterable[str] = ()) -> None:
        """The lexicons (unless `exclude` has "data": training writes the weights alone), cfg, weights."""
        super().to_disk(path, exclude=exclude)
        path = Path(path)
        srsly.write_json(path / "cfg", {"labels": self.labels, "thresholds": self.thresholds, "length": self.length})
        if self.model is not None:
            self.model.to_disk(path / "model")

    def from_disk(self, path, *, exclude: Iterable[str] = ()) -> "RelationClassifier":
        super().from_disk(path, exclude=exclude)
        path = Path(path)
        cfg = read_config(path / "cfg")
        self.labels, self.thresholds, self.length = cfg.labels, cfg.thresholds, cfg.length
        self._build_model()
        self.model.from_disk(path / "model")
        return self
