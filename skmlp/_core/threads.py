"""How many BLAS threads a training run's matrix products and updates use.

Not part of the NumPy core: it controls the BLAS libraries through threadpoolctl
(a scikit-learn dependency, imported lazily).

Two BLAS libraries may be at work in a fit: numpy's, for the matrix products, and
the one scipy bundles, whose ``axpy``/``scal`` the optimizers' and the penalty's
BLAS update paths call (``_optimizers``). Those paths are taken only while scipy's
BLAS runs on one thread: two multi-threaded BLAS libraries beside each other on
two cores slow a step down several times (measured: 2.4 vs 0.5 s an epoch).

Small steps run on one thread of both. A float64 fit whose steps are small may
still give numpy's products a second thread while the rest of the machine is
idle (``BlasThreadTuner``), only where the thread count cannot change a bit of
the result.
"""

import os
import threading
import time
from contextlib import nullcontext

import numpy as np

from .layers import Dense, Dropout
from .penalties import _DOT_PIECE

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


def _small_steps(network, batch_size):
    """Whether a fit's steps are small enough to run on one BLAS thread."""
    widest = max((layer.n_in * layer.n_out for layer in network.dense_layers), default=0)
    return batch_size * widest < _ONE_BLAS_THREAD_BELOW


# ---------------------------------------------------------------------------
# Two threads for numpy's matrix products while the machine is otherwise idle
# ---------------------------------------------------------------------------
# Small steps run on one BLAS thread because two-thread BLAS collapses when
# another process holds the second core (5-40 times slower steps measured here).
# On an idle machine two threads make a float64 step of batch 32 x (256, 128)
# units 5-10% faster (medians of 10-12 paired epochs: 1.07x and 1.10x in two
# hours, no gain in a third) and were never slower by more than noise on the
# other small-step networks measured. Probing two threads
# to find out whether the machine is busy costs more than it wins (OpenBLAS's
# threads spin on after each call and slow the next steps down too), so the
# tuner reads the other processes' CPU use from the kernel instead, and times
# the steps only as a safety net.

#: Seconds of steps between two decisions.
TUNER_INTERVAL = 0.2
#: Steps between two looks at the clock.
TUNER_CHECK_EVERY = 16
#: Other processes' CPU use (in cores, over the last interval) above which the
#: second core counts as busy.
TUNER_MAX_LOAD = 0.25
#: Steps on more threads this many times slower than on one thread's last
#: interval mean that they do not pay here: one thread for the next
#: ``backoff`` intervals, a count that doubles each time, up to
#: ``TUNER_MAX_BACKOFF``.
TUNER_COLLAPSE = 1.3
TUNER_MAX_BACKOFF = 64
#: False turns the tuner off (every small step on one thread, as before it).
TUNER_ENABLED = True

_INVARIANT = {}
_LOAD_CPUS = []


class OtherLoad:
    """CPU use of the other processes on this process's CPUs, from ``/proc/stat``.

    Calling it returns the cores that processes other than this one kept busy
    (steal time included: a virtual CPU the hypervisor gave to someone else is
    busy too) since the previous call: the CPUs' busy time from the kernel's
    tick counts minus this process's own CPU time.

    Parameters
    ----------
    cpus : iterable of int
        The CPUs to count (this process's affinity).
    clock : callable, default=time.monotonic
    """

    def __init__(self, cpus, clock=None):
        self._names = {b"cpu%d" % c for c in cpus}
        self._tick = 1.0 / os.sysconf("SC_CLK_TCK")
        self._clock = time.monotonic if clock is None else clock
        self._last = self._read()

    def _read(self):
        with open("/proc/stat", "rb") as f:
            lines = f.read().split(b"\n")
        busy = 0
        for line in lines:
            if not line.startswith(b"cpu"):
                break
            fields = line.split()
            if fields[0] in self._names:
                # user nice system idle iowait irq softirq steal
                user, nice, system, _, _, irq, softirq, steal = map(int, fields[1:9])
                busy += user + nice + system + irq + softirq + steal
        return busy * self._tick, time.process_time(), self._clock()

    def __call__(self):
        busy, own, now = self._read()
        last_busy, last_own, last_now = self._last
        self._last = busy, own, now
        elapsed = now - last_now
        if elapsed <= 0:
            return 0.0
        return max((busy - last_busy) - (own - last_own), 0.0) / elapsed

    @classmethod
    def available(cls):
        """This process's CPUs when the load can be read and two are usable, or None.

        Looked up once per process.

        Returns
        -------
        cpus : set of int or None
        """
        if not _LOAD_CPUS:
            try:
                cpus = os.sched_getaffinity(0)
                from joblib import cpu_count  # cgroup CPU quotas included

                if len(cpus) < 2 or cpu_count() < 2:
                    cpus = None
                else:
                    cls(cpus)()
            except (AttributeError, OSError, ValueError, ImportError):
                cpus = None
            _LOAD_CPUS.append(cpus)
        return _LOAD_CPUS[0]


class BlasThreadTuner:
    """One or more threads for numpy's BLAS during a fit, by the machine's load.

    The training loop calls ``step()`` before each minibatch step and
    ``pause()`` when an epoch's steps are done (validation scoring and the rest
    of the epoch's work then run on one thread). Every ``TUNER_INTERVAL``
    seconds of steps the tuner picks the count for the next interval: more
    threads when the other processes used less than ``TUNER_MAX_LOAD`` cores in
    the last one, else one; and one thread, with a growing backoff, when steps
    on more threads ran ``TUNER_COLLAPSE`` times slower than on one.

    Parameters
    ----------
    lib : threadpoolctl.LibController
        numpy's BLAS, limited to one thread by the fit's context.
    n_threads : int
        The count used while the machine is otherwise idle.
    load : callable
        ``load() -> float``: the other processes' cores busy since the last
        call (``OtherLoad``).
    clock : callable, default=time.perf_counter

    Attributes
    ----------
    history : list of tuple
        ``(threads, steps, seconds per step, other load)`` of every interval.
    """

    def __init__(self, lib, n_threads, load, clock=None):
        self.lib = lib
        self.n_threads = int(n_threads)
        self.load = load
        self.clock = time.perf_counter if clock is None else clock
        self.history = []
        self.threads = 1  # the count set in the library now
        self._one = None  # seconds per step of one thread's last interval
        self._backoff = 0  # intervals left on one thread after a collapse
        self._next_backoff = 1
        self._next = 1  # the count of the next interval
        self._steps = -1  # steps of the running interval; -1: none running
        self._start = 0.0

    def _set(self, threads):
        if threads != self.threads:
            self.lib.set_num_threads(threads)
            self.threads = threads

    def step(self):
        """Called before each minibatch step; decides when an interval is over."""
        self._steps += 1
        if self._steps == 0:  # the first step of an epoch: start an interval
            self._set(self._next)
            self.load()
            self._start = self.clock()
            return
        if self._steps % TUNER_CHECK_EVERY:
            return
        elapsed = self.clock() - self._start
        if elapsed < TUNER_INTERVAL:
            return
        self._decide(elapsed / self._steps, self.load())
        self._set(self._next)
        self._steps = 0
        self._start = self.clock()

    def _decide(self, per_step, load):
        self.history.append((self.threads, self._steps, per_step, load))
        if self.threads == 1:
            self._one = per_step
        elif self._one is not None and per_step > TUNER_COLLAPSE * self._one:
            self._backoff = self._next_backoff
            self._next_backoff = min(2 * self._next_backoff, TUNER_MAX_BACKOFF)
        if self._backoff > 0:
            self._backoff -= 1
            self._next = 1
        else:
            self._next = self.n_threads if load < TUNER_MAX_LOAD else 1

    def pause(self):
        """End the epoch's steps: drop the unfinished interval, back to one thread."""
        elapsed = self.clock() - self._start
        if self._steps > 0 and elapsed >= TUNER_INTERVAL / 2:
            # long enough to count (short epochs would otherwise never decide)
            self._decide(elapsed / self._steps, self.load())
        self._steps = -1
        self._set(1)


def _numpy_blas(controller):
    """numpy's BLAS, when it is OpenBLAS and scipy bundles a BLAS of its own.

    Returns
    -------
    lib : threadpoolctl.LibController or None
    """
    scipy_blas = _scipy_own_blas(controller)
    if scipy_blas is None:
        return None
    others = [lib for lib in controller.select(user_api="blas").lib_controllers
              if lib.filepath not in scipy_blas]
    if len(others) != 1 or others[0].internal_api != "openblas":
        return None
    return others[0]


def _products_thread_invariant(lib, network, batch_sizes, n_threads):
    """Whether the training step's matrix products give the same bits on any thread count.

    Runs each dense layer's three products (``X @ W``, ``X.T @ dZ``,
    ``dZ @ W.T``) for each batch size on random data, on one thread and on
    ``n_threads``, and compares them bit for bit. The answer is cached per
    library, layer shapes and batch sizes; ``lib`` is left on ``n_threads``.

    Parameters
    ----------
    lib : threadpoolctl.LibController
    network : Network
    batch_sizes : tuple of int
    n_threads : int

    Returns
    -------
    invariant : bool
        False also when the library would not take the thread counts (another
        thread controls it).
    """
    shapes = tuple((layer.n_in, layer.n_out) for layer in network.dense_layers)
    key = (lib.filepath, network.dtype.str, shapes, tuple(batch_sizes), n_threads)
    if key in _INVARIANT:
        return _INVARIANT[key]
    results = {}
    try:
        for threads in (1, n_threads):
            lib.set_num_threads(threads)
            if lib.get_num_threads() != threads:
                return False
            rng = np.random.default_rng(0)  # the same data for both counts
            out = []
            for n in batch_sizes:
                for n_in, n_out in shapes:
                    X = rng.standard_normal((n, n_in)).astype(network.dtype)  # (n, n_in)
                    W = rng.standard_normal((n_in, n_out)).astype(network.dtype)  # (n_in, n_out)
                    dZ = rng.standard_normal((n, n_out)).astype(network.dtype)  # (n, n_out)
                    out += [np.matmul(X, W), np.matmul(X.T, dZ), np.matmul(dZ, W.T)]
            results[threads] = out
    finally:
        lib.set_num_threads(n_threads)
    _INVARIANT[key] = all(
        np.array_equal(a, b) for a, b in zip(results[1], results[n_threads])
    )
    return _INVARIANT[key]


def _thread_tuner_for(network, batch_size, n_samples, X, shuffle=True):
    """A ``BlasThreadTuner`` for a fit's minibatch steps, or None where none may run.

    Call it before ``_blas_threads_for`` makes the fit's one-thread limit (which
    applies when it is made, not when entered): it reads numpy's BLAS thread
    count as the user left it. It is made only where it can pay and cannot
    change results: small float64 steps (which otherwise run on one thread) of
    dense layers on dense input, in C order (as shuffled batches always are:
    the products checked below are those of C-ordered batches); numpy's own OpenBLAS, beside scipy's, allowed
    two or more threads outside the context (the user's or the environment's
    setting: joblib's workers get one); the main thread (the thread count is
    process-wide, so fits in other threads keep one); a Linux kernel that
    reports the other processes' CPU use, on two usable CPUs or more; and
    matrix products that give the same bits on one thread as on two (checked
    once per layer shapes and batch size).

    Parameters
    ----------
    network : Network
    batch_size : int
    n_samples : int
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    shuffle : bool, default=True
        Whether batches are gathered (into C-ordered buffers) or sliced from X.

    Returns
    -------
    tuner : BlasThreadTuner or None
    """
    if (
        not TUNER_ENABLED
        or network.dtype != np.float64
        or not isinstance(X, np.ndarray)
        or not (shuffle or X.flags.c_contiguous)
        or not _small_steps(network, batch_size)
        or batch_size > _DOT_PIECE  # longer dot products (the loss's) are threaded
        or threading.current_thread() is not threading.main_thread()
        or any(type(layer) not in (Dense, Dropout) for layer in network.layers)
    ):
        return None
    controller = _controller()
    if controller is None:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return None
    lib = _numpy_blas(controller)
    if lib is None:
        return None
    allowed = min(lib.get_num_threads(), 2)  # the user's or the environment's count
    if allowed < 2:
        return None
    cpus = OtherLoad.available()
    if cpus is None:
        return None
    last = n_samples % batch_size
    sizes = (batch_size,) if last == 0 else (batch_size, last)
    if not _products_thread_invariant(lib, network, sizes, allowed):
        return None
    return BlasThreadTuner(lib, allowed, OtherLoad(cpus))
