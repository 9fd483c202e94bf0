"""summary() and n_params_: the network's layers and parameter counts."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from conftest import network_of
from skmlp import SGDMLPClassifier, SGDMLPRegressor
from skmlp._core.activations import Identity, ReLU
from skmlp._core.layers import Dense, Layer
from skmlp._core.network import Network
from skmlp._core.summary import format_summary, summary_rows


def _rows(est):
    return summary_rows(network_of(est), est.n_features_in_, est.out_activation_)


def _printed(row, table):
    """The row's cells appear, in order, on one line of the table."""
    for line in table.splitlines():
        rest = line
        for cell in filter(None, row):
            pos = rest.find(cell)
            if pos < 0:
                break
            rest = rest[pos + len(cell):]
        else:
            return True
    return False


@pytest.mark.parametrize(
    "hidden, n_features, n_classes, expected",
    [
        ((3,), 2, 2, 3 * 3 + 1 * 4),  # binary: one logistic output
        ((10, 5), 4, 3, 10 * 5 + 5 * 11 + 3 * 6),
        ((7,), 6, 4, 7 * 7 + 4 * 8),
    ],
)
def test_n_params_counts_weights_and_biases_of_every_layer(
    hidden, n_features, n_classes, expected
):
    rng = np.random.RandomState(0)
    X = rng.randn(40, n_features)  # (40, n_features)
    y = np.arange(40) % n_classes  # (40,)
    est = SGDMLPClassifier(hidden, max_iter=2, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y)
    assert est.n_params_ == expected
    assert est.n_params_ == sum(c.size for c in est.coefs_ + est.intercepts_)


def test_summary_lists_each_layer_with_shape_activation_and_count():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 4)  # (30, 4)
    est = SGDMLPRegressor((8, 5), activation="tanh", solver="lbfgs", max_iter=3,
                          random_state=0)
    with pytest.warns(Warning):
        est.fit(X, X[:, :2])
    table = est.summary()
    rows = _rows(est)
    assert [r[1:5] for r in rows] == [
        ("Input", "(n, 4)", "", "0"),
        ("Dense", "(n, 8)", "tanh", "40"),
        ("Dense", "(n, 5)", "tanh", "45"),
        ("Dense", "(n, 2)", "identity", "12"),
    ]
    assert all(_printed(row, table) for row in rows)
    assert f"Total params: {est.n_params_:,}" in table


def test_summary_shows_each_hidden_layers_own_activation():
    X = np.random.RandomState(0).randn(30, 3)  # (30, 3)
    est = SGDMLPClassifier((5, 4, 3), activation=["tanh", "relu", "gelu"],
                           batch_norm=True, max_iter=2, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, np.arange(30) % 2)
    rows = _rows(est)
    assert [(r[1], r[3]) for r in rows] == [
        ("Input", ""),
        ("Dense", "tanh"), ("BatchNorm", ""),
        ("Dense", "relu"), ("BatchNorm", ""),
        ("Dense", "gelu"), ("BatchNorm", ""),
        ("Dense", "logistic"),
    ]
    table = est.summary()
    assert all(_printed(row, table) for row in rows)


def test_summary_names_the_output_link_of_a_multiclass_classifier():
    X = np.random.RandomState(0).randn(30, 3)  # (30, 3)
    est = SGDMLPClassifier((4,), max_iter=2, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, np.arange(30) % 3)
    assert _rows(est)[-1][3] == "softmax"


def test_summary_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        SGDMLPClassifier().summary()


class _Scale(Layer):
    """A layer other than Dense: one learned scale per unit."""

    def __init__(self, n):
        self.n_in = self.n_out = n
        self.param_specs = (("gamma", (n,), "extra"),)

    def __repr__(self):
        return f"Scale(n={self.n_out})"


def test_summary_walks_layers_of_any_kind():
    net = Network([Dense(3, 4, ReLU()), _Scale(4), Dense(4, 2, Identity())],
                  np.float64)
    rows = summary_rows(net, 3, "softmax")
    assert [r[1] for r in rows] == ["Input", "Dense", "_Scale", "Dense"]
    assert rows[2][3:] == ("", "4", "Scale(n=4)")
    table = format_summary(net, 3, "softmax", "title")
    assert all(_printed(row, table) for row in rows)
    assert "Total params: 30 (float64)" in table  # 16 + 4 + 10
