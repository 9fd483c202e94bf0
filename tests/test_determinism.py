"""Same seed, same bits: in one process or across workers."""

import hashlib

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from skmlp import SGDMLPClassifier


pytestmark = pytest.mark.usefixtures("quiet_convergence")


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=150, n_features=6, random_state=0)


def _weights(est):
    return est.coefs_ + est.intercepts_


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_same_random_state_gives_bit_identical_fits_with_shuffling(solver, data):
    X, y = data
    kw = dict(hidden_layer_sizes=(8,), solver=solver, batch_size=16, shuffle=True,
              max_iter=8, random_state=3)
    a, b = SGDMLPClassifier(**kw).fit(X, y), SGDMLPClassifier(**kw).fit(X, y)
    for wa, wb in zip(_weights(a), _weights(b)):
        np.testing.assert_array_equal(wa, wb)
    other = SGDMLPClassifier(**{**kw, "random_state": 4}).fit(X, y)
    assert not np.array_equal(a.coefs_[0], other.coefs_[0])


def test_same_random_state_gives_bit_identical_weights(multiclass):
    X, y = multiclass
    a = SGDMLPClassifier((16,), max_iter=10, random_state=7).fit(X, y)
    b = SGDMLPClassifier((16,), max_iter=10, random_state=7).fit(X, y)
    for ca, cb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(ca, cb)
    assert a.loss_curve_ == b.loss_curve_


def _weights_fingerprint(est, X, y):
    """A scorer returning 48 bits of a hash of the fitted weights, exact as a float."""
    digest = hashlib.sha256(b"".join(w.tobytes() for w in _weights(est))).digest()
    return float(int.from_bytes(digest[:6], "big"))


def test_grid_search_gives_bit_identical_models_with_one_or_two_jobs(data):
    X, y = data
    est = SGDMLPClassifier((8,), solver="sgd", batch_size=16, max_iter=8, random_state=0)
    scoring = {"accuracy": "accuracy", "weights": _weights_fingerprint}
    runs = [GridSearchCV(est, {"alpha": [1e-4, 1e-2]}, cv=2, n_jobs=n_jobs,
                         scoring=scoring, refit="accuracy").fit(X, y)
            for n_jobs in (1, 2)]
    serial = [runs[0].cv_results_[f"split{k}_test_weights"] for k in (0, 1)]
    parallel = [runs[1].cv_results_[f"split{k}_test_weights"] for k in (0, 1)]
    np.testing.assert_array_equal(serial, parallel)
    assert len(np.unique(serial)) == 4  # one distinct model per (alpha, fold)
