"""Bad input is refused up front, with an error that names the problem.

Every refused call lives in one of three tables: ``CASES`` (bad data and bad
calls: what a data pipeline can produce), ``INVALID_PARAMETERS`` (one invalid
value per parameter, for both estimators) and ``PARAMETER_COMBINATIONS``
(parameters refused for one estimator or in combination with others), each row
with the error type and a message regex. scikit-learn's own
``check_param_validation`` runs here too. The tests after the tables pin that a
refused call trains nothing and spoils no fitted model.
"""

import re

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_param_validation

from skmlp import SGDMLPClassifier, SGDMLPRegressor

RNG = np.random.RandomState(0)
X = RNG.randn(20, 3)
Y_CLS = np.arange(20) % 2
Y_REG = RNG.randn(20)
Y_3 = np.arange(20) % 3  # three classes


def _with(a, index, value):
    a = np.array(a, dtype=float)
    a[index] = value
    return a


def _fit(Estimator, X_, y_, **fit_params):
    return lambda: Estimator((3,), max_iter=2).fit(X_, y_, **fit_params)


def _partial_fit(X_, y_, **kw):
    return lambda: SGDMLPClassifier((3,)).partial_fit(X_, y_, **kw)


def _fitted_then(method, X_):
    def call():
        clf = SGDMLPClassifier((3,), max_iter=2).fit(X, Y_CLS)
        getattr(clf, method)(X_)
    return call


def _dataframe_fit_then_predict(columns):
    def call():
        import pandas as pd
        clf = SGDMLPClassifier((3,), max_iter=2).fit(pd.DataFrame(X, columns=["a", "b", "c"]), Y_CLS)
        clf.predict(pd.DataFrame(X, columns=columns))
    return call


def _later_partial_fit_with_new_label():
    clf = SGDMLPClassifier((3,)).partial_fit(X, Y_CLS, classes=[0, 1])
    clf.partial_fit(X, np.full(20, 7))


def _fit_tiny_with_early_stopping():
    # 12 samples and validation_fraction=0.05: a validation set of one sample
    X_, y_ = make_classification(n_samples=12, random_state=0)
    SGDMLPRegressor(early_stopping=True, validation_fraction=0.05).fit(X_, y_)


def _warm_start_with_fewer_classes():
    clf = SGDMLPClassifier((8,), max_iter=2, warm_start=True).fit(X, Y_3)
    clf.fit(X[Y_3 < 2], Y_3[Y_3 < 2])


def _partial_fit_with_changed_classes():
    clf = SGDMLPClassifier().partial_fit(X, Y_CLS, classes=[0, 1])
    clf.partial_fit(X, Y_CLS, classes=[0, 1])
    clf.partial_fit(X, Y_CLS, classes=[0, 1, 2])


def _warm_start_after(change, method="fit", **params):
    """Fit under warm_start with ``params``, ``set_params(**change)``, call ``method`` again."""
    def call():
        clf = SGDMLPClassifier(**{"max_iter": 2, "warm_start": True, **params}).fit(X, Y_CLS)
        clf.set_params(**change)
        getattr(clf, method)(X, Y_CLS)
    return call


CASES = {
    "nan in X": (_fit(SGDMLPClassifier, _with(X, (3, 1), np.nan), Y_CLS), ValueError, "Input X contains NaN"),
    "inf in X": (_fit(SGDMLPRegressor, _with(X, (3, 1), np.inf), Y_REG), ValueError, "Input X contains infinity"),
    "nan in y": (_fit(SGDMLPRegressor, X, _with(Y_REG, 4, np.nan)), ValueError, "Input y contains NaN"),
    "inf in y": (_fit(SGDMLPRegressor, X, _with(Y_REG, 4, -np.inf)), ValueError, "Input y contains infinity"),
    "nan label": (_fit(SGDMLPClassifier, X, _with(Y_CLS, 4, np.nan)), ValueError, "Input y contains NaN"),
    "complex X": (_fit(SGDMLPClassifier, X + 1j, Y_CLS), ValueError, "Complex data not supported"),
    "non-numeric X": (_fit(SGDMLPClassifier, np.full((20, 3), "a"), Y_CLS), ValueError, "could not convert string to float"),
    "empty X": (_fit(SGDMLPRegressor, np.empty((0, 3)), np.empty(0)), ValueError, r"Found array with 0 sample\(s\)"),
    "zero features": (_fit(SGDMLPClassifier, np.empty((20, 0)), Y_CLS), ValueError, r"Found array with 0 feature\(s\)"),
    "3-D X": (_fit(SGDMLPClassifier, X.reshape(20, 3, 1), Y_CLS), ValueError, "Found array with dim 3"),
    "1-D X": (_fit(SGDMLPClassifier, X[:, 0], Y_CLS), ValueError, "Expected 2D array, got 1D array"),
    "X and y lengths differ": (_fit(SGDMLPClassifier, X, Y_CLS[:-1]), ValueError, "inconsistent numbers of samples: \\[20, 19\\]"),
    "sample_weight length differs": (_fit(SGDMLPClassifier, X, Y_CLS, sample_weight=np.ones(19)), ValueError, re.escape("sample_weight.shape == (19,), expected (20,)")),
    "negative sample_weight": (_fit(SGDMLPClassifier, X, Y_CLS, sample_weight=_with(np.ones(20), 2, -1)), ValueError, "Negative values in data passed to `sample_weight`"),
    "nan sample_weight": (_fit(SGDMLPRegressor, X, Y_REG, sample_weight=_with(np.ones(20), 2, np.nan)), ValueError, "Input sample_weight contains NaN"),
    "inf sample_weight": (_fit(SGDMLPRegressor, X, Y_REG, sample_weight=_with(np.ones(20), 2, np.inf)), ValueError, "Input sample_weight contains infinity"),
    "all-zero sample_weight": (_fit(SGDMLPClassifier, X, Y_CLS, sample_weight=np.zeros(20)), ValueError, "Sample weights must contain at least one non-zero number"),
    "single class in y": (_fit(SGDMLPClassifier, X, np.zeros(20)), ValueError, "needs samples of at least 2 classes, but the data contains only one class: 0"),
    "single class in partial_fit classes": (_partial_fit(X, np.ones(20), classes=[1]), ValueError, "needs samples of at least 2 classes"),
    "negative y with poisson": (lambda: SGDMLPRegressor(loss="poisson").fit(X, Y_REG), ValueError, "negative which is not allowed for Poisson"),
    "partial_fit without classes": (_partial_fit(X, Y_CLS), ValueError, "classes must be passed on the first call"),
    "partial_fit label outside classes": (_partial_fit(X, np.where(Y_CLS, 2, 0), classes=[0, 1]), ValueError, "`y` has classes not in `self.classes_`"),
    "later partial_fit with a new label": (_later_partial_fit_with_new_label, ValueError, "`y` has classes not in `self.classes_`"),
    "predict before fit": (lambda: SGDMLPRegressor().predict(X), NotFittedError, "is not fitted yet"),
    "predict with too few features": (_fitted_then("predict", X[:, :2]), ValueError, "X has 2 features, but SGDMLPClassifier is expecting 3"),
    "predict_proba with nan": (_fitted_then("predict_proba", _with(X, (0, 0), np.nan)), ValueError, "Input X contains NaN"),
    "predict with renamed features": (_dataframe_fit_then_predict(["a", "b", "z"]), ValueError, "feature names should match those that were passed during fit"),
    "predict with reordered features": (_dataframe_fit_then_predict(["c", "b", "a"]), ValueError, "must be in the same order as they were in fit"),
    "nan in X, regressor": (_fit(SGDMLPRegressor, _with(X, (3, 2), np.nan), Y_REG), ValueError, "Input X contains NaN"),
    "inf in X, classifier": (_fit(SGDMLPClassifier, _with(X, (3, 2), np.inf), Y_CLS), ValueError, "Input X contains infinity"),
    "classifier predict before fit": (lambda: SGDMLPClassifier().predict(X), NotFittedError, "is not fitted yet"),
    "validation set below two samples": (_fit_tiny_with_early_stopping, ValueError, "validation set is too small"),
    "X_val without y_val": (_fit(SGDMLPClassifier, X, Y_CLS, X_val=np.zeros((3, 3))), ValueError, "X_val and y_val"),
    "y_val label outside classes": (_fit(SGDMLPClassifier, X, Y_CLS, X_val=np.zeros((3, 3)), y_val=[0, 1, 9]), ValueError, "y_val has labels"),
    "X_val with too many features": (_fit(SGDMLPClassifier, X, Y_CLS, X_val=np.zeros((3, 5)), y_val=[0, 1, 1]), ValueError, "features"),
    "X_val and y_val lengths differ": (_fit(SGDMLPClassifier, X, Y_CLS, X_val=np.zeros((3, 3)), y_val=[0, 1]), ValueError, "numbers of samples"),
    "partial_fit with changed classes": (_partial_fit_with_changed_classes, ValueError, "is not the same as on last call"),
    "partial_fit with early_stopping": (lambda: SGDMLPRegressor(early_stopping=True).partial_fit(X, Y_REG), ValueError, "partial_fit does not support early_stopping"),
    "warm_start fit with fewer classes": (_warm_start_with_fewer_classes, ValueError, "warm_start can only be used"),
    "warm_start with new hidden_layer_sizes": (_warm_start_after({"hidden_layer_sizes": (5,)}, hidden_layer_sizes=(4,)), ValueError, "cannot change under warm_start"),
    "warm_start with batch_norm turned on": (_warm_start_after({"batch_norm": True}, hidden_layer_sizes=(12,), random_state=0), ValueError, "batch_norm"),
    "warm_start with new activations": (_warm_start_after({"activation": ["relu", "tanh"]}, hidden_layer_sizes=(5, 4), activation=["tanh", "relu"], random_state=0), ValueError, "activation=\\['tanh', 'relu'\\].*cannot change"),
    "partial_fit with new activations": (_warm_start_after({"activation": ["relu", "tanh"]}, "partial_fit", hidden_layer_sizes=(5, 4), activation=["tanh", "relu"], random_state=0), ValueError, "activation=\\['tanh', 'relu'\\].*cannot change"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_raises_an_error_naming_the_problem(case):
    call, error, match = CASES[case]
    with pytest.raises(error, match=match):
        call()


# One invalid value per parameter; the message must name the parameter.
INVALID_PARAMETERS = [
    ("hidden_layer_sizes", (10, 0), "hidden_layer_sizes must be > 0"),
    ("hidden_layer_sizes", -3, "'hidden_layer_sizes' parameter"),
    ("activation", "swish", "'activation' parameter"),
    ("activation", ["relu", "tanh"], "'activation' parameter"),  # two for one layer
    ("activation", ["swish"], "'activation' parameter"),
    ("solver", "rprop", "'solver' parameter"),
    ("alpha", -1.0, "'alpha' parameter"),
    ("batch_size", 0, "'batch_size' parameter"),
    ("learning_rate", "cyclic", "'learning_rate' parameter"),
    ("learning_rate_init", 0.0, "'learning_rate_init' parameter"),
    ("power_t", -0.5, "'power_t' parameter"),
    ("max_iter", 0, "'max_iter' parameter"),
    ("shuffle", "yes", "'shuffle' parameter"),
    ("random_state", "seed", "'random_state' parameter"),
    ("tol", -1e-4, "'tol' parameter"),
    ("verbose", "loud", "'verbose' parameter"),
    ("warm_start", 2, "'warm_start' parameter"),
    ("momentum", 1.5, "'momentum' parameter"),
    ("nesterovs_momentum", None, "'nesterovs_momentum' parameter"),
    ("early_stopping", "no", "'early_stopping' parameter"),
    ("validation_fraction", 1.0, "'validation_fraction' parameter"),
    ("beta_1", 1.0, "'beta_1' parameter"),
    ("beta_2", -0.1, "'beta_2' parameter"),
    ("epsilon", 0.0, "'epsilon' parameter"),
    ("n_iter_no_change", 0, "'n_iter_no_change' parameter"),
    ("max_fun", 0, "'max_fun' parameter"),
    ("dropout", 1.0, "dropout"),
    ("dropout", [0.1, 1.2], "dropout"),
    ("batch_norm", "on", "'batch_norm' parameter"),
    ("l1_ratio", 1.5, "'l1_ratio' parameter"),
    ("rho", 1.0, "'rho' parameter"),
    ("weight_decay", -0.1, "'weight_decay' parameter"),
    ("warmup_fraction", 1.0, "'warmup_fraction' parameter"),
    ("max_grad_norm", 0.0, "'max_grad_norm' parameter"),
    ("init", "zeros", "'init' parameter"),
    ("early_stopping_metric", "accuracy", "'early_stopping_metric' parameter"),
    ("restore_best_weights", "yes", "'restore_best_weights' parameter"),
    ("categorical_features", "all", "'categorical_features' parameter"),
    ("categorical_features", [5], r"integer indices must be in \[0, n_features - 1\]"),
    ("categorical_features", [0.5], "must be an array-like of bool, int or str"),
    ("categorical_features", [True, False], r"boolean mask must have shape \(n_features,\)"),
    ("categorical_features", ["a"], "data without feature names"),
    ("embedding_dim", 0, "'embedding_dim' parameter"),
]


@pytest.mark.parametrize("Estimator", [SGDMLPClassifier, SGDMLPRegressor])
@pytest.mark.parametrize("param, value, match", INVALID_PARAMETERS,
                         ids=[p for p, _, _ in INVALID_PARAMETERS])
def test_invalid_parameter_value_is_refused_naming_the_parameter(Estimator, param, value, match):
    y = Y_CLS if Estimator is SGDMLPClassifier else Y_REG
    with pytest.raises(ValueError, match=match):
        Estimator(**{param: value}).fit(X, y)


# Parameters refused for one estimator, or only together with others: one row per
# case, (Estimator, params, error, message regex). Each is refused by a fresh
# estimator and, set on a fitted one, leaves that model unchanged.
_ACTIVATION = "The 'activation' parameter of SGDMLPClassifier must be a str among .*"
PARAMETER_COMBINATIONS = [
    # the regression losses
    (SGDMLPRegressor, {"loss": "hinge"}, ValueError, "'loss' parameter"),
    (SGDMLPRegressor, {"loss": "quantile"}, ValueError, "loss"),
    (SGDMLPRegressor, {"loss": "huber", "huber_delta": 0.0}, ValueError, "'huber_delta' parameter"),
    (SGDMLPRegressor, {"huber_delta": 0.0}, ValueError, "huber_delta"),
    # class_weight
    (SGDMLPClassifier, {"class_weight": "uniform"}, ValueError, "'class_weight' parameter"),
    (SGDMLPClassifier, {"class_weight": "auto"}, ValueError, "class_weight"),
    (SGDMLPClassifier, {"class_weight": {0: 1.0, 7: 2.0}}, ValueError, "class_weight has labels \\[7\\]"),
    # more invalid values of the training toolkit's parameters
    (SGDMLPClassifier, {"dropout": -0.1}, ValueError, "dropout"),
    (SGDMLPClassifier, {"batch_norm": "yes"}, ValueError, "batch_norm"),
    (SGDMLPClassifier, {"weight_decay": -1.0}, ValueError, "weight_decay"),
    (SGDMLPClassifier, {"early_stopping_metric": "auc"}, ValueError, "early_stopping_metric"),
    (SGDMLPClassifier, {"restore_best_weights": 2}, ValueError, "restore_best_weights"),
    (SGDMLPClassifier, {"solver": "lion"}, ValueError, "solver"),
    (SGDMLPClassifier, {"learning_rate": "step"}, ValueError, "learning_rate"),
    # one dropout rate per hidden layer, each in [0, 1)
    (SGDMLPClassifier, {"hidden_layer_sizes": (4, 4), "dropout": [0.1, 0.2, 0.3]}, ValueError, "dropout"),
    (SGDMLPClassifier, {"hidden_layer_sizes": (4, 4), "dropout": [0.5, 1.0]}, ValueError, "dropout"),
    (SGDMLPClassifier, {"hidden_layer_sizes": (4, 4), "dropout": [-0.1, 0.0]}, ValueError, "dropout"),
    # one activation per hidden layer, each a known name
    (SGDMLPClassifier, {"hidden_layer_sizes": (4, 4), "activation": ["relu"]}, ValueError, _ACTIVATION + "1 name\\(s\\) for 2 hidden layer"),
    (SGDMLPClassifier, {"hidden_layer_sizes": (4, 4), "activation": ["relu", "tanh", "relu"]}, ValueError, _ACTIVATION + "3 name\\(s\\) for 2 hidden layer"),
    (SGDMLPClassifier, {"hidden_layer_sizes": (4, 4), "activation": ["relu", "swish"]}, ValueError, _ACTIVATION + "'swish' not among them"),
    (SGDMLPClassifier, {"hidden_layer_sizes": (4, 4), "activation": [["relu", "tanh"]]}, ValueError, _ACTIVATION + "not a flat sequence"),
    # lbfgs needs a smooth objective
    (SGDMLPClassifier, {"solver": "lbfgs", "dropout": 0.2}, ValueError, "dropout"),
    (SGDMLPClassifier, {"solver": "lbfgs", "l1_ratio": 0.5}, ValueError, "l1_ratio"),
]


def _combination_id(row):
    Estimator, params, _, _ = row
    return Estimator.__name__[5:] + "-" + "-".join(f"{k}={v}" for k, v in params.items())


@pytest.mark.parametrize("Estimator, params, error, match", PARAMETER_COMBINATIONS,
                         ids=[_combination_id(row) for row in PARAMETER_COMBINATIONS])
def test_invalid_parameter_combination_is_refused_naming_the_parameter(
    Estimator, params, error, match
):
    y = Y_CLS if Estimator is SGDMLPClassifier else Y_REG
    with pytest.raises(error, match=match):
        Estimator(**{"max_iter": 2, **params}).fit(X, y)
    fitted = Estimator((3,), max_iter=2, random_state=0).fit(X, y)
    before = fitted.predict(X)
    with pytest.raises(error, match=match):
        fitted.set_params(**params).fit(X, y)
    np.testing.assert_array_equal(fitted.predict(X), before)  # the refused call changed nothing


def test_every_parameter_has_a_row_in_the_invalid_value_table():
    tested = {p for p, _, _ in INVALID_PARAMETERS} | {"loss", "huber_delta", "class_weight"}
    assert set(SGDMLPClassifier().get_params()) <= tested
    assert set(SGDMLPRegressor().get_params()) <= tested


@pytest.mark.parametrize("Estimator", [SGDMLPClassifier, SGDMLPRegressor])
def test_invalid_parameters_raise_errors_naming_the_parameter(Estimator):
    # scikit-learn's own check: every constraint refuses a value outside it
    check_param_validation(Estimator.__name__, Estimator())


# --------------------------------------------------- no work, no damage
def test_refused_fit_trains_nothing(monkeypatch):
    from skmlp import _base

    def forbidden(*args, **kwargs):
        raise AssertionError("training started on invalid input")

    monkeypatch.setattr(_base, "fit_stochastic", forbidden)
    monkeypatch.setattr(_base, "build_mlp", forbidden)
    with pytest.raises(ValueError, match="Negative values"):
        SGDMLPClassifier().fit(X, Y_CLS, sample_weight=-np.ones(20))


@pytest.mark.parametrize(
    "bad_call",
    [
        lambda m: m.fit(X[:, :2], np.array(["u", "v"] * 10), sample_weight=-np.ones(20)),
        lambda m: m.fit(np.hstack([X, X]), np.zeros(20)),
        lambda m: m.partial_fit(X[:, :2], Y_CLS),
        lambda m: m.partial_fit(X, np.full(20, 9)),
        lambda m: m.set_params(activation=["relu", "tanh"]).fit(X, Y_CLS),
        lambda m: m.set_params(dropout=[0.1, 0.2]).fit(X, Y_CLS),
    ],
    ids=["fit-negative-weights-new-shape", "fit-single-class-new-shape",
         "partial_fit-wrong-features", "partial_fit-unknown-label",
         "fit-two-activations-for-one-layer", "fit-two-dropout-rates-for-one-layer"],
)
def test_refused_call_leaves_a_fitted_model_unchanged(bad_call):
    clf = SGDMLPClassifier((4,), max_iter=5, random_state=0).fit(X, Y_CLS)
    before = clf.predict_proba(X)
    state = {k: v for k, v in vars(clf).items() if not k.startswith("_")}
    with pytest.raises(ValueError):
        bad_call(clf)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.n_features_in_ == 3
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert {k: v for k, v in vars(clf).items() if not k.startswith("_")}.keys() == state.keys()
    assert (clf.n_iter_, clf.t_) == (state["n_iter_"], state["t_"])
