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

.PHONY: book test bench lab lint format chapters-format course student course-lab book-student answer-key clean publish pdf

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

# Save every notebook chapter once as Jupyter does (jupytext, the project's metadata filter in
# the header, the default kernelspec): then opening and saving it in Jupyter changes nothing.
chapters-format: $(STAMP)
	$(BIN)/python -m statbook._chapters chapters

bench: $(STAMP) $(NODE_STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# JupyterLab (APP=notebook: Jupyter Notebook 7) on the chapters with the project's own Jupyter
# config (.jupyter/). What Jupyter writes while it runs (user settings, workspaces, and the
# gradebook that nbgrader's formgrader opens) goes to LAB_STATE, outside the checkout; extra
# options in LAB_ARGS.
APP ?= lab
LAB_STATE ?= $(or $(XDG_STATE_HOME),$(HOME)/.local/state)/statbook/jupyter
lab: $(STAMP)
	mkdir -p $(LAB_STATE)
	JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter \
	JUPYTERLAB_SETTINGS_DIR=$(LAB_STATE)/user-settings \
	JUPYTERLAB_WORKSPACES_DIR=$(LAB_STATE)/workspaces \
	$(BIN)/jupyter $(APP) --CourseDirectory.db_url=sqlite:///$(LAB_STATE)/gradebook.db \
	  $(LAB_ARGS) chapters/

clean:
	rm -rf _build

# Push the built book to the gh-pages branch of the repository (GitHub Pages). Colab
# buttons open the chapter notebooks from there: gh-pages:_sources/chapters/*.ipynb.
publish: pdf
	$(BIN)/ghp-import --no-jekyll --push --force --branch gh-pages _build/html

# The graded course (nbgrader), generated from the chapters into course/ (or COURSE_DIR=...):
# nbgrader_config.py and source/<section>/<section>.ipynb. `make student` is its release
# step: nbgrader writes the students' notebooks, without solutions, into course/release/.
COURSE_DIR ?= course
NBGRADER := cd $(COURSE_DIR) && PATH=$(abspath $(BIN)):$$PATH $(abspath $(BIN))/nbgrader
SECTIONS = $(notdir $(wildcard $(COURSE_DIR)/source/*))
course: $(STAMP)
	$(BIN)/python -m statbook.course --out $(COURSE_DIR)

student: course
	for section in $(SECTIONS); do ($(NBGRADER) generate_assignment $$section --force) || exit 1; done
	@echo "The students' notebooks are in $(COURSE_DIR)/release/<section>/"

# JupyterLab on the course folder, with nbgrader's formgrader (Nbgrader menu -> Formgrader);
# extra options in LAB_ARGS.
course-lab: course
	cd $(COURSE_DIR) && PATH=$(abspath $(BIN)):$$PATH $(abspath $(BIN))/jupyter lab $(LAB_ARGS)

# The HTML book without solutions (no solution dropdowns, no downloadable or launchable
# sources, which would hold them), for a course that publishes the book before a deadline.
book-student: $(STAMP)
	$(BIN)/python -m statbook.handouts student-book _build/student-src
	STATBOOK_STATIC=1 $(BIN)/jupyter-book build _build/student-src --path-output _build/student \
	  --all --warningiserror --nitpick --keep-going
	@echo "The book without solutions: open file://$(CURDIR)/_build/student/_build/html/index.html"

# One HTML page with every exercise, its points, time, rubric and solution, for the TAs:
# a single file that typesets its formulas offline (MathJax is inside it).
answer-key: $(STAMP)
	$(BIN)/python -m statbook.handouts answer-key answer-key/answer-key.html
	@echo "The answer key: open file://$(CURDIR)/answer-key/answer-key.html"
