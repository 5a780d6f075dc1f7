"""Load a German spaCy pipeline, add the extractor's components, turn Docs into output records.

Any German pipeline can be the base (`--model PATH|NAME`): the bundled
models/de_business_news by default (in a checkout), else the installed
`de_business_news` package (`make dist`, which already holds every component), else
de_core_news_lg when installed, else a blank German pipeline (rules and knowledge base
only, with a warning).
"""

from __future__ import annotations

import sys
import warnings
from itertools import islice
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import use_ops

from . import SCHEMA_VERSION, __version__
from .components.resources import DATA
from .ml import BLASOps
from .records import MAX_CHARS, Record
from .tokenizer import business_tokenizer
from .windows import merge_windows, windows

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_MODEL = ROOT / "models" / "de_business_news"
PACKAGE = "de_business_news"  # the full pipeline as a spaCy package (`make dist`)

MAX_TEXT_LENGTH = MAX_CHARS  # the command line rejects longer texts before they get here
BATCH_CHARS = 100_000  # characters analysed at once (see Extractor._pipe)
MAX_STRINGS = 1_500_000
RELOAD_CHECK_EVERY = 1000  # records between vocabulary-size checks
# Our components, in order, added after the base pipeline's own.
EXTRACTOR_COMPONENTS = ("news_sentencizer", "entity_mentions", "alias_linker", "roles", "relations")
# The trained relation classifier runs last; the base model folder holds its weights.
CLASSIFIER = "relation_classifier"
ALIAS_LINKER = "alias_linker"  # its trained ranker lives in the model folder too


def resolve_model(name: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """(model to load, warning) for `--model`: explicit name/path, bundled, package, lg, or blank."""
    if name:
        return name, None
    if (BUNDLED_MODEL / "meta.json").exists():
        return str(BUNDLED_MODEL), None
    for package in (PACKAGE, "de_core_news_lg"):
        if spacy.util.is_package(package):
            return package, None
    return None, (f"no trained model found (neither {BUNDLED_MODEL} nor {PACKAGE} nor de_core_news_lg): "
                  "using a blank German pipeline, entities come from the knowledge base and rules only")


def load_pipeline(model: Optional[str] = None, data_dir: Optional[Path] = None) -> Language:
    """The base pipeline plus the extractor components that it lacks, initialised from
    `data_dir` (default: the package data); the relation classifier's weights come from
    the base model's folder. A saved full pipeline (`nlp.to_disk`, the `de_business_news`
    package) comes back as it was saved."""
    from . import components  # noqa: F401  (registers the factories)

    name, warning = resolve_model(model)
    if warning:
        warnings.warn(warning)
        print(f"warning: {warning}", file=sys.stderr)
    with use_ops(BLASOps.name):  # the models' layers keep the ops they were built with
        nlp = spacy.load(name, exclude=["parser", "senter"] if name and "de_core_news" in name else []) if name else spacy.blank("de")
    business_tokenizer(nlp)
    # No parser: the CNN NER needs ~100 MB per MB of text, so 1 MB articles are fine.
    nlp.max_length = MAX_TEXT_LENGTH
    data = str(data_dir) if data_dir else None
    for component in EXTRACTOR_COMPONENTS:
        if component not in nlp.pipe_names:
            pipe = nlp.add_pipe(component, first=True) if component == "news_sentencizer" else nlp.add_pipe(component)
            if hasattr(pipe, "initialize"):
                pipe.initialize(nlp=nlp, data_dir=data)
    saved = Path(name) if name and Path(name).is_dir() else None
    if saved is not None and (saved / ALIAS_LINKER).is_dir():
        # the trained ranker alone: the lexicons are the current ones
        nlp.get_pipe(ALIAS_LINKER).from_disk(saved / ALIAS_LINKER, exclude=[DATA])
    if saved is not None and (saved / CLASSIFIER / "cfg").exists() and CLASSIFIER not in nlp.pipe_names:
        classifier = nlp.add_pipe(CLASSIFIER)
        classifier.initialize(nlp=nlp, data_dir=data)
        classifier.from_disk(saved / CLASSIFIER, exclude=[DATA])  # the weights alone: the lexicons are the current ones
    return nlp


def model_info(nlp: Language) -> Dict[str, str]:
    meta = nlp.meta
    name = meta.get("name", "blank")
    lang = meta.get("lang", "de")
    full = name if name.startswith(f"{lang}_") else f"{lang}_{name}"
    return {"name": full, "version": meta.get("version", "0.0.0")}


def doc_to_record(doc: Doc, record: Record, model: Dict[str, str]) -> Dict[str, Any]:
    """The contract's output object for one analysed article."""
    return empty_record(record, model, list(doc._.entities), list(doc._.relations))


def empty_record(record: Record, model: Dict[str, str], entities: Optional[list] = None,
                 relations: Optional[list] = None) -> Dict[str, Any]:
    """The output object; without entities and relations it stands for a record that is not
    analysed (skipped or duplicate), so that nothing is silently dropped."""
    out: Dict[str, Any] = {"schema_version": SCHEMA_VERSION, "id": record.id, "title": record.title,
                           "date": record.date}
    for key in ("url", "source", "lang"):
        value = getattr(record, key)
        if value is not None:
            out[key] = value
    if record.text_extracted:
        out["text"] = record.text
    out.update(model=model, entities=entities or [], relations=relations or [], meta=record.meta)
    return out


def _windowed(records: Iterable[Record]) -> Iterator[Tuple[str, Tuple[Record, int, bool]]]:
    """(text, (record, offset, is last window)) for each window of each record (windows.py)."""
    for record in records:
        spans = windows(record.text)
        for n, (start, end) in enumerate(spans):
            yield record.text[start:end], (record, start, n == len(spans) - 1)


class Extractor:
    """Runs the pipeline over records and yields output dicts in input order."""

    def __init__(self, model: Optional[str] = None, data_dir: Optional[Path] = None) -> None:
        self._args = (model, data_dir)
        self.nlp = load_pipeline(model, data_dir)
        self.model = model_info(self.nlp)

    def process(self, records: Iterable[Record], batch_size: int = 16) -> Iterator[Dict[str, Any]]:
        """One output dict per record, in input order, streaming. Long texts are analysed
        in windows (windows.py) so that memory does not grow with the article.

        spaCy's vocabulary keeps every string it has seen; over a dump of millions of
        articles that would grow without bound, so the pipeline is reloaded (about
        2 s) whenever it holds more than MAX_STRINGS strings.
        """
        iterator = iter(records)
        while True:
            chunk = list(islice(iterator, RELOAD_CHECK_EVERY))
            if not chunk:
                return
            parts: list = []
            for doc, (record, offset, last) in self._pipe(_windowed(chunk), batch_size):
                if offset == 0 and last:
                    yield doc_to_record(doc, record, self.model)  # the usual case: one window
                    continue
                parts.append((offset, list(doc._.entities), list(doc._.relations)))
                if last:
                    yield empty_record(record, self.model, *merge_windows(parts))
                    parts = []
            if len(self.nlp.vocab.strings) > MAX_STRINGS:
                self.nlp = load_pipeline(*self._args)

    def _pipe(self, items: Iterable[Tuple[str, Any]], batch_size: int) -> Iterator[Tuple[Doc, Any]]:
        """nlp.pipe over batches of at most `batch_size` texts and BATCH_CHARS characters: the
        tok2vec holds ~17 KB per token of a batch, so a batch's size, not its count, bounds memory."""
        batch: List[Tuple[str, Any]] = []
        size = 0
        for item in items:
            if batch and (len(batch) >= batch_size or size + len(item[0]) > BATCH_CHARS):
                yield from self.nlp.pipe(batch, as_tuples=True, batch_size=len(batch))
                batch, size = [], 0
            batch.append(item)
            size += len(item[0])
        if batch:
            yield from self.nlp.pipe(batch, as_tuples=True, batch_size=len(batch))

    def info(self) -> Dict[str, Any]:
        meta = self.nlp.meta
        return {
            "extractor": __version__,
            "schema_version": SCHEMA_VERSION,
            "spacy": spacy.__version__,
            "model": self.model,
            "model_path": str(getattr(self.nlp, "_path", "") or ""),
            "components": list(self.nlp.pipe_names),
            "labels": list(self.nlp.get_pipe("ner").labels) if "ner" in self.nlp.pipe_names else [],
            "scores": {"smartdata_dev": meta.get("performance", {}),
                       "germeval_test_heldout": meta.get("heldout_germeval_test", {})},
        }
