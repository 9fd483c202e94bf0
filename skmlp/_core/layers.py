"""Layers: ``forward(X, training)`` and ``backward(dY)``.

A layer declares the parameters it owns (``param_specs``); the network allocates
them inside its flat buffers and hands the layer views with ``bind``. A layer caches
only what its backward pass needs. During training, outputs and input gradients are
written into scratch buffers sized for the largest batch (``allocate``, or the first
batch); at predict time (``training=False``) outputs go into the caller's ``out``
(``Network.predict`` allocates them per call) or fresh arrays, so concurrent
predictions share no memory. Buffers (``_scratch_*``) and caches (``_cache_*``) are
dropped on pickling (``HoldsScratch``).

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np

from .batching import SparseRows
from .scratch import HoldsScratch

#: Default weight of the old running statistics in ``BatchNorm``.
BATCH_NORM_MOMENTUM = 0.9

#: Attribute names of buffers and caches in layers pickled by older versions.
_OLD_TRANSIENT = frozenset(
    ("_out", "_dX", "_Z", "_X", "_A", "_Zcache", "_mask", "_cur_mask", "_xhat", "_p")
)


def _csr_rows(X):
    """Sparse ``X`` as ``SparseRows`` when it is CSR (no copy); as is otherwise."""
    if isinstance(X, SparseRows) or X.format != "csr":
        return X
    return SparseRows.of(X)


class Layer(HoldsScratch):
    """Base class of the network's layers.

    Attributes
    ----------
    n_in : int
        Width of the input.
    n_out : int
        Width of the output.
    """

    #: ``[(name, shape, group)]`` with group one of "coef", "intercept", "extra".
    param_specs = ()
    #: True for layers whose training forward takes the batch's sample weights
    #: (``forward(X, training, sample_weight=None)``); the network passes them
    #: to those layers only.
    uses_sample_weight = False

    def bind(self, params, grads):
        """Receive views into the flat buffers, one per ``param_specs`` entry.

        Parameters
        ----------
        params : dict of str to ndarray
            Parameter views, keyed by name.
        grads : dict of str to ndarray
            Gradient views of the same shapes.
        """
        self.params = params
        self.grads = grads

    def __getstate__(self):
        # Views into the network's flat buffers would be pickled as copies: the
        # network binds fresh views after unpickling instead.
        state = super().__getstate__()
        state.pop("params", None)
        state.pop("grads", None)
        return state

    def __setstate__(self, state):
        # Layers pickled before the _scratch/_cache names hold their (None)
        # buffers and caches under the old names.
        self.__dict__.update(
            (key, value) for key, value in state.items() if key not in _OLD_TRANSIENT
        )

    def init_params(self):
        """Set parameters that do not start at zero (after ``bind``; not for Dense,
        whose weights the estimator's initialiser draws)."""

    def allocate(self, batch_size, dtype):
        """Preallocate training buffers for batches of up to ``batch_size`` rows.

        Optional: ``forward`` and ``backward`` otherwise make them on first use.

        Parameters
        ----------
        batch_size : int
        dtype : numpy dtype
        """

    def forward(self, X, training, out=None):
        """Map the input batch to the output batch.

        Parameters
        ----------
        X : ndarray, SparseRows or sparse matrix of shape (n_samples, n_in)
        training : bool
            True inside a training step; caches for ``backward`` are kept only
            then.
        out : ndarray of shape (n_samples, n_out) or None, default=None
            At predict time (``training=False``), a buffer the layer may write
            its output into (it may also return its input unchanged); None
            allocates. Ignored while training.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_out)
        """
        raise NotImplementedError

    def backward(self, dY, need_dX=True):
        """Back-propagate ``dY``; fill this layer's gradient views.

        Parameters
        ----------
        dY : ndarray of shape (n_samples, n_out)
            Gradient of the loss with respect to this layer's output. It may be
            overwritten.
        need_dX : bool, default=True
            False for the first layer, whose input gradient nobody needs.

        Returns
        -------
        dX : ndarray of shape (n_samples, n_in) or None
        """
        raise NotImplementedError


class Dense(Layer):
    """Affine map followed by an element-wise activation: ``A = f(X @ W + b)``.

    Parameters
    ----------
    n_in : int
        Input width.
    n_out : int
        Output width.
    activation : Activation
        Applied in place to the pre-activation ``Z`` (``Identity`` for the output
        layer, whose link is fused into the loss).
    """

    def __init__(self, n_in, n_out, activation):
        self.n_in = n_in
        self.n_out = n_out
        self.activation = activation
        self.param_specs = (
            ("W", (n_in, n_out), "coef"),
            ("b", (n_out,), "intercept"),
        )

    @property
    def W(self):
        """Weights, a view into the network's flat buffer, (n_in, n_out)."""
        return self.params["W"]

    @property
    def b(self):
        """Biases, a view into the network's flat buffer, (n_out,)."""
        return self.params["b"]

    def allocate(self, batch_size, dtype):
        self.scratch("_scratch_A", (batch_size, self.n_out), dtype)
        self.scratch("_scratch_dX", (batch_size, self.n_in), dtype)
        if self.activation.needs_z:
            self.scratch("_scratch_Z", (batch_size, self.n_out), dtype)

    def forward(self, X, training, out=None):
        shape, dtype = (X.shape[0], self.n_out), self.W.dtype
        # One buffer holds Z, then A: the activation works in place.
        if training:
            Z = self.scratch("_scratch_A", shape, dtype)  # (n, n_out)
        else:
            Z = np.empty(shape, dtype) if out is None else out  # (n, n_out)
        if isinstance(X, np.ndarray):  # dense (a cheaper test than scipy.sparse.issparse)
            np.matmul(X, self.W, out=Z)  # (n, n_out)
        else:
            X = _csr_rows(X)  # SparseRows, or a sparse matrix of another format
            if isinstance(X, SparseRows):
                X.dot(self.W, out=Z)  # (n, n_out) on X's stored entries
            else:
                Z[...] = X @ self.W  # (n, n_out)
        Z += self.b  # (n, n_out)
        if not training:
            return self.activation.forward(Z)  # (n, n_out) A, in Z's buffer
        Z_kept = None  # a copy of Z, for activations whose derivative needs it
        if self.activation.needs_z:
            Z_kept = self.scratch("_scratch_Z", shape, dtype)  # (n, n_out)
            np.copyto(Z_kept, Z)  # (n, n_out)
        A = self.activation.forward(Z)  # (n, n_out) in Z's buffer
        self._cache_X, self._cache_A, self._cache_Z = X, A, Z_kept
        return A

    def backward(self, dA, need_dX=True):
        X, A = self._cache_X, self._cache_A
        dZ = self.activation.backward(A, dA, self._cache_Z)  # (n, n_out) in dA's buffer
        dW, db = self.grads["W"], self.grads["b"]  # (n_in, n_out), (n_out,)
        if isinstance(X, np.ndarray):
            np.matmul(X.T, dZ, out=dW)  # (n_in, n_out)
        elif isinstance(X, SparseRows):
            X.tdot(dZ, out=dW)  # (n_in, n_out) from X's CSR arrays, no transpose built
        else:
            dW[...] = X.T @ dZ  # (n_in, n_out) sparse X of another format
        np.add.reduce(dZ, axis=0, out=db)  # (n_out,) what np.sum does, minus its wrapper
        if not need_dX:
            return None
        dX = self.scratch("_scratch_dX", (A.shape[0], self.n_in), dZ.dtype)  # (n, n_in)
        np.matmul(dZ, self.W.T, out=dX)  # (n, n_in)
        return dX

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, {self.activation.name})"


class Dropout(Layer):
    """Inverted dropout: zero each unit with probability ``rate`` while training.

    Kept units are scaled by ``1 / (1 - rate)`` so that the expected output equals
    the input; at predict time (``training=False``) the layer is the identity.
    The masks come from ``rng``, a ``numpy.random.Generator`` the training loop
    sets once per fit (``Network.set_dropout_rng``; dropped by ``release`` and on
    pickling), drawn in the input's dtype into a reused buffer.

    Parameters
    ----------
    n_units : int
        Width of the input and output.
    rate : float
        Probability of dropping a unit, in (0, 1): ``build_mlp`` adds no layer
        for rate 0.
    """

    def __init__(self, n_units, rate):
        self.n_in = self.n_out = n_units
        self.rate = float(rate)
        self.rng = None

    def __getstate__(self):
        state = super().__getstate__()
        state["rng"] = None
        return state

    def release(self):
        super().release()
        self.rng = None

    def allocate(self, batch_size, dtype):
        self.scratch("_scratch_mask", (batch_size, self.n_out), dtype)
        self.scratch("_scratch_out", (batch_size, self.n_out), dtype)

    def forward(self, X, training, out=None):
        if not training:
            return X
        keep = 1.0 - self.rate  # probability of keeping a unit
        mask = self.scratch_like("_scratch_mask", X)  # (n, n_units)
        self.rng.random(dtype=mask.dtype, out=mask)  # (n, n_units) u, uniform on [0, 1)
        # Keep a unit where u >= rate, tested as floor(u + keep) == 1. The two
        # differ when u lies within rounding of rate: for rate 0.2, u = 0.2 - 2**-54
        # in float64 and u = 0.2 - 2**-26 in float32 (draws the generator makes)
        # are kept by this test and dropped by ``u >= rate``. Fits pinned
        # bit for bit, across versions, depend on this very test.
        mask += keep  # (n, n_units) u + keep, in [keep, 1 + keep)
        np.floor(mask, out=mask)  # (n, n_units) 1 kept, 0 dropped
        mask *= 1.0 / keep  # (n, n_units) 1 / keep kept, 0 dropped
        out = np.multiply(X, mask, out=self.scratch_like("_scratch_out", X))  # (n, n_units)
        self._cache_mask = mask
        return out

    def backward(self, dY, need_dX=True):
        dY *= self._cache_mask  # (n, n_units)
        return dY

    def __repr__(self):
        return f"Dropout({self.n_in}, rate={self.rate})"


class BatchNorm(Layer):
    """Batch normalisation with a learned scale ``gamma`` and shift ``beta``.

    While training, each unit is standardised with the batch's mean and (biased)
    variance, ``Y = gamma * (X - mean) / sqrt(var + eps) + beta``, and the running
    statistics move towards the batch's: ``running = momentum * running + (1 -
    momentum) * batch``. When the batch has sample weights ``w``, the mean and
    variance are weighted by ``p = w / sum(w)``: a row of weight 0 does not move
    them, a row of weight k counts as k copies of it; the backward pass is the
    gradient of that weighted map. At predict time the running statistics are
    used, so the prediction of a row does not depend on the rest of its batch. ``gamma`` and
    ``beta`` live in the network's "extra" group: no penalty touches them. The
    running statistics are layer state, kept under pickling.

    Parameters
    ----------
    n_units : int
        Width of the input and output.
    momentum : float, default=0.9
        Weight of the old running statistics at each training step; 0 makes them
        the last batch's statistics (used for full-batch L-BFGS).
    eps : float, default=1e-5
        Added to the variance.
    """

    uses_sample_weight = True

    def __init__(self, n_units, momentum=BATCH_NORM_MOMENTUM, eps=1e-5):
        self.n_in = self.n_out = n_units
        self.momentum = float(momentum)
        self.eps = float(eps)
        self.param_specs = (
            ("gamma", (n_units,), "extra"),
            ("beta", (n_units,), "extra"),
        )
        self.running_mean = None
        self.running_var = None

    def init_params(self):
        """Start as the identity map: ``gamma = 1``, ``beta = 0``, unit statistics."""
        dtype = self.params["gamma"].dtype
        self.params["gamma"][...] = 1
        self.params["beta"][...] = 0
        self.running_mean = np.zeros(self.n_out, dtype=dtype)  # (n_units,)
        self.running_var = np.ones(self.n_out, dtype=dtype)  # (n_units,)

    def allocate(self, batch_size, dtype):
        for name in ("_scratch_out", "_scratch_xhat", "_scratch_dX"):
            self.scratch(name, (batch_size, self.n_out), dtype)
        self.scratch("_scratch_p", (batch_size,), dtype)

    def forward(self, X, training, sample_weight=None, out=None):
        """Normalise the batch (see ``Layer.forward``).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_units)
        training : bool
        sample_weight : ndarray of shape (n_samples,) or None, default=None
            Non-negative weights of the training batch's rows, with a positive
            sum; None weighs every row alike. Ignored at predict time.
        out : ndarray of shape (n_samples, n_units) or None, default=None
            Output buffer at predict time, as in ``Layer.forward``.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_units)
        """
        gamma, beta = self.params["gamma"], self.params["beta"]  # (n_units,), (n_units,)
        if not training:
            inv_std = 1.0 / np.sqrt(self.running_var + self.eps)  # (n_units,)
            out = np.subtract(X, self.running_mean, out=out)  # (n, n_units)
            out *= inv_std * gamma  # (n, n_units)
            out += beta
            return out
        n = X.shape[0]
        out = self.scratch_like("_scratch_out", X)  # (n, n_units)
        xhat = self.scratch_like("_scratch_xhat", X)  # (n, n_units)
        if sample_weight is None:
            p = None
            mean = X.mean(axis=0)  # (n_units,)
            np.subtract(X, mean, out=xhat)  # (n, n_units) centred
            var = np.einsum("ij,ij->j", xhat, xhat) / n  # (n_units,)
        else:
            p = np.divide(sample_weight, sample_weight.sum(),
                          out=self.scratch("_scratch_p", (n,), X.dtype),
                          dtype=X.dtype)  # (n,) row weights summing to 1
            mean = p @ X  # (n_units,)
            np.subtract(X, mean, out=xhat)  # (n, n_units) centred
            squares = np.square(xhat, out=out)  # (n, n_units) in the output's buffer
            var = p @ squares  # (n_units,)
        inv_std = 1.0 / np.sqrt(var + self.eps)  # (n_units,)
        xhat *= inv_std  # (n, n_units) standardised
        np.multiply(xhat, gamma, out=out)  # (n, n_units)
        out += beta
        m = self.momentum
        self.running_mean *= m
        self.running_mean += (1 - m) * mean  # (n_units,)
        self.running_var *= m
        self.running_var += (1 - m) * var  # (n_units,)
        self._cache = xhat, inv_std, p
        return out

    def backward(self, dY, need_dX=True):
        xhat, inv_std, p = self._cache  # (n, n_units), (n_units,), (n,) or None
        n = xhat.shape[0]
        dgamma, dbeta = self.grads["gamma"], self.grads["beta"]  # (n_units,), (n_units,)
        np.einsum("ij,ij->j", dY, xhat, out=dgamma)  # (n_units,)
        np.sum(dY, axis=0, out=dbeta)  # (n_units,)
        if not need_dX:
            return None
        # dX = gamma * inv_std * (dY - p * (dbeta + xhat * dgamma)), with the
        # row weights p (1 / n each when unweighted)
        dX = self.scratch_like("_scratch_dX", dY)  # (n, n_units)
        if p is None:
            np.multiply(xhat, dgamma / n, out=dX)  # (n, n_units)
            dX += dbeta / n
        else:
            np.multiply(xhat, dgamma, out=dX)  # (n, n_units)
            dX += dbeta
            dX *= p[:, None]  # (n, n_units)
        np.subtract(dY, dX, out=dX)  # (n, n_units)
        dX *= self.params["gamma"] * inv_std  # (n, n_units)
        return dX

    def __repr__(self):
        return f"BatchNorm({self.n_in})"
