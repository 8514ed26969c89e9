# One Makefile for people and CI. `make run` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: help run test lint bench package clean

help:            ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Tandai needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

run: $(STAMP)    ## start the app on the default project (created and seeded on first start)
	$(PY) main.py

# core/ and storage/ are tested with Qt made unimportable: that proves the layers stay Qt-free.
# The GUI tests set offscreen Qt themselves (tests/conftest.py; qt_api in pyproject.toml).
# The fault suite (tests/faults: kills, full disk, read-only, locks, secrets) runs in both:
# its storage/ part without Qt, its gui/ part offscreen.
test: $(STAMP)   ## the whole test suite, Qt offscreen (PostgreSQL tests need TANDAI_TEST_PG_URL)
	TANDAI_BLOCK_QT=1 $(PY) -m pytest -p no:pytest-qt tests/core tests/storage \
	  tests/faults/storage $(PYTEST_ARGS)
	$(PY) -m pytest \
	  --ignore=tests/core --ignore=tests/storage --ignore=tests/faults/storage $(PYTEST_ARGS)

# The layer contracts (pyproject.toml, [tool.importlinter]) and the type check are part of lint:
# CI runs it before the tests, so a layer broken by an import fails the build.
lint: $(STAMP)   ## ruff, the layer contracts (import-linter) and the type check (mypy)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

bench: $(STAMP)  ## print the benchmark figures (slow: ~15 min; own data under bench/out)
	$(PY) bench/bench_import.py
	$(PY) bench/bench_line_count.py
	$(PY) bench/bench_fts_merge.py
	$(PY) bench/bench_list_search.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/bench_workspace.py
	$(PY) bench/bench_export.py
	$(PY) bench/bench_suggest.py
	$(PY) bench/bench_neardup.py
	$(PY) bench/bench_neardup_pass.py
	$(PY) bench/bench_propagate.py
	$(PY) bench/bench_team.py
	$(PY) packaging/build.py && $(PY) packaging/measure_startup.py dist/Tandai/Tandai

package: $(STAMP) ## build the app for this OS: dist/Tandai/ (ONEFILE=1 make package: one file)
	$(PY) packaging/build.py $(if $(filter-out 0,$(ONEFILE)),--onefile)

clean:           ## remove the virtual environment and build output
	rm -rf $(VENV) build dist
