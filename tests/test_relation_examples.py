"""Relation rules on example sentences per type (tests/fixtures/relations/examples.jsonl), run on
a blank pipeline with preset entities: a retrained NER model cannot break them, and a rule
change that does shows up here. Positive lines list relations that must come out, negative
ones (negation, denial, mere co-occurrence) relations that must not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from extractor.pipeline import EXTRACTOR_COMPONENTS
from extractor.relation_types import RELATION_TYPES
from extractor.tokenizer import split_hyphens

EXAMPLES = Path(__file__).parent / "fixtures" / "relations" / "examples.jsonl"
CASES = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blank():
    from extractor import components  # noqa: F401  (registers the factories)

    nlp = split_hyphens(spacy.blank("de"))
    for name in EXTRACTOR_COMPONENTS:
        nlp.add_pipe(name)
    nlp.initialize()  # the components read their lexicons and the knowledge base
    return nlp


def analyse(nlp, case):
    doc = nlp.make_doc(case["text"])
    spans = []
    for text, label, *nth in case["ents"]:  # [text, label] or [text, label, n]: the n-th occurrence (from 0)
        start = -1
        for _ in range((nth or [0])[0] + 1):
            start = case["text"].index(text, start + 1)
        span = doc.char_span(start, start + len(text), label=label)
        assert span is not None, f"{text!r} does not align with tokens"
        spans.append(span)
    doc.ents = spans
    for _, component in nlp.pipeline:
        doc = component(doc)
    return {(r["type"], r["subject_name"], r["object_name"]) for r in doc._.relations}


def test_every_relation_type_has_examples():
    assert {case["type"] for case in CASES} == set(RELATION_TYPES)
    assert any(case["absent"] for case in CASES) and all(case["expect"] or case["absent"] for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['type']}-{n}" for n, c in enumerate(CASES)])
def test_example(blank, case):
    found = analyse(blank, case)
    for want in case["expect"]:
        assert tuple(want) in found, (case["text"], found)
    for unwanted in case["absent"]:
        assert tuple(unwanted) not in found, (case["text"], found)
