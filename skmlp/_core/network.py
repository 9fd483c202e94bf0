"""The layer stack with its flat parameter and gradient buffers.

All parameters live in one 1-D buffer ``params`` and all gradients in ``grads`` of
the same length, laid out as scikit-learn packs them for L-BFGS: every layer's
weights first, then every layer's biases, then any other learned parameters
(``extra``, e.g. batch-norm scale and shift). Each layer holds views into both
buffers, so an optimizer or penalty updates all parameters with one vectorised
operation, and the L2 penalty acts on the leading ``n_coef`` entries only.

Views become copies under pickle and deepcopy: ``__setstate__`` binds fresh views
into the restored buffer.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np

from .activations import Identity, get_activation
from .batching import as_rows, batch_slices
from .embedding import Embedding
from .layers import BatchNorm, Dense, Dropout

_GROUPS = ("coef", "intercept", "extra")

#: ``Network.predict`` runs this many bytes of the widest layer's output at a
#: time: rows of X in chunks whose hidden activations stay in cache, through
#: buffers allocated once per call and reused across its chunks.
PREDICT_CHUNK_BYTES = 1 << 21


class Network:
    """A stack of layers sharing flat parameter and gradient buffers.

    Parameters
    ----------
    layers : list of Layer
        In forward order; the last one produces the output pre-activation.
    dtype : numpy dtype
        float32 or float64, for parameters, gradients and buffers.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        Every parameter.
    grads : ndarray of shape (n_params,)
        Gradient of the last backward pass, aligned with ``params``.
    n_coef : int
        Number of weights (the entries the penalties act on), stored first.
    """

    def __init__(self, layers, dtype):
        self.layers = list(layers)
        self.dtype = np.dtype(dtype)
        sizes = {g: 0 for g in _GROUPS}
        for layer in self.layers:
            for _, shape, group in layer.param_specs:
                sizes[group] += int(np.prod(shape))
        self.n_coef = sizes["coef"]
        self.n_intercept = sizes["intercept"]
        self.n_params = sum(sizes.values())
        self.params = np.zeros(self.n_params, dtype=self.dtype)  # (n_params,)
        self._bind()
        for layer in self.layers:
            layer.init_params()

    def _bind(self):
        """Allocate the gradient buffer and give every layer its views."""
        self.grads = np.zeros(self.n_params, dtype=self.dtype)  # (n_params,)
        offset = 0
        views = [({}, {}) for _ in self.layers]
        for group in _GROUPS:
            for layer, (pv, gv) in zip(self.layers, views):
                for name, shape, g in layer.param_specs:
                    if g != group:
                        continue
                    size = int(np.prod(shape))
                    pv[name] = self.params[offset : offset + size].reshape(shape)
                    gv[name] = self.grads[offset : offset + size].reshape(shape)
                    offset += size
        for layer, (pv, gv) in zip(self.layers, views):
            layer.bind(pv, gv)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("grads", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._bind()

    @property
    def dense_layers(self):
        """The dense layers, in forward order."""
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    @property
    def embedding(self):
        """The first layer when it is an ``Embedding``, else None."""
        first = self.layers[0]
        return first if isinstance(first, Embedding) else None

    @property
    def coef_sizes(self):
        """Sizes of the "coef" group's arrays, in the flat buffer's order.

        The dense weights' sizes, after the embedding tables' when there are any.
        """
        return [int(np.prod(shape)) for layer in self.layers
                for _, shape, group in layer.param_specs if group == "coef"]

    @property
    def coefs(self):
        """Weight views, one ``(n_in, n_out)`` array per dense layer."""
        return [layer.params["W"] for layer in self.dense_layers]

    @property
    def intercepts(self):
        """Bias views, one ``(n_out,)`` array per dense layer."""
        return [layer.params["b"] for layer in self.dense_layers]

    def set_coefs(self, coefs, intercepts):
        """Copy weights and biases into the flat buffer, checking their shapes.

        Parameters
        ----------
        coefs : list of ndarray of shape (n_in, n_out)
        intercepts : list of ndarray of shape (n_out,)
        """
        own_c, own_i = self.coefs, self.intercepts
        if len(coefs) != len(own_c) or len(intercepts) != len(own_i):
            raise ValueError(
                f"coefs_ and intercepts_ must hold {len(own_c)} arrays each, got "
                f"{len(coefs)} and {len(intercepts)}."
            )
        for dst, src in zip(own_c + own_i, list(coefs) + list(intercepts)):
            src = np.asarray(src)  # (n_in, n_out) or (n_out,)
            if src.shape != dst.shape:
                raise ValueError(
                    f"coefs_/intercepts_ entry of shape {src.shape} does not match "
                    f"the network's {dst.shape}."
                )
            dst[...] = src

    def set_dropout_rng(self, rng):
        """Give every dropout layer the generator its training masks come from.

        Parameters
        ----------
        rng : numpy.random.Generator
        """
        for layer in self.layers:
            if isinstance(layer, Dropout):
                layer.rng = rng

    def set_batch_norm_momentum(self, momentum):
        """Set the running-statistics momentum of every batch-norm layer.

        Parameters
        ----------
        momentum : float
            0 makes the running statistics those of the last training batch, as
            full-batch L-BFGS needs.
        """
        for layer in self.layers:
            if isinstance(layer, BatchNorm):
                layer.momentum = float(momentum)

    def snapshot(self, out=None):
        """A copy of everything predictions use: parameters and running statistics.

        Parameters
        ----------
        out : ndarray of shape (n_snapshot,) or None, default=None
            Buffer of a previous snapshot to overwrite; allocated when None.

        Returns
        -------
        snapshot : ndarray of shape (n_snapshot,)
            ``params``, then each batch-norm layer's running mean and variance.
        """
        parts = [self.params] + [
            stat for layer in self.layers if isinstance(layer, BatchNorm)
            for stat in (layer.running_mean, layer.running_var)
        ]
        if out is None:
            return np.concatenate(parts)  # (n_snapshot,)
        np.concatenate(parts, out=out)  # (n_snapshot,)
        return out

    def restore(self, snapshot):
        """Put back a ``snapshot``: the parameters and the running statistics together.

        Parameters
        ----------
        snapshot : ndarray of shape (n_snapshot,) or (n_params,)
            From ``snapshot``; one holding the parameters alone (made by older
            versions) restores just them.
        """
        self.params[...] = snapshot[: self.n_params]
        if snapshot.shape[0] == self.n_params:
            return
        offset = self.n_params
        for layer in self.layers:
            if isinstance(layer, BatchNorm):
                for stat in (layer.running_mean, layer.running_var):
                    stat[...] = snapshot[offset : offset + stat.shape[0]]  # (n_units,)
                    offset += stat.shape[0]

    def allocate(self, batch_size):
        """Preallocate every layer's training buffers for ``batch_size`` rows.

        Optional: layers otherwise make their buffers on first use.

        Parameters
        ----------
        batch_size : int
        """
        for layer in self.layers:
            layer.allocate(batch_size, self.dtype)

    def release(self):
        """Drop every layer's training buffers and caches."""
        for layer in self.layers:
            layer.release()

    def forward(self, X, training=False, sample_weight=None):
        """Output pre-activation of the network.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
        training : bool, default=False
            True inside a training step (caches for ``backward``, dropout on).
        sample_weight : ndarray of shape (n_samples,) or None, default=None
            Weights of the training batch's rows (non-negative, positive sum),
            handed to the layers that declare ``uses_sample_weight`` (batch
            norm weights its statistics with them); only used while training.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_outputs)
        """
        A = X  # (n, n_features)
        for layer in self.layers:
            if layer.uses_sample_weight:
                A = layer.forward(A, training, sample_weight=sample_weight)  # (n, layer.n_out)
            else:
                A = layer.forward(A, training)  # (n, layer.n_out)
        return A

    def predict(self, X, link=None):
        """Network output for every row of ``X``, a chunk of rows at a time.

        Rows are independent at predict time, so the result is what
        ``link(forward(X, training=False))`` gives, without its full-size
        hidden activations: each chunk's hidden outputs go into buffers made
        once per call (never shared between calls, so threads may predict with
        one network at once), and the last layer writes into the output. Up to
        one chunk of rows this is ``forward`` itself; beyond, a row's outputs
        may differ from the one-product ones by a few ulps, as BLAS's blocking
        of a product (with it the rounding of a row) depends on its row count.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
        link : callable or None, default=None
            Applied in place to each chunk of the output pre-activation
            (a loss's ``inverse_link``); None keeps the pre-activation.

        Returns
        -------
        output : ndarray of shape (n_samples, n_outputs)
        """
        n = X.shape[0]
        widest = max(layer.n_out for layer in self.layers)
        # a multiple of 64 rows: whole blocks for BLAS's kernels in every chunk
        max_rows = max(64, PREDICT_CHUNK_BYTES // (widest * self.dtype.itemsize) // 64 * 64)
        if n <= max_rows:  # one chunk: the arrays forward makes serve
            Z = self.forward(X, training=False)  # (n, n_outputs)
            return Z if link is None else link(Z)
        last = len(self.layers) - 1
        out = np.empty((n, self.layers[last].n_out), dtype=self.dtype)  # (n, n_outputs)
        rows = as_rows(X)  # row blocks without scipy's per-block costs
        chunk = min(n, max_rows)
        # one buffer per hidden layer's output, reused by every chunk
        buffers = [np.empty((chunk, layer.n_out), dtype=self.dtype)  # (chunk, n_out)
                   for layer in self.layers[:last]]
        for sl in batch_slices(n, chunk):
            m = sl.stop - sl.start
            A = rows[sl]  # (m, n_features)
            for i, layer in enumerate(self.layers):
                dst = out[sl] if i == last else buffers[i][:m]  # (m, layer.n_out)
                A = layer.forward(A, False, out=dst)  # (m, layer.n_out)
            if A is not dst:
                np.copyto(dst, A)  # (m, n_outputs)
            if link is not None:
                link(dst)  # (m, n_outputs) in place
        return out

    def backward(self, dZ):
        """Back-propagate the output gradient; fills ``grads``.

        Parameters
        ----------
        dZ : ndarray of shape (n_samples, n_outputs)
            Gradient of the loss with respect to the output pre-activation.
        """
        dY = dZ  # (n, n_outputs)
        for i in reversed(range(len(self.layers))):
            dY = self.layers[i].backward(dY, need_dX=i > 0)  # (n, layer.n_in)


def build_mlp(layer_units, activation, dtype, *, dropout=0.0, batch_norm=False,
              embedding=None):
    """Build the layer stack of an MLP.

    An ``embedding`` layer, when given, comes first. Each hidden layer is
    ``Dense`` (with its activation), then ``BatchNorm`` when ``batch_norm``, then
    ``Dropout`` when its rate is positive; the output layer is a plain ``Dense``
    with the identity.

    Parameters
    ----------
    layer_units : list of int
        ``[n_features, *hidden_layer_sizes, n_outputs]``.
    activation : str or sequence of str
        Hidden activation name for every hidden layer, or one name per hidden
        layer (the estimator validates names and count).
    dtype : numpy dtype
    dropout : float or sequence of float, default=0.0
        Dropout rate after every hidden layer, or one rate per hidden layer.
    batch_norm : bool, default=False
        Batch normalisation after every hidden dense layer.
    embedding : Embedding or None, default=None
        First layer, mapping categorical codes to vectors; ``layer_units[0]``
        is then its output width, ``embedding.n_out``.

    Returns
    -------
    network : Network
    """
    layers = []
    if embedding is not None:
        if embedding.n_out != layer_units[0]:
            raise ValueError(
                f"The embedding's output width {embedding.n_out} is not the first "
                f"layer's input width {layer_units[0]}."
            )
        layers.append(embedding)
    n_layers = len(layer_units) - 1
    rates = np.broadcast_to(np.asarray(dropout, dtype=float), (n_layers - 1,))  # (n_hidden,)
    if isinstance(activation, str):
        activation = [activation] * (n_layers - 1)
    for i in range(n_layers):
        hidden = i < n_layers - 1
        act = get_activation(activation[i]) if hidden else Identity()
        layers.append(Dense(layer_units[i], layer_units[i + 1], act))
        if hidden and batch_norm:
            layers.append(BatchNorm(layer_units[i + 1]))
        if hidden and rates[i] > 0:
            layers.append(Dropout(layer_units[i + 1], rates[i]))
    return Network(layers, dtype)
