"""Weight initialisers: ``(fan_in, fan_out, rng, dtype, activation) -> (W, b)``.

``glorot_uniform`` reproduces scikit-learn's MLP exactly: for a random state seeded
alike it draws the same numbers in the same order (the weights, then the biases of
each layer, uniform on ``[-bound, bound]`` with ``bound = sqrt(6 / (fan_in +
fan_out))``, or ``sqrt(2 / ...)`` when the hidden activation is logistic).

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
        The network's hidden activation; 'logistic' narrows the bound.

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


INITIALIZERS = {"glorot_uniform": glorot_uniform}
