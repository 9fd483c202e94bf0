"""
Solvers, schedules and robust losses
====================================

Two measurements of the toolkit's training parameters. First, eight optimizer
settings train the same network on the digits for the same number of epochs:
scikit-learn's ``'sgd'`` (plain momentum and Nesterov) and ``'adam'``, and the
added ``'adamw'`` (with a constant step and with a warmed-up cosine schedule),
``'rmsprop'`` and ``'adagrad'``, plus ``adam`` with gradient clipping. Second, a regression whose
training targets contain 5% gross outliers is fitted with the squared, Huber
and absolute losses and scored on clean test targets.

Run ``python examples/plot_solvers_and_losses.py``; ``--quick`` is a smoke run
on less data and fewer epochs.
"""

# %%
# One problem, eight optimizer settings
# -------------------------------------
# The digits are standardised (the scaler is fitted on the training part only)
# and every fit uses a (64,) hidden layer, ``random_state=0``, the same epoch
# budget and the same ``learning_rate_init=0.01``; only the optimizer settings
# differ. ``n_iter_no_change`` is larger than the budget, so no fit stops early
# and every ``loss_curve_`` has the same length. Plain ``adamw`` (constant step)
# sits beside the scheduled one, so that the schedule's effect can be told apart
# from the weight decay's.

import sys
import time
import warnings

import matplotlib

matplotlib.use("Agg")  # draw off-screen; delete this line and call plt.show() for a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits, make_friedman1  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import mean_squared_error, median_absolute_error  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skmlp import SGDMLPClassifier, SGDMLPRegressor  # noqa: E402

QUICK = "--quick" in sys.argv
# Every fit runs its full epoch budget on purpose, which is what the warning
# reports.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

EPOCHS = 5 if QUICK else 30
X, y = load_digits(return_X_y=True)
if QUICK:
    X, y = X[:600], y[:600]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

settings = {
    "sgd, momentum": dict(solver="sgd", momentum=0.9, nesterovs_momentum=False),
    "sgd, Nesterov": dict(solver="sgd", momentum=0.9, nesterovs_momentum=True),
    "adam": dict(solver="adam"),
    "adamw": dict(solver="adamw"),
    "adamw + cosine + warm-up": dict(solver="adamw", learning_rate="cosine",
                                     warmup_fraction=0.1),
    "rmsprop": dict(solver="rmsprop"),
    "adagrad": dict(solver="adagrad"),
    "adam, max_grad_norm=1": dict(solver="adam", max_grad_norm=1.0),
}

print(f"{'setting':26s} {'final loss':>10s} {'test accuracy':>13s} {'seconds':>7s}")
curves = {}
for name, params in settings.items():
    clf = SGDMLPClassifier((64,), learning_rate_init=0.01, max_iter=EPOCHS,
                           n_iter_no_change=EPOCHS + 1, random_state=0, **params)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    curves[name] = clf.loss_curve_
    print(f"{name:26s} {clf.loss_curve_[-1]:10.4f} "
          f"{clf.score(X_test, y_test):13.4f} {seconds:7.2f}")

# %%
# The training loss per epoch
# ---------------------------
# The loss axis is logarithmic: after the same number of epochs the training
# losses lie orders of magnitude apart. ``rmsprop`` falls furthest, the Adam
# family next (``adam`` and ``adamw`` overlap, as the decay is small at this
# step size, and clipping changes little), ``adagrad`` starts faster than
# ``sgd`` but its shrinking steps bring it back close, and the momentum and
# Nesterov curves of ``sgd`` lie on top of each other. The warmed-up cosine
# schedule starts slower (its step ramps up linearly over the first 10% of the
# epochs, 3 of the full run's 30) and flattens in the second half as its step
# anneals towards zero, so at a fixed budget it ends above plain ``adamw``: a
# schedule buys a stable start and a settled end, not speed. The training loss
# is not the test accuracy: the held-out accuracies in the table lie within a
# few points of each other, and on 540 test digits one point is about five
# images, so a difference of a point on one split and one seed is not a ranking.

fig, ax = plt.subplots(figsize=(7, 4.5))
for name, curve in curves.items():
    ax.plot(np.arange(1, len(curve) + 1), curve, label=name,
            linestyle="--" if "max_grad_norm" in name else "-")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (loss_curve_)")
ax.set_title(f"digits, (64,) hidden, {EPOCHS} epochs")
ax.legend(fontsize="small")
fig.tight_layout()

# %%
# Robust losses against outliers in the targets
# ---------------------------------------------
# A smooth nonlinear regression (scikit-learn's Friedman #1, with unit noise).
# In 5% of the training samples the target is replaced by a gross error, 10 to
# 20 standard deviations above the mean; the test targets stay clean. The
# squared loss lets these few samples pull the fit upwards; ``'huber'`` (squared
# within ``huber_delta=1`` of the prediction, linear beyond) and
# ``'absolute_error'`` give each outlier a bounded pull. A squared-error fit on
# the clean training targets is the reference. All four fits use a (64, 64)
# network and the same 150 epochs (20 in the quick run).

n_samples = 1000 if QUICK else 4000
X, y = make_friedman1(n_samples=n_samples, noise=1.0, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
rng = np.random.default_rng(0)
outliers = rng.choice(len(y_train), size=len(y_train) // 20, replace=False)
y_dirty = y_train.copy()
gross = rng.uniform(10, 20, size=len(outliers))  # in standard deviations
y_dirty[outliers] = y_train.mean() + y_train.std() * gross
print(f"\n{len(outliers)} of {len(y_train)} training targets replaced by outliers")

REG_EPOCHS = 20 if QUICK else 150
fits = {
    "squared_error, clean targets": ("squared_error", y_train),
    "squared_error": ("squared_error", y_dirty),
    "huber": ("huber", y_dirty),
    "absolute_error": ("absolute_error", y_dirty),
}
print(f"{'loss':30s} {'test MSE':>8s} {'test median abs. error':>22s}")
errors = {}
for name, (loss, target) in fits.items():
    reg = SGDMLPRegressor((64, 64), loss=loss, learning_rate_init=0.003,
                          max_iter=REG_EPOCHS, n_iter_no_change=REG_EPOCHS + 1,
                          random_state=0)
    reg.fit(X_train, target)
    y_pred = reg.predict(X_test)
    errors[name] = (mean_squared_error(y_test, y_pred),
                    median_absolute_error(y_test, y_pred))
    print(f"{name:30s} {errors[name][0]:8.3f} {errors[name][1]:22.3f}")

# %%
# Held-out error on the clean test targets
# ----------------------------------------
# The test targets carry noise of variance 1 (the dotted line), a floor no
# model's mean squared error goes below on average. The squared loss trained on
# the outliers lands far above the clean reference; the two robust losses stay
# close to it.

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
names = list(errors)
colors = ["0.6", "tab:red", "tab:blue", "tab:green"]
for ax, column, label in zip(axes, (0, 1), ("test MSE", "test median absolute error")):
    ax.barh(names, [errors[name][column] for name in names], color=colors)
    ax.invert_yaxis()
    ax.set_xlabel(label)
axes[0].axvline(1.0, color="k", linestyle=":", label="noise variance")
axes[0].legend(loc="lower right", fontsize="small")
axes[1].set_yticklabels([])
fig.suptitle("training targets with 5% gross outliers, clean test targets")
fig.tight_layout()
