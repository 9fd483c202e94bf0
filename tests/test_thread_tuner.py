"""The BLAS thread tuner: two threads for numpy's products only while they cannot hurt.

Small minibatch steps run on one BLAS thread, because two-thread BLAS collapses
when another process holds the second core. The tuner (``skmlp._core.threads``) gives
float64 fits a second thread while the kernel reports the other processes idle,
falls back to one when they are not or when the steps slow down, and is made only
where the thread count cannot change a single bit of the result. Its decisions
are tested with a fake clock, load and library; its effect on results with the
real library; its speed by benchmarks/bench_vs_sklearn.py.
"""

import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

import skmlp._core.threads as T
from skmlp import SGDMLPClassifier, SGDMLPRegressor
from skmlp._core.network import build_mlp
from skmlp._core.penalties import squared_norm


class FakeLib:
    """A BLAS library controller that records the thread counts it is given."""

    filepath = "fake-blas"

    def __init__(self):
        self.threads = 1
        self.calls = []

    def set_num_threads(self, n):
        self.threads = n
        self.calls.append(n)

    def get_num_threads(self):
        return self.threads


class FakeClock:
    """Seconds that advance by ``per_step[threads]`` each minibatch step."""

    def __init__(self, lib, per_step):
        self.lib, self.per_step, self.now = lib, per_step, 0.0

    def __call__(self):
        return self.now

    def run(self, tuner, steps):
        for _ in range(steps):
            tuner.step()
            self.now += self.per_step[self.lib.threads]


def _tuner(per_step, load):
    """A tuner over a fake library and clock; ``load()`` gives the other processes' load."""
    lib = FakeLib()
    clock = FakeClock(lib, per_step)
    return T.BlasThreadTuner(lib, 2, load, clock=clock), lib, clock


# Steps of 1 ms: an interval (TUNER_INTERVAL = 0.2 s) is ~200 steps.
ONE_MS = {1: 1e-3, 2: 0.9e-3}


def test_an_idle_machine_gets_two_threads_after_one_interval_on_one():
    tuner, lib, clock = _tuner(ONE_MS, lambda: 0.0)
    clock.run(tuner, 100)
    assert lib.threads == 1  # the first interval runs on one thread: the reference
    clock.run(tuner, 2000)
    assert lib.threads == 2
    assert [h[0] for h in tuner.history][:3] == [1, 2, 2]
    tuner.pause()
    assert lib.threads == 1  # validation scoring and the epoch's end on one thread
    clock.run(tuner, 1)
    assert lib.threads == 2  # the next epoch resumes the last decision


def test_a_busy_machine_keeps_one_thread():
    tuner, lib, clock = _tuner(ONE_MS, lambda: 1.0)
    clock.run(tuner, 5000)
    assert 2 not in lib.calls
    assert len(tuner.history) >= 20


def test_load_arriving_mid_fit_sends_the_tuner_back_to_one_thread():
    busy = {"load": 0.0}
    tuner, lib, clock = _tuner(ONE_MS, lambda: busy["load"])
    clock.run(tuner, 1000)
    assert lib.threads == 2
    busy["load"] = 0.9
    clock.run(tuner, 450)  # the rest of the interval, and one more
    assert lib.threads == 1
    busy["load"] = 0.1  # below TUNER_MAX_LOAD: idle enough again
    clock.run(tuner, 450)
    assert lib.threads == 2


def test_slow_steps_on_two_threads_back_off_for_more_and_more_intervals():
    # The load reads idle, but two threads run 3x slower: a collapse the load
    # signal missed (a CPU quota, another thread of this process...).
    tuner, lib, clock = _tuner({1: 1e-3, 2: 3e-3}, lambda: 0.0)
    clock.run(tuner, 20000)
    runs = [h[0] for h in tuner.history]
    twos = [i for i, threads in enumerate(runs) if threads == 2]
    gaps = np.diff(twos)  # intervals from one try of two threads to the next
    assert len(twos) >= 3
    assert list(gaps[:4]) == [2, 3, 5, 9]  # 1, 2, 4, 8 intervals on one thread between
    seconds_on_two = sum(h[1] * h[2] for h in tuner.history if h[0] == 2)
    assert seconds_on_two < 0.25 * clock.now


def test_a_short_epoch_still_decides_at_its_end():
    tuner, lib, clock = _tuner(ONE_MS, lambda: 0.0)
    clock.run(tuner, 150)  # 0.15 s: shorter than an interval, longer than half
    tuner.pause()
    assert tuner.history and tuner.history[0][0] == 1
    clock.run(tuner, 1)
    assert lib.threads == 2


# --- the load the kernel reports ------------------------------------------------


def test_other_processes_load_counts_another_process_and_not_this_one():
    cpus = T.OtherLoad.available()
    if cpus is None:
        pytest.skip("needs Linux's /proc/stat and two usable CPUs")
    load = T.OtherLoad(cpus)
    # This process spinning on one core is not "other" load...
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        pass
    own = load()
    # ...another process spinning is (steal time, counted in both, cancels).
    spin = subprocess.Popen([sys.executable, "-c",
                             "import time\nend = time.monotonic() + 1.5\n"
                             "while time.monotonic() < end: pass"])
    try:
        time.sleep(0.3)
        load()
        time.sleep(0.8)
        other = load()
    finally:
        spin.wait()
    # Counting this process's own spin would make `own` a core larger, and the
    # difference about zero; the difference holds on a loaded machine too.
    assert other > own + 0.5


# --- where a tuner is made ------------------------------------------------------


def _data(n=640, d=20, seed=0):
    rng = np.random.RandomState(seed)
    return rng.standard_normal((n, d)), rng.randint(0, 3, n)  # (n, d), (n,)


def _tuner_for(net, X, batch_size=32):
    with threadpool_limits(2, "blas"):
        return T._thread_tuner_for(net, batch_size, X.shape[0], X)


def _supported():
    net = build_mlp([20, 64, 3], "relu", np.float64)
    tuner = _tuner_for(net, np.zeros((640, 20)))
    if tuner is None:
        pytest.skip("numpy's BLAS here is not a thread-invariant OpenBLAS beside "
                    "scipy's, or the machine's load cannot be read")
    return tuner


def test_a_tuner_is_made_only_where_it_may_run():
    _supported()
    X = np.zeros((640, 20))
    net = build_mlp([20, 64, 3], "relu", np.float64)
    assert _tuner_for(net, X) is not None
    assert _tuner_for(build_mlp([20, 64, 3], "relu", np.float32), X) is None
    assert _tuner_for(build_mlp([20, 64, 3], "relu", np.float64, batch_norm=True), X) is None
    assert _tuner_for(net, sp.csr_matrix(X)) is None
    with threadpool_limits(2, "blas"):  # batches sliced from a Fortran-ordered X
        assert T._thread_tuner_for(net, 32, 640, np.asfortranarray(X), shuffle=False) is None
        assert T._thread_tuner_for(net, 32, 640, np.asfortranarray(X), shuffle=True) is not None
    assert _tuner_for(build_mlp([20, 4000, 3], "relu", np.float64), X, 64) is None  # large steps
    with threadpool_limits(1, "blas"):  # the user's limit is respected
        assert T._thread_tuner_for(net, 32, 640, X) is None
    made = []
    worker = threading.Thread(target=lambda: made.append(_tuner_for(net, X)))
    worker.start()
    worker.join()
    assert made == [None]  # the thread count is process-wide: main thread only


def test_no_tuner_where_the_products_depend_on_the_thread_count(monkeypatch):
    _supported()
    monkeypatch.setattr(T, "_products_thread_invariant", lambda *a: False)
    assert _tuner_for(build_mlp([20, 64, 3], "relu", np.float64), np.zeros((640, 20))) is None


def test_the_invariance_check_catches_products_that_differ(monkeypatch):
    lib = FakeLib()
    net = build_mlp([20, 64, 3], "relu", np.float64)
    assert T._products_thread_invariant(lib, net, (32,), 2)
    matmul = np.matmul

    def threaded_rounding(a, b, **kw):  # a library whose 2 threads round otherwise
        out = matmul(a, b, **kw)
        if lib.threads == 2 and out.size > 100:
            out = np.nextafter(out, np.inf)  # one unit in the last place
        return out

    monkeypatch.setattr(T.np, "matmul", threaded_rounding)
    assert not T._products_thread_invariant(lib, net, (16,), 2)  # a new key: not cached
    assert lib.threads == 2  # left on the count it was asked about


def test_squared_norm_is_the_same_on_one_and_two_threads():
    x = np.random.RandomState(0).standard_normal(60_000)  # (60000,) > one piece
    with threadpool_limits(1, "blas"):
        one = squared_norm(x)
    with threadpool_limits(2, "blas"):
        two = squared_norm(x)
    assert one == two
    assert one == pytest.approx(float(np.sum(x * x)), rel=1e-12)
    assert squared_norm(x[:100]) == float(x[:100] @ x[:100])


# --- the tuner never changes a result -------------------------------------------


@pytest.mark.parametrize("Estimator", [SGDMLPClassifier, SGDMLPRegressor])
def test_switching_threads_all_fit_long_gives_the_same_bits(Estimator, monkeypatch):
    _supported()
    X, y = _data(2000, 30)
    # 12k+ parameters: longer than one BLAS dot product on one thread, so the
    # penalty's value and the clipping norm (clipping on every step) would see
    # threaded sums if they were taken in one piece.
    kw = dict(hidden_layer_sizes=(128, 64), batch_size=8, max_iter=3, alpha=1e-3,
              max_grad_norm=0.05, random_state=0, early_stopping=True, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with threadpool_limits(2, "blas"):
            monkeypatch.setattr(T, "TUNER_ENABLED", False)
            plain = Estimator(**kw).fit(X, y)
            # Switch every 16 steps: the load reads idle and busy by turns.
            made = []
            real = T.BlasThreadTuner

            def switching(lib, n, load, clock=None):
                flips = iter(np.tile([0.0, 1.0], 10_000))
                made.append(real(lib, n, lambda: next(flips), clock))
                return made[-1]

            monkeypatch.setattr(T, "TUNER_ENABLED", True)
            monkeypatch.setattr(T, "TUNER_INTERVAL", 0.0)
            monkeypatch.setattr(T, "TUNER_CHECK_EVERY", 16)
            monkeypatch.setattr(T, "TUNER_COLLAPSE", np.inf)
            monkeypatch.setattr(T, "BlasThreadTuner", switching)
            tuned = Estimator(**kw).fit(X, y)
    assert len(made) == 1
    counts = [h[0] for h in made[0].history]
    assert counts.count(2) >= 10 and counts.count(1) >= 10
    for a, b in zip(plain.coefs_ + plain.intercepts_, tuned.coefs_ + tuned.intercepts_):
        assert_array_equal(a, b)
    assert plain.loss_curve_ == tuned.loss_curve_
    assert plain.validation_scores_ == tuned.validation_scores_


def test_numpys_blas_threads_are_restored_after_a_tuned_fit(monkeypatch):
    _supported()
    X, y = _data(4000, 30)
    made = []
    real = T.BlasThreadTuner

    def idle(lib, n, load, clock=None):  # the machine reads idle: two threads
        made.append(real(lib, n, lambda: 0.0, clock))
        return made[-1]

    monkeypatch.setattr(T, "TUNER_INTERVAL", 0.0)
    monkeypatch.setattr(T, "BlasThreadTuner", idle)
    with threadpool_limits(2, "blas"):
        lib = T._numpy_blas(T._controller())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            SGDMLPClassifier((64,), batch_size=32, max_iter=2, random_state=0).fit(X, y)
        assert 2 in [h[0] for h in made[0].history]  # it did run on two threads
        assert made[0].threads == 1  # and ended each epoch on one
        assert lib.get_num_threads() == 2  # the user's setting, restored
