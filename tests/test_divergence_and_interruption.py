"""Divergence and Ctrl-C never leave a model with broken or half-updated weights.

A divergence (non-finite loss or weights) rolls the weights back to the last
finite epoch and raises a ValueError that begins with scikit-learn's own message
and says what skmlp did and what to try; under early stopping it stops, keeps the
best validated weights, records the diverged epoch as scikit-learn does (a NaN
validation score) and warns, so that a diverging candidate does not abort a
search. A KeyboardInterrupt rolls back to the last completed epoch (the best one
under early stopping) and warns. Both are simulated by wrapping the optimizer's
step.
"""

import re
import warnings

import numpy as np
import pytest
import scipy.optimize
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression

from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPRegressor

from conftest import wrap_lbfgs_objective
from skmlp import SGDMLPClassifier, SGDMLPRegressor
from skmlp._core.optimizers import SGD, Adam

N_SAMPLES, BATCH = 100, 20  # five steps per epoch
SKLEARN_MESSAGE = (
    "Solver produced non-finite parameter weights. The input data may contain large"
    " values and need to be preprocessed."
)


pytestmark = pytest.mark.usefixtures("quiet_convergence")


@pytest.fixture(scope="module")
def data():
    X, y = make_regression(n_samples=N_SAMPLES, n_features=4, noise=0.1, random_state=0)
    return X, y / y.std()


def _weights(est):
    return [a.copy() for a in est.coefs_ + est.intercepts_]


def _assert_same_weights(a, b):
    for wa, wb in zip(a, b):
        np.testing.assert_array_equal(wa, wb)


def _all_finite(est):
    return all(np.isfinite(w).all() for w in est.coefs_ + est.intercepts_)


def _sabotage_step(monkeypatch, optimizer_class, on_call, action):
    """Make the optimizer's ``on_call``-th step (1-based) half-apply, then ``action``."""
    original = optimizer_class.step
    calls = [0]

    def step(self, params, grads, learning_rate):
        calls[0] += 1
        if calls[0] == on_call:
            params[: params.size // 2] += 1.0  # a half-applied update
            action(params)
        original(self, params, grads, learning_rate)

    monkeypatch.setattr(optimizer_class, "step", step)


def _interrupt(params):
    raise KeyboardInterrupt


def _poison(params):
    params[0] = np.nan


def _regressor(**kw):
    return SGDMLPRegressor((8,), batch_size=BATCH, learning_rate_init=0.01, random_state=0, **kw)


# -------------------------------------------------------------- divergence
@pytest.mark.parametrize("solver, optimizer_class", [("adam", Adam), ("sgd", SGD)])
@pytest.mark.parametrize("on_call, completed", [(13, 2), (10, 1), (3, 0)],
                         ids=["mid-epoch-3", "last-step-of-epoch-2", "epoch-1"])
def test_divergence_rolls_back_to_the_last_finite_epoch_and_raises(
        monkeypatch, data, solver, optimizer_class, on_call, completed):
    X, y = data
    reference = _regressor(solver=solver, max_iter=max(completed, 1)).fit(X, y)
    _sabotage_step(monkeypatch, optimizer_class, on_call, _poison)
    reg = _regressor(solver=solver, max_iter=20)
    with pytest.raises(ValueError, match="^" + re.escape(SKLEARN_MESSAGE) + (
            f" Training diverged in epoch {completed + 1}.*smaller learning_rate_init")):
        reg.fit(X, y)
    assert _all_finite(reg)
    assert reg.n_iter_ == completed == len(reg.loss_curve_)
    if completed:
        _assert_same_weights(_weights(reg), _weights(reference))
    assert np.isfinite(reg.predict(X)).all()


def test_absurd_learning_rate_raises_divergence_and_keeps_finite_weights(data):
    X, y = data
    reg = SGDMLPRegressor((16,), solver="sgd", learning_rate_init=1e6, max_iter=50, random_state=0)
    with pytest.raises(ValueError, match="Training diverged"):
        reg.fit(X, y)
    assert _all_finite(reg)
    assert np.isfinite(reg.loss_curve_).all()


@pytest.mark.parametrize(
    "Estimator, solver, epoch",
    [(SGDMLPRegressor, "adam", 1), (SGDMLPRegressor, "sgd", 1), (SGDMLPClassifier, "sgd", 2)],
)
def test_huge_inputs_raise_divergence_instead_of_returning_a_broken_model(Estimator, solver, epoch):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    est = Estimator((4,), solver=solver, max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=f"Training diverged in epoch {epoch}.*standardising X"):
        est.fit(X * 1e300, y)
    assert _all_finite(est)


def test_lbfgs_on_huge_inputs_keeps_finite_weights_and_warns_like_sklearn_does_not_raise():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    kw = dict(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = MLPRegressor(**kw).fit(X * 1e300, y)  # no error: its weights are finite
    est = SGDMLPRegressor(**kw)
    with pytest.warns(UserWarning, match="non-finite loss"):
        est.fit(X * 1e300, y)
    assert _all_finite(est) and est.n_iter_ == theirs.n_iter_


def test_lbfgs_ending_on_non_finite_weights_raises_sklearns_error_and_rolls_back(
        monkeypatch, data):
    X, y = data
    original = scipy.optimize.minimize  # as skmlp's L-BFGS calls it

    def minimize(fun, x0, **kwargs):
        result = original(fun, x0, **kwargs)
        kwargs["callback"](result)  # the last finite iterate, as scipy reports each
        result.x = np.full_like(result.x, np.nan)  # then a step into NaN weights
        return result

    monkeypatch.setattr(scipy.optimize, "minimize", minimize)
    reg = SGDMLPRegressor((8,), solver="lbfgs", max_iter=50, random_state=0)
    with pytest.raises(ValueError, match="^" + re.escape(SKLEARN_MESSAGE) + " The weights were rolled back"):
        reg.fit(X, y)
    assert _all_finite(reg)
    assert np.isfinite(reg.predict(X)).all()


def test_partial_fit_after_a_divergence_resumes_from_the_restored_weights(data):
    X, y = data
    reg = _regressor()
    reg.partial_fit(X, y)
    good = _weights(reg)
    with pytest.raises(ValueError, match="Training diverged in epoch 2.*epoch 1, the last completed"):
        reg.partial_fit(X * 1e300, y)
    _assert_same_weights(_weights(reg), good)
    assert len(reg.loss_curve_) == 1
    for _ in range(5):
        reg.partial_fit(X, y)
    assert _all_finite(reg) and len(reg.loss_curve_) == 6
    assert reg.loss_curve_[-1] < reg.loss_curve_[0]


def test_divergence_under_early_stopping_warns_and_keeps_the_best_validated_weights(
        monkeypatch, data):
    X, y = data
    _sabotage_step(monkeypatch, Adam, 9, _poison)  # in epoch 2 (5 steps of 90 rows)
    reg = _regressor(early_stopping=True, max_iter=20)
    with pytest.warns(UserWarning, match="Training diverged in epoch 2.*Early stopping kept "
                      "the weights of the epoch with the best validation score"):
        reg.fit(X, y)
    monkeypatch.undo()
    assert _all_finite(reg)
    assert reg.n_iter_ == 2 == len(reg.loss_curve_) == len(reg.validation_scores_)
    assert isinstance(reg.validation_scores_[-1], float) and np.isnan(reg.validation_scores_[-1])
    assert reg.best_validation_score_ == np.nanmax(reg.validation_scores_)
    best_epoch = int(np.nanargmax(reg.validation_scores_)) + 1
    at_best = _regressor(early_stopping=True, max_iter=best_epoch).fit(X, y)
    _assert_same_weights(_weights(reg), _weights(at_best))


def test_sklearn_issue_29504_diverging_early_stopping_fit_records_nan_and_does_not_raise():
    # scikit-learn's regression test, on our class
    X, y = load_iris(return_X_y=True)
    mlp = SGDMLPRegressor(hidden_layer_sizes=100, activation="identity", solver="sgd",
                          learning_rate_init=1, max_iter=20, early_stopping=True,
                          n_iter_no_change=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(UserWarning, match="Training diverged"):
            mlp.fit(X, y)
    assert str(mlp.validation_scores_[-1]) == str(np.nan)
    assert isinstance(mlp.validation_scores_[-1], float)
    assert _all_finite(mlp) and np.isfinite(mlp.predict(X)).all()


def test_grid_search_survives_a_diverging_candidate():
    X, y = load_iris(return_X_y=True)
    est = SGDMLPRegressor(100, activation="identity", solver="sgd", early_stopping=True,
                          max_iter=20, random_state=0)
    search = GridSearchCV(est, {"learning_rate_init": [1.0, 0.001]}, cv=3,
                          error_score="raise")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    assert any("Training diverged" in str(w.message) for w in caught)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


# ------------------------------------------------------------ interruption
@pytest.mark.parametrize("on_call, completed", [(13, 2), (1, 0)], ids=["epoch-3", "first-step"])
def test_interrupted_fit_keeps_the_last_completed_epoch_and_warns(monkeypatch, data, on_call, completed):
    X, y = data
    if completed:
        reference = _regressor(max_iter=completed).fit(X, y)
    else:  # the initial weights: a fit whose steps do nothing
        with monkeypatch.context() as m:
            m.setattr(Adam, "step", lambda self, params, grads, learning_rate: None)
            reference = _regressor(max_iter=1).fit(X, y)
    _sabotage_step(monkeypatch, Adam, on_call, _interrupt)
    reg = _regressor(max_iter=20)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        reg.fit(X, y)
    assert reg.n_iter_ == completed == len(reg.loss_curve_)
    _assert_same_weights(_weights(reg), _weights(reference))
    assert np.isfinite(reg.predict(X)).all()


def test_interrupted_partial_fit_keeps_the_weights_from_before_the_call(monkeypatch, data):
    X, y = data
    reg = _regressor()
    reg.partial_fit(X, y)
    good = _weights(reg)
    _sabotage_step(monkeypatch, Adam, 3, _interrupt)  # the third step of this call
    with pytest.warns(UserWarning, match="weights of epoch 1, the last completed"):
        reg.partial_fit(X, y)
    _assert_same_weights(_weights(reg), good)
    assert len(reg.loss_curve_) == 1 and reg.t_ == N_SAMPLES
    reg.partial_fit(X, y)  # and it keeps learning
    assert len(reg.loss_curve_) == 2 and _all_finite(reg)


def test_interrupted_fit_under_early_stopping_keeps_the_best_weights(monkeypatch):
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    kw = dict(hidden_layer_sizes=(8,), early_stopping=True, learning_rate_init=0.01,
              batch_size=20, random_state=0)
    _sabotage_step(monkeypatch, Adam, 9 * 7 + 3, _interrupt)  # 9 steps per epoch, in epoch 8
    with pytest.warns(UserWarning, match="best validation score so far"):
        clf = SGDMLPClassifier(max_iter=50, **kw).fit(X, y)
    monkeypatch.undo()
    assert len(clf.validation_scores_) == 7
    best_epoch = int(np.argmax(clf.validation_scores_)) + 1
    at_best = SGDMLPClassifier(max_iter=best_epoch, **kw).fit(X, y)
    _assert_same_weights(_weights(clf), _weights(at_best))


def test_interrupted_lbfgs_keeps_the_last_completed_iteration(monkeypatch, data):
    X, y = data
    calls = [0]

    def interrupt_on_the_twelfth_call(original):
        def objective(network, *args):
            calls[0] += 1
            if calls[0] == 12:
                network.params[:] = np.nan  # what the search was trying
                raise KeyboardInterrupt
            return original(network, *args)
        return objective

    wrap_lbfgs_objective(monkeypatch, interrupt_on_the_twelfth_call)
    reg = SGDMLPRegressor((8,), solver="lbfgs", max_iter=200, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        reg.fit(X, y)
    monkeypatch.undo()
    assert 1 <= reg.n_iter_ < 12
    reference = clone(reg).set_params(max_iter=reg.n_iter_).fit(X, y)
    for a, b in zip(_weights(reg), _weights(reference)):
        np.testing.assert_allclose(a, b, rtol=1e-12)
