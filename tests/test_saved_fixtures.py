"""Models saved by an earlier skmlp still load, predict and keep learning.

The files in ``tests/fixtures`` were written by ``tests/fixtures/make_fixtures.py``
with the skmlp commit named in ``tests/fixtures/COMMIT``; they name the module
paths and the fitted-state layout of that version.
"""

import importlib.util
import pickle
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest

sio = pytest.importorskip("skops.io")

FIXTURES = Path(__file__).parent / "fixtures"
_spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
make_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_fixtures)


def _load_pickle(path):
    with open(path, "rb") as f:
        return pickle.load(f)


def _load_skops(path):
    untrusted = sio.get_untrusted_types(file=path)
    assert all(name.startswith("skmlp.") for name in untrusted), untrusted
    return sio.load(path, trusted=untrusted)


LOADERS = {
    "pkl": _load_pickle,
    "joblib": joblib.load,
    "joblib-mmap": lambda path: joblib.load(path, mmap_mode="r"),
    "skops": _load_skops,
}


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("name", sorted(make_fixtures.MODELS))
def test_saved_model_predicts_and_keeps_learning_as_when_saved(name, loader):
    suffix = "joblib" if loader.startswith("joblib") else loader
    model = LOADERS[loader](FIXTURES / f"{name}.{suffix}")
    kind = "classifier" if name.startswith("classifier") else "regressor"
    X, y = make_fixtures.data(kind)
    expected = np.load(FIXTURES / f"{name}.expected.npz")
    np.testing.assert_array_equal(model.predict(X), expected["predict"])
    if kind == "classifier":
        np.testing.assert_array_equal(model.predict_proba(X), expected["predict_proba"])
    if "after_partial_fit" in expected:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.partial_fit(X, y)
        out = model.predict_proba(X) if kind == "classifier" else model.predict(X)
        np.testing.assert_allclose(out, expected["after_partial_fit"], rtol=1e-12,
                                   atol=1e-12)
    else:
        # a refit from the loaded parameters still works
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.set_params(warm_start=True).fit(X, y)
        assert np.isfinite(model.predict(X).astype(float)).all()
