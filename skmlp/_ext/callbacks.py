"""scikit-learn's callback API (``sklearn.callback``, experimental, >= 1.9).

A fit is one task; with a stochastic solver each epoch is a subtask, so that
``sklearn.callback.ProgressBar`` advances once per epoch and
``ScoringMonitor`` scores the model after every epoch. L-BFGS runs as a single
task. The training loop only sees two plain callables (``epoch_begin`` and
``epoch_end``); nothing here runs when no callback is set, and nothing at all on a
scikit-learn without the API.
"""


class FitCallbacks:
    """The callback contexts of one call to fit or partial_fit.

    Parameters
    ----------
    estimator : BaseSGDMLP
    context : sklearn.callback.CallbackContext
        The root context of the fit.
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The validated training data, handed to the hooks.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The targets as given to fit.
    metadata : dict or None
        ``{"sample_weight": ...}`` when sample weights were given.
    """

    def __init__(self, estimator, context, X, y, metadata):
        self.estimator = estimator
        self.context = context
        self._data = dict(X=X, y=y, metadata=metadata)
        self._epoch = None
        context.call_on_fit_task_begin(estimator=estimator, **self._data)

    def _fitted_attributes(self):
        log = self.estimator._state.log
        return {"n_iter_": log.n_iter, "loss_": log.loss,
                "loss_curve_": list(log.loss_curve)}

    def epoch_begin(self):
        """Open the next epoch's task."""
        self._epoch = self.context.subcontext(task_name="epoch")
        self._epoch.call_on_fit_task_begin(estimator=self.estimator, **self._data)

    def epoch_end(self):
        """Close the epoch's task; True when a callback asks to stop."""
        return self._epoch.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=self._fitted_attributes,
            **self._data,
        )

    def end(self):
        """Close the fit's task."""
        self.context.call_on_fit_task_end(
            estimator=self.estimator, reconstruction_attributes={}, **self._data
        )


def start_callbacks(estimator, X, y, sample_weight, n_epochs, task_name):
    """Open the root callback context of a fit, or return None.

    Parameters
    ----------
    estimator : BaseSGDMLP
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : array-like
    sample_weight : ndarray of shape (n_samples,) or None
    n_epochs : int
        Most epochs this call can run (0 for L-BFGS, which is one task).
    task_name : str

    Returns
    -------
    callbacks : FitCallbacks or None
        None when the API is missing or no callback was set on the estimator
        nor propagated to it by a meta-estimator.
    """
    if not hasattr(estimator, "_init_callback_context"):
        return None
    if not (hasattr(estimator, "_skl_callbacks")
            or hasattr(estimator, "_parent_callback_ctx")):
        return None
    context = estimator._init_callback_context(
        task_name=task_name, max_subtasks=n_epochs
    )
    metadata = None if sample_weight is None else {"sample_weight": sample_weight}
    return FitCallbacks(estimator, context, X, y, metadata)
