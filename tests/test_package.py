"""The package as a student gets it: the wheel, in a fresh virtual environment, used from
outside the checkout.

That is the Colab path (each chapter's first cell pip-installs statbook where it is
missing): the wheel built from this repository, installed with only the dependencies it
declares, must import every module, render every explorer and run a self-check. Nothing
of the checkout is on ``sys.path`` there, so a module left out of the wheel or a
dependency left undeclared fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: What a student's notebook runs once statbook is installed, outside the checkout.
STUDENT_SESSION = textwrap.dedent(
    """
    import importlib
    import os
    import pkgutil
    import sys
    from pathlib import Path

    import statbook

    site = Path(statbook.__file__).resolve().parents[1]
    assert site.name == "site-packages", f"statbook imported from {site}, not the install"
    assert not any(Path(p or ".").resolve() == Path(os.environ["CHECKOUT"]) for p in sys.path)

    modules = sorted(m.name for m in pkgutil.walk_packages(statbook.__path__, "statbook."))
    for name in modules:
        importlib.import_module(name)
    print("modules", len(modules))

    from statbook.datasets import load_vegetables
    from statbook.explorers import likelihood, mixed, mixtures, multinomial, regression

    explorers = [
        likelihood.vonmises_explorer(),
        likelihood.gaussian_explorer(),
        multinomial.softmax_explorer(),
        multinomial.moth_explorer(),
        regression.simple_model_explorer(load_vegetables()),
        mixtures.label_switching_explorer(),
        mixtures.density_explorer(),
        mixed.mixed_explorer(),
    ]
    for explorer in explorers:
        live = explorer._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in live, live.keys()
        slider = explorer.sliders[0]
        explorer.set(**{slider.name: slider.values[-1]})
        assert explorer.redraws >= 1 and explorer.last_error is None, explorer.last_error
        assert explorer.render().startswith(b"\\x89PNG")
    print("explorers", len(explorers))

    os.environ["STATBOOK_STATIC"] = "1"
    static = likelihood.gaussian_explorer()._repr_mimebundle_()
    assert "<img" in static["text/html"] and "widget-view" not in str(static.keys())

    import numpy as np
    from scipy.special import gammaln

    from statbook.check import check

    def poisson_negloglik(mu, y):
        y, mu = np.asarray(y), np.asarray(mu, dtype=float)
        safe = np.where(mu > 0, mu, 1.0)
        value = y.size * safe - y.sum() * np.log(safe) + gammaln(y + 1).sum()
        return np.where(mu > 0, value, np.inf)

    assert check("likelihood-ex-2", poisson_negloglik, quiet=True)
    assert not check("likelihood-ex-2", lambda mu, y: -poisson_negloglik(mu, y), quiet=True)
    print("self-check ok")
    """
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``pip wheel``: the wheel a user (or ``pip install git+...``) builds from the repository.

    Built from a copy of what git would check out (setuptools builds in the source folder,
    where a stale ``build/`` left by an earlier build could slip modules into the wheel)."""
    source, dist = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    shutil.copytree(
        ROOT,
        source,
        dirs_exist_ok=True,
        ignore=lambda folder, names: [
            n
            for n in names
            if n in {".git", ".venv", "_build", "build", "node_modules"}
            or n == "__pycache__"
            or n.endswith(".egg-info")
        ],
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(dist),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = dist.glob("statbook-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_python(wheel, tmp_path_factory) -> Path:
    """A new virtual environment holding the wheel and only the dependencies it declares."""
    env_dir = tmp_path_factory.mktemp("fresh-venv")
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    return python


def test_wheel_holds_the_library_and_nothing_else(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    modules = {n for n in names if not n.startswith("statbook-")}
    source = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "statbook").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert modules == source, (sorted(source - modules), sorted(modules - source))
    assert {"statbook/explorers/__init__.py", "statbook/check/__init__.py"} <= modules
    # The book's machinery stays in the checkout.
    assert not [n for n in names if n.split("/")[0] in {"_ext", "booktools", "tests"}]


def test_installed_wheel_serves_a_student_from_outside_the_checkout(fresh_python, tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env.update(CHECKOUT=str(ROOT), MPLBACKEND="Agg", HOME=str(tmp_path))
    result = subprocess.run(
        [str(fresh_python), "-c", STUDENT_SESSION],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-6000:]
    lines = result.stdout.splitlines()
    assert "explorers 8" in lines and "self-check ok" in lines, lines
    n_modules = int(next(line for line in lines if line.startswith("modules")).split()[1])
    # walk_packages lists every module and subpackage below statbook, not statbook itself.
    assert n_modules == len(list((ROOT / "statbook").rglob("*.py"))) - 1


def test_fresh_environment_has_only_the_declared_dependencies(fresh_python):
    """Nothing of the book's machinery was installed as a side effect."""
    listed = subprocess.run(
        [str(fresh_python), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    for tool in ("sphinx", "jupyter-book", "jupytext", "nbgrader", "nbformat", "beautifulsoup4"):
        assert f"\n{tool}==" not in f"\n{listed}", tool
