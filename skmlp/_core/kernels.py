"""The update kernels (``axpy``, ``scal``, ``add_ratio``, cache blocking) and the one
BLAS thread rule.

The optimizers and the penalty write every update rule once, on three kernels, in
place: ``axpy(a, x, y)`` sets ``y <- a * x + y``, ``scal(a, x)`` sets ``x <- a * x``
and ``add_ratio(a, x, d, y)`` sets ``y <- y + a * x / d`` (Adam's last step).
``make_kernels(blas)`` picks their implementation once per fit: scipy's BLAS
``daxpy``/``saxpy``/``dscal``/``sscal`` while scipy's BLAS runs on one thread (one
pass over memory where numpy needs two, and a fused multiply-add that rounds once
where numpy rounds twice), numpy otherwise, or for any array BLAS may not update
in place (not contiguous, read-only, or of another dtype). The numpy kernels
round as scikit-learn's formulas do, so that their updates are scikit-learn's to
the last bit; the BLAS kernels agree to a few units in the last place.

Two BLAS libraries may be at work in a fit: numpy's, for the matrix products, and
the one scipy bundles, whose ``axpy``/``scal`` the BLAS kernels call. The rule,
the same for every fit on every platform: small minibatch steps run on one thread
of both (``_blas_threads_for``, the pattern of scikit-learn's KMeans); larger ones
leave numpy's threads to BLAS and to the user's threadpoolctl settings, and run
scipy's own BLAS (when it is a separate library) on one thread, since two
multi-threaded BLAS libraries beside each other on two cores slow a step down
several times (measured: 2.4 vs 0.5 s an epoch). Nothing here changes a thread
count during a fit.

threadpoolctl (a scikit-learn dependency) is imported lazily; this module
imports no scikit-learn.
"""

import os
from contextlib import nullcontext

import numpy as np
from scipy.linalg.blas import get_blas_funcs

from .scratch import HoldsScratch

#: Elements per block of an update. An update makes a dozen passes over its flat
#: arrays; beyond a few hundred kilobytes they no longer stay in cache between
#: passes, so long buffers are updated block by block (same operations, same
#: numbers), which runs ~1.7x faster on a 2-million-parameter network. Networks
#: smaller than one block take a single block.
BLOCK_SIZE = 65536


def blocks(n):
    """Consecutive slices of at most ``BLOCK_SIZE`` elements covering ``range(n)``.

    Parameters
    ----------
    n : int

    Returns
    -------
    slices : list of slice
    """
    starts = range(0, max(n, 1), BLOCK_SIZE)
    return [slice(start, min(start + BLOCK_SIZE, n)) for start in starts]


def blocked(*arrays):
    """The blocks of equally long 1-D ``arrays``, as tuples of views.

    A buffer of at most one block is its own block: the arrays come back as
    they are, with no views made (the common case, paid at every minibatch).

    Parameters
    ----------
    *arrays : ndarray of shape (n,)

    Returns
    -------
    blocks : sequence of tuple of ndarray of shape (block,)
        One tuple per ``blocks(n)`` slice, holding every array's view of it.
    """
    n = arrays[0].shape[0]
    if n <= BLOCK_SIZE:
        return (arrays,)
    return [tuple(a[sl] for a in arrays) for sl in blocks(n)]


class NumpyKernels(HoldsScratch):
    """``axpy`` and ``scal`` with numpy ufuncs, rounding as numpy's ``a * x + y``.

    ``a * x`` goes through a scratch buffer owned by the object (grown on demand,
    never pickled), so that an update allocates nothing per minibatch. One
    object serves one fit at a time.

    Attributes
    ----------
    blas : bool
        False: these kernels never call BLAS.
    """

    blas = False

    def _product(self, a, x):
        """``a * x`` into the scratch buffer."""
        return np.multiply(x, a, out=self.scratch_like("_scratch", x))  # (n,)

    def axpy(self, a, x, y):
        """``y <- a * x + y`` in place.

        Parameters
        ----------
        a : float
        x : ndarray of shape (n,)
        y : ndarray of shape (n,)
            Updated in place.
        """
        if a == 1.0:
            y += x
        else:
            y += self._product(a, x)

    def scal(self, a, x):
        """``x <- a * x`` in place.

        Parameters
        ----------
        a : float
        x : ndarray of shape (n,)
            Updated in place.
        """
        x *= a

    def add_ratio(self, a, x, d, y):
        """``y <- y + a * x / d`` in place; ``d`` is overwritten.

        In scikit-learn's order of rounding, ``(a * x) / d``: three passes.

        Parameters
        ----------
        a : float
        x : ndarray of shape (n,)
        d : ndarray of shape (n,)
            The divisor; holds the added term afterwards.
        y : ndarray of shape (n,)
            Updated in place.
        """
        np.divide(self._product(a, x), d, out=d)  # (n,)
        y += d


_BLAS_FUNCS = {
    np.dtype(dtype): tuple(get_blas_funcs(("axpy", "scal"), dtype=dtype))
    for dtype in (np.float32, np.float64)
}


class BlasKernels(NumpyKernels):
    """``axpy`` and ``scal`` with scipy's BLAS, numpy's where BLAS may not run.

    scipy's BLAS wrappers silently work on a copy of an output that is not
    contiguous or not of their dtype, and ignore numpy's read-only flag: those
    arrays take the numpy kernels.

    Attributes
    ----------
    blas : bool
        True.
    """

    blas = True

    def axpy(self, a, x, y):
        funcs = _BLAS_FUNCS.get(y.dtype)
        if funcs is None or x.dtype != y.dtype or not _blas_may_write(y):
            return super().axpy(a, x, y)
        funcs[0](x, y, a=a)

    def scal(self, a, x):
        funcs = _BLAS_FUNCS.get(x.dtype)
        if funcs is None or not _blas_may_write(x):
            return super().scal(a, x)
        funcs[1](a, x)

    def add_ratio(self, a, x, d, y):
        # a * (x / d): two passes, rounding as BLAS's axpy (a few ulps from numpy's)
        if _BLAS_FUNCS.get(y.dtype) is None or not _blas_may_write(d):
            return super().add_ratio(a, x, d, y)
        self.axpy(a, np.divide(x, d, out=d), y)

    axpy.__doc__ = NumpyKernels.axpy.__doc__
    scal.__doc__ = NumpyKernels.scal.__doc__
    add_ratio.__doc__ = NumpyKernels.add_ratio.__doc__


def _blas_may_write(x):
    """Whether scipy's BLAS updates ``x`` in place (not a silent copy)."""
    flags = x.flags  # one flags object (each ``x.flags`` makes a new one)
    return flags.c_contiguous and flags.writeable


def make_kernels(blas):
    """The kernels of one fit.

    Parameters
    ----------
    blas : bool
        True while scipy's BLAS runs on one thread (``_blas_threads_for``).

    Returns
    -------
    kernels : NumpyKernels or BlasKernels
    """
    return BlasKernels() if blas else NumpyKernels()


class _NumpyKernelsOnFirstUse:
    """A ``kernels`` attribute's default: numpy kernels of the object's own."""

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        kernels = obj.__dict__["kernels"] = NumpyKernels()
        return kernels


class UsesKernels(HoldsScratch):
    """Mixin of the optimizers and the penalties: ``kernels``, set per fit, never pickled.

    A fit sets ``obj.kernels = make_kernels(blas)``; until one does (and after
    unpickling), the object makes numpy kernels of its own on first use. Pickles
    hold no kernels and no ``_scratch*`` buffer; those of older versions, which
    kept a ``blas_update`` flag instead, load without it.

    Attributes
    ----------
    kernels : NumpyKernels or BlasKernels
    """

    kernels = _NumpyKernelsOnFirstUse()

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("kernels", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.pop("blas_update", None)


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
    blas : bool
        True when scipy's BLAS runs on one thread inside ``context``, so that
        the fit's kernels may call it (``make_kernels(blas)``).
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
