"""A pytest plugin for ``make notebooks``: nbval waits longer for a cell's outputs.

After a cell has run, nbval reads the kernel's output messages and gives up when none arrives
for 5 seconds (``IPyNbCell.output_timeout``, fixed in nbval, no option). On a loaded 2-core
machine a training cell's last messages can take longer than that, and the comparison then
fails with "Timeout of 5 seconds exceeded waiting for output" although nothing differs
(measured: chapter 8 run beside chapter 6). This plugin raises the wait; how long a cell may
*run* stays ``--nbval-cell-timeout``. Load it with ``python -m pytest -p tests.nbval_patience``.
"""

from __future__ import annotations

import pytest

#: Seconds nbval waits for the next output message of a cell that has finished running.
OUTPUT_TIMEOUT = 120


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every nbval cell the longer wait."""
    for item in items:
        if hasattr(item, "output_timeout"):
            item.output_timeout = OUTPUT_TIMEOUT
