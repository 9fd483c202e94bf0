"""Seeded index permutations, minibatch slices and the batches themselves.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np
import scipy.sparse as sp

try:  # scipy's compiled CSR/CSC products, which accumulate into a given output
    from scipy.sparse._sparsetools import csc_matvecs, csr_matvecs
except ImportError:  # pragma: no cover - a scipy without them: its public products
    csc_matvecs = csr_matvecs = None


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


class SparseRows:
    """Consecutive rows of a CSR matrix, without a scipy matrix per batch.

    Holds the matrix's ``data`` and ``indices`` whole and a slice of its
    ``indptr``: row ``i`` of the block is ``data[indptr[i]:indptr[i + 1]]``
    (absolute offsets, so a block of rows is a view, copied from nothing).
    ``dot`` and ``tdot`` are the products a dense layer needs, written into a
    given buffer in scipy's own order of operations, so they give scipy's
    ``X @ W`` and ``X.T @ dZ`` bit for bit.

    Parameters
    ----------
    data : ndarray of shape (nnz,)
    indices : ndarray of shape (nnz,)
    indptr : ndarray of shape (n_rows + 1,)
    n_cols : int
    """

    def __init__(self, data, indices, indptr, n_cols):
        self.data, self.indices, self.indptr = data, indices, indptr
        self.shape = (indptr.shape[0] - 1, n_cols)
        self.dtype = data.dtype

    @classmethod
    def of(cls, X):
        """All rows of a CSR matrix ``X``."""
        return cls(X.data, X.indices, X.indptr, X.shape[1])

    def __getitem__(self, rows):
        """Rows ``rows`` (a slice with step 1) of the block: a view."""
        start, stop, _ = rows.indices(self.shape[0])
        return SparseRows(self.data, self.indices, self.indptr[start : stop + 1], self.shape[1])

    def _fast(self, dense, out):
        """Whether scipy's kernels can read ``dense`` and write ``out`` in place."""
        return (csr_matvecs is not None and dense.dtype == out.dtype == self.dtype
                and dense.flags.c_contiguous and out.flags.c_contiguous)

    def tocsr(self):
        """The block as a scipy CSR matrix (its arrays are copied)."""
        lo, hi = int(self.indptr[0]), int(self.indptr[-1])
        return sp.csr_matrix(
            (self.data[lo:hi], self.indices[lo:hi], self.indptr - lo), shape=self.shape
        )

    def toarray(self):
        """The block as a dense array, ``(n_rows, n_cols)``."""
        return self.tocsr().toarray()

    def dot(self, W, out):
        """``out = X @ W``, ``(n_rows, n_out)``, as scipy computes it."""
        if not self._fast(W, out):
            out[...] = self.tocsr() @ W  # (n_rows, n_out)
            return out
        out.fill(0)
        n_rows, n_cols = self.shape
        csr_matvecs(n_rows, n_cols, W.shape[1], self.indptr, self.indices, self.data,
                    W.reshape(-1), out.reshape(-1))  # (n_rows, n_out) += X @ W
        return out

    def tdot(self, dZ, out):
        """``out = X.T @ dZ``, ``(n_cols, n_out)``, as scipy computes it.

        The CSR arrays of ``X`` are the CSC arrays of ``X.T``: no transposed
        matrix is built.
        """
        if not self._fast(dZ, out):
            out[...] = self.tocsr().T @ dZ  # (n_cols, n_out)
            return out
        out.fill(0)
        n_rows, n_cols = self.shape
        csc_matvecs(n_cols, n_rows, dZ.shape[1], self.indptr, self.indices, self.data,
                    dZ.reshape(-1), out.reshape(-1))  # (n_cols, n_out) += X.T @ dZ
        return out


def as_rows(X):
    """``X`` in a form whose row blocks are cheap: dense as is, sparse as ``SparseRows``.

    CSR matrices are wrapped (no copy); other sparse formats are converted to
    CSR once (a copy), since their row blocks cost a pass over the matrix each.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)

    Returns
    -------
    rows : ndarray or SparseRows of shape (n_samples, n_features)
    """
    if isinstance(X, (np.ndarray, SparseRows)):
        return X
    if X.format != "csr":
        X = X.tocsr()
    return SparseRows.of(X)


#: At most this many bytes of X (and never more than 1/32 of X, so that the
#: buffer stays small beside X) are gathered at once when batches are shuffled: a
#: whole number of batches, taken with one ``np.take`` into a reused buffer. One
#: gather of many rows costs about half as much per row as one per batch
#: (measured: 10 vs 20 us per batch of 32 rows x 100 float64 features).
GATHER_BYTES = 1 << 20


class BatchGatherer:
    """Minibatches of ``(X, Y, sample_weight)`` in a given row order.

    Shuffled dense rows are gathered a chunk of batches at a time into buffers
    allocated once, so a fit never copies X. Shuffled CSR rows are gathered a
    chunk at a time too (one scipy row selection per chunk), and the batches are
    ``SparseRows`` views of the chunk; shuffled CSC rows are selected per batch
    (scipy's CSC batches, whose entry order ``X.T @ dZ`` keeps). In order
    (``shuffle=False``) the batches are views (CSC is converted to CSR once).

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
        self.dense = isinstance(X, np.ndarray)
        # Shuffled CSC batches stay scipy's row selections of X, one per batch:
        # their entries are then in scipy's order, which X.T @ dZ adds up in.
        self.per_batch = not self.dense and X.format != "csr" and shuffle
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self._rows = None  # X for in-order batches, made on first use
        self.batch_size = batch_size
        n_samples = X.shape[0]
        if self.dense:
            row_bytes = X.shape[1] * X.dtype.itemsize
        else:  # the mean stored bytes of a row
            row_bytes = X.nnz * (X.dtype.itemsize + X.indices.dtype.itemsize) // max(1, n_samples)
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
        Xb : ndarray or SparseRows of shape (nb, n_features)
        Yb : ndarray of shape (nb, n_outputs)
        wb : ndarray of shape (nb,) or None
            Valid until the next batch is drawn.
        """
        X, Y, w, bs = self.X, self.Y, self.sample_weight, self.batch_size
        if order is None:
            if self._rows is None:
                self._rows = as_rows(X)  # CSC converted once per gatherer
            for sl in batch_slices(X.shape[0], bs):
                yield self._rows[sl], Y[sl], None if w is None else w[sl]  # views
            return
        for start in range(0, order.shape[0], self.chunk):
            idx = order[start : start + self.chunk]  # (m,)
            m = idx.shape[0]
            if self.dense:
                Xc = np.take(X, idx, axis=0, out=self._X[:m])  # (m, n_features)
            elif not self.per_batch:
                Xc = SparseRows.of(X[idx])  # (m, n_features) one selection per chunk
            Yc = np.take(Y, idx, axis=0, out=self._Y[:m])  # (m, n_outputs)
            wc = None if w is None else np.take(w, idx, out=self._w[:m])  # (m,)
            for sl in batch_slices(m, bs):
                Xb = X[idx[sl]] if self.per_batch else Xc[sl]  # (nb, n_features)
                yield Xb, Yc[sl], None if wc is None else wc[sl]
