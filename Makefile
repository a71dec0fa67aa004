# Two commands for a newcomer:  `make run` (ingest the bundled corpus, serve it on 127.0.0.1:8001)
# and `make test`. Everything installs into .venv with the pinned versions in constraints.txt.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= councilplans.db
PORT   ?= 8001
STAMP  := $(VENV)/.installed

.PHONY: install run ingest serve test metrics bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

ingest: install
	$(BIN)/councilplans ingest --db $(DB)

run: ingest
	$(BIN)/councilplans serve --db $(DB) --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest -q

# Regenerate the committed quality metrics from a real run on the bundled corpus.
metrics: install
	rm -f build/metrics.db && mkdir -p build
	$(BIN)/councilplans ingest --db build/metrics.db
	$(BIN)/councilplans eval --gold corpus/gold --db build/metrics.db --markdown metrics/quality.md --json metrics/quality.json

bench: install
	$(BIN)/python benchmarks/bench_pdf.py --out benchmarks/RESULTS.md

clean:
	rm -rf $(VENV) build $(DB)
