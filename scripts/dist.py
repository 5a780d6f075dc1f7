"""`make dist`: the two wheels a user installs anywhere, written into dist/.

- `extractor-VERSION-py3-none-any.whl`: the code with its data (extractor/data/);
- `de_business_news-VERSION-py3-none-any.whl`: the full pipeline as a spaCy package
  (the `spacy package` layout): the bundled model's tok2vec, NER and lemmatizer, the
  extractor's components with their lexicons and knowledge base serialised by
  `to_disk`, and the trained relation classifier as a regular pipe. `spacy.load("de_business_news")`
  needs the extractor installed (it provides the component factories; the package
  requires it).

Usage: python scripts/dist.py [--out dist]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[1]


def build_wheel(source: Path, out: Path) -> Path:
    """`python -m build --wheel` of `source` into `out` (in an isolated build environment); the wheel."""
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.glob("*.whl"))
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)],
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"building a wheel of {source} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    (built,) = set(out.glob("*.whl")) - before
    return built


def model_package(work: Path) -> Path:
    """The full pipeline saved and laid out as a spaCy package in `work`; the package folder."""
    from spacy.cli.package import package

    from extractor.pipeline import BUNDLED_MODEL, load_pipeline

    nlp = load_pipeline()
    nlp.meta["description"] = ("German business-news entities and relations: the extractor's full pipeline "
                               "(NER, knowledge base, aliases, roles, relation rules and classifier)")
    saved = work / "pipeline"
    saved.mkdir(parents=True)
    nlp.to_disk(saved)
    shutil.copy(BUNDLED_MODEL.parent / "README.md", saved / "README.md")  # the model card
    package(saved, work, create_sdist=False, create_wheel=False, force=True)
    return work / f"de_{nlp.meta['name']}-{nlp.meta['version']}"


def dist(out: Path) -> List[Path]:
    """Both wheels into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        # the extractor from a copy of the tracked sources, so that no build/ folder is left in the checkout
        source = Path(work) / "extractor"
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                               check=True, capture_output=True).stdout
        for name in filter(None, files.decode("utf-8").split("\0")):
            if (ROOT / name).is_file() and not name.startswith(("models/", "tests/", "data/")):
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, source / name)
        wheels = [build_wheel(source, out)]
        wheels.append(build_wheel(model_package(Path(work) / "model"), out))
    return wheels


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    for wheel in dist(args.out):
        print(wheel)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
