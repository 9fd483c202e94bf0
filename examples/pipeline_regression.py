"""
Regression in a Pipeline, next to scikit-learn's MLP
====================================================

:class:`~skmlp.SGDMLPRegressor` and scikit-learn's ``MLPRegressor`` are scored
with ``cross_validate`` on the diabetes data. Inputs and target are standardised
inside the cross-validation (the target by ``TransformedTargetRegressor``), so no
fold sees statistics of another.

Run ``python examples/pipeline_regression.py`` (``--quick`` for a smoke run).
"""

import sys
import warnings

from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_validate
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import SGDMLPRegressor

warnings.filterwarnings("ignore", category=ConvergenceWarning)
QUICK = "--quick" in sys.argv[1:]

# %%
# Two estimators, one set of parameters
# -------------------------------------
# Networks train best on a standardised target too; the predictions are mapped
# back to the original scale before scoring.

X, y = load_diabetes(return_X_y=True)
params = dict(hidden_layer_sizes=(32,), alpha=1.0, learning_rate_init=0.01,
              max_iter=30 if QUICK else 500, early_stopping=True, random_state=0)
for Estimator in (SGDMLPRegressor, MLPRegressor):
    pipe = make_pipeline(StandardScaler(), Estimator(**params))
    model = TransformedTargetRegressor(regressor=pipe, transformer=StandardScaler())
    cv = cross_validate(model, X, y, cv=3 if QUICK else 5,
                        scoring=("r2", "neg_mean_absolute_error"))
    r2, mae = cv["test_r2"], -cv["test_neg_mean_absolute_error"]
    print(f"{Estimator.__name__:<16} R2 {r2.mean():.3f} ± {r2.std():.3f}   "
          f"MAE {mae.mean():6.2f}   fit {cv['fit_time'].mean():.3f} s")
