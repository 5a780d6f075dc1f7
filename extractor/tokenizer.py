"""Tokenizer changes that let names inside hyphenated compounds become entities.

German news glues company names to nouns: "BMW-Vorstandschef", "GM-Management".
spaCy's German tokenizer keeps such words whole, so no span can cover "BMW" alone.
We split on hyphens between letters (and after digits), which is how the training
corpora annotate them (SmartData marks "Intel" in "Intel-Chef").
"""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.lang.char_classes import ALPHA
from spacy.util import compile_infix_regex

HYPHEN_INFIX = r"(?<=[{a}0-9])(?:-|–)(?=[{a}])".format(a=ALPHA)


def split_hyphens(nlp: Language) -> Language:
    """Add the hyphen infix to `nlp.tokenizer` (idempotent); works on any German pipeline."""
    tokenizer = nlp.tokenizer
    infixes = list(nlp.Defaults.infixes or [])
    current = getattr(tokenizer.infix_finditer, "__self__", None)
    if current is not None and HYPHEN_INFIX in current.pattern:
        return nlp
    if current is not None:
        infixes = [current.pattern]
    tokenizer.infix_finditer = compile_infix_regex(infixes + [HYPHEN_INFIX]).finditer
    return nlp


@spacy.registry.callbacks("extractor.split_hyphens.v1")
def create_split_hyphens():
    """Registered for `[initialize.before_init]` in the training config."""
    return split_hyphens
