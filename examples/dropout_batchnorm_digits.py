"""Dropout and batch normalisation against over-fitting, on scikit-learn's digits.

A deliberately over-sized network (two hidden layers of 512 units) is trained on a
small training split (300 images). Without regularisation it fits the training set
perfectly and generalises less well; dropout and batch normalisation narrow the gap.
An explicit validation set (``X_val``, ``y_val``) records the validation loss of
every epoch, printed every few epochs; the held-out test accuracy of each network
is printed at the end.

Run: ``python examples/dropout_batchnorm_digits.py``
"""

import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skmlp import SGDMLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_rest, y_train, y_rest = train_test_split(
    X, y, train_size=300, stratify=y, random_state=0
)
X_val, X_test, y_val, y_test = train_test_split(
    X_rest, y_rest, train_size=300, stratify=y_rest, random_state=0
)

CONFIGS = {
    "plain": {},
    "dropout=0.5": {"dropout": 0.5},
    "batch_norm": {"batch_norm": True},
    "both": {"dropout": 0.5, "batch_norm": True},
}

results = {}
for name, params in CONFIGS.items():
    clf = SGDMLPClassifier(
        hidden_layer_sizes=(512, 512),
        max_iter=60,
        random_state=0,
        **params,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    results[name] = clf
    curve = clf.validation_loss_curve_
    print(f"{name:12s} validation loss every 10 epochs:",
          " ".join(f"{v:.3f}" for v in curve[9::10]))

print()
print(f"{'network':12s} {'train acc':>9s} {'test acc':>9s}")
for name, clf in results.items():
    print(f"{name:12s} {clf.score(X_train, y_train):9.3f} {clf.score(X_test, y_test):9.3f}")
