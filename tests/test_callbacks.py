"""scikit-learn's callback API: one task per epoch, ProgressBar, ScoringMonitor."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import SGDMLPClassifier, SGDMLPRegressor

callback = pytest.importorskip("sklearn.callback")


class Recorder:
    """Records (hook, task name, task id, max_subtasks); may ask to stop."""

    def __init__(self, stop_after=None):
        self.calls = []
        self.stop_after = stop_after

    def setup(self, estimator, context):
        self.calls.append(("setup", context.task_name, context.task_id,
                           context.max_subtasks))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None,
                          metadata=None):
        self.calls.append(("begin", context.task_name, context.task_id,
                           context.max_subtasks))

    def on_fit_task_end(self, estimator, context, *, X=None, y=None,
                        metadata=None, fitted_estimator=None):
        self.calls.append(("end", context.task_name, context.task_id,
                           context.max_subtasks))
        epochs = sum(c[:2] == ("end", "epoch") for c in self.calls)
        return self.stop_after is not None and epochs >= self.stop_after

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context.task_name, context.task_id,
                           context.max_subtasks))


def _data(n=80):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 4)  # (n, 4)
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def _fit(est, X, y, **kw):
    with pytest.warns(Warning):  # few epochs: not converged
        return est.fit(X, y, **kw)


@pytest.mark.parametrize("Estimator", [SGDMLPClassifier, SGDMLPRegressor])
def test_fit_runs_one_callback_task_per_epoch(Estimator):
    X, y = _data()
    rec = Recorder()
    est = _fit(Estimator((5,), max_iter=4, random_state=0).set_callbacks(rec), X, y)
    assert rec.calls[0] == ("setup", "fit", 0, 4)
    assert rec.calls[1] == ("begin", "fit", 0, 4)
    epochs = rec.calls[2:-2]
    assert epochs == [(hook, "epoch", i, 0) for i in range(4)
                      for hook in ("begin", "end")]
    assert rec.calls[-2:] == [("end", "fit", 0, 4), ("teardown", "fit", 0, 4)]
    assert est.n_iter_ == 4


def test_partial_fit_is_one_task_with_one_epoch():
    X, y = _data()
    rec = Recorder()
    est = SGDMLPClassifier((5,), random_state=0).set_callbacks(rec)
    est.partial_fit(X, y, classes=[0, 1])
    assert [c[:2] for c in rec.calls] == [
        ("setup", "partial_fit"), ("begin", "partial_fit"), ("begin", "epoch"),
        ("end", "epoch"), ("end", "partial_fit"), ("teardown", "partial_fit")]


def test_lbfgs_fit_is_a_single_task():
    X, y = _data()
    rec = Recorder()
    _fit(SGDMLPClassifier((5,), solver="lbfgs", max_iter=3).set_callbacks(rec), X, y)
    assert [c[:2] for c in rec.calls] == [
        ("setup", "fit"), ("begin", "fit"), ("end", "fit"), ("teardown", "fit")]


def test_a_callback_returning_true_stops_training():
    X, y = _data()
    est = SGDMLPClassifier((5,), max_iter=50, random_state=0)
    est.set_callbacks(Recorder(stop_after=3)).fit(X, y)  # no ConvergenceWarning
    assert est.n_iter_ == 3
    assert len(est.loss_curve_) == 3


def test_no_callbacks_leaves_training_unchanged():
    X, y = _data()
    plain = _fit(SGDMLPClassifier((5,), max_iter=5, random_state=0), X, y)
    watched = _fit(SGDMLPClassifier((5,), max_iter=5, random_state=0)
                   .set_callbacks(Recorder()), X, y)
    assert plain.loss_curve_ == watched.loss_curve_
    np.testing.assert_array_equal(plain.coefs_[0], watched.coefs_[0])


def _epoch_scores(monitor):
    rows = monitor.get_logs().data
    return [r["accuracy"] for r in rows if r["task_name"] == "epoch"]


def test_scoring_monitor_records_a_score_per_epoch():
    X, y = _data()
    monitor = callback.ScoringMonitor(scoring="accuracy")
    est = _fit(SGDMLPClassifier((5,), max_iter=6, learning_rate_init=0.05,
                                random_state=0).set_callbacks(monitor), X, y)
    scores = _epoch_scores(monitor)
    assert len(scores) == 6
    assert scores[-1] == est.score(X, y)  # the last epoch's model is the fit's
    assert len(set(scores)) > 1  # scored on the model of each epoch


def test_scoring_monitor_inside_a_pipeline_scores_transformed_data():
    X, y = _data()
    X = X * 100 + 5
    monitor = callback.ScoringMonitor(scoring="accuracy")
    mlp = SGDMLPClassifier((5,), max_iter=4, random_state=0).set_callbacks(monitor)
    pipe = make_pipeline(StandardScaler(), mlp)
    _fit(pipe, X, y)
    scores = _epoch_scores(monitor)
    assert len(scores) == 4
    assert scores[-1] == pipe.score(X, y)


def test_callbacks_reach_every_fit_of_a_grid_search():
    X, y = _data()
    rec = Recorder()
    mlp = SGDMLPClassifier((5,), max_iter=2, random_state=0).set_callbacks(rec)
    search = GridSearchCV(mlp, {"alpha": [1e-4, 1e-1]}, cv=2)
    _fit(search, X, y)
    fits = [c for c in rec.calls if c[:2] == ("begin", "fit")]
    epochs = [c for c in rec.calls if c[:2] == ("end", "epoch")]
    assert len(fits) == 2 * 2 + 1  # every candidate on every split, then refit
    assert len(epochs) == 2 * len(fits)


def test_progress_bar_shows_epoch_progress_of_a_pipeline_fit(capsys):
    pytest.importorskip("rich")
    X, y = _data()
    pipe = make_pipeline(StandardScaler(),
                         SGDMLPClassifier((5,), max_iter=3, random_state=0))
    pipe.set_callbacks(callback.ProgressBar(max_propagation_depth=None))
    _fit(pipe, X, y)
    out = capsys.readouterr().out
    assert "SGDMLPClassifier - fit" in out
    assert "100%" in out


def test_estimators_work_without_the_callback_api():
    # Simulate a scikit-learn without sklearn.callback (< 1.9): load what
    # scikit-learn needs itself, then make the module unimportable for skmlp.
    code = (
        "import sys, sklearn.metrics, sklearn.model_selection, "
        "sklearn.neural_network\n"
        "sys.modules['sklearn.callback'] = None\n"
        "import numpy as np, warnings; warnings.simplefilter('ignore')\n"
        "from skmlp import SGDMLPClassifier\n"
        "X = np.random.RandomState(0).randn(40, 3); y = (X[:, 0] > 0).astype(int)\n"
        "est = SGDMLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)\n"
        "est.partial_fit(X, y)\n"
        "assert not hasattr(est, 'set_callbacks')\n"
        "print(est.n_iter_, est.predict(X[:2]).shape)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "(2,)"]
