"""Components whose knowledge is in data files: read in initialize(), saved with the pipeline.

spaCy's own components keep what they were given (a span ruler's patterns, an entity
linker's knowledge base) in the pipeline folder. The extractor's rule components do the
same with their lexicons and knowledge base: `initialize()` reads the files from the
package data (or from `data_dir`, e.g. set in `[initialize.components.NAME]`),
`to_disk` writes them into the component's folder and `from_disk` reads them back. So
`spacy.load` of a saved pipeline needs neither a checkout nor the package's data folder.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple, Union

from ..paths import data_path

KB_FILES = ("kb/companies.jsonl", "kb/places.jsonl", "lexicons/industry.json", "gazetteers/cities.txt")  # what kb.load_kb reads
TITLES = "lexicons/titles.json"
RELATIONS = "lexicons/relations.json"
DATA = "data"  # the key `exclude` takes to save or load a component without its data files


class DataComponent(ABC):
    """A pipeline component whose state is built from `data_files` (paths relative to a
    data folder). The bytes read are kept, so `to_disk` writes exactly what was loaded,
    whatever happened to the folder it came from."""

    data_files: Tuple[str, ...] = ()

    def __init__(self, name: str) -> None:
        self.name = name
        self._files: Dict[str, bytes] = {}

    @abstractmethod
    def load(self, data_dir: str) -> None:
        """Build the component's state from the files under `data_dir`."""

    def initialize(self, get_examples=None, *, nlp=None, data_dir: Optional[str] = None) -> None:
        """Read the data files from `data_dir`, by default the package's data folder."""
        self._read(Path(data_dir) if data_dir else data_path())

    def require_data(self) -> None:
        if not self._files:
            raise ValueError(f"[{self.name}] has no data: run nlp.initialize() after nlp.add_pipe(), "
                             "or load a saved pipeline (extractor.load(), spacy.load())")

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if DATA in exclude:
            return
        for name, content in self._files.items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(content)

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> "DataComponent":
        if DATA not in exclude:
            self._read(Path(path))
        return self

    def _read(self, root: Path) -> None:
        missing = [name for name in self.data_files if not (root / name).is_file()]
        if missing:
            raise FileNotFoundError(f"[{self.name}] {root}: missing {', '.join(missing)}")
        self._files = {name: (root / name).read_bytes() for name in self.data_files}
        self.load(str(root))
