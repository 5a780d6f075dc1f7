"""Convert the open German corpora into spaCy DocBins with our five entity labels.

Labels: COMPANY, ORG, PERSON, LOCATION, MISC. Where a corpus cannot tell COMPANY from
ORG (GermEval's ORG), a span is typed by cues (legal forms, industry and authority
words, the index company lists) and left *missing* when no cue decides, so the model
never learns a guess. Legal references in LER and GermEval's `part` labels (whole
compound tokens such as "BMW-Chef") are missing too; `deriv` adjectives are outside.
"""

from __future__ import annotations

import csv
import itertools
import json
import lzma
import random
import re
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from ..paths import data_path

Span3 = Tuple[int, int, str]
KB_FILE = data_path("kb", "companies.jsonl")

SMARTDATA_LABELS = {
    "ORGANIZATION_COMPANY": "COMPANY",
    "ORGANIZATION": "ORG",
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "LOCATION_CITY": "LOCATION",
}
LER_LABELS = {
    "PER": "PERSON", "RR": "PERSON", "AN": "PERSON",
    "UN": "COMPANY", "ORG": "ORG", "INN": "ORG", "GRT": "ORG",
    "LD": "LOCATION", "ST": "LOCATION", "LDS": "LOCATION",
    "MRK": "MISC",
}
LER_USEFUL = set(LER_LABELS)
GERMEVAL_LABELS = {"PER": "PERSON", "LOC": "LOCATION", "OTH": "MISC"}

COMPANY_CUES = re.compile(
    r"\b(AG|SE|GmbH|KGaA|KG|Inc\.?|Corp\.?|Ltd\.?|plc|S\.A\.|N\.V\.|Co\.|Holding|Group|Bank|"
    r"Versicherung\w*|Verlag|Airlines?|Airways|Motors?|Werke|Konzern|Brauerei|Reederei|Sparkasse|"
    r"Zeitung|Zeitschrift|Magazin|Rundschau|Anzeiger|Kurier|Allgemeine|Tagblatt|Tagesspiegel|"
    r"Abendblatt|Computers?|Systems|Software|Electronics|Technologies|Cars|Capital|Partners|"
    r"Asset Management|Energy|Pharma|Telecom|Records)\b|"
    r"(bank|werke|konzern|verlag|versicherung|zeitung)$",
    re.I,
)
ORG_CUES = re.compile(
    r"(zentralbank|notenbank|bundesbank|ministerium|partei|verband|gewerkschaft|universität|verein|amt|gericht|kommission|rat\b|"
    r"union|schule|institut|stiftung|polizei|regierung|parlament|bundestag|senat|kirche|akademie|"
    r"armee|behörde|agentur für|nationalmannschaft|\bFC\b|\bSV\b|\bVfB\b|\bTSV\b|\bSC\b|club|klub|"
    r"orchester|museum|hochschule|\bUN\b|\bUNO\b|\bEU\b|NATO|SPD|CDU|CSU|FDP|Grüne|Linke|AfD|"
    r"\bIG\b|Verdi|Bundes|Landes|Staats|Ministerium|Liga|Team|Band)",
    re.I,
)


def load_company_names(companies_dir: Path) -> Set[str]:
    """Company names from the index lists: evidence that a GermEval ORG is a business."""
    names: Set[str] = set()
    for path in sorted(companies_dir.glob("*.csv")):
        with path.open(encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                for key, value in row.items():
                    if key and value and key.lower() in {"name", "company", "security", "short_name", "kurzname", "unternehmen"}:
                        names.add(_fold(value))
                        names.add(_fold(re.sub(COMPANY_CUES, "", value)))
    names.discard("")
    return names


def _fold(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip(" .,").casefold()


def load_kb_types(kb_file: Path) -> Dict[str, str]:
    """Folded name -> COMPANY/ORG from the curated knowledge base."""
    types: Dict[str, str] = {}
    if kb_file.exists():
        for line in kb_file.open(encoding="utf-8"):
            row = json.loads(line)
            for name in [row["name"], *row.get("names", []), *row.get("legal_names", []), *row.get("abbreviations", [])]:
                types.setdefault(_fold(name), row["type"])
    return types


def type_organisation(text: str, companies: Set[str], kb_types: Optional[Dict[str, str]] = None) -> Optional[str]:
    """COMPANY or ORG for a span the corpus only calls ORG; None when no cue decides."""
    folded = _fold(text)
    if kb_types and folded in kb_types:
        return kb_types[folded]
    if folded in companies:
        return "COMPANY"
    if ORG_CUES.search(text):
        return "ORG"
    if COMPANY_CUES.search(text):
        return "COMPANY"
    return None


def trim_span(text: str, start: int, end: int) -> Tuple[int, int]:
    """SmartData's older spans sometimes include whitespace or punctuation at the edges."""
    while start < end and (text[start].isspace() or text[start] in ",.;:!?\"'()[]„“”‚‘’«»"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:!?\"'()[]„“”‚‘’«»"):
        end -= 1
    return start, end


def make_doc(nlp: Language, text: str, ents: Iterable[Span3], missing: Iterable[Tuple[int, int]] = ()) -> Doc:
    """A reference Doc with entities; spans that do not align with tokens become missing."""
    doc = nlp.make_doc(text)
    spans, gaps = [], []
    taken: Set[int] = set()
    for start, end, label in sorted(ents):
        span = doc.char_span(start, end, label=label)
        if span is None:
            gap = doc.char_span(start, end, alignment_mode="expand")
            if gap is not None:
                gaps.append(gap)
            continue
        if taken.intersection(range(span.start, span.end)):
            continue
        taken.update(range(span.start, span.end))
        spans.append(span)
    for start, end in missing:
        gap = doc.char_span(start, end, alignment_mode="expand")
        if gap is not None:
            gaps.append(gap)
    gaps = [g for g in gaps if not taken.intersection(range(g.start, g.end))]
    doc.set_ents(spans, missing=_non_overlapping(gaps), default="outside")
    return doc


def _non_overlapping(spans):
    out, seen = [], set()
    for span in sorted(spans, key=lambda s: (s.start, -len(s))):
        if seen.intersection(range(span.start, span.end)):
            continue
        seen.update(range(span.start, span.end))
        out.append(span)
    return out


def _jsonl(path: Path) -> Iterator[dict]:
    """Records of a JSON-lines file; the file closes even when a reader is stopped early."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def read_smartdata(path: Path, full: Optional[Dict[str, List[Span3]]] = None) -> Iterator[Tuple[str, List[Span3], List[Tuple[int, int]]]]:
    """SmartData with the corpus' spans, plus full-schema gold names (`full`) it did not mark."""
    for doc in _jsonl(path):
        text = doc["text"]
        ents = []
        for ent in doc["entities"]:
            label = SMARTDATA_LABELS.get(ent["type"])
            if label:
                start, end = trim_span(text, ent["start"], ent["end"])
                if start < end:
                    ents.append((start, end, label))
        taken = {i for start, end, _ in ents for i in range(start, end)}
        for start, end, label in (full or {}).get(str(doc["id"]), []):
            if not taken.intersection(range(start, end)):
                ents.append((start, end, label))
                taken.update(range(start, end))
        yield text, ents, []


def read_germeval(path: Path, companies: Set[str], kb_types: Optional[Dict[str, str]] = None) -> Iterator[Tuple[str, List[Span3], List[Tuple[int, int]]]]:
    for sent in _jsonl(path):
        text = sent["text"]
        ents, missing = [], []
        for start, end, label in sent["ents"]:
            if label.endswith("deriv"):
                continue
            if label.endswith("part"):
                missing.append((start, end))
            elif label == "ORG":
                typed = type_organisation(text[start:end], companies, kb_types)
                if typed:
                    ents.append((start, end, typed))
                else:
                    missing.append((start, end))
            else:
                ents.append((start, end, GERMEVAL_LABELS[label]))
        yield text, ents, missing


def read_ler(path: Path) -> Iterator[Tuple[str, List[Span3], List[Tuple[int, int]]]]:
    """Only sentences with persons, companies, organisations, places or brands: most of LER is law."""
    for sent in _jsonl(path):
        if not any(label in LER_USEFUL for _, _, label in sent["ents"]):
            continue
        ents, missing = [], []
        for start, end, label in sent["ents"]:
            if label in LER_LABELS:
                ents.append((start, end, LER_LABELS[label]))
            else:
                missing.append((start, end))
        yield sent["text"], ents, missing


WIKIANN_LABELS = {"PER": "PERSON", "LOC": "LOCATION"}
WIKI_MARKUP = re.compile(r"''|\[\[|\]\]|\*\*|\||\{\{|==")
NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "“", "'"}
NO_SPACE_AFTER = {"(", "[", "„"}


def _conll_sentences(path: Path) -> Iterator[List[Tuple[str, str]]]:
    """(token, IOB tag) lists of an xz `idx TAB token TAB tag` file, one per blank-line block."""
    sentence: List[Tuple[str, str]] = []
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                sentence.append((parts[1], parts[2]))
            elif sentence:
                yield sentence
                sentence = []
    if sentence:
        yield sentence


def read_wikiann(path: Path, companies: Set[str], kb_types: Optional[Dict[str, str]] = None,
                 min_tokens: int = 6) -> Iterator[Tuple[str, List[Span3], List[Tuple[int, int]]]]:
    """WikiANN silver sentences: only fragments of `min_tokens` or more with a name, no redirect
    stubs or wiki markup; ORG typed as GermEval's ORG is (missing when no cue decides), and a
    lower-case name (an adjective such as "österreichische", outside in our scheme) is missing."""
    for tokens in _conll_sentences(path):
        if len(tokens) < min_tokens or tokens[0][0] == "WEITERLEITUNG" or all(t == "O" for _, t in tokens):
            continue
        text, spans, open_span = "", [], None
        for i, (token, tag) in enumerate(tokens):
            if text and token not in NO_SPACE_BEFORE and tokens[i - 1][0] not in NO_SPACE_AFTER:
                text += " "
            if open_span and not tag.startswith("I-"):
                spans.append(open_span)
                open_span = None
            start = len(text)
            text += token
            if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
                open_span = [start, len(text), tag[2:]]
            elif tag.startswith("I-"):
                open_span[1] = len(text)
        if open_span:
            spans.append(open_span)
        if WIKI_MARKUP.search(text):
            continue
        ents, missing = [], []
        for start, end, label in spans:
            typed = None if text[start].islower() else \
                WIKIANN_LABELS.get(label) or type_organisation(text[start:end], companies, kb_types)
            if typed:
                ents.append((start, end, typed))
            else:
                missing.append((start, end))
        yield text, ents, missing


def full_schema_spans(path: Path) -> Dict[str, List[Span3]]:
    """Article id -> spans of the full-schema gold's COMPANY/ORG/PERSON names found by string
    match (whole words only): they add the entities the corpus' own span annotation lacks."""
    out: Dict[str, List[Span3]] = {}
    for record in _jsonl(path):
        text, spans = record["text"], []
        for ent in record.get("entities") or []:
            if ent.get("type") not in ("COMPANY", "ORG", "PERSON"):
                continue
            for name in {ent["name"], *(ent.get("names") or [])}:
                for match in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
                    spans.append((match.start(), match.end(), ent["type"]))
        out[str(record["id"])] = spans
    return out


def _take(items: Iterable, limit: Optional[int]) -> List:
    """The first `limit` items (all of them when `limit` is None)."""
    return list(items if limit is None else itertools.islice(items, max(0, limit)))


def build_corpora(nlp: Language, data_dir: Path, out_dir: Path, heldout_germeval: int = 1000, seed: int = 0,
                  limit: Optional[int] = None, wikiann: int = 0) -> Dict[str, int]:
    """Write train.spacy, dev.spacy (a tenth of SmartData train: model selection) and germeval-test.spacy
    (held out). SmartData's own dev split is evaluation data (../shared/eval) and is not read.

    `limit` caps the documents (SmartData) or sentences (GermEval, LER: after LER's filter)
    read from each corpus file, for a quick smoke run. The held-out GermEval sentences are
    the last `heldout_germeval` of those read from the test file, but never more than half.
    `wikiann` adds that many WikiANN silver sentences (train split; 0: none).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    companies = load_company_names(data_dir / "companies")
    kb_types = load_kb_types(KB_FILE)

    def docs(items) -> List[Doc]:
        return [make_doc(nlp, *item) for item in _take(items, limit)]

    train: List[Doc] = []
    full = full_schema_spans(data_dir / "smartdata" / "train-full.gold.jsonl") \
        if (data_dir / "smartdata" / "train-full.gold.jsonl").exists() else {}
    smartdata = docs(read_smartdata(data_dir / "smartdata" / "train.jsonl", full))
    random.Random(seed).shuffle(smartdata)
    # model selection on a tenth of SmartData train, never on the dev split (evaluation data)
    n_select = max(1, len(smartdata) // 10) if len(smartdata) > 1 else 0
    dev, train = smartdata[:n_select] or smartdata[:1], smartdata[n_select:]  # one document: a smoke run
    # ÖBL (biographies) was measured and left out: held-out GermEval F1 0.725 without, 0.681 with it
    train += docs(read_germeval(data_dir / "germeval2014" / "germeval2014-dev.jsonl", companies, kb_types))
    test_docs = docs(read_germeval(data_dir / "germeval2014" / "germeval2014-test.jsonl", companies, kb_types))
    n_heldout = max(0, min(heldout_germeval, len(test_docs) // 2))
    split = len(test_docs) - n_heldout
    train += test_docs[:split]
    heldout = test_docs[split:]
    for name in ("ler-dev.jsonl", "ler-test.jsonl"):
        train += docs(read_ler(data_dir / "ler" / name))
    if wikiann:
        silver = list(read_wikiann(data_dir / "wikiann" / "train.conllu.xz", companies, kb_types))
        random.Random(seed).shuffle(silver)
        train += docs(silver[:wikiann])
    random.Random(seed).shuffle(train)
    counts = {}
    for name, items in (("train", train), ("dev", dev), ("germeval-test", heldout)):
        DocBin(docs=items, store_user_data=False).to_disk(out_dir / f"{name}.spacy")
        counts[name] = len(items)
    return counts
