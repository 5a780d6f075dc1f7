"""Training the bundled German news pipeline from the open corpora in ../shared/data."""
