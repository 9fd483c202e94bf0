"""BaseSGDMLP: the fit glue between scikit-learn and the core.

The estimator validates input, builds the core pieces from its parameters, hands
them to the training loops in ``_training`` and publishes what they recorded under
scikit-learn's MLP attribute names. It never computes a gradient.

Its other responsibilities live in mixins: the pickled state and the published
``coefs_`` / ``intercepts_`` (``_fitted_state``), the parameter constraints and
settings (``_params``), the plateau tracker and the published training log
(``_fit_records``), the validation set (``_validation``), and ``summary`` /
``to_sklearn`` (``_inspection``).
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ._ext.callbacks import start_callbacks
from ._fit_records import FitRecordsMixin
from ._fitted_state import FittedStateMixin
from ._core.initializers import INITIALIZERS
from ._inspection import InspectionMixin
from ._core.network import build_mlp
from ._core.optimizers import make_optimizer
from ._params import _STOCHASTIC_SOLVERS, ParamsMixin
from ._core.schedules import make_schedule
from ._sklearn_compat import (
    CallbackSupportMixin,
    _check_optimize_result,
    _check_sample_weight,
)
from ._core.threads import _blas_threads_for, _thread_tuner_for
from ._core.training import TrainingLog, fit_lbfgs, fit_stochastic
from ._validation import ValidationSetMixin

#: scikit-learn's own message for a fit that ends on non-finite weights; skmlp's
#: divergence errors begin with it, then say what skmlp did.
_SKLEARN_NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)

_DIVERGENCE_ADVICE = (
    "Try a smaller learning_rate_init, standardising X (e.g. with "
    "sklearn.preprocessing.StandardScaler), or a larger alpha."
)


def schedule_name(solver, learning_rate):
    """The schedule a stochastic fit follows for these two parameters.

    scikit-learn's values of ``learning_rate`` ('constant', 'invscaling',
    'adaptive') mean what they mean in scikit-learn: only ``solver='sgd'``
    follows them, and every other solver keeps ``learning_rate_init`` (and stops
    on a plateau), as scikit-learn's adam does. skmlp's own value 'cosine'
    applies to every stochastic solver.

    Parameters
    ----------
    solver : str
    learning_rate : str

    Returns
    -------
    name : str
        A name ``make_schedule`` accepts.
    """
    if solver != "sgd" and learning_rate in ("invscaling", "adaptive"):
        return "constant"
    return learning_rate


class BaseSGDMLP(
    FittedStateMixin,
    ParamsMixin,
    FitRecordsMixin,
    ValidationSetMixin,
    InspectionMixin,
    CallbackSupportMixin,
    BaseEstimator,
):
    """Base class of SGDMLPClassifier and SGDMLPRegressor; not for direct use."""

    # ------------------------------------------------------------- training
    def _combine_sample_weight(self, Y, sample_weight, dtype):
        """Sample weights the loss uses (the classifier folds in class_weight)."""
        return sample_weight

    def _make_loss(self):
        """The core loss for this estimator and target (set in ``_validate_input``)."""
        raise NotImplementedError

    def _initialize(self, Y, layer_units, dtype, coefs=None, intercepts=None):
        """Build the network and the training records for a first fit.

        With ``coefs`` and ``intercepts`` (weights a user assigned to a model
        never fitted, which scikit-learn trains on from), the network starts
        from them and nothing is drawn from the random state.
        """
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self._loss = self._make_loss()
        self.out_activation_ = self._loss.link
        n_hidden = len(layer_units) - 2
        rates, batch_norm = self._layer_config = self._network_config(n_hidden)
        network = build_mlp(
            layer_units, self._hidden_activations(n_hidden), dtype, dropout=rates,
            batch_norm=batch_norm,
        )
        if coefs is None:
            init = INITIALIZERS[self.init]
            coefs, intercepts = [], []
            for n_in, n_out, act in zip(layer_units[:-1], layer_units[1:],
                                        self._init_activations(n_hidden)):
                W, b = init(n_in, n_out, self._rng, dtype, act)
                coefs.append(W)
                intercepts.append(b)
        network.set_coefs(coefs, intercepts)
        self._network = network
        self.n_params_ = network.count_params()
        self._publish_params()
        self._optimizer = None
        self._schedule = None
        if self.solver in _STOCHASTIC_SOLVERS:
            self._log = TrainingLog(self.early_stopping)
            self._tracker = self._new_tracker()

    def _fit(self, X, y, sample_weight=None, incremental=False, state_before=None,
             X_val=None, y_val=None, sample_weight_val=None):
        # Validation sets attributes (n_features_in_, classes_, ...) as it goes:
        # when it fails, put them back, so that a bad call never spoils a model
        # already fitted. ``state_before`` is the state a caller that started
        # validating earlier (the classifier's partial_fit) saved.
        if state_before is None:
            state_before = self.__dict__.copy()
        try:
            hidden = self._hidden_layer_sizes()
            first_pass = not hasattr(self, "coefs_") or (
                not self.warm_start and not incremental
            )
            if self.early_stopping and incremental:
                raise ValueError("partial_fit does not support early_stopping=True")
            self._check_toolkit_params()
            X, Y = self._validate_input(X, y, incremental, reset=first_pass)
            if sample_weight is not None:
                sample_weight = _check_sample_weight(
                    sample_weight, X, dtype=X.dtype, ensure_non_negative=True
                )  # (n_samples,)
                if not sample_weight.any():
                    raise ValueError(
                        "Sample weights must contain at least one non-zero number."
                    )
            sample_weight = self._combine_sample_weight(Y, sample_weight, X.dtype)
            validation_set = None
            if X_val is not None or y_val is not None or sample_weight_val is not None:
                validation_set = self._validate_validation_set(
                    X_val, y_val, sample_weight_val, X.dtype
                )
            layer_units = [X.shape[1]] + hidden + [Y.shape[1]]
            if not first_pass:
                self._check_architecture(layer_units, X.dtype)
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(state_before)
            raise

        # Every fit and partial_fit call draws from a generator made afresh from
        # random_state, as scikit-learn does (with an int random_state, each
        # partial_fit call shuffles a batch of the same size alike).
        self._rng = check_random_state(self.random_state)
        if first_pass:
            self._initialize(Y, layer_units, X.dtype)
        elif not hasattr(self, "_network"):
            self._initialize(Y, layer_units, X.dtype, self.coefs_, self.intercepts_)
        else:
            self._sync_params()
            self._own_read_only_state()
        Y = Y.astype(X.dtype, copy=False)  # (n_samples, n_outputs)

        stochastic = self.solver in _STOCHASTIC_SOLVERS
        callbacks = start_callbacks(
            self, X, y, sample_weight,
            n_epochs=(1 if incremental else self.max_iter) if stochastic else 0,
            task_name="partial_fit" if incremental else "fit",
        )
        try:
            if stochastic:
                self._fit_stochastic(
                    X, Y, sample_weight, incremental, validation_set, callbacks
                )
            else:
                self._fit_lbfgs(X, Y, sample_weight)
        finally:
            if callbacks is not None:
                callbacks.end()
        return self

    def _own_read_only_state(self):
        """Give a model loaded read-only (``joblib.load(..., mmap_mode='r')``)
        in-memory copies of the arrays training writes to, so that warm-started
        fits and partial_fit resume instead of failing (or, in a BLAS update
        that ignores numpy's read-only flag, writing to a read-only mapping)."""
        network = self._network
        if not network.params.flags.writeable:
            network.params = network.params.copy()  # (n_params,)
            network._bind()
            self._publish_params()
        for holder in [*network.layers, self._optimizer, getattr(self, "_tracker", None)]:
            if holder is None:
                continue
            for name, value in vars(holder).items():
                if isinstance(value, np.ndarray) and not value.flags.writeable:
                    setattr(holder, name, value.copy())

    def _check_architecture(self, layer_units, dtype):
        own = [self.coefs_[0].shape[0]] + [c.shape[1] for c in self.coefs_]
        if own != list(layer_units):
            raise ValueError(
                f"The network was built with layer sizes {own}; this call needs "
                f"{list(layer_units)}. hidden_layer_sizes and the number of outputs "
                "cannot change under warm_start or partial_fit: refit from scratch."
            )
        if not hasattr(self, "_network"):
            return  # coefs_ assigned by hand: the network is built from them
        if np.dtype(dtype) != self._network.dtype:
            raise ValueError(
                f"The model was fitted on {self._network.dtype} data and cannot "
                f"continue training on {np.dtype(dtype)} data; cast X to "
                f"{self._network.dtype}."
            )
        config = self._network_config(len(layer_units) - 2)
        if config != self._layer_config:
            raise ValueError(
                f"The network was built with dropout={list(self._layer_config[0])}"
                f" and batch_norm={self._layer_config[1]}; this call asks for "
                f"dropout={list(config[0])} and batch_norm={config[1]}. They cannot "
                "change under warm_start or partial_fit: refit from scratch."
            )
        self._check_same_activations(self._network)

    def _fit_stochastic(self, X, Y, sample_weight, incremental, validation_set=None,
                        callbacks=None):
        if not incremental or self._optimizer is None:
            self._optimizer = make_optimizer(
                self.solver,
                momentum=self.momentum,
                nesterovs_momentum=self.nesterovs_momentum,
                beta_1=self.beta_1,
                beta_2=self.beta_2,
                epsilon=self.epsilon,
                rho=self.rho,
                weight_decay=self.weight_decay,
                n_coef=self._network.n_coef,
            )
            self._schedule = make_schedule(
                schedule_name(self.solver, self.learning_rate),
                self.learning_rate_init,
                self.power_t,
                max_iter=self.max_iter,
                warmup_fraction=self.warmup_fraction,
            )

        monitor, mode, keep_best = self._tracker_setup()
        has_validation = self.early_stopping or validation_set is not None
        if not hasattr(self, "_log"):
            self._log = TrainingLog(has_validation)
        if (
            not hasattr(self, "_tracker")
            or self._tracker.mode != mode
            or self._tracker.keep_best != keep_best
        ):
            self._tracker = self._new_tracker()
        if (self._log.validation_scores is None) == has_validation:
            self._log.validation_scores = [] if has_validation else None
            self._log.validation_loss_curve = [] if has_validation else None

        validation_score = validation_loss = None
        if has_validation:
            if validation_set is None:
                X, Y, sample_weight, validation_set = self._split_validation(
                    X, Y, sample_weight
                )
            validation_score, validation_loss = self._validation_callables(
                *validation_set
            )
        if self._layer_config[0] and max(self._layer_config[0]) > 0:
            # Dropout masks come from their own Generator, seeded once per call
            # from the estimator's RandomState (so that the stream shuffling and
            # initialisation draw from is scikit-learn's when dropout is off)
            # and from the samples seen so far (so that successive partial_fit
            # calls, each re-seeded, do not repeat the same masks).
            seed = self._rng.randint(2**32 - 1)
            self._network.set_dropout_rng(np.random.default_rng([seed, self.t_]))

        batch_size = self._batch_size(X.shape[0])
        # The tuner first: it reads numpy's BLAS threads before the limit of
        # _blas_threads_for, which applies as soon as it is made.
        tuner = _thread_tuner_for(self._network, batch_size, X.shape[0], X,
                                  shuffle=self.shuffle)
        threads, blas_updates = _blas_threads_for(self._network, batch_size)
        penalty = self._make_penalty([W.size for W in self._network.coefs])
        penalty.blas_update = self._optimizer.blas_update = blas_updates
        with threads:
            status = fit_stochastic(
                self._network,
                self._loss,
                penalty,
                self._optimizer,
                self._schedule,
                self._tracker,
                self._log,
                X,
                Y,
                sample_weight,
                batch_size=batch_size,
                max_iter=self.max_iter,
                shuffle=self.shuffle,
                rng=self._rng,
                incremental=incremental,
                validation_score=validation_score,
                verbose=bool(self.verbose),
                validation_loss=validation_loss,
                monitor=monitor,
                max_grad_norm=self.max_grad_norm,
                on_epoch_begin=None if callbacks is None else callbacks.epoch_begin,
                on_epoch_end=None if callbacks is None else callbacks.epoch_end,
                record_divergence=self.early_stopping,
                thread_tuner=tuner,
            )
        if status == "max_iter" and not incremental:
            warnings.warn(
                "Stochastic Optimizer: Maximum iterations (%d) "
                "reached and the optimization hasn't converged yet." % self.max_iter,
                ConvergenceWarning,
            )
        if status in ("interrupted", "diverged"):
            # Its moments may hold a half-applied or non-finite step: the next
            # partial_fit starts a fresh optimizer from the restored weights.
            self._optimizer = None
        if keep_best and self._tracker.best_params is not None:
            self._network.restore(self._tracker.best_params)
            if self.early_stopping:
                # In scikit-learn the restored coefs_ *are* its best-weight
                # arrays: a warm-started refit trains them in place, and ends on
                # its last epoch's weights unless its validation score beats
                # the best so far. Dropping the copy does the same: until an
                # epoch improves, the best weights are the current ones.
                self._tracker.best_params = None
        self._publish_log()
        completed = len(self.loss_curve_)
        if status == "interrupted":
            warnings.warn(
                "Training interrupted by user. The model keeps the weights of "
                f"{self._kept_weights(keep_best, completed)}."
            )
        elif status == "diverged" and self.early_stopping:
            # scikit-learn's way: a diverging candidate of a search does not
            # abort it; the diverged epoch is recorded (NaN validation score)
            warnings.warn(
                f"Training diverged in epoch {completed}: the loss or the weights "
                "became non-finite (NaN or infinity), and training stopped. Early "
                "stopping kept the weights of "
                f"{self._kept_weights(keep_best, completed)}. "
                + _DIVERGENCE_ADVICE
            )
        elif status == "diverged":
            raise ValueError(
                _SKLEARN_NON_FINITE + f" Training diverged in epoch {completed + 1}: "
                "the loss or the weights became non-finite (NaN or infinity). The "
                f"weights were rolled back to those of "
                f"{self._kept_weights(keep_best, completed)}, and training stopped. "
                + _DIVERGENCE_ADVICE
            )

    def _kept_weights(self, keep_best, completed):
        """Which weights the model keeps after an interrupted or diverged fit."""
        if self.early_stopping:
            return "the epoch with the best validation score so far"
        if keep_best:
            return "the epoch with the lowest training loss so far"
        if completed:
            return f"epoch {completed}, the last completed one"
        return "the start of training"

    def _fit_lbfgs(self, X, Y, sample_weight):
        result, reported = fit_lbfgs(
            self._network,
            self._loss,
            self._make_penalty([W.size for W in self._network.coefs]),
            X,
            Y,
            sample_weight,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
            verbose=bool(self.verbose),
        )
        self.loss_ = reported
        if result.get("interrupted", False):
            self.n_iter_ = result.nit
            warnings.warn(
                "Training interrupted by user. The model keeps the weights of the "
                f"last completed L-BFGS iteration ({result.nit})."
            )
        else:
            self.n_iter_ = _check_optimize_result("lbfgs", result, self.max_iter)
        if not np.isfinite(result.x).all():
            raise ValueError(
                _SKLEARN_NON_FINITE + " The weights were rolled back to the last "
                "L-BFGS iterate with a finite loss. " + _DIVERGENCE_ADVICE
            )
        if not np.isfinite(reported):
            warnings.warn(
                "L-BFGS ended on finite weights with a non-finite loss "
                f"({reported}): the predictions overflow. " + _DIVERGENCE_ADVICE
            )

    # ------------------------------------------------------------ predicting
    def _forward(self, X, check_input=True):
        """Network output after the link (probabilities or predictions)."""
        check_is_fitted(self)
        if check_input:
            X = validate_data(
                self,
                X,
                accept_sparse=["csr", "csc"],
                dtype=(np.float64, np.float32),
                reset=False,
            )
        self._sync_params()
        Z = self._network.forward(X, training=False)  # (n_samples, n_outputs)
        return self._loss.inverse_link(Z)  # (n_samples, n_outputs)

    def _score_raw(self, X, y, sample_weight):
        """Score without input validation; NaN when predictions are not finite."""
        y_pred = self._predict(X, check_input=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return self._score_function(y, y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
