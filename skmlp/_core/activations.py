"""Hidden-layer activation functions: value and derivative.

Every activation works in place on a batch-first array. ``forward(Z)`` turns the
pre-activation ``Z (n, n_units)`` into the activation ``A (n, n_units)`` in the same
buffer, and ``backward(A, dA)`` multiplies the incoming gradient ``dA`` by the
derivative, in place, giving ``dZ``. The derivative is computed from the output ``A``
alone, so the forward pass need not keep ``Z`` (except for GELU, which says so with
``needs_z``).

This module is part of the NumPy core: it imports no scikit-learn.
"""

import math

import numpy as np
from scipy.special import erfc, expit

from .scratch import HoldsScratch


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
#: The mask dtype, made once (comparing a dtype with ``bool`` converts it every time).
_BOOL = np.dtype(bool)


class Activation(HoldsScratch):
    """An element-wise non-linearity with an in-place derivative.

    Parameters
    ----------
    name : str
        The public name, as given to the estimators' ``activation`` parameter.

    Notes
    -----
    Subclasses implement ``forward`` and ``backward``; both work in place and
    return the array they were given. A derivative needing a temporary array
    writes it into a named scratch buffer, reused across training steps and
    dropped on pickling (``HoldsScratch``).
    """

    name = None
    needs_z = False

    def forward(self, Z):
        """Apply the activation in place.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            Pre-activation; overwritten with the activation.

        Returns
        -------
        A : ndarray of shape (n_samples, n_units)
            The same buffer as ``Z``.
        """
        raise NotImplementedError

    def backward(self, A, dA, Z=None):
        """Multiply ``dA`` in place by the derivative, evaluated from the output.

        Parameters
        ----------
        A : ndarray of shape (n_samples, n_units)
            The activation returned by ``forward``.
        dA : ndarray of shape (n_samples, n_units)
            Gradient of the loss with respect to ``A``; overwritten with the
            gradient with respect to the pre-activation.
        Z : ndarray of shape (n_samples, n_units) or None
            The pre-activation, given only to activations whose ``needs_z`` is
            True (their derivative cannot be recovered from ``A``).

        Returns
        -------
        dZ : ndarray of shape (n_samples, n_units)
            The same buffer as ``dA``.
        """
        raise NotImplementedError


class Identity(Activation):
    """``f(z) = z``."""

    name = "identity"

    def forward(self, Z):
        return Z

    def backward(self, A, dA, Z=None):
        return dA


class Logistic(Activation):
    """``f(z) = 1 / (1 + exp(-z))``; ``f'(z) = f(z) (1 - f(z))``."""

    name = "logistic"

    def forward(self, Z):
        return expit(Z, out=Z)

    def backward(self, A, dA, Z=None):
        one_minus_A = self.scratch_like("_scratch_one_minus_A", A)  # (n, n_units)
        np.subtract(1, A, out=one_minus_A)  # (n, n_units)
        dA *= A
        dA *= one_minus_A
        return dA


class Tanh(Activation):
    """``f(z) = tanh(z)``; ``f'(z) = 1 - f(z)**2``."""

    name = "tanh"

    def forward(self, Z):
        return np.tanh(Z, out=Z)

    def backward(self, A, dA, Z=None):
        deriv = self.scratch_like("_scratch_deriv", A)  # (n, n_units)
        np.multiply(A, A, out=deriv)  # (n, n_units)
        np.subtract(1, deriv, out=deriv)  # (n, n_units) 1 - A**2
        dA *= deriv
        return dA


class ReLU(Activation):
    """``f(z) = max(z, 0)``; ``f'(z) = 1 where z > 0 else 0``."""

    name = "relu"

    def forward(self, Z):
        return np.maximum(Z, 0, out=Z)

    def backward(self, A, dA, Z=None):
        # Multiplying by the 0/1 mask is ~40x faster than masked assignment and
        # gives the same numbers for finite dA (a non-finite dA, from a diverged
        # step, stays non-finite where masked assignment would zero it).
        active = self.scratch_like("_scratch_active", A, _BOOL)  # (n, n_units)
        np.greater(A, 0, out=active)  # (n, n_units) 1 where z > 0
        np.multiply(dA, active, out=dA)  # (n, n_units)
        return dA


class LeakyReLU(Activation):
    """``f(z) = z if z > 0 else 0.01 z``; the sign of ``f(z)`` is that of ``z``."""

    name = "leaky_relu"
    negative_slope = 0.01

    def forward(self, Z):
        return np.maximum(Z, self.negative_slope * Z, out=Z)

    def backward(self, A, dA, Z=None):
        dA[A <= 0] *= self.negative_slope
        return dA


class ELU(Activation):
    """``f(z) = z if z > 0 else exp(z) - 1``; ``f'(z) = f(z) + 1`` for ``z <= 0``."""

    name = "elu"

    def forward(self, Z):
        neg = Z < 0  # (n, n_units) temporary
        Z[neg] = np.expm1(Z[neg])  # (n_neg,) entries below zero
        return Z

    def backward(self, A, dA, Z=None):
        neg = A < 0  # (n, n_units) temporary
        dA[neg] *= A[neg] + 1
        return dA


class Softplus(Activation):
    """``f(z) = log(1 + exp(z))``; ``f'(z) = expit(z) = 1 - exp(-f(z))``."""

    name = "softplus"

    def forward(self, Z):
        return np.logaddexp(0, Z, out=Z)

    def backward(self, A, dA, Z=None):
        dA *= -np.expm1(-A)  # (n, n_units) temporary
        return dA


class GELU(Activation):
    """``f(z) = z * Phi(z)`` with ``Phi`` the standard normal CDF (exact, via erfc).

    Its derivative ``Phi(z) + z * phi(z)`` cannot be recovered from ``f(z)``, so
    the dense layer keeps ``Z`` for it (``needs_z``).
    """

    name = "gelu"
    needs_z = True

    def forward(self, Z):
        cdf = erfc(Z * -_SQRT_HALF)  # (n, n_units) temporary; no cancellation
        cdf *= 0.5  # (n, n_units) Phi(z)
        Z *= cdf
        return Z

    def backward(self, A, dA, Z=None):
        pdf = np.exp(-0.5 * Z * Z)  # (n, n_units) temporary
        pdf *= Z
        pdf *= _INV_SQRT_2PI
        cdf = erfc(Z * -_SQRT_HALF)  # (n, n_units) temporary
        cdf *= 0.5  # (n, n_units) Phi(z)
        cdf += pdf
        dA *= cdf
        return dA


ACTIVATIONS = {
    cls.name: cls
    for cls in (Identity, Logistic, Tanh, ReLU, LeakyReLU, ELU, Softplus, GELU)
}


def get_activation(name):
    """Return a fresh activation object for ``name``.

    Parameters
    ----------
    name : str
        One of the keys of ``ACTIVATIONS``.

    Returns
    -------
    activation : Activation
    """
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}."
        ) from None
