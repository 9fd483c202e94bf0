"""Kernel maths of the losses fused with their output links.

Every loss maps the output pre-activation ``Z`` to ``(value, dZ)``: ``value`` is
scikit-learn's loss value (checked against scikit-learn's own loss functions,
saturated predictions included), ``dZ`` the gradient of the weighted sum that
scikit-learn back-propagates (checked against central finite differences), and
both stay finite at extreme ``Z``.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neural_network._base import LOSS_FUNCTIONS

from skmlp._core.losses import LOSSES, get_loss

# (loss name, n_outputs): one and several outputs; log_loss needs >= 3 classes.
CASES = [
    ("squared_error", 1),
    ("squared_error", 3),
    ("poisson", 1),
    ("poisson", 3),
    ("log_loss", 3),
    ("log_loss", 5),
    ("binary_log_loss", 1),
    ("binary_log_loss", 4),
]


def _targets(name, n, n_out, rng, dtype=np.float64):
    """Targets of the kind each loss expects, shape (n, n_out)."""
    if name == "squared_error":
        Y = rng.normal(size=(n, n_out))
    elif name == "poisson":
        Y = rng.poisson(1.5, size=(n, n_out)).astype(float)  # zeros included
        Y[0, 0] = 0.0
    elif name == "log_loss":
        Y = np.eye(n_out)[rng.randint(n_out, size=n)]  # one-hot
    elif name == "binary_log_loss":
        Y = rng.randint(2, size=(n, n_out)).astype(float)
    return Y.astype(dtype)


def _problem(name, n_out, seed=0, n=7, dtype=np.float64):
    rng = np.random.RandomState(seed)
    Z = rng.uniform(-2, 2, size=(n, n_out)).astype(dtype)  # (n, n_out)
    Y = _targets(name, n, n_out, rng, dtype)  # (n, n_out)
    return Z, Y


def _weights(n, seed=1):
    w = np.random.RandomState(seed).uniform(0.2, 3.0, size=n)  # (n,)
    w[[1, 4]] = 0.0  # some zero weights
    return w


def _value(loss, Z, Y, w):
    return loss(Z.copy(), Y, w)[0]


def _fd_gradient(loss, Z, Y, w, h=1e-6):
    """Central finite differences of the loss value with respect to each Z entry."""
    fd = np.empty_like(Z)  # (n, n_out)
    for idx in np.ndindex(*Z.shape):
        Zp, Zm = Z.copy(), Z.copy()
        Zp[idx] += h
        Zm[idx] -= h
        fd[idx] = (_value(loss, Zp, Y, w) - _value(loss, Zm, Y, w)) / (2 * h)
    return fd


def test_registry_holds_sklearns_losses_and_the_toolkit_ones():
    assert set(LOSSES) == set(LOSS_FUNCTIONS) | {"huber", "absolute_error"}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name, n_out", CASES)
def test_loss_gradient_matches_finite_differences(name, n_out, weighted):
    loss = get_loss(name)
    Z, Y = _problem(name, n_out)
    w = _weights(Z.shape[0]) if weighted else None
    _, dZ = loss(Z.copy(), Y, w)  # (n, n_out)
    # dZ is the gradient of the weighted sum over samples (and over outputs,
    # where sklearn reports the mean over outputs) of the per-element loss
    total = Z.shape[0] if w is None else w.sum()
    if loss.averages_outputs:
        total *= n_out
    assert_allclose(dZ, total * _fd_gradient(loss, Z, Y, w), rtol=1e-6, atol=1e-9)
    if weighted:
        # rows of weight zero get no gradient at all
        assert_array_equal(dZ[[1, 4]], 0.0)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name, n_out", CASES)
def test_loss_value_matches_sklearn_loss_functions(name, n_out, weighted):
    loss = get_loss(name)
    Z, Y = _problem(name, n_out, seed=3)
    w = _weights(Z.shape[0], seed=4) if weighted else None
    value, _ = loss(Z.copy(), Y, w)
    y_pred = loss.inverse_link(Z.copy())  # (n, n_out)
    expected = LOSS_FUNCTIONS[name](Y, y_pred, sample_weight=w)
    if name == "poisson":  # a division-free form of the same deviance
        assert_allclose(value, expected, rtol=1e-12, atol=1e-12)
    else:  # the same operations as scikit-learn: the same bits
        assert value == expected


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, n_out", [c for c in CASES if "log_loss" in c[0]])
def test_saturated_log_loss_value_is_sklearns_clipped_value(name, n_out, dtype):
    # sklearn clips probabilities to [eps, 1 - eps]: a confidently wrong
    # prediction costs -log(eps), not the unbounded log-sum-exp value
    loss = get_loss(name)
    Z, Y = _problem(name, n_out, seed=7, dtype=dtype)
    Z = (Z * 40).astype(dtype)  # (n, n_out) saturated
    value, _ = loss(Z.copy(), Y, None)
    expected = LOSS_FUNCTIONS[name](Y, loss.inverse_link(Z.copy()))
    assert_allclose(value, expected, rtol=1e-6 if dtype == np.float32 else 1e-12)
    assert value <= -np.log(np.finfo(dtype).eps) * n_out * 1.0001


@pytest.mark.parametrize("name, n_out", CASES)
def test_integer_sample_weights_equal_repeated_rows(name, n_out):
    loss = get_loss(name)
    Z, Y = _problem(name, n_out, seed=5, n=4)
    w = np.array([2.0, 0.0, 1.0, 3.0])
    rows = np.repeat(np.arange(4), w.astype(int))
    value_w, dZ_w = loss(Z.copy(), Y, w)
    value_r, dZ_r = loss(Z[rows].copy(), Y[rows], None)
    assert_allclose(value_w, value_r, rtol=1e-13)
    # the repeated rows' gradients add up to the weighted row's gradient
    summed = np.zeros_like(Z)
    np.add.at(summed, rows, dZ_r)
    assert_allclose(dZ_w, summed, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sign", ["positive", "negative", "mixed"])
@pytest.mark.parametrize("name, n_out", CASES)
def test_loss_value_and_gradient_stay_finite_at_extreme_z(name, n_out, sign, dtype):
    loss = get_loss(name)
    rng = np.random.RandomState(6)
    n = 6
    signs = {"positive": np.ones((n, n_out)), "negative": -np.ones((n, n_out)),
             "mixed": rng.choice([-1.0, 1.0], size=(n, n_out))}[sign]
    Z = (1e3 * signs).astype(dtype)  # (n, n_out)
    Y = _targets(name, n, n_out, rng, dtype)  # (n, n_out)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, dZ = loss(Z.copy(), Y, _weights(n).astype(dtype))
    assert np.isfinite(value)
    assert np.all(np.isfinite(dZ))
    assert dZ.dtype == dtype


@pytest.mark.parametrize("name", ["log_loss", "binary_log_loss"])
def test_classification_loss_at_extreme_z_is_sklearns_clipped_log_with_exact_gradient(name):
    # a confidently wrong prediction costs -log(eps), as sklearn's clipped
    # probabilities make it, while the gradient from the logits stays exact
    loss = get_loss(name)
    n_out = 3 if name == "log_loss" else 1
    Z = np.full((1, n_out), -1e3)
    Z[0, 0] = 1e3  # predicts the first class / the positive label
    Y = np.zeros((1, n_out))
    Y[0, -1] = 1.0 if name == "log_loss" else 0.0
    value, dZ = loss(Z, Y)
    assert_allclose(value, -np.log(np.finfo(np.float64).eps), rtol=1e-12)
    assert_allclose(np.abs(dZ).max(), 1.0, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, n_out", CASES)
def test_all_zero_sample_weight_gives_zero_value_and_zero_gradient(name, n_out, dtype):
    loss = get_loss(name)
    Z, Y = _problem(name, n_out, seed=7, dtype=dtype)
    value, dZ = loss(Z, Y, np.zeros(Z.shape[0], dtype=dtype))
    assert value == 0.0
    assert_array_equal(dZ, 0.0)
    assert dZ.shape == Z.shape


@pytest.mark.parametrize("name, n_out", CASES)
def test_loss_writes_gradient_into_out_buffer_and_leaves_z_alone(name, n_out):
    loss = get_loss(name)
    Z, Y = _problem(name, n_out, seed=8)
    Z_before, Y_before = Z.copy(), Y.copy()
    out = np.empty_like(Z)
    _, dZ = loss(Z, Y, out=out)
    assert dZ is out
    assert_array_equal(Z, Z_before)
    assert_array_equal(Y, Y_before)


@pytest.mark.parametrize("Z", [
    np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [1e3, -1e3, 0.0], [-1e3, -1e3, -1e3]]),
], ids=["moderate_and_extreme"])
def test_log_loss_inverse_link_gives_rows_summing_to_one(Z):
    P = get_loss("log_loss").inverse_link(Z.copy())  # (n, n_classes)
    assert np.all(np.isfinite(P))
    assert np.all(P >= 0)
    assert_allclose(P.sum(axis=1), 1.0, rtol=1e-15)
    assert_allclose(P[0], 1 / 3, rtol=1e-15)
    assert_allclose(P[1], np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum(), rtol=1e-15)


@pytest.mark.parametrize("name, expected", [
    ("squared_error", [-1.0, 0.0, 2.0]),
    ("poisson", np.exp([-1.0, 0.0, 2.0])),
    ("binary_log_loss", 1 / (1 + np.exp([1.0, 0.0, -2.0]))),
])
def test_inverse_link_is_the_named_output_activation(name, expected):
    Z = np.array([[-1.0, 0.0, 2.0]])
    out = get_loss(name).inverse_link(Z)
    assert out is Z  # in place
    assert_allclose(out[0], expected, rtol=1e-15)


@pytest.mark.parametrize("name, link", [
    ("squared_error", "identity"), ("poisson", "exp"),
    ("log_loss", "softmax"), ("binary_log_loss", "logistic"),
])
def test_loss_link_names_sklearns_out_activation(name, link):
    assert get_loss(name).link == link


def test_get_loss_rejects_unknown_name_listing_the_allowed_ones():
    with pytest.raises(ValueError, match="hinge.*binary_log_loss"):
        get_loss("hinge")


# --- toolkit losses: huber and absolute_error ----------------------------------

ROBUST_CASES = [("huber", 1), ("huber", 3), ("absolute_error", 1), ("absolute_error", 3)]


def _robust_problem(n_out, seed=0):
    """Residuals in [0.05, 3] in magnitude: away from 0 (absolute_error's kink)
    and straddling huber's delta=1 on both sides."""
    rng = np.random.RandomState(seed)
    Y = rng.normal(size=(7, n_out))  # (n, n_out)
    R = rng.uniform(0.05, 3.0, size=Y.shape) * rng.choice([-1.0, 1.0], size=Y.shape)
    return Y + R, Y  # Z (n, n_out), Y (n, n_out)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name, n_out", ROBUST_CASES)
def test_robust_loss_gradient_matches_finite_differences(name, n_out, weighted):
    loss = get_loss(name)
    Z, Y = _robust_problem(n_out)
    w = _weights(Z.shape[0]) if weighted else None
    _, dZ = loss(Z.copy(), Y, w)  # (n, n_out)
    # dZ is the gradient of the weighted sum over samples (and over outputs,
    # where sklearn reports the mean over outputs) of the per-element loss
    total = Z.shape[0] if w is None else w.sum()
    if loss.averages_outputs:
        total *= n_out
    assert_allclose(dZ, total * _fd_gradient(loss, Z, Y, w), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.5])
def test_huber_value_is_quadratic_inside_delta_and_linear_outside(delta):
    r = np.array([[-3.0], [-0.4], [0.0], [0.3], [2.0], [10.0]])  # (n, 1) residuals
    Y = np.zeros_like(r)
    value, dZ = get_loss("huber", delta=delta)(r.copy(), Y)
    a = np.abs(r[:, 0])
    per = np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))
    assert_allclose(value, per.mean(), rtol=1e-15)
    assert_allclose(dZ[:, 0], np.clip(r[:, 0], -delta, delta), rtol=1e-15)


def test_huber_with_large_delta_equals_squared_error():
    Z, Y = _robust_problem(3)
    w = _weights(Z.shape[0])
    v_h, g_h = get_loss("huber", delta=100.0)(Z.copy(), Y, w)
    v_s, g_s = get_loss("squared_error")(Z.copy(), Y, w)
    # huber sums over outputs; sklearn's squared error reports their mean
    assert_allclose(v_h, v_s * Z.shape[1], rtol=1e-14)
    assert_allclose(g_h, g_s, rtol=1e-14)


def test_absolute_error_value_and_subgradient_zero_at_zero_residual():
    Z = np.array([[1.0, -2.0], [0.5, 0.5]])
    Y = np.array([[0.0, 0.0], [0.5, 1.5]])
    value, dZ = get_loss("absolute_error")(Z.copy(), Y)
    assert_allclose(value, (1 + 2 + 0 + 1) / 2, rtol=1e-15)
    assert_array_equal(dZ, [[1.0, -1.0], [0.0, -1.0]])


@pytest.mark.parametrize("name", ["huber", "absolute_error"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_robust_losses_keep_dtype_and_stay_finite_at_extreme_z(name, dtype):
    Z = np.array([[1e30, -1e30], [0.0, 3.0]], dtype=dtype)
    Y = np.zeros_like(Z)
    value, dZ = get_loss(name)(Z.copy(), Y)
    assert dZ.dtype == dtype and np.isfinite(dZ).all() and np.isfinite(value)
