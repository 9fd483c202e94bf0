"""Kernel maths of the training toolkit: dropout and batch-norm layers, the elastic
net's proximal step, adagrad / rmsprop / adamw, cosine and warm-up schedules, the
extra initialisers; the update kernels (``axpy``, ``scal``), the L2 gradient per
weight matrix, and the one BLAS thread rule.

Layer gradients are checked against central finite differences (float64) of the
whole network in training mode, with the dropout generator reseeded identically
for every evaluation so that the mask is fixed; optimizer and schedule steps
against updates written out by hand.
"""

import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

import skmlp._core.kernels as kernels_module
from skmlp import SGDMLPClassifier
from skmlp._core.initializers import INITIALIZERS
from skmlp._core.kernels import _blas_threads_for, make_kernels
from skmlp._core.layers import BatchNorm, Dropout
from skmlp._core.losses import get_loss
from skmlp._core.network import build_mlp
from skmlp._core.optimizers import Adagrad, Adam, AdamW, RMSprop, make_optimizer
from skmlp._core.penalties import ElasticNetPenalty, L2Penalty
from skmlp._core.schedules import Adaptive, Constant, Cosine, Warmup, make_schedule
from skmlp._core.training import _objective as training_step_objective

H = 1e-6
EPS = np.finfo(np.float64).eps
P0 = np.array([0.5, -1.0, 2.0, 0.0])
GRADS = [
    np.array([0.1, -0.2, 0.3, 1.0]),
    np.array([-0.4, 0.5, 0.0, 2.0]),
    np.array([0.2, 0.2, -0.6, -1.5]),
]


# --- dropout and batch norm inside the network ---------------------------------


def _net(activation, dropout, batch_norm, seed=0):
    rng = np.random.RandomState(seed)
    net = build_mlp([4, 5, 3, 2], activation, np.float64, dropout=dropout,
                    batch_norm=batch_norm)
    net.params[:] = rng.normal(scale=0.7, size=net.n_params)  # (n_params,)
    X = rng.normal(size=(8, 4))  # (n, n_in)
    Y = rng.normal(size=(8, 2))  # (n, n_out)
    return net, X, Y


def _train_value(net, X, Y, loss, alpha, w=None, seed=7):
    net.set_dropout_rng(np.random.default_rng(seed))  # the same masks every call
    value, _ = loss(net.forward(X, training=True, sample_weight=w), Y, w)
    if loss.averages_outputs:
        value *= Y.shape[1]  # the sum over outputs, whose gradient sklearn trains on
    scale = X.shape[0] if w is None else w.sum()
    return value + 0.5 * alpha * float(net.params[: net.n_coef] @ net.params[: net.n_coef]) / scale


def _train_gradient(net, X, Y, loss, alpha, w=None, seed=7):
    net.set_dropout_rng(np.random.default_rng(seed))
    training_step_objective(net, loss, L2Penalty(alpha), X, Y, w, None)
    return net.grads.copy()  # (n_params,)


def _check_train_gradient(net, X, Y, w=None):
    loss, alpha = get_loss("squared_error"), 0.3
    grad = _train_gradient(net, X, Y, loss, alpha, w)  # (n_params,)
    fd = np.empty_like(grad)  # (n_params,)
    for i in range(net.n_params):
        old = net.params[i]
        net.params[i] = old + H
        f_plus = _train_value(net, X, Y, loss, alpha, w)
        net.params[i] = old - H
        f_minus = _train_value(net, X, Y, loss, alpha, w)
        net.params[i] = old
        fd[i] = (f_plus - f_minus) / (2 * H)
    assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)


# weights with a zero, an integer repeat and fractions
WEIGHTS = np.array([1.0, 0.0, 3.0, 0.5, 2.0, 1.5, 0.0, 0.25])


@pytest.mark.parametrize("dropout, batch_norm", [(0.4, False), (0.0, True), ((0.3, 0.5), True)],
                         ids=["dropout", "batch_norm", "both"])
@pytest.mark.parametrize("activation", ["tanh", "gelu", "elu", "softplus"])
def test_network_gradient_with_dropout_and_batch_norm_matches_finite_differences(
    activation, dropout, batch_norm
):
    net, X, Y = _net(activation, dropout, batch_norm)
    _check_train_gradient(net, X, Y)


@pytest.mark.parametrize("dropout", [0.0, 0.3], ids=["batch_norm", "with_dropout"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu"])
def test_network_gradient_with_sample_weighted_batch_norm_matches_finite_differences(
    activation, dropout
):
    net, X, Y = _net(activation, dropout, True)
    net.allocate(8)  # through the preallocated weight buffer, as in training
    _check_train_gradient(net, X, Y, WEIGHTS)


def test_weighted_batch_norm_gradient_equals_the_gradient_on_repeated_rows():
    net, X, Y = _net("tanh", 0.0, True)
    loss = get_loss("squared_error")
    grad_weighted = _train_gradient(net, X, Y, loss, 0.3, np.array([1.0, 0, 3, 1, 2, 1, 0, 1]))
    reps = np.array([1, 0, 3, 1, 2, 1, 0, 1])
    grad_repeated = _train_gradient(net, X.repeat(reps, axis=0), Y.repeat(reps, axis=0), loss, 0.3)
    assert_allclose(grad_weighted, grad_repeated, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_weighted_statistics_ignore_zero_weights_and_count_repeats(dtype):
    X = np.random.RandomState(3).normal(1.0, 2.0, size=(8, 5)).astype(dtype)  # (n, 5)
    reps = np.array([1, 0, 3, 1, 2, 1, 0, 1])
    weighted, repeated = BatchNorm(5), BatchNorm(5)
    for layer in (weighted, repeated):
        layer.bind({"gamma": np.ones(5, dtype), "beta": np.zeros(5, dtype)}, {})
        layer.init_params()
    weighted.allocate(8, dtype)
    out_w = weighted.forward(X, training=True, sample_weight=reps.astype(dtype))
    out_r = repeated.forward(X.repeat(reps, axis=0), training=True)
    assert out_w.dtype == dtype and weighted.running_mean.dtype == dtype
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert_allclose(weighted.running_mean, repeated.running_mean, rtol=rtol)
    assert_allclose(weighted.running_var, repeated.running_var, rtol=rtol)
    first_copy = (np.cumsum(reps) - reps)[reps > 0]  # where each kept row starts
    assert_allclose(out_w[reps > 0], out_r[first_copy], rtol=rtol)


def test_batch_norm_with_uniform_weights_matches_unweighted_statistics():
    X = np.random.RandomState(4).normal(size=(6, 3))  # (n, 3)
    plain, uniform = BatchNorm(3), BatchNorm(3)
    for layer in (plain, uniform):
        layer.bind({"gamma": np.ones(3), "beta": np.zeros(3)}, {})
        layer.init_params()
    out_p = plain.forward(X, training=True).copy()
    out_u = uniform.forward(X, training=True, sample_weight=np.full(6, 2.5))
    assert_allclose(out_u, out_p, rtol=1e-13)
    assert_allclose(uniform.running_var, plain.running_var, rtol=1e-13)


def test_batch_norm_scale_and_shift_sit_after_weights_and_biases_and_escape_the_penalty():
    net = build_mlp([3, 4, 2], "relu", np.float64, batch_norm=True)
    assert net.n_params == net.n_coef + net.n_intercept + 2 * 4
    bn = net.layers[1]
    assert isinstance(bn, BatchNorm)
    assert np.shares_memory(bn.params["gamma"], net.params[net.n_coef + net.n_intercept:])
    assert_array_equal(bn.params["gamma"], 1.0)
    net.params[:] = 2.0
    grads = np.zeros_like(net.params)
    ElasticNetPenalty(1.0, 0.5).add_to(net.params, grads, net.n_coef, 1.0)
    assert np.all(grads[: net.n_coef] != 0)
    assert_array_equal(grads[net.n_coef:], 0.0)


@pytest.mark.parametrize("rate", [0.2, 0.5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_mask_zeroes_about_rate_and_scales_the_rest_by_inverse_keep(rate, dtype):
    layer = Dropout(50, rate)
    layer.allocate(400, dtype)
    layer.rng = np.random.default_rng(0)
    X = np.ones((400, 50), dtype=dtype)
    Y = layer.forward(X, training=True)
    assert Y.dtype == dtype
    assert_allclose(np.unique(Y), [0.0, 1 / (1 - rate)], rtol=1e-6)
    assert abs((Y == 0).mean() - rate) < 0.02
    dX = layer.backward(np.ones_like(X))
    assert_array_equal(dX, Y)  # the gradient flows through kept units, scaled alike


def test_dropout_is_identity_at_predict_time():
    layer = Dropout(5, 0.5)
    X = np.arange(10.0).reshape(2, 5)
    assert layer.forward(X, training=False) is X


def test_batch_norm_standardises_in_training_and_uses_running_statistics_to_predict():
    net = build_mlp([3, 4, 2], "identity", np.float64, batch_norm=True)
    net.params[: net.n_coef + net.n_intercept] = np.random.RandomState(0).normal(
        size=net.n_coef + net.n_intercept)
    bn = net.layers[1]
    X = np.random.RandomState(1).normal(2.0, 3.0, size=(64, 3))  # (n, n_in)
    H1 = X @ net.coefs[0] + net.intercepts[0]  # (n, 4) the layer's input
    out = bn.forward(H1.copy(), training=True)
    assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    assert_allclose(out.var(axis=0), H1.var(axis=0) / (H1.var(axis=0) + bn.eps), rtol=1e-12)
    assert_allclose(bn.running_mean, 0.1 * H1.mean(axis=0), rtol=1e-12)
    for _ in range(200):
        bn.forward(H1.copy(), training=True)
    pred = bn.forward(H1[:2].copy(), training=False)  # independent of the batch
    expected = (H1[:2] - H1.mean(axis=0)) / np.sqrt(H1.var(axis=0) + bn.eps)
    assert_allclose(pred, expected, rtol=1e-6)


def test_batch_norm_running_statistics_survive_pickling():
    net = build_mlp([2, 3, 1], "relu", np.float64, batch_norm=True)
    bn = net.layers[1]
    bn.running_mean[:] = [1.0, 2.0, 3.0]
    clone = pickle.loads(pickle.dumps(net))
    assert_array_equal(clone.layers[1].running_mean, [1.0, 2.0, 3.0])
    assert np.shares_memory(clone.layers[1].params["gamma"], clone.params)


# --- the elastic net ------------------------------------------------------------


def test_elastic_net_with_l1_ratio_zero_equals_the_l2_penalty_bit_for_bit():
    rng = np.random.RandomState(0)
    params = rng.normal(size=9)
    g1, g2 = rng.normal(size=9), None
    g2 = g1.copy()
    v1 = L2Penalty(0.37).add_to(params, g1, 6, 5.0)
    v2 = ElasticNetPenalty(0.37, 0.0).add_to(params, g2, 6, 5.0)
    assert v1 == v2
    assert_array_equal(g1, g2)


def test_elastic_net_value_and_l2_gradient_follow_the_stated_scaling():
    params = np.array([1.0, -2.0, 0.0, 5.0])  # 3 weights, 1 bias
    grads = np.zeros(4)
    pen = ElasticNetPenalty(alpha=0.4, l1_ratio=0.25)
    value = pen.add_to(params, grads, n_coef=3, scale=2.0)
    assert_allclose(value, 0.4 * (0.25 * 3 + 0.5 * 0.75 * 5) / 2.0, rtol=1e-15)
    fd = np.empty(4)
    for i in range(4):
        p, m = params.copy(), params.copy()
        p[i] += H
        m[i] -= H
        fd[i] = (ElasticNetPenalty(0.4, 0.0).add_to(p, np.zeros(4), 3, 2.0)
                 - ElasticNetPenalty(0.4, 0.0).add_to(m, np.zeros(4), 3, 2.0)) / (2 * H)
    # the L2 part's un-normalised gradient (alpha * (1 - l1_ratio) * W, which
    # the training step divides by the scale) is the finite difference of the
    # L2 value scaled by (1 - l1_ratio) and by the scale
    assert_allclose(grads, 0.75 * 2.0 * fd, rtol=1e-8, atol=1e-12)


def test_proximal_step_soft_thresholds_weights_to_exact_zero_and_leaves_biases():
    params = np.array([0.5, -0.05, 0.02, -2.0, 0.01])  # 4 weights, 1 bias
    pen = ElasticNetPenalty(alpha=1.0, l1_ratio=0.5)
    pen.proximal_step(params, n_coef=4, step=0.2, scale=1.0)  # threshold 0.1
    assert_allclose(params, [0.4, 0.0, 0.0, -1.9, 0.01], rtol=1e-15)
    assert params[1] == 0.0 and params[2] == 0.0


def test_proximal_step_with_per_coordinate_steps_matches_hand_computation():
    params = np.array([0.5, -0.5, 0.5])
    step = np.array([0.1, 2.0, 0.4])
    ElasticNetPenalty(alpha=2.0, l1_ratio=1.0).proximal_step(params, 3, step, scale=4.0)
    t = np.array([0.1, 2.0, 0.4]) * 2.0 / 4.0
    assert_allclose(params, np.sign([0.5, -0.5, 0.5]) * np.maximum(0.5 - t, 0), rtol=1e-15)


def test_proximal_step_away_from_zero_is_a_gradient_step_on_the_l1_value():
    rng = np.random.RandomState(3)
    W = rng.uniform(0.5, 1.0, size=5) * rng.choice([-1, 1], size=5)
    pen = ElasticNetPenalty(alpha=0.3, l1_ratio=1.0)
    after = W.copy()
    pen.proximal_step(after, 5, step=0.01, scale=2.0)

    def l1_value(w):
        return pen.add_to(w, np.zeros(5), 5, 2.0)

    fd = np.array([(l1_value(W + H * e) - l1_value(W - H * e)) / (2 * H) for e in np.eye(5)])
    assert_allclose((W - after) / 0.01, fd, rtol=1e-7)


# --- optimizers -----------------------------------------------------------------


def _run(opt, lr):
    params = P0.copy()
    history = []
    for g in GRADS:
        opt.step(params, g, lr)
        history.append(params.copy())
    return history


def test_adagrad_steps_match_hand_computed_updates():
    lr, eps = 0.1, 1e-8
    history = _run(Adagrad(epsilon=eps), lr)
    p, G = P0.copy(), np.zeros(4)
    for g, got in zip(GRADS, history):
        G = G + g**2
        p = p - lr * g / (np.sqrt(G) + eps)
        assert_allclose(got, p, rtol=1e-14)


def test_rmsprop_steps_match_hand_computed_updates():
    lr, rho, eps = 0.01, 0.8, 1e-8
    history = _run(RMSprop(rho=rho, epsilon=eps), lr)
    p, v = P0.copy(), np.zeros(4)
    for g, got in zip(GRADS, history):
        v = rho * v + (1 - rho) * g**2
        p = p - lr * g / (np.sqrt(v) + eps)
        assert_allclose(got, p, rtol=1e-14)


def test_adamw_decays_only_the_weights_then_takes_the_adam_step():
    lr, wd, b1, b2, eps = 0.01, 0.5, 0.9, 0.999, 1e-8
    history = _run(AdamW(b1, b2, eps, weight_decay=wd, n_coef=3), lr)
    p, m, v = P0.copy(), np.zeros(4), np.zeros(4)
    for t, (g, got) in enumerate(zip(GRADS, history), start=1):
        p[:3] *= 1 - lr * wd
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        p = p - lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
        assert_allclose(got, p, rtol=1e-14)


def test_adamw_with_zero_weight_decay_is_adam_bit_for_bit():
    a = _run(AdamW(weight_decay=0.0, n_coef=3), 0.01)
    b = _run(Adam(), 0.01)
    assert_array_equal(a, b)


@pytest.mark.parametrize("opt", [Adagrad(), RMSprop()], ids=["adagrad", "rmsprop"])
def test_adaptive_step_size_is_the_per_coordinate_step_per_unit_gradient(opt):
    params = P0.copy()
    for g in GRADS[:2]:
        opt.step(params, g, 0.01)
    before = params.copy()
    opt.step(params, GRADS[2], 0.01)
    assert_allclose(before - params, opt.step_size(0.01) * GRADS[2], rtol=1e-12)


def test_adam_step_size_is_bias_corrected_rate_over_root_second_moment():
    opt = Adam()
    params = P0.copy()
    for g in GRADS:
        opt.step(params, g, 0.01)
    t = 3
    expected = 0.01 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) / (np.sqrt(opt.v) + 1e-8)
    assert_allclose(opt.step_size(0.01), expected, rtol=1e-14)


@pytest.mark.parametrize("solver, cls", [("adamw", AdamW), ("adagrad", Adagrad),
                                         ("rmsprop", RMSprop)])
def test_make_optimizer_builds_the_new_solvers(solver, cls):
    opt = make_optimizer(solver, rho=0.7, weight_decay=0.2, n_coef=5, epsilon=1e-6)
    assert type(opt) is cls and opt.epsilon == 1e-6


def test_optimizer_state_pickles_without_scratch_buffers():
    opt = RMSprop()
    _run(opt, 0.01)
    opt.step_size(0.01)
    clone = pickle.loads(pickle.dumps(opt))
    assert clone._scratch is None and clone._scratch_step is None
    assert_array_equal(clone.accumulator, opt.accumulator)


# --- schedules ------------------------------------------------------------------


def test_cosine_anneals_to_zero_over_n_epochs_then_restarts():
    sched = Cosine(0.1, n_epochs=4)
    rates = [sched.learning_rate]
    for e in range(1, 6):
        sched.epoch_end(e * 10)
        rates.append(sched.learning_rate)
    expected = [0.1] + [0.05 * (1 + np.cos(np.pi * (e % 4) / 4)) for e in range(1, 6)]
    assert_allclose(rates, expected, rtol=1e-15, atol=1e-18)
    assert rates[3] < rates[2] < rates[1] < rates[0]  # the last epoch of a cycle is slowest
    assert rates[4] == 0.1  # a new cycle


def test_warmup_ramps_linearly_then_hands_over_to_the_wrapped_schedule():
    sched = Warmup(Constant(0.3), n_warmup=3)
    rates = [sched.learning_rate]
    for e in range(1, 6):
        sched.epoch_end(e)
        rates.append(sched.learning_rate)
    assert_allclose(rates, [0.075, 0.15, 0.225, 0.3, 0.3, 0.3], rtol=1e-15)


def test_warmup_passes_plateaus_to_the_wrapped_schedule():
    sched = Warmup(Adaptive(0.1), n_warmup=2)
    stop, _ = sched.on_plateau()
    assert not stop and sched.schedule.learning_rate == pytest.approx(0.02)


def test_make_schedule_wraps_in_warmup_of_whole_epochs():
    sched = make_schedule("cosine", 0.1, max_iter=25, warmup_fraction=0.1)
    assert isinstance(sched, Warmup) and sched.n_warmup == 3
    assert isinstance(sched.schedule, Cosine) and sched.schedule.n_epochs == 25
    assert type(make_schedule("constant", 0.1, max_iter=25)) is Constant


# --- initialisers ---------------------------------------------------------------


@pytest.mark.parametrize("name, std", [
    ("he_normal", np.sqrt(2 / 400)),
    ("lecun_normal", np.sqrt(1 / 400)),
    ("he_uniform", np.sqrt(6 / 400) / np.sqrt(3)),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initialiser_draws_weights_of_the_stated_spread_and_zero_biases(name, std, dtype):
    W, b = INITIALIZERS[name](400, 300, np.random.RandomState(0), dtype)
    assert W.shape == (400, 300) and W.dtype == dtype and b.dtype == dtype
    assert abs(W.std() / std - 1) < 0.02 and abs(W.mean()) < 0.01 * std * 10
    assert_array_equal(b, 0.0)
    if name == "he_uniform":
        assert np.abs(W).max() <= np.sqrt(6 / 400)


# --- the update kernels -----------------------------------------------------------


@pytest.mark.parametrize("blas", [False, True], ids=["numpy", "blas"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("a", [1.0, -0.3, 2.5])
def test_axpy_and_scal_update_in_place(a, dtype, blas):
    rng = np.random.RandomState(0)
    x, y = rng.normal(size=(2, 70)).astype(dtype)  # (70,) each
    kernels, out = make_kernels(blas), y.copy()
    kernels.axpy(a, x, out)
    rtol = 4 * np.finfo(dtype).eps
    assert out.dtype == dtype
    assert_allclose(out, a * x + y, rtol=rtol, atol=rtol)
    kernels.scal(a, out)
    assert_allclose(out, a * (a * x + y), rtol=2 * rtol, atol=2 * rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_ratio_adds_a_times_x_over_d_numpy_in_scikit_learns_rounding(dtype):
    rng = np.random.RandomState(1)
    x, y = rng.normal(size=(2, 70)).astype(dtype)  # (70,) each
    d = rng.uniform(0.5, 2.0, size=70).astype(dtype)  # (70,)
    a = -1e-3
    expected = y + (a * x) / d  # scikit-learn's adam: param += -lr * m / denom
    out, d_np = y.copy(), d.copy()
    make_kernels(False).add_ratio(a, x, d_np, out)
    assert_array_equal(out, expected)  # numpy's kernels: the same bits
    assert_array_equal(d_np, (a * x) / d)  # d now holds the added term
    out, d_blas = y.copy(), d.copy()
    make_kernels(True).add_ratio(a, x, d_blas, out)
    rtol = 4 * np.finfo(dtype).eps
    assert_allclose(out, expected, rtol=rtol, atol=rtol)  # BLAS: a * (x / d)


@pytest.mark.parametrize("blas", [False, True], ids=["numpy", "blas"])
def test_kernels_update_a_strided_view_in_place_and_refuse_a_read_only_array(blas):
    kernels = make_kernels(blas)
    backing = np.ones(8)
    y = backing[::2]  # (4,) not contiguous: BLAS would update a copy
    kernels.axpy(2.0, np.arange(4.0), y)
    kernels.scal(0.5, y)
    assert_array_equal(backing[::2], 0.5 * (1 + 2 * np.arange(4.0)))
    assert_array_equal(backing[1::2], 1.0)
    frozen = np.ones(4)
    frozen.flags.writeable = False
    with pytest.raises(ValueError):
        kernels.axpy(2.0, np.ones(4), frozen)
    with pytest.raises(ValueError):
        kernels.scal(2.0, frozen)


def test_blas_kernels_call_scipys_blas_for_contiguous_arrays_of_their_dtype(monkeypatch):
    calls = []
    recording = {
        dtype: (lambda x, y, a, f=axpy: calls.append("axpy") or f(x, y, a=a),
                lambda a, x, f=scal: calls.append("scal") or f(a, x))
        for dtype, (axpy, scal) in kernels_module._BLAS_FUNCS.items()
    }
    monkeypatch.setattr(kernels_module, "_BLAS_FUNCS", recording)
    blas, y = make_kernels(True), np.ones(5, dtype=np.float32)
    blas.axpy(2.0, np.ones(5, dtype=np.float32), y)
    blas.scal(3.0, y)
    assert calls == ["axpy", "scal"]
    assert_array_equal(y, 9.0)
    blas.axpy(2.0, np.ones(5), y)  # float64 into float32: numpy's
    make_kernels(False).scal(2.0, y)
    assert calls == ["axpy", "scal"]


# --- the L2 gradient, weight matrix by weight matrix ------------------------------


@pytest.mark.parametrize("blas", [False, True], ids=["numpy", "blas"])
def test_l2_penalty_adds_alpha_times_each_weight_matrix_and_sums_sklearns_value(blas):
    net, _, _ = _net("relu", 0.0, False)
    pen = L2Penalty(0.3, coef_sizes=[W.size for W in net.coefs])
    pen.kernels = make_kernels(blas)
    grads = np.full(net.n_params, 0.25)  # (n_params,)
    value = pen.add_to(net.params, grads, net.n_coef, scale=8.0)
    # scikit-learn's value: squared norms summed matrix by matrix
    sk_value = 0.5 * 0.3 * sum(np.dot(W.ravel(), W.ravel()) for W in net.coefs) / 8.0
    assert value == sk_value
    start = 0
    for W in net.coefs:
        dW = grads[start:start + W.size].reshape(W.shape)  # (n_in, n_out)
        assert_allclose(dW, 0.25 + 0.3 * W, rtol=4 * EPS, atol=EPS)
        start += W.size
    assert start == net.n_coef
    assert_array_equal(grads[net.n_coef:], 0.25)  # the biases are never penalised


# --- the one BLAS thread rule -----------------------------------------------------


def _blas_thread_counts():
    """{filepath: threads} of the loaded BLAS libraries."""
    return {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()
            if lib["user_api"] == "blas"}


def _fit_quiet(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def test_small_steps_run_on_one_blas_thread_with_the_blas_kernels():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((64, 10))  # (64, 10)
    y = rng.randint(0, 3, 64)  # (64,)
    with threadpool_limits(2, "blas"):
        small = _fit_quiet(SGDMLPClassifier((8,), batch_size=16, max_iter=2,
                                            random_state=0), X, y)
        context, blas = _blas_threads_for(small._state.network, 16)
        assert blas
        with context:
            assert set(_blas_thread_counts().values()) == {1}
        assert set(_blas_thread_counts().values()) == {2}
    assert small._state.optimizer.kernels.blas


def test_large_steps_keep_numpys_blas_threads_and_limit_scipys_own_blas():
    # batch 64 x (10 x 4000) = 2.56e6 multiply-adds: numpy's BLAS keeps its
    # threads. The BLAS kernels need scipy's BLAS on one thread (two threaded
    # BLAS libraries beside each other slow a step down several times):
    # possible where scipy bundles its own BLAS, as its PyPI wheels do.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((64, 10))  # (64, 10)
    y = rng.randint(0, 3, 64)  # (64,)
    scipy_libs = Path(scipy.__file__).resolve().parent.parent / "scipy.libs"
    with threadpool_limits(2, "blas"):
        large = _fit_quiet(SGDMLPClassifier((4000,), batch_size=64, max_iter=1,
                                            random_state=0), X, y)
        context, blas = _blas_threads_for(large._state.network, 64)
        before = _blas_thread_counts()
        with context:
            during = _blas_thread_counts()
    separate = [p for p in before if Path(p).parent == scipy_libs]
    assert blas == bool(separate) == large._state.optimizer.kernels.blas
    for path, threads in during.items():
        assert threads == (1 if path in separate else 2)
