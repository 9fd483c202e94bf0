"""Back-propagation through the whole network, the flat buffer layout, the penalty.

The full flat gradient of a training step (forward -> loss -> backward -> L2
penalty -> division by the total sample weight, ``_training._objective``) is
checked against central finite differences of ``loss value + penalty value`` over
every parameter, for every hidden activation and every loss. (scikit-learn reports
the squared error averaged over outputs but trains on the gradient of its sum: the
objective differentiated here is the sum.)
"""

import copy
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from skmlp._core.activations import ACTIVATIONS
from skmlp._core.embedding import Embedding, scatter_add_rows
from skmlp._core.kernels import make_kernels
from skmlp._core.layers import Dense, Dropout
from skmlp._core.losses import LOSSES, get_loss
from skmlp._core.network import build_mlp
from skmlp._core.penalties import L2Penalty
from skmlp._core.training import _objective as training_step_objective

LAYER_UNITS = [4, 5, 3]  # input and hidden widths; the output width is appended
N_OUT = {
    "squared_error": 2, "poisson": 2, "log_loss": 3, "binary_log_loss": 2,
    "huber": 2, "absolute_error": 2,
}
N_SAMPLES = 6
H = 1e-6  # finite-difference step
KINK_MARGIN = 1e-3  # relu pre-activations stay this far from 0 under +-H steps


def _targets(loss_name, n, n_out, rng):
    if loss_name in ("squared_error", "huber", "absolute_error"):
        return rng.normal(size=(n, n_out))
    if loss_name == "poisson":
        return rng.poisson(1.5, size=(n, n_out)).astype(float)
    if loss_name == "log_loss":
        return np.eye(n_out)[rng.randint(n_out, size=n)]
    return rng.randint(2, size=(n, n_out)).astype(float)


def _setup(activation, loss_name, seed=0, sparse=False):
    rng = np.random.RandomState(seed)
    n_out = N_OUT[loss_name]
    net = build_mlp(LAYER_UNITS + [n_out], activation, np.float64)
    net.params[:] = rng.normal(scale=0.7, size=net.n_params)  # (n_params,)
    X = rng.normal(size=(N_SAMPLES, LAYER_UNITS[0]))  # (n, n_in)
    if sparse:
        X[rng.uniform(size=X.shape) < 0.5] = 0.0
        X = sp.csr_matrix(X)
    Y = _targets(loss_name, N_SAMPLES, n_out, rng)  # (n, n_out)
    return net, X, Y


def _hidden_pre_activations(net, X):
    """Pre-activations of the hidden layers, computed by hand."""
    A = X.toarray() if sp.issparse(X) else X
    out = []
    for layer in net.dense_layers[:-1]:
        Z = A @ layer.W + layer.b  # (n, n_out)
        out.append(Z)
        A = layer.activation.forward(Z.copy())
    return out


def _objective(net, X, Y, w, loss, penalty, scale):
    """Loss value plus sklearn's L2 term, written out by hand over the weights."""
    Z = net.forward(X, training=False)  # (n, n_out)
    value, _ = loss(Z, Y, w)
    if loss.averages_outputs:
        value *= Z.shape[1]  # the sum over outputs, whose gradient sklearn trains on
    l2 = sum(float(np.sum(W * W)) for W in net.coefs)
    return value + 0.5 * penalty.alpha * l2 / scale


def _analytic_gradient(net, X, Y, w, loss, penalty, scale):
    training_step_objective(net, loss, penalty, X, Y, w, None)
    return net.grads.copy()  # (n_params,)


def _fd_gradient(net, X, Y, w, loss, penalty, scale):
    fd = np.empty_like(net.params)  # (n_params,)
    for i in range(net.n_params):
        old = net.params[i]
        net.params[i] = old + H
        f_plus = _objective(net, X, Y, w, loss, penalty, scale)
        net.params[i] = old - H
        f_minus = _objective(net, X, Y, w, loss, penalty, scale)
        net.params[i] = old
        fd[i] = (f_plus - f_minus) / (2 * H)
    return fd


def _check_gradient(activation, loss_name, weighted, alpha, sparse=False, seed=0):
    net, X, Y = _setup(activation, loss_name, seed=seed, sparse=sparse)
    for layer, Z in zip(net.dense_layers, _hidden_pre_activations(net, X)):
        if layer.activation.name == "relu":
            # the finite differences must not straddle relu's kink
            assert np.abs(Z).min() > KINK_MARGIN
    w = None
    scale = float(N_SAMPLES)
    if weighted:
        w = np.random.RandomState(seed + 100).uniform(0.5, 2.0, size=N_SAMPLES)  # (n,)
        w[2] = 0.0
        scale = float(w.sum())
    loss, penalty = get_loss(loss_name), L2Penalty(alpha)
    grad = _analytic_gradient(net, X, Y, w, loss, penalty, scale)
    fd = _fd_gradient(net, X, Y, w, loss, penalty, scale)
    assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    # the penalty's BLAS path (used while BLAS runs on one thread) adds the same
    penalty.kernels = make_kernels(True)
    assert_allclose(_analytic_gradient(net, X, Y, w, loss, penalty, scale), grad,
                    rtol=1e-14, atol=1e-16)
    return grad


@pytest.mark.parametrize(
    "weighted, alpha", [(False, 0.0), (True, 0.3)], ids=["plain", "weighted_l2"]
)
@pytest.mark.parametrize("loss_name", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_network_gradient_matches_finite_differences(activation, loss_name, weighted, alpha):
    _check_gradient(activation, loss_name, weighted, alpha)


# every activation once, each next to a different one
MIXED_ACTIVATIONS = [("tanh", "relu"), ("gelu", "logistic"), ("leaky_relu", "softplus"),
                     ("elu", "identity")]


@pytest.mark.parametrize("loss_name", ["squared_error", "log_loss", "binary_log_loss"])
@pytest.mark.parametrize("activations", MIXED_ACTIVATIONS, ids="-".join)
def test_network_gradient_with_one_activation_per_hidden_layer_matches_finite_differences(
    activations, loss_name
):
    net, _, _ = _setup(list(activations), loss_name)
    assert [layer.activation.name for layer in net.dense_layers] == [*activations, "identity"]
    _check_gradient(list(activations), loss_name, True, 0.3)


@pytest.mark.parametrize("loss_name", ["squared_error", "log_loss"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_network_gradient_on_sparse_csr_input_matches_finite_differences_and_dense(
    activation, loss_name
):
    grad_sparse = _check_gradient(activation, loss_name, True, 0.1, sparse=True, seed=1)
    net, X, Y = _setup(activation, loss_name, seed=1, sparse=True)
    w = np.random.RandomState(101).uniform(0.5, 2.0, size=N_SAMPLES)
    w[2] = 0.0
    grad_dense = _analytic_gradient(
        net, X.toarray(), Y, w, get_loss(loss_name), L2Penalty(0.1), float(w.sum())
    )
    assert_allclose(grad_sparse, grad_dense, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
def test_preallocated_training_buffers_give_the_same_gradient(loss_name):
    net, X, Y = _setup("tanh", loss_name, seed=2)
    loss, penalty = get_loss(loss_name), L2Penalty(0.2)
    fresh = _analytic_gradient(net, X, Y, None, loss, penalty, float(N_SAMPLES))
    net.allocate(N_SAMPLES + 3)  # buffers larger than the batch: views of them
    reused = _analytic_gradient(net, X, Y, None, loss, penalty, float(N_SAMPLES))
    assert_allclose(reused, fresh, rtol=1e-15, atol=0)
    # a smaller batch through the same buffers
    sub = _analytic_gradient(net, X[:2], Y[:2], None, loss, penalty, 2.0)
    net.release()
    sub_fresh = _analytic_gradient(net, X[:2], Y[:2], None, loss, penalty, 2.0)
    assert_allclose(sub, sub_fresh, rtol=1e-15, atol=0)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_forward_in_training_and_predict_mode_agree_for_dense_stack(activation):
    net, X, _ = _setup(activation, "squared_error", seed=3)
    net.allocate(N_SAMPLES)
    Z_train = net.forward(X, training=True).copy()
    Z_pred = net.forward(X, training=False)
    assert_array_equal(Z_train, Z_pred)


def test_forward_matches_a_hand_written_mlp():
    net, X, _ = _setup("tanh", "squared_error", seed=4)
    W1, W2, W3 = net.coefs
    b1, b2, b3 = net.intercepts
    expected = np.tanh(np.tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3
    assert_allclose(net.forward(X), expected, rtol=1e-14)


# --- the flat layout ---------------------------------------------------------


def test_flat_layout_puts_all_weights_first_then_all_biases():
    units = [4, 5, 3, 2]
    net = build_mlp(units, "relu", np.float64)
    net.params[:] = np.arange(net.n_params, dtype=float)
    shapes = list(zip(units[:-1], units[1:]))
    n_coef = sum(a * b for a, b in shapes)
    assert net.n_coef == n_coef
    assert net.n_params == n_coef + sum(units[1:])
    assert net.n_params == sum(b * (a + 1) for a, b in shapes)
    assert [c.shape for c in net.coefs] == shapes
    assert [i.shape for i in net.intercepts] == [(b,) for b in units[1:]]
    assert_array_equal(np.concatenate([c.ravel() for c in net.coefs]), np.arange(n_coef))
    assert_array_equal(
        np.concatenate(net.intercepts), np.arange(n_coef, net.n_params)
    )


def test_coefs_and_intercepts_are_views_sharing_memory_with_params_and_grads():
    net = build_mlp([4, 5, 3, 2], "relu", np.float64)
    for view in net.coefs + net.intercepts:
        assert np.shares_memory(view, net.params)
    for layer in net.dense_layers:
        assert np.shares_memory(layer.grads["W"], net.grads)
        assert np.shares_memory(layer.grads["b"], net.grads)
    net.params[:] = 3.0
    assert all(np.all(c == 3.0) for c in net.coefs + net.intercepts)
    net.coefs[1][0, 0] = -1.0
    assert net.params[4 * 5] == -1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_network_buffers_and_outputs_have_the_requested_dtype(dtype):
    net = build_mlp([4, 5, 2], "tanh", dtype)
    assert net.params.dtype == dtype and net.grads.dtype == dtype
    X = np.ones((3, 4), dtype=dtype)
    assert net.forward(X, training=True).dtype == dtype
    assert net.forward(X, training=False).dtype == dtype


def test_set_coefs_copies_into_the_flat_buffer_and_checks_shapes():
    net = build_mlp([3, 2, 1], "relu", np.float64)
    coefs = [np.full((3, 2), 1.0), np.full((2, 1), 2.0)]
    intercepts = [np.full(2, 3.0), np.full(1, 4.0)]
    net.set_coefs(coefs, intercepts)
    assert_array_equal(net.params, [1.0] * 6 + [2.0] * 2 + [3.0] * 2 + [4.0])
    with pytest.raises(ValueError, match="shape"):
        net.set_coefs([np.ones((2, 3)), np.ones((2, 1))], intercepts)
    with pytest.raises(ValueError, match="2 arrays"):
        net.set_coefs(coefs[:1], intercepts[:1])


@pytest.mark.parametrize(
    "roundtrip",
    [lambda n: pickle.loads(pickle.dumps(n)), copy.deepcopy],
    ids=["pickle", "deepcopy"],
)
def test_pickle_and_deepcopy_rebind_views_into_the_restored_buffer(roundtrip):
    net, X, Y = _setup("relu", "squared_error", seed=5)
    net.allocate(N_SAMPLES)
    loss = get_loss("squared_error")
    _, dZ = loss(net.forward(X, training=True), Y)
    net.backward(dZ)  # caches and buffers are populated before the round trip
    expected_grad = net.grads.copy()
    original = net.params.copy()

    clone = roundtrip(net)
    assert_array_equal(clone.params, original)
    assert_array_equal(clone.forward(X), net.forward(X))
    for view in clone.coefs + clone.intercepts:
        assert np.shares_memory(view, clone.params)
        assert not np.shares_memory(view, net.params)
    clone.params[:] = 7.0
    assert all(np.all(v == 7.0) for v in clone.coefs + clone.intercepts)
    assert_array_equal(net.params, original)  # the original is untouched

    # backward after the round trip fills the restored gradient buffer
    clone.params[:] = original
    _, dZ = loss(clone.forward(X, training=True), Y)
    clone.backward(dZ)
    assert_allclose(clone.grads, expected_grad, rtol=1e-15)


def _transient(obj):
    return {k: v for k, v in vars(obj).items() if k.startswith(("_scratch", "_cache"))}


@pytest.mark.parametrize(
    "roundtrip",
    [lambda n: pickle.loads(pickle.dumps(n)), copy.deepcopy],
    ids=["pickle", "deepcopy"],
)
def test_pickle_and_deepcopy_drop_every_scratch_buffer_and_cache(roundtrip):
    net = build_mlp([4, 5, 3, 2], ["tanh", "relu"], np.float64, dropout=0.3,
                    batch_norm=True)
    net.set_dropout_rng(np.random.default_rng(0))
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(6, 4)), rng.uniform(0.1, 0.9, size=(6, 2))
    losses = [get_loss(name) for name in sorted(LOSSES)]
    for loss in losses:
        _, dZ = loss(net.forward(X, training=True), Y)
    net.backward(dZ)
    activations = [layer.activation for layer in net.dense_layers[:-1]]
    holding = [loss for loss in losses if loss.name != "squared_error"]  # dZ is all it needs
    for obj in net.layers + activations + holding:
        assert any(v is not None for v in _transient(obj).values()), obj

    clone, loss_clones = roundtrip(net), [roundtrip(loss) for loss in losses]
    activations = [layer.activation for layer in clone.dense_layers]
    for obj in clone.layers + activations + loss_clones:
        assert all(v is None for v in _transient(obj).values()), obj
    assert all(layer.rng is None for layer in clone.layers if isinstance(layer, Dropout))


def test_a_layer_pickled_with_the_old_buffer_names_loads_without_them():
    layer = Dense.__new__(Dense)
    state = copy.deepcopy(vars(Dense(3, 2, ACTIVATIONS["tanh"]())))
    state.update(_out=None, _dX=None, _Z=None, _X=None, _A=None, _Zcache=None)
    layer.__setstate__(state)
    assert not {"_out", "_dX", "_Z", "_X", "_A", "_Zcache"} & set(vars(layer))
    layer.bind({"W": np.ones((3, 2)), "b": np.zeros(2)},
               {"W": np.empty((3, 2)), "b": np.empty(2)})
    A = layer.forward(np.ones((4, 3)), training=True).copy()  # (4, 2)
    assert_allclose(A, np.tanh(3.0))
    assert layer.backward(np.ones_like(A)).shape == (4, 3)


# --- dropout's mask ----------------------------------------------------------


class _FixedDraws:
    """A stand-in generator whose ``random`` returns the given draws."""

    def __init__(self, u):
        self.u = u

    def random(self, dtype, out):
        out[...] = self.u.astype(dtype)
        return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rate", [0.1, 0.2, 0.25, 0.5, 0.9])
def test_dropout_keeps_a_unit_where_u_plus_keep_probability_reaches_one(rate, dtype):
    layer = Dropout(64, rate)
    layer.rng = np.random.default_rng(7)
    Y = layer.forward(np.ones((50, 64), dtype=dtype), training=True)  # (50, 64)
    u = np.random.default_rng(7).random((50, 64), dtype=dtype)  # the draws it made
    kept = (u + dtype(1.0 - rate)) >= 1  # in the dtype's rounding
    assert_array_equal(Y != 0, kept)
    assert_array_equal(Y[kept], dtype(1.0 / (1.0 - rate)))


@pytest.mark.parametrize(
    "dtype, u_below_rate",
    [(np.float64, float.fromhex("0x1.9999999999998p-3")),
     (np.float32, float.fromhex("0x1.999998p-3"))],
)
def test_dropout_keeps_the_draw_just_below_rate_that_rounds_up(dtype, u_below_rate):
    # These draws (which the generator can make) are below the rate 0.2, so the
    # plain ``u >= rate`` would drop them; fits pinned bit for bit keep them.
    u = np.array([[0.0, 0.1, u_below_rate, 0.2, 0.3, 0.99]])  # (1, 6)
    assert dtype(u_below_rate) < dtype(0.2)
    layer = Dropout(6, 0.2)
    layer.rng = _FixedDraws(u)
    Y = layer.forward(np.ones((1, 6), dtype=dtype), training=True)  # (1, 6)
    assert_array_equal(Y != 0, [[False, False, True, True, True, True]])


# --- the L2 penalty ----------------------------------------------------------


@pytest.mark.parametrize("blas_update", [False, True], ids=["numpy", "blas"])
def test_l2_penalty_value_and_gradient_follow_sklearns_scaling_on_weights_only(blas_update):
    params = np.array([1.0, -2.0, 3.0, 10.0, 20.0])  # 3 weights, 2 biases
    grads = np.ones(5)
    pen = L2Penalty(0.5)
    pen.kernels = make_kernels(blas_update)
    value = pen.add_to(params, grads, n_coef=3, scale=4.0)
    assert_allclose(value, 0.5 * 0.5 * (1 + 4 + 9) / 4.0, rtol=1e-15)
    # alpha * W is added to the un-normalised gradient; the training step
    # divides the whole gradient by the scale afterwards, as sklearn does
    assert_allclose(grads, [1 + 0.5, 1 - 1.0, 1 + 1.5, 1.0, 1.0], rtol=1e-15)


def test_l2_penalty_with_zero_alpha_adds_nothing():
    params, grads = np.arange(4.0), np.ones(4)
    assert L2Penalty(0.0).add_to(params, grads, n_coef=3, scale=2.0) == 0.0
    assert_array_equal(grads, 1.0)


def test_l2_penalty_pickles_without_its_scratch_buffer():
    pen = L2Penalty(0.1)
    pen.add_to(np.ones(3), np.zeros(3), 3, 1.0)
    clone = pickle.loads(pickle.dumps(pen))
    assert "kernels" not in vars(clone)  # nor the scratch buffer they hold
    grads = np.zeros(3)
    assert_allclose(clone.add_to(np.ones(3), grads, 3, 1.0), 0.15, rtol=1e-15)
    assert_allclose(grads, 0.1, rtol=1e-15)


# ---------------------------------------------------------------- embeddings
EMB_MASK = [False, True, False, True]  # numeric, categorical, numeric, categorical
EMB_LEVELS, EMB_DIMS = (3, 5), (2, 3)


def _embedding_setup(loss_name, seed=0, batch_norm=False, dtype=np.float64):
    rng = np.random.RandomState(seed)
    n_out = N_OUT[loss_name]
    emb = Embedding(EMB_MASK, EMB_LEVELS, EMB_DIMS)
    net = build_mlp([emb.n_out, 5, n_out], "tanh", dtype, batch_norm=batch_norm,
                    embedding=emb)
    net.params[:] = rng.normal(scale=0.7, size=net.n_params)  # (n_params,)
    n = 12
    X = rng.normal(size=(n, len(EMB_MASK))).astype(dtype)  # (n, n_features)
    # codes with repeats, the unknown row (n_levels) among them
    X[:, 1] = rng.randint(0, EMB_LEVELS[0] + 1, size=n)  # (n,)
    X[:, 3] = rng.randint(0, EMB_LEVELS[1] + 1, size=n)  # (n,)
    X[:3, 3] = EMB_LEVELS[1]
    Y = _targets(loss_name, n, n_out, rng)  # (n, n_out)
    return net, X, Y


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "batch_norm"])
@pytest.mark.parametrize("loss_name", ["squared_error", "log_loss", "binary_log_loss"])
def test_embedding_network_gradient_matches_finite_differences(loss_name, batch_norm):
    net, X, Y = _embedding_setup(loss_name, batch_norm=batch_norm)
    w = np.random.RandomState(7).uniform(0.5, 2.0, size=X.shape[0])  # (n,)
    loss, penalty = get_loss(loss_name), L2Penalty(0.3)
    grad = _analytic_gradient(net, X, Y, w, loss, penalty, float(w.sum()))
    # the objective written out by hand, in training mode (batch norm's batch
    # statistics), penalising the tables as weights too
    def objective():
        Z = net.forward(X, training=True, sample_weight=w)  # (n, n_out)
        value, _ = loss(Z, Y, w)
        if loss.averages_outputs:
            value *= Z.shape[1]  # the sum over outputs, as in ``_objective``
        squares = sum(float(np.sum(W * W)) for W in net.coefs + net.embedding.tables)
        return value + 0.5 * penalty.alpha * squares / w.sum()

    fd = np.empty_like(net.params)  # (n_params,)
    for i in range(net.n_params):
        old = net.params[i]
        net.params[i] = old + H
        f_plus = objective()
        net.params[i] = old - H
        f_minus = objective()
        net.params[i] = old
        fd[i] = (f_plus - f_minus) / (2 * H)
    assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    # rows no code in the batch used get no gradient
    used = set(X[:, 1].astype(int))
    unused = [r for r in range(EMB_LEVELS[0] + 1) if r not in used]
    for r in unused:
        assert_array_equal(net.embedding.grads["T0"][r], 0)


def test_embedding_tables_lead_the_coef_group_and_coef_sizes_follow_the_buffer():
    net, _, _ = _embedding_setup("squared_error")
    sizes = [(n + 1) * d for n, d in zip(EMB_LEVELS, EMB_DIMS)] + [W.size for W in net.coefs]
    assert net.coef_sizes == sizes
    assert net.n_coef == sum(sizes)
    assert np.shares_memory(net.embedding.tables[0], net.params[:sizes[0]])
    assert net.coefs[0].shape == (2 + sum(EMB_DIMS), 5)


def test_embedding_forward_puts_numeric_columns_then_table_rows():
    net, X, _ = _embedding_setup("squared_error")
    emb = net.embedding
    out = emb.forward(X, training=False)  # (n, n_out)
    T0, T1 = emb.tables
    expected = np.hstack([X[:, [0, 2]], T0[X[:, 1].astype(int)], T1[X[:, 3].astype(int)]])
    assert_array_equal(out, expected)
    assert_array_equal(emb.forward(X, training=True), expected)


@pytest.mark.parametrize("n_rows, n", [(7, 50), (1000, 20), (3, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scatter_add_rows_equals_np_add_at(n_rows, n, dtype):
    rng = np.random.RandomState(0)
    codes = rng.randint(0, n_rows, size=n)  # (n,)
    dY = rng.normal(size=(n, 4)).astype(dtype)  # (n, 4)
    expected = np.zeros((n_rows, 4), dtype=dtype)  # (n_rows, 4)
    np.add.at(expected, codes, dY)
    G = np.full((n_rows, 4), np.nan, dtype=dtype)  # (n_rows, 4) overwritten entirely
    scatter_add_rows(G, codes, dY)
    assert_allclose(G, expected, rtol=1e-6 if dtype == np.float32 else 1e-12)
