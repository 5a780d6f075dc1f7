"""German business-news entity and relation extractor built on spaCy."""

__version__ = "0.1.0"
SCHEMA_VERSION = "1"
