"""Layers: ``forward(X, training)`` and ``backward(dY)``.

A layer declares the parameters it owns (``param_specs``); the network allocates
them inside its flat buffers and hands the layer views with ``bind``. A layer caches
only what its backward pass needs. During training, outputs and input gradients are
written into buffers preallocated for the largest batch (``allocate``); at predict
time (``training=False``) every array is fresh, so concurrent predictions share no
scratch memory.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np


class Layer:
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
    #: Attributes holding training buffers or caches, dropped on pickling.
    _transient = ()

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
        state = self.__dict__.copy()
        state.pop("params", None)
        state.pop("grads", None)
        for key in self._transient:
            state[key] = None
        return state

    def allocate(self, batch_size, dtype):
        """Preallocate training buffers for batches of up to ``batch_size`` rows.

        Parameters
        ----------
        batch_size : int
        dtype : numpy dtype
        """

    def release(self):
        """Drop the training buffers and caches (before pickling or after fit)."""
        for key in self._transient:
            setattr(self, key, None)

    def forward(self, X, training):
        """Map the input batch to the output batch.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_in)
        training : bool
            True inside a training step; caches for ``backward`` are kept only
            then.

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
        Applied in place to the affine output (``Identity`` for the output layer,
        whose link is fused into the loss).
    """

    _transient = ("_out", "_dX", "_Z", "_X", "_A", "_Zcache")

    def __init__(self, n_in, n_out, activation):
        self.n_in = n_in
        self.n_out = n_out
        self.activation = activation
        self.param_specs = (
            ("W", (n_in, n_out), "coef"),
            ("b", (n_out,), "intercept"),
        )
        self.release()

    @property
    def W(self):
        """Weights, a view into the network's flat buffer, (n_in, n_out)."""
        return self.params["W"]

    @property
    def b(self):
        """Biases, a view into the network's flat buffer, (n_out,)."""
        return self.params["b"]

    def allocate(self, batch_size, dtype):
        self._out = np.empty((batch_size, self.n_out), dtype=dtype)  # (batch, n_out)
        self._dX = np.empty((batch_size, self.n_in), dtype=dtype)  # (batch, n_in)
        if self.activation.needs_z:
            self._Z = np.empty((batch_size, self.n_out), dtype=dtype)  # (batch, n_out)

    def forward(self, X, training):
        n = X.shape[0]
        if training and self._out is not None and n <= self._out.shape[0]:
            out = self._out[:n]  # (n, n_out)
        else:
            out = np.empty((n, self.n_out), dtype=self.W.dtype)  # (n, n_out)
        if isinstance(X, np.ndarray):  # dense (a cheaper test than scipy.sparse.issparse)
            np.matmul(X, self.W, out=out)  # (n, n_out)
        else:
            out[...] = X @ self.W  # (n, n_out) sparse X
        out += self.b
        Z = None
        if self.activation.needs_z:
            Z = self._Z[:n] if training and self._Z is not None else out.copy()
            Z[...] = out  # (n, n_out)
        A = self.activation.forward(out)  # (n, n_out)
        if training:
            self._X, self._A, self._Zcache = X, A, Z
        return A

    def backward(self, dY, need_dX=True):
        X, A = self._X, self._A
        n = A.shape[0]
        dZ = self.activation.backward(A, dY, self._Zcache)  # (n, n_out)
        dW, db = self.grads["W"], self.grads["b"]  # (n_in, n_out), (n_out,)
        if isinstance(X, np.ndarray):
            np.matmul(X.T, dZ, out=dW)  # (n_in, n_out)
        else:
            dW[...] = X.T @ dZ  # (n_in, n_out) sparse X
        np.add.reduce(dZ, axis=0, out=db)  # (n_out,) what np.sum does, minus its wrapper
        if not need_dX:
            return None
        if self._dX is not None and n <= self._dX.shape[0]:
            dX = self._dX[:n]  # (n, n_in)
        else:
            dX = np.empty((n, self.n_in), dtype=dZ.dtype)  # (n, n_in)
        np.matmul(dZ, self.W.T, out=dX)  # (n, n_in)
        return dX

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, {self.activation.name})"
