"""German business-news entity and relation extractor built on spaCy.

    import extractor
    nlp = extractor.load()                 # the full pipeline (a spaCy Language)
    for out in extractor.extract(["Text ...", {"id": "a1", "text": "..."}]):
        ...                                # dicts as in CONTRACT.md's output format
"""

__version__ = "0.1.0"
SCHEMA_VERSION = "1"


def load(model=None):
    """The full pipeline; see extractor.api (imported here lazily: the CLI starts faster)."""
    from .api import load as _load

    return _load(model)


def extract(items, model=None, batch_size=16):
    """Output dicts for texts or records, in order; see extractor.api."""
    from .api import extract as _extract

    return _extract(items, model, batch_size)
