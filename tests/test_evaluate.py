"""Scoring rules of CONTRACT.md "Gold format", with hand-counted expectations."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from extractor.evaluate import evaluate, fold_name, format_report, report_to_dict

EVAL_DIR = Path(__file__).parents[1].parent / "shared" / "eval"


def _m(text: str, kind: str = "name", start: int = 0) -> Dict[str, Any]:
    return {"start": start, "end": start + len(text), "text": text, "kind": kind}


def _e(eid: str, etype: str, name: str, *mentions: Dict[str, Any]) -> Dict[str, Any]:
    return {"id": eid, "type": etype, "name": name, "kb_id": None,
            "mentions": list(mentions) or [_m(name)]}


def _r(rtype: str, subj: str, obj: Optional[str], **attributes: Any) -> Dict[str, Any]:
    return {"type": rtype, "subject": subj, "object": obj, "attributes": attributes}


def _pr(p: float, r: float) -> Dict[str, float]:
    return {"precision": pytest.approx(p, abs=1e-4), "recall": pytest.approx(r, abs=1e-4)}


def _scores(table: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {k: {"precision": v["precision"], "recall": v["recall"]} for k, v in table.items()}


GOLD_DOC = {
    "id": "d1",
    "text": "...",
    "entities": [
        {"name": "Volkswagen AG", "type": "COMPANY", "names": ["VW"],
         "aliases": ["Wolfsburger Konzern", "Autobauer"]},
        {"name": "Porsche", "type": "COMPANY", "names": [], "aliases": []},
        {"name": "Herbert Diess", "type": "PERSON", "names": [], "aliases": []},
        {"name": "IG Metall", "type": "ORG", "names": [], "aliases": []},
        {"name": "Betriebsrat", "type": "ORG", "names": [], "aliases": []},
        {"name": "Anna Schmidt", "type": "PERSON", "names": [], "aliases": []},
    ],
    "optional_entities": [{"name": "dpa", "type": "COMPANY"}, {"name": "Wolfsburg", "type": "LOCATION"}],
    "relations": [
        {"type": "cooperation_talks", "subject": "Volkswagen AG", "object": "Porsche"},
        {"type": "role", "subject": "Herbert Diess", "object": "Volkswagen AG",
         "attributes": {"title": "Chef"}},
        {"type": "layoffs", "subject": "Volkswagen AG", "object": None},
        {"type": "strike", "subject": "IG Metall", "object": "Volkswagen AG"},
    ],
    "optional_relations": [{"type": "stake", "subject": "Porsche", "object": "Volkswagen AG"}],
}

PRED_DOC = {
    "id": "d1",
    "entities": [
        # legal suffix folded: "Volkswagen" = "Volkswagen AG"; two alias mentions, one wrong
        _e("E1", "COMPANY", "Volkswagen", _m("Volkswagen"), _m("VW", "compound"),
           _m("der Wolfsburger Konzern", "alias"), _m("die Niedersachsen", "alias")),
        _e("E2", "COMPANY", "Porsche", _m("Porsche"), _m("der Sportwagenbauer", "alias")),
        _e("E3", "PERSON", "Diess", _m("Diess"), _m("er", "pronoun")),  # bare surname
        _e("E4", "ORG", "IG-Metall-Bezirk", _m("IG Metall", "compound")),  # via compound mention
        _e("E5", "COMPANY", "Betriebsrat"),  # wrong type (gold: ORG)
        _e("E6", "COMPANY", "dpa"),  # optional: neither way
        _e("E7", "PERSON", "Max Muster"),  # spurious
        _e("E8", "LOCATION", "Wolfsburg"),  # not scored
    ],
    "relations": [
        _r("cooperation_talks", "E2", "E1"),  # symmetric, reversed: TP
        _r("cooperation_talks", "E1", "E2"),  # duplicate: counts once
        _r("role", "E3", "E1", title="Vorstandschef"),  # TP, attribute wrong
        _r("role", "E3", "E1", title="Vorstandschef"),
        _r("layoffs", "E1", None, count="1000"),  # unary: TP
        _r("insolvency", "E2", None),  # unary: FP
        _r("stake", "E2", "E1"),  # optional: ignored
        _r("acquisition", "E7", "E2"),  # argument matches no gold entity: FP
    ],
}


def test_fold_name() -> None:
    assert fold_name("Volkswagen AG") == "volkswagen"
    assert fold_name("Henkel AG & Co. KGaA") == "henkel"
    assert fold_name("Renault S.A.") == "renault"
    assert fold_name("Royal Dutch Shell plc") == "royal dutch shell"
    assert fold_name("Deutsche Presse-Agentur GmbH") == "deutsche presse-agentur"
    assert fold_name("„BMW“") == "bmw"
    assert fold_name("Conrad Caine.") == "conrad caine"
    assert fold_name("SE") == "se"  # never folded to nothing
    assert fold_name("Agfa") == "agfa"


def test_entities() -> None:
    report = report_to_dict(evaluate([GOLD_DOC], [PRED_DOC]))
    ents = report["entities"]
    assert (ents["COMPANY"]["tp"], ents["COMPANY"]["fp"], ents["COMPANY"]["fn"]) == (2, 1, 0)
    assert (ents["ORG"]["tp"], ents["ORG"]["fp"], ents["ORG"]["fn"]) == (1, 0, 1)
    assert (ents["PERSON"]["tp"], ents["PERSON"]["fp"], ents["PERSON"]["fn"]) == (1, 1, 1)
    assert (ents["ORG+COMPANY"]["tp"], ents["ORG+COMPANY"]["fp"], ents["ORG+COMPANY"]["fn"]) == (4, 0, 0)
    assert _scores(ents) == {
        "COMPANY": _pr(2 / 3, 1.0),
        "ORG": _pr(1.0, 0.5),
        "PERSON": _pr(0.5, 0.5),
        "ORG+COMPANY": _pr(1.0, 1.0),
        "micro": _pr(4 / 6, 4 / 6),
    }
    kinds = {(e["kind"], e["name"]) for e in report["errors"] if e["section"] == "entities"}
    assert kinds == {("wrong_type", "Betriebsrat"), ("spurious", "Max Muster"), ("missed", "Anna Schmidt")}


def test_aliases() -> None:
    report = evaluate([GOLD_DOC], [PRED_DOC])
    alias = report.aliases["alias"]
    # TP "Wolfsburger Konzern"; FN "Autobauer"; FP "die Niedersachsen", "der Sportwagenbauer"
    assert (alias.tp, alias.fp, alias.fn) == (1, 2, 1)
    assert report.alias_docs == 1


def test_relations() -> None:
    report = evaluate([GOLD_DOC], [PRED_DOC])
    rows = {k: (c.tp, c.fp, c.fn) for k, c in report.relations.items()}
    assert rows == {
        "cooperation_talks": (1, 0, 0),
        "role": (1, 0, 0),
        "layoffs": (1, 0, 0),
        "strike": (0, 0, 1),
        "insolvency": (0, 1, 0),
        "acquisition": (0, 1, 0),
    }
    micro = report.micro("relations")
    assert (micro.precision, micro.recall) == (pytest.approx(0.6), pytest.approx(0.75))
    acc = report.attributes["role.title"]
    assert (acc.correct, acc.total) == (0, 1)


def test_ner_spans() -> None:
    text = "Siemens und die IG Metall streiten in Berlin, sagte Joe Kaeser."

    def span(s: str, label: str) -> List[Any]:
        return [text.find(s), text.find(s) + len(s), label]

    gold = {"id": "d2", "text": text, "entities": [], "relations": [],
            "ner_mentions": [span("Siemens", "COMPANY"), span("IG Metall", "ORG"),
                             span("Berlin", "LOCATION"), span("Joe Kaeser", "PERSON")]}

    def mention(s: str, kind: str = "name") -> Dict[str, Any]:
        return _m(s, kind, text.find(s))

    pred = {"id": "d2", "entities": [
        _e("E1", "COMPANY", "Siemens", mention("Siemens"), mention("Konzern", "alias")),
        _e("E2", "COMPANY", "IG Metall", mention("IG Metall")),  # wrong type: right in ORG+COMPANY
        _e("E3", "LOCATION", "Berlin", mention("Berlin")),
        _e("E4", "PERSON", "Joe Kaeser", mention("Joe")),  # wrong boundary
        _e("E5", "MISC", "Metall", mention("Metall")),  # MISC: ignored
    ], "relations": []}
    report = evaluate([gold], [pred])
    rows = {k: (c.tp, c.fp, c.fn) for k, c in report.ner.items()}
    assert rows == {
        "COMPANY": (1, 1, 0),
        "ORG": (0, 0, 1),
        "LOCATION": (1, 0, 0),
        "PERSON": (0, 1, 1),
        "ORG+COMPANY": (2, 0, 0),
    }
    micro = report.micro("ner")
    assert (micro.tp, micro.fp, micro.fn) == (2, 2, 2)
    assert report.ner_docs == 1


def test_missing_prediction_and_output() -> None:
    gold2 = dict(GOLD_DOC, id="d9")
    report = evaluate([GOLD_DOC, gold2], [PRED_DOC, {"id": "other", "entities": []}])
    assert report.missing == ["d9"] and report.extra == 1
    assert report.entities["PERSON"].fn == 1 + 2  # d9: every gold entity missed
    assert report.relations["strike"].fn == 2
    as_dict = report_to_dict(report)
    json.dumps(as_dict)  # JSON-ready
    assert as_dict["missing_predictions"] == 1
    table = format_report(report)
    assert "ORG+COMPANY" in table and "micro" in table and "role.title" in table
    lines = [line for line in table.splitlines() if line.startswith("entities")]
    assert len({len(line) for line in lines}) == 1  # fixed width


def _perfect(gold: Dict[str, Any]) -> Dict[str, Any]:
    """An output record built from the gold itself, mentions located with str.find."""
    text = gold.get("text") or ""
    entities, ids = [], {}
    for i, ent in enumerate(gold["entities"]):
        eid = f"E{i + 1}"
        strings = [(ent["name"], "name")] + [(n, "name") for n in ent.get("names", [])]
        mentions = [_m(s, kind, max(text.find(s), 0)) for s, kind in strings]
        # every occurrence of an alias: the first may be an apposition, which is not scored
        mentions += [_m(a, "alias", m.start()) for a in ent.get("aliases", []) for m in re.finditer(re.escape(a), text)]
        strings += [(a, "alias") for a in ent.get("aliases", [])]
        entities.append({"id": eid, "type": ent["type"], "name": ent["name"], "kb_id": None,
                         "mentions": mentions})
        for s, _ in strings[: 1 + len(ent.get("names", []))]:
            ids[fold_name(s)] = eid
    relations = [
        _r(rel["type"], ids[fold_name(rel["subject"])],
           ids[fold_name(rel["object"])] if rel["object"] is not None else None,
           **(rel.get("attributes") or {}))
        for rel in gold["relations"]
    ]
    return {"id": gold["id"], "entities": entities, "relations": relations}


@pytest.mark.parametrize("name", ["seed.gold.jsonl", "smartdata-dev.gold.jsonl"])
def test_gold_against_itself(name: str) -> None:
    path = EVAL_DIR / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    gold = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    report = evaluate(gold, [_perfect(g) for g in gold])
    assert report.micro("entities").f1 == 1.0
    assert report.micro("relations").f1 == 1.0
    assert report.micro("entities").fp == report.micro("relations").fp == 0
    if report.alias_docs:
        assert report.micro("aliases").f1 == 1.0
    assert all(acc.accuracy == 1.0 for acc in report.attributes.values())


def test_appositions_are_not_scored_either_way() -> None:
    """CONTRACT.md: an alias mention directly followed by a name of its own entity ("der
    Chip-Riese Intel") counts neither as a hit nor as a false alias; the same alias standing
    alone later is scored."""
    text = "Der Chip-Riese Intel streicht Stellen. Der Chip-Riese will sparen. Die Kalifornier auch."
    gold = {"id": "a1", "text": text, "relations": [], "entities": [
        {"name": "Intel", "type": "COMPANY", "names": [], "aliases": ["Chip-Riese", "Kalifornier"]}]}

    def mention(s: str, kind: str, nth: int = 0) -> Dict[str, Any]:
        start = -1
        for _ in range(nth + 1):
            start = text.index(s, start + 1)
        return _m(s, kind, start)

    apposition_only = {"id": "a1", "relations": [], "entities": [
        _e("E1", "COMPANY", "Intel", mention("Der Chip-Riese", "alias"), mention("Intel", "name"))]}
    alias = evaluate([gold], [apposition_only]).aliases["alias"]
    assert (alias.tp, alias.fp, alias.fn) == (0, 0, 2)  # nothing said alone: both gold aliases missed

    standing_alone = {"id": "a1", "relations": [], "entities": [
        _e("E1", "COMPANY", "Intel", mention("Der Chip-Riese", "alias"), mention("Intel", "name"),
           mention("Der Chip-Riese", "alias", 1), mention("Die Kalifornier", "alias"))]}
    alias = evaluate([gold], [standing_alone]).aliases["alias"]
    assert (alias.tp, alias.fp, alias.fn) == (2, 0, 0)

    only_in_apposition = dict(gold, text="Der Chip-Riese Intel streicht Stellen.")
    assert evaluate([only_in_apposition], [apposition_only]).aliases["alias"].fn == 1  # "Kalifornier" only
