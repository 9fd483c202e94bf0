"""Seeded index permutations, minibatch slices and the batches themselves.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np


def batch_slices(n_samples, batch_size):
    """Consecutive slices of at most ``batch_size`` rows covering ``n_samples``.

    Parameters
    ----------
    n_samples : int
    batch_size : int

    Yields
    ------
    batch : slice
    """
    for start in range(0, n_samples, batch_size):
        yield slice(start, min(start + batch_size, n_samples))


def shuffled(indices, rng):
    """Return ``indices`` permuted by ``rng``.

    With a ``numpy.random.RandomState`` this draws exactly what
    ``sklearn.utils.shuffle(indices, random_state=rng)`` draws, so a fit seeded
    alike visits the samples in scikit-learn's order.

    Parameters
    ----------
    indices : ndarray of shape (n_samples,)
    rng : numpy.random.RandomState

    Returns
    -------
    permuted : ndarray of shape (n_samples,)
    """
    return indices[rng.permutation(indices.shape[0])]  # (n_samples,)


#: At most this many bytes of X (and never more than 1/32 of X, so that the
#: buffer stays small beside X) are gathered at once when batches are shuffled: a
#: whole number of batches, taken with one ``np.take`` into a reused buffer. One
#: gather of many rows costs about half as much per row as one per batch
#: (measured: 10 vs 20 us per batch of 32 rows x 100 float64 features).
GATHER_BYTES = 1 << 20


class BatchGatherer:
    """Minibatches of ``(X, Y, sample_weight)`` in a given row order.

    Shuffled dense rows are gathered a chunk of batches at a time into buffers
    allocated once, so a fit never copies X; sparse X is sliced per batch; in
    order (``shuffle=False``) the batches are views.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    batch_size : int
    shuffle : bool
        Whether ``batches`` will be given permuted orders (buffers are needed).
    """

    def __init__(self, X, Y, sample_weight, batch_size, shuffle):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.batch_size = batch_size
        n_samples = X.shape[0]
        self.dense = isinstance(X, np.ndarray)
        row_bytes = X.shape[1] * X.dtype.itemsize if self.dense else 0
        budget = min(GATHER_BYTES, n_samples * row_bytes // 32)
        per_gather = max(1, budget // max(1, batch_size * row_bytes))
        self.chunk = min(n_samples, per_gather * batch_size)
        if shuffle:  # buffers the shuffled chunks are gathered into
            chunk = self.chunk
            if self.dense:
                self._X = np.empty((chunk, X.shape[1]), X.dtype)  # (chunk, n_features)
            self._Y = np.empty((chunk, Y.shape[1]), Y.dtype)  # (chunk, n_outputs)
            if sample_weight is not None:
                self._w = np.empty(chunk, dtype=sample_weight.dtype)  # (chunk,)

    def batches(self, order=None):
        """Yield ``(Xb, Yb, wb)`` for consecutive batches of rows.

        Parameters
        ----------
        order : ndarray of shape (n_samples,) or None
            Row indices in visiting order (needs ``shuffle=True``); None visits
            the rows in order.

        Yields
        ------
        Xb : ndarray or sparse matrix of shape (nb, n_features)
        Yb : ndarray of shape (nb, n_outputs)
        wb : ndarray of shape (nb,) or None
            Valid until the next batch is drawn.
        """
        X, Y, w, bs = self.X, self.Y, self.sample_weight, self.batch_size
        if order is None:
            for sl in batch_slices(X.shape[0], bs):
                yield X[sl], Y[sl], None if w is None else w[sl]  # views when dense
            return
        for start in range(0, order.shape[0], self.chunk):
            idx = order[start : start + self.chunk]  # (m,)
            m = idx.shape[0]
            Xc = None  # sparse X: sliced per batch below
            if self.dense:
                Xc = np.take(X, idx, axis=0, out=self._X[:m])  # (m, n_features)
            Yc = np.take(Y, idx, axis=0, out=self._Y[:m])  # (m, n_outputs)
            wc = None if w is None else np.take(w, idx, out=self._w[:m])  # (m,)
            for sl in batch_slices(m, bs):
                Xb = Xc[sl] if self.dense else X[idx[sl]]  # (nb, n_features)
                yield Xb, Yc[sl], None if wc is None else wc[sl]
