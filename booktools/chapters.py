"""Make the notebook chapters fixed points of jupytext: what Jupyter writes when it saves them.

``make chapters-format`` runs this module.  Each chapter with a kernelspec is
read and saved through jupytext's contents manager — the code JupyterLab and
Notebook 7 use to open and save a ``.md`` notebook — with the kernelspec of a
default ipykernel install and the project's jupytext configuration in its
header: ``notebook_metadata_filter`` keeps jupytext's version out of the file.
After that, opening and saving a chapter in Jupyter leaves it byte for byte
unchanged (``tests/test_live.py`` checks this).

The configuration sits in each chapter's header rather than in a
``jupytext.toml``: a ``jupytext.toml`` filter would also apply to the plain
Markdown pages (``index.md``, ``references.md``), which jupytext otherwise
saves without any header, and it is only found where the server's root
directory contains it; the header goes wherever the file goes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"
# jupytext's notebook metadata filter for the chapters: its defaults, without its version.
METADATA_FILTER = "-jupytext.text_representation.jupytext_version"


def default_kernelspec() -> dict[str, str]:
    """The kernelspec JupyterLab stores for the ``python3`` kernel of a default install."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    return {"display_name": spec.display_name, "language": spec.language, "name": "python3"}


def notebook_chapters(directory: Path = CHAPTERS) -> list[Path]:
    """The chapters that are notebooks: MyST Markdown with a kernelspec in the header."""
    return [
        path
        for path in sorted(directory.glob("*.md"))
        if path.read_text(encoding="utf-8").startswith("---\n")
        and "\nkernelspec:\n" in path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    ]


def save_as_jupyter_does(path: Path, kernelspec: dict[str, str]) -> None:
    """Open ``path`` and save it again through jupytext's contents manager."""
    from jupytext import TextFileContentsManager

    manager = TextFileContentsManager(root_dir=str(path.parent))
    model = manager.get(path.name)
    metadata = model["content"]["metadata"]
    metadata["kernelspec"] = kernelspec
    metadata["jupytext"]["notebook_metadata_filter"] = METADATA_FILTER
    manager.save(model, path.name)


def main(directory: Path = CHAPTERS) -> int:
    """Save every chapter as Jupyter does; a chapter that comes out the same keeps its
    modification time, so make does not build the book again for it."""
    kernelspec = default_kernelspec()
    for path in notebook_chapters(directory):
        before, times = path.read_bytes(), path.stat()
        save_as_jupyter_does(path, kernelspec)
        unchanged = path.read_bytes() == before
        if unchanged:
            os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
        print(f"{path.name}: {'unchanged' if unchanged else 'reformatted'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else CHAPTERS))
