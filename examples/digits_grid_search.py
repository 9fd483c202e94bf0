"""
Model selection with GridSearchCV
=================================

scikit-learn's ``GridSearchCV`` searches the network's size and L2 penalty (and
the dropout rate) on the digits, through a Pipeline that scales the pixels
inside each fold. Nothing here is specific to skmlp but the estimator.

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
QUICK = "--quick" in sys.argv[1:]

# %%
# The grid
# --------
# Pipeline parameters are addressed as ``step__parameter``. ``dropout`` is one of
# skmlp's additions; the check keeps the script working with an skmlp that lacks
# it.

X, y = load_digits(return_X_y=True)
if QUICK:
    X, y = X[:400], y[:400]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
pipe = Pipeline([
    ("scale", StandardScaler()),
    ("mlp", SGDMLPClassifier(max_iter=10 if QUICK else 200, random_state=0)),
])
grid = {
    "mlp__hidden_layer_sizes": [(32,), (64,)] if QUICK else [(32,), (64,), (64, 32)],
    "mlp__alpha": [1e-4, 1e-2] if QUICK else [1e-4, 1e-3, 1e-2],
}
if "dropout" in SGDMLPClassifier().get_params():
    grid["mlp__dropout"] = [0.0, 0.2]
search = GridSearchCV(pipe, grid, cv=2 if QUICK else 3, n_jobs=-1)
search.fit(X_train, y_train)

# %%
# The best candidate
# ------------------
# ``summary()`` lists the chosen network's layers, shapes, activations and
# parameter counts.

print("best parameters:", search.best_params_)
print(f"best CV accuracy: {search.best_score_:.4f}")
print(f"test accuracy:    {search.score(X_test, y_test):.4f}")
print(search.best_estimator_["mlp"].summary())
