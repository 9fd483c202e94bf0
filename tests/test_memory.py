"""Memory stays bounded: no growth across many partial_fit calls, no copy of large input."""

import tracemalloc

import numpy as np
import pytest

from skmlp import SGDMLPRegressor


pytestmark = pytest.mark.usefixtures("quiet_convergence")


def test_two_thousand_partial_fit_calls_grow_memory_only_by_the_loss_history():
    rng = np.random.RandomState(0)
    X = rng.randn(32, 8)
    y = X[:, 0] - X[:, 1]
    reg = SGDMLPRegressor((32,), random_state=0)
    for _ in range(50):  # warm up: optimizer state
        reg.partial_fit(X, y)
    tracemalloc.start()
    try:
        # NumPy, scikit-learn and threadpoolctl keep bounded caches of small
        # blocks; blocks they cache after tracing starts count as growth until
        # the caches are full (~2,000 calls here, then growth stops: a cache, not
        # a leak). Measure the next 2,000 calls.
        for _ in range(2000):
            reg.partial_fit(X, y)
        start, _ = tracemalloc.get_traced_memory()
        for _ in range(2000):
            reg.partial_fit(X, y)
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # each call appends one float to loss_curve_: about 32 bytes with the list slot
    assert len(reg.loss_curve_) == 4050
    assert end - start < 2000 * 32 + 16_384


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("shuffle", [True, False])
def test_fit_on_large_float32_input_makes_no_full_copy_of_it(solver, shuffle):
    rng = np.random.RandomState(0)
    X = rng.randn(40_000, 50).astype(np.float32)  # 8 MB
    y = (X[:, 0] > 0).astype(np.float32)
    est = SGDMLPRegressor((8,), solver=solver, shuffle=shuffle, max_iter=1, random_state=0)
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        est.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert est.coefs_[0].dtype == np.float32
    assert peak - base < X.nbytes / 4
