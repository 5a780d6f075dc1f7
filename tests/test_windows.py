"""Long articles in windows: cuts at paragraph breaks, merged entities and relations, exact offsets."""

from __future__ import annotations

from functools import partial

import pytest

from extractor import pipeline
from extractor.records import Record
from extractor.windows import merge_windows, windows


def test_windows_cover_the_text_and_cut_at_paragraphs():
    text = "".join(f"Absatz {i} über Siemens und Bosch.\n\n" for i in range(200))
    spans = windows(text, size=500)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))  # no gap, no overlap
    assert all(end - start <= 500 for start, end in spans)
    assert all(text[:end].endswith("\n\n") for _, end in spans[:-1])
    assert windows("kurz", size=500) == [(0, 4)]


def test_windows_without_breaks_still_bounded():
    spans = windows("x" * 1234, size=500)
    assert [end - start for start, end in spans] == [500, 500, 234]


def _entity(eid, etype, name, start, kb_id=None):
    return {"id": eid, "type": etype, "name": name, "kb_id": kb_id,
            "mentions": [{"start": start, "end": start + len(name), "text": name, "kind": "name"}]}


def _relation(rtype, subj, obj, start):
    return {"type": rtype, "subject": subj, "object": obj, "subject_name": "", "object_name": "",
            "attributes": {}, "confidence": 0.9, "evidence": {"start": start, "end": start + 5, "text": "....."}}


def test_merge_joins_entities_shifts_offsets_and_remaps_relations():
    first = (0, [_entity("E1", "COMPANY", "Siemens", 0, "siemens"), _entity("E2", "PERSON", "Joe Kaeser", 20)],
             [_relation("role", "E2", "E1", 10)])
    second = (1000, [_entity("E1", "PERSON", "Joe Kaeser", 5), _entity("E2", "COMPANY", "Siemens AG", 30, "siemens"),
                     _entity("E3", "COMPANY", "Bosch", 50)],
              [_relation("role", "E1", "E2", 0), _relation("layoffs", "E3", None, 40)])
    entities, relations = merge_windows([first, second])
    assert [(e["id"], e["name"]) for e in entities] == [("E1", "Siemens"), ("E2", "Joe Kaeser"), ("E3", "Bosch")]
    assert [m["start"] for m in entities[0]["mentions"]] == [0, 1030]  # same kb id: one entity
    assert [m["start"] for m in entities[1]["mentions"]] == [20, 1005]  # same name: one entity
    assert [(r["type"], r["subject"], r["object"]) for r in relations] == [("role", "E2", "E1"), ("layoffs", "E3", None)]
    assert relations[1]["evidence"]["start"] == 1040 and relations[1]["subject_name"] == "Bosch"


@pytest.fixture(scope="module")
def small_windows(extractor):
    original = pipeline.windows
    pipeline.windows = partial(original, size=2000)
    yield extractor
    pipeline.windows = original


def test_long_article_is_analysed_in_windows_with_exact_offsets(small_windows):
    paragraph = ("Siemens-Chef Joe Kaeser kündigte an, dass Siemens 2000 Stellen streicht. "
                 "Die IG Metall kritisiert den Stellenabbau.\n\n")
    text = paragraph * (6000 // len(paragraph) + 1)
    out = next(small_windows.process([Record(id="long", text=text)]))
    names = [e["name"] for e in out["entities"]]
    assert names.count("Siemens") == 1 and names.count("Joe Kaeser") == 1  # merged across windows
    for entity in out["entities"]:
        for m in entity["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
    ids = {e["id"] for e in out["entities"]}
    assert out["relations"] and all(r["subject"] in ids and (r["object"] in ids or r["object"] is None)
                                    for r in out["relations"])
    for r in out["relations"]:
        assert text[r["evidence"]["start"]:r["evidence"]["end"]] == r["evidence"]["text"]
    assert ("role", "Joe Kaeser", "Siemens") in {(r["type"], r["subject_name"], r["object_name"]) for r in out["relations"]}
