"""
Parallel model search on a dask cluster
=======================================

scikit-learn's own ``GridSearchCV`` runs on a dask cluster through joblib:
under ``joblib.parallel_backend("dask")`` every (candidate, fold) fit of
``GridSearchCV(n_jobs=-1)`` runs as a task on the cluster's workers. In the quick
mode (the one this gallery ran: 5 epochs, hence the low accuracy) the local
cluster's two workers are threads of this process; the full run starts two
worker processes. Needs ``pip install "skmlp[dask]"``.
Run ``python examples/dask_gridsearch.py`` (``--quick`` for a smoke run).
"""

import sys
import warnings

import joblib
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import SGDMLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)


# %%
# The search
# ----------
# The only dask-specific line is the ``parallel_backend`` context; everything else
# is the usual Pipeline and grid. Worker processes import this script again, hence
# the ``if __name__ == "__main__"`` guard.


def main(quick=False):
    # A cluster on this machine. On a real cluster, connect to its scheduler
    # instead: client = Client("tcp://scheduler-host:8786")
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=not quick,
                           dashboard_address=None)
    client = Client(cluster)

    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:500], y[:500]
    pipe = make_pipeline(StandardScaler(),
                         SGDMLPClassifier(max_iter=5 if quick else 200,
                                          random_state=0))
    sizes = [(16,), (32,)] if quick else [(32,), (64,), (128,)]
    grid = {"sgdmlpclassifier__hidden_layer_sizes": sizes,
            "sgdmlpclassifier__alpha": [1e-4, 1e-2]}
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=-1)
    with joblib.parallel_backend("dask"):
        search.fit(X, y)
    print("workers:", len(client.scheduler_info()["workers"]))
    print("best:", search.best_params_, f"CV accuracy {search.best_score_:.4f}")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
