"""ONNX export without the detour: ``skl2onnx.to_onnx`` converts the estimators
themselves, and onnxruntime predicts what they predict, to 1e-5."""

import os
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from conftest import batch_norm_layers
import skmlp
from skmlp import SGDMLPClassifier, SGDMLPRegressor
from skmlp._core.activations import ACTIVATIONS

TOL = dict(rtol=1e-5, atol=1e-5)
DTYPES = [np.float32, np.float64]


pytestmark = pytest.mark.usefixtures("quiet_convergence")


@pytest.fixture(scope="module")
def ort():
    """onnxruntime, with skl2onnx importable (the optional ``onnx`` extra)."""
    pytest.importorskip("skl2onnx")
    return pytest.importorskip("onnxruntime")


def _X(dtype=np.float64, n=80, d=5):
    return np.random.RandomState(0).randn(n, d).astype(dtype)  # (n, d)


def _run(ort, est, X, options=None):
    """Convert ``est`` with to_onnx and run it; the outputs by name."""
    from skl2onnx import to_onnx

    onx = to_onnx(est, X[:1], options=options)
    sess = ort.InferenceSession(onx.SerializeToString(),
                                providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, {sess.get_inputs()[0].name: X})))


def _check_classifier(ort, clf, X):
    out = _run(ort, clf, X, options={"zipmap": False})
    assert list(out) == ["label", "probabilities"]
    assert_array_equal(out["label"], clf.predict(X))
    assert out["probabilities"].dtype == X.dtype
    assert_allclose(out["probabilities"], clf.predict_proba(X), **TOL)


def _check_regressor(ort, reg, X):
    (pred,) = _run(ort, reg, X).values()
    assert pred.dtype == X.dtype
    assert pred.shape == (len(X), reg.n_outputs_)
    assert_allclose(pred.reshape(reg.predict(X).shape), reg.predict(X), **TOL)


# ------------------------------------------------------------------ registration
def _python(code):
    """Run ``code`` in a fresh interpreter that imports this skmlp."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(skmlp.__file__)))
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": path})
    assert result.returncode == 0, result.stderr


def test_import_skmlp_imports_neither_skl2onnx_nor_onnx():
    _python(
        "import sys, skmlp\n"
        "assert 'skl2onnx' not in sys.modules, 'skl2onnx imported'\n"
        "assert 'onnx' not in sys.modules, 'onnx imported'\n"
    )


_CONVERT = """
import numpy as np
from skl2onnx import to_onnx
X = np.random.RandomState(0).randn(30, 3).astype(np.float32)
est = skmlp.SGDMLPRegressor((4,), max_iter=3).fit(X, X[:, 0])
assert to_onnx(est, X[:1]).graph.node
"""


@pytest.mark.parametrize("order", ["skl2onnx_first", "skmlp_first"])
def test_to_onnx_knows_the_estimators_whichever_is_imported_first(order, ort):
    if order == "skl2onnx_first":
        _python("import skl2onnx\nimport skmlp\n" + _CONVERT)
    else:
        _python(
            "import importlib.util, sys, warnings\n"
            "warnings.simplefilter('error', RuntimeWarning)\n"
            "import skmlp\n"
            "assert importlib.util.find_spec('skl2onnx') is not None  # a probe only\n"
            + _CONVERT
            + "import skl2onnx\n"
            # the hook has done its work, removed itself, and left skl2onnx as it was
            "assert not any(type(f).__name__ == '_RegisterOnImport' for f in sys.meta_path)\n"
            "assert type(skl2onnx.__loader__).__name__ == 'SourceFileLoader'\n"
            "assert skl2onnx.__spec__.loader is skl2onnx.__loader__\n"
        )


# --------------------------------------------------------------- the network
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_converts(activation, dtype, ort):
    X = _X(dtype)
    reg = SGDMLPRegressor((7, 5), activation=activation, max_iter=20,
                          learning_rate_init=0.01, random_state=0)
    reg.fit(X, np.sin(X[:, 0]) + X[:, 1])
    _check_regressor(ort, reg, 3 * X)  # also beyond the training range


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_one_activation_per_hidden_layer_converts(dtype, ort):
    X = _X(dtype)
    clf = SGDMLPClassifier((8, 6, 5), activation=["tanh", "gelu", "softplus"],
                           max_iter=20, random_state=0)
    clf.fit(X, np.arange(len(X)) % 3)
    _check_classifier(ort, clf, X)


def test_dropout_is_the_identity_in_the_onnx_graph(ort):
    X = _X(np.float32)
    clf = SGDMLPClassifier((8, 6), dropout=[0.5, 0.2], max_iter=20, random_state=0)
    clf.fit(X, X[:, 0] > 0)
    _check_classifier(ort, clf, X)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_batch_norm_converts_with_its_running_statistics(dtype, ort):
    X = 2 * _X(dtype) + 1  # far from the initial statistics (0, 1)
    reg = SGDMLPRegressor((8, 6), batch_norm=True, activation="relu", max_iter=20,
                          random_state=0).fit(X, X[:, 0] - X[:, 1])
    bn = batch_norm_layers(reg)
    assert len(bn) == 2 and np.abs(bn[0].running_mean).max() > 0.1
    _check_regressor(ort, reg, X)


# ------------------------------------------------------------------- outputs
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("loss", ["poisson", "squared_error", "huber", "absolute_error"])
def test_regression_losses_convert_with_their_output_link(loss, dtype, ort):
    X = _X(dtype)
    y = np.exp(0.5 * X[:, 0])  # (n,) positive, for the Poisson loss
    reg = SGDMLPRegressor((8,), loss=loss, max_iter=30, random_state=0).fit(X, y)
    _check_regressor(ort, reg, X)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_multi_output_regression_converts(dtype, ort):
    X = _X(dtype)
    reg = SGDMLPRegressor((8,), max_iter=20, random_state=0)
    reg.fit(X, np.c_[X[:, 0], X[:, 1] * X[:, 2], X[:, 3]])
    _check_regressor(ort, reg, X)


TARGETS = {
    "binary": lambda X: (X[:, 0] > 0).astype(int),
    "binary_strings": lambda X: np.where(X[:, 0] > 0, "yes", "no"),
    "multiclass": lambda X: np.arange(len(X)) % 3 * 10 - 5,
    "multiclass_strings": lambda X: np.array(["a", "b", "c", "d"])[np.arange(len(X)) % 4],
    "multilabel": lambda X: np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0].astype(int),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("target", list(TARGETS))
def test_classifier_outputs_labels_and_probabilities_as_predict_and_predict_proba(
    target, dtype, ort
):
    X = _X(dtype)
    clf = SGDMLPClassifier((8,), max_iter=20, random_state=0).fit(X, TARGETS[target](X))
    _check_classifier(ort, clf, X)


def test_classifier_outputs_look_like_sklearns_mlpclassifiers(ort):
    X = _X(np.float32)
    y = TARGETS["multiclass_strings"](X)
    ours = SGDMLPClassifier((8,), max_iter=20, random_state=0).fit(X, y)
    theirs = ours.to_sklearn()
    for options in [None, {"zipmap": "columns"}, {"zipmap": False}]:
        got, expected = _run(ort, ours, X, options), _run(ort, theirs, X, options)
        assert list(got) == list(expected)
    got = _run(ort, ours, X)  # skl2onnx's default: a ZipMap of probabilities
    assert_array_equal(got["output_label"], ours.predict(X))
    proba = ours.predict_proba(X)
    for row, p in zip(got["output_probability"], proba):
        assert list(row) == list(ours.classes_)
        assert_allclose(list(row.values()), p, **TOL)


def test_nocl_gives_class_indices_as_labels(ort):
    X = _X(np.float32)
    clf = SGDMLPClassifier((8,), max_iter=20, random_state=0)
    clf.fit(X, TARGETS["multiclass_strings"](X))
    out = _run(ort, clf, X, options={"zipmap": False, "nocl": True})
    assert_array_equal(out["label"], np.searchsorted(clf.classes_, clf.predict(X)))


def test_a_pipeline_around_the_estimator_converts(ort):
    X = 5 * _X(np.float32) + 3
    pipe = make_pipeline(StandardScaler(), SGDMLPClassifier((8,), max_iter=20,
                                                            random_state=0))
    pipe.fit(X, TARGETS["multiclass"](X))
    _check_classifier(ort, pipe, X)


def test_an_unfitted_estimator_does_not_convert(ort):
    from skl2onnx import to_onnx

    with pytest.raises(NotFittedError):
        to_onnx(SGDMLPRegressor(), _X(np.float32)[:1])


# ------------------------------------------------------- categorical embeddings
def _categorical_X(dtype, n=200):
    """Numeric columns 0 and 2; integer levels in column 1, half-step levels in 3."""
    rng = np.random.RandomState(0)
    return np.column_stack([
        rng.randn(n), rng.randint(0, 7, n), rng.randn(n), rng.randint(0, 30, n) * 1.5,
    ]).astype(dtype)  # (n, 4)


def _with_unseen_and_missing(X):
    X = X.copy()
    X[:5, 1] = 99  # a level never seen at fit
    X[5:9, 3] = np.nan  # missing values
    return X


@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding_classifier_converts_with_unknown_and_missing_levels(dtype, ort):
    X = _categorical_X(dtype)
    y = (X[:, 1] % 2 + (X[:, 0] > 0)).astype(int)  # three classes
    clf = SGDMLPClassifier((8,), categorical_features=[1, 3], max_iter=20,
                           random_state=0).fit(X, y)
    _check_classifier(ort, clf, _with_unseen_and_missing(X))


@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding_regressor_with_batch_norm_converts(dtype, ort):
    X = _categorical_X(dtype)
    y = X[:, 0] + np.sin(X[:, 1]) + 0.1 * X[:, 3]
    reg = SGDMLPRegressor((8,), categorical_features=[False, True, False, True],
                          embedding_dim=3, batch_norm=True, max_iter=20,
                          random_state=0).fit(X, y)
    _check_regressor(ort, reg, _with_unseen_and_missing(X))


def test_string_levels_do_not_convert_and_the_error_names_the_column(ort):
    pd = pytest.importorskip("pandas")
    from skl2onnx import to_onnx

    rng = np.random.RandomState(0)
    df = pd.DataFrame({"x": rng.randn(60), "city": rng.choice(["a", "b", "c"], 60)})
    clf = SGDMLPClassifier((4,), categorical_features=["city"], max_iter=5,
                           random_state=0).fit(df, np.arange(60) % 2)
    with pytest.raises(TypeError, match="'city'.*numeric levels"):
        to_onnx(clf, np.zeros((1, 2)))
