"""The public surface scikit-learn's tools see: the same methods as scikit-learn's MLP.

scikit-learn's tools choose what to do by ``hasattr`` (``CalibratedClassifierCV``,
``DecisionBoundaryDisplay``, scorers and meta-estimators prefer
``decision_function`` over ``predict_proba`` when it exists). skmlp's estimators
have exactly the public methods of scikit-learn's MLP, plus additions none of
scikit-learn's tools dispatch on.
"""

import inspect

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skmlp import SGDMLPClassifier, SGDMLPRegressor

#: Our public methods that scikit-learn's MLP lacks. None of them is a name a
#: scikit-learn tool looks for (``set_callbacks`` is scikit-learn's own
#: callback API, which does nothing until callbacks are set).
ADDITIONS = {"summary", "to_sklearn", "set_callbacks"}

#: Method names scikit-learn's tools dispatch on with hasattr.
DISPATCHED = {
    "decision_function", "predict_proba", "predict_log_proba", "transform",
    "fit_transform", "inverse_transform", "score_samples", "fit_predict",
    "staged_predict", "staged_predict_proba", "get_feature_names_out", "set_output",
}

PAIRS = [(MLPClassifier, SGDMLPClassifier), (MLPRegressor, SGDMLPRegressor)]


def _public_methods(est):
    return {
        name for name in dir(est)
        if not name.startswith("_") and callable(getattr(est, name, None))
        and not inspect.isclass(getattr(est, name))
    }


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("theirs, ours", PAIRS, ids=["classifier", "regressor"])
def test_public_methods_are_sklearns_plus_undispatched_additions(theirs, ours, solver):
    sk, sg = _public_methods(theirs(solver=solver)), _public_methods(ours(solver=solver))
    if theirs is MLPRegressor and solver == "lbfgs":
        # scikit-learn's MLPRegressor hands available_if the method instead of
        # its result, so it offers partial_fit for lbfgs too (and runs L-BFGS);
        # skmlp's regressor, like both classifiers, offers it to stochastic
        # solvers only: a deliberate difference listed in the README
        assert "partial_fit" in sk
        sk = sk - {"partial_fit"}
    assert sk - sg == set()
    assert sg - sk == ADDITIONS
    assert not ADDITIONS & DISPATCHED
    for name in DISPATCHED | {"partial_fit"}:
        if not (theirs is MLPRegressor and solver == "lbfgs" and name == "partial_fit"):
            assert hasattr(theirs(solver=solver), name) == hasattr(ours(solver=solver), name)


def test_classifier_has_sklearns_loss_attribute():
    assert SGDMLPClassifier().loss == MLPClassifier().loss == "log_loss"


def test_calibrated_classifier_calibrates_probabilities_as_with_sklearns_mlp():
    # with a decision_function, CalibratedClassifierCV would calibrate logits
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    kw = dict(hidden_layer_sizes=(8,), max_iter=300, random_state=0)
    theirs = CalibratedClassifierCV(MLPClassifier(**kw), cv=3).fit(X, y)
    ours = CalibratedClassifierCV(SGDMLPClassifier(**kw), cv=3).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X),
                               rtol=1e-8, atol=1e-10)
