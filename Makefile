# Two commands do all the set-up on a fresh machine with python3:
#   make book   build the HTML book into _build/html
#   make test   run every test (library, notebooks under nbval, book build, browser checks)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Use the shared data folder as the data cache when it is there (as on CI).
SHARED_DATA := $(abspath ../shared/data)
ifneq ($(wildcard $(SHARED_DATA)/vegetables.csv),)
export STATBOOK_DATA_DIR ?= $(SHARED_DATA)
endif

# system-book and system-test check the machine every time; the book and the PDF are files.
.PHONY: book pdf test test-fast system-book system-test bench lab lint format chapters-format course student course-lab book-student answer-key clean publish

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

# Debian's packages the build and the tests need (booktools/system-packages says which and
# why): installed when missing, or one line naming them and the command that installs them.
system-book:
	booktools/system-packages node
system-test:
	booktools/system-packages node chromium mathjax poppler

# The book is rebuilt when any of its sources changed (the stamp is written only after a
# build that passed); then every page is executed again (--all), since a change in statbook/
# changes the outputs of pages whose source did not change.
BOOK_SOURCES := _config.yml _toc.yml references.bib \
  $(shell find chapters statbook _ext _static _templates -type f \
          ! -path '*/__pycache__/*' ! -path '*/.ipynb_checkpoints/*' ! -name '*.ipynb')
BOOK_STAMP := _build/html/.built
book: system-book $(BOOK_STAMP)
	@echo "The book is built: open file://$(CURDIR)/_build/html/index.html"

$(BOOK_STAMP): $(STAMP) $(BOOK_SOURCES)
	@rm -f $@
	STATBOOK_STATIC=1 $(BIN)/jupyter-book build . --all --warningiserror --nitpick --keep-going
	touch $@

# The whole book as one PDF (_build/html/statbook.pdf, linked from every page's download
# menu), printed by Debian's Chromium from the built pages: see booktools/print_book.py.
PDF := _build/html/statbook.pdf
pdf: $(PDF)
$(PDF): $(BOOK_STAMP) booktools/print_book.py
	booktools/system-packages chromium
	$(BIN)/python -m booktools.print_book _build/html

# The suite in two processes (pytest-xdist, a test file at a time: its fixtures, a server
# or a browser, are made once): most tests wait on a kernel, a browser or a build.
TEST_WORKERS ?= 2
# One BLAS thread per process: the suite's processes, kernels and browsers already fill the
# cores, and BLAS threads on top spin waiting for each other (statsmodels' 353-column GLM took
# 51 s instead of 2.7 s on a busy machine).
test test-fast: export OPENBLAS_NUM_THREADS = 1
test test-fast: export OMP_NUM_THREADS = 1
test: system-test $(STAMP) $(NODE_STAMP) lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=10

# The edit-test loop: lint, the library and its unit tests (no book build, browser, notebook
# execution or course), in under two minutes.
test-fast: $(STAMP) lint
	$(BIN)/python -m pytest -m "not slow" tests

lint: $(STAMP)
	$(BIN)/ruff check statbook _ext booktools tests benchmarks conftest.py
	$(BIN)/ruff format --check statbook _ext booktools tests benchmarks conftest.py

format: $(STAMP)
	$(BIN)/ruff format statbook _ext booktools tests benchmarks conftest.py
	$(BIN)/ruff check --fix statbook _ext booktools tests benchmarks conftest.py

# Save every notebook chapter once as Jupyter does (jupytext, the project's metadata filter in
# the header, the default kernelspec): then opening and saving it in Jupyter changes nothing.
chapters-format: $(STAMP)
	$(BIN)/python -m booktools.chapters chapters

# Each benchmark prints the machine's load beside its figures (they are noisy on a busy
# machine). QUICK=1: every benchmark once, briefly (benchmarks/_quick.py), to see it works.
bench: system-test $(STAMP) $(NODE_STAMP)
	@for script in benchmarks/bench_*.py; do \
	  module=benchmarks.$$(basename $$script .py); \
	  echo "== $$module (load average $$(cut -d' ' -f1-3 /proc/loadavg), $$(nproc) cores)"; \
	  STATBOOK_BENCH_QUICK=$(if $(QUICK),1,) $(BIN)/python -m $$module || exit 1; \
	done

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
PUBLISH_REMOTE ?= origin
publish: $(PDF)
	$(BIN)/ghp-import --no-jekyll --push --force --remote $(PUBLISH_REMOTE) --branch gh-pages \
	  _build/html

# The graded course (nbgrader), generated from the chapters into course/ (or COURSE_DIR=...):
# nbgrader_config.py and source/<section>/<section>.ipynb. Running it again keeps the
# teacher's work: the lines of nbgrader_config.py outside its statbook block, and every
# source notebook edited since it was written (FORCE=1 overwrites those). `make student` is
# the release step: nbgrader writes the students' notebooks, without solutions, into
# course/release/.
COURSE_DIR ?= course
NBGRADER := cd $(COURSE_DIR) && PATH=$(abspath $(BIN)):$$PATH $(abspath $(BIN))/nbgrader
SECTIONS = $(notdir $(wildcard $(COURSE_DIR)/source/*))
course: $(STAMP)
	$(BIN)/python -m booktools.course --out $(COURSE_DIR) $(if $(FORCE),--force)

student: course
	for section in $(SECTIONS); do ($(NBGRADER) generate_assignment $$section --force) || exit 1; done
	@echo "The students' notebooks are in $(COURSE_DIR)/release/<section>/"

# JupyterLab on the course folder, with nbgrader's formgrader (Nbgrader menu -> Formgrader);
# extra options in LAB_ARGS. It does not regenerate the course (make course does).
course-lab: $(STAMP)
	test -f $(COURSE_DIR)/nbgrader_config.py || $(MAKE) course
	cd $(COURSE_DIR) && PATH=$(abspath $(BIN)):$$PATH $(abspath $(BIN))/jupyter lab $(LAB_ARGS)

# The HTML book without solutions (no solution dropdowns, no downloadable or launchable
# sources, which would hold them), for a course that publishes the book before a deadline.
book-student: system-book $(BOOK_STAMP)
	$(BIN)/python -m booktools.handouts student-book _build/student-src
	STATBOOK_STATIC=1 $(BIN)/jupyter-book build _build/student-src --path-output _build/student \
	  --all --warningiserror --nitpick --keep-going
	@echo "The book without solutions: open file://$(CURDIR)/_build/student/_build/html/index.html"

# One HTML page with every exercise, its points, time, rubric and solution, for the TAs:
# a single file that typesets its formulas offline (MathJax is inside it).
answer-key: $(BOOK_STAMP)
	$(BIN)/python -m booktools.handouts answer-key answer-key/answer-key.html
	@echo "The answer key: open file://$(CURDIR)/answer-key/answer-key.html"
