"""The one registry of relation types (CONTRACT.md, "Relation types").

The facts live in extractor/data/relations/types.json; components, the trained relation
classifier, the graph and `extractor eval` all read symmetry, arity and argument
types from here, so a type behaves the same everywhere. The file is checked by a
pydantic schema when loaded: a misspelt or missing key fails with file and key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, FrozenSet, List, Literal, Optional, Tuple

from pydantic import BaseModel, ConfigDict, ValidationError

from .paths import data_path

TYPES_FILE = data_path("relations", "types.json")
EntityType = Literal["PERSON", "COMPANY", "ORG"]


class RelationType(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    subject: Tuple[EntityType, ...]
    object: Optional[Tuple[EntityType, ...]]  # None: unary (the object is null)
    attributes: Tuple[str, ...]
    symmetric: bool
    meaning: str

    @property
    def unary(self) -> bool:
        return self.object is None

    def allows(self, subject_type: str, object_type: Optional[str]) -> bool:
        if self.unary:
            return subject_type in self.subject and object_type is None
        return subject_type in self.subject and object_type in (self.object or ())


def load_relation_types(path: Path = TYPES_FILE) -> Dict[str, RelationType]:
    """Name -> spec; ValueError naming the file, the type and the offending key."""
    raw = load_json(path)
    if not isinstance(raw.get("types"), dict):
        raise ValueError(f"{path}: expected an object with a 'types' object")
    unknown = set(raw) - {"_doc", "types"}
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {sorted(unknown)}")
    types = {}
    for name, body in raw["types"].items():
        try:
            types[name] = RelationType(name=name, **body)
        except ValidationError as error:
            raise ValueError(f"{path}: relation type {name!r}: {validation_problems(error, name)}") from None
        except TypeError as error:
            raise ValueError(f"{path}: relation type {name!r}: {name}: {error}") from None
    return types


def load_json(path: Path) -> dict:
    """A JSON file holding one object; ValueError naming the file otherwise."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: {error}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected an object")
    return raw


def validation_problems(error: ValidationError, where: str = "") -> str:
    """ "key: what is wrong" per problem of a pydantic error, for messages that name the file."""
    return "; ".join(f"{'.'.join(map(str, p['loc'])) or where}: {p['msg']}" for p in error.errors())


class WordPatterns(BaseModel):
    """Words by prefix (`stems`) or ending (`suffixes`)."""

    model_config = ConfigDict(extra="forbid")

    stems: List[str] = []
    suffixes: List[str] = []


class TriggerSpec(WordPatterns):
    """One relation type's trigger words: prefixes, endings, prefixes that do not count
    (`not_stems`), verb stems that count only with a separated particle ("arbeiten ...
    zusammen", `particle_stems`) and words one of which the sentence must also hold."""

    not_stems: List[str] = []
    particle_stems: Dict[str, List[str]] = {}
    requires_any: Optional[WordPatterns] = None


class TriggerFile(BaseModel):
    """extractor/data/lexicons/relations.json: triggers per relation type, and the word lists
    the rules read for negation and status."""

    model_config = ConfigDict(extra="forbid")

    doc: str = ""
    types: Dict[str, TriggerSpec]
    negation: List[str]
    speculation: List[str]
    planned: List[str]
    completed: List[str]
    downgrade: List[str]
    upgrade: List[str]
    affirm: List[str]


def load_triggers(path: Path) -> dict:
    """The trigger file as plain data, checked: an unknown key (a misspelt type or field) or a
    missing word list fails with the file and the key."""
    raw = load_json(path)
    types = {k: v for k, v in raw.items() if k in RELATION_TYPES}
    rest = {("doc" if k == "_doc" else k): v for k, v in raw.items() if k not in RELATION_TYPES}
    try:
        checked = TriggerFile(types=types, **rest)
    except ValidationError as error:
        raise ValueError(f"{path}: {validation_problems(error)} (relation types: {', '.join(RELATION_TYPES)})") \
            from None
    out = {name: body.model_dump(exclude_none=True) for name, body in checked.types.items()}
    out.update({name: getattr(checked, name) for name in TriggerFile.model_fields if name not in ("doc", "types")})
    return out


RELATION_TYPES: Dict[str, RelationType] = load_relation_types()
SYMMETRIC_TYPES: FrozenSet[str] = frozenset(t.name for t in RELATION_TYPES.values() if t.symmetric)
UNARY_TYPES: FrozenSet[str] = frozenset(t.name for t in RELATION_TYPES.values() if t.unary)
BINARY_TYPES: Tuple[str, ...] = tuple(t.name for t in RELATION_TYPES.values() if not t.unary)
