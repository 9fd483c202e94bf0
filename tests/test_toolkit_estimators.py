"""The training toolkit through the estimators: each feature does what its parameter
promises and its defaults change nothing (bad values: test_input_validation.py)."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import accuracy_score, log_loss, recall_score
from sklearn.neural_network import MLPClassifier

from conftest import batch_norm_layers, dropout_layers, network_of, training_state
from skmlp import SGDMLPClassifier, SGDMLPRegressor


pytestmark = pytest.mark.usefixtures("quiet_convergence")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=160, n_features=8, n_informative=4,
                               n_classes=3, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=120, n_features=10, n_informative=2,
                           noise=0.1, random_state=0)
    return X, y / y.std()


def _clf(**kw):
    return SGDMLPClassifier((12,), max_iter=kw.pop("max_iter", 20), random_state=0, **kw)


def _all_weights(est):
    """Every trained parameter (all weights and biases) as one flat vector."""
    return np.concatenate([a.ravel() for a in est.coefs_ + est.intercepts_])


# --- defaults change nothing ---------------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_explicit_toolkit_defaults_give_bit_identical_weights(solver, data):
    X, y = data
    plain = _clf(solver=solver).fit(X, y)
    explicit = _clf(solver=solver, dropout=[0.0], batch_norm=False, l1_ratio=0.0,
                    max_grad_norm=None, warmup_fraction=0.0, init="glorot_uniform",
                    class_weight=None).fit(X, y)
    for a, b in zip(plain.coefs_ + plain.intercepts_, explicit.coefs_ + explicit.intercepts_):
        assert_array_equal(a, b)


# --- dropout -------------------------------------------------------------------


def test_dropout_changes_training_but_predictions_are_deterministic(data):
    X, y = data
    plain = _clf().fit(X, y)
    dropped = _clf(dropout=0.3).fit(X, y)
    assert not np.array_equal(plain.coefs_[0], dropped.coefs_[0])
    assert_array_equal(dropped.predict_proba(X), dropped.predict_proba(X))
    again = _clf(dropout=0.3).fit(X, y)
    assert_array_equal(dropped.coefs_[0], again.coefs_[0])  # seeded by random_state


def test_dropout_takes_one_rate_per_hidden_layer(data):
    X, y = data
    clf = SGDMLPClassifier((6, 5), dropout=[0.5, 0.0], max_iter=3, random_state=0).fit(X, y)
    rates = [layer.rate for layer in dropout_layers(clf)]
    assert rates == [0.5]


# --- batch norm ----------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_trains_in_the_input_dtype(dtype, data):
    X, y = data
    clf = _clf(batch_norm=True, learning_rate_init=0.01, max_iter=30).fit(X.astype(dtype), y)
    bn = batch_norm_layers(clf)[0]
    assert bn.running_mean.dtype == dtype and clf.predict_proba(X.astype(dtype)).dtype == dtype
    assert clf.score(X.astype(dtype), y) > 0.6


def test_batch_norm_with_lbfgs_keeps_the_full_training_set_statistics(data):
    X, y = data
    clf = _clf(solver="lbfgs", batch_norm=True, max_iter=30).fit(X, y)
    bn = batch_norm_layers(clf)[0]
    H1 = np.maximum(X @ clf.coefs_[0] + clf.intercepts_[0], 0)  # (n, 12) the relu layer's output
    assert_allclose(bn.running_mean, H1.mean(axis=0), rtol=1e-10, atol=1e-12)
    assert_allclose(bn.running_var, H1.var(axis=0), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_batch_norm_with_integer_sample_weights_equals_repeating_rows(solver, data):
    X, y = data
    sw = np.random.RandomState(0).randint(0, 3, size=len(y))  # zeros, ones and twos
    assert sw.sum() <= len(y)  # so one batch holds either training set whole
    weighted = _clf(solver=solver, batch_norm=True, batch_size=len(y)).fit(X, y, sample_weight=sw)
    repeated = _clf(solver=solver, batch_norm=True, batch_size=len(y)).fit(
        X.repeat(sw, axis=0), y.repeat(sw))
    bn_w, bn_r = batch_norm_layers(weighted)[0], batch_norm_layers(repeated)[0]
    assert_allclose(bn_w.running_mean, bn_r.running_mean, rtol=1e-7, atol=1e-9)
    assert_allclose(bn_w.running_var, bn_r.running_var, rtol=1e-7, atol=1e-9)
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6, atol=1e-9)


def test_batch_norm_works_with_partial_fit_warm_start_and_pickle(data):
    X, y = data
    clf = _clf(batch_norm=True)
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.unique(y))
    stats = batch_norm_layers(clf)[0].running_mean.copy()
    clone = pickle.loads(pickle.dumps(clf))
    assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))
    clone.partial_fit(X, y)
    assert not np.array_equal(batch_norm_layers(clone)[0].running_mean, stats)
    warm = _clf(batch_norm=True, warm_start=True, max_iter=5).fit(X, y)
    before = warm.coefs_[0].copy()
    warm.fit(X, y)
    assert not np.array_equal(before, warm.coefs_[0])


# --- L1 / elastic net --------------------------------------------------------------


def test_l1_sets_weights_of_uninformative_inputs_exactly_to_zero(regression):
    X, y = regression
    kw = dict(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=0.01,
              max_iter=60, random_state=0, alpha=50.0)
    l2 = SGDMLPRegressor(**kw).fit(X, y)
    l1 = SGDMLPRegressor(l1_ratio=1.0, **kw).fit(X, y)
    assert np.count_nonzero(l2.coefs_[0] == 0.0) == 0
    n_zero = np.count_nonzero(l1.coefs_[0] == 0.0)
    assert n_zero > l1.coefs_[0].size // 4
    assert np.count_nonzero(l1.intercepts_[0] == 0.0) == 0  # biases are not penalised
    assert l1.score(X, y) > 0.8


@pytest.mark.parametrize("solver", ["adam", "rmsprop"])
def test_l1_zeros_weights_with_adaptive_solvers_too(solver, regression):
    X, y = regression
    reg = SGDMLPRegressor((8,), solver=solver, alpha=1.0, l1_ratio=1.0,
                          learning_rate_init=0.01, max_iter=40, random_state=0).fit(X, y)
    assert np.count_nonzero(reg.coefs_[0] == 0.0) > 0


# --- optimizers, schedules, clipping ------------------------------------------------


@pytest.mark.parametrize("solver, lr", [("adamw", 0.01), ("adagrad", 0.1), ("rmsprop", 0.01)])
def test_new_solvers_learn(solver, lr, data):
    X, y = data
    clf = _clf(solver=solver, learning_rate_init=lr, max_iter=60).fit(X, y)
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[0]
    assert clf.score(X, y) > 0.8


def test_adamw_with_zero_weight_decay_is_adam(data):
    X, y = data
    a = _clf(solver="adamw", weight_decay=0.0).fit(X, y)
    b = _clf(solver="adam").fit(X, y)
    assert_array_equal(a.coefs_[0], b.coefs_[0])


@pytest.mark.parametrize("solver", ["adam", "adamw", "adagrad", "rmsprop"])
@pytest.mark.parametrize("learning_rate", ["invscaling", "adaptive"])
def test_sklearns_schedules_leave_other_solvers_at_their_initial_rate(
    learning_rate, solver, data
):
    # scikit-learn's adam ignores learning_rate; skmlp's other adaptive solvers too
    X, y = data
    constant = _clf(solver=solver, tol=10.0, n_iter_no_change=1).fit(X, y)
    scheduled = _clf(solver=solver, learning_rate=learning_rate, tol=10.0,
                     n_iter_no_change=1).fit(X, y)
    assert_array_equal(constant.coefs_[0], scheduled.coefs_[0])
    assert constant.n_iter_ == scheduled.n_iter_


def test_cosine_schedule_applies_to_adam(data):
    X, y = data
    constant = _clf().fit(X, y)
    cosine = _clf(learning_rate="cosine").fit(X, y)
    assert not np.array_equal(constant.coefs_[0], cosine.coefs_[0])


@pytest.mark.parametrize("solver, expected", [
    ("sgd", "Setting learning rate to 0.000200"), ("adam", "consecutive epochs. Stopping."),
])
def test_adaptive_schedule_lowers_sgds_rate_on_a_plateau_and_stops_adam_as_sklearn(
    solver, expected, data, capsys
):
    X, y = data
    kw = dict(solver=solver, learning_rate="adaptive", tol=10.0, n_iter_no_change=1,
              max_iter=4, verbose=True)
    clf = _clf(**kw).fit(X, y)
    assert expected in capsys.readouterr().out
    sk = MLPClassifier((12,), random_state=0, **kw).fit(X, y)
    assert clf.n_iter_ == sk.n_iter_
    assert_allclose(clf.coefs_[0], sk.coefs_[0], rtol=1e-10, atol=1e-12)


def test_warmup_starts_small_and_reaches_the_schedule(data):
    X, y = data
    clf = _clf(solver="sgd", momentum=0.0, warmup_fraction=0.5, max_iter=4,
               learning_rate_init=0.1).fit(X, y)
    schedule = training_state(clf).schedule
    assert schedule.learning_rate == pytest.approx(0.1)
    assert schedule.n_warmup == 2


def test_gradient_clipping_bounds_each_step_by_learning_rate_times_max_norm(data):
    X, y = data
    kw = dict(solver="sgd", momentum=0.0, batch_size=len(X), shuffle=False,
              learning_rate_init=0.1, max_iter=1)
    start = _clf(**kw)
    start.fit(X, y)
    clipped = _clf(max_grad_norm=1e-3, **kw).fit(X, y)
    # both share the initial weights; one full-batch step of plain SGD
    init = SGDMLPClassifier((12,), random_state=0, max_iter=1, solver="sgd",
                            learning_rate_init=1e-300, momentum=0.0).fit(X, y)
    delta = _all_weights(clipped) - _all_weights(init)
    assert_allclose(np.linalg.norm(delta), 0.1 * 1e-3, rtol=1e-6)
    assert np.linalg.norm(_all_weights(start) - _all_weights(init)) > 1e-3


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "gelu", "softplus"])
@pytest.mark.parametrize("init", ["he_normal", "he_uniform", "lecun_normal"])
def test_new_activations_and_initialisations_learn(activation, init, data):
    X, y = data
    clf = _clf(activation=activation, init=init, learning_rate_init=0.01, max_iter=30)
    clf.fit(X, y)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


# --- one activation per hidden layer ------------------------------------------------


@pytest.mark.parametrize("init", ["glorot_uniform", "he_normal"])
@pytest.mark.parametrize("activation", ["logistic", "relu", "gelu"])
def test_a_list_repeating_one_activation_gives_the_weights_of_that_string(
    activation, init, data
):
    X, y = data
    string = SGDMLPClassifier((7, 5), activation=activation, init=init, max_iter=5,
                              random_state=0).fit(X, y)
    for spelled in ([activation] * 2, (activation,) * 2, np.array([activation] * 2)):
        listed = SGDMLPClassifier((7, 5), activation=spelled, init=init, max_iter=5,
                                  random_state=0).fit(X, y)
        for a, b in zip(string.coefs_ + string.intercepts_,
                        listed.coefs_ + listed.intercepts_):
            assert_array_equal(a, b)


def test_each_hidden_layer_gets_its_own_activation_and_the_model_learns(data):
    X, y = data
    clf = SGDMLPClassifier((8, 6, 5), activation=["tanh", "relu", "gelu"], max_iter=30,
                           learning_rate_init=0.01, random_state=0).fit(X, y)
    names = [layer.activation.name for layer in network_of(clf).dense_layers]
    assert names == ["tanh", "relu", "gelu", "identity"]
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    clone = pickle.loads(pickle.dumps(clf))
    assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))


def test_mixed_activations_initialise_each_layer_for_the_activation_it_feeds(data):
    from skmlp._core.initializers import glorot_uniform

    X, y = data
    # a step of 1e-300 leaves the initial weights as they were drawn
    clf = SGDMLPClassifier((6, 4), activation=["logistic", "relu"], max_iter=1,
                           learning_rate_init=1e-300, random_state=0).fit(X, y)
    rng = np.random.RandomState(0)
    units = [X.shape[1], 6, 4, 3]
    # glorot narrows its bound for 'logistic': the first layer only; the output
    # layer is drawn for the last hidden layer's activation
    for i, act in enumerate(["logistic", "relu", "relu"]):
        W, b = glorot_uniform(units[i], units[i + 1], rng, np.float64, act)
        assert_array_equal(clf.coefs_[i], W)
        assert_array_equal(clf.intercepts_[i], b)


def test_the_same_activations_spelled_differently_are_no_change_under_warm_start(data):
    X, y = data
    clf = SGDMLPClassifier((5, 4), activation="tanh", max_iter=2, warm_start=True,
                           random_state=0).fit(X, y)
    before = clf.coefs_[0].copy()
    clf.set_params(activation=("tanh", "tanh")).fit(X, y)
    clf.partial_fit(X, y)
    assert not np.array_equal(before, clf.coefs_[0])


# --- regression losses --------------------------------------------------------------


def test_huber_and_absolute_error_resist_outliers_better_than_squared_error():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(200, 1))
    y = 2 * X[:, 0]
    y_noisy = y.copy()
    y_noisy[:20] += 30.0  # 10% gross outliers
    errors = {}
    for loss in ["squared_error", "huber", "absolute_error"]:
        reg = SGDMLPRegressor((16,), loss=loss, solver="adam", learning_rate_init=0.01,
                              max_iter=150, random_state=0).fit(X, y_noisy)
        errors[loss] = np.median(np.abs(reg.predict(X) - y))
    assert errors["huber"] < 0.5 * errors["squared_error"]
    assert errors["absolute_error"] < 0.5 * errors["squared_error"]


def test_huber_delta_reaches_the_loss(regression):
    X, y = regression
    reg = SGDMLPRegressor((4,), loss="huber", huber_delta=0.25, max_iter=2).fit(X, y)
    assert training_state(reg).loss.delta == 0.25 and reg.out_activation_ == "identity"


# --- class_weight -------------------------------------------------------------------


def test_class_weight_equals_the_same_sample_weights_and_composes_with_them(data):
    X, y = data
    sw = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    cw = {0: 3.0, 2: 0.5}
    by_class = _clf(class_weight=cw).fit(X, y, sample_weight=sw)
    mult = np.select([y == 0, y == 2], [3.0, 0.5], 1.0)
    by_sample = _clf().fit(X, y, sample_weight=sw * mult)
    assert_array_equal(by_class.coefs_[0], by_sample.coefs_[0])


def test_balanced_class_weight_raises_minority_recall():
    X, y = make_classification(n_samples=300, n_features=6, weights=[0.93],
                               class_sep=0.6, random_state=3)
    plain = _clf(max_iter=60).fit(X, y)
    balanced = _clf(max_iter=60, class_weight="balanced").fit(X, y)
    assert recall_score(y, balanced.predict(X)) > recall_score(y, plain.predict(X)) + 0.2


def test_class_weight_in_partial_fit_with_classes(data):
    X, y = data
    clf = _clf(class_weight={0: 5.0})
    clf.partial_fit(X, y, classes=np.unique(y))
    ref = _clf()
    ref.partial_fit(X, y, classes=np.unique(y), sample_weight=np.where(y == 0, 5.0, 1.0))
    assert_array_equal(clf.coefs_[0], ref.coefs_[0])
    clf.set_params(class_weight="balanced").partial_fit(X[y != 2], y[y != 2])


# --- explicit validation set and early stopping ---------------------------------------


@pytest.fixture(scope="module")
def split(data):
    X, y = data
    return X[:110], y[:110], X[110:], y[110:]


def test_validation_set_is_recorded_every_epoch_without_stopping_on_it(split):
    X, y, Xv, yv = split
    sw_val = np.linspace(0.5, 2.0, len(yv))
    clf = _clf(max_iter=8, n_iter_no_change=100).fit(
        X, y, X_val=Xv, y_val=yv, sample_weight_val=sw_val)
    assert len(clf.validation_loss_curve_) == len(clf.validation_scores_) == clf.n_iter_ == 8
    assert clf.validation_scores_[-1] == accuracy_score(yv, clf.predict(Xv), sample_weight=sw_val)
    assert_allclose(clf.validation_loss_curve_[-1],
                    log_loss(yv, clf.predict_proba(Xv), sample_weight=sw_val), rtol=1e-10)
    assert _clf().fit(X, y).validation_loss_curve_ is None


def test_early_stopping_on_validation_loss_restores_the_weights_of_the_lowest_loss(split):
    X, y, Xv, yv = split
    kw = dict(solver="sgd", learning_rate_init=0.3, early_stopping=True,
              early_stopping_metric="loss", n_iter_no_change=3, max_iter=40)
    clf = _clf(**kw).fit(X, y, X_val=Xv, y_val=yv)
    best = int(np.argmin(clf.validation_loss_curve_))
    assert best < clf.n_iter_ - 1
    again = _clf(**{**kw, "early_stopping": False, "max_iter": best + 1}).fit(X, y)
    assert_allclose(clf.coefs_[0], again.coefs_[0], rtol=1e-12)
    assert_allclose(log_loss(yv, clf.predict_proba(Xv)), min(clf.validation_loss_curve_),
                    rtol=1e-10)
    assert clf.best_validation_score_ == clf.validation_scores_[best]


def test_early_stopping_with_explicit_validation_set_scores_on_it(split):
    X, y, Xv, yv = split
    clf = _clf(early_stopping=True, max_iter=30).fit(X, y, X_val=Xv, y_val=yv)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.score(Xv, yv) == clf.best_validation_score_


def test_restore_best_weights_without_validation_uses_the_training_loss(data):
    X, y = data
    kw = dict(solver="sgd", learning_rate_init=0.3, batch_size=32, n_iter_no_change=100,
              max_iter=25)
    clf = _clf(restore_best_weights=True, **kw).fit(X, y)
    best = int(np.argmin(clf.loss_curve_))
    assert best < clf.n_iter_ - 1 and clf.best_loss_ == min(clf.loss_curve_)
    again = _clf(max_iter=best + 1, **{k: v for k, v in kw.items() if k != "max_iter"}).fit(X, y)
    assert_array_equal(clf.coefs_[0], again.coefs_[0])


# --- restoring the best epoch restores everything predict uses -----------------


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "batch_norm"])
@pytest.mark.parametrize("restore", ["early_stopping", "restore_best_weights"])
def test_model_restored_to_epoch_k_predicts_exactly_as_one_trained_for_k_epochs(
    restore, batch_norm, data
):
    X, y = data
    kw = dict(hidden_layer_sizes=(16, 16), solver="adamw", dropout=0.1,
              batch_norm=batch_norm, learning_rate_init=0.02, batch_size=16,
              n_iter_no_change=3, random_state=0)
    if restore == "early_stopping":
        kw.update(early_stopping=True, validation_fraction=0.25)
    else:
        kw.update(restore_best_weights=True, tol=0.0)
    restored = SGDMLPClassifier(max_iter=25, **kw).fit(X, y)
    curve = (restored.validation_scores_ if restore == "early_stopping"
             else -np.asarray(restored.loss_curve_))
    k = int(np.argmax(curve)) + 1
    assert k < restored.n_iter_  # a restore happened
    trained_k = SGDMLPClassifier(max_iter=k, **kw).fit(X, y)
    assert_array_equal(restored.predict_proba(X), trained_k.predict_proba(X))
