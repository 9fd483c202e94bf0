"""How a fit's minibatch steps use BLAS: the one thread rule.

Two BLAS libraries may be at work in a fit: numpy's, for the matrix products, and
the one scipy bundles, whose ``axpy``/``scal`` the optimizers' and the penalty's
BLAS update paths call. The rule, the same for every fit on every platform:
small minibatch steps run on one thread of both (``_blas_threads_for``, the
pattern of scikit-learn's KMeans); larger ones leave numpy's threads to BLAS and
to the user's threadpoolctl settings, and run scipy's own BLAS (when it is a
separate library) on one thread, since two multi-threaded BLAS libraries beside
each other on two cores slow a step down several times (measured: 2.4 vs 0.5 s
an epoch). Nothing here changes a thread count during a fit.

threadpoolctl (a scikit-learn dependency) is imported lazily; this module
imports no scikit-learn.
"""

import os
from contextlib import nullcontext

# Below this many multiply-adds in a minibatch step's largest matrix product, one
# BLAS thread is as fast as two on an idle machine (measured on 2 cores: batch 32
# x (256, 128) units, 1e6 multiply-adds, 0.89 vs 0.87 ms a step), and it is several
# times faster when the other core is busy, where two-thread BLAS collapses.
# Larger products keep BLAS's own threading, which pays off on an idle machine.
_ONE_BLAS_THREAD_BELOW = 2e6
_BLAS_CONTROLLER = []


def _controller():
    """The process's threadpoolctl controller (made once), or None without it."""
    if not _BLAS_CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
            return None
        _BLAS_CONTROLLER.append(ThreadpoolController())
    return _BLAS_CONTROLLER[0]


def _scipy_own_blas(controller):
    """Paths of the BLAS library scipy bundles for itself, when numpy uses another.

    scipy's and numpy's PyPI wheels each bundle their own OpenBLAS (in
    ``scipy.libs`` and ``numpy.libs``); where both link one shared library (conda,
    Linux distributions), limiting scipy's would limit numpy's products too, and
    None is returned.

    Parameters
    ----------
    controller : threadpoolctl.ThreadpoolController

    Returns
    -------
    filepaths : list of str or None
    """
    import scipy

    libs_dir = os.path.dirname(os.path.abspath(scipy.__file__)) + ".libs"
    blas = controller.select(user_api="blas").lib_controllers
    own = [lib.filepath for lib in blas if os.path.dirname(lib.filepath) == libs_dir]
    if not own or len(own) == len(blas):
        return None
    return own


def _small_steps(network, batch_size):
    """Whether a fit's steps are small enough to run on one BLAS thread."""
    widest = max((layer.n_in * layer.n_out for layer in network.dense_layers), default=0)
    return batch_size * widest < _ONE_BLAS_THREAD_BELOW


def _blas_threads_for(network, batch_size):
    """The BLAS thread setting of a fit's minibatch steps.

    Parameters
    ----------
    network : Network
    batch_size : int

    Returns
    -------
    context : context manager
        Small steps run on one BLAS thread; larger ones keep numpy's BLAS
        threads, and scipy's own BLAS (when separate) runs on one thread.
    blas_updates : bool
        True when scipy's BLAS runs on one thread inside ``context``, so that
        the optimizer and the penalty may take their BLAS update paths.
    """
    controller = _controller()
    if controller is None:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return nullcontext(), False
    if _small_steps(network, batch_size):
        return controller.limit(limits=1, user_api="blas"), True
    scipy_blas = _scipy_own_blas(controller)
    if scipy_blas is None:
        return nullcontext(), False
    return controller.select(filepath=scipy_blas).limit(limits=1), True
