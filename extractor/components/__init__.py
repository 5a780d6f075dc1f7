"""spaCy components of the extractor; importing this package registers their factories."""

from . import aliases, mentions, relation_classifier, relations, roles, sentences  # noqa: F401
