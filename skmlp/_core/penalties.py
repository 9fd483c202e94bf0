"""Penalties over the flat parameter buffer.

The scaling rule, stated once: scikit-learn's MLP adds ``0.5 * alpha * ||W||^2 /
sum(w)`` to each minibatch's mean loss, where ``sum(w)`` is the batch's total sample
weight (its size when unweighted), and so ``alpha * W / sum(w)`` to the weight
gradient. It forms that gradient as ``(A.T @ dZ + alpha * W) / sum(w)``: the
penalties here add ``alpha * W`` to the un-normalised gradient, and the training
step divides the whole gradient by ``sum(w)`` afterwards (``_training._objective``);
their value is already divided by ``scale = sum(w)``. Biases are never penalised.
Every penalty acts on the leading ``n_coef`` entries of the flat buffers, where the
network keeps its weights.

The elastic net mixes the two as scikit-learn's ElasticNet and SGD models do:
``alpha * (l1_ratio * ||W||_1 + 0.5 * (1 - l1_ratio) * ||W||^2) / scale``. Its L2
part adds to the gradient like ``L2Penalty``; its L1 part is not differentiated: it
is applied after each optimizer step as a proximal soft-threshold, which sets
weights exactly to zero instead of making them oscillate around it.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np

from .kernels import UsesKernels


class L2Penalty(UsesKernels):
    """``0.5 * alpha * ||W||^2 / scale`` over the weights, scikit-learn's ``alpha``.

    Parameters
    ----------
    alpha : float
        Strength of the penalty, as scikit-learn's MLP defines it.
    coef_sizes : sequence of int or None, default=None
        Sizes of the weight matrices, in the order the flat buffer holds them.
        When given, the value adds their squared norms one matrix at a time, as
        scikit-learn does, so that the objective L-BFGS sees has scikit-learn's
        last bits; None takes the leading ``n_coef`` entries as one piece.

    Attributes
    ----------
    kernels : NumpyKernels or BlasKernels
        The ``axpy`` the gradient is added with; set per fit
        (``kernels.make_kernels``), numpy's until then.
    """

    def __init__(self, alpha, coef_sizes=None):
        self.alpha = float(alpha)
        self.coef_sizes = None if coef_sizes is None else tuple(int(n) for n in coef_sizes)

    def _squared_norm(self, W):
        """``||W||^2`` over the weights ``W (n_coef,)``, summed matrix by matrix."""
        if self.coef_sizes is None:
            return float(W @ W)
        total, start = 0.0, 0
        for size in self.coef_sizes:
            piece = W[start:start + size]  # (size,) one weight matrix, flattened
            total += float(piece @ piece)
            start += size
        return total

    def add_to(self, params, grads, n_coef, scale):
        """Add the penalty's gradient to ``grads`` and return its value.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        grads : ndarray of shape (n_params,)
            The un-normalised gradient; ``alpha * W`` is added to its first
            ``n_coef`` entries in place.
        n_coef : int
            Number of leading entries that are weights.
        scale : float
            The batch's total sample weight (the value's denominator).

        Returns
        -------
        value : float
            ``0.5 * alpha * ||W||^2 / scale``.
        """
        if self.alpha == 0.0 or n_coef == 0:
            return 0.0
        W = params[:n_coef]  # (n_coef,)
        value = 0.5 * self.alpha * self._squared_norm(W) / scale
        # g_W <- g_W + alpha * W
        self.kernels.axpy(self.alpha, W, grads[:n_coef])
        return value


class ElasticNetPenalty(L2Penalty):
    """``alpha * (l1_ratio * ||W||_1 + 0.5 * (1 - l1_ratio) * ||W||^2) / scale``.

    Parameters
    ----------
    alpha : float
        Overall strength, as in ``L2Penalty``.
    l1_ratio : float
        Share of the L1 term, in [0, 1].
    coef_sizes : sequence of int or None, default=None
        As in ``L2Penalty``.
    """

    def __init__(self, alpha, l1_ratio, coef_sizes=None):
        super().__init__(float(alpha) * (1.0 - float(l1_ratio)), coef_sizes)
        self.l1 = float(alpha) * float(l1_ratio)

    def add_to(self, params, grads, n_coef, scale):
        """Add the L2 part's gradient to ``grads``; return the whole value.

        The L1 part's value is included, its (sub)gradient is not: see
        ``proximal_step``. Parameters as in ``L2Penalty.add_to``.

        Returns
        -------
        value : float
        """
        value = super().add_to(params, grads, n_coef, scale)
        if self.l1 == 0.0 or n_coef == 0:
            return value
        W = params[:n_coef]  # (n_coef,)
        absW = np.abs(W, out=self.scratch_like("_scratch_abs", W))  # (n_coef,)
        return value + self.l1 * float(absW.sum()) / scale

    def proximal_step(self, params, n_coef, step, scale):
        """Soft-threshold the weights in place after an optimizer step.

        ``W <- sign(W) * max(|W| - step * l1 / scale, 0)``: the exact minimiser of
        ``l1 * ||W'||_1 / scale + ||W' - W||^2 / (2 step)``, per coordinate.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Its first ``n_coef`` entries are updated in place.
        n_coef : int
        step : float or ndarray of shape (n_params,)
            The optimizer's step size, scalar or per coordinate
            (``Optimizer.step_size``).
        scale : float
            The batch's total sample weight.
        """
        if self.l1 == 0.0 or n_coef == 0 or scale <= 0:
            return
        W = params[:n_coef]  # (n_coef,)
        shrunk = self.scratch_like("_scratch_abs", W)  # (n_coef,)
        np.abs(W, out=shrunk)  # (n_coef,)
        if np.ndim(step) == 0:
            shrunk -= step * self.l1 / scale
        else:
            t = step[:n_coef]  # (n_coef,)
            t *= self.l1 / scale
            shrunk -= t
        np.maximum(shrunk, 0, out=shrunk)  # (n_coef,)
        np.copysign(shrunk, W, out=W)  # (n_coef,)
