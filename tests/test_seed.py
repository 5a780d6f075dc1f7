"""The acceptance case: the Handelsblatt article the project started from.

Every gold entity, alias and relation must come out, and no relation outside the
gold and optional lists.
"""

from __future__ import annotations

import orjson

from extractor.evaluate import evaluate

from conftest import shared_path


def _seed():
    path = shared_path("eval", "seed.gold.jsonl")
    return orjson.loads(path.read_bytes().splitlines()[0])


def test_seed_article_comes_out_complete(analyse):
    gold = _seed()
    pred = analyse(gold["text"], id=gold["id"])
    report = evaluate([gold], [pred])
    relations = report.micro("relations")
    entities = report.micro("entities")
    aliases = report.aliases["alias"]
    missed = [e for e in report.errors if e["kind"] == "missed"]
    spurious = [e for e in report.errors if e["kind"] == "spurious" and e["section"] == "relations"]
    assert relations.fn == 0 and relations.tp == 11, missed
    assert relations.fp == 0, spurious
    assert entities.fn == 0, missed
    assert aliases.fn == 0, missed


def test_seed_offsets_point_into_the_text(analyse):
    gold = _seed()
    pred = analyse(gold["text"], id=gold["id"])
    for entity in pred["entities"]:
        for mention in entity["mentions"]:
            assert gold["text"][mention["start"]:mention["end"]] == mention["text"]
    for relation in pred["relations"]:
        evidence = relation["evidence"]
        assert gold["text"][evidence["start"]:evidence["end"]] == evidence["text"]
