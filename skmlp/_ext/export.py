"""Export to an equivalent fitted scikit-learn MLP (ONNX export needs no detour
through it: see ``_onnx``).

``to_sklearn`` reduces the network to the dense stack scikit-learn's MLP computes
at predict time. Every other layer must act at predict time as a per-unit affine
map ``A * scale + shift`` (dropout is the identity, batch normalisation uses its
running statistics); it is folded into the next dense layer:
``(A * s + t) @ W + b = A @ (s[:, None] * W) + (t @ W + b)``. The map is measured
on the layer itself, so any such layer folds without this module knowing its class.
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.neural_network import MLPClassifier, MLPRegressor

from .._core.layers import Dense
from .._sklearn_compat import MLP_ACTIVATIONS


def _predict_time_affine(layer, dtype):
    """``(scale, shift)`` with ``layer.forward(A, False) == A * scale + shift``.

    Raises
    ------
    ValueError
        If the layer is not a per-unit affine map at predict time.
    """
    n = layer.n_in
    if layer.n_out != n:
        raise ValueError(f"{layer!r} changes the width; it cannot be folded.")
    shift = layer.forward(np.zeros((1, n), dtype=dtype), False)[0].copy()  # (n,)
    scale = layer.forward(np.ones((1, n), dtype=dtype), False)[0] - shift  # (n,)
    probe = np.random.default_rng(0).standard_normal((4, n)).astype(dtype)  # (4, n)
    expected = probe * scale + shift  # (4, n)
    got = layer.forward(probe.copy(), False)  # (4, n)
    tol = 1e-4 if np.dtype(dtype) == np.float32 else 1e-10
    if not np.allclose(got, expected, rtol=tol, atol=tol):
        raise ValueError(
            f"{layer!r} is not a per-unit affine map at predict time; it cannot be "
            "expressed in scikit-learn's MLP."
        )
    return scale, shift


def folded_coefs(network):
    """Weights and biases of the dense stack equivalent to the network at predict time.

    Parameters
    ----------
    network : Network

    Returns
    -------
    coefs : list of ndarray of shape (n_in, n_out)
        Fresh arrays, in the network's dtype.
    intercepts : list of ndarray of shape (n_out,)
    """
    if network.embedding is not None:
        raise ValueError(
            "scikit-learn's MLP has no embedding layer: a model fitted with "
            "categorical_features cannot be converted. One-hot encode the "
            "categorical columns instead to get a model scikit-learn can express."
        )
    coefs, intercepts = [], []
    pending = None  # (scale, shift) of affine layers since the last dense layer
    for layer in network.layers:
        if isinstance(layer, Dense):
            W = layer.W.copy()  # (n_in, n_out)
            b = layer.b.copy()  # (n_out,)
            if pending is not None:
                scale, shift = pending
                b += shift @ W  # (n_out,)
                W *= scale[:, None]  # (n_in, n_out)
                pending = None
            coefs.append(W)
            intercepts.append(b)
            continue
        scale, shift = _predict_time_affine(layer, network.dtype)
        if pending is not None:
            scale, shift = pending[0] * scale, pending[1] * scale + shift  # (n,), (n,)
        pending = (scale, shift)
    if pending is not None:
        raise ValueError("A non-dense layer after the output layer cannot be folded.")
    return coefs, intercepts


_COPIED = (
    "n_features_in_", "feature_names_in_", "n_iter_", "t_", "loss_", "best_loss_",
    "loss_curve_", "validation_scores_", "best_validation_score_", "n_outputs_",
    "out_activation_", "classes_", "_label_binarizer",
)


def to_sklearn(est):
    """A fitted scikit-learn MLP that predicts as ``est`` does.

    Parameters
    ----------
    est : SGDMLPClassifier or SGDMLPRegressor
        A fitted estimator.

    Returns
    -------
    mlp : MLPClassifier or MLPRegressor
        With the parameters scikit-learn knows, and ``coefs_``/``intercepts_``
        holding the folded weights.
    """
    hidden = [layer.activation.name for layer in est._state.network.dense_layers[:-1]]
    if len(set(hidden)) > 1:
        raise ValueError(
            f"This model mixes hidden activations ({hidden}), but scikit-learn's "
            "MLP has one activation for all hidden layers, so it has no "
            "scikit-learn equivalent. For ONNX, convert the model itself: "
            "skl2onnx.to_onnx(est, X[:1])."
        )
    activation = hidden[0] if hidden else est.activation
    if not isinstance(activation, str):  # no hidden layer: the name is unused
        activation = "relu"
    if activation not in MLP_ACTIVATIONS:
        raise ValueError(
            f"activation={activation!r} has no scikit-learn equivalent; "
            f"to_sklearn supports {sorted(MLP_ACTIVATIONS)}. For ONNX, convert "
            "the model itself: skl2onnx.to_onnx(est, X[:1])."
        )
    cls = MLPClassifier if is_classifier(est) else MLPRegressor
    known = cls().get_params()
    params = {k: v for k, v in est.get_params(deep=False).items() if k in known}
    params["activation"] = activation
    # scikit-learn >= 1.7 has MLPRegressor(loss=...); before, squared error only.
    supported = ("squared_error", "poisson") if "loss" in known else ("squared_error",)
    if not is_classifier(est) and est.loss not in supported:
        raise ValueError(
            f"loss={est.loss!r} has no scikit-learn equivalent in this version; "
            f"to_sklearn supports {list(supported)}. For ONNX, convert the model "
            "itself: skl2onnx.to_onnx(est, X[:1])."
        )
    mlp = cls(**params)
    mlp.coefs_, mlp.intercepts_ = folded_coefs(est._state.network)
    mlp.n_layers_ = len(mlp.coefs_) + 1
    for name in _COPIED:
        if hasattr(est, name):
            setattr(mlp, name, getattr(est, name))
    return mlp
