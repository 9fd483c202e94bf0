"""to_sklearn(): an equivalent fitted scikit-learn MLP; ONNX export through it."""

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skmlp import SGDMLPClassifier, SGDMLPRegressor
from skmlp._core.activations import Identity, Tanh
from skmlp._ext.export import folded_coefs
from skmlp._core.layers import Dense, Layer
from skmlp._core.network import Network


def _X(n=60, d=5, dtype=np.float64):
    return np.random.RandomState(0).randn(n, d).astype(dtype)  # (n, d)


def _fit(est, X, y):
    with pytest.warns(Warning):  # a few epochs: not converged
        return est.fit(X, y)


TARGETS = {
    "binary": lambda X: (X[:, 0] > 0).astype(int),
    "multiclass": lambda X: np.array(["a", "b", "c"])[np.arange(len(X)) % 3],
    "multilabel": lambda X: np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int),
}


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_to_sklearn_classifier_predicts_as_ours(target, dtype):
    X = _X(dtype=dtype)
    est = _fit(SGDMLPClassifier((7, 4), max_iter=10, random_state=0), X,
               TARGETS[target](X))
    mlp = est.to_sklearn()
    assert type(mlp) is MLPClassifier
    np.testing.assert_array_equal(mlp.predict(X), est.predict(X))
    np.testing.assert_allclose(mlp.predict_proba(X), est.predict_proba(X),
                               rtol=1e-6 if dtype == np.float32 else 1e-12)
    assert mlp.get_params()["hidden_layer_sizes"] == (7, 4)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_to_sklearn_regressor_predicts_as_ours(loss):
    X = _X()
    y = np.exp(0.3 * X[:, 0])  # (n,) positive, for the Poisson loss
    est = _fit(SGDMLPRegressor((6,), loss=loss, max_iter=10, random_state=0), X, y)
    mlp = est.to_sklearn()
    assert type(mlp) is MLPRegressor
    np.testing.assert_allclose(mlp.predict(X), est.predict(X), rtol=1e-12)


def test_to_sklearn_refuses_mixed_activations_and_points_at_onnx():
    X = _X()
    est = _fit(SGDMLPRegressor((6, 4), activation=["tanh", "relu"], max_iter=5,
                               random_state=0), X, X[:, 0])
    with pytest.raises(ValueError, match="scikit-learn's MLP has one activation.*"
                                         "skl2onnx.to_onnx\\(est"):
        est.to_sklearn()


def test_to_sklearn_takes_a_list_repeating_one_activation_as_that_activation():
    X = _X()
    est = _fit(SGDMLPRegressor((6, 4), activation=["tanh", "tanh"], max_iter=5,
                               random_state=0), X, X[:, 0])
    mlp = est.to_sklearn()
    assert mlp.activation == "tanh"
    np.testing.assert_allclose(mlp.predict(X), est.predict(X), rtol=1e-12)


def test_to_sklearn_copies_weights():
    X = _X()
    est = _fit(SGDMLPRegressor((6,), max_iter=5, random_state=0), X, X[:, 0])
    mlp = est.to_sklearn()
    mlp.coefs_[0][...] = 0
    assert np.any(est.coefs_[0] != 0)


class _PerUnitAffine(Layer):
    """At predict time ``A * scale + shift``, as batch norm with running stats."""

    def __init__(self, scale, shift):
        self.n_in = self.n_out = len(scale)
        self.scale, self.shift = scale, shift

    def forward(self, X, training):
        return X * self.scale + self.shift  # (n, n_units)


class _Square(Layer):
    def __init__(self, n):
        self.n_in = self.n_out = n

    def forward(self, X, training):
        return X * X  # (n, n_units)


def _network(middle):
    rng = np.random.RandomState(1)
    layers = [Dense(3, 4, Tanh()), *middle, Dense(4, 2, Identity())]
    net = Network(layers, np.float64)
    net.params[...] = rng.randn(net.n_params)  # (n_params,)
    return net


def _dense_forward(coefs, intercepts, X):
    A = X  # (n, 3)
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        A = A @ W + b  # (n, n_out)
        if i < len(coefs) - 1:
            A = np.tanh(A)  # (n, n_out)
    return A


def test_per_unit_affine_layers_are_folded_into_the_next_dense_layer():
    rng = np.random.RandomState(2)
    middle = [_PerUnitAffine(rng.rand(4) + 0.5, rng.randn(4)),
              _PerUnitAffine(rng.rand(4) + 0.5, rng.randn(4))]
    net = _network(middle)
    coefs, intercepts = folded_coefs(net)
    assert [c.shape for c in coefs] == [(3, 4), (4, 2)]
    X = rng.randn(10, 3)  # (10, 3)
    np.testing.assert_allclose(_dense_forward(coefs, intercepts, X),
                               net.forward(X, training=False), rtol=1e-12)


def test_a_layer_that_is_not_affine_at_predict_time_is_refused():
    with pytest.raises(ValueError, match="not a per-unit affine map"):
        folded_coefs(_network([_Square(4)]))


onnxruntime = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")


def _onnx_session(est, X):
    options = {"zipmap": False} if hasattr(est, "classes_") else None
    onx = skl2onnx.to_onnx(est.to_sklearn(), X[:1], options=options)
    return onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


@pytest.mark.parametrize("target", ["binary", "multiclass"])
def test_onnx_classifier_matches_our_predictions(target):
    X = _X(dtype=np.float32)
    est = _fit(SGDMLPClassifier((8,), max_iter=10, random_state=0), X,
               TARGETS[target](X))
    sess = _onnx_session(est, X)
    labels, proba = sess.run(None, {sess.get_inputs()[0].name: X})
    np.testing.assert_array_equal(labels, est.predict(X))
    np.testing.assert_allclose(proba, est.predict_proba(X), atol=1e-5)


def test_onnx_regressor_matches_our_predictions():
    X = _X(dtype=np.float32)
    est = _fit(SGDMLPRegressor((8, 3), max_iter=10, random_state=0), X,
               X[:, 0] - X[:, 1])
    sess = _onnx_session(est, X)
    (pred,) = sess.run(None, {sess.get_inputs()[0].name: X})
    np.testing.assert_allclose(pred.ravel(), est.predict(X), atol=1e-5)
