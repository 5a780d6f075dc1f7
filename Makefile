# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data
EVAL ?= ../shared/eval
OUT ?= out

.PHONY: install run test bench train eval lint clean

$(BIN)/extractor: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(BIN)/extractor

run: install
	mkdir -p $(OUT)
	$(BIN)/extractor extract data/samples -o $(OUT)/samples.jsonl --graph $(OUT)/samples.gexf

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python scripts/bench.py

train: install
	$(BIN)/python -m extractor.training.train --data $(DATA)

eval: install
	$(BIN)/extractor eval --gold $(EVAL)/seed.gold.jsonl
	$(BIN)/extractor eval --gold $(EVAL)/smartdata-dev.gold.jsonl

lint: install
	$(BIN)/python -m ruff check extractor tests scripts

clean:
	rm -rf $(OUT) .pytest_cache
