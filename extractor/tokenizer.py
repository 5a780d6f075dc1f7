"""Tokenizer changes for company names.

German news glues company names to nouns: "BMW-Vorstandschef", "GM-Management".
spaCy's German tokenizer keeps such words whole, so no span can cover "BMW" alone.
We split on hyphens between letters (and after digits), which is how the training
corpora annotate them (SmartData marks "Intel" in "Intel-Chef").

spaCy also keeps a full stop glued to a word that ends in lower case + capital, as
in "i.A.": so "bei der Quux GmbH." was one token, the sentence did not end and the
company's name carried the stop. Legal forms never take an abbreviation stop.
"""

from __future__ import annotations

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.lang.char_classes import ALPHA
from spacy.util import compile_infix_regex, compile_suffix_regex

HYPHEN_INFIX = r"(?<=[{a}0-9])(?:-|–)(?=[{a}])".format(a=ALPHA)
# endings of legal forms that spaCy would keep together with a sentence-final stop ("mbH": GmbH, gGmbH)
LEGAL_FORMS_BEFORE_STOP = ("mbH", "KGaA", "eG", "AöR", "SpA")
LEGAL_FORM_STOP = "(?:{})\\.".format("|".join(f"(?<={form})" for form in LEGAL_FORMS_BEFORE_STOP))
# Austrian spellings of GmbH, which the tokenizer would cut into "m.b", ".", "H." (a "person" "H.")
DOTTED_LEGAL_FORMS = ("m.b.H.", "Ges.m.b.H.", "Ges.m.b.H")


def business_tokenizer(nlp: Language) -> Language:
    """`split_hyphens`, a full stop after a legal form is a token of its own
    ("Quux GmbH.", "Zyrbel Verwaltungs-GmbH."), "Ges.m.b.H." is one token; idempotent."""
    split_hyphens(nlp)
    tokenizer = nlp.tokenizer
    for form in DOTTED_LEGAL_FORMS:
        tokenizer.add_special_case(form, [{ORTH: form}])
    current = getattr(tokenizer.suffix_search, "__self__", None)
    if current is not None and LEGAL_FORM_STOP in current.pattern:
        return nlp
    suffixes = [current.pattern] if current is not None else list(nlp.Defaults.suffixes or [])
    tokenizer.suffix_search = compile_suffix_regex([LEGAL_FORM_STOP] + suffixes).search
    return nlp


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
    return business_tokenizer
