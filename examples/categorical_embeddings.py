"""
Categorical features with many levels: one-hot encoding vs learned embeddings
=============================================================================

A synthetic two-class problem with four numeric columns and two categorical
columns, ``shop`` with 1,000 levels and ``product`` with 10,000. Every level has
a hidden effect on the class (an offset, and a slope on the numeric column
``x0``); the levels are drawn with a skewed, Zipf-like frequency, so common
levels are seen many times and rare ones a few times, and some levels of the
held-out rows never occur in the training rows.

Three models with the same hidden layer, epoch count and seed are compared:

(a) ``OneHotEncoder`` + scikit-learn's ``MLPClassifier``,
(b) ``OneHotEncoder`` + skmlp's ``SGDMLPClassifier``,
(c) ``SGDMLPClassifier(categorical_features=[...])``, which learns the levels at
    fit and one embedding vector per level (``embedding_dim='auto'``); a level
    not seen at fit maps to one extra, shared vector.

The script prints each model's held-out accuracy and log-loss and its fit time,
and how many times faster (c) fits than (a) and than (b), and draws both in a
figure. Fit times here are single runs; ``benchmarks/bench_vs_sklearn.py --table
workloads --cases categorical`` times the same fits interleaved and repeated.
The :ref:`categorical` guide explains the parameters.

Needs pandas, and matplotlib for the figure. Run ``python
examples/categorical_embeddings.py [--out FILE.png]``; ``--quick`` is a short
smoke run on a smaller problem (5,000 rows, 100 and 1,000 levels, a hidden layer
of 32) that writes the figure to the temporary directory unless ``--out`` is
given. The gallery shows that quick run.
"""

import os
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skmlp import SGDMLPClassifier

NUMERIC = ["x0", "x1", "x2", "x3"]
CATEGORICAL = ["shop", "product"]
#: Epochs of every model. With one weight row per level, the one-hot models
#: fit the rare levels' noise after a few epochs: their held-out accuracy is
#: best at 2-3 epochs on this data.
MAX_ITER = 3

# %%
# The data
# --------
# Each level of ``shop`` and ``product`` gets a random offset and a random slope
# on ``x0``, added to the logit of a smooth function of the numeric columns. The
# class is drawn from the resulting probability, so even the true probabilities
# miss some held-out rows: ``bayes_accuracy`` is the ceiling every model is
# measured against. The categorical columns are pandas ``category`` columns of
# strings such as ``"shop_0042"``.
#
# The functions ``make_data`` and ``make_models`` are also imported by
# ``benchmarks/bench_vs_sklearn.py``, which times these fits; the code that runs
# them below sits under ``if __name__ == "__main__"`` for that reason.


def make_data(n_samples=50_000, n_levels=(1_000, 10_000), test_size=0.2,
              random_state=0):
    """A two-class problem whose categorical columns carry learnable effects.

    Parameters
    ----------
    n_samples : int, default=50_000
        Rows in all, training and held-out.
    n_levels : tuple of int, default=(1_000, 10_000)
        Levels of the columns ``shop`` and ``product``.
    test_size : float, default=0.2
        Share of the rows held out.
    random_state : int, default=0
        Seed of the data.

    Returns
    -------
    X_train, X_test : pandas.DataFrame
        Numeric columns ``x0`` to ``x3`` (float) and categorical columns
        ``shop`` and ``product`` (category dtype, string levels such as
        ``"shop_0042"``; every level is in the dtype's categories, whether or
        not it occurs in the training rows).
    y_train, y_test : ndarray of int
        The class, 0 or 1.
    bayes_accuracy : float
        Held-out accuracy of the true class probabilities: the best any
        model can do on these rows.
    """
    rng = np.random.default_rng(random_state)
    X = pd.DataFrame(rng.standard_normal((n_samples, len(NUMERIC))), columns=NUMERIC)
    x0, x1, x2, x3 = X.to_numpy().T
    logit = 1.5 * np.tanh(x0) - x1 + 0.5 * x2 * x3
    for name, n in zip(CATEGORICAL, n_levels):
        # Zipf-like frequencies, flattened over the first n/10 levels.
        freq = 1.0 / (np.arange(n) + 1 + n // 10)
        codes = rng.choice(n, size=n_samples, p=freq / freq.sum())
        offset = rng.standard_normal(n)  # each level's hidden effect...
        slope = rng.standard_normal(n)  # ...and its interaction with x0
        logit += offset[codes] + slope[codes] * x0
        levels = np.array([f"{name}_{i:05d}" for i in range(n)])
        X[name] = pd.Categorical.from_codes(codes, categories=levels)
    proba = 1.0 / (1.0 + np.exp(-logit))
    y = (rng.random(n_samples) < proba).astype(int)
    n_test = int(round(n_samples * test_size))
    train, test = slice(0, n_samples - n_test), slice(n_samples - n_test, None)
    bayes_accuracy = accuracy_score(y[test], proba[test] > 0.5)
    return (X.iloc[train].reset_index(drop=True), X.iloc[test].reset_index(drop=True),
            y[train], y[test], bayes_accuracy)


if __name__ == "__main__":
    QUICK = "--quick" in sys.argv[1:]
    if QUICK:
        X_train, X_test, y_train, y_test, bayes = make_data(
            n_samples=5_000, n_levels=(100, 1_000))
    else:
        X_train, X_test, y_train, y_test, bayes = make_data()
    print(f"{len(X_train)} training rows, {len(X_test)} held-out rows; levels: "
          + ", ".join(f"{c} {X_train[c].cat.categories.size}" for c in CATEGORICAL))
    for c in CATEGORICAL:
        seen = set(X_train[c].unique())
        unseen = ~X_test[c].isin(seen)
        print(f"  {c}: {X_train[c].nunique()} levels occur in training; "
              f"{unseen.mean():.1%} of held-out rows have a level never seen in training")
    print(f"best possible held-out accuracy (true probabilities): {bayes:.4f}\n")

# %%
# The three models
# ----------------
# The one-hot models put a ``ColumnTransformer`` in front of the network: the
# numeric columns are scaled and each categorical column becomes one sparse 0/1
# column per level that occurs in training (over 10,000 input columns on the
# full data), so the first layer holds one weight row per level. The embedding
# model scales only the numeric columns, passes the categorical ones through
# unchanged in a DataFrame (``set_output(transform="pandas")``) and names them
# in ``categorical_features``: each level gets a learned vector of
# ``embedding_dim='auto'`` entries (16 for these columns) instead of a row of
# 100 weights (32 in the quick run).
#
# All three train for exactly ``MAX_ITER`` epochs (``n_iter_no_change`` equal to
# ``max_iter`` turns the stopping rule off), so the fit times compare the same
# number of passes over the data.


def make_models(hidden_layer_sizes=(100,), max_iter=MAX_ITER, random_state=0):
    """The three models, with the same network, epoch count and seed.

    ``n_iter_no_change=max_iter`` makes every epoch run: each model trains for
    exactly ``max_iter`` epochs, so their fit times compare the same work.

    Returns
    -------
    models : dict of str to estimator
        ``"one-hot + MLPClassifier"``, ``"one-hot + SGDMLPClassifier"`` and
        ``"embeddings (SGDMLPClassifier)"``.
    """
    params = dict(hidden_layer_sizes=hidden_layer_sizes, max_iter=max_iter,
                  n_iter_no_change=max_iter, random_state=random_state)

    def one_hot():
        # Numeric columns scaled, categorical ones one-hot encoded (sparse);
        # a level unseen at fit becomes a row of zeros.
        return ColumnTransformer([
            ("num", StandardScaler(), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ])

    # The embedding model gets the scaled numeric columns and the categorical
    # columns as they are, in a DataFrame, and names the categorical ones.
    scale_numeric = ColumnTransformer(
        [("num", StandardScaler(), NUMERIC)], remainder="passthrough",
        verbose_feature_names_out=False).set_output(transform="pandas")
    return {
        "one-hot + MLPClassifier": make_pipeline(one_hot(), MLPClassifier(**params)),
        "one-hot + SGDMLPClassifier": make_pipeline(one_hot(), SGDMLPClassifier(**params)),
        "embeddings (SGDMLPClassifier)": make_pipeline(
            scale_numeric,
            SGDMLPClassifier(categorical_features=CATEGORICAL, embedding_dim="auto",
                             **params)),
    }


# %%
# Fit, score, time
# ----------------
# Each model is fitted once on the training rows and scored on the held-out
# rows: accuracy, and log-loss, which also rewards well-calibrated
# probabilities. The one-hot models can do nothing with a held-out level that
# never occurred in training (its column has no weights); the embedding model
# reads the table's shared last row for it.

if __name__ == "__main__":
    if QUICK:
        models = make_models(hidden_layer_sizes=(32,), max_iter=3)
    else:
        models = make_models()
    results = {}  # name: (accuracy, log-loss, fit seconds)
    print(f"{'model':<31} {'accuracy':>8} {'log-loss':>8} {'fit s':>7}")
    for name, model in models.items():
        with warnings.catch_warnings():
            # A fixed epoch count stops before convergence: say nothing about it.
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
        proba = model.predict_proba(X_test)[:, 1]
        results[name] = (accuracy_score(y_test, proba > 0.5), log_loss(y_test, proba),
                         seconds)
        print(f"{name:<31} {results[name][0]:>8.4f} {results[name][1]:>8.4f} "
              f"{seconds:>7.2f}")

    emb = results["embeddings (SGDMLPClassifier)"][2]
    print(f"\nfit time of one-hot + MLPClassifier / embeddings:    "
          f"{results['one-hot + MLPClassifier'][2] / emb:.1f}x")
    print(f"fit time of one-hot + SGDMLPClassifier / embeddings: "
          f"{results['one-hot + SGDMLPClassifier'][2] / emb:.1f}x")

    embedded = models["embeddings (SGDMLPClassifier)"][-1]
    print("\nthe embedding model's tables: "
          + ", ".join(f"{name} {table.shape}" for name, table in
                      zip(CATEGORICAL, embedded.embeddings_)))

# %%
# Accuracy and fit time side by side
# ----------------------------------
# The dashed line is the accuracy of the true probabilities, the ceiling. The
# one-hot models (a) and (b) fit the same network on the same columns and land
# on the same accuracy; the embedding model (c) trains a much smaller first
# layer, which is where the fit time goes. The gallery shows the quick run: a
# small problem and single fits, whose times move with whatever else the
# machine is doing. The full run (50,000 rows, 1,000 + 10,000 levels) is the
# comparison that counts, and :ref:`performance` gives repeated, interleaved
# timings of it.

if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")  # draw to a file; remove to show a window instead
    import matplotlib.pyplot as plt

    args = sys.argv[1:]
    default = os.path.join(tempfile.gettempdir() if QUICK else ".",
                           "categorical_embeddings.png")
    out = args[args.index("--out") + 1] if "--out" in args else default
    labels = ["(a) one-hot +\nMLPClassifier", "(b) one-hot +\nSGDMLPClassifier",
              "(c) embeddings\n(SGDMLPClassifier)"]
    colors = ["#9e9e9e", "#5b8fc9", "#e07b39"]
    accuracy = [r[0] for r in results.values()]
    seconds = [r[2] for r in results.values()]
    fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    ax_acc.barh(labels, accuracy, color=colors)
    ax_acc.axvline(bayes, color="k", linestyle="--", linewidth=1,
                   label=f"true probabilities ({bayes:.3f})")
    low = min(accuracy + [bayes])
    ax_acc.set_xlim(max(0.5, low - 0.05), min(1.0, bayes + 0.03))
    ax_acc.set_xlabel("held-out accuracy")
    ax_acc.legend(loc="lower right", fontsize="small")
    ax_time.barh(labels, seconds, color=colors)
    ax_time.set_xlabel("fit time (s, one run)")
    for ax, values, fmt in ((ax_acc, accuracy, "{:.3f}"), (ax_time, seconds, "{:.2f}")):
        for i, v in enumerate(values):
            ax.text(v, i, " " + fmt.format(v), va="center", fontsize="small")
    ax_time.set_xlim(0, max(seconds) * 1.25)
    ax_acc.invert_yaxis()  # (a) on top
    fig.suptitle(f"{len(X_train):,} training rows, levels: "
                 + ", ".join(f"{c} {X_train[c].cat.categories.size:,}"
                             for c in CATEGORICAL))
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print("saved", out)
