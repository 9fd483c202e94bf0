"""
Quick start: skmlp next to scikit-learn's MLP
=============================================

:class:`~skmlp.SGDMLPClassifier` and scikit-learn's ``MLPClassifier`` get
identical parameters inside the same Pipeline and are scored with 5-fold
cross-validation on the bundled digits data set. Swapping one for the other is
the only change: the import.

Run ``python examples/quickstart.py`` (or ``--quick`` for a short smoke run).
"""

import sys
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import SGDMLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)
QUICK = "--quick" in sys.argv[1:]

# %%
# The same parameters for both
# ----------------------------
# Both estimators read the same keyword arguments, with the same meaning and
# defaults; for the same ``random_state`` they even start from the same weights.

X, y = load_digits(return_X_y=True)
params = dict(
    hidden_layer_sizes=(64,),
    max_iter=20 if QUICK else 200,
    random_state=0,
    early_stopping=False,
)
cv = 3 if QUICK else 5
results = {}
for name, Estimator in [("SGDMLPClassifier", SGDMLPClassifier),
                        ("MLPClassifier", MLPClassifier)]:
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", Estimator(**params))])
    results[name] = cross_validate(pipe, X, y, cv=cv)

# %%
# Accuracy and fit time
# ---------------------
# The accuracies agree (the two libraries train the same network the same way);
# the fit times show skmlp's faster NumPy core. Timings vary with the machine and
# its load.

base = results["MLPClassifier"]["fit_time"].mean()
print(f"digits: {X.shape[0]} samples, {X.shape[1]} features, {cv}-fold CV")
print(f"{'estimator':<18} {'accuracy':>17} {'fit time (s)':>13} {'speedup':>8}")
for name, res in results.items():
    acc, fit = res["test_score"], res["fit_time"].mean()
    print(f"{name:<18} {acc.mean():>8.4f} ± {acc.std():.4f} "
          f"{fit:>13.3f} {base / fit:>7.2f}x")
print("speedup = MLPClassifier mean fit time / this estimator's mean fit time")
