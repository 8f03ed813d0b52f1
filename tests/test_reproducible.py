"""`make notebooks` compares every output of a second run with the build's: the check bites.

nbval runs a notebook again and compares each output with the stored one, after the patterns of
tests/nbval_sanitize.cfg. These tests show that an unseeded random output fails the comparison
and a seeded one passes, that each pattern is needed (two runs of the same code differ exactly
there) and that none hides a number that matters.
"""

from __future__ import annotations

import importlib.util
import inspect
import io
import re
import subprocess
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest
from matplotlib.animation import FuncAnimation
from nbclient import NotebookClient
from nbval.plugin import coalesce_streams, get_sanitize_patterns
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
PATTERNS = get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8"))


def sanitize(text: str) -> str:
    for regex, replace in PATTERNS:
        text = re.sub(regex, replace, text)
    return text


def _executed_notebook(tmp_path: Path, source: str) -> Path:
    """A one-cell notebook, executed once (its outputs are the reference), saved in tmp_path."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(source)]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    path = tmp_path / "check.ipynb"
    nbformat.write(nb, path)
    return path


def _nbval(path: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
               "--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE), str(path)]
    return subprocess.run(command, capture_output=True, text=True, cwd=path.parent, timeout=300)


def test_an_unseeded_random_output_fails_the_comparison(tmp_path):
    path = _executed_notebook(tmp_path, "import numpy as np\nprint(np.random.random())")
    result = _nbval(path)
    assert result.returncode == 1, result.stdout
    assert "Cell outputs differ" in result.stdout


def test_a_seeded_random_output_passes_it(tmp_path):
    seeded = "import numpy as np\nprint(np.random.default_rng(0).random())"
    path = _executed_notebook(tmp_path, seeded)
    result = _nbval(path)
    assert result.returncode == 0, result.stdout


def test_the_sanitize_file_has_the_patterns_its_comments_explain():
    text = SANITIZE.read_text(encoding="utf-8")
    assert len(PATTERNS) == len(re.findall(r"^# \d+\. ", text, re.M)) == 2


def _animation_html() -> str:
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 1])
    anim = FuncAnimation(fig, lambda i: line.set_ydata([0, i]), frames=2)
    html = anim.to_jshtml()
    plt.close(fig)
    return html


def test_pattern_1_matplotlib_animation_ids_are_the_only_difference():
    first, second = _animation_html(), _animation_html()
    assert first != second  # a fresh uuid4 per call
    assert sanitize(first) == sanitize(second)


def _progress(seconds: float) -> str:
    """What a tqdm bar leaves on stderr, as nbval sees it (streams coalesced, \\r applied)."""
    stream = io.StringIO()
    for _ in tqdm(range(3), file=stream, desc="epoch 1/1", mininterval=0):
        time.sleep(seconds)
    output = nbformat.v4.new_output("stream", name="stderr", text=stream.getvalue())
    return coalesce_streams([output])[0].text


def test_pattern_2_progress_bars_differ_only_in_time_and_rate():
    slow, fast = _progress(0.05), _progress(0.0)
    assert slow != fast
    assert sanitize(slow) == sanitize(fast)
    assert "3/3" in sanitize(slow)  # the count of batches is still compared


@pytest.mark.parametrize("before, after", [
    ("{'epoch': 1, 'test_accuracy': 0.983}", "{'epoch': 1, 'test_accuracy': 0.984}"),
    ("y = [0.25 0.5 ]", "y = [0.25 0.51]"),
    ("epoch 1/2: 100%|██████████| 235/235 [00:38<00:00,  6.16it/s]",
     "epoch 1/2: 100%|██████████| 234/235 [00:38<00:00,  6.16it/s]"),
])
def test_no_pattern_hides_a_number_that_matters(before, after):
    assert sanitize(before) != sanitize(after)


def test_the_patience_plugin_raises_nbvals_output_wait():
    """nbval's wait for a finished cell's outputs is a fixed attribute; the plugin raises it."""
    from nbval.plugin import IPyNbCell

    plugin = ROOT / "tests" / "nbval_patience.py"
    spec = importlib.util.spec_from_file_location("nbval_patience", plugin)
    nbval_patience = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(nbval_patience)
    # the canary: the day nbval renames the attribute, the plugin would silently do nothing
    assert "self.output_timeout = 5" in inspect.getsource(IPyNbCell.__init__)

    class Cell:
        output_timeout = 5

    cell, other = Cell(), object()
    nbval_patience.pytest_collection_modifyitems([cell, other])
    assert cell.output_timeout == nbval_patience.OUTPUT_TIMEOUT > 5
    assert not hasattr(other, "output_timeout")
