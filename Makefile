# Two commands for a newcomer:  `make run` (ingest the bundled corpus, serve it on 127.0.0.1:8001)
# and `make test`. Everything installs into .venv with the pinned versions in constraints.txt.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= councilplans.db
PORT   ?= 8001
STAMP  := $(VENV)/.installed

.PHONY: install run ingest serve test browser screenshots train metrics bench bench-search clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

ingest: install
	$(BIN)/councilplans ingest --db $(DB)

run: ingest
	$(BIN)/councilplans serve --db $(DB) --host 127.0.0.1 --port $(PORT)

test: install browser
	$(BIN)/python -m pytest -q

# The browser tests (tests/publish/test_browser.py) drive Debian's Chromium; never `playwright install`.
browser:
	test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

# Refresh the committed screenshots of the four journeys (docs/screenshots/journey-N.png) on purpose.
screenshots: install browser
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q -m browser tests/publish

# Rebuild the decision model (extractors/model/decisions.json) from every gold file the project
# has, and ../shared/corpus/real/gold when ../shared is beside the checkout.
train: install
	$(BIN)/councilplans train

# Regenerate the committed quality metrics from a real run: leave-one-document-out over all gold
# (metrics/cv.md: the estimate for unseen documents), the bundled corpus, each challenge set
# (tests/fixtures/<set>, written to metrics/<name>.md) and the real documents.
REAL       := ../shared/corpus/real
CHALLENGES := heldout:challenge heldout2:challenge2 heldout3:challenge3 heldout4:challenge4 heldout5:challenge5 heldout6:challenge6 heldout7:challenge7 heldout8:challenge8

metrics: install
	rm -f build/metrics.db && mkdir -p build
	$(BIN)/councilplans eval --cv --jobs 2 --markdown metrics/cv.md --json metrics/cv.json
	$(BIN)/councilplans ingest --db build/metrics.db
	$(BIN)/councilplans eval --gold corpus/gold --db build/metrics.db --markdown metrics/quality.md --json metrics/quality.json
	set -e; for pair in $(CHALLENGES); do \
	  set=$${pair%%:*}; name=$${pair##*:}; rm -f build/$$name.db; \
	  $(BIN)/councilplans ingest tests/fixtures/$$set/documents --db build/$$name.db; \
	  $(BIN)/councilplans eval --gold tests/fixtures/$$set/gold --db build/$$name.db \
	    --markdown metrics/$$name.md --json metrics/$$name.json; \
	done
	# The hand-checked real documents, when ../shared (not part of this repository) is beside it.
	if [ -d $(REAL) ]; then rm -f build/real.db; \
	  $(BIN)/councilplans ingest $(REAL) --db build/real.db && \
	  $(BIN)/councilplans eval --gold tests/fixtures/real_gold --db build/real.db --markdown metrics/real.md --json metrics/real.json && \
	  $(BIN)/councilplans eval --gold $(REAL)/gold --db build/real.db --markdown metrics/shared-real.md --json metrics/shared-real.json; \
	fi

bench: install
	$(BIN)/python benchmarks/bench_pdf.py --out benchmarks/RESULTS.md

bench-search: install
	$(BIN)/python benchmarks/bench_search.py --out benchmarks/SEARCH_RESULTS.md

clean:
	rm -rf $(VENV) build $(DB)
