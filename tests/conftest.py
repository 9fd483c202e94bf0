"""Test configuration, and the one way tests reach an estimator's internals.

SCIPY_ARRAY_API must be set before scipy is imported so that scikit-learn's
array-API estimator check runs (with NumPy inputs) instead of being skipped.

Tests assert public behaviour (``coefs_``, ``loss_curve_``, ``predict``, ...).
Where one truly needs the training machinery (batch-norm statistics, the flat
parameter vector, the schedule), it goes through the helpers below, so that a
refactor of the estimators' internals changes this file only. Import them with
``from conftest import network_of``.
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


# ------------------------------------------------------ internals, in one place
def training_state(est):
    """A fitted estimator's training machinery: network, loss, optimizer, schedule, ...

    The only place the tests read a private attribute of an estimator.
    """
    return est._state


def network_of(est):
    """The fitted estimator's network (``layers``, ``dense_layers``, ``params``, ``coefs``)."""
    return training_state(est).network


def batch_norm_layers(est):
    """The fitted estimator's batch-norm layers, first hidden layer first."""
    return [layer for layer in network_of(est).layers if type(layer).__name__ == "BatchNorm"]


def dropout_layers(est):
    """The fitted estimator's dropout layers, first hidden layer first."""
    return [layer for layer in network_of(est).layers if type(layer).__name__ == "Dropout"]


def wrap_lbfgs_objective(monkeypatch, make_wrapper):
    """Replace the objective L-BFGS evaluates, ``(network, *args) -> value``.

    ``make_wrapper(original)`` returns the replacement; undone with ``monkeypatch``.
    """
    from skmlp._core import training

    monkeypatch.setattr(training, "_objective", make_wrapper(training._objective))


@pytest.fixture(scope="module")
def multiclass():
    """A 3-class problem, 300 x 8, shared by the estimator, determinism and
    persistence tests."""
    from sklearn.datasets import make_classification

    return make_classification(n_samples=300, n_features=8, n_informative=5,
                               n_classes=3, random_state=0)
