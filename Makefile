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

.PHONY: book test bench lab lint format chapters-format student clean publish

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $(STAMP)

book: $(STAMP)
	STATBOOK_STATIC=1 $(BIN)/jupyter-book build . --all --warningiserror --nitpick --keep-going
	@echo "The book is built: open file://$(CURDIR)/_build/html/index.html"

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check statbook tests benchmarks conftest.py
	$(BIN)/ruff format --check statbook tests benchmarks conftest.py

format: $(STAMP)
	$(BIN)/ruff format statbook tests benchmarks conftest.py
	$(BIN)/ruff check --fix statbook tests benchmarks conftest.py

# Save every notebook chapter once as Jupyter does (jupytext, the project's metadata filter in
# the header, the default kernelspec): then opening and saving it in Jupyter changes nothing.
chapters-format: $(STAMP)
	$(BIN)/python -m statbook._chapters chapters

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# JupyterLab (APP=notebook: Jupyter Notebook 7) on the chapters with the project's own Jupyter
# config (.jupyter/). What Jupyter writes while it runs (user
# settings, workspaces) goes to LAB_STATE, outside the checkout; extra options in LAB_ARGS.
APP ?= lab
LAB_STATE ?= $(or $(XDG_STATE_HOME),$(HOME)/.local/state)/statbook/jupyter
lab: $(STAMP)
	JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter \
	JUPYTERLAB_SETTINGS_DIR=$(LAB_STATE)/user-settings \
	JUPYTERLAB_WORKSPACES_DIR=$(LAB_STATE)/workspaces \
	$(BIN)/jupyter $(APP) $(LAB_ARGS) chapters/

clean:
	rm -rf _build

# Push the built book to the gh-pages branch of the repository (GitHub Pages). Colab
# buttons open the chapter notebooks from there: gh-pages:_sources/chapters/*.ipynb.
publish: book
	$(BIN)/ghp-import --no-jekyll --push --force --branch gh-pages _build/html

# Student notebooks (.ipynb and .md) without solutions, into student/ (or STUDENT_DIR=...).
STUDENT_DIR ?= student
student: $(STAMP)
	$(BIN)/python -m statbook.student --out $(STUDENT_DIR)
