"""Bad input is refused up front, with an error that names the problem.

One table lists every case a data pipeline can produce and the error the user
gets; the tests after it pin that a refused call trains nothing and spoils no
fitted model.
"""

import re

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skmlp import SGDMLPClassifier, SGDMLPRegressor

RNG = np.random.RandomState(0)
X = RNG.randn(20, 3)
Y_CLS = np.arange(20) % 2
Y_REG = RNG.randn(20)


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
]


@pytest.mark.parametrize("Estimator", [SGDMLPClassifier, SGDMLPRegressor])
@pytest.mark.parametrize("param, value, match", INVALID_PARAMETERS,
                         ids=[p for p, _, _ in INVALID_PARAMETERS])
def test_invalid_parameter_value_is_refused_naming_the_parameter(Estimator, param, value, match):
    y = Y_CLS if Estimator is SGDMLPClassifier else Y_REG
    with pytest.raises(ValueError, match=match):
        Estimator(**{param: value}).fit(X, y)


def test_every_parameter_has_a_row_in_the_invalid_value_table():
    tested = {p for p, _, _ in INVALID_PARAMETERS} | {"loss", "huber_delta", "class_weight"}
    assert set(SGDMLPClassifier._parameter_constraints) <= tested
    assert set(SGDMLPRegressor._parameter_constraints) <= tested


def test_invalid_regressor_loss_is_refused_naming_the_parameter():
    with pytest.raises(ValueError, match="'loss' parameter"):
        SGDMLPRegressor(loss="hinge").fit(X, Y_REG)


def test_invalid_huber_delta_is_refused_naming_the_parameter():
    with pytest.raises(ValueError, match="'huber_delta' parameter"):
        SGDMLPRegressor(loss="huber", huber_delta=0.0).fit(X, Y_REG)


@pytest.mark.parametrize("class_weight, match", [
    ("uniform", "'class_weight' parameter"),
    ({0: 1.0, 7: 2.0}, "class_weight has labels \\[7\\]"),
])
def test_invalid_class_weight_is_refused_naming_the_parameter(class_weight, match):
    with pytest.raises(ValueError, match=match):
        SGDMLPClassifier(class_weight=class_weight).fit(X, Y_CLS)


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
