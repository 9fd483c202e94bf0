"""One fitted model serves many threads; estimators fitted side by side do not interfere."""

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

from skmlp import SGDMLPClassifier, SGDMLPRegressor

N_THREADS = 8


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=400, n_features=10, n_informative=6, n_classes=3,
                               random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return SGDMLPClassifier((32, 16), max_iter=30, random_state=0).fit(X, y)


def _outputs(model, X, y, start):
    """predict, predict_proba and score on a slice that differs per worker."""
    Xs, ys = X[start:start + 150], y[start:start + 150]
    return model.predict(Xs), model.predict_proba(Xs), model.score(Xs, ys)


def _run_in_threads(model, X, y, rounds=5):
    starts = [(i * 37) % 250 for i in range(N_THREADS * rounds)]
    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        results = list(pool.map(lambda s: _outputs(model, X, y, s), starts))
    return starts, results


def _assert_match_serial(model, X, y, starts, results):
    for start, (pred, proba, score) in zip(starts, results):
        s_pred, s_proba, s_score = _outputs(model, X, y, start)
        np.testing.assert_array_equal(pred, s_pred)
        np.testing.assert_array_equal(proba, s_proba)
        assert score == s_score


def test_eight_threads_predict_exactly_what_serial_calls_predict(fitted, data):
    X, y = data
    starts, results = _run_in_threads(fitted, X, y)
    _assert_match_serial(fitted, X, y, starts, results)


def test_threaded_prediction_writes_no_state_of_the_model(fitted, data):
    X, y = data
    before = pickle.dumps(fitted)
    _run_in_threads(fitted, X, y)
    assert pickle.dumps(fitted) == before


def test_threads_agree_right_after_the_user_replaces_coefs(data):
    # The first predictions after ``coefs_ = ...`` copy the new weights into the
    # network; threads racing to do so must all see the complete new weights.
    X, y = data
    model = SGDMLPClassifier((32, 16), max_iter=5, random_state=0).fit(X, y)
    new_coefs = [0.5 * c for c in model.coefs_]
    new_intercepts = [b + 0.1 for b in model.intercepts_]
    reference = SGDMLPClassifier((32, 16), max_iter=5, random_state=0).fit(X, y)
    reference.coefs_, reference.intercepts_ = new_coefs, new_intercepts
    model.coefs_, model.intercepts_ = [c.copy() for c in new_coefs], [b.copy() for b in new_intercepts]
    starts, results = _run_in_threads(model, X, y, rounds=2)
    _assert_match_serial(reference, X, y, starts, results)


def _fit_one(seed):
    X, y = make_regression(n_samples=150, n_features=5, random_state=seed)
    return SGDMLPRegressor((16,), solver="sgd", learning_rate_init=1e-3, max_iter=15,
                           random_state=seed).fit(X, y / y.std())


def test_estimators_fitted_in_parallel_threads_match_serial_fits():
    seeds = list(range(4))
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(_fit_one, seeds))
    for seed, model in zip(seeds, parallel):
        serial = _fit_one(seed)
        for a, b in zip(model.coefs_ + model.intercepts_, serial.coefs_ + serial.intercepts_):
            np.testing.assert_array_equal(a, b)
        assert model.loss_curve_ == serial.loss_curve_
