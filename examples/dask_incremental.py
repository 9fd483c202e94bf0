"""
Out-of-core training on a dask cluster
======================================

dask-ml's ``Incremental`` walks the row blocks of a dask array in order and calls
``partial_fit`` on each; calling it again makes another pass. The data never has
to fit in one machine's memory. In the quick mode (the one this gallery ran) the
local cluster's two workers are threads of this process and the data is small;
the full run starts two worker processes. Needs ``pip install "skmlp[dask]"``.
Run ``python examples/dask_incremental.py`` (``--quick`` for a smoke run).
"""

import sys

import dask.array as da
from dask_ml.wrappers import Incremental
from distributed import Client, LocalCluster

from skmlp import SGDMLPClassifier


# %%
# A chunked data set
# ------------------
# The rows come in blocks of ``chunk`` rows; dask computes a block only when a
# worker needs it. A real data set would come from ``da.from_zarr`` or
# ``dask.dataframe.read_parquet(...).to_dask_array(lengths=True)``.


def make_data(seed, n, chunk):
    """A dask array of n rows in blocks of chunk rows, and its binary target."""
    X = da.random.RandomState(seed).normal(size=(n, 20), chunks=(chunk, 20))
    return X, (X[:, 0] - X[:, 1] + 0.5 * X[:, 2] ** 2 > 0.5).astype(int)


# %%
# Passes over the blocks
# ----------------------
# Each ``Incremental.partial_fit`` call is one pass: one ``partial_fit`` of the
# wrapped estimator per block, in order. ``model.estimator_`` is the trained
# skmlp model, usable without dask. Worker processes import this script again,
# hence the ``if __name__ == "__main__"`` guard.


def main(quick=False):
    # A cluster on this machine. On a real cluster, skip LocalCluster and connect
    # to its scheduler instead: client = Client("tcp://scheduler-host:8786")
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=not quick,
                           dashboard_address=None)
    client = Client(cluster)

    n, chunk = (20_000, 2_000) if quick else (400_000, 20_000)
    X, y = make_data(0, n, chunk)
    X_test, y_test = (a.compute() for a in make_data(1, chunk, chunk))  # held out

    model = Incremental(SGDMLPClassifier((32,), learning_rate_init=0.003,
                                         random_state=0), scoring="accuracy")
    for p in range(2 if quick else 5):
        model.partial_fit(X, y, classes=[0, 1])  # one pass over all blocks
        print(f"pass {p + 1}: {model.estimator_.t_} samples seen, "
              f"held-out accuracy {model.estimator_.score(X_test, y_test):.4f}")
    print("one row:", model.predict(X[:1]).compute(),
          "probabilities:", model.predict_proba(X[:1]).compute().round(3))
    client.close()
    cluster.close()


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
