"""The XOR network of the course notes: 2 inputs, 2 logistic hidden units, 1 output.

XOR is the smallest problem no linear model solves; two hidden units suffice.
Run ``python examples/xor.py``.
"""

import numpy as np

from skmlp import SGDMLPClassifier

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
print("\ninput  P(y=1)  predicted")
for x, p, label in zip(X, net.predict_proba(X)[:, 1], net.predict(X)):
    print(f"{x.astype(int)}  {p:6.3f}  {label}")
print("hidden weights:\n", net.coefs_[0].round(2), "\nhidden biases:", net.intercepts_[0].round(2))
assert (net.predict(X) == y).all(), "stuck in a local minimum: try another random_state"
