"""The embedding layer: categorical codes to learned vectors, beside the numeric columns.

The estimators encode a categorical column as integer codes held in the float input
matrix: ``0 .. n_levels - 1`` for the levels learned at the first fit, ``n_levels``
for anything else (an unknown level or a missing value). ``Embedding`` is the first
layer of such a network: it copies the numeric columns and looks each code up in its
column's table, writing both into one buffer that the first dense layer reads.

Its backward pass scatter-adds the output gradient into the table rows that the batch
used (``scatter_add_rows``): one ``np.bincount`` over flattened ``(row, unit)``
indices instead of ``np.add.at``, which is 2-6 times slower on minibatches.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np

from .layers import Layer

#: Standard deviation of the tables' initial entries. Small next to standardised
#: numeric columns, so that a level seen rarely starts near the zero vector and
#: stays there rather than feeding the first layer noise. With a 1,000- and a
#: 10,000-level column beside five numeric ones (20,000 rows, 10 epochs of adam),
#: std 1 held out 0.77 accuracy, 0.1 and 0.01 0.86; on the data of
#: examples/categorical_embeddings.py (3 epochs, two seeds) 0.1 held out
#: 0.695 and 0.703, 0.01 0.704 and 0.722, against one-hot's 0.703 and 0.718.
TABLE_INIT_STD = 0.01

#: ``scatter_add_rows`` counts over every table entry when the table has at most
#: this many rows per batch row; over the batch's distinct rows otherwise (which
#: saves allocating and copying a mostly-zero table-sized array for large tables).
DENSE_SCATTER_ROWS_PER_SAMPLE = 4


def scatter_add_rows(G, codes, dY):
    """``G = 0; np.add.at(G, codes, dY)``, faster.

    Parameters
    ----------
    G : ndarray of shape (n_rows, dim)
        Overwritten with the sums: ``G[r] = dY[codes == r].sum(axis=0)``.
    codes : ndarray of int of shape (n,)
        Row of ``G`` each row of ``dY`` adds to, in ``[0, n_rows)``.
    dY : ndarray of shape (n, dim)

    Returns
    -------
    G : ndarray of shape (n_rows, dim)
    """
    n_rows, dim = G.shape
    units = np.arange(dim)  # (dim,)
    if n_rows <= DENSE_SCATTER_ROWS_PER_SAMPLE * codes.shape[0]:
        flat = (codes[:, None] * dim + units).ravel()  # (n * dim,) index into G.ravel()
        sums = np.bincount(flat, weights=dY.ravel(), minlength=n_rows * dim)  # (n_rows * dim,)
        G[...] = sums.reshape(n_rows, dim)  # (n_rows, dim)
        return G
    rows, inverse = np.unique(codes, return_inverse=True)  # (n_used,), (n,)
    flat = (inverse[:, None] * dim + units).ravel()  # (n * dim,)
    sums = np.bincount(flat, weights=dY.ravel(), minlength=rows.shape[0] * dim)  # (n_used * dim,)
    G[...] = 0
    G[rows] = sums.reshape(rows.shape[0], dim)  # (n_used, dim) the rows the batch used
    return G


class Embedding(Layer):
    """Numeric columns passed through, categorical codes replaced by learned vectors.

    The output holds the numeric columns first (in input order), then the vector of
    each categorical column (in input order): ``n_out = n_numeric + sum(dims)``.
    Table ``T<j>`` of categorical column ``j`` has ``n_levels[j] + 1`` rows; code
    ``n_levels[j]``, the last row, serves unknown levels and missing values. The
    tables belong to the network's "coef" group: the penalties treat them as
    weights. ``init_params`` leaves them at zero; the estimator draws them
    (``init_tables``). Only the first layer of a network: ``backward`` returns no
    input gradient.

    Parameters
    ----------
    is_categorical : array-like of bool of shape (n_features,)
        Which input columns hold codes.
    n_levels : sequence of int
        Number of learned levels of each categorical column, in column order.
    dims : sequence of int
        Width of each categorical column's vectors.
    names : sequence of str or None, default=None
        A name per categorical column, for ``summary``; None names them by index.
    """

    def __init__(self, is_categorical, n_levels, dims, names=None):
        mask = np.asarray(is_categorical, dtype=bool)  # (n_features,)
        self.n_in = int(mask.shape[0])
        self.numeric_columns = np.flatnonzero(~mask)  # (n_numeric,)
        self.categorical_columns = np.flatnonzero(mask)  # (n_categorical,)
        self.n_levels = tuple(int(n) for n in n_levels)
        self.dims = tuple(int(d) for d in dims)
        if not (len(self.n_levels) == len(self.dims) == self.categorical_columns.shape[0]):
            raise ValueError(
                f"Embedding needs one level count and one width per categorical column "
                f"({self.categorical_columns.shape[0]}); got {len(self.n_levels)} and "
                f"{len(self.dims)}."
            )
        if names is None:
            names = [str(c) for c in self.categorical_columns]
        self.names = tuple(str(name) for name in names)
        n_numeric = self.numeric_columns.shape[0]
        self.offsets = tuple(int(o) for o in n_numeric + np.cumsum((0,) + self.dims[:-1]))
        self.n_out = n_numeric + sum(self.dims)
        self.param_specs = tuple(
            (f"T{j}", (n + 1, d), "coef") for j, (n, d) in enumerate(zip(self.n_levels, self.dims))
        )

    @property
    def tables(self):
        """The tables, views into the network's flat buffer, each (n_levels + 1, dim)."""
        return [self.params[f"T{j}"] for j in range(len(self.dims))]

    def init_tables(self, rng):
        """Draw every table from ``N(0, TABLE_INIT_STD ** 2)``, table after table, row-major.

        Parameters
        ----------
        rng : numpy.random.RandomState
            The fit's generator, after the dense weights were drawn.
        """
        for T in self.tables:
            T[...] = rng.standard_normal(T.shape)  # (n_levels + 1, dim)
            T *= TABLE_INIT_STD

    def allocate(self, batch_size, dtype):
        self.scratch("_scratch_out", (batch_size, self.n_out), dtype)
        self.scratch("_scratch_codes", (batch_size, len(self.dims)), np.intp)

    def _codes(self, X, training):
        """The categorical columns of ``X`` as row indices, (n, n_categorical)."""
        shape = (X.shape[0], len(self.dims))
        if training:
            codes = self.scratch("_scratch_codes", shape, np.intp)  # (n, n_categorical)
        else:
            codes = np.empty(shape, dtype=np.intp)  # (n, n_categorical)
        for j, column in enumerate(self.categorical_columns):
            np.copyto(codes[:, j], X[:, column], casting="unsafe")  # (n,)
        # anything outside the learned codes (a hand-made X) reads the unknown row
        np.clip(codes, 0, np.asarray(self.n_levels), out=codes)  # (n, n_categorical)
        return codes

    def forward(self, X, training, out=None):
        if not isinstance(X, np.ndarray):
            raise TypeError(f"Embedding needs a dense input matrix; got {type(X).__name__}.")
        shape = (X.shape[0], self.n_out)
        if training:
            out = self.scratch("_scratch_out", shape, self.params["T0"].dtype)  # (n, n_out)
        elif out is None:
            out = np.empty(shape, dtype=self.params["T0"].dtype)  # (n, n_out)
        n_numeric = self.numeric_columns.shape[0]
        if n_numeric:
            np.take(X, self.numeric_columns, axis=1, out=out[:, :n_numeric],
                    mode="clip")  # (n, n_numeric)
        codes = self._codes(X, training)  # (n, n_categorical)
        for j, (T, start, dim) in enumerate(zip(self.tables, self.offsets, self.dims)):
            np.take(T, codes[:, j], axis=0, out=out[:, start:start + dim],
                    mode="clip")  # (n, dim)
        if training:
            self._cache_codes = codes
        return out

    def backward(self, dY, need_dX=False):
        if need_dX:
            raise ValueError("Embedding is a network's first layer: it has no input gradient.")
        codes = self._cache_codes  # (n, n_categorical)
        for j, (start, dim) in enumerate(zip(self.offsets, self.dims)):
            scatter_add_rows(self.grads[f"T{j}"], codes[:, j],
                             dY[:, start:start + dim])  # (n_levels + 1, dim)
        return None

    def describe(self):
        """One ``(name, width, n_params, details)`` per categorical column (``summary``)."""
        return [
            (name, dim, (n + 1) * dim, f"{n} levels + 1 unknown/missing row")
            for name, n, dim in zip(self.names, self.n_levels, self.dims)
        ]

    def __repr__(self):
        return (f"Embedding({self.n_in}, numeric={self.numeric_columns.shape[0]}, "
                f"tables={len(self.dims)})")
