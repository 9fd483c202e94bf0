"""dask: out-of-core training with dask-ml's Incremental, model search on a cluster.

Runs against a distributed.LocalCluster on loopback with in-process workers.
"""

import joblib
import numpy as np
import pytest
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV

from skmlp import SGDMLPClassifier, SGDMLPRegressor

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
wrappers = pytest.importorskip("dask_ml.wrappers")

N, CHUNK = 400, 100


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False,
        protocol="tcp://", host="127.0.0.1", dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(N, 5)  # (N, 5)
    y = (X[:, 0] - X[:, 1] > 0).astype(int)  # (N,)
    return X, y


class CallLogClassifier(SGDMLPClassifier):
    """Records how dask-ml calls partial_fit."""

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        self.calls_ = getattr(self, "calls_", []) + [(X.shape[0], classes)]
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


def test_incremental_calls_partial_fit_once_per_block_with_classes(client):
    X, y = _data()
    dX = da.from_array(X, chunks=(CHUNK, 5))
    dy = da.from_array(y, chunks=CHUNK)
    inc = wrappers.Incremental(CallLogClassifier((8,), random_state=0))
    inc.fit(dX, dy, classes=[0, 1])
    calls = inc.estimator_.calls_
    assert [n for n, _ in calls] == [CHUNK] * (N // CHUNK)
    assert all(list(c) == [0, 1] for _, c in calls)
    assert inc.estimator_.t_ == N


def test_incremental_passes_train_a_classifier(client):
    X, y = _data()
    dX = da.from_array(X, chunks=(CHUNK, 5))
    dy = da.from_array(y, chunks=CHUNK)
    inc = wrappers.Incremental(
        SGDMLPClassifier((16,), learning_rate_init=0.01, random_state=0),
        scoring="accuracy",
    )
    for _ in range(8):  # several passes over the blocks
        inc.partial_fit(dX, dy, classes=[0, 1])
    assert inc.estimator_.t_ == 8 * N
    assert inc.score(dX, dy) > 0.9
    one = inc.predict(dX[:1]).compute()
    assert one.shape == (1,) and one[0] in (0, 1)
    proba = inc.predict_proba(dX).compute()
    assert proba.shape == (N, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(proba, inc.estimator_.predict_proba(X))


def test_incremental_regressor_on_blocks(client):
    X, _ = _data()
    y = X[:, 0] + 0.5 * X[:, 2]  # (N,)
    dX = da.from_array(X, chunks=(CHUNK, 5))
    dy = da.from_array(y, chunks=CHUNK)
    # dask-ml 2025.1's dask r2_score fails on current dask ("cannot broadcast
    # shape (nan,)"); its mean squared error works, and r2 is checked locally.
    inc = wrappers.Incremental(
        SGDMLPRegressor((16,), learning_rate_init=0.01, random_state=0),
        scoring="neg_mean_squared_error",
    )
    for _ in range(10):
        inc.partial_fit(dX, dy)
    pred = inc.predict(dX).compute()
    np.testing.assert_allclose(pred, inc.estimator_.predict(X))
    assert inc.score(dX, dy) == pytest.approx(-np.mean((pred - y) ** 2))
    assert r2_score(y, pred) > 0.8


def test_grid_search_on_the_dask_backend_matches_a_local_search(client):
    X, y = _data()
    grid = {"hidden_layer_sizes": [(4,), (8,)], "alpha": [1e-4, 1e-1]}
    est = SGDMLPClassifier(max_iter=30, learning_rate_init=0.01, random_state=0)
    local = GridSearchCV(est, grid, cv=2).fit(X, y)
    with joblib.parallel_backend("dask"):
        remote = GridSearchCV(est, grid, cv=2, n_jobs=-1).fit(X, y)
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"])
    assert remote.best_params_ == local.best_params_
    assert client.run(lambda: True)  # the cluster is alive and was in use
