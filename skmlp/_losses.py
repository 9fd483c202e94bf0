"""Losses, each fused with its output link and computed from the pre-activation.

Every loss takes the output layer's pre-activation ``Z (n, n_out)``, the targets
``Y (n, n_out)`` and optional sample weights ``w (n,)`` and returns
``(value, dZ)``: the weighted mean over samples of the per-sample loss (summed over
outputs) and its exact gradient with respect to ``Z``. Probabilities are never
clipped and logarithms never taken of them: log-sum-exp and softplus keep the value
and gradient finite for any finite ``Z`` (``|Z| = 1e3`` included).

scikit-learn reports the squared error averaged over outputs while it trains on the
gradient of the sum over outputs; ``curve_factor`` gives the factor that turns our
value into the number scikit-learn prints, so that ``loss_curve_`` matches it.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np
from scipy.special import expit, xlogy


def _weighted_mean_of_rows(per_sample, sample_weight, sw_sum):
    """Weighted mean over samples of ``per_sample (n,)``."""
    if sample_weight is None:
        return float(np.add.reduce(per_sample) / sw_sum)
    return float(per_sample @ sample_weight / sw_sum)


def _scale_rows(dZ, sample_weight, sw_sum):
    """Scale ``dZ (n, n_out)`` in place by ``w_i / sum(w)``."""
    if sample_weight is None:
        dZ *= 1.0 / sw_sum
    else:
        dZ *= (sample_weight / sw_sum)[:, None]  # (n, 1)
    return dZ


class Loss:
    """A loss fused with its output link.

    Attributes
    ----------
    name : str
        The loss's public name.
    link : str
        The output activation that maps ``Z`` to predictions, as scikit-learn's
        ``out_activation_`` names it.
    """

    name = None
    link = None

    def __call__(self, Z, Y, sample_weight=None, out=None):
        """Value and gradient of the weighted mean loss.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Output pre-activation.
        Y : ndarray of shape (n_samples, n_outputs)
            Targets, in the dtype of ``Z``.
        sample_weight : ndarray of shape (n_samples,) or None
            Non-negative weights; None means all ones.
        out : ndarray of shape (n_samples, n_outputs) or None
            Buffer for the gradient; allocated when None.

        Returns
        -------
        value : float
            ``sum_i w_i loss_i / sum_i w_i`` (0.0 when the weights sum to 0).
        dZ : ndarray of shape (n_samples, n_outputs)
            Gradient of ``value`` with respect to ``Z``.
        """
        if out is None:
            out = np.empty_like(Z)  # (n, n_out)
        sw_sum = Z.shape[0] if sample_weight is None else float(sample_weight.sum())
        if sw_sum <= 0:
            out[...] = 0
            return 0.0, out
        per_sample = self._value_and_grad(Z, Y, out)  # (n,)
        value = _weighted_mean_of_rows(per_sample, sample_weight, sw_sum)
        return value, _scale_rows(out, sample_weight, sw_sum)

    def _value_and_grad(self, Z, Y, dZ):
        """Per-sample loss ``(n,)``; writes the unweighted ``dloss_i/dZ_i`` to dZ."""
        raise NotImplementedError

    def inverse_link(self, Z):
        """Map the pre-activation to predictions, in place.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)

        Returns
        -------
        output : ndarray of shape (n_samples, n_outputs)
            The same buffer, now holding predictions or probabilities.
        """
        raise NotImplementedError

    def curve_factor(self, n_outputs):
        """Factor turning ``value`` into scikit-learn's reported loss."""
        return 1.0

    def __repr__(self):
        return f"{type(self).__name__}()"


class SquaredError(Loss):
    """Half squared error with the identity link: ``0.5 * sum_k (z_k - y_k)**2``."""

    name = "squared_error"
    link = "identity"

    def _value_and_grad(self, Z, Y, dZ):
        np.subtract(Z, Y, out=dZ)  # (n, n_out)
        return 0.5 * np.einsum("ij,ij->i", dZ, dZ)  # (n,)

    def inverse_link(self, Z):
        return Z

    def curve_factor(self, n_outputs):
        return 1.0 / n_outputs


class Poisson(Loss):
    """Half Poisson deviance with the log link: ``exp(z) - y z + y log y - y``.

    ``z`` is capped at half the log of the dtype's largest number inside the
    exponential, so value and gradient stay finite for any finite input.
    """

    name = "poisson"
    link = "exp"

    def _value_and_grad(self, Z, Y, dZ):
        z_max = 0.5 * np.log(np.finfo(Z.dtype).max)
        np.minimum(Z, z_max, out=dZ)  # (n, n_out)
        Zc = dZ.copy()  # (n, n_out)
        np.exp(dZ, out=dZ)  # (n, n_out) the mean exp(z)
        per_elem = dZ - Y * Zc + xlogy(Y, Y) - Y  # (n, n_out)
        dZ -= Y
        return per_elem.sum(axis=1)  # (n,)

    def inverse_link(self, Z):
        return np.exp(Z, out=Z)


class LogLoss(Loss):
    """Categorical cross-entropy with the softmax link, via log-sum-exp."""

    name = "log_loss"
    link = "softmax"

    def _value_and_grad(self, Z, Y, dZ):
        # ufunc reductions directly: the np.max / np.sum wrappers cost more than
        # the arithmetic on a small batch.
        z_max = np.maximum.reduce(Z, axis=1, keepdims=True)  # (n, 1)
        np.subtract(Z, z_max, out=dZ)  # (n, n_out) shifted
        np.exp(dZ, out=dZ)
        norm = np.add.reduce(dZ, axis=1, keepdims=True)  # (n, 1)
        dZ /= norm  # (n, n_out) softmax probabilities
        # -sum_k y_k log p_k = logsumexp(z) - sum_k y_k z_k when sum_k y_k = 1
        log_norm = np.log(norm[:, 0]) + z_max[:, 0]  # (n,) logsumexp(z)
        per_sample = np.add.reduce(Y, axis=1) * log_norm  # (n,)
        per_sample -= np.einsum("ij,ij->i", Y, Z)  # (n,)
        dZ -= Y
        return per_sample

    def inverse_link(self, Z):
        Z -= Z.max(axis=1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=1, keepdims=True)
        return Z


class BinaryLogLoss(Loss):
    """Binary cross-entropy per output with the logistic link, via softplus."""

    name = "binary_log_loss"
    link = "logistic"

    def _value_and_grad(self, Z, Y, dZ):
        # -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + exp(z)) - y z
        per_elem = np.logaddexp(0, Z)  # (n, n_out)
        per_elem -= Y * Z
        expit(Z, out=dZ)  # (n, n_out)
        dZ -= Y
        return per_elem.sum(axis=1)  # (n,)

    def inverse_link(self, Z):
        return expit(Z, out=Z)


class Huber(Loss):
    """Huber loss with the identity link, summed over outputs.

    ``0.5 r**2`` for ``|r| <= delta`` and ``delta (|r| - 0.5 delta)`` beyond, with
    ``r = z - y``: quadratic near the target, linear (robust to outliers) far
    from it. Its gradient ``clip(r, -delta, delta)`` is continuous.

    Parameters
    ----------
    delta : float, default=1.0
        Where the quadratic part turns linear; > 0.
    """

    name = "huber"
    link = "identity"

    def __init__(self, delta=1.0):
        self.delta = float(delta)

    def _value_and_grad(self, Z, Y, dZ):
        d = self.delta
        np.subtract(Z, Y, out=dZ)  # (n, n_out) residual r
        abs_r = np.abs(dZ)  # (n, n_out)
        per_elem = np.where(abs_r <= d, 0.5 * dZ * dZ, d * (abs_r - 0.5 * d))  # (n, n_out)
        np.clip(dZ, -d, d, out=dZ)  # (n, n_out)
        return per_elem.sum(axis=1)  # (n,)

    def inverse_link(self, Z):
        return Z

    def __repr__(self):
        return f"Huber(delta={self.delta})"


class AbsoluteError(Loss):
    """Absolute error with the identity link: ``sum_k |z_k - y_k|``.

    Not differentiable where ``z == y``: the subgradient 0 is used there.
    """

    name = "absolute_error"
    link = "identity"

    def _value_and_grad(self, Z, Y, dZ):
        np.subtract(Z, Y, out=dZ)  # (n, n_out)
        per_sample = np.abs(dZ).sum(axis=1)  # (n,)
        np.sign(dZ, out=dZ)  # (n, n_out)
        return per_sample

    def inverse_link(self, Z):
        return Z


LOSSES = {
    cls.name: cls
    for cls in (SquaredError, Poisson, LogLoss, BinaryLogLoss, Huber, AbsoluteError)
}


def get_loss(name, **params):
    """Return a fresh loss object for ``name``.

    Parameters
    ----------
    name : str
        One of the keys of ``LOSSES``.
    **params
        Constructor arguments of the loss (``delta`` for 'huber').

    Returns
    -------
    loss : Loss
    """
    try:
        return LOSSES[name](**params)
    except KeyError:
        raise ValueError(
            f"Unknown loss {name!r}; expected one of {sorted(LOSSES)}."
        ) from None
