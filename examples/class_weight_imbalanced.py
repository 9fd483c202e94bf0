"""
Class weights on an imbalanced problem
======================================

A two-class problem where 5% of the samples belong to the minority class. The
plain fit mostly predicts the majority class; ``class_weight='balanced'`` weights
each class inversely to its frequency (as scikit-learn's
``compute_class_weight``) and recovers much of the minority class, at some cost in
precision. A dictionary sets the weights by hand.

Run: ``python examples/class_weight_imbalanced.py``
"""

# %%
# The data and three classifiers
# ------------------------------
# The split is stratified so that the test set keeps the 5% share. Only
# ``class_weight`` differs between the three fits.

import warnings

import matplotlib

matplotlib.use("Agg")  # draw off-screen; delete this line and call plt.show() for a window
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay, precision_score, recall_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skmlp import SGDMLPClassifier  # noqa: E402

X, y = make_classification(
    n_samples=3000, n_features=10, n_informative=4, weights=[0.95], class_sep=0.7,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

print(f"minority share of the test set: {y_test.mean():.3f}")
print(f"{'class_weight':14s} {'minority recall':>15s} {'minority precision':>18s}")
predictions = {}
for class_weight in [None, "balanced", {0: 1.0, 1: 5.0}]:
    clf = SGDMLPClassifier((32,), max_iter=100, random_state=0, class_weight=class_weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    y_pred = clf.predict(X_test)
    predictions[str(class_weight)] = y_pred
    print(f"{str(class_weight):14s} {recall_score(y_test, y_pred):15.3f} "
          f"{precision_score(y_test, y_pred):18.3f}")

# %%
# Where the errors go
# -------------------
# Each confusion matrix counts the test samples by true and predicted class. The
# bottom row is the minority class: without weights most of it is predicted as
# the majority class (bottom left); with weights most of it is found (bottom
# right), and the price is the majority samples now predicted as the minority
# (top right).

fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
for ax, (name, y_pred) in zip(axes, predictions.items()):
    ConfusionMatrixDisplay.from_predictions(y_test, y_pred, ax=ax, colorbar=False)
    ax.set_title(f"class_weight={name}")
fig.tight_layout()
