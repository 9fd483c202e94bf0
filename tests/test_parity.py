"""Parity with scikit-learn's MLP: same weights, same losses, to rounding."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skmlp import SGDMLPClassifier, SGDMLPRegressor


def _fit_quiet(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


def _one_epoch_from(est, coefs, intercepts, X, y, sample_weight=None):
    """Initialise est, overwrite its weights, then run one epoch with warm_start."""
    _fit_quiet(est, X, y)
    est.coefs_ = [c.copy() for c in coefs]
    est.intercepts_ = [b.copy() for b in intercepts]
    est.set_params(warm_start=True)
    return _fit_quiet(est, X, y, sample_weight=sample_weight)


def _random_weights(layer_units, seed):
    rng = np.random.RandomState(seed)
    coefs = [rng.normal(scale=0.3, size=(a, b)) for a, b in zip(layer_units, layer_units[1:])]
    intercepts = [rng.normal(scale=0.3, size=b) for b in layer_units[1:]]
    return coefs, intercepts


PLAIN_SGD = dict(
    solver="sgd", shuffle=False, momentum=0.0, max_iter=1, batch_size=16,
    learning_rate_init=0.05, alpha=1e-3,
)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_one_sgd_epoch_from_same_weights_matches_sklearn_regressor(activation, n_outputs):
    X, y = make_regression(n_samples=100, n_features=6, n_targets=n_outputs, random_state=0)
    y = y / y.std()
    coefs, intercepts = _random_weights([6, 8, 5, n_outputs], seed=1)
    params = dict(PLAIN_SGD, hidden_layer_sizes=(8, 5), activation=activation)
    ours = _one_epoch_from(SGDMLPRegressor(**params), coefs, intercepts, X, y)
    ref = _one_epoch_from(MLPRegressor(**params), coefs, intercepts, X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, ref.coefs_ + ref.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.loss_curve_[-1], ref.loss_curve_[-1], rtol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("weighted", [False, True])
def test_one_sgd_epoch_from_same_weights_matches_sklearn_classifier(n_classes, weighted):
    X, y = make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=n_classes, random_state=0
    )
    sw = np.random.RandomState(3).uniform(0.2, 2.0, size=len(y)) if weighted else None
    n_out = 1 if n_classes == 2 else n_classes
    coefs, intercepts = _random_weights([6, 7, n_out], seed=2)
    params = dict(PLAIN_SGD, hidden_layer_sizes=(7,), activation="tanh")
    ours = _one_epoch_from(SGDMLPClassifier(**params), coefs, intercepts, X, y, sw)
    ref = _one_epoch_from(MLPClassifier(**params), coefs, intercepts, X, y, sw)
    for a, b in zip(ours.coefs_ + ours.intercepts_, ref.coefs_ + ref.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.loss_curve_[-1], ref.loss_curve_[-1], rtol=1e-12)


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam"),
        dict(solver="sgd", learning_rate_init=0.05),
        dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.2, nesterovs_momentum=False),
        dict(solver="sgd", learning_rate="adaptive", learning_rate_init=0.05, n_iter_no_change=2, tol=0.05),
        dict(solver="adam", early_stopping=True, validation_fraction=0.2, n_iter_no_change=3),
        dict(solver="adam", activation="logistic", batch_size=7, alpha=0.01),
    ],
    ids=["adam", "sgd-nesterov", "sgd-invscaling", "sgd-adaptive", "early-stopping", "logistic"],
)
def test_whole_fit_with_same_random_state_reproduces_sklearn_classifier(params):
    X, y = make_classification(n_samples=150, n_features=8, n_classes=3,
                               n_informative=5, random_state=0)
    kw = dict(hidden_layer_sizes=(10,), max_iter=15, random_state=0, **params)
    ours = _fit_quiet(SGDMLPClassifier(**kw), X, y)
    ref = _fit_quiet(MLPClassifier(**kw), X, y)
    assert ours.n_iter_ == ref.n_iter_
    assert ours.t_ == ref.t_
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-10)
    for a, b in zip(ours.coefs_ + ours.intercepts_, ref.coefs_ + ref.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
    if params.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, ref.validation_scores_)
        assert ours.best_validation_score_ == ref.best_validation_score_
    else:
        np.testing.assert_allclose(ours.best_loss_, ref.best_loss_, rtol=1e-10)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_whole_fit_with_same_random_state_reproduces_sklearn_regressor(loss):
    X, y = make_regression(n_samples=150, n_features=5, random_state=0)
    y = np.abs(y) / y.std() if loss == "poisson" else y / y.std()
    kw = dict(hidden_layer_sizes=(12, 6), max_iter=12, random_state=0)
    ours = _fit_quiet(SGDMLPRegressor(loss=loss, **kw), X, y)
    ref = _fit_quiet(MLPRegressor(loss=loss, **kw), X, y)
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9, atol=1e-10)


def test_partial_fit_first_epoch_reproduces_sklearn():
    X, y = make_classification(n_samples=80, n_features=5, random_state=1)
    ours = SGDMLPClassifier((6,), random_state=0).partial_fit(X, y, classes=[0, 1])
    ref = MLPClassifier((6,), random_state=0).partial_fit(X, y, classes=[0, 1])
    for a, b in zip(ours.coefs_, ref.coefs_):
        np.testing.assert_allclose(a, b, atol=1e-12)
    assert ours.n_iter_ == ref.n_iter_ == 1


def test_lbfgs_reaches_sklearn_quality():
    X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    kw = dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=300, random_state=0)
    ours = _fit_quiet(SGDMLPRegressor(**kw), X, y)
    ref = _fit_quiet(MLPRegressor(**kw), X, y)
    assert ours.score(X, y) >= ref.score(X, y) - 0.005
    # starting point is sklearn's: identical initial weights means the same first loss
    assert abs(ours.loss_ - ref.loss_) / ref.loss_ < 0.5
