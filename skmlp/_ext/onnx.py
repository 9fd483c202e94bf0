"""skl2onnx converters for SGDMLPClassifier and SGDMLPRegressor.

With skl2onnx installed, ``skl2onnx.to_onnx(est, X[:1])`` converts a fitted
estimator (alone or inside a Pipeline) without the detour through
``to_sklearn()``, so every model converts: each activation, one activation per
hidden layer, dropout, batch norm, and every loss's output link (the Poisson
regressor's ``exp`` too).

The graph is built from the fitted network's layers, in order:

- ``Dense``: ``MatMul`` and ``Add``, then its activation: identity (no node),
  logistic ``Sigmoid``, tanh ``Tanh``, relu ``Relu``, leaky_relu
  ``LeakyRelu(alpha=0.01)``, elu ``Elu``, gelu ``0.5 x (1 + Erf(x / sqrt 2))``
  (exact) and softplus ``Softplus``. onnxruntime has no float64 kernel for
  ``LeakyRelu``, ``Elu``, ``Softplus`` or ``Erf``: in float64 graphs leaky_relu,
  elu and softplus are written with elementary operators (``Max``/``Mul``,
  ``Where``/``Exp``, ``Relu``/``Log``/``Exp``), and gelu evaluates its ``Erf`` in
  float32 (an absolute error of about 1e-7 on ``Phi(x)``).
- ``BatchNorm``: the per-unit affine map predict applies with the running
  statistics, ``x * s + t`` with ``s = gamma / sqrt(running_var + eps)`` and
  ``t = beta - running_mean * s`` (``Mul`` and ``Add``).
- ``Dropout``: nothing (the identity at predict time).
- ``Embedding`` (``categorical_features``): the numeric columns by ``Gather``;
  each categorical column compared with its levels (``Equal`` against
  ``categories_[j]``, cast to 0/1), a one-hot row that one ``MatMul`` with
  ``T[:-1] - T[-1]`` and an ``Add`` of ``T[-1]`` turn into the level's vector,
  or into the last row's for an unknown level or a missing value (NaN equals
  no level); then ``Concat``. The graph's input is the numeric matrix the
  estimator is given, so the levels must be numbers: string levels do not
  convert (encode them as numbers first).
- Output: the loss's inverse link (``Sigmoid``, ``Softmax``, ``Exp`` or none).
  The classifier has scikit-learn's two outputs, a label and the probabilities
  (two columns for a binary target, one per label for multilabel targets, whose
  label output holds the 0/1 indicators), and the options of scikit-learn's
  ``MLPClassifier`` converter: ``zipmap`` (True, False or 'columns'), ``nocl``
  and ``output_class_labels``. The regressor's output is ``(n, n_outputs)``.

The graph computes in float64 for float64 input, otherwise in float32, as
skl2onnx's own converters do.

Registration is automatic and lazy: ``import skmlp`` must not import skl2onnx
(nor onnx), yet ``to_onnx`` must know our estimators whether skl2onnx was
imported before or after skmlp. ``import skmlp`` calls ``install``, which
registers the converters at once when skl2onnx is already in ``sys.modules``,
and otherwise puts a small finder at the front of ``sys.meta_path``. The finder
answers for the top-level name ``skl2onnx`` only: it asks the other finders for
the real spec and wraps its loader, so that right after skl2onnx's
``__init__`` has run, the converters are registered and the finder removes
itself (skl2onnx's module keeps its own loader). Probing with ``find_spec``
alone registers nothing and leaves the finder in place. This is the one
mechanism that needs nothing from the user and costs nothing when ONNX is never
used: skl2onnx has no plug-in entry points, and its own extension route, the
``OnnxOperatorMixin`` base class, would import skl2onnx with skmlp. A failed
registration (a skl2onnx too different from the one tested) warns instead of
breaking ``import skl2onnx``.
"""

import math
import sys
import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._core.embedding import Embedding
from .._core.layers import BatchNorm, Dense, Dropout

_CLASSIFIER_ALIAS = "SkmlpSGDMLPClassifier"
_REGRESSOR_ALIAS = "SkmlpSGDMLPRegressor"
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)


# ------------------------------------------------------------------ registration
def install():
    """Make skl2onnx know the estimators, now or as soon as it is imported.

    Called once by ``import skmlp``; imports nothing of skl2onnx itself.
    """
    if "skl2onnx" in sys.modules:
        _register_or_warn()
    elif not any(isinstance(f, _RegisterOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _RegisterOnImport())


def _uninstall():
    for finder in [f for f in sys.meta_path if isinstance(f, _RegisterOnImport)]:
        sys.meta_path.remove(finder)


def _register_or_warn():
    try:
        register_converters()
    except Exception as exc:  # a broken registration must not break skl2onnx
        warnings.warn(
            f"skmlp could not register its skl2onnx converters ({exc!r}); "
            "skl2onnx.to_onnx will not convert SGDMLPClassifier or SGDMLPRegressor.",
            RuntimeWarning,
            stacklevel=2,
        )


class _RegisterOnImport:
    """Meta-path finder that registers the converters once skl2onnx is imported."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "skl2onnx":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None  # not installed: the import fails as without us
        if hasattr(spec.loader, "exec_module"):
            spec.loader = _RegisteringLoader(spec.loader)
        return spec


class _RegisteringLoader:
    """Runs skl2onnx's own loader, then registers the converters; everything
    else (``create_module``, ...) is the wrapped loader's."""

    def __init__(self, loader):
        self.loader = loader

    def exec_module(self, module):
        # skl2onnx keeps its own loader, as if the hook had never been there
        module.__loader__ = self.loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        _uninstall()
        _register_or_warn()

    def __getattr__(self, name):
        return getattr(self.loader, name)


def register_converters():
    """Register the shape calculators and converters of both estimators.

    ``install`` calls it when skl2onnx is imported; calling it again is harmless.
    """
    from skl2onnx import update_registered_converter

    from .._classifier import SGDMLPClassifier
    from .._regressor import SGDMLPRegressor

    update_registered_converter(
        SGDMLPClassifier,
        _CLASSIFIER_ALIAS,
        _classifier_shapes,
        _convert_classifier,
        options={
            "zipmap": [True, False, "columns"],
            "nocl": [True, False],
            "output_class_labels": [False, True],
        },
    )
    update_registered_converter(
        SGDMLPRegressor, _REGRESSOR_ALIAS, _regressor_shapes, _convert_regressor
    )


# ------------------------------------------------------------ shape calculators
def _is_double(operator):
    """Whether the graph computes in float64 (for float64 input), else in float32."""
    from skl2onnx.common.data_types import DoubleTensorType

    return isinstance(operator.inputs[0].type, DoubleTensorType)


def _float_type(operator):
    """The tensor type of the graph's floats."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    return DoubleTensorType if _is_double(operator) else FloatTensorType


def _check_io(operator, n_outputs):
    check_is_fitted(operator.raw_operator)
    from skl2onnx.common.data_types import (
        BooleanTensorType,
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
    )
    from skl2onnx.common.utils import (
        check_input_and_output_numbers,
        check_input_and_output_types,
    )

    check_input_and_output_numbers(
        operator, input_count_range=1, output_count_range=n_outputs
    )
    check_input_and_output_types(
        operator,
        good_input_types=[
            BooleanTensorType, DoubleTensorType, FloatTensorType, Int64TensorType,
        ],
    )


def _is_multilabel(est):
    return est._label_binarizer.y_type_ == "multilabel-indicator"


def _class_labels(scope, est):
    """The labels the label output takes (indices under ``nocl``), and their kind.

    Returns
    -------
    labels : ndarray of shape (n_classes,)
        int64 or bytes.
    is_string : bool
    """
    from skl2onnx.common.utils_classifier import get_label_classes

    classes = np.asarray(get_label_classes(scope, est))  # (n_classes,)
    if classes.dtype.kind in "OUS":
        return np.array([str(c).encode("utf-8") for c in classes]), True
    if classes.dtype.kind == "f" and not np.all(classes == np.round(classes)):
        raise RuntimeError(
            "ONNX labels are integers or strings; the classes "
            f"{classes.tolist()} are neither. Encode y with integers or strings."
        )
    return classes.astype(np.int64), False  # (n_classes,)


def _classifier_shapes(operator):
    """Label ``(N,)`` (``(N, n_labels)`` for multilabel) and probabilities."""
    from skl2onnx.common.data_types import Int64TensorType, StringTensorType

    _check_io(operator, 2)
    est = operator.raw_operator
    N = operator.inputs[0].get_first_dimension()
    _, is_string = _class_labels(operator.scope_inst, est)
    n_classes = len(est.classes_)
    label_type = StringTensorType if is_string else Int64TensorType
    operator.outputs[0].set_type(
        label_type([N, n_classes] if _is_multilabel(est) else [N])
    )
    operator.outputs[1].set_type(_float_type(operator)([N, n_classes]))


def _regressor_shapes(operator):
    """Predictions ``(N, n_outputs)``."""
    _check_io(operator, 1)
    N = operator.inputs[0].get_first_dimension()
    operator.outputs[0].set_type(
        _float_type(operator)([N, operator.raw_operator.n_outputs_])
    )


# ------------------------------------------------------------------- converters
class _Graph:
    """Adds nodes and constants to skl2onnx's container under unique names."""

    def __init__(self, scope, container, double):
        from onnx import TensorProto

        self.scope = scope
        self.container = container
        self.double = double
        self.proto = TensorProto.DOUBLE if double else TensorProto.FLOAT
        self.dtype = np.float64 if double else np.float32

    def const(self, value, name="const"):
        """A float initializer in the graph's dtype."""
        value = np.asarray(value, dtype=self.dtype)  # () or (n_in, n_out) or (n_out,)
        out = self.scope.get_unique_variable_name(name)
        self.container.add_initializer(out, self.proto, list(value.shape), value.ravel())
        return out

    def op(self, op_type, *inputs, out=None, domain="", **attrs):
        """Add one node; return its output name."""
        out = out or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type, list(inputs), out, op_domain=domain,
            name=self.scope.get_unique_operator_name(op_type), **attrs,
        )
        return out

    def cast(self, name, to, out=None):
        from skl2onnx.common._apply_operation import apply_cast

        out = out or self.scope.get_unique_variable_name("cast")
        apply_cast(self.scope, name, out, self.container, to=to)
        return out


def _gelu(g, A):
    from onnx import TensorProto

    scaled = g.op("Mul", A, g.const(_INV_SQRT_2))
    if g.double:  # onnxruntime has no float64 Erf
        erf = g.cast(g.op("Erf", g.cast(scaled, TensorProto.FLOAT)), g.proto)
    else:
        erf = g.op("Erf", scaled)
    half_cdf = g.op("Mul", g.op("Add", erf, g.const(1.0)), g.const(0.5))  # Phi(x)
    return g.op("Mul", A, half_cdf)


def _elu(g, A):
    if not g.double:
        return g.op("Elu", A, alpha=1.0)
    negative = g.op("Less", A, g.const(0.0))
    return g.op("Where", negative, g.op("Sub", g.op("Exp", A), g.const(1.0)), A)


def _leaky_relu(g, A):
    if not g.double:
        return g.op("LeakyRelu", A, alpha=0.01)
    return g.op("Max", A, g.op("Mul", A, g.const(0.01)))  # as numpy computes it


def _softplus(g, A):
    if not g.double:
        return g.op("Softplus", A)
    # log(1 + exp(x)) = max(x, 0) + log(1 + exp(-|x|)), without overflow
    tail = g.op("Exp", g.op("Neg", g.op("Abs", A)))
    return g.op("Add", g.op("Relu", A), g.op("Log", g.op("Add", tail, g.const(1.0))))


_ACTIVATIONS = {
    "identity": lambda g, A: A,
    "logistic": lambda g, A: g.op("Sigmoid", A),
    "tanh": lambda g, A: g.op("Tanh", A),
    "relu": lambda g, A: g.op("Relu", A),
    "leaky_relu": _leaky_relu,
    "elu": _elu,
    "gelu": _gelu,
    "softplus": _softplus,
}

_LINKS = {
    "identity": lambda g, Z: Z,
    "exp": lambda g, Z: g.op("Exp", Z),
    "logistic": lambda g, Z: g.op("Sigmoid", Z),
    "softmax": lambda g, Z: g.op("Softmax", Z, axis=1),
}


def _embedding(g, est, layer, X):
    """The embedding layer's output: numeric columns, then one vector per
    categorical column, ``(N, n_numeric + sum(dims))``."""
    from onnx import TensorProto

    def columns(index):
        name = g.scope.get_unique_variable_name("columns")
        g.container.add_initializer(name, TensorProto.INT64, [len(index)],
                                    [int(i) for i in index])
        return g.op("Gather", X, name, axis=1)  # (N, len(index))

    parts = []
    if layer.numeric_columns.shape[0]:
        parts.append(columns(layer.numeric_columns))  # (N, n_numeric)
    for column, name, levels, T in zip(layer.categorical_columns, layer.names,
                                       est.categories_, layer.tables):
        levels = np.asarray(levels)  # (n_levels,)
        if levels.dtype.kind not in "biuf":
            raise TypeError(
                f"Categorical column {name!r} has levels of dtype "
                f"{levels.dtype}; the ONNX graph takes one numeric input, so only "
                "numeric levels convert. Encode the column as numbers before fitting."
            )
        T = T.astype(np.float64)  # (n_levels + 1, dim)
        hit = g.op("Equal", columns([column]), g.const(levels.reshape(1, -1), "levels"))  # (N, n_levels)
        one_hot = g.cast(hit, g.proto)  # (N, n_levels)
        vectors = g.op("MatMul", one_hot, g.const(T[:-1] - T[-1], "embedding"))  # (N, dim)
        parts.append(g.op("Add", vectors, g.const(T[-1], "unknown_row")))  # (N, dim)
    return g.op("Concat", *parts, axis=1) if len(parts) > 1 else parts[0]


def _network_output(g, est, input_name):
    """The network's output after the loss's inverse link, ``(N, n_outputs)``."""
    est._sync_params()
    A = g.cast(input_name, g.proto)  # (N, n_features)
    for layer in est._state.network.layers:
        if isinstance(layer, Dense):
            A = g.op("MatMul", A, g.const(layer.W, "coefficient"))  # (N, n_out)
            A = g.op("Add", A, g.const(layer.b, "intercepts"))  # (N, n_out)
            A = _ACTIVATIONS[layer.activation.name](g, A)  # (N, n_out)
        elif isinstance(layer, BatchNorm):
            gamma = layer.params["gamma"].astype(np.float64)  # (n_units,)
            scale = gamma / np.sqrt(layer.running_var.astype(np.float64) + layer.eps)  # (n_units,)
            shift = layer.params["beta"] - layer.running_mean * scale  # (n_units,)
            A = g.op("Mul", A, g.const(scale, "bn_scale"))  # (N, n_units)
            A = g.op("Add", A, g.const(shift, "bn_shift"))  # (N, n_units)
        elif isinstance(layer, Embedding):
            A = _embedding(g, est, layer, A)  # (N, layer.n_out)
        elif not isinstance(layer, Dropout):  # dropout: the identity at predict time
            raise TypeError(f"skmlp has no ONNX conversion for the layer {layer!r}.")
    return _LINKS[est._state.loss.link](g, A)  # (N, n_outputs)


def _convert_regressor(scope, operator, container):
    """Converter of SGDMLPRegressor: predictions of shape ``(N, n_outputs)``."""
    g = _Graph(scope, container, _is_double(operator))
    pred = _network_output(g, operator.raw_operator, operator.inputs[0].full_name)
    g.op("Identity", pred, out=operator.outputs[0].full_name)


def _convert_classifier(scope, operator, container):
    """Converter of SGDMLPClassifier: labels and probabilities, as predict and
    predict_proba give them."""
    from onnx import TensorProto

    est = operator.raw_operator
    g = _Graph(scope, container, _is_double(operator))
    label_out, proba_out = operator.outputs[0].full_name, operator.outputs[1].full_name
    P = _network_output(g, est, operator.inputs[0].full_name)  # (N, n_outputs)
    if est.n_outputs_ == 1:  # binary: P holds the positive class's probability
        negative = g.op("Sub", g.const(1.0), P)  # (N, 1)
        g.op("Concat", negative, P, axis=1, out=proba_out)  # (N, 2)
    else:  # multiclass or multilabel (never a single column)
        g.op("Identity", P, out=proba_out)  # (N, n_classes) or (N, n_labels)
    if _is_multilabel(est):
        positive = g.op("Greater", P, g.const(0.5))  # (N, n_labels)
        g.cast(positive, TensorProto.INT64, out=label_out)  # (N, n_labels) 0/1
        return
    labels, is_string = _class_labels(scope, est)  # (n_classes,)
    labels_name = scope.get_unique_variable_name("classes")
    container.add_initializer(
        labels_name, TensorProto.STRING if is_string else TensorProto.INT64,
        [len(labels)], labels.tolist(),
    )
    best = g.op("ArgMax", proba_out, axis=1, keepdims=0)  # (N,)
    g.op("Gather", labels_name, best, axis=0, out=label_out)  # (N,)
