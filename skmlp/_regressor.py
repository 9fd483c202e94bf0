"""SGDMLPRegressor: squared-error and Poisson regression, single or multi-output."""

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array

from ._base import BaseSGDMLP, all_finite, column_to_1d
from ._docs import COMMON_ATTRIBUTES, COMMON_PARAMETERS
from ._core.losses import get_loss
from ._sklearn_compat import Interval, StrOptions, _fit_context


class SGDMLPRegressor(RegressorMixin, BaseSGDMLP):
    __doc__ = (
        """Multi-layer perceptron regressor with a NumPy core.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    the same parameters, defaults, fitted attributes, warnings and errors (one
    difference: ``hidden_layer_sizes`` is the first positional parameter, and
    ``loss`` is keyword-only). It minimises the half squared error (identity
    output) or the half Poisson deviance (exponential output) plus an L2 penalty,
    for one or several outputs.

    Parameters
    ----------
"""
        + COMMON_PARAMETERS
        + """
    loss : {'squared_error', 'poisson', 'huber', 'absolute_error'}, \
default='squared_error'
        'squared_error' is the half squared error with an identity output;
        'poisson' the half Poisson deviance with an exponential output, for
        non-negative targets. Not in scikit-learn's MLP: 'huber' (quadratic
        within ``huber_delta`` of the target, linear beyond: robust to
        outliers) and 'absolute_error' (its subgradient is 0 at a zero
        residual); both with an identity output, summed over outputs.

    huber_delta : float, default=1.0
        Residual at which 'huber' turns from quadratic to linear; > 0.

    Attributes
    ----------
"""
        + COMMON_ATTRIBUTES
        + """
    See Also
    --------
    SGDMLPClassifier : The classifier.
    sklearn.neural_network.MLPRegressor : scikit-learn's MLP regressor.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skmlp import SGDMLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=0.1,
    ...                        random_state=0)
    >>> reg = SGDMLPRegressor((16,), solver="lbfgs", max_iter=100,
    ...                       random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> reg.score(X, y) > 0.9
    True
    """
    )

    _parameter_constraints: dict = {
        **BaseSGDMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson", "huber", "absolute_error"})],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        batch_norm=False,
        l1_ratio=0.0,
        init="glorot_uniform",
        rho=0.9,
        weight_decay=0.01,
        warmup_fraction=0.0,
        max_grad_norm=None,
        early_stopping_metric="score",
        restore_best_weights=False,
        categorical_features=None,
        embedding_dim="auto",
        huber_delta=1.0,
    ):
        self._store_params(locals())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None,
            sample_weight_val=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
default=None
            An explicit validation set (not in scikit-learn's MLP; the precedent
            is HistGradientBoosting's). With ``early_stopping`` it replaces the
            ``validation_fraction`` split; without, its score and loss are only
            recorded (``validation_scores_``, ``validation_loss_curve_``).
            Stochastic solvers only.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Sample weights of the validation set.

        Returns
        -------
        self : SGDMLPRegressor
            The fitted model.
        """
        return self._fit(
            X, y, sample_weight=sample_weight, incremental=False, X_val=X_val,
            y_val=y_val, sample_weight_val=sample_weight_val,
        )

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : SGDMLPRegressor
            The updated model.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = self._validate_train_data(X, y, reset, y_numeric=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "Poisson regression."
            )
        Y = y.reshape(-1, 1) if y.ndim == 1 else y  # (n_samples, n_outputs)
        return X, Y

    def _plain_target(self, y, n_samples):
        return (type(y) is np.ndarray and y.ndim == 1 and y.dtype.kind == "f"
                and y.shape[0] == n_samples and all_finite(y))

    def _make_loss(self):
        if self.loss == "huber":
            return get_loss("huber", delta=self.huber_delta)
        return get_loss(self.loss)

    def _encode_validation_target(self, y_val):
        y_val = column_to_1d(check_array(y_val, ensure_2d=False, dtype="numeric"))
        Y_val = y_val.reshape(-1, 1) if y_val.ndim == 1 else y_val  # (n_val, n_outputs)
        if Y_val.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y_val has {Y_val.shape[1]} outputs; the model has {self.n_outputs_}."
            )
        return Y_val

    def _validation_target(self, Y_val):
        return Y_val.ravel() if Y_val.shape[1] == 1 else Y_val

    def _score_function(self, y, y_pred, sample_weight=None):
        return r2_score(y, y_pred, sample_weight=sample_weight)

    def predict(self, X):
        """Predict using the multi-layer perceptron model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        return self._predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
