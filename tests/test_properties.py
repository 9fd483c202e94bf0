"""Property-based: whatever shape, dtype, scale or format X has, fit then predict
either raises a documented error or returns finite outputs of the right shape and
dtype, with probability rows summing to one."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from skmlp import SGDMLPClassifier, SGDMLPRegressor

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays reproducible
    suppress_health_check=[HealthCheck.too_slow],
)

# The errors a valid-looking call may end with, per the README's "Errors and
# guarantees": a divergence (non-finite loss or weights), or a single class.
DOCUMENTED_ERRORS = ("Training diverged", "Solver produced non-finite", "at least 2 classes")


@st.composite
def problems(draw):
    n_samples = draw(st.integers(1, 300))
    n_features = draw(st.integers(1, 30))
    dtype = draw(st.sampled_from([np.float32, np.float64, np.int64]))
    scale = draw(st.sampled_from([1e-6, 1e-3, 1.0, 1e3, 1e6]))
    sparse = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    X = rng.randn(n_samples, n_features) * scale
    if dtype is np.int64:
        X = np.rint(X)
    X = X.astype(dtype)
    if sparse:
        X[rng.rand(n_samples, n_features) < 0.7] = 0
        X = sp.csr_matrix(X)
    params = dict(
        solver=draw(st.sampled_from(["adam", "sgd", "lbfgs"])),
        activation=draw(st.sampled_from(["identity", "logistic", "tanh", "relu"])),
        hidden_layer_sizes=(draw(st.integers(1, 6)),),
        max_iter=3,
        random_state=seed,
    )
    return X, rng, params


def _expected_dtype(X):
    return np.float32 if X.dtype == np.float32 else np.float64


def _fit_or_documented_error(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            return est.fit(X, y)
        except ValueError as exc:
            assert any(msg in str(exc) for msg in DOCUMENTED_ERRORS), str(exc)
            weights = getattr(est, "coefs_", []) + getattr(est, "intercepts_", [])
            assert all(np.isfinite(w).all() for w in weights)
            return None


@SETTINGS
@given(problem=problems(), n_classes=st.integers(1, 4))
def test_classifier_fits_or_raises_a_documented_error_and_predicts_valid_output(problem, n_classes):
    X, rng, params = problem
    y = rng.randint(0, n_classes, X.shape[0])
    clf = _fit_or_documented_error(SGDMLPClassifier(**params), X, y)
    if clf is None:
        return
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], len(clf.classes_))
    assert proba.dtype == _expected_dtype(X)
    assert np.isfinite(proba).all()
    tol = 1e-5 if proba.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=tol)
    pred = clf.predict(X)
    assert pred.shape == (X.shape[0],)
    assert set(np.unique(pred)) <= set(clf.classes_)


@SETTINGS
@given(problem=problems(), n_outputs=st.integers(1, 3))
def test_regressor_fits_or_raises_a_documented_error_and_predicts_valid_output(problem, n_outputs):
    X, rng, params = problem
    y = rng.randn(X.shape[0], n_outputs) if n_outputs > 1 else rng.randn(X.shape[0])
    reg = _fit_or_documented_error(SGDMLPRegressor(**params), X, y)
    if reg is None:
        return
    pred = reg.predict(X)
    assert pred.shape == y.shape
    assert pred.dtype == _expected_dtype(X)
    assert np.isfinite(pred).all()


@pytest.mark.parametrize("Estimator", [SGDMLPClassifier, SGDMLPRegressor])
def test_property_tests_see_no_error_on_a_plain_problem(Estimator):
    # the documented-error escape hatch above must not swallow ordinary fits
    rng = np.random.RandomState(0)
    X, y = rng.randn(50, 4), np.arange(50) % 2
    assert _fit_or_documented_error(Estimator((4,), max_iter=3), X, y) is not None
