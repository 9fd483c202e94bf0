"""Dropout and batch normalisation against over-fitting, on scikit-learn's digits.

An over-sized network (two hidden layers of 512 units, no L2 penalty) is trained
for 150 full-batch SGD epochs on 150 images; 300 more are a validation set
(``X_val``) whose loss is recorded every epoch, the remaining ~1350 a held-out
test set. The settings (solver, learning rate, epochs, dropout rate) were picked
by comparing validation accuracy only; the test set is scored once, at the end.
Each figure is a mean over 5 stratified splits (and seeds); "gain" is the paired
difference from the plain network on the same split.

Run: ``python examples/dropout_batchnorm_digits.py`` (``--quick``: 1 split, 30 epochs)
"""

import sys
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from skmlp import SGDMLPClassifier

QUICK = "--quick" in sys.argv
N_SPLITS, EPOCHS = (1, 30) if QUICK else (5, 150)
CONFIGS = {"plain": {}, "dropout=0.5": {"dropout": 0.5}, "batch_norm": {"batch_norm": True},
           "both": {"dropout": 0.5, "batch_norm": True}}
warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is the budget, on purpose
threadpool_limits(1)  # 150-row batches: extra BLAS threads only contend
X, y = load_digits(return_X_y=True)
X = X / 16.0

res = {name: {"train": [], "test": [], "val_loss": []} for name in CONFIGS}
for seed in range(N_SPLITS):
    X_tr, X_rest, y_tr, y_rest = train_test_split(
        X, y, train_size=150, stratify=y, random_state=seed)
    X_val, X_te, y_val, y_te = train_test_split(
        X_rest, y_rest, train_size=300, stratify=y_rest, random_state=seed)
    for name, params in CONFIGS.items():
        clf = SGDMLPClassifier(
            hidden_layer_sizes=(512, 512), alpha=0.0, solver="sgd",
            learning_rate_init=0.2, batch_size=150, max_iter=EPOCHS,
            n_iter_no_change=EPOCHS, random_state=seed, **params,
        ).fit(X_tr, y_tr, X_val=X_val, y_val=y_val)  # n_iter_no_change: run every epoch
        res[name]["train"].append(clf.score(X_tr, y_tr))
        res[name]["test"].append(clf.score(X_te, y_te))
        res[name]["val_loss"].append(clf.validation_loss_curve_)

marks = [e for e in (1, 10, 25, 50, 100, 150) if e <= EPOCHS]
print("validation loss at epoch " + " ".join(f"{e:>6d}" for e in marks))
for name, r in res.items():
    curve = np.mean(r["val_loss"], axis=0)  # (EPOCHS,) mean over splits
    print(f"{name:24s} " + " ".join(f"{curve[e - 1]:6.3f}" for e in marks))

plain = np.array(res["plain"]["test"])
print(f"\n{'network':12s} {'train acc':>9s} {'held-out acc':>15s} {'gain vs plain':>15s} wins")
for name, r in res.items():
    test, gain = np.array(r["test"]), np.array(r["test"]) - plain
    print(f"{name:12s} {np.mean(r['train']):9.3f} {test.mean():8.3f} ± {test.std():.3f}"
          f" {gain.mean():+8.3f} ± {gain.std():.3f} {(gain > 0).sum()}/{len(gain)}")
