"""Weight initialisers: ``(fan_in, fan_out, rng, dtype, activation) -> (W, b)``.

``glorot_uniform`` reproduces scikit-learn's MLP exactly: for a random state seeded
alike it draws the same numbers in the same order (the weights, then the biases of
each layer, uniform on ``[-bound, bound]`` with ``bound = sqrt(6 / (fan_in +
fan_out))``, or ``sqrt(2 / ...)`` when the layer is initialised for the logistic
activation). Which activation a layer is initialised for is the estimators' rule
(``ParamsMixin._init_activations``): with one ``activation`` string, that string for
every layer, the output layer included, as scikit-learn does; with one name per
hidden layer, each hidden layer's own and, for the output layer, the last hidden
layer's.

The other schemes draw the weights from the same generator and start the biases at
zero: ``he_normal`` (std ``sqrt(2 / fan_in)``, for relu-like activations),
``he_uniform`` (bound ``sqrt(6 / fan_in)``) and ``lecun_normal`` (std
``sqrt(1 / fan_in)``).

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np


def glorot_uniform(fan_in, fan_out, rng, dtype, activation="relu"):
    """Glorot uniform initialisation, as scikit-learn's MLP does it.

    Parameters
    ----------
    fan_in : int
        Width of the layer's input.
    fan_out : int
        Width of the layer's output.
    rng : numpy.random.RandomState
        The generator every random draw of a fit comes from.
    dtype : numpy dtype
        float32 or float64.
    activation : str, default="relu"
        The activation this layer is initialised for; 'logistic' narrows the
        bound.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
    b : ndarray of shape (fan_out,)
    """
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    W = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype, copy=False)  # (fan_in, fan_out)
    b = rng.uniform(-bound, bound, fan_out).astype(dtype, copy=False)  # (fan_out,)
    return W, b


def _scaled_normal(fan_in, fan_out, rng, dtype, gain):
    """Normal weights of std ``sqrt(gain / fan_in)``, zero biases."""
    std = np.sqrt(gain / fan_in)
    W = rng.normal(0.0, std, (fan_in, fan_out)).astype(dtype, copy=False)  # (fan_in, fan_out)
    b = np.zeros(fan_out, dtype=dtype)  # (fan_out,)
    return W, b


def he_normal(fan_in, fan_out, rng, dtype, activation="relu"):
    """He normal initialisation: ``W ~ N(0, 2 / fan_in)``, ``b = 0``.

    Parameters
    ----------
    fan_in, fan_out : int
        Widths of the layer's input and output.
    rng : numpy.random.RandomState
    dtype : numpy dtype
    activation : str, default="relu"
        Unused; accepted for a uniform signature.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
    b : ndarray of shape (fan_out,)
    """
    return _scaled_normal(fan_in, fan_out, rng, dtype, 2.0)


def lecun_normal(fan_in, fan_out, rng, dtype, activation="relu"):
    """LeCun normal initialisation: ``W ~ N(0, 1 / fan_in)``, ``b = 0``.

    Parameters
    ----------
    fan_in, fan_out : int
        Widths of the layer's input and output.
    rng : numpy.random.RandomState
    dtype : numpy dtype
    activation : str, default="relu"
        Unused; accepted for a uniform signature.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
    b : ndarray of shape (fan_out,)
    """
    return _scaled_normal(fan_in, fan_out, rng, dtype, 1.0)


def he_uniform(fan_in, fan_out, rng, dtype, activation="relu"):
    """He uniform initialisation: ``W ~ U(-sqrt(6 / fan_in), sqrt(6 / fan_in))``.

    Parameters
    ----------
    fan_in, fan_out : int
        Widths of the layer's input and output.
    rng : numpy.random.RandomState
    dtype : numpy dtype
    activation : str, default="relu"
        Unused; accepted for a uniform signature.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
    b : ndarray of shape (fan_out,)
        Zeros.
    """
    bound = np.sqrt(6.0 / fan_in)
    W = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype, copy=False)  # (fan_in, fan_out)
    b = np.zeros(fan_out, dtype=dtype)  # (fan_out,)
    return W, b


INITIALIZERS = {
    "glorot_uniform": glorot_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "lecun_normal": lecun_normal,
}
