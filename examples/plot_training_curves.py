"""
Loss and validation curves per epoch
====================================

:class:`~skmlp.TrainingCurveDisplay` draws what a stochastic-solver fit records
every epoch: the training loss (``loss_curve_``), the validation loss
(``validation_loss_curve_``) and the validation score (``validation_scores_``).
Two learning rates on the digits show the usual picture: the small one is still
improving when the larger one has already stopped early.

Needs ``pip install "skmlp[plot]"``.
Run ``python examples/plot_training_curves.py [--out FILE.png]``; ``--quick`` is a
smoke run that writes to the temporary directory unless ``--out`` is given.
"""

import os
import sys
import tempfile
import warnings

import matplotlib

matplotlib.use("Agg")  # draw to a file; remove to show a window instead
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skmlp import SGDMLPClassifier, TrainingCurveDisplay  # noqa: E402

args = sys.argv[1:]
QUICK = "--quick" in args
default = os.path.join(tempfile.gettempdir() if QUICK else ".", "training_curves.png")
OUT = args[args.index("--out") + 1] if "--out" in args else default
if QUICK:  # 15 epochs are the quick run's budget, on purpose
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

# %%
# Two fits, one panel each
# ------------------------
# ``early_stopping=True`` holds out 10% of the training data as a validation set,
# scores it after every epoch and stops once the score has not improved for
# ``n_iter_no_change`` epochs. The display takes a fitted estimator (or a
# Pipeline ending in one) and an optional Axes.

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, lr in zip(axes, (1e-3, 1e-2)):
    clf = SGDMLPClassifier((64,), learning_rate_init=lr, early_stopping=True,
                           n_iter_no_change=10, max_iter=15 if QUICK else 200,
                           random_state=0)
    clf.fit(X, y)
    TrainingCurveDisplay.from_estimator(clf, ax=ax, name=f"learning_rate_init={lr:g}")
    print(f"lr={lr:g}: {clf.n_iter_} epochs, "
          f"best validation accuracy {clf.best_validation_score_:.4f}")
fig.tight_layout()

# %%
# Reading the curves
# ------------------
# The training loss (solid) falls steadily; the validation loss (dashed) follows
# it and flattens where the network starts to learn the training set's
# particulars; the validation accuracy (right axis) levels off at the same point,
# which is where early stopping ends the larger learning rate's run. In the
# gallery's quick mode both fits stop at 15 epochs, before that happens.

fig.savefig(OUT, dpi=100)
print("saved", OUT)
