"""Seeded index permutations and minibatch slices.

This module is part of the NumPy core: it imports no scikit-learn.
"""


def batch_slices(n_samples, batch_size):
    """Consecutive slices of at most ``batch_size`` rows covering ``n_samples``.

    Parameters
    ----------
    n_samples : int
    batch_size : int

    Yields
    ------
    batch : slice
    """
    start = 0
    while start < n_samples:
        stop = min(start + batch_size, n_samples)
        yield slice(start, stop)
        start = stop


def shuffled(indices, rng):
    """Return ``indices`` permuted by ``rng``.

    With a ``numpy.random.RandomState`` this draws exactly what
    ``sklearn.utils.shuffle(indices, random_state=rng)`` draws, so a fit seeded
    alike visits the samples in scikit-learn's order.

    Parameters
    ----------
    indices : ndarray of shape (n_samples,)
    rng : numpy.random.RandomState

    Returns
    -------
    permuted : ndarray of shape (n_samples,)
    """
    return indices[rng.permutation(indices.shape[0])]  # (n_samples,)
