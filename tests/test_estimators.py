"""Behaviour of the two estimators that sklearn's MLP users rely on."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import SGDMLPClassifier, SGDMLPRegressor


pytestmark = pytest.mark.usefixtures("quiet_convergence")


@pytest.fixture(scope="module")
def binary():
    return make_classification(n_samples=200, n_features=6, random_state=0)


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=200, n_features=5, noise=0.5, random_state=0)
    return X, y / y.std()


# ------------------------------------------------------------------ targets
def test_string_labels_are_predicted_back_as_strings(multiclass):
    X, y = multiclass
    labels = np.array(["ant", "bee", "cat"])[y]
    clf = SGDMLPClassifier((16,), max_iter=100, learning_rate_init=0.01,
                           random_state=0).fit(X, labels)
    assert list(clf.classes_) == ["ant", "bee", "cat"]
    assert set(clf.predict(X)) <= {"ant", "bee", "cat"}
    assert clf.score(X, labels) > 0.8


def test_binary_predict_proba_has_two_columns_summing_to_one(binary):
    X, y = binary
    clf = SGDMLPClassifier((8,), max_iter=50, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(proba[:, 1] > 0.5).astype(int)])
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba)
    assert clf.out_activation_ == "logistic"


def test_multiclass_uses_softmax_and_rows_sum_to_one(multiclass):
    X, y = multiclass
    clf = SGDMLPClassifier((16,), max_iter=50, random_state=0).fit(X, y)
    assert clf.out_activation_ == "softmax"
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), proba.argmax(axis=1))


def test_multilabel_indicator_targets_give_indicator_predictions():
    X, Y = make_multilabel_classification(n_samples=200, n_features=10, n_classes=4, random_state=0)
    kw = dict(hidden_layer_sizes=(32,), max_iter=200, random_state=0)
    clf = SGDMLPClassifier(**kw).fit(X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == Y.shape
    assert clf.predict_proba(X).shape == Y.shape
    np.testing.assert_array_equal(clf.predict(X), clf.predict_proba(X) > 0.5)
    ref = MLPClassifier(**kw).fit(X, Y)
    assert clf.score(X, Y) >= ref.score(X, Y) - 0.02  # subset accuracy


def test_multi_output_regression_predicts_every_output():
    X, Y = make_regression(n_samples=200, n_features=6, n_targets=3, random_state=0)
    Y = Y / Y.std(axis=0)
    reg = SGDMLPRegressor((32,), solver="lbfgs", max_iter=500, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (200, 3)
    assert reg.n_outputs_ == 3
    assert reg.score(X, Y) > 0.95


def test_poisson_loss_uses_exp_output_and_predicts_positive_values(regression):
    X, y = regression
    y = np.exp(0.5 * X[:, 0])
    reg = SGDMLPRegressor((16,), loss="poisson", max_iter=200, random_state=0).fit(X, y)
    assert reg.out_activation_ == "exp"
    assert (reg.predict(X) > 0).all()
    assert reg.score(X, y) > 0.5


# ------------------------------------------------------------ dtypes, sparse
@pytest.mark.parametrize("Estimator", [SGDMLPClassifier, SGDMLPRegressor])
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_float32_input_gives_float32_weights_and_outputs(Estimator, solver, binary):
    X, y = binary
    est = Estimator((8,), solver=solver, max_iter=20, random_state=0).fit(X.astype(np.float32), y)
    assert all(c.dtype == np.float32 for c in est.coefs_ + est.intercepts_)
    out = est.predict_proba(X.astype(np.float32)) if hasattr(est, "predict_proba") else est.predict(X.astype(np.float32))
    assert out.dtype == np.float32


def test_float64_input_gives_float64_weights(binary):
    X, y = binary
    est = SGDMLPClassifier((8,), max_iter=5, random_state=0).fit(X.astype(int), y)
    assert all(c.dtype == np.float64 for c in est.coefs_)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_sparse_input_trains_like_dense(fmt, solver, binary):
    X, y = binary
    kw = dict(hidden_layer_sizes=(8,), solver=solver, max_iter=10, random_state=0)
    dense = SGDMLPClassifier(**kw).fit(X, y)
    sparse = SGDMLPClassifier(**kw).fit(sp.csr_matrix(X).asformat(fmt), y)
    np.testing.assert_allclose(dense.predict_proba(X), sparse.predict_proba(sp.csr_matrix(X)), atol=1e-8)


# ---------------------------------------------------------------- training
def test_loss_decreases_during_training(multiclass):
    X, y = multiclass
    clf = SGDMLPClassifier((16,), max_iter=30, random_state=0).fit(X, y)
    assert clf.loss_curve_[-1] < 0.7 * clf.loss_curve_[0]
    assert clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.n_iter_ == len(clf.loss_curve_)
    assert clf.t_ == clf.n_iter_ * len(X)


def test_max_iter_reached_warns_convergence(binary):
    X, y = binary
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\) reached"):
        SGDMLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)


def test_lbfgs_max_iter_warns_convergence(binary):
    X, y = binary
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        SGDMLPClassifier((4,), solver="lbfgs", max_iter=2, random_state=0).fit(X, y)


def test_training_stops_on_plateau_before_max_iter(binary):
    X, y = binary
    clf = SGDMLPClassifier((8,), max_iter=500, tol=1e-1, n_iter_no_change=2, random_state=0).fit(X, y)
    assert clf.n_iter_ < 500


def test_early_stopping_keeps_the_best_validation_weights(multiclass):
    X, y = multiclass
    clf = SGDMLPClassifier((32,), early_stopping=True, n_iter_no_change=3, max_iter=300,
                           learning_rate_init=0.05, random_state=0).fit(X, y)
    assert clf.n_iter_ < 300
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_loss_ is None
    # the restored weights are those of the best epoch: a run stopped right there
    best_epoch = int(np.argmax(clf.validation_scores_)) + 1
    at_best = clone(clf).set_params(max_iter=best_epoch).fit(X, y)
    for a, b in zip(clf.coefs_ + clf.intercepts_, at_best.coefs_ + at_best.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_warm_start_continues_from_previous_weights(binary):
    X, y = binary
    clf = SGDMLPClassifier((8,), max_iter=5, warm_start=True, random_state=0).fit(X, y)
    first = [c.copy() for c in clf.coefs_]
    curve = list(clf.loss_curve_)
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 10
    assert clf.loss_curve_[:5] == curve
    assert clf.loss_curve_[5] < curve[0]
    assert not np.array_equal(first[0], clf.coefs_[0])


def test_user_set_coefs_are_used_for_prediction(regression):
    X, y = regression
    reg = SGDMLPRegressor((4,), max_iter=5, random_state=0).fit(X, y)
    reg.coefs_ = [np.zeros_like(c) for c in reg.coefs_]
    reg.intercepts_ = [np.full_like(b, 2.5) for b in reg.intercepts_]
    np.testing.assert_allclose(reg.predict(X), 2.5)


def test_verbose_prints_one_line_per_epoch(binary, capsys):
    X, y = binary
    SGDMLPClassifier((4,), max_iter=3, verbose=True, random_state=0).fit(X, y)
    out = capsys.readouterr().out.strip().splitlines()
    assert [line.split(",")[0] for line in out] == ["Iteration 1", "Iteration 2", "Iteration 3"]
    assert all(" loss = " in line for line in out)


# ------------------------------------------------------------- partial_fit
def test_partial_fit_takes_classes_as_third_positional_argument(binary):
    X, y = binary
    clf = SGDMLPClassifier((8,), random_state=0).partial_fit(X, y, [0, 1])
    np.testing.assert_array_equal(clf.classes_, [0, 1])


def test_partial_fit_on_a_stream_of_chunks_learns(multiclass):
    X, y = multiclass
    clf = SGDMLPClassifier((32,), learning_rate_init=0.01, random_state=0)
    for _ in range(20):
        for chunk in np.array_split(np.arange(len(X)), 6):
            clf.partial_fit(X[chunk], y[chunk], classes=np.unique(y))
    assert clf.n_iter_ == 1
    assert len(clf.loss_curve_) == 120
    assert clf.score(X, y) > 0.85


def test_partial_fit_chunk_may_lack_some_classes(multiclass):
    X, y = multiclass
    clf = SGDMLPClassifier((8,), random_state=0).partial_fit(X[y == 0], y[y == 0], classes=[0, 1, 2])
    assert clf.predict_proba(X).shape == (len(X), 3)


@pytest.mark.parametrize("Estimator", [SGDMLPClassifier, SGDMLPRegressor])
def test_partial_fit_is_unavailable_for_lbfgs(Estimator):
    est = Estimator(solver="lbfgs")
    assert not hasattr(est, "partial_fit")
    with pytest.raises(AttributeError) as excinfo:
        est.partial_fit
    assert "lbfgs is not stochastic" in str(excinfo.value.__cause__)


# --------------------------------------------------------------- drop-in
def _sklearn_user_code(Classifier):
    """Code a user wrote for sklearn's MLPClassifier, using public API only."""
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
    pipe = make_pipeline(StandardScaler(), Classifier(hidden_layer_sizes=(32,), max_iter=60,
                                                      random_state=0))
    pipe.fit(X_tr, y_tr)
    mlp = pipe[-1]
    shapes = [c.shape for c in mlp.coefs_] + [b.shape for b in mlp.intercepts_]
    assert mlp.n_layers_ == 3 and mlp.n_outputs_ == 10 and mlp.n_features_in_ == 64
    return pipe.score(X_te, y_te), shapes, len(mlp.loss_curve_)


def test_code_written_for_sklearn_runs_unchanged_with_the_same_quality():
    ours = _sklearn_user_code(SGDMLPClassifier)
    ref = _sklearn_user_code(MLPClassifier)
    assert ours[1:] == ref[1:]
    assert ours[0] >= ref[0] - 0.01


def test_grid_search_and_cross_validation_work(binary):
    X, y = binary
    grid = GridSearchCV(SGDMLPClassifier(max_iter=50, learning_rate_init=0.01, random_state=0),
                        {"hidden_layer_sizes": [(4,), (8,)], "alpha": [1e-4, 1e-2]}, cv=3)
    grid.fit(X, y)
    assert grid.best_score_ > 0.7
    scores = cross_val_score(clone(grid.best_estimator_), X, y, cv=3)
    assert scores.mean() > 0.7


def test_feature_names_are_recorded_from_dataframes(binary):
    import pandas as pd
    X, y = binary
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = SGDMLPClassifier((4,), max_iter=2).fit(df, y)
    np.testing.assert_array_equal(clf.feature_names_in_, df.columns)


# --- the common input takes a short path; every input ends on the same numbers --------


@pytest.mark.parametrize("cls", [SGDMLPClassifier, SGDMLPRegressor])
def test_plain_arrays_and_other_inputs_train_and_predict_alike(cls):
    X, y = make_classification(n_samples=120, n_features=5, n_classes=3,
                               n_informative=3, random_state=0)
    if cls is SGDMLPRegressor:
        y = X @ np.arange(5.0)
    kwargs = {"classes": np.unique(y)} if cls is SGDMLPClassifier else {}
    plain = cls(hidden_layer_sizes=(7,), random_state=0)
    other = cls(hidden_layer_sizes=(7,), random_state=0)
    for chunk in np.array_split(np.arange(120), 4):
        plain.partial_fit(X[chunk], y[chunk], **kwargs)
        # lists go through scikit-learn's conversion, F-ordered arrays too
        other.partial_fit(X[chunk].tolist(), y[chunk].tolist(), **kwargs)
    for a, b in zip(plain.coefs_, other.coefs_):
        assert_array_equal(a, b)
    assert_array_equal(plain.predict(X), other.predict(np.asfortranarray(X)))
    assert_array_equal(plain.predict(X[:1]), other.predict(X[:1].tolist()))


def test_a_stream_of_string_labels_maps_each_chunk_to_the_first_calls_columns():
    X, y = make_classification(n_samples=90, n_features=5, n_classes=3,
                               n_informative=3, random_state=1)
    labels = np.array(["ant", "bee", "cat"])[y]
    clf = SGDMLPClassifier(hidden_layer_sizes=(5,), random_state=0)
    reference = SGDMLPClassifier(hidden_layer_sizes=(5,), random_state=0)
    for chunk in np.array_split(np.arange(90), 3):
        clf.partial_fit(X[chunk], labels[chunk], classes=np.array(["ant", "bee", "cat"]))
        reference.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
    for a, b in zip(clf.coefs_, reference.coefs_):
        assert_array_equal(a, b)
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        clf.partial_fit(X[:3], np.array(["ant", "bee", "dog"]))
    with pytest.raises(ValueError, match="is not the same as on last call"):
        clf.partial_fit(X[:3], labels[:3], classes=np.array(["ant", "bee"]))
