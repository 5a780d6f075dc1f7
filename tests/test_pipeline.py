"""Model resolution: bundled model by default, any spaCy pipeline by name or path,
a blank German pipeline with a warning when no trained model is available."""

from __future__ import annotations

import pytest
import spacy

from extractor import pipeline
from extractor.records import Record


def test_default_is_the_bundled_model():
    name, warning = pipeline.resolve_model(None)
    assert name == str(pipeline.BUNDLED_MODEL) and warning is None


def test_blank_fallback_warns_and_still_uses_the_knowledge_base(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(pipeline, "BUNDLED_MODEL", tmp_path / "missing")
    monkeypatch.setattr(spacy.util, "is_package", lambda name: False)
    with pytest.warns(UserWarning, match="blank German pipeline"):
        extractor = pipeline.Extractor()
    assert "ner" not in extractor.nlp.pipe_names
    assert "de_core_news_lg" in capsys.readouterr().err
    out = next(extractor.process([Record(id="x", text="Der Autokonzern Stellantis übernimmt den Rüsselsheimer Autobauer Opel.")]))
    assert {(r["type"], r["subject_name"], r["object_name"]) for r in out["relations"]} == {
        ("acquisition", "Stellantis", "Opel")}


def test_any_pipeline_by_path(tmp_path):
    blank = spacy.blank("de")
    blank.to_disk(tmp_path / "my_model")
    extractor = pipeline.Extractor(str(tmp_path / "my_model"))
    tokens = [t.text for t in extractor.nlp("BMW-Chef")]
    assert tokens == ["BMW", "-", "Chef"]  # the hyphen rule is applied to any base model
    out = next(extractor.process([Record(id="x", text="BMW-Vorstandschef Oliver Zipse sprach in München.")]))
    bmw = next(e for e in out["entities"] if e["name"] == "BMW")
    assert bmw["mentions"][0] == {"start": 0, "end": 3, "text": "BMW", "kind": "compound"}


def test_a_legal_form_before_a_full_stop_ends_name_and_sentence(analyse):
    text = "Die Sprecherin arbeitet bei der Zyrbel Software GmbH. Sie kündigte Stellenabbau an."
    out = analyse(text)
    names = {e["name"] for e in out["entities"] if e["type"] == "COMPANY"}
    assert names == {"Zyrbel Software GmbH"}, out["entities"]
    tokens = [t.text for t in spacy.blank("de").tokenizer("Quux GmbH.")]
    assert tokens == ["Quux", "GmbH."]  # what spaCy's German tokenizer alone does


@pytest.mark.parametrize("trans1,trans2", [(False, False), (True, False), (False, True), (True, True)])
def test_blas_ops_multiply_as_thinc_does(trans1, trans2):
    """The bundled model's layers use numpy's BLAS for their products: same results as blis."""
    import numpy
    from thinc.api import NumpyOps

    from extractor.ml import BLASOps

    rng = numpy.random.default_rng(0)
    x = rng.random((7, 5), dtype="float32")
    y = rng.random((5, 3) if not trans2 else (3, 5), dtype="float32")
    x = numpy.ascontiguousarray(x.T) if trans1 else x
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    assert numpy.allclose(BLASOps().gemm(x, y, trans1=trans1, trans2=trans2), expected, atol=1e-5)
    out = numpy.zeros_like(expected)
    assert BLASOps().gemm(x, y, out=out, trans1=trans1, trans2=trans2) is out and numpy.allclose(out, expected, atol=1e-5)


def test_bundled_model_layers_use_blas_ops():
    from extractor.ml import BLASOps

    nlp = pipeline.load_pipeline()
    assert all(isinstance(node.ops, BLASOps) for node in nlp.get_pipe("tok2vec").model.walk())
