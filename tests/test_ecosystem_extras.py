"""Optional extras stay optional; the training-curve display draws the data."""

import subprocess
import sys

import numpy as np
import pytest

from skmlp import SGDMLPClassifier, SGDMLPRegressor, TrainingCurveDisplay

OPTIONAL = ["dask", "distributed", "dask_ml", "matplotlib", "skops", "onnx",
            "skl2onnx", "onnxruntime"]


def test_importing_skmlp_imports_no_optional_dependency():
    code = (
        "import sys, skmlp\n"
        f"print(sorted(m for m in {OPTIONAL!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture
def plt():
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def _fit_with_validation():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 4)  # (120, 4)
    y = (X[:, 0] > 0).astype(int)  # (120,)
    est = SGDMLPClassifier((6,), max_iter=7, early_stopping=True,
                           n_iter_no_change=50, random_state=0)
    with pytest.warns(Warning):
        return est.fit(X, y)


def test_display_lines_carry_loss_curve_and_validation_scores(plt):
    est = _fit_with_validation()
    disp = TrainingCurveDisplay.from_estimator(est)
    loss, score = disp.lines_["loss"], disp.lines_["validation_score"]
    np.testing.assert_array_equal(loss.get_xdata(), np.arange(1, 8))
    np.testing.assert_allclose(loss.get_ydata(), est.loss_curve_)
    np.testing.assert_allclose(score.get_ydata(), est.validation_scores_)
    assert score.axes is disp.score_ax_ and loss.axes is disp.ax_
    assert disp.figure_ is disp.ax_.figure
    assert "SGDMLPClassifier" in disp.ax_.get_title()


def test_display_draws_a_validation_loss_curve_when_given(plt):
    disp = TrainingCurveDisplay(loss_curve=[3.0, 2.0, 1.5],
                                validation_loss_curve=[3.2, 2.5, 2.4]).plot()
    np.testing.assert_allclose(disp.lines_["validation_loss"].get_ydata(),
                               [3.2, 2.5, 2.4])
    assert disp.score_ax_ is None and "validation_score" not in disp.lines_


def test_display_without_validation_draws_the_loss_only_on_given_axes(plt):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)  # (60, 3)
    with pytest.warns(Warning):
        est = SGDMLPRegressor((4,), max_iter=5, random_state=0).fit(X, X[:, 0])
    _, ax = plt.subplots()
    disp = TrainingCurveDisplay.from_estimator(est, ax=ax, name="mine")
    assert disp.ax_ is ax and list(disp.lines_) == ["loss"]
    assert ax.get_title() == "mine: training curves"


def test_display_of_an_lbfgs_fit_says_there_is_no_curve(plt):
    X = np.random.RandomState(0).randn(30, 2)  # (30, 2)
    with pytest.warns(Warning):
        est = SGDMLPRegressor((3,), solver="lbfgs", max_iter=3).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="lbfgs"):
        TrainingCurveDisplay.from_estimator(est)
