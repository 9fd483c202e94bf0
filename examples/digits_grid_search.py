"""Model selection on the digits: GridSearchCV over the network's size and penalty.

The grid also covers ``dropout`` when the installed skmlp has it.
Run ``python examples/digits_grid_search.py`` (``--quick`` for a smoke run).
"""

import sys
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import SGDMLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def main(quick=False):
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:400], y[:400]
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    pipe = Pipeline([
        ("scale", StandardScaler()),
        ("mlp", SGDMLPClassifier(max_iter=10 if quick else 200, random_state=0)),
    ])
    grid = {
        "mlp__hidden_layer_sizes": [(32,), (64,)] if quick else [(32,), (64,), (64, 32)],
        "mlp__alpha": [1e-4, 1e-2] if quick else [1e-4, 1e-3, 1e-2],
    }
    if "dropout" in SGDMLPClassifier().get_params():
        grid["mlp__dropout"] = [0.0, 0.2]
    search = GridSearchCV(pipe, grid, cv=2 if quick else 3, n_jobs=-1)
    search.fit(X_train, y_train)

    print("best parameters:", search.best_params_)
    print(f"best CV accuracy: {search.best_score_:.4f}")
    print(f"test accuracy:    {search.score(X_test, y_test):.4f}")
    print(search.best_estimator_["mlp"].summary())


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
