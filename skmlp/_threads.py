"""How many BLAS threads a training run's matrix products use.

Not part of the NumPy core: it controls the BLAS library through threadpoolctl
(a scikit-learn dependency, imported lazily).
"""

from contextlib import nullcontext

# Below this many multiply-adds in a minibatch step's largest matrix product, one
# BLAS thread is as fast as two on an idle machine (measured on 2 cores: batch 32
# x (256, 128) units, 1e6 multiply-adds, 0.89 vs 0.87 ms a step), and it is several
# times faster when the other core is busy, where two-thread BLAS collapses.
# Larger products keep BLAS's own threading, which pays off on an idle machine.
_ONE_BLAS_THREAD_BELOW = 2e6
_BLAS_CONTROLLER = []


def _blas_threads_for(network, batch_size):
    """The BLAS thread setting of a fit's minibatch steps.

    Parameters
    ----------
    network : Network
    batch_size : int

    Returns
    -------
    context : context manager
        Runs small steps on one BLAS thread; changes nothing for larger ones.
    one_thread : bool
        True when BLAS is limited to one thread inside ``context``, so that the
        optimizer and penalty may use their BLAS update paths.
    """
    widest = max((layer.n_in * layer.n_out for layer in network.dense_layers), default=0)
    if batch_size * widest >= _ONE_BLAS_THREAD_BELOW:
        return nullcontext(), False
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return nullcontext(), False
    if not _BLAS_CONTROLLER:
        _BLAS_CONTROLLER.append(ThreadpoolController())
    return _BLAS_CONTROLLER[0].limit(limits=1, user_api="blas"), True
