"""
The XOR network of the course notes
===================================

XOR is the smallest problem no linear model solves: the two classes sit on the
two diagonals of the unit square, and no straight line separates them. The first
network of the course notes solves it with 2 inputs, 2 logistic hidden units and
1 logistic output. Each hidden unit draws one line across the square; the output
unit combines the two half-planes: the band between the lines holds the 0s, the
two sides outside it the 1s.

Run ``python examples/xor.py``.
"""

# %%
# Train the network
# -----------------
# Four samples fit in one batch, so the full-batch L-BFGS solver suits them. A
# little L2 penalty keeps the weights moderate; ``random_state`` picks a starting
# point that does not end in one of XOR's local minima.

import matplotlib

matplotlib.use("Agg")  # draw off-screen; delete this line and call plt.show() for a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.inspection import DecisionBoundaryDisplay  # noqa: E402

from skmlp import SGDMLPClassifier  # noqa: E402

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([0, 1, 1, 0])

net = SGDMLPClassifier(
    hidden_layer_sizes=(2,),  # two hidden units
    activation="logistic",
    solver="lbfgs",  # full-batch: four samples
    alpha=1e-3,  # a little L2 keeps the weights moderate
    max_iter=2000,
    tol=1e-8,
    random_state=3,
)
net.fit(X, y)
print(net.summary())

# %%
# What it learned
# ---------------
# Every input gets the right label. The hidden layer's weights and biases are
# those of two parallel lines, one on each side of the diagonal through the 0s.

print("input  P(y=1)  predicted")
for x, p, label in zip(X, net.predict_proba(X)[:, 1], net.predict(X)):
    print(f"{x.astype(int)}  {p:6.3f}  {label}")
print("hidden weights:\n", net.coefs_[0].round(2), "\nhidden biases:", net.intercepts_[0].round(2))
assert (net.predict(X) == y).all(), "stuck in a local minimum: try another random_state"

# %%
# The decision boundary
# ---------------------
# The shading is the network's probability of class 1 over the plane, drawn by
# scikit-learn's ``DecisionBoundaryDisplay`` as for any classifier. The dashed
# lines are where each hidden unit's input ``x @ W[:, j] + b[j]`` is zero: each
# unit switches on across its line, and the output is low in the band between
# the two lines (the 0s) and high outside it (the 1s).

fig, ax = plt.subplots(figsize=(5.5, 5))
disp = DecisionBoundaryDisplay.from_estimator(
    net, X, response_method="predict_proba", grid_resolution=200,
    eps=0.5, cmap="RdBu_r", alpha=0.8, ax=ax,  # eps: the plane 0.5 beyond the data
)
fig.colorbar(disp.surface_, ax=ax, label="P(y = 1)")
W, b = net.coefs_[0], net.intercepts_[0]  # (2, 2), (2,)
x1 = np.linspace(-0.5, 1.5, 2)
for j in range(2):
    ax.plot(x1, -(b[j] + W[0, j] * x1) / W[1, j], "k--", lw=1,
            label="hidden unit boundaries" if j == 0 else None)
ax.scatter(X[:, 0], X[:, 1], c="white", edgecolors="k", s=120, zorder=3)
for x, label in zip(X, y):
    ax.annotate(f"{label}", x, xytext=(8, 8), textcoords="offset points", fontsize=12)
ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="$x_1$", ylabel="$x_2$",
       title="XOR: 2 logistic hidden units")
ax.legend(loc="lower left")
fig.tight_layout()
