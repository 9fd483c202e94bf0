"""Optimizer steps, learning-rate schedules, plateau tracking, batching, init.

Each optimizer's update rule is written once, on the kernels of
``skmlp._core.kernels``: its steps are checked against its equation computed by
hand, with the numpy kernels and with the BLAS kernels, and against
scikit-learn's own optimizers fed the same gradients (the numpy kernels to the
last bit, the BLAS kernels, whose fused multiply-adds round once, to a few units
in the last place). Schedules, shuffling and the Glorot initialisation are checked
against scikit-learn's rules.
"""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer
from sklearn.utils import shuffle as sklearn_shuffle

import scipy.sparse as sp

import skmlp._core.batching as batching
from skmlp._core.batching import BatchGatherer, batch_slices, shuffled
from skmlp._core.early_stopping import PlateauTracker
from skmlp._core.initializers import INITIALIZERS, glorot_uniform
from skmlp._core.kernels import BLOCK_SIZE, make_kernels
from skmlp._core.optimizers import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    RMSprop,
    make_optimizer,
)
from skmlp._core.schedules import Adaptive, Constant, InvScaling, make_schedule

EPS = np.finfo(np.float64).eps
P0 = np.array([0.5, -1.0, 2.0, 0.0])
GRADS = [
    np.array([0.1, -0.2, 0.3, 1.0]),
    np.array([-0.4, 0.5, 0.0, 2.0]),
    np.array([0.2, 0.2, -0.6, -1.5]),
]
KERNELS = pytest.mark.parametrize("blas", [False, True], ids=["numpy", "blas"])


def _run(opt, grads, lr, p0=P0, blas=False):
    opt.kernels = make_kernels(blas)
    params = p0.copy()
    history = []
    for g in grads:
        opt.step(params, g, lr)
        history.append(params.copy())
    return history


# --- each update rule against its equation, on both kernels ---------------------


def _sgd_by_hand(lr, mu, nesterov):
    p, v = P0.copy(), np.zeros_like(P0)
    for g in GRADS:
        v = mu * v - lr * g  # v <- mu v - lr g
        p = p + (mu * v - lr * g if nesterov else v)
        yield p


def _adam_by_hand(lr, b1, b2, eps, weight_decay=0.0, n_coef=0):
    p, m, v = P0.copy(), np.zeros_like(P0), np.zeros_like(P0)
    for t, g in enumerate(GRADS, start=1):
        p[:n_coef] *= 1 - lr * weight_decay  # AdamW's decoupled decay
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        # sklearn folds the bias corrections into the step size; epsilon differs
        # from the paper's placement by a factor sqrt(1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps / np.sqrt(1 - b2**t))
        yield p


def _adagrad_by_hand(lr, eps):
    p, G = P0.copy(), np.zeros_like(P0)
    for g in GRADS:
        G = G + g**2
        p = p - lr * g / (np.sqrt(G) + eps)
        yield p


def _rmsprop_by_hand(lr, rho, eps):
    p, v = P0.copy(), np.zeros_like(P0)
    for g in GRADS:
        v = rho * v + (1 - rho) * g**2
        p = p - lr * g / (np.sqrt(v) + eps)
        yield p


CASES = {
    "sgd-plain": (lambda: SGD(0.0, False), 0.1, lambda: _sgd_by_hand(0.1, 0.0, False)),
    "sgd-plain-nesterov": (lambda: SGD(0.0, True), 0.1, lambda: _sgd_by_hand(0.1, 0.0, True)),
    "sgd-momentum": (lambda: SGD(0.9, False), 0.1, lambda: _sgd_by_hand(0.1, 0.9, False)),
    "sgd-nesterov": (lambda: SGD(0.9, True), 0.1, lambda: _sgd_by_hand(0.1, 0.9, True)),
    "adam": (lambda: Adam(0.9, 0.999, 1e-8), 0.01,
             lambda: _adam_by_hand(0.01, 0.9, 0.999, 1e-8)),
    "adam-large-eps": (lambda: Adam(0.5, 0.9, 1e-3), 0.01,
                       lambda: _adam_by_hand(0.01, 0.5, 0.9, 1e-3)),
    "adamw": (lambda: AdamW(0.9, 0.999, 1e-8, weight_decay=0.5, n_coef=3), 0.01,
              lambda: _adam_by_hand(0.01, 0.9, 0.999, 1e-8, weight_decay=0.5, n_coef=3)),
    "adagrad": (lambda: Adagrad(1e-8), 0.1, lambda: _adagrad_by_hand(0.1, 1e-8)),
    "rmsprop": (lambda: RMSprop(0.8, 1e-8), 0.01, lambda: _rmsprop_by_hand(0.01, 0.8, 1e-8)),
}


@KERNELS
@pytest.mark.parametrize("case", sorted(CASES))
def test_optimizer_steps_follow_their_equation_by_hand(case, blas):
    make, lr, by_hand = CASES[case]
    for got, want in zip(_run(make(), GRADS, lr, blas=blas), by_hand()):
        assert_allclose(got, want, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("case", sorted(CASES))
def test_numpy_and_blas_kernels_give_the_same_steps_to_a_few_ulps(case):
    make, lr, _ = CASES[case]
    for a, b in zip(_run(make(), GRADS, lr, blas=False), _run(make(), GRADS, lr, blas=True)):
        assert_allclose(a, b, rtol=4 * EPS, atol=EPS)


def test_adam_first_step_moves_each_parameter_by_about_the_learning_rate():
    lr = 0.01
    (p1,) = _run(Adam(), GRADS[:1], lr)
    nonzero = GRADS[0] != 0
    assert_allclose(np.abs(p1 - P0)[nonzero], lr, rtol=1e-5)


def test_an_optimizer_made_outside_a_fit_uses_numpy_kernels_of_its_own():
    a, b = Adam(), Adam()
    assert not a.kernels.blas and a.kernels is not b.kernels
    assert a.kernels is a.kernels


# --- parity with scikit-learn's optimizers ------------------------------------


def _split(flat):
    """Two views into a flat buffer, as sklearn's list of coefs and intercepts."""
    return [flat[:3], flat[3:]]


def _assert_same_step(got, expected, blas):
    if blas:
        # a fused multiply-add rounds once where numpy rounds twice
        assert_allclose(got, expected, rtol=4 * EPS, atol=EPS)
    else:
        # same order of operations as sklearn: equal to the last bit
        assert_array_equal(got, expected)


@KERNELS
@pytest.mark.parametrize(
    "momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True), (0.5, True)]
)
def test_sgd_steps_match_sklearn_sgd_optimizer(momentum, nesterov, blas):
    lr = 0.1
    ours = _run(SGD(momentum, nesterov), GRADS, lr, blas=blas)
    p_sk = P0.copy()
    sk = SGDOptimizer(_split(p_sk), learning_rate_init=lr, momentum=momentum,
                      nesterov=nesterov)
    for g, got in zip(GRADS, ours):
        sk.update_params(_split(p_sk), _split(g))
        _assert_same_step(got, p_sk, blas)


@KERNELS
@pytest.mark.parametrize("beta_1, beta_2, epsilon", [(0.9, 0.999, 1e-8), (0.5, 0.9, 1e-3)])
def test_adam_steps_match_sklearn_adam_optimizer(beta_1, beta_2, epsilon, blas):
    lr = 0.01
    ours = _run(Adam(beta_1, beta_2, epsilon), GRADS, lr, blas=blas)
    p_sk = P0.copy()
    sk = AdamOptimizer(_split(p_sk), learning_rate_init=lr, beta_1=beta_1,
                       beta_2=beta_2, epsilon=epsilon)
    for g, got in zip(GRADS, ours):
        sk.update_params(_split(p_sk), _split(g))
        _assert_same_step(got, p_sk, blas)


@KERNELS
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_many_steps_of_a_blocked_buffer_stay_with_sklearn(solver, blas):
    # Many steps over more parameters than one block, with gradients that depend
    # on the parameters: the BLAS kernels' last-bit differences must not build
    # up, and the numpy kernels' steps are sklearn's to the last bit.
    rng = np.random.RandomState(0)
    n = BLOCK_SIZE + 1001
    ours = rng.randn(n)
    p_sk = ours.copy()
    split = [slice(0, n // 3), slice(n // 3, n)]
    views = lambda flat: [flat[sl] for sl in split]  # noqa: E731
    if solver == "sgd":
        opt = SGD(0.9, True)
        sk = SGDOptimizer(views(p_sk), learning_rate_init=0.01, momentum=0.9, nesterov=True)
    else:
        opt = Adam()
        sk = AdamOptimizer(views(p_sk), learning_rate_init=0.01)
    opt.kernels = make_kernels(blas)
    for _ in range(200):
        g = rng.randn(n) + 0.5 * ours  # (n,)
        opt.step(ours, g, 0.01)
        sk.update_params(views(p_sk), views(g.copy()))
    if blas:
        assert_allclose(ours, p_sk, rtol=1e-12, atol=1e-14)
    else:
        assert_array_equal(ours, p_sk)


@pytest.mark.parametrize("make", [lambda: SGD(0.9, True), lambda: Adam()],
                         ids=["sgd", "adam"])
def test_blas_kernels_fall_back_to_numpy_for_a_strided_parameter_view(make):
    # A strided view cannot be updated in place by BLAS: the step must still land.
    backing = np.zeros(2 * P0.size)
    params = backing[::2]
    params[...] = P0
    opt = make()
    opt.kernels = make_kernels(True)
    opt.step(params, GRADS[0], 0.05)
    expected = P0.copy()
    make().step(expected, GRADS[0], 0.05)
    assert_allclose(params, expected, rtol=4 * EPS, atol=EPS)
    assert not np.array_equal(params, P0)


@pytest.mark.parametrize("make", [lambda: SGD(0.9, True), lambda: Adam()],
                         ids=["sgd", "adam"])
def test_optimizer_state_survives_pickle_and_continues_identically(make):
    opt = make()
    opt.kernels = make_kernels(True)
    params = P0.copy()
    opt.step(params, GRADS[0], 0.05)
    clone = pickle.loads(pickle.dumps(opt))
    assert "kernels" not in vars(clone)  # set per fit, never pickled
    clone.kernels = make_kernels(True)
    params_clone = params.copy()
    for g in GRADS[1:]:
        opt.step(params, g, 0.05)
        clone.step(params_clone, g, 0.05)
    assert_array_equal(params_clone, params)


def test_an_optimizer_pickled_with_the_old_blas_update_flag_loads_without_it():
    opt = Adam()
    state = opt.__getstate__()
    state["blas_update"] = True  # what skmlp before the kernels pickled
    clone = Adam.__new__(Adam)
    clone.__setstate__(state)
    assert "blas_update" not in vars(clone)
    assert_array_equal(_run(clone, GRADS, 0.01)[-1], _run(Adam(), GRADS, 0.01)[-1])


@KERNELS
def test_optimizer_step_updates_params_and_state_in_place_in_float32(blas):
    params = P0.astype(np.float32)
    buf = params
    adam, sgd = Adam(), SGD()
    adam.kernels = sgd.kernels = make_kernels(blas)
    adam.step(params, GRADS[0].astype(np.float32), 0.01)
    sgd.step(params, GRADS[1].astype(np.float32), 0.01)
    assert params is buf and params.dtype == np.float32
    assert not np.array_equal(params, P0.astype(np.float32))
    # the moments and the velocity were updated in place too
    assert_allclose(adam.m, 0.1 * GRADS[0], rtol=1e-6)
    assert_allclose(sgd.velocity, -0.01 * GRADS[1], rtol=1e-6)
    assert adam.m.dtype == sgd.velocity.dtype == np.float32


@pytest.mark.parametrize("solver, cls", [("sgd", SGD), ("adam", Adam)])
def test_make_optimizer_builds_the_named_solver(solver, cls):
    assert type(make_optimizer(solver)) is cls


def test_make_optimizer_rejects_unknown_solver():
    with pytest.raises(ValueError, match="lbfgs"):
        make_optimizer("lbfgs")


# --- schedules ----------------------------------------------------------------


def test_constant_schedule_keeps_its_rate_and_stops_on_plateau():
    sched = Constant(0.01)
    for t in (10, 100, 1000):
        sched.epoch_end(t)
        assert sched.learning_rate == 0.01
    stop, message = sched.on_plateau()
    assert stop is True and "Stopping" in message
    assert sched.learning_rate == 0.01


@pytest.mark.parametrize("t", [0, 7, 100, 12345])
@pytest.mark.parametrize("power_t", [0.5, 0.25])
def test_invscaling_rate_is_init_over_t_plus_one_to_power_t(t, power_t):
    sched = InvScaling(0.1, power_t)
    assert sched.learning_rate == 0.1  # before the first epoch ends
    sched.epoch_end(t)
    assert_allclose(sched.learning_rate, 0.1 / (t + 1) ** power_t, rtol=1e-15)
    sk = SGDOptimizer([np.zeros(1)], learning_rate_init=0.1, lr_schedule="invscaling",
                      power_t=power_t)
    sk.iteration_ends(t)
    assert sched.learning_rate == sk.learning_rate


def test_adaptive_divides_rate_by_five_on_plateau_until_at_most_1e_6():
    sched = Adaptive(1e-3)
    rates = []
    while True:
        stop, _ = sched.on_plateau()
        if stop:
            break
        rates.append(sched.learning_rate)
    assert_allclose(rates, [2e-4, 4e-5, 8e-6, 1.6e-6, 3.2e-7], rtol=1e-12)
    assert sched.learning_rate == rates[-1]  # stopping leaves the rate alone
    stop, message = sched.on_plateau()
    assert stop is True and "too small" in message


def test_adaptive_schedule_matches_sklearn_trigger_stopping():
    ours = Adaptive(0.3)
    sk = SGDOptimizer([np.zeros(1)], learning_rate_init=0.3, lr_schedule="adaptive")
    for _ in range(15):
        stop, _ = ours.on_plateau()
        assert stop == sk.trigger_stopping("", verbose=False)
        assert ours.learning_rate == sk.learning_rate


@pytest.mark.parametrize("name, cls", [
    ("constant", Constant), ("invscaling", InvScaling), ("adaptive", Adaptive)
])
def test_make_schedule_builds_the_named_schedule(name, cls):
    sched = make_schedule(name, 0.02, power_t=0.3)
    assert type(sched) is cls and sched.learning_rate == 0.02


def test_make_schedule_rejects_unknown_name():
    with pytest.raises(ValueError, match="step_decay"):
        make_schedule("step_decay", 0.1)


# --- plateau tracking -----------------------------------------------------------


def test_plateau_tracker_in_score_mode_counts_and_keeps_a_copy_of_the_best_params():
    tracker = PlateauTracker(tol=0.01, n_iter_no_change=2, mode="score")
    params = np.zeros(3)
    tracker.remember(params)
    # score, expected count, expected plateau, expected best
    steps = [
        (0.50, 0, False, 0.50),  # first score beats -inf
        (0.505, 1, False, 0.505),  # better, but by less than tol: counts, still best
        (0.60, 0, False, 0.60),  # improves by more than tol: reset
        (0.59, 1, False, 0.60),
        (0.605, 2, False, 0.605),
        (0.40, 3, True, 0.605),  # more than n_iter_no_change in a row
    ]
    for i, (score, count, plateau, best) in enumerate(steps):
        params[:] = i
        assert tracker.update(score, params) is plateau
        assert tracker.no_improvement_count == count
        assert tracker.best == best
    assert_array_equal(tracker.best_params, 4.0)  # params of the 0.605 epoch
    params[:] = -1.0
    assert_array_equal(tracker.best_params, 4.0)  # a copy, not a view
    tracker.reset_count()
    assert tracker.no_improvement_count == 0
    assert tracker.update(0.0, params) is False


def test_plateau_tracker_in_loss_mode_counts_with_tol_and_keeps_no_params():
    tracker = PlateauTracker(tol=1e-3, n_iter_no_change=1, mode="loss")
    params = np.ones(2)
    steps = [
        (1.0, 0, False, 1.0),
        (0.9995, 1, False, 0.9995),  # lower, but by less than tol
        (0.5, 0, False, 0.5),
        (0.6, 1, False, 0.5),
        (0.4995, 2, True, 0.4995),
    ]
    for loss, count, plateau, best in steps:
        assert tracker.update(loss, params) is plateau
        assert tracker.no_improvement_count == count
        assert tracker.best == best
    assert tracker.best_params is None


# --- batching -----------------------------------------------------------------


@pytest.mark.parametrize("n_samples, batch_size", [(10, 3), (9, 3), (5, 200), (1, 1), (7, 7)])
def test_batch_slices_cover_every_row_once_in_order(n_samples, batch_size):
    slices = list(batch_slices(n_samples, batch_size))
    rows = np.concatenate([np.arange(n_samples)[s] for s in slices])
    assert_array_equal(rows, np.arange(n_samples))
    sizes = [s.stop - s.start for s in slices]
    assert all(size == min(batch_size, n_samples) for size in sizes[:-1])
    assert 0 < sizes[-1] <= batch_size


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("gather_bytes, batches_per_gather",
                         [(0, 1), (3 * 7 * 7 * 8, 3), (1 << 20, 4)])
def test_gatherer_yields_the_rows_of_each_batch_in_the_given_order(
    gather_bytes, batches_per_gather, sparse, monkeypatch
):
    monkeypatch.setattr(batching, "GATHER_BYTES", gather_bytes)
    rng = np.random.RandomState(0)
    n = 1003  # 143 batches of 7 and one of 2
    X = rng.randn(n, 7)  # (n, 7): 56 bytes a row, 1/32 of X is 4 batches
    Y = rng.randn(n, 2)  # (n, 2)
    w = rng.rand(n)  # (n,)
    Xin = sp.csr_matrix(X) if sparse else X
    gatherer = BatchGatherer(Xin, Y, w, batch_size=7, shuffle=True)
    if not sparse:
        assert gatherer.chunk == 7 * batches_per_gather
    for order in (rng.permutation(n), rng.permutation(n), None):
        rows = np.arange(n) if order is None else order
        sizes = []
        # checked as drawn: a batch is valid until the next one is drawn
        for (Xb, Yb, wb), sl in zip(gatherer.batches(order), batch_slices(n, 7)):
            Xb = Xb.toarray() if sparse else Xb
            assert_array_equal(Xb, X[rows[sl]])
            assert_array_equal(Yb, Y[rows[sl]])
            assert_array_equal(wb, w[rows[sl]])
            sizes.append(Yb.shape[0])
        assert sizes == [7] * 143 + [2]


@pytest.mark.parametrize("seed", [0, 42])
def test_shuffled_draws_the_same_permutations_as_sklearn_shuffle(seed):
    indices = np.arange(11) * 3
    ours_rng, sk_rng = np.random.RandomState(seed), np.random.RandomState(seed)
    for _ in range(3):  # successive epochs from one generator
        ours = shuffled(indices, ours_rng)
        assert_array_equal(ours, sklearn_shuffle(indices, random_state=sk_rng))
        assert_array_equal(np.sort(ours), indices)
    assert_array_equal(indices, np.arange(11) * 3)  # input untouched


# --- initialisation -------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
def test_glorot_uniform_follows_sklearns_rule_weights_then_biases(activation):
    fan_in, fan_out = 4, 3
    W, b = glorot_uniform(fan_in, fan_out, np.random.RandomState(0), np.float64, activation)
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    rng = np.random.RandomState(0)
    assert_array_equal(W, rng.uniform(-bound, bound, (fan_in, fan_out)))
    assert_array_equal(b, rng.uniform(-bound, bound, fan_out))
    assert np.abs(W).max() <= bound and np.abs(b).max() <= bound


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
def test_glorot_uniform_draws_what_sklearns_mlp_draws_for_the_same_seed(activation):
    # A learning rate of 1e-300 leaves sklearn's initial weights unchanged by the
    # single epoch, so coefs_ after fit are its initialisation.
    X = np.random.RandomState(1).normal(size=(8, 4))
    y = np.random.RandomState(2).normal(size=8)
    hidden = (5, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=hidden, activation=activation, solver="sgd",
                           learning_rate_init=1e-300, momentum=0.0, max_iter=1,
                           shuffle=False, random_state=0).fit(X, y)
    units = [4, *hidden, 1]
    rng = np.random.RandomState(0)
    for i, (fan_in, fan_out) in enumerate(zip(units[:-1], units[1:])):
        W, b = glorot_uniform(fan_in, fan_out, rng, np.float64, activation)
        assert_array_equal(W, mlp.coefs_[i])
        assert_array_equal(b, mlp.intercepts_[i])


def test_glorot_uniform_casts_to_float32_without_changing_the_draws():
    W32, b32 = glorot_uniform(3, 2, np.random.RandomState(5), np.float32)
    W64, b64 = glorot_uniform(3, 2, np.random.RandomState(5), np.float64)
    assert W32.dtype == np.float32 and b32.dtype == np.float32
    assert_array_equal(W32, W64.astype(np.float32))
    assert_array_equal(b32, b64.astype(np.float32))


def test_initializers_registry_names_glorot_uniform():
    assert INITIALIZERS["glorot_uniform"] is glorot_uniform
