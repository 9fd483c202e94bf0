"""Saving and loading: pickle, joblib and skops.io round trips."""

import io
import pickle

import joblib
import numpy as np
import pytest

from skmlp import SGDMLPClassifier, SGDMLPRegressor
from skmlp._ext.persistence import from_plain

sio = pytest.importorskip("skops.io")


def _data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4)  # (n, 4)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)  # (n,)
    return X, y


def _fitted(kind, dtype=np.float64, n=120):
    X, y = _data(n)
    X = X.astype(dtype)
    if kind == "classifier":
        est = SGDMLPClassifier((6,), max_iter=5, random_state=0)
    else:
        est = SGDMLPRegressor((6,), max_iter=5, random_state=0)
        y = X[:, 0] - 2 * X[:, 1]
    with pytest.warns(Warning):
        est.fit(X, y)
    return est, X, y


def _pickle(est):
    return pickle.loads(pickle.dumps(est))


def _joblib(est):
    buf = io.BytesIO()
    joblib.dump(est, buf)
    buf.seek(0)
    return joblib.load(buf)


def _skops(est):
    return sio.loads(sio.dumps(est), trusted=[_type_name(est)])


def _type_name(est):
    return f"{type(est).__module__}.{type(est).__name__}"


ROUND_TRIPS = {"pickle": _pickle, "joblib": _joblib, "skops": _skops}


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("how", sorted(ROUND_TRIPS))
def test_round_trip_gives_identical_predictions(kind, dtype, how):
    est, X, _ = _fitted(kind, dtype)
    loaded = ROUND_TRIPS[how](est)
    assert type(loaded) is type(est)
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    for a, b in zip(loaded.coefs_, est.coefs_):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("how", sorted(ROUND_TRIPS))
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_partial_fit_after_round_trip_continues_exactly(how, solver):
    X, y = _data()
    halves = [(X[:60], y[:60]), (X[60:], y[60:])]
    straight = SGDMLPClassifier((6,), solver=solver, random_state=0)
    interrupted = SGDMLPClassifier((6,), solver=solver, random_state=0)
    for Xh, yh in halves:
        straight.partial_fit(Xh, yh, classes=[0, 1])
    interrupted.partial_fit(*halves[0], classes=[0, 1])
    resumed = ROUND_TRIPS[how](interrupted)
    resumed.partial_fit(*halves[1])
    # Same optimizer state, same generator state: the very same weights.
    for a, b in zip(resumed.coefs_ + resumed.intercepts_,
                    straight.coefs_ + straight.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert resumed.loss_curve_ == straight.loss_curve_
    # coefs_ are live views again: training moved them.
    assert not np.array_equal(resumed.coefs_[0], interrupted.coefs_[0])


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_skops_needs_only_the_estimator_class_trusted(kind):
    est, _, _ = _fitted(kind)
    data = sio.dumps(est)
    assert sio.get_untrusted_types(data=data) == [_type_name(est)]


def test_early_stopping_state_survives_skops():
    X, y = _data(200)
    est = SGDMLPClassifier((6,), max_iter=8, early_stopping=True, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y)
    loaded = _skops(est)
    assert loaded.validation_scores_ == est.validation_scores_
    assert loaded.best_validation_score_ == est.best_validation_score_
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


def test_from_plain_refuses_classes_outside_skmlp():
    evil = {"__skmlp__": "os:system", "state": {}}
    with pytest.raises(ValueError, match="not an skmlp class"):
        from_plain(evil)


def test_to_plain_leaves_no_skmlp_object_in_fitted_state():
    est, _, _ = _fitted("classifier")
    plain = est.__getstate__()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from walk(item)
        else:
            yield value

    modules = {type(v).__module__.split(".")[0] for v in walk(plain)}
    assert "skmlp" not in modules


@pytest.mark.parametrize("n_samples", [100, 2000])
def test_pickle_size_is_dominated_by_weights_not_data(n_samples):
    X, y = _data(n_samples)
    est = SGDMLPClassifier((64,), max_iter=3, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y)
    size = len(pickle.dumps(est))
    weights = est._state.network.params.nbytes
    # Weights plus Adam's two moment buffers, plus a small fixed overhead; no
    # copy of the training data or of per-batch buffers.
    assert size < 3 * weights + 12_000
    assert size > weights
