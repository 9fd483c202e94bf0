"""Test configuration.

SCIPY_ARRAY_API must be set before scipy is imported so that scikit-learn's
array-API estimator check runs (with NumPy inputs) instead of being skipped.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")


import warnings  # noqa: E402

import pytest  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402


@pytest.fixture
def quiet_convergence():
    """Silence ConvergenceWarning (tests that fit on purpose with few epochs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield
