"""Training curves: loss per epoch and validation score, saved as a PNG.

Needs ``pip install "skmlp[plot]"``.
Run ``python examples/plot_training_curves.py [--out FILE.png]``; ``--quick`` is a
smoke run that writes to the temporary directory unless ``--out`` is given.
"""

import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")  # draw to a file; remove to show a window instead
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skmlp import SGDMLPClassifier, TrainingCurveDisplay  # noqa: E402


def main(quick=False, out="training_curves.png"):
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, lr in zip(axes, (1e-3, 1e-2)):
        clf = SGDMLPClassifier((64,), learning_rate_init=lr, early_stopping=True,
                               n_iter_no_change=10, max_iter=15 if quick else 200,
                               random_state=0)
        clf.fit(X, y)
        TrainingCurveDisplay.from_estimator(clf, ax=ax,
                                            name=f"learning_rate_init={lr:g}")
        print(f"lr={lr:g}: {clf.n_iter_} epochs, "
              f"best validation accuracy {clf.best_validation_score_:.4f}")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print("saved", out)


if __name__ == "__main__":
    args = sys.argv[1:]
    quick = "--quick" in args
    default = os.path.join(tempfile.gettempdir() if quick else ".", "training_curves.png")
    main(quick=quick, out=args[args.index("--out") + 1] if "--out" in args else default)
