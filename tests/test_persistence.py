"""Saved models predict identically, keep learning, and refuse an unknown format."""

import copy
import pickle

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_regression

from skmlp import SGDMLPClassifier, SGDMLPRegressor
from skmlp import _base as _fitted_state


def _pickle(model, tmp_path):
    return pickle.loads(pickle.dumps(model))


def _joblib(model, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    return joblib.load(path)


def _joblib_read_only(model, tmp_path):
    # arrays come back as read-only memory maps of the file
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    loaded = joblib.load(path, mmap_mode="r")
    assert not loaded._state.network.params.flags.writeable
    return loaded


def _deepcopy(model, tmp_path):
    return copy.deepcopy(model)


@pytest.fixture(scope="module")
def data():
    X, y = make_regression(n_samples=200, n_features=6, noise=0.1, random_state=0)
    return X.astype(np.float32), (y / y.std()).astype(np.float32)


@pytest.mark.parametrize("roundtrip", [_pickle, _joblib, _joblib_read_only, _deepcopy])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_roundtrip_predicts_identically_and_keeps_learning(roundtrip, solver, data, tmp_path):
    X, y = data
    reg = SGDMLPRegressor((16,), solver=solver, learning_rate_init=0.01, random_state=0)
    for _ in range(3):
        reg.partial_fit(X, y)
    loaded = roundtrip(reg, tmp_path)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    assert loaded.predict(X).dtype == np.float32
    # both continue identically: the optimizer state and views came back intact
    for _ in range(5):
        reg.partial_fit(X, y)
        loaded.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    assert loaded.loss_curve_ == reg.loss_curve_
    assert loaded.loss_curve_[-1] < loaded.loss_curve_[2]
    assert all(a is b for a, b in zip(loaded.coefs_, loaded._state.network.coefs))


def test_pickled_state_carries_a_format_version(data):
    X, y = data
    reg = SGDMLPRegressor((4,), max_iter=2).fit(X, y)
    assert reg.__getstate__()[_fitted_state._STATE_VERSION_KEY] == _fitted_state._STATE_VERSION
    assert _fitted_state._STATE_VERSION_KEY not in vars(pickle.loads(pickle.dumps(reg)))


@pytest.mark.parametrize("stamp", [99, "0.0-dev"])
def test_loading_an_incompatible_format_raises_a_clear_error(stamp, data, monkeypatch):
    X, y = data
    clf = SGDMLPClassifier((4,), max_iter=2).fit(X, y > 0)
    monkeypatch.setattr(_fitted_state, "_STATE_VERSION", stamp)  # as a future version would write
    blob = pickle.dumps(clf)
    monkeypatch.undo()
    with pytest.raises(ValueError, match=f"pickled with skmlp state format {stamp!r}.*refit the model"):
        pickle.loads(blob)


def test_a_pickle_without_a_stamp_loads_as_the_first_format(data):
    # models saved before the stamp existed have the layout of format 1
    X, y = data
    reg = SGDMLPRegressor((4,), max_iter=2).fit(X, y)
    state = reg.__getstate__()
    del state[_fitted_state._STATE_VERSION_KEY]
    old = SGDMLPRegressor.__new__(SGDMLPRegressor)
    old.__setstate__(state)
    np.testing.assert_array_equal(old.predict(X), reg.predict(X))


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_a_model_loaded_read_only_warm_starts_like_the_original(solver, data, tmp_path):
    X, y = data
    params = dict(hidden_layer_sizes=(16,), solver=solver, batch_norm=solver != "lbfgs",
                  max_iter=3, warm_start=True, random_state=0)
    with pytest.warns(Warning):
        reg = SGDMLPRegressor(**params).fit(X, y)
    loaded = _joblib_read_only(reg, tmp_path)
    with pytest.warns(Warning):
        reg.fit(X, y)
    with pytest.warns(Warning):
        loaded.fit(X, y)  # trains on in-memory copies; the file is untouched
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    assert joblib.load(tmp_path / "model.joblib").n_iter_ == 3
