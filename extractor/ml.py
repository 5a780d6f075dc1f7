"""Token features for the bundled model: hashed word attributes plus Brown clusters.

With no pretrained vectors available offline, the model learns words only from
~300k words of annotated text. Brown clusters (from spacy-lookups-data, computed on
a large German corpus; the 200k most frequent words are kept in extractor/data/clusters)
tell it that an unseen word behaves like known ones, and name lists (extractor/data/gazetteers)
that "Stournaras" is a surname and "Wolfsburg" a city.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from typing import Dict, List, Optional, Sequence

import numpy
from spacy.attrs import ORTH, intify_attr
from spacy.ml.staticvectors import StaticVectors
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import HashEmbed, Maxout, Model, NumpyOps, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Floats2d, Ints2d

from .paths import data_path

CLUSTERS = data_path("clusters", "de_brown_200k.tsv.gz")
# one bit per name list in extractor/data/gazetteers (built by scripts/build_gazetteers.py)
GAZETTEERS = ("surnames", "first_names", "cities", "countries", "companies")
PREFIX_BITS = (16, 8, 6, 4)
CACHE_LIMIT = 200_000


@lru_cache(maxsize=1)
def load_clusters(path: str = str(CLUSTERS)) -> Dict[str, int]:
    table: Dict[str, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            word, _, cluster = line.rstrip("\n").partition("\t")
            table[word] = int(cluster)
    return table


def cluster_columns(cluster: int) -> List[int]:
    """The cluster's bit-path prefixes: coarse prefixes share statistics between clusters."""
    length = cluster.bit_length()
    return [(cluster >> max(0, length - bits)) + (bits << 20) + 1 for bits in PREFIX_BITS] if cluster else [0] * len(PREFIX_BITS)


@lru_cache(maxsize=1)
def load_gazetteers() -> Dict[str, int]:
    """Word -> bit mask of the name lists it is in ("Müller": surname, "Essen": city)."""
    masks: Dict[str, int] = {}
    for bit, name in enumerate(GAZETTEERS):
        for word in data_path("gazetteers", f"{name}.txt").read_text(encoding="utf-8").split():
            masks[word] = masks.get(word, 0) | (1 << bit)
    return masks


def NewsFeatures(attrs: Sequence[str]) -> Model[List[Doc], List[Ints2d]]:
    ids = [intify_attr(attr) for attr in attrs]
    table = load_clusters()
    names = load_gazetteers()
    rows: Dict[int, tuple] = {}  # orth id -> extra feature columns, filled as words are seen

    def extra_row(orth: int, strings) -> tuple:
        row = rows.get(orth)
        if row is None:
            if len(rows) > CACHE_LIMIT:
                rows.clear()  # bounded: a dump's long tail of words must not grow memory
            text = strings[orth]
            cluster = table.get(text) or table.get(text.lower(), 0)
            row = rows[orth] = (*cluster_columns(cluster), names.get(text, 0) + 1)
        return row

    def forward(model: Model, docs: List[Doc], is_train: bool):
        out = []
        for doc in docs:
            base = doc.to_array(ids).reshape(len(doc), len(ids)).astype("uint64")
            strings = doc.vocab.strings
            extra = numpy.asarray([extra_row(orth, strings) for orth in doc.to_array(ORTH).tolist()],
                                  dtype="uint64").reshape(len(doc), len(PREFIX_BITS) + 1)
            out.append(model.ops.asarray2i(numpy.hstack([base, extra]), dtype="uint64"))
        return out, lambda d_out: []

    return Model("news_features", forward)


@registry.ops("BLASOps")
class BLASOps(NumpyOps):
    """thinc's CPU ops with matrix products done by numpy's BLAS (OpenBLAS in the numpy
    wheels) instead of blis: on the machines measured here the tok2vec's products ran about
    three times faster, the whole base model 2.3 times, with identical entities (`make bench`).
    The approach of thinc-apple-ops, which does the same with Apple's Accelerate."""

    name = "numpy_blas"

    def gemm(self, x: Floats2d, y: Floats2d, out: Optional[Floats2d] = None,
             trans1: bool = False, trans2: bool = False) -> Floats2d:
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return numpy.matmul(a, b)
        numpy.matmul(a, b, out=out)
        return out


@registry.architectures("extractor.NewsHashEmbed.v1")
def NewsHashEmbed(width: int, attrs: List[str], rows: List[int], cluster_rows: List[int],
                  gazetteer_rows: int, include_static_vectors: bool = False) -> Model[List[Doc], List[Floats2d]]:
    """spaCy's MultiHashEmbed plus Brown-cluster prefix columns and one column saying which
    name lists (surnames, first names, cities, countries, company words) hold the word;
    with `include_static_vectors`, the pipeline's (floret) vectors are concatenated too,
    as in spaCy's MultiHashEmbed."""
    all_rows = list(rows) + list(cluster_rows) + [gazetteer_rows]
    assert len(cluster_rows) == len(PREFIX_BITS), f"cluster_rows needs {len(PREFIX_BITS)} entries"
    embeddings = [HashEmbed(width, n, column=i, seed=8 + i, dropout=0.0) for i, n in enumerate(all_rows)]
    n_in = width * (len(embeddings) + int(include_static_vectors))
    max_out = Maxout(width, n_in, nP=3, dropout=0.0, normalize=True)
    if not include_static_vectors:  # the layout models trained without vectors were saved with
        return chain(NewsFeatures(attrs), list2ragged(), with_array(concatenate(*embeddings)),
                     with_array(max_out), ragged2list())
    hashed = chain(NewsFeatures(attrs), list2ragged(), with_array(concatenate(*embeddings)))
    return chain(concatenate(hashed, StaticVectors(width, dropout=0.0)), with_array(max_out), ragged2list())
