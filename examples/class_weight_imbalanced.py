"""class_weight on an imbalanced problem: minority-class recall with and without it.

A two-class problem where 5% of the samples belong to the minority class. The
plain fit mostly predicts the majority class; ``class_weight='balanced'`` weights
each class inversely to its frequency (as scikit-learn's compute_class_weight) and
recovers much of the minority class, at some cost in precision.

Run: ``python examples/class_weight_imbalanced.py``
"""

import warnings

from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import precision_score, recall_score
from sklearn.model_selection import train_test_split

from skmlp import SGDMLPClassifier

X, y = make_classification(
    n_samples=3000, n_features=10, n_informative=4, weights=[0.95], class_sep=0.7,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

print(f"minority share of the test set: {y_test.mean():.3f}")
print(f"{'class_weight':14s} {'minority recall':>15s} {'minority precision':>18s}")
for class_weight in [None, "balanced", {0: 1.0, 1: 5.0}]:
    clf = SGDMLPClassifier((32,), max_iter=100, random_state=0, class_weight=class_weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    y_pred = clf.predict(X_test)
    print(f"{str(class_weight):14s} {recall_score(y_test, y_pred):15.3f} "
          f"{precision_score(y_test, y_pred):18.3f}")
