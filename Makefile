# Two commands do all the set-up on a fresh machine with python3:
#   make book   build the HTML book into _build/html
#   make test   run every test (library, notebooks under nbval, book build, browser checks)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The package in this checkout wins over any other installed copy.
export PYTHONPATH := $(CURDIR)
# Use the shared data folder as the data cache when it is there (as on CI).
SHARED_DATA := $(abspath ../shared/data)
ifneq ($(wildcard $(SHARED_DATA)/vegetables.csv),)
export STATBOOK_DATA_DIR ?= $(SHARED_DATA)
endif

.PHONY: book test bench lab lint format student clean publish pdf

# The browser-side checkers (axe-core for the tests, Lighthouse for the page benchmark),
# pinned in package-lock.json; npm ci writes node_modules/.package-lock.json last.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $(STAMP)

book: $(STAMP)
	STATBOOK_STATIC=1 $(BIN)/jupyter-book build . --all --warningiserror --nitpick --keep-going
	@echo "The book is built: open file://$(CURDIR)/_build/html/index.html"

# The whole book as one PDF (_build/html/statbook.pdf, linked from every page's download
# menu), printed by Debian's Chromium from the built pages: see statbook/_print_book.py.
pdf: book
	$(BIN)/python -m statbook._print_book _build/html

test: $(STAMP) $(NODE_STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check statbook tests benchmarks conftest.py
	$(BIN)/ruff format --check statbook tests benchmarks conftest.py

format: $(STAMP)
	$(BIN)/ruff format statbook tests benchmarks conftest.py
	$(BIN)/ruff check --fix statbook tests benchmarks conftest.py

bench: $(STAMP) $(NODE_STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lab: $(STAMP)
	JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter $(BIN)/jupyter lab chapters/

clean:
	rm -rf _build

# Push the built book to the gh-pages branch of the repository (GitHub Pages). Colab
# buttons open the chapter notebooks from there: gh-pages:_sources/chapters/*.ipynb.
publish: pdf
	$(BIN)/ghp-import --no-jekyll --push --force --branch gh-pages _build/html

# Student notebooks (.ipynb and .md) without solutions, into student/ (or STUDENT_DIR=...).
STUDENT_DIR ?= student
student: $(STAMP)
	$(BIN)/python -m statbook.student --out $(STUDENT_DIR)
