"""Losses, each fused with its output link and computed from the pre-activation.

Every loss takes the output layer's pre-activation ``Z (n, n_out)``, the targets
``Y (n, n_out)`` and optional sample weights ``w (n,)`` and returns ``(value,
dZ)``, both exactly as scikit-learn's MLP computes them:

- ``value`` is scikit-learn's reported loss (``loss_``, ``loss_curve_``, the
  objective L-BFGS sees): the weighted mean over samples, with probabilities
  clipped to ``[eps, 1 - eps]`` in the log-losses as scikit-learn clips them, and
  the squared error averaged over outputs as scikit-learn reports it.
- ``dZ`` is what scikit-learn back-propagates, ``w_i * (link(z_i) - y_i)``: the
  gradient of the weighted *sum* over samples (and outputs) of the per-element
  loss, computed from the logits (a softmax or logistic of finite ``Z`` is
  finite, whatever the clipping does to the value). The caller divides the
  parameter gradient by ``sum(w)`` once, after adding the penalty's gradient, in
  scikit-learn's order of operations: ``(A.T @ dZ + alpha * W) / sum(w)``.

Intermediate arrays (probabilities, residuals) live in named scratch buffers,
reused across minibatches and dropped on pickling (``HoldsScratch``); ``dZ`` only
ever holds the gradient.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np
from scipy.special import expit, xlogy

from .scratch import HoldsScratch


class Loss(HoldsScratch):
    """A loss fused with its output link.

    Attributes
    ----------
    name : str
        The loss's public name.
    link : str
        The output activation that maps ``Z`` to predictions, as scikit-learn's
        ``out_activation_`` names it: 'identity' unless a loss overrides it
        (with ``inverse_link``).
    averages_outputs : bool
        True when ``value`` is the mean over outputs of the per-output losses
        (scikit-learn's squared error) rather than their sum; ``dZ`` is the
        gradient of the sum either way.
    """

    name = None
    link = "identity"
    averages_outputs = False

    def __call__(self, Z, Y, sample_weight=None, out=None):
        """Value and back-propagated error of the weighted loss.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Output pre-activation.
        Y : ndarray of shape (n_samples, n_outputs)
            Targets, in the dtype of ``Z``.
        sample_weight : ndarray of shape (n_samples,) or None
            Non-negative weights; None means all ones.
        out : ndarray of shape (n_samples, n_outputs) or None
            Buffer for ``dZ``; allocated when None.

        Returns
        -------
        value : float
            scikit-learn's loss value (0.0 when the weights sum to 0).
        dZ : ndarray of shape (n_samples, n_outputs)
            ``w_i * d loss_i / d Z_i``, the gradient of the weighted sum.
        """
        if out is None:
            out = np.empty_like(Z)  # (n, n_out)
        if sample_weight is not None and not sample_weight.sum() > 0:
            out[...] = 0
            return 0.0, out
        value = self._value_and_grad(Z, Y, sample_weight, out)
        if sample_weight is not None:
            out *= sample_weight.reshape(-1, 1)  # (n, n_out) as scikit-learn weighs deltas
        return float(value), out

    def _value_and_grad(self, Z, Y, sample_weight, dZ):
        """scikit-learn's value; writes the unweighted ``dloss_i/dZ_i`` to ``dZ``."""
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
        return Z


#: Machine epsilon of each float dtype (``np.finfo`` costs more than a small clip).
_EPS = {np.dtype(t): np.finfo(t).eps for t in (np.float32, np.float64)}


def _clipped(P, out=None):
    """Probabilities clipped to ``[eps, 1 - eps]`` of their dtype, as scikit-learn does.

    Into ``out`` when given (which may be ``P``), else into a new array.
    """
    eps = _EPS[P.dtype]
    out = np.maximum(P, eps, out=out)  # (n, n_out)
    return np.minimum(out, 1 - eps, out=out)  # (n, n_out)


def _column_average(per_elem, sample_weight):
    """``np.average(per_elem, weights=sample_weight, axis=0)`` by the same operations.

    The same numbers as scikit-learn's call, without ``np.average``'s wrapper,
    which costs more than the arithmetic on a minibatch.

    Parameters
    ----------
    per_elem : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    average : ndarray of shape (n_outputs,)
    """
    if sample_weight is None:
        return np.add.reduce(per_elem, axis=0) / per_elem.shape[0]  # (n_out,)
    w = sample_weight.reshape(-1, 1)  # (n, 1)
    return np.add.reduce(per_elem * w, axis=0) / np.add.reduce(w, axis=0)  # (n_out,)


#: Below this many classes numpy sums a row left to right (from 8 on, pairwise),
#: so summing the columns one after another gives its bits, faster than
#: numpy's reduction over rows this short.
_FEW_COLUMNS = 8


def _softmax(Z, out):
    """The softmax of each row of ``Z`` into ``out`` (which may be ``Z``), in
    scikit-learn's arithmetic: ``exp(z - max(z)) / sum(exp(z - max(z)))``."""
    n_out = Z.shape[1]
    if not 1 < n_out < _FEW_COLUMNS:
        z_max = np.maximum.reduce(Z, axis=1, keepdims=True)  # (n, 1)
        np.subtract(Z, z_max, out=out)  # (n, n_out) shifted
        np.exp(out, out=out)  # (n, n_out)
        out /= np.add.reduce(out, axis=1, keepdims=True)  # (n, n_out) probabilities
        return out
    # Few classes: the row max and sum a column at a time (a max is exact, and
    # the sum adds in numpy's order for rows this short).
    z_max = np.maximum(Z[:, 0], Z[:, 1])  # (n,)
    for j in range(2, n_out):
        np.maximum(z_max, Z[:, j], out=z_max)  # (n,)
    np.subtract(Z, z_max[:, None], out=out)  # (n, n_out) shifted
    np.exp(out, out=out)  # (n, n_out)
    total = np.add(out[:, 0], out[:, 1])  # (n,)
    for j in range(2, n_out):
        total += out[:, j]  # (n,)
    out /= total[:, None]  # (n, n_out) probabilities
    return out


class SquaredError(Loss):
    """Half squared error with the identity link: ``0.5 * (z - y)**2``.

    scikit-learn reports it averaged over outputs and back-propagates the
    gradient of its sum over outputs, ``z - y``.
    """

    name = "squared_error"
    averages_outputs = True

    def _value_and_grad(self, Z, Y, sample_weight, dZ):
        np.subtract(Z, Y, out=dZ)  # (n, n_out) the residual, which is the gradient
        squares = np.square(dZ, out=self.scratch_like("_scratch_squares", dZ))  # (n, n_out)
        # the mean over outputs, as ndarray.mean computes it without its wrapper
        return 0.5 * (np.add.reduce(_column_average(squares, sample_weight)) / Z.shape[1])


class Poisson(Loss):
    """Half Poisson deviance with the log link: ``exp(z) - y z + y log y - y``.

    That is scikit-learn's ``y log(y / exp(z)) - y + exp(z)``, written so that it
    needs no division: ``z`` is capped at half the log of the dtype's largest
    number inside the exponential, so value and gradient stay finite for any
    finite input (where scikit-learn's prediction underflows to 0 and its value
    becomes infinite).
    """

    name = "poisson"
    link = "exp"

    def _value_and_grad(self, Z, Y, sample_weight, dZ):
        z_max = 0.5 * np.log(np.finfo(Z.dtype).max)
        Z_capped = self.scratch_like("_scratch_Z_capped", Z)  # (n, n_out)
        np.minimum(Z, z_max, out=Z_capped)  # (n, n_out)
        mean = self.scratch_like("_scratch_mean", Z)  # (n, n_out)
        np.exp(Z_capped, out=mean)  # (n, n_out) the predicted mean exp(z)
        per_elem = xlogy(Y, Y) - Y * Z_capped - Y  # (n, n_out)
        per_elem += mean
        np.subtract(mean, Y, out=dZ)  # (n, n_out)
        return _column_average(per_elem, sample_weight).sum()

    def inverse_link(self, Z):
        return np.exp(Z, out=Z)


class LogLoss(Loss):
    """Categorical cross-entropy with the softmax link."""

    name = "log_loss"
    link = "softmax"

    def _value_and_grad(self, Z, Y, sample_weight, dZ):
        P = _softmax(Z, out=self.scratch_like("_scratch_P", Z))  # (n, n_out) probabilities
        np.subtract(P, Y, out=dZ)  # (n, n_out)
        per_elem = xlogy(Y, _clipped(P, out=P), out=P)  # (n, n_out) P is not needed any more
        return -np.add.reduce(_column_average(per_elem, sample_weight))

    def inverse_link(self, Z):
        return _softmax(Z, out=Z)


class BinaryLogLoss(Loss):
    """Binary cross-entropy per output with the logistic link."""

    name = "binary_log_loss"
    link = "logistic"

    def _value_and_grad(self, Z, Y, sample_weight, dZ):
        P = expit(Z, out=self.scratch_like("_scratch_P", Z))  # (n, n_out) probabilities
        np.subtract(P, Y, out=dZ)  # (n, n_out)
        P_clipped = _clipped(P)  # (n, n_out)
        per_elem = xlogy(Y, P_clipped)  # (n, n_out)
        per_elem += xlogy(1 - Y, 1 - P_clipped)
        return -_column_average(per_elem, sample_weight).sum()

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

    def __init__(self, delta=1.0):
        self.delta = float(delta)

    def _value_and_grad(self, Z, Y, sample_weight, dZ):
        d = self.delta
        r = np.subtract(Z, Y, out=self.scratch_like("_scratch_r", Z))  # (n, n_out) residual
        abs_r = np.abs(r)  # (n, n_out)
        per_elem = np.where(abs_r <= d, 0.5 * r * r, d * (abs_r - 0.5 * d))  # (n, n_out)
        np.clip(r, -d, d, out=dZ)  # (n, n_out)
        return _column_average(per_elem, sample_weight).sum()


class AbsoluteError(Loss):
    """Absolute error with the identity link: ``sum_k |z_k - y_k|``.

    Not differentiable where ``z == y``: the subgradient 0 is used there.
    """

    name = "absolute_error"

    def _value_and_grad(self, Z, Y, sample_weight, dZ):
        r = np.subtract(Z, Y, out=self.scratch_like("_scratch_r", Z))  # (n, n_out) residual
        np.sign(r, out=dZ)  # (n, n_out)
        return _column_average(np.abs(r), sample_weight).sum()


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
