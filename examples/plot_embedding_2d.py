"""
A learned embedding in two dimensions
=====================================

A categorical column's embedding is a table of learned vectors, one per level
(``embeddings_``). Here the 40 levels of a column have a hidden position on a
circle, in eight groups of five neighbouring levels, and the position sets each
level's effect on the target: an offset (its cosine) and a slope on a numeric
column (its sine). Nothing in the level names says where a level sits. With
``embedding_dim=2`` the network has to find a 2-D vector per level that predicts
the target, and the scatter plot of those vectors shows the circle and its
groups again, turned and stretched.

Needs pandas and matplotlib. Run ``python examples/plot_embedding_2d.py [--out
FILE.png]``; ``--quick`` is a smoke run on fewer rows and epochs that writes to
the temporary directory unless ``--out`` is given.
"""

import os
import sys
import tempfile
import warnings

import matplotlib

matplotlib.use("Agg")  # draw to a file; remove to show a window instead
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from skmlp import SGDMLPRegressor  # noqa: E402

args = sys.argv[1:]
QUICK = "--quick" in args
default = os.path.join(tempfile.gettempdir() if QUICK else ".", "embedding_2d.png")
OUT = args[args.index("--out") + 1] if "--out" in args else default
warnings.filterwarnings("ignore", category=ConvergenceWarning)  # a fixed epoch budget

# %%
# Levels with a hidden position
# -----------------------------
# Group ``g`` covers the arc from ``g/8`` to ``(g+1)/8`` of the circle; each of
# its five levels sits at a random angle inside it. The level names (``L00`` to
# ``L39``) are shuffled, so their sorted order, which is the order of the
# table's rows, says nothing about the angle. About 3% of the rows have a
# missing level: they train the table's last row, the one unknown levels and
# missing values share.

rng = np.random.default_rng(0)
N_LEVELS, N_GROUPS = 40, 8
group = np.repeat(np.arange(N_GROUPS), N_LEVELS // N_GROUPS)  # (40,)
angle = 2 * np.pi * (group + rng.uniform(0.1, 0.9, N_LEVELS)) / N_GROUPS  # (40,)
names = np.array([f"L{i:02d}" for i in rng.permutation(N_LEVELS)])  # (40,)

n_samples = 4_000 if QUICK else 20_000
codes = rng.integers(0, N_LEVELS, n_samples)  # each row's level
x = rng.standard_normal((n_samples, 2))
y = (2 * np.cos(angle[codes]) + 2 * np.sin(angle[codes]) * x[:, 0] + x[:, 1]
     + 0.3 * rng.standard_normal(n_samples))
level = names[codes].astype(object)
level[rng.random(n_samples) < 0.03] = None  # missing values
X = pd.DataFrame({"x0": x[:, 0], "x1": x[:, 1], "level": pd.Categorical(level)})
print(X.head())

# %%
# Two numbers per level
# ---------------------
# ``embedding_dim=2`` gives every level a 2-D vector; the first hidden layer
# reads ``x0``, ``x1`` and the vector. ``embeddings_[0]`` has 41 rows: row ``k``
# belongs to the level ``categories_[0][k]``, the last row to unknown levels and
# missing values.

est = SGDMLPRegressor((32,), categorical_features=["level"], embedding_dim=2,
                      max_iter=60 if QUICK else 50, random_state=0)
est.fit(X, y)
table = est.embeddings_[0]  # (41, 2)
print(f"R^2 on the training rows: {est.score(X, y):.3f}; table {table.shape}")
print(est.summary())

# %%
# Does the table hold the circle?
# -------------------------------
# The network is free to rotate, flip and stretch the vectors (the first layer's
# weights can undo any linear map), so the test is whether some linear map takes
# the learned vectors to the hidden points ``(cos, sin)``: the share of the
# hidden positions' variance that the best such map explains.

rows = np.searchsorted(est.categories_[0].astype(str), names)  # table row of each level
learned = table[rows]  # (40, 2) in the order of ``angle``
hidden = np.c_[np.cos(angle), np.sin(angle)]  # (40, 2)
design = np.c_[learned, np.ones(N_LEVELS)]
fit, *_ = np.linalg.lstsq(design, hidden, rcond=None)
residual = ((hidden - design @ fit) ** 2).sum()
explained = 1 - residual / ((hidden - hidden.mean(axis=0)) ** 2).sum()
print(f"a linear map of the learned vectors explains {explained:.1%}\n"
      "of the hidden positions' variance")
print(f"unknown/missing row:   {np.round(table[-1], 3)}")
print(f"mean of the 40 levels: {np.round(learned.mean(axis=0), 3)}")

# %%
# The picture
# -----------
# Left, the hidden positions; right, the learned vectors, in the same colours.
# The eight groups come back as eight clusters, in their order around a ring:
# levels with similar effects got similar vectors, although the network only
# ever saw level names and targets. The black cross is the table's last row. It
# was trained by the rows with a missing level, whose best guess is the average
# level, and it lands near the middle of the ring.

fig, (ax_hidden, ax_learned) = plt.subplots(1, 2, figsize=(10, 4.6))
cmap = plt.get_cmap("tab10")
for g in range(N_GROUPS):
    of_g = group == g
    ax_hidden.scatter(*hidden[of_g].T, color=cmap(g), s=40, label=f"group {g}")
    ax_learned.scatter(*learned[of_g].T, color=cmap(g), s=40)
for k in range(N_LEVELS):
    ax_learned.annotate(names[k], learned[k], fontsize=6, alpha=0.7,
                        xytext=(3, 3), textcoords="offset points")
ax_learned.scatter(*table[-1], color="k", marker="x", s=80, label="unknown / missing row")
ax_hidden.set_title("hidden positions\n(cos, sin) of each level")
ax_learned.set_title(f"learned embeddings_[0]\n({explained:.1%} linearly explained)")
ax_hidden.legend(fontsize="small", ncol=2, loc="center")
ax_learned.legend(fontsize="small", loc="best")
for ax in (ax_hidden, ax_learned):
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("dimension 1")
    ax.set_ylabel("dimension 2")
fig.tight_layout()
fig.savefig(OUT, dpi=100)
print("saved", OUT)
