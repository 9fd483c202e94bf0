"""solver='lbfgs' evaluates what it minimises once per point, in the input's dtype.

scipy's L-BFGS-B works in float64; a float32 fit is still evaluated in float32
(the iterate is cast into the network, the gradient cast back), and a fit that
ends where L-BFGS-B last evaluated reports that evaluation's loss rather than
evaluating the same weights again.
"""

import numpy as np
import pytest
import scipy.optimize
from sklearn.datasets import load_iris

from conftest import network_of, training_state, wrap_lbfgs_objective
from skmlp import SGDMLPClassifier, SGDMLPRegressor
from skmlp._base import penalty_for
from skmlp._core import training


@pytest.fixture
def iris():
    X, y = load_iris(return_X_y=True)
    return X / X.max(axis=0), y


def _record_calls(monkeypatch, calls):
    def make_wrapper(original):
        def objective(network, loss, penalty, Xb, Yb, wb, dZ_out):
            calls.append((network.params.dtype, network.grads.dtype, Xb.dtype, dZ_out.dtype))
            return original(network, loss, penalty, Xb, Yb, wb, dZ_out)
        return objective
    wrap_lbfgs_objective(monkeypatch, make_wrapper)


def _record_results(monkeypatch, results):
    minimize = scipy.optimize.minimize

    def recording_minimize(*args, **kwargs):
        result = minimize(*args, **kwargs)
        results.append(result)
        return result
    monkeypatch.setattr(training.scipy.optimize, "minimize", recording_minimize)


@pytest.mark.parametrize("Estimator", [SGDMLPClassifier, SGDMLPRegressor])
def test_float32_lbfgs_fit_is_evaluated_in_float32(monkeypatch, iris, Estimator):
    X, y = iris
    calls = []
    _record_calls(monkeypatch, calls)
    est = Estimator((8,), solver="lbfgs", max_iter=15, random_state=0)
    est.fit(X.astype(np.float32), y.astype(np.float32) if Estimator is SGDMLPRegressor else y)
    assert calls
    assert set(calls) == {(np.dtype(np.float32),) * 4}
    assert all(a.dtype == np.float32 for a in est.coefs_ + est.intercepts_)
    assert np.isfinite(est.loss_)


def test_lbfgs_evaluates_no_point_twice_and_reports_the_last_evaluation(monkeypatch, iris):
    X, y = iris
    calls, results = [], []
    _record_calls(monkeypatch, calls)
    _record_results(monkeypatch, results)
    clf = SGDMLPClassifier((8,), solver="lbfgs", max_iter=25, random_state=0)
    with pytest.warns(Warning):  # max_iter reached
        clf.fit(X, y)
    (result,) = results
    assert len(calls) == result.nfev  # no evaluation beyond L-BFGS-B's own
    assert clf.loss_ == result.fun
    # ... which is the objective at the returned weights, evaluated afresh
    network = network_of(clf)
    Y = np.eye(3)[y]  # (n_samples, n_classes)
    penalty = penalty_for(clf, [W.size for W in network.coefs])
    again = training._objective(network, training_state(clf).loss, penalty, X, Y, None,
                                np.empty_like(Y))
    assert again == clf.loss_
