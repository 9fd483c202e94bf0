"""
Learning from a stream with partial_fit
=======================================

``partial_fit`` trains on chunks that never sit in memory together, as a reader
of a large file or a message queue delivers them. ``classes`` goes to the first
call (every label the stream can hold); each call is one epoch over its chunk. A
held-out set tracks progress after every pass.

Run ``python examples/streaming_partial_fit.py`` (``--quick`` for a smoke run).
"""

import sys

import numpy as np
from sklearn.datasets import make_classification

from skmlp import SGDMLPClassifier

QUICK = "--quick" in sys.argv[1:]


def stream(X, y, chunk_size):
    """Yield (X, y) chunks, as a reader of a large file or a queue would."""
    for start in range(0, len(X), chunk_size):
        yield X[start:start + chunk_size], y[start:start + chunk_size]


# %%
# Passes over the stream
# ----------------------
# ``t_`` counts the training samples seen so far, across calls; ``loss_`` is the
# last chunk's loss.

n_chunks, n_passes, chunk = (5, 2, 500) if QUICK else (20, 5, 500)
X, y = make_classification(n_samples=n_chunks * chunk + 1000, n_features=20,
                           n_informative=8, n_classes=3, random_state=0)
X_test, y_test = X[-1000:], y[-1000:]  # held out, never streamed
clf = SGDMLPClassifier((64,), learning_rate_init=0.003, random_state=0)
classes = np.array([0, 1, 2])
for p in range(n_passes):
    for X_chunk, y_chunk in stream(X[:-1000], y[:-1000], chunk):
        clf.partial_fit(X_chunk, y_chunk, classes=classes)
    print(f"pass {p + 1}: {clf.t_:>7} samples seen, "
          f"loss {clf.loss_:.4f}, held-out accuracy {clf.score(X_test, y_test):.4f}")
