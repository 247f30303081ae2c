"""The explorers' script, statbook/static/explorer.js, tested as JavaScript.

``node --test`` runs tests/js/explorer.test.js, which drives the script's functions with a
tiny fake DOM; here its frame numbering is also checked against numpy's, the order in
which statbook.widgets stores the frames.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from statbook.widgets import explorer_script

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "statbook" / "static" / "explorer.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def node(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [NODE, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_explorer_script_passes_its_node_tests():
    result = node("--test", "tests/js/")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout and "# pass 0" not in result.stdout


def test_frame_index_is_numpys_row_major_order():
    sizes = (2, 3, 4)
    positions = [list(p) for p in itertools.product(*(range(n) for n in sizes))]
    program = (
        f"const {{ frameIndex }} = require({json.dumps(str(SCRIPT))});"
        f"console.log(JSON.stringify({json.dumps(positions)}"
        f".map((p) => frameIndex(p, {json.dumps(sizes)}))));"
    )
    result = node("-e", program)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [int(np.ravel_multi_index(p, sizes)) for p in positions]


def test_the_shipped_script_is_the_one_inlined():
    assert explorer_script() == SCRIPT.read_text(encoding="utf-8")
    assert "</script" not in explorer_script()  # it is inlined in a <script> element
