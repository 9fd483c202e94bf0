"""Sparse batches as ``SparseRows`` and prediction in row chunks (issue 13, items 3-4)."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

import skmlp._core.network as network_module
from skmlp import SGDMLPClassifier, SGDMLPRegressor
from skmlp._core.batching import BatchGatherer, SparseRows, as_rows


@pytest.fixture(scope="module")
def csr():
    X = sp.random(300, 40, density=0.1, format="csr", random_state=0)  # (300, 40)
    return X


@pytest.mark.parametrize("rows", [slice(0, 300), slice(17, 91), slice(299, 300), slice(5, 5)])
def test_sparse_rows_products_are_scipys_bit_for_bit(csr, rows):
    rng = np.random.default_rng(0)
    block = SparseRows.of(csr)[rows]
    sub = csr[rows]
    W = rng.standard_normal((40, 7))  # (n_in, n_out)
    dZ = rng.standard_normal((sub.shape[0], 7))  # (n, n_out)
    assert block.shape == sub.shape
    assert_array_equal(block.toarray(), sub.toarray())
    assert_array_equal(block.dot(W, out=np.empty((sub.shape[0], 7))), sub @ W)
    assert_array_equal(block.tdot(dZ, out=np.full((40, 7), np.nan)), sub.T @ dZ)


def test_sparse_rows_of_another_dtype_fall_back_to_scipy(csr):
    W = np.ones((40, 3), dtype=np.float32)  # (n_in, n_out)
    out = np.empty((300, 3), dtype=np.float32)  # (n, n_out)
    assert_allclose(SparseRows.of(csr).dot(W, out=out), csr @ W, rtol=1e-6)


def test_shuffled_csr_batches_are_views_of_one_selection_per_chunk():
    X = sp.random(5000, 40, density=0.1, format="csr", random_state=0)  # (5000, 40)
    Y = np.arange(5000.0).reshape(-1, 1)  # (5000, 1)
    gatherer = BatchGatherer(X, Y, None, batch_size=32, shuffle=True)
    assert gatherer.chunk > 32  # several batches per selection
    order = np.random.default_rng(1).permutation(5000)
    for (Xb, Yb, _), start in zip(gatherer.batches(order), range(0, 5000, 32)):
        assert isinstance(Xb, SparseRows)
        assert_array_equal(Xb.toarray(), X[order[start:start + 32]].toarray())
        assert_array_equal(Yb[:, 0], order[start:start + 32])


def test_as_rows_converts_csc_once_and_keeps_dense(csr):
    dense = csr.toarray()
    assert as_rows(dense) is dense
    assert_array_equal(as_rows(csr.tocsc()).toarray(), dense)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 12))  # (600, 12)
    return X, (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0)


@pytest.mark.parametrize("kw", [{}, {"batch_norm": True}, {"dropout": 0.3}])
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
def test_chunked_predict_matches_one_forward_pass(data, kw, fmt, monkeypatch):
    X, y = data
    est = SGDMLPClassifier((16,), max_iter=5, random_state=0, **kw).fit(X, y)
    Xin = X if fmt == "dense" else sp.csr_matrix(X).asformat(fmt)
    whole = est.predict_proba(Xin)  # (600, 3) one chunk
    state = est._state
    assert_array_equal(whole, state.loss.inverse_link(state.network.forward(Xin, False)))
    monkeypatch.setattr(network_module, "PREDICT_CHUNK_BYTES", 1)  # chunks of 64 rows
    chunked = est.predict_proba(Xin)
    assert_allclose(chunked, whole, rtol=1e-13, atol=1e-15)
    assert_array_equal(est.predict(Xin), whole.argmax(axis=1))


def test_chunked_predict_of_a_regressor_keeps_its_shape(data, monkeypatch):
    X, y = data
    est = SGDMLPRegressor((16,), max_iter=5, random_state=0).fit(X, y.astype(float))
    whole = est.predict(X)  # (600,)
    monkeypatch.setattr(network_module, "PREDICT_CHUNK_BYTES", 1)
    assert_allclose(est.predict(X), whole, rtol=1e-13, atol=1e-13)
    assert est.predict(X).shape == (600,)
