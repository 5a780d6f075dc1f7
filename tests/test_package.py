"""The pipeline as a spaCy user meets it: results on the Doc as spans and plain data that
survive serialisation and multiprocessing, components that save their data with the
pipeline, a saved pipeline that loads anywhere, and the wheels of `make dist`."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin

import extractor
from extractor.pipeline import CLASSIFIER

from conftest import shared_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [json.loads(line)["text"] for line in (ROOT / "data" / "samples" / "smartdata-news.jsonl").read_text(
    encoding="utf-8").splitlines()[:4]]
GM_BMW = ("Der US-Autokonzern General Motors verhandelt mit BMW. Die Bayern wollen Motoren liefern, "
          "sagte BMW-Vorstandschef Norbert Reithofer.")


@pytest.fixture(scope="module")
def nlp():
    return extractor.load()


def results(doc: Doc) -> str:
    """What the output format takes from a Doc, as JSON (DocBin gives tuples for lists)."""
    return json.dumps([doc._.entities, doc._.relations], sort_keys=True)


def spans(doc: Doc, key: str) -> list:
    group = doc.ents if key == "ents" else doc.spans[key]
    return [(s.text, s.label_, s.kb_id_, s.id_, s._.mention_kind) for s in group]


def test_knowledge_base_mentions_are_doc_ents_and_aliases_a_span_group(nlp):
    doc = nlp(GM_BMW)
    by_name = {e["name"]: e for e in doc._.entities}
    bmw = by_name["BMW"]["id"]
    assert ("BMW", "COMPANY", "bmw", bmw, "name") in spans(doc, "ents")
    assert ("BMW", "COMPANY", "bmw", bmw, "compound") in spans(doc, "ents")  # "BMW" in "BMW-Vorstandschef"
    assert ("Die Bayern", "COMPANY", "bmw", bmw, "alias") in spans(doc, "aliases")
    assert ("Der US-Autokonzern", "COMPANY", "general-motors", by_name["General Motors"]["id"],
            "alias") in spans(doc, "aliases")
    mentions = {(s.start_char, s.end_char, s._.mention_kind) for s in doc.spans["mentions"]}
    assert mentions == {(m["start"], m["end"], m["kind"]) for e in doc._.entities for m in e["mentions"]}


def test_doc_to_bytes_and_docbin_keep_the_results(nlp):
    docs = list(nlp.pipe(SAMPLES + [GM_BMW]))
    for doc in docs:
        again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
        assert results(again) == results(doc)
        assert again._.mentions == doc._.mentions  # what later components read
        assert spans(again, "mentions") == spans(doc, "mentions") and spans(again, "ents") == spans(doc, "ents")
    stored = DocBin(store_user_data=True, docs=docs).to_bytes()
    loaded = list(DocBin().from_bytes(stored).get_docs(nlp.vocab))
    assert [results(d) for d in loaded] == [results(d) for d in docs]
    assert [spans(d, "aliases") for d in loaded] == [spans(d, "aliases") for d in docs]


def test_two_processes_give_the_same_results(nlp):
    texts = SAMPLES[:2] + [GM_BMW]
    assert [results(d) for d in nlp.pipe(texts, n_process=2, batch_size=1)] == [results(nlp(t)) for t in texts]


def test_saved_pipeline_loads_from_another_directory_without_package_data(nlp, tmp_path):
    """nlp.to_disk() holds every component's data: loaded in another directory, with the
    components' reading of the package data refused, it gives the same output as the
    pipeline it was saved from."""
    saved = tmp_path / "pipeline"
    nlp.to_disk(saved)
    config = (saved / "config.cfg").read_text(encoding="utf-8")
    assert str(ROOT) not in config and "/work/" not in config
    assert (saved / "entity_mentions" / "kb" / "companies.jsonl").exists()
    assert (saved / CLASSIFIER / "model").exists() and f'factory = "{CLASSIFIER}"' in config
    texts = SAMPLES + [GM_BMW]
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    script = ("import json, sys, spacy\n"
              "from extractor.components.resources import DataComponent\n"
              "def refuse(*args, **kwargs): raise AssertionError('initialize() read the package data')\n"
              "DataComponent.initialize = refuse\n"
              "nlp = spacy.load(sys.argv[1])\n"
              "texts = json.load(open('texts.json'))\n"
              "print(json.dumps([[d._.entities, d._.relations] for d in nlp.pipe(texts)], sort_keys=True))\n")
    done = subprocess.run([sys.executable, "-c", script, str(saved)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == json.dumps([[d._.entities, d._.relations] for d in nlp.pipe(texts)], sort_keys=True)


def test_saved_pipeline_reads_its_own_knowledge_base(nlp, tmp_path):
    saved = tmp_path / "pipeline"
    nlp.to_disk(saved)
    kb = saved / "entity_mentions" / "kb" / "companies.jsonl"
    company = {"id": "quxlor", "name": "Quxlor", "type": "COMPANY", "legal_names": ["Quxlor AG"]}
    kb.write_text(kb.read_text(encoding="utf-8") + json.dumps(company) + "\n", encoding="utf-8")
    doc = spacy.load(saved)("Die Aktie von Quxlor stieg am Montag.")
    assert ("Quxlor", "COMPANY", "quxlor") in [(e.text, e.label_, e.kb_id_) for e in doc.ents]


def test_a_component_without_data_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the data comes from the package, not from the working directory
    blank = spacy.blank("de")
    blank.add_pipe("news_sentencizer")
    blank.add_pipe("entity_mentions")
    with pytest.raises(ValueError, match="nlp.initialize"):
        blank("Siemens wächst.")
    blank.initialize()
    assert [m.kb_id for m in blank("Siemens wächst.")._.mentions] == ["siemens"]


def test_classifier_cfg_with_a_misspelt_key_fails_with_file_and_key(nlp, tmp_path):
    saved = tmp_path / "rc"
    nlp.get_pipe(CLASSIFIER).to_disk(saved)
    cfg = json.loads((saved / "cfg").read_text(encoding="utf-8"))
    cfg["tresholds"] = cfg.pop("thresholds")
    (saved / "cfg").write_text(json.dumps(cfg), encoding="utf-8")
    with pytest.raises(ValueError, match=r"rc/cfg: .*tresholds"):
        spacy.blank("de").add_pipe(CLASSIFIER).from_disk(saved)
    cfg["thresholds"] = {"rol>@sent": 0.5}
    cfg.pop("tresholds")
    (saved / "cfg").write_text(json.dumps(cfg), encoding="utf-8")
    with pytest.raises(ValueError, match=r"thresholds: .*rol>@sent"):
        spacy.blank("de").add_pipe(CLASSIFIER).from_disk(saved)


@pytest.mark.skipif(importlib.util.find_spec("build") is None, reason="`build` is not installed (make install)")
def test_wheels_install_and_work_outside_the_checkout(tmp_path):
    """`make dist`, then a fresh environment that has the wheels and their dependencies but
    not the checkout: spacy.load("de_business_news") and extractor.extract() give the seed
    article's 11 relations (~40 s: two wheel builds, one of them 50 MB)."""
    seed = json.loads(shared_path("eval", "seed.gold.jsonl").read_bytes().splitlines()[0])
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from dist import dist
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    wheels = dist(tmp_path / "dist")
    assert sorted(w.name.split("-")[0] for w in wheels) == ["de_business_news", "extractor"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # the dependencies (spaCy, ...) from this environment; a plain path, so its editable extractor is not seen
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    *map(str, wheels)], check=True, capture_output=True)
    (tmp_path / "seed.json").write_text(json.dumps(seed["text"]), encoding="utf-8")
    script = ("import json, spacy, extractor\n"
              "text = json.load(open('seed.json'))\n"
              "doc = spacy.load('de_business_news')(text)\n"
              "out = next(extractor.extract([text]))\n"
              "print(json.dumps([extractor.__file__, len(doc._.relations), len(out['relations']), out['model']]))\n")
    done = subprocess.run([str(python), "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    where, from_spacy, from_api, model = json.loads(done.stdout)
    assert where.startswith(str(site)) and not where.startswith(str(ROOT))
    assert (from_spacy, from_api) == (11, 11)
    assert model == {"name": "de_business_news", "version": extractor.__version__}
