"""Shared test set-up: a headless matplotlib, and a hypothesis profile sized for 2 cores."""

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "book", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "book"))


@pytest.fixture(autouse=True)
def _close_figures():
    """Each test starts with no open figures, whatever the previous one drew."""
    yield
    plt.close("all")
