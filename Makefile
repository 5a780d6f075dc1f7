# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data
EVAL ?= ../shared/eval
OUT ?= out

.PHONY: install run report-assets test bench vectors train train-relations train-aliases eval lint dist clean

$(BIN)/extractor: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(BIN)/extractor

run: install
	mkdir -p $(OUT)
	$(BIN)/extractor extract data/samples -o $(OUT)/samples.jsonl --graph $(OUT)/samples.gexf
	$(BIN)/extractor report $(OUT)/samples.jsonl -o $(OUT)/samples.report.html

# the report page's script (sigma.js, graphology, ForceAtlas2), bundled once at development
# time into extractor/assets/report.js, which is committed: users and CI need no npm
report-assets:
	cd report && npm ci --no-audit --no-fund && npx esbuild src/report.js --bundle --minify --format=iife --target=es2019 --outfile=../extractor/assets/report.js

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python scripts/bench.py --memory

# floret vectors from the raw text in $(DATA)/text (~25 min on 2 cores), used by `make train`
vectors: install
	$(BIN)/python -m pip install -q floret
	$(BIN)/python -m extractor.training.vectors --data $(DATA) --bucket 80000 --dim 100 --epoch 3

# the NER model (~40 min), then the alias ranker and the relation classifier on its output (~1 min each)
train: install
	$(BIN)/python -m extractor.training.train --data $(DATA)
	$(MAKE) train-aliases train-relations

train-aliases: install
	$(BIN)/python -m extractor.training.aliases --gold $(DATA)/smartdata/train-full.gold.jsonl

train-relations: install
	$(BIN)/python -m extractor.training.relations --gold $(DATA)/smartdata/train-full.gold.jsonl data/training/*/*.gold.jsonl

eval: install
	$(BIN)/extractor eval --gold $(EVAL)/seed.gold.jsonl
	$(BIN)/extractor eval --gold $(EVAL)/dev.gold.jsonl
	$(BIN)/extractor eval --gold $(EVAL)/smartdata-dev.gold.jsonl

lint: install
	$(BIN)/python -m ruff check extractor tests scripts

# two wheels that install anywhere: extractor (with its data) and the full pipeline as the
# spaCy package de_business_news (spacy.load("de_business_news")); see docs/python.md
dist: install
	rm -rf dist
	$(BIN)/python scripts/dist.py --out dist

clean:
	rm -rf $(OUT) .pytest_cache dist
