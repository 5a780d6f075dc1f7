"""Score output records against document-level gold (CONTRACT.md, "Gold format").

Sections: `entities` (COMPANY/ORG/PERSON, plus a type-agnostic "ORG+COMPANY"
row), `aliases` (alias links), `relations` (per type), `ner` (exact
mention spans, only for gold records that carry `ner_mentions`). Attribute
accuracy of matched relations is reported on the side. Everything works on
plain dicts so the CLI, tests and notebooks can call it directly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

import networkx as nx

from .relation_types import SYMMETRIC_TYPES, UNARY_TYPES

SCORED_ENTITY_TYPES = ("COMPANY", "ORG", "PERSON")
NER_TYPES = ("COMPANY", "ORG", "PERSON", "LOCATION")
MERGED = "ORG+COMPANY"
NAME_KINDS = frozenset({"name", "compound"})
ALIAS_KINDS = frozenset({"alias", "pronoun"})
WILDCARD = "?"  # gold argument "?" = unknown, matches any argument

# Legal-form suffixes, already case-folded. Dots and inner spaces are optional
# so "S.A.", "S. A." and "SA" all go. Applied repeatedly from the right, so
# "Henkel AG & Co. KGaA" -> "henkel".
_LEGAL_FORMS = (
    r"&\s*co\.?(?:\s*(?:kgaa|kg|ohg))?",
    r"\+\s*co\.?(?:\s*kg)?",
    r"kgaa",
    r"kg",
    r"ohg",
    r"g?gmbh",
    r"mbh",
    r"ag",
    r"se",
    r"e\.?\s?v",
    r"e\.?\s?g",
    r"ug(?:\s*\(haftungsbeschränkt\))?",
    r"aktiengesellschaft",
    r"inc",
    r"incorporated",
    r"corp",
    r"corporation",
    r"co",
    r"plc",
    r"ltd",
    r"limited",
    r"l\.?\s?l\.?\s?c",
    r"l\.?\s?p",
    r"s\.?\s?p\.?\s?a",
    r"s\.?\s?a\.?\s?s",
    r"s\.?\s?a\.?\s?r\.?\s?l",
    r"s\.?\s?r\.?\s?l",
    r"s\.?\s?a",
    r"n\.?\s?v",
    r"b\.?\s?v",
    r"a\.?\s?b",
    r"asa",
    r"a/s",
    r"oyj",
)
_LEGAL_RE = re.compile(r"(?:^|[\s,]+)(?:" + "|".join(_LEGAL_FORMS) + r")\.?$")
_PUNCT = " \t\n\r\"'„“”‚‘’«»‹›()[]{}<>.,;:!?*·…/\\|-–—_"
_SPACE_RE = re.compile(r"\s+")


def fold_name(name: Optional[str]) -> str:
    """Case-fold a name and drop legal-form suffixes and surrounding punctuation.

    Used for both matching (evaluation) and node identity (graph), so that
    "Volkswagen AG", "VOLKSWAGEN" and "Volkswagen." are one name.
    """
    if not name:
        return ""
    text = _SPACE_RE.sub(" ", unicodedata.normalize("NFKC", name).casefold())
    text = text.strip(_PUNCT)
    while True:
        shorter = _LEGAL_RE.sub("", text).strip(_PUNCT)
        if not shorter or shorter == text:
            return text
        text = shorter


# ---------------------------------------------------------------------------
# Report


@dataclass
class Counts:
    """True positives, false positives and false negatives of one row."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class Accuracy:
    """Correct out of total, for attribute values of matched relations."""

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class Report:
    """Per-section, per-type counts. Rows named MERGED are never in a micro average."""

    entities: Dict[str, Counts] = field(default_factory=dict)
    aliases: Dict[str, Counts] = field(default_factory=dict)
    relations: Dict[str, Counts] = field(default_factory=dict)
    ner: Dict[str, Counts] = field(default_factory=dict)
    # "role.title" -> accuracy over matched relations whose gold has that attribute
    attributes: Dict[str, Accuracy] = field(default_factory=dict)
    docs: int = 0  # gold documents
    missing: List[str] = field(default_factory=list)  # gold ids without prediction
    extra: int = 0  # predicted ids not in the gold (ignored)
    alias_docs: int = 0  # docs scored for aliases
    ner_docs: int = 0  # docs scored for span NER
    errors: List[Dict[str, Any]] = field(default_factory=list)

    def sections(self) -> Dict[str, Dict[str, Counts]]:
        return {
            "entities": self.entities,
            "aliases": self.aliases,
            "relations": self.relations,
            "ner": self.ner,
        }

    def micro(self, section: str) -> Counts:
        """Micro average over the real types of a section (merged rows excluded)."""
        total = Counts()
        for label, counts in self.sections()[section].items():
            if label != MERGED:
                total.add(counts)
        return total


def _row(table: Dict[str, Counts], label: str) -> Counts:
    return table.setdefault(label, Counts())


# ---------------------------------------------------------------------------
# Entity matching


@dataclass
class _Ent:
    """An entity reduced to what matching needs."""

    type: str
    name: str
    keys: Set[str]  # folded name strings
    index: int


def _gold_ents(entities: Iterable[Dict[str, Any]]) -> List[_Ent]:
    out = []
    for i, ent in enumerate(entities):
        strings = [ent.get("name")] + list(ent.get("names") or [])
        keys = {fold_name(s) for s in strings} - {""}
        out.append(_Ent(ent.get("type", ""), ent.get("name", ""), keys, i))
    return out


def _pred_ents(entities: Iterable[Dict[str, Any]]) -> List[_Ent]:
    out = []
    for i, ent in enumerate(entities):
        strings = [ent.get("name")] + [
            m.get("text") for m in ent.get("mentions") or [] if m.get("kind") in NAME_KINDS
        ]
        keys = {fold_name(s) for s in strings} - {""}
        out.append(_Ent(ent.get("type", ""), ent.get("name", ""), keys, i))
    return out


def _surname_match(a: Set[str], b: Set[str]) -> bool:
    """A bare one-word name on one side equals the last word of a full name on the other."""
    for bare_side, full_side in ((a, b), (b, a)):
        bares = {k for k in bare_side if " " not in k}
        lasts = {k.rsplit(" ", 1)[1] for k in full_side if " " in k}
        if bares & lasts:
            return True
    return False


def _match_priority(pred: _Ent, gold: _Ent) -> int:
    """0 = no match; higher is better: same type beats exact name beats surname."""
    if pred.keys & gold.keys:
        exact = True
    elif "PERSON" in (pred.type, gold.type) and _surname_match(pred.keys, gold.keys):
        exact = False
    else:
        return 0
    return 1 + (2 if pred.type == gold.type else 0) + (1 if exact else 0)


def match_entities(preds: List[_Ent], golds: List[_Ent]) -> Dict[int, int]:
    """One-to-one pred index -> gold index: maximum matching, best priorities first."""
    graph = nx.Graph()
    for p in preds:
        for g in golds:
            prio = _match_priority(p, g)
            if prio:
                graph.add_edge(("p", p.index), ("g", g.index), weight=prio)
    pairs = nx.max_weight_matching(graph, maxcardinality=True)
    out = {}
    for a, b in pairs:
        p, g = (a, b) if a[0] == "p" else (b, a)
        out[p[1]] = g[1]
    return out


def _merged(label: str) -> str:
    return MERGED if label in ("COMPANY", "ORG") else label


# ---------------------------------------------------------------------------
# Per-document scoring


class _Doc:
    """Scores one gold record against one predicted record (or None) into a Report."""

    def __init__(self, gold: Dict[str, Any], pred: Optional[Dict[str, Any]], report: Report):
        self.id = str(gold.get("id"))
        self.gold = gold
        self.pred = pred or {}
        self.report = report
        entities = list(gold.get("entities") or [])
        # Gold LOCATION/MISC entities are not scored: treat them as optional.
        self.gold_list = [e for e in entities if e.get("type") in SCORED_ENTITY_TYPES]
        opt = list(gold.get("optional_entities") or [])
        opt += [e for e in entities if e.get("type") not in SCORED_ENTITY_TYPES]
        self.gold_ents = _gold_ents(self.gold_list)
        self.opt_ents = _gold_ents(opt)
        self.pred_raw = list(self.pred.get("entities") or [])
        self.pred_ents = _pred_ents(self.pred_raw)
        self.match = match_entities(self.pred_ents, self.gold_ents)
        self.optional = {
            p.index
            for p in self.pred_ents
            if p.index not in self.match and any(_match_priority(p, o) for o in self.opt_ents)
        }

    def error(self, section: str, kind: str, **info: Any) -> None:
        self.report.errors.append({"doc": self.id, "section": section, "kind": kind, **info})

    # -- entities

    def score_entities(self) -> None:
        rep = self.report
        matched_gold = set(self.match.values())
        for g in self.gold_ents:
            if g.index not in matched_gold:
                _row(rep.entities, g.type).fn += 1
                if g.type in ("COMPANY", "ORG"):
                    _row(rep.entities, MERGED).fn += 1
                self.error("entities", "missed", type=g.type, name=g.name)
        for p in self.pred_ents:
            if p.index in self.optional:
                continue
            g = self.gold_ents[self.match[p.index]] if p.index in self.match else None
            if g is None:
                if p.type in SCORED_ENTITY_TYPES:
                    _row(rep.entities, p.type).fp += 1
                    if p.type in ("COMPANY", "ORG"):
                        _row(rep.entities, MERGED).fp += 1
                    self.error("entities", "spurious", type=p.type, name=p.name)
                continue
            self._score_pair(p, g)

    def _score_pair(self, p: _Ent, g: _Ent) -> None:
        rep = self.report
        if p.type == g.type:
            _row(rep.entities, g.type).tp += 1
        else:
            _row(rep.entities, g.type).fn += 1
            if p.type in SCORED_ENTITY_TYPES:
                _row(rep.entities, p.type).fp += 1
            self.error("entities", "wrong_type", type=g.type, pred_type=p.type, name=g.name)
        if _merged(g.type) == MERGED:
            if _merged(p.type) == MERGED:
                _row(rep.entities, MERGED).tp += 1
            else:
                _row(rep.entities, MERGED).fn += 1
        elif _merged(p.type) == MERGED:
            _row(rep.entities, MERGED).fp += 1

    # -- aliases

    def score_aliases(self) -> None:
        gold_entities = self.gold_list
        if not any(e.get("aliases") for e in gold_entities):
            return
        self.report.alias_docs += 1
        row = _row(self.report.aliases, "alias")
        pred_of_gold = {g: p for p, g in self.match.items()}
        text = str(self.gold.get("text") or "")
        for g in self.gold_ents:
            names = [gold_entities[g.index].get("name")] + list(gold_entities[g.index].get("names") or [])
            aliases = [a for a in gold_entities[g.index].get("aliases") or []
                       if a and not _appositive_only(text, a, names)]
            p = pred_of_gold.get(g.index)
            texts = self._alias_texts(p, text) if p is not None else []
            for alias in aliases:
                if any(alias.casefold() in t for t in texts):
                    row.tp += 1
                else:
                    row.fn += 1
                    self.error("aliases", "missed", entity=g.name, alias=alias)
        for p in self.pred_ents:
            if p.index in self.optional:
                continue
            g = self.match.get(p.index)
            if g is None and p.type not in SCORED_ENTITY_TYPES:
                continue
            aliases = [a.casefold() for a in gold_entities[g].get("aliases") or []] if g is not None else []
            for said in self._alias_texts(p.index, text, {"alias"}):
                if not any(a and a in said for a in aliases):
                    row.fp += 1
                    self.error("aliases", "spurious", entity=p.name, alias=said)

    def _alias_texts(self, pred_index: int, text: str, kinds: Iterable[str] = ALIAS_KINDS) -> List[str]:
        """Case-folded alias mentions of a predicted entity, appositions ("der Chip-Riese
        Intel") left out: they are not scored either way."""
        entity = self.pred_raw[pred_index]
        mentions = entity.get("mentions") or []
        names = [entity.get("name")] + [m.get("text") for m in mentions if m.get("kind") in NAME_KINDS]
        return [str(m.get("text") or "").casefold() for m in mentions
                if m.get("kind") in kinds and not _appositive_at(text, m.get("end"), names)]

    def _mention_texts(self, pred_index: int, kinds: Iterable[str]) -> List[str]:
        mentions = self.pred_raw[pred_index].get("mentions") or []
        return [str(m.get("text") or "").casefold() for m in mentions if m.get("kind") in kinds]

    # -- relations

    def _gold_arg(self, name: Optional[str]) -> Optional[str]:
        """A gold relation argument as a comparable key (gold entity index when listed)."""
        if name is None:
            return None
        if name == WILDCARD:
            return WILDCARD
        key = fold_name(name)
        for g in self.gold_ents:
            if key in g.keys:
                return f"g{g.index}"
        for o in self.opt_ents:
            if key in o.keys:
                return f"o{o.index}"
        return f"s:{key}"

    def _pred_arg(self, ent_id: Optional[str], fallback: Optional[str], by_id: Dict[str, int]) -> str:
        """A predicted argument resolved through the entity matching."""
        idx = by_id.get(str(ent_id)) if ent_id is not None else None
        if idx is None:
            return f"s:{fold_name(fallback)}"
        if idx in self.match:
            return f"g{self.match[idx]}"
        p = self.pred_ents[idx]
        for o in self.opt_ents:
            if _match_priority(p, o):
                return f"o{o.index}"
        return f"s:{fold_name(p.name)}"

    def score_relations(self) -> None:
        rep = self.report
        gold = self._gold_relations(self.gold.get("relations") or [])
        optional = self._gold_relations(self.gold.get("optional_relations") or [])
        by_id = {str(e.get("id")): i for i, e in enumerate(self.pred_raw)}
        found: Dict[Tuple, List[Dict[str, Any]]] = {}  # gold key -> predicted attributes
        spurious: Set[Tuple] = set()
        for rel in self.pred.get("relations") or []:
            subj = self._pred_arg(rel.get("subject"), rel.get("subject_name"), by_id)
            obj = None
            if rel.get("object") is not None:
                obj = self._pred_arg(rel.get("object"), rel.get("object_name"), by_id)
            key = _relation_key(str(rel.get("type")), subj, obj)
            hit = _find_relation(key, gold)
            if hit is not None:
                found.setdefault(hit, []).append(rel.get("attributes") or {})
            elif _find_relation(key, optional) is None:
                spurious.add(key)
        for key, attrs in gold.items():
            row = _row(rep.relations, key[0])
            if key in found:
                row.tp += 1
                self._score_attributes(key[0], attrs, found[key])
            else:
                row.fn += 1
                self.error("relations", "missed", **self._describe(key))
        for key in spurious:
            _row(rep.relations, key[0]).fp += 1
            self.error("relations", "spurious", **self._describe(key))

    def _gold_relations(self, relations: Iterable[Dict[str, Any]]) -> Dict[Tuple, Dict[str, Any]]:
        out: Dict[Tuple, Dict[str, Any]] = {}
        for rel in relations:
            key = _relation_key(
                str(rel.get("type")), self._gold_arg(rel.get("subject")), self._gold_arg(rel.get("object"))
            )
            out.setdefault(key, rel.get("attributes") or {})
        return out

    def _score_attributes(self, rtype: str, gold: Dict[str, Any], preds: List[Dict[str, Any]]) -> None:
        for name, value in gold.items():
            if value is None:
                continue
            acc = self.report.attributes.setdefault(f"{rtype}.{name}", Accuracy())
            acc.total += 1
            want = _fold_value(value)
            if any(_fold_value(p.get(name)) == want for p in preds):
                acc.correct += 1

    def _describe(self, key: Tuple) -> Dict[str, Any]:
        return {"type": key[0], "subject": self._arg_name(key[1]), "object": self._arg_name(key[2])}

    def _arg_name(self, arg: Any) -> Optional[str]:
        if isinstance(arg, tuple):  # symmetric pair
            return " / ".join(str(self._arg_name(a)) for a in arg)
        if arg is None or arg == WILDCARD:
            return arg
        if arg.startswith("g"):
            return self.gold_ents[int(arg[1:])].name
        if arg.startswith("o"):
            return self.opt_ents[int(arg[1:])].name
        return arg[2:]

    # -- span NER

    def score_ner(self) -> None:
        if "ner_mentions" not in self.gold:
            return
        self.report.ner_docs += 1
        gold = {(int(s), int(e), str(t)) for s, e, t in self.gold.get("ner_mentions") or []}
        pred = set()
        for ent in self.pred_raw:
            if ent.get("type") not in NER_TYPES:
                continue
            for m in ent.get("mentions") or []:
                if m.get("kind") in NAME_KINDS:
                    pred.add((int(m["start"]), int(m["end"]), ent["type"]))
        self._score_spans(gold, pred, log=True)
        self._score_spans(_merge_spans(gold), _merge_spans(pred), log=False)

    def _score_spans(self, gold: Set[Tuple], pred: Set[Tuple], log: bool) -> None:
        for _, _, label in gold & pred:
            _row(self.report.ner, label).tp += 1
        for kind, spans in (("missed", gold - pred), ("spurious", pred - gold)):
            for start, end, label in sorted(spans):
                row = _row(self.report.ner, label)
                if kind == "missed":
                    row.fn += 1
                else:
                    row.fp += 1
                if log:
                    self.error("ner", kind, type=label, start=start, end=end, text=self._text(start, end))

    def _text(self, start: int, end: int) -> str:
        return str(self.gold.get("text") or "")[start:end]


_APPOSITION_GAP = re.compile(r"[a-zäöüß]{0,3}\s+[\"„“»]?")


def _appositive_at(text: str, end: Any, names: Iterable[Optional[str]]) -> bool:
    """Does a name of the entity directly follow offset `end` (an inflection remnant, space, quote
    between)? The rule of CONTRACT.md and ../shared/eval/tools/drop_appositions.py."""
    if not isinstance(end, int) or not 0 <= end <= len(text):
        return False
    rest = text[end:end + 80]
    gap = _APPOSITION_GAP.match(rest)
    follow = rest[gap.end():] if gap else None
    return bool(follow) and any(follow.startswith(n) for n in names if n)


def _appositive_only(text: str, alias: str, names: Iterable[Optional[str]]) -> bool:
    """A gold alias that occurs only in appositions is not scored."""
    ends = [m.end() for m in re.finditer(re.escape(alias), text)]
    names = list(names)
    return bool(ends) and all(_appositive_at(text, end, names) for end in ends)


def _merge_spans(spans: Set[Tuple]) -> Set[Tuple]:
    """Only the COMPANY/ORG spans, relabelled as one type."""
    return {(s, e, MERGED) for s, e, t in spans if _merged(t) == MERGED}


def _relation_key(rtype: str, subj: Optional[str], obj: Optional[str]) -> Tuple:
    """Comparable relation key: symmetric pairs unordered, unary types drop the object."""
    if rtype in UNARY_TYPES or obj is None:
        return (rtype, subj, None)
    if rtype in SYMMETRIC_TYPES:
        return (rtype, tuple(sorted((str(subj), str(obj)))), None)
    return (rtype, subj, obj)


def _args_match(want: Any, got: Any) -> bool:
    if isinstance(want, tuple) and isinstance(got, tuple):
        return any(
            all(_args_match(w, g) for w, g in zip(want, order)) for order in (got, got[::-1])
        )
    return want == WILDCARD or want == got


def _find_relation(key: Tuple, table: Dict[Tuple, Any]) -> Optional[Tuple]:
    """The gold key a predicted key hits: exact, via wildcards, or subject-only when gold's object is null."""
    if key in table:
        return key
    rtype, subj, obj = key
    for gold in table:
        if gold[0] != rtype:
            continue
        if gold[2] is None and not isinstance(gold[1], tuple):
            if not isinstance(subj, tuple) and _args_match(gold[1], subj):
                return gold
        elif _args_match(gold[1], subj) and _args_match(gold[2], obj):
            return gold
    return None


def _fold_value(value: Any) -> str:
    return _SPACE_RE.sub(" ", str(value if value is not None else "").casefold()).strip(_PUNCT)


# ---------------------------------------------------------------------------
# Public API


def evaluate(gold: Iterable[Dict[str, Any]], pred: Iterable[Dict[str, Any]]) -> Report:
    """Score predicted output records against gold records, matched by `id`.

    A gold document without a prediction counts as all-missed (its id is listed
    in `report.missing`); predictions without gold are ignored (`report.extra`).
    """
    predictions: Dict[str, Dict[str, Any]] = {}
    for rec in pred:
        predictions.setdefault(str(rec.get("id")), rec)
    report = Report()
    for label in SCORED_ENTITY_TYPES + (MERGED,):
        _row(report.entities, label)
    seen: Set[str] = set()
    for rec in gold:
        doc_id = str(rec.get("id"))
        seen.add(doc_id)
        report.docs += 1
        predicted = predictions.get(doc_id)
        if predicted is None:
            report.missing.append(doc_id)
        doc = _Doc(rec, predicted, report)
        doc.score_entities()
        doc.score_aliases()
        doc.score_relations()
        doc.score_ner()
    report.extra = len(set(predictions) - seen)
    if report.ner:
        for label in NER_TYPES + (MERGED,):
            _row(report.ner, label)
    return report


def _counts_dict(counts: Counts) -> Dict[str, Any]:
    return {
        "precision": round(counts.precision, 4),
        "recall": round(counts.recall, 4),
        "f1": round(counts.f1, 4),
        "tp": counts.tp,
        "fp": counts.fp,
        "fn": counts.fn,
    }


def report_to_dict(report: Report, errors: bool = True) -> Dict[str, Any]:
    """The report as JSON-ready dicts: section -> type -> scores, plus `micro` per section."""
    out: Dict[str, Any] = {
        "docs": report.docs,
        "missing_predictions": len(report.missing),
        "missing_ids": list(report.missing),
        "extra_predictions": report.extra,
        "alias_docs": report.alias_docs,
        "ner_docs": report.ner_docs,
    }
    for name, table in report.sections().items():
        section = {label: _counts_dict(table[label]) for label in sorted(table)}
        section["micro"] = _counts_dict(report.micro(name))
        out[name] = section
    out["attributes"] = {
        name: {"accuracy": round(acc.accuracy, 4), "correct": acc.correct, "total": acc.total}
        for name, acc in sorted(report.attributes.items())
    }
    if errors:
        out["errors"] = list(report.errors)
    return out


def format_report(report: Report) -> str:
    """A fixed-width table: section, type, P, R, F1, tp, fp, fn; micro row per section."""
    header = f"{'section':<10} {'type':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>6} {'fp':>6} {'fn':>6}"
    lines = [
        f"docs: {report.docs}  missing predictions: {len(report.missing)}  "
        f"extra predictions: {report.extra}  alias docs: {report.alias_docs}  "
        f"ner docs: {report.ner_docs}",
        header,
        "-" * len(header),
    ]

    def row(section: str, label: str, c: Counts) -> str:
        return (
            f"{section:<10} {label:<18} {c.precision:>6.3f} {c.recall:>6.3f} {c.f1:>6.3f} "
            f"{c.tp:>6} {c.fp:>6} {c.fn:>6}"
        )

    for name, table in report.sections().items():
        if not table:
            continue
        labels = sorted(label for label in table if label != MERGED)
        lines.extend(row(name, label, table[label]) for label in labels)
        if MERGED in table:
            lines.append(row(name, MERGED, table[MERGED]))
        lines.append(row(name, "micro", report.micro(name)))
        lines.append("")
    if report.attributes:
        lines.append(f"{'attribute':<29} {'acc':>6} {'ok':>6} {'total':>6}")
        for name, acc in sorted(report.attributes.items()):
            lines.append(f"{name:<29} {acc.accuracy:>6.3f} {acc.correct:>6} {acc.total:>6}")
    return "\n".join(lines).rstrip() + "\n"


class _Oracle:
    """One gold record scored against one predicted record, predicted entities by id: what
    the training-label oracles share."""

    def __init__(self, gold: Dict[str, Any], pred: Dict[str, Any]) -> None:
        self._doc = _Doc(gold, pred, Report())
        self._by_id = {str(e.get("id")): i for i, e in enumerate(self._doc.pred_raw)}


class RelationOracle(_Oracle):
    """Training labels from document-level gold: is a relation between two *predicted*
    entities (by id) a gold relation (True), an optional one (None) or neither (False)?
    Entities are matched exactly as `evaluate` matches them, so the labels a trained
    component learns from agree with the scores it is measured by."""

    def __init__(self, gold: Dict[str, Any], pred: Dict[str, Any]) -> None:
        super().__init__(gold, pred)
        self._gold = self._doc._gold_relations(gold.get("relations") or [])
        self._optional = self._doc._gold_relations(gold.get("optional_relations") or [])

    def __call__(self, rtype: str, subject: str, obj: Optional[str]) -> Optional[bool]:
        subj = self._doc._pred_arg(subject, None, self._by_id)
        target = self._doc._pred_arg(obj, None, self._by_id) if obj is not None else None
        key = _relation_key(rtype, subj, target)
        if _find_relation(key, self._gold) is not None:
            return True
        return None if _find_relation(key, self._optional) is not None else False

    @property
    def gold_count(self) -> int:
        return len(self._gold)


class AliasOracle(_Oracle):
    """Training labels for alias links: does a reference with this text, linked to a
    *predicted* entity (by id), count as a correct alias link in `evaluate`? Entities
    are matched exactly as `evaluate` matches them."""

    def __call__(self, entity_id: str, text: str) -> bool:
        g = self._doc.match.get(self._by_id.get(entity_id, -1))
        if g is None:
            return False
        said = text.casefold()
        return any(a and a.casefold() in said for a in self._doc.gold_list[g].get("aliases") or [])
