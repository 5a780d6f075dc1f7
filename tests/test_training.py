"""Training: corpus conversion on hand-made records, and a seconds-long smoke run of `make train`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from extractor import __version__
from extractor.tokenizer import split_hyphens
from extractor.training.corpora import build_corpora

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
LABELS = {"COMPANY", "ORG", "PERSON", "LOCATION", "MISC"}


def _at(text: str, sub: str, nth: int = 0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return start, start + len(sub)


def _write_jsonl(path: Path, records) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


SMART = "Der Intel-Chef traf am Montag Angela Merkel in Berlin."
GERM = "Der BMW-Chef lobte deutsche Autos , die Commerzbank AG , die IG Metall und Quuxfoo ."
LER = "Die Klägerin , die Quux GmbH , beruft sich auf § 5 GS ."
LER_LAW_ONLY = "Nach § 7 GS ist das unzulässig ."


def _germeval(text: str, ents):
    tokens = text.split(" ")
    return {"text": text, "tokens": tokens, "spaces": [True] * len(tokens), "ents": ents, "nested_ents": []}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """A tiny data folder in the three corpus formats, converted by build_corpora."""
    data = tmp_path_factory.mktemp("data")
    intel = _at(SMART, "Intel")
    smart = {"id": "s1", "source": "news", "doctype": None, "text": SMART, "relations": [], "entities": [
        # Older SmartData spans carry the whitespace before the name: trimmed to "Intel".
        {"start": intel[0] - 1, "end": intel[1], "type": "ORGANIZATION_COMPANY", "text": " Intel"},
        {**dict(zip(("start", "end"), _at(SMART, "Angela Merkel"))), "type": "PERSON", "text": "Angela Merkel"},
        {**dict(zip(("start", "end"), _at(SMART, "Berlin"))), "type": "LOCATION_CITY", "text": "Berlin"},
        {**dict(zip(("start", "end"), _at(SMART, "Montag"))), "type": "DATE", "text": "Montag"},
    ]}
    _write_jsonl(data / "smartdata" / "train.jsonl", [smart])
    _write_jsonl(data / "smartdata" / "dev.jsonl", [smart])
    germ = _germeval(GERM, [
        [*_at(GERM, "BMW-Chef"), "ORGpart"],
        [*_at(GERM, "deutsche"), "LOCderiv"],
        [*_at(GERM, "Commerzbank AG"), "ORG"],
        [*_at(GERM, "IG Metall"), "ORG"],
        [*_at(GERM, "Quuxfoo"), "ORG"],
    ])
    other = _germeval("Peter wohnt in Köln .", [[0, 5, "PER"], [15, 19, "LOC"]])
    _write_jsonl(data / "germeval2014" / "germeval2014-dev.jsonl", [germ])
    _write_jsonl(data / "germeval2014" / "germeval2014-test.jsonl", [other, other])
    ler = {"text": LER, "tokens": LER.split(" "), "spaces": [], "ents": [
        [*_at(LER, "Quux GmbH"), "UN"], [*_at(LER, "§ 5 GS"), "GS"]]}
    law_only = {"text": LER_LAW_ONLY, "tokens": [], "spaces": [], "ents": [[*_at(LER_LAW_ONLY, "§ 7 GS"), "GS"]]}
    _write_jsonl(data / "ler" / "ler-dev.jsonl", [ler, law_only])
    _write_jsonl(data / "ler" / "ler-test.jsonl", [])
    (data / "companies").mkdir()
    nlp = split_hyphens(spacy.blank("de"))
    out = tmp_path_factory.mktemp("corpus")
    counts = build_corpora(nlp, data, out, heldout_germeval=1000)
    train = {doc.text: doc for doc in DocBin().from_disk(out / "train.spacy").get_docs(nlp.vocab)}
    return {"data": data, "nlp": nlp, "counts": counts, "train": train, "out": out}


def _tokens(doc, text: str, sub: str):
    start, end = _at(text, sub)
    span = doc.char_span(start, end, alignment_mode="expand")
    return list(span)


def test_counts_and_splits(corpora):
    # train: SmartData 1 + GermEval dev 1 + GermEval test 1 (the other is held out) + LER 1 (law-only skipped).
    assert corpora["counts"] == {"train": 4, "dev": 1, "germeval-test": 1}
    assert LER_LAW_ONLY not in corpora["train"]


def test_limit_caps_each_corpus(corpora, tmp_path):
    counts = build_corpora(corpora["nlp"], corpora["data"], tmp_path, limit=1)
    # GermEval test: one sentence read, none of it may be held out (at most half).
    assert counts == {"train": 4, "dev": 1, "germeval-test": 0}


def test_smartdata_company_trimmed_inside_hyphen_compound(corpora):
    doc = corpora["train"][SMART]
    assert [t.text for t in doc[:5]] == ["Der", "Intel", "-", "Chef", "traf"]
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Intel", "COMPANY"), ("Angela Merkel", "PERSON"), ("Berlin", "LOCATION")]
    assert [t.ent_iob_ for t in doc[2:4]] == ["O", "O"]
    assert _tokens(doc, SMART, "Montag")[0].ent_iob == 2  # DATE is not ours: outside


def test_germeval_part_deriv_and_org_typing(corpora):
    doc = corpora["train"][GERM]
    part = _tokens(doc, GERM, "BMW-Chef")
    assert [t.text for t in part] == ["BMW", "-", "Chef"]
    assert all(t.ent_iob == 0 for t in part)  # ORGpart: missing, not outside
    assert all(t.ent_iob == 2 for t in _tokens(doc, GERM, "deutsche"))  # LOCderiv: outside
    assert all(t.ent_iob == 0 for t in _tokens(doc, GERM, "Quuxfoo"))  # no cue decides: missing
    assert {(e.text, e.label_) for e in doc.ents} == {("Commerzbank AG", "COMPANY"), ("IG Metall", "ORG")}


def test_ler_company_and_law_reference(corpora):
    doc = corpora["train"][LER]
    assert [(e.text, e.label_) for e in doc.ents] == [("Quux GmbH", "COMPANY")]
    assert all(t.ent_iob == 0 for t in _tokens(doc, LER, "§ 5 GS"))  # GS (law): missing
    assert doc[0].ent_iob == 2


def test_training_smoke_run(tmp_path):
    """The real `python -m extractor.training.train` for 5 steps on 20 records per corpus file."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent (a clone without ../shared/data): no corpora to train on")
    out, work = tmp_path / "model", tmp_path / "work"
    cmd = [sys.executable, "-m", "extractor.training.train", "--data", str(SHARED_DATA), "--out", str(out),
           "--work", str(work), "--max-steps", "5", "--limit", "20"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (work / "output" / "model-best").is_dir()
    nlp = spacy.load(out)
    assert "ner" in nlp.pipe_names
    assert set(nlp.get_pipe("ner").labels) == LABELS
    assert [t.text for t in nlp.make_doc("BMW-Chef")] == ["BMW", "-", "Chef"]
    assert nlp.meta["name"] == "business_news"
    assert nlp.meta["version"] == __version__
    assert nlp.meta["sources"] and "heldout_germeval_test" in nlp.meta
    assert nlp.meta["training_limit"] == 20
    nlp("Der BMW-Chef Oliver Zipse sprach in München.")  # the packaged pipeline runs


WIKIANN = """0\tDer\tO
1\tChef\tO
2\tder\tO
3\tQuux\tB-ORG
4\tBank\tI-ORG
5\t,\tO
6\tPeter\tB-PER
7\tMeier\tI-PER
8\t,\tO
9\tlebt\tO
10\tin\tO
11\tKöln\tB-LOC
12\t.\tO

0\tWEITERLEITUNG\tO
1\tPeter\tB-PER
2\tMeier\tI-PER
3\tMeier\tI-PER
4\tMeier\tI-PER
5\tMeier\tI-PER

0\tDie\tO
1\tösterreichische\tB-LOC
2\tFirma\tO
3\tQuuxfoo\tB-ORG
4\twuchs\tO
5\tstark\tO
6\t.\tO

0\tIm\tO
1\t''\tO
2\tKöln\tB-LOC
3\t''\tO
4\tlebt\tO
5\ter\tO
6\t.\tO
"""


def test_wikiann_silver_filtered_and_typed(tmp_path):
    import lzma

    from extractor.training.corpora import read_wikiann

    path = tmp_path / "train.conllu.xz"
    with lzma.open(path, "wt", encoding="utf-8") as handle:
        handle.write(WIKIANN)
    read = list(read_wikiann(path, companies=set()))
    # the redirect stub and the sentence with wiki markup are left out
    assert [text for text, _, _ in read] == ["Der Chef der Quux Bank, Peter Meier, lebt in Köln.",
                                            "Die österreichische Firma Quuxfoo wuchs stark."]
    text, ents, missing = read[0]
    assert [(text[s:e], label) for s, e, label in ents] == [
        ("Quux Bank", "COMPANY"), ("Peter Meier", "PERSON"), ("Köln", "LOCATION")]
    text, ents, missing = read[1]
    # a lower-case "name" (an adjective) and an ORG no cue types are missing, not outside
    assert ents == [] and [text[s:e] for s, e in missing] == ["österreichische", "Quuxfoo"]
