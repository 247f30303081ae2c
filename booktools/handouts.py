"""What a teacher hands out besides the course: the book without solutions, and an answer key.

    python -m booktools.handouts student-book _build/student-src
    python -m booktools.handouts answer-key answer-key/answer-key.html

``student-book`` writes a copy of the book's sources (``_config.yml``,
``_toc.yml``, the bibliography and the pages) in which the section pages have
no solutions, no hidden tests and no rubrics, the teacher's page has no section
of rubrics (they state the key results), and whose configuration turns off
the download and launch buttons and the copied sources (all of them would give
the original pages, solutions included).  ``make book-student`` builds it.

``answer-key`` writes one page for teaching assistants: every exercise with its
points, time, rubric and the chapter's solution (prose and code, the code shown,
not run; the numbers a solution quotes with ``{glue:text}`` are filled in by
running its chapter).  It is a notebook of Markdown cells converted to HTML by nbconvert's
``lab`` template, in one self-contained file: MathJax 3 (the copy that
sphinx-mathjax-offline ships for the book, its SVG bundle with every TeX
package, whose glyphs are in the script) is inlined in the page, and the
template's CDN scripts (MathJax 2, require.js) are left out, so the formulas
are typeset with no request leaving the machine and the file can be mailed or
opened offline as it is.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
from pathlib import Path

import jinja2
import jupytext
import nbformat
import yaml
from nbconvert import HTMLExporter

from booktools.course import (
    _OPEN,
    ROOT,
    _Fence,
    exercises,
    points_text,
    section_chapters,
    without_solutions,
)

STUDENT_SETTINGS = {
    "html": {"use_download_button": False, "use_repository_button": False},
    "launch_buttons": {"binderhub_url": "", "colab_url": "", "notebook_interface": "classic"},
}
STUDENT_SPHINX = {"html_copy_source": False, "html_show_sourcelink": False}


def write_student_book(out: Path, root: Path = ROOT) -> Path:
    """The book's sources without solutions in ``out`` (see the module docstring)."""
    if out.exists():
        shutil.rmtree(out)
    (out / "chapters").mkdir(parents=True)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    for key, values in STUDENT_SETTINGS.items():
        config.setdefault(key, {}).update(values)
    sphinx = config["sphinx"].setdefault("config", {})
    sphinx.update(STUDENT_SPHINX)
    # the theme reads the buttons from its options, which sphinx: config: above sets too
    sphinx.setdefault("html_theme_options", {}).update(STUDENT_SETTINGS["html"])
    for name in ("_toc.yml", *config.get("bibtex_bibfiles", [])):
        shutil.copy(root / name, out / name)
    # the book's own CSS, scripts, templates and Sphinx extensions (_ext, a local package)
    for folder in ("_static", "_templates", "_ext"):
        if (root / folder).is_dir():
            shutil.copytree(
                root / folder, out / folder, ignore=shutil.ignore_patterns("__pycache__")
            )
    # the teacher's page reads the exercises' points with booktools, from the real chapters
    # (booktools finds them through its resolved path)
    (out / "booktools").symlink_to(root / "booktools", target_is_directory=True)
    sections = set(section_chapters(root))
    pages = sorted((root / "chapters").glob("*.md"))
    # The pages the book build executed are taken with their outputs, so this book runs
    # nothing again; without a current build every page is executed as the book's are.
    ran = {page: executed(page) for page in pages if root == ROOT}
    if all(ran.get(page) for page in pages if page in sections or page.name == "teacher.md"):
        config["execute"]["execute_notebooks"] = "off"
    else:
        ran = {}
    (out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    for page in pages:
        target = out / "chapters" / page.name
        if page in sections and ran.get(page):
            notebook = nbformat.read(ran[page], as_version=4)
            nbformat.write(without_solutions(page, notebook=notebook), target.with_suffix(".ipynb"))
        elif page in sections:
            jupytext.write(without_solutions(page), target, fmt="md:myst")
        elif page.name == "teacher.md" and ran.get(page):
            notebook = nbformat.read(ran[page], as_version=4)
            nbformat.write(without_rubric_cells(notebook), target.with_suffix(".ipynb"))
        elif page.name == "teacher.md":
            text = page.read_text(encoding="utf-8")
            target.write_text(without_rubrics(text), encoding="utf-8")
        else:
            shutil.copy(page, target)
    return out


#: the section of the teacher's page that lists the rubrics, with the key results
RUBRICS_HEADING = "## Rubrics of the exercises graded by hand"


def without_rubrics(teacher_page: str) -> str:
    """The teacher's page without its rubrics section (which runs to the next heading of
    its level, or to the end), for the book without solutions."""
    before, found, after = teacher_page.partition(RUBRICS_HEADING)
    if not found:
        raise ValueError(f"the teacher's page has no section {RUBRICS_HEADING!r}")
    following = re.search(r"^## ", after, flags=re.M)
    return before.rstrip("\n") + "\n" + ("\n" + after[following.start() :] if following else "")


def without_rubric_cells(notebook):
    """The executed teacher's page without its rubrics section (see ``without_rubrics``):
    the heading's cell is cut at the heading, and the cells after it are left out up to the
    next heading of its level."""
    kept, skipping = [], False
    for cell in notebook.cells:
        text = cell.source if cell.cell_type == "markdown" else ""
        if skipping and re.search(r"^## ", text, flags=re.M):
            following = re.search(r"^## ", text, flags=re.M)
            cell.source, skipping = text[following.start() :], False
        if not skipping and RUBRICS_HEADING in text:
            before, _found, after = text.partition(RUBRICS_HEADING)
            following = re.search(r"^## ", after, flags=re.M)
            if before.strip():
                kept.append(nbformat.v4.new_markdown_cell(before.rstrip("\n")))
            if following:
                kept.append(nbformat.v4.new_markdown_cell(after[following.start() :]))
            else:
                skipping = True
            continue
        if not skipping:
            kept.append(cell)
    if len(kept) == len(notebook.cells):
        raise ValueError(f"the teacher's page has no section {RUBRICS_HEADING!r}")
    stripped = nbformat.v4.new_notebook(metadata=notebook.metadata)
    stripped.cells = kept
    return stripped


GLUE = re.compile(r"\{glue:text\}`(?P<name>[^`:]+)(?::(?P<format>[^`]*))?`")


#: where the book build (``make book``) keeps each page executed, and the values it glued
EXECUTED = ROOT / "_build" / "jupyter_execute" / "chapters"


def executed(chapter: Path, suffix: str = ".ipynb") -> Path | None:
    """The book build's executed copy of ``chapter`` (``suffix`` ".glue.json": its glued
    values), if the build is newer than the chapter; else None."""
    path = EXECUTED / f"{chapter.stem}{suffix}"
    if path.is_file() and path.stat().st_mtime >= chapter.stat().st_mtime:
        return path
    return None


def glued(chapter: Path) -> dict[str, str]:
    """name -> text of every value the chapter glues: read from the book build when it
    is newer than the chapter, else from running the chapter (as the book does)."""
    from nbclient import NotebookClient

    record = executed(chapter, ".glue.json")
    if record is not None:
        values = json.loads(record.read_text(encoding="utf-8"))
        return {name: output["data"]["text/plain"] for name, output in values.items()}
    notebook = jupytext.read(chapter, fmt="md:myst")
    for number, cell in enumerate(notebook.cells):  # unique ids (jupytext may repeat one)
        cell.id = f"cell-{number}"
    NotebookClient(
        notebook, timeout=600, resources={"metadata": {"path": chapter.parent}}
    ).execute()
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                values[record["name"]] = output["data"][record["mime_prefix"] + "text/plain"]
    return values


def fill_glue(text: str, values: dict[str, str]) -> str:
    """``text`` with each ``{glue:text}`name:format``` replaced by its formatted value."""

    def value(match: re.Match) -> str:
        raw = values[match["name"]]
        if not match["format"]:
            return raw
        return format(float(raw), match["format"])

    return GLUE.sub(value, text)


def _solutions(chapter: Path) -> dict[str, list]:
    """label -> the cells of its solution in the chapter: its prose, and its code shown."""
    found: dict[str, list] = {}
    label, gated, fence = None, False, None
    for cell in jupytext.read(chapter, fmt="md:myst").cells:
        if cell.cell_type == "code":
            if gated and "hidden-tests" not in cell.metadata.get("tags", []):
                found[label].append(nbformat.v4.new_markdown_cell(f"```python\n{cell.source}\n```"))
            continue
        prose: list[str] = []
        for line in cell.source.splitlines():
            opened = _OPEN.match(line)
            if fence is not None:  # inside {solution}, or the option block of a gated fence
                if fence.closed_by(line):
                    if fence.name != "solution-start":
                        _add_prose(found, label, prose)
                        label, gated = None, False
                    fence = None
                elif fence.name == "solution" and not line.startswith(":"):
                    prose.append(line)
                continue
            if opened and opened["name"] in ("solution", "solution-start", "solution-end"):
                fence = _Fence(opened["fence"][0], len(opened["fence"]), opened["name"])
                if opened["name"] != "solution-end":
                    label, gated = opened["arg"].split()[0], opened["name"] == "solution-start"
                    found[label] = []
            elif gated:
                prose.append(line)
        _add_prose(found, label, prose)
    return found


def _add_prose(found: dict[str, list], label: str | None, prose: list[str]) -> None:
    text = "\n".join(prose).strip()
    if label is not None and text:
        found[label].append(nbformat.v4.new_markdown_cell(text))
    prose.clear()


def answer_key(chapters: list[Path]):
    """The answer key (see the module docstring) as a notebook of Markdown cells."""
    cells = [
        nbformat.v4.new_markdown_cell(
            "# Answer key\n\nEvery exercise of the book with its points, time, rubric and "
            "solution. For teaching assistants only: do not hand it out."
        )
    ]
    for chapter in chapters:
        cells.append(nbformat.v4.new_markdown_cell(f"## {chapter.stem}"))
        solutions = _solutions(chapter)
        solution_cells = [cell for found in solutions.values() for cell in found]
        if any(GLUE.search(cell.source) for cell in solution_cells):
            values = glued(chapter)
            for cell in solution_cells:
                cell.source = fill_glue(cell.source, values)
        for info in exercises(chapter):
            rubric = "".join(f"\n- {points_text(points)}: {text}" for points, text in info.rubric)
            cells.append(
                nbformat.v4.new_markdown_cell(
                    f"### Exercise `{info.label}`: {info.prompt}\n\n"
                    f"{info.points} points, about {info.minutes} minutes, {info.kind}."
                    + (f"\n\n**Rubric**{rubric}" if rubric else "")
                    + (
                        "\n\n**Autograded** by its test cell (self-check and hidden tests)."
                        if info.checked
                        else ""
                    )
                    + "\n\n**Solution**"
                )
            )
            cells += solutions.get(info.label, [])
    return nbformat.v4.new_notebook(cells=cells)


#: MathJax 3's SVG bundle with every TeX package (nothing to load later, no font files)
MATHJAX_BUNDLE = "tex-svg-full.js"
#: nbconvert's MathJax 2 settings (``$...$`` inline, AMS numbering), in MathJax 3 terms;
#: formulas are not tab stops, and screen readers read them from hidden MathML (as in the book)
MATHJAX_CONFIG = {
    "tex": {
        "inlineMath": [["$", "$"], ["\\(", "\\)"]],
        "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
        "processEscapes": True,
        "processEnvironments": True,
        "tags": "ams",
    },
    "svg": {"fontCache": "global"},
    "options": {"menuOptions": {"settings": {"inTabOrder": False, "assistiveMml": True}}},
}
# nbconvert's lab page, with MathJax 3 inline in place of the CDN's MathJax 2 and require.js
# (no widgets on the page, so nothing needs require.js).
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}
<script>window.MathJax = {{ resources.mathjax_config }};</script>
<script>{{ resources.mathjax_source }}</script>
{%- endblock html_head_js_mathjax -%}
"""


def mathjax_source() -> str:
    """The MathJax 3 bundle shipped by sphinx-mathjax-offline, safe inside a ``<script>``."""
    package = importlib.util.find_spec("sphinx-mathjax-offline")
    folder = Path(next(iter(package.submodule_search_locations)))
    source = (folder / "static" / "mathjax" / MATHJAX_BUNDLE).read_text(encoding="utf-8")
    # "</script" would end the inline script early; "<\/" is the same text in JavaScript
    return re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)


def answer_key_html(notebook) -> str:
    """``notebook`` as one self-contained HTML page (see the module docstring)."""
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"answer-key.html.j2": TEMPLATE})],
        template_file="answer-key.html.j2",
    )
    resources = {
        "metadata": {"name": "Answer key"},
        "mathjax_config": json.dumps(MATHJAX_CONFIG),
        "mathjax_source": mathjax_source(),
    }
    body, _resources = exporter.from_notebook_node(notebook, resources=resources)
    return body


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["student-book", "answer-key"])
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.what == "student-book":
        print(write_student_book(args.out))
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(answer_key_html(answer_key(section_chapters())), encoding="utf-8")
        print(args.out)


if __name__ == "__main__":
    main()
