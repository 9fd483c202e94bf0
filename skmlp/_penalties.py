"""Penalties over the flat parameter buffer.

The scaling rule, stated once: scikit-learn's MLP adds ``0.5 * alpha * ||W||^2 /
sum(w)`` to each minibatch's mean loss, where ``sum(w)`` is the batch's total sample
weight (its size when unweighted), and so adds ``alpha * W / sum(w)`` to the weight
gradient. Biases are never penalised. Every penalty here takes that ``scale =
sum(w)`` and acts on the leading ``n_coef`` entries of the flat buffers, where the
network keeps its weights.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np


class L2Penalty:
    """``0.5 * alpha * ||W||^2 / scale`` over the weights, scikit-learn's ``alpha``.

    Parameters
    ----------
    alpha : float
        Strength of the penalty, as scikit-learn's MLP defines it.
    """

    def __init__(self, alpha):
        self.alpha = float(alpha)
        self._scratch = None

    def add_to(self, params, grads, n_coef, scale):
        """Add the penalty's gradient to ``grads`` and return its value.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        grads : ndarray of shape (n_params,)
            Updated in place on its first ``n_coef`` entries.
        n_coef : int
            Number of leading entries that are weights.
        scale : float
            The batch's total sample weight.

        Returns
        -------
        value : float
        """
        if self.alpha == 0.0 or n_coef == 0:
            return 0.0
        W = params[:n_coef]  # (n_coef,)
        value = 0.5 * self.alpha * float(W @ W) / scale
        if self._scratch is None or self._scratch.shape != W.shape or self._scratch.dtype != W.dtype:
            self._scratch = np.empty_like(W)  # (n_coef,)
        np.multiply(W, self.alpha / scale, out=self._scratch)
        grads[:n_coef] += self._scratch
        return value

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_scratch"] = None
        return state
