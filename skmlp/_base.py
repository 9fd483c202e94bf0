"""BaseSGDMLP: the one estimator base class, the glue between scikit-learn and the core.

The estimator checks its parameters and its input, translates the parameters into
core objects (the plain functions at the top of this module), hands a
``TrainingState`` to the training loops of ``_core.training`` and publishes what
they recorded under scikit-learn's MLP attribute names. It never computes a
gradient. Reading ``fit`` takes this file and ``_core/training.py``; the two
estimators add their targets (labels or values) in ``_classifier`` and
``_regressor``.
"""

import inspect
import math
import operator
import threading
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, check_X_y, column_or_1d, validate_data

from . import _categorical as categorical
from ._core.activations import ACTIVATIONS
from ._core.early_stopping import PlateauTracker
from ._core.initializers import INITIALIZERS
from ._core.kernels import _blas_threads_for, make_kernels
from ._core.layers import BatchNorm, Dense, Dropout
from ._core.network import build_mlp
from ._core.optimizers import make_optimizer
from ._core.penalties import ElasticNetPenalty, L2Penalty
from ._core.schedules import make_schedule
from ._core.summary import format_summary
from ._core.training import (
    Hooks,
    StochasticConfig,
    TrainingLog,
    TrainingState,
    fit_lbfgs,
    fit_stochastic,
)
from ._ext.callbacks import start_callbacks
from ._ext.persistence import from_plain, to_plain
from ._sklearn_compat import (
    CallbackSupportMixin,
    Interval,
    Options,
    StrOptions,
    _check_optimize_result,
    _check_sample_weight,
)

_STOCHASTIC_SOLVERS = ("sgd", "adam", "adamw", "adagrad", "rmsprop")

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

# Version of the pickled state's layout. Bump it when a change to the fitted
# attributes makes older pickles unreadable, and convert the versions this code
# still reads in ``_upgrade_state``. Pickles made before the stamp existed have
# the layout of version 1 (one private attribute per piece of training state);
# version 2 holds them in one ``TrainingState``.
_STATE_VERSION = 2
_READABLE_STATE_VERSIONS = (1, 2)
_STATE_VERSION_KEY = "_skmlp_state_version"

# Serialises copying user-assigned coefs_/intercepts_ into the network, the one
# write a prediction may make (see ``_sync_params``).
_SYNC_LOCK = threading.Lock()


# ---------------------------------------------------------------------------
# Parameters -> core objects: plain functions of the estimator's parameters
# ---------------------------------------------------------------------------
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


def schedule_for(est):
    """The learning-rate schedule of a stochastic fit with these parameters.

    Parameters
    ----------
    est : BaseSGDMLP
        The estimator; only its parameters are read.

    Returns
    -------
    schedule : Constant
    """
    return make_schedule(
        schedule_name(est.solver, est.learning_rate),
        est.learning_rate_init, est.power_t, max_iter=est.max_iter,
        warmup_fraction=est.warmup_fraction,
    )


def optimizer_for(est, n_coef):
    """The optimizer of a stochastic fit with these parameters.

    Parameters
    ----------
    est : BaseSGDMLP
        The estimator; only its parameters are read.
    n_coef : int
        Leading entries of the flat parameter buffer that are weights.

    Returns
    -------
    optimizer : Optimizer
    """
    return make_optimizer(
        est.solver, momentum=est.momentum,
        nesterovs_momentum=est.nesterovs_momentum, beta_1=est.beta_1,
        beta_2=est.beta_2, epsilon=est.epsilon, rho=est.rho,
        weight_decay=est.weight_decay, n_coef=n_coef,
    )


def penalty_for(est, coef_sizes):
    """The penalty: L2, or the elastic net when ``l1_ratio > 0``.

    Parameters
    ----------
    est : BaseSGDMLP
        The estimator; only its parameters are read.
    coef_sizes : list of int
        Sizes of the weight matrices, in the flat buffer's order.

    Returns
    -------
    penalty : L2Penalty or ElasticNetPenalty
    """
    if est.l1_ratio > 0:
        return ElasticNetPenalty(est.alpha, est.l1_ratio, coef_sizes)
    return L2Penalty(est.alpha, coef_sizes)


def tracker_setup(est):
    """``(monitor, mode, keep_best)`` of the plateau tracker for these parameters.

    Parameters
    ----------
    est : BaseSGDMLP
        The estimator; only its parameters are read.

    Returns
    -------
    monitor : {"validation_loss", "score", "loss"}
    mode : {"loss", "score"}
    keep_best : bool
    """
    if est.early_stopping:
        if est.early_stopping_metric == "loss":
            return "validation_loss", "loss", True
        return "score", "score", True
    return "loss", "loss", bool(est.restore_best_weights)


def new_tracker(est, network):
    """A fresh plateau tracker; when it keeps the best weights it holds the current ones.

    Parameters
    ----------
    est : BaseSGDMLP
        The estimator; only its parameters are read.
    network : Network

    Returns
    -------
    tracker : PlateauTracker
    """
    _, mode, keep_best = tracker_setup(est)
    tracker = PlateauTracker(est.tol, est.n_iter_no_change, mode, keep_best)
    if keep_best:
        tracker.remember(network.snapshot())
    return tracker


_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def plain_float_matrix(X, n_features):
    """Whether ``X`` is what scikit-learn's ``check_array`` would return unchanged.

    True for a finite 2-D float64 or float32 ndarray (of any memory order) with
    ``n_features`` columns and at least one row: the common input, which may
    skip scikit-learn's generic conversion. Anything else (lists, pandas,
    sparse, other dtypes, NaN or infinity, a wrong shape) returns False and
    goes through ``validate_data``, with its errors and warnings.

    Parameters
    ----------
    X : object
    n_features : int or None

    Returns
    -------
    plain : bool
    """
    return (type(X) is np.ndarray and X.ndim == 2 and X.dtype in _FLOAT_DTYPES
            and X.shape[0] > 0 and X.shape[1] == n_features and all_finite(X))


def all_finite(a):
    """Whether every entry of the float array ``a`` is finite.

    Small arrays are tested entry by entry; larger ones by their sum (one pass,
    no temporary, as ``check_array`` tests first), finite only when every entry
    is finite (a finite sum that overflows reads as not finite, and the caller's
    generic path then looks entry by entry).

    Parameters
    ----------
    a : ndarray of float

    Returns
    -------
    finite : bool
    """
    if a.size <= 4096:
        return bool(np.isfinite(a).all())
    with np.errstate(over="ignore", invalid="ignore"):
        return math.isfinite(a.sum())


def column_to_1d(y):
    """A target of shape ``(n, 1)`` as ``(n,)``, with scikit-learn's
    DataConversionWarning; any other target unchanged."""
    if y.ndim == 2 and y.shape[1] == 1:
        return column_or_1d(y, warn=True)
    return y


def built_layers(network):
    """What a built network's hidden layers are besides their sizes.

    Parameters
    ----------
    network : Network

    Returns
    -------
    activations : tuple of str
        One name per hidden layer.
    dropout : tuple of float
        One rate per hidden layer (0.0 where there is no dropout layer).
    batch_norm : bool
    """
    activations, rates, batch_norm = [], [], False
    for layer in network.layers:
        if isinstance(layer, Dense):
            activations.append(layer.activation.name)
            rates.append(0.0)
        elif isinstance(layer, Dropout):
            rates[-1] = layer.rate
        elif isinstance(layer, BatchNorm):
            batch_norm = True
    return tuple(activations[:-1]), tuple(rates[:-1]), batch_norm


class BaseSGDMLP(CallbackSupportMixin, BaseEstimator):
    """Base class of SGDMLPClassifier and SGDMLPRegressor; not for direct use.

    A fitted estimator holds its training machinery in one ``_state``
    (``_core.training.TrainingState``); ``coefs_`` and ``intercepts_`` are views
    into its network's flat parameter buffer. The subclasses provide the target
    handling: ``_validate_input``, ``_make_loss``, ``_encode_validation_target``,
    ``_validation_target`` (which decodes predictions too), ``_score_function``
    and, for the classifier, ``_combine_sample_weight``.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS)), "array-like"],
        "solver": [StrOptions({"lbfgs", *_STOCHASTIC_SOLVERS})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "cosine"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "batch_norm": ["boolean"],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "rho": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "warmup_fraction": [Interval(Real, 0, 1, closed="left")],
        "max_grad_norm": [None, Interval(Real, 0, None, closed="neither")],
        "init": [StrOptions(set(INITIALIZERS))],
        "early_stopping_metric": [StrOptions({"score", "loss"})],
        "restore_best_weights": ["boolean"],
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "embedding_dim": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    }

    # ------------------------------------------------------------ parameters
    def _store_params(self, params):
        """Keep each constructor argument as the attribute of its name.

        All ``__init__`` does, as scikit-learn requires: no validation, no
        derived value (those happen in ``fit``). ``params`` is the constructor's
        ``locals()``.
        """
        for name, value in params.items():
            if name != "self":
                setattr(self, name, value)

    def _hidden_layer_sizes(self):
        """``hidden_layer_sizes`` as a list of ints, validated."""
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        if np.any(np.array(sizes) <= 0):
            raise ValueError("hidden_layer_sizes must be > 0, got %s." % sizes)
        return [int(s) for s in sizes]

    def _dropout_rates(self, n_hidden):
        """One dropout rate per hidden layer, validated."""
        rates = np.atleast_1d(np.asarray(self.dropout, dtype=float))  # (n_rates,)
        if np.ndim(self.dropout) == 0:
            rates = np.repeat(rates, n_hidden)  # (n_hidden,)
        if rates.ndim != 1 or rates.shape[0] != n_hidden:
            raise ValueError(
                f"dropout must be a float or hold one rate per hidden layer "
                f"({n_hidden}); got {self.dropout!r}."
            )
        if not np.all((rates >= 0) & (rates < 1)):
            raise ValueError(f"dropout rates must be in [0, 1); got {self.dropout!r}.")
        return tuple(float(r) for r in rates)

    def _hidden_activations(self, n_hidden):
        """One activation name per hidden layer, validated.

        A string names the activation of every hidden layer; a sequence holds
        one name per hidden layer.
        """
        activation = self.activation
        if isinstance(activation, str):
            names = (activation,) * n_hidden
        else:
            names = tuple(np.asarray(activation, dtype=object).ravel())
        unknown = [n for n in names if not isinstance(n, str) or n not in ACTIVATIONS]
        problem = None
        if not isinstance(activation, str) and np.ndim(activation) != 1:
            problem = f"not a flat sequence: shape {np.shape(activation)}"
        elif unknown:
            problem = f"{', '.join(map(repr, unknown))} not among them"
        elif len(names) != n_hidden:
            problem = f"{len(names)} name(s) for {n_hidden} hidden layer(s)"
        if problem is not None:
            raise ValueError(
                f"The 'activation' parameter of {type(self).__name__} must be a str "
                f"among {sorted(ACTIVATIONS)} or an array-like of them with one name "
                f"per hidden layer ({n_hidden}). Got {activation!r} instead "
                f"({problem})."
            )
        return tuple(str(n) for n in names)

    def _init_activations(self, n_hidden):
        """The activation each dense layer's initial weights are drawn for.

        A string serves every layer, the output layer included, as in
        scikit-learn (whose glorot bound narrows for 'logistic' everywhere). With
        one name per hidden layer, each hidden layer is initialised for the
        activation it feeds and the output layer for the last hidden layer's
        (the activation of its input), so a list of identical names draws what
        the string draws; with no hidden layer, for 'relu' (the default).
        """
        if isinstance(self.activation, str):
            return (self.activation,) * (n_hidden + 1)
        names = self._hidden_activations(n_hidden)
        return names + (names[-1] if names else "relu",)

    def _check_toolkit_params(self):
        """Reject an invalid list of activations or dropout rates, and
        combinations the solvers cannot honour."""
        n_hidden = len(self._hidden_layer_sizes())
        self._hidden_activations(n_hidden)
        self._dropout_rates(n_hidden)  # before any state changes
        if self.solver == "lbfgs":
            bad = []
            if np.any(np.asarray(self.dropout, dtype=float) > 0):
                bad.append("dropout > 0")
            if self.l1_ratio > 0 and self.alpha > 0:
                bad.append("l1_ratio > 0")
            if bad:
                raise ValueError(
                    f"solver='lbfgs' minimises a smooth full-batch objective and "
                    f"does not support {' or '.join(bad)}; use a stochastic solver "
                    f"({', '.join(_STOCHASTIC_SOLVERS)})."
                )

    def _batch_size(self, n_samples):
        """The minibatch size for ``n_samples`` rows, clipped to ``[1, n_samples]``."""
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than "
                "sample size. It is going to be clipped"
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _check_solver(self):
        """Whether partial_fit is available: raise AttributeError unless stochastic."""
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic"
                " optimizers. %s is not stochastic." % self.solver
            )
        return True

    # ------------------------------------------------------------- training
    def _validate_train_data(self, X, y, reset, y_numeric=False):
        """``validate_data`` on the training data; a one-column ``y`` becomes 1-D.

        A later call (``reset=False``) with a plain float matrix and a plain 1-D
        target skips the generic conversion (see ``plain_float_matrix`` and the
        subclasses' ``_plain_target``).
        """
        if not reset and self._plain_X(X) and self._plain_target(y, X.shape[0]):
            return X, y
        if categorical.uses_categorical(self):
            X_codes = categorical.encode_training_X(self, X, reset)
            if X_codes is not None:  # the feature checks are done: X and y alone
                X, y = check_X_y(X_codes, y, multi_output=True, y_numeric=y_numeric,
                                 dtype=X_codes.dtype, estimator=self)
                return X, column_to_1d(y)
        X, y = validate_data(
            self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
            y_numeric=y_numeric, dtype=(np.float64, np.float32), reset=reset,
        )
        return X, column_to_1d(y)

    def _combine_sample_weight(self, Y, sample_weight, dtype):
        """Sample weights the loss uses (the classifier folds in class_weight)."""
        return sample_weight

    def _make_loss(self):
        """The core loss for this estimator and target (set in ``_validate_input``)."""
        raise NotImplementedError

    def _initialize(self, Y, layer_units, dtype, rng, coefs=None, intercepts=None):
        """Build the network and the training state for a first fit.

        With ``coefs`` and ``intercepts`` (weights a user assigned to a model
        never fitted, which scikit-learn trains on from), the network starts
        from them and nothing is drawn from ``rng``.
        """
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        loss = self._make_loss()
        self.out_activation_ = loss.link
        n_hidden = len(layer_units) - 2
        network = build_mlp(
            layer_units, self._hidden_activations(n_hidden), dtype,
            dropout=self._dropout_rates(n_hidden), batch_norm=bool(self.batch_norm),
            embedding=categorical.make_embedding(self),
        )
        if coefs is None:
            init = INITIALIZERS[self.init]
            coefs, intercepts = [], []
            for n_in, n_out, act in zip(layer_units[:-1], layer_units[1:],
                                        self._init_activations(n_hidden)):
                W, b = init(n_in, n_out, rng, dtype, act)
                coefs.append(W)
                intercepts.append(b)
        network.set_coefs(coefs, intercepts)
        if network.embedding is not None:  # drawn after the dense weights
            network.embedding.init_tables(rng)
        self._state = TrainingState(network, loss)
        if self.solver in _STOCHASTIC_SOLVERS:
            self._state.log = TrainingLog(self.early_stopping)
            self._state.tracker = new_tracker(self, network)
        self.n_params_ = network.n_params
        self._publish_params()

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
            layer_units = [categorical.input_width(self, X.shape[1])] + hidden + [Y.shape[1]]
            if not first_pass:
                self._check_architecture(layer_units, X.dtype)
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(state_before)
            raise

        # Every fit and partial_fit call draws from a generator made afresh from
        # random_state, as scikit-learn does (with an int random_state, each
        # partial_fit call shuffles a batch of the same size alike).
        rng = self._fresh_rng()
        if first_pass:
            self._initialize(Y, layer_units, X.dtype, rng)
        elif not hasattr(self, "_state"):
            self._initialize(Y, layer_units, X.dtype, rng, self.coefs_, self.intercepts_)
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
                    X, Y, sample_weight, rng, incremental, validation_set, callbacks
                )
            else:
                self._fit_lbfgs(X, Y, sample_weight)
        finally:
            if callbacks is not None:
                callbacks.end()
        return self

    def _fresh_rng(self):
        """``check_random_state(self.random_state)``, reseeding one kept generator.

        For an int seed, ``RandomState.seed`` gives the stream a new
        ``RandomState(seed)`` gives, for a hundredth of the cost of building one
        (which gathers fresh entropy first): that cost was a fifth of a small
        ``partial_fit`` call.
        """
        seed = self.random_state
        if not isinstance(seed, Integral):
            return check_random_state(seed)
        rng = self.__dict__.get("_scratch_rng")
        if rng is None:
            rng = self._scratch_rng = np.random.RandomState(seed)
        else:
            rng.seed(seed)
        return rng

    def _own_read_only_state(self):
        """Give a model loaded read-only (``joblib.load(..., mmap_mode='r')``)
        in-memory copies of the arrays training writes to, so that warm-started
        fits and partial_fit resume instead of failing (or, in a BLAS update
        that ignores numpy's read-only flag, writing to a read-only mapping)."""
        network = self._state.network
        if not network.params.flags.writeable:
            network.params = network.params.copy()  # (n_params,)
            network._bind()
            self._publish_params()
        for holder in [*network.layers, self._state.optimizer, self._state.tracker]:
            if holder is None:
                continue
            for name, value in vars(holder).items():
                if isinstance(value, np.ndarray) and not value.flags.writeable:
                    setattr(holder, name, value.copy())

    def _check_architecture(self, layer_units, dtype):
        """Refuse, under warm_start or partial_fit, a network other than the one built."""
        if hasattr(self, "_state"):
            categorical.check_embedding_unchanged(self, self._state.network)
        own = [self.coefs_[0].shape[0]] + [c.shape[1] for c in self.coefs_]
        if own != list(layer_units):
            raise ValueError(
                f"The network was built with layer sizes {own}; this call needs "
                f"{list(layer_units)}. hidden_layer_sizes and the number of outputs "
                "cannot change under warm_start or partial_fit: refit from scratch."
            )
        if not hasattr(self, "_state"):
            return  # coefs_ assigned by hand: the network is built from them
        network = self._state.network
        if np.dtype(dtype) != network.dtype:
            raise ValueError(
                f"The model was fitted on {network.dtype} data and cannot "
                f"continue training on {np.dtype(dtype)} data; cast X to "
                f"{network.dtype}."
            )
        activations, rates, batch_norm = built_layers(network)
        n_hidden = len(layer_units) - 2
        asked = self._dropout_rates(n_hidden), bool(self.batch_norm)
        if asked != (rates, batch_norm):
            raise ValueError(
                f"The network was built with dropout={list(rates)}"
                f" and batch_norm={batch_norm}; this call asks for "
                f"dropout={list(asked[0])} and batch_norm={asked[1]}. They cannot "
                "change under warm_start or partial_fit: refit from scratch."
            )
        asked = self._hidden_activations(n_hidden)
        if asked != activations:
            raise ValueError(
                f"The network was built with activation={list(activations)}; this "
                f"call asks for activation={list(asked)}. The activations cannot "
                "change under warm_start or partial_fit: refit from scratch."
            )

    def _fit_stochastic(self, X, Y, sample_weight, rng, incremental, validation_set,
                        callbacks):
        state = self._state
        network = state.network
        if not incremental or state.optimizer is None:
            state.optimizer = optimizer_for(self, network.n_coef)
            state.schedule = schedule_for(self)

        monitor, mode, keep_best = tracker_setup(self)
        has_validation = self.early_stopping or validation_set is not None
        if state.log is None:
            state.log = TrainingLog(has_validation)
        tracker = state.tracker
        if tracker is None or tracker.mode != mode or tracker.keep_best != keep_best:
            state.tracker = new_tracker(self, network)
        log = state.log
        if (log.validation_scores is None) == has_validation:
            log.validation_scores = [] if has_validation else None
            log.validation_loss_curve = [] if has_validation else None

        hooks = Hooks()
        if callbacks is not None:
            hooks.on_epoch_begin, hooks.on_epoch_end = callbacks.epoch_begin, callbacks.epoch_end
        if has_validation:
            if validation_set is None:
                X, Y, sample_weight, validation_set = self._split_validation(
                    X, Y, sample_weight, rng
                )
            hooks.validation_score, hooks.validation_loss = self._validation_callables(
                *validation_set
            )
        if any(built_layers(network)[1]):
            # Dropout masks come from their own Generator, seeded once per call
            # from the estimator's RandomState (so that the stream shuffling and
            # initialisation draw from is scikit-learn's when dropout is off)
            # and from the samples seen so far (so that successive partial_fit
            # calls, each re-seeded, do not repeat the same masks).
            seed = rng.randint(2**32 - 1)
            network.set_dropout_rng(np.random.default_rng([seed, self.t_]))

        config = StochasticConfig(
            penalty=penalty_for(self, network.coef_sizes),
            batch_size=self._batch_size(X.shape[0]),
            max_iter=self.max_iter,
            shuffle=self.shuffle,
            incremental=incremental,
            monitor=monitor,
            max_grad_norm=self.max_grad_norm,
            verbose=bool(self.verbose),
            record_divergence=self.early_stopping,
        )
        threads, blas = _blas_threads_for(network, config.batch_size)
        config.penalty.kernels = state.optimizer.kernels = make_kernels(blas)
        with threads:
            status = fit_stochastic(state, X, Y, sample_weight, config, rng, hooks)
        if status == "max_iter" and not incremental:
            warnings.warn(
                "Stochastic Optimizer: Maximum iterations (%d) "
                "reached and the optimization hasn't converged yet." % self.max_iter,
                ConvergenceWarning,
            )
        if status in ("interrupted", "diverged"):
            # Its moments may hold a half-applied or non-finite step: the next
            # partial_fit starts a fresh optimizer from the restored weights.
            state.optimizer = None
        if keep_best and state.tracker.best_params is not None:
            network.restore(state.tracker.best_params)
            if self.early_stopping:
                # In scikit-learn the restored coefs_ *are* its best-weight
                # arrays: a warm-started refit trains them in place, and ends on
                # its last epoch's weights unless its validation score beats
                # the best so far. Dropping the copy does the same: until an
                # epoch improves, the best weights are the current ones.
                state.tracker.best_params = None
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

    def _publish_log(self):
        """Publish the training log and the tracker's best as fitted attributes."""
        log, tracker = self._state.log, self._state.tracker
        self.n_iter_ = log.n_iter
        self.t_ = log.t
        self.loss_ = log.loss
        self.loss_curve_ = log.loss_curve
        self.validation_scores_ = log.validation_scores
        self.validation_loss_curve_ = log.validation_loss_curve
        self.best_validation_score_ = None
        self.best_loss_ = None
        if not self.early_stopping:
            self.best_loss_ = tracker.best
        elif self.early_stopping_metric == "score":
            self.best_validation_score_ = tracker.best
        elif log.validation_loss_curve:
            # the score of the epoch whose weights were restored
            best_epoch = int(np.argmin(log.validation_loss_curve))
            self.best_validation_score_ = log.validation_scores[best_epoch]

    def _fit_lbfgs(self, X, Y, sample_weight):
        network = self._state.network
        # The one thread rule, for full-batch steps; the penalty keeps numpy's
        # kernels, whose rounding is scikit-learn's (L-BFGS amplifies the rest).
        threads, _ = _blas_threads_for(network, X.shape[0])
        with threads:
            result, reported = fit_lbfgs(
                network,
                self._state.loss,
                penalty_for(self, network.coef_sizes),
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

    # -------------------------------------------------------- validation set
    def _validate_validation_set(self, X_val, y_val, sample_weight_val, dtype):
        """Check an explicit validation set like the training data."""
        if X_val is None or y_val is None:
            raise ValueError(
                "X_val and y_val must be given together (sample_weight_val needs "
                "both)."
            )
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise ValueError(
                "A validation set (X_val, y_val) is only used by the stochastic "
                f"solvers; solver={self.solver!r}."
            )
        X_val = self._validate_X(X_val, dtype)
        Y_val = self._encode_validation_target(y_val)  # (n_val, n_outputs)
        if Y_val.shape[0] != X_val.shape[0]:
            raise ValueError(
                f"X_val and y_val have different numbers of samples: "
                f"{X_val.shape[0]} and {Y_val.shape[0]}."
            )
        Y_val = Y_val.astype(dtype, copy=False)
        if sample_weight_val is not None:
            sample_weight_val = _check_sample_weight(sample_weight_val, X_val, dtype=dtype)
        sample_weight_val = self._combine_sample_weight(Y_val, sample_weight_val, dtype)
        return X_val, Y_val, sample_weight_val

    def _validation_callables(self, X_val, Y_val, sw_val):
        """``(score(), loss())`` on the validation set, both weight-aware."""
        y_val = self._validation_target(Y_val)
        network, loss = self._state.network, self._state.loss

        def validation_score():
            return self._score_raw(X_val, y_val, sw_val)

        def validation_loss():
            Z = network.forward(X_val, training=False)  # (n_val, n_outputs)
            value, _ = loss(Z, Y_val, sw_val)
            return value

        return validation_score, validation_loss

    def _split_validation(self, X, Y, sample_weight, rng):
        """Hold out ``validation_fraction`` of the data, as scikit-learn does."""
        stratify = Y if (is_classifier(self) and Y.shape[1] == 1) else None
        arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
        parts = train_test_split(
            *arrays,
            random_state=rng,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        X_train, X_val, Y_train, Y_val = parts[:4]
        sw_train = sw_val = None
        if sample_weight is not None:
            sw_train, sw_val = parts[4:]
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        return X_train, Y_train, sw_train, (X_val, Y_val, sw_val)

    def _plain_X(self, X):
        """Whether ``X`` may skip ``validate_data`` on a fitted model (no feature
        names, no categorical columns)."""
        return not hasattr(self, "feature_names_in_") and plain_float_matrix(
            X, getattr(self, "n_features_in_", None)) and "is_categorical_" not in self.__dict__

    def _validate_X(self, X, dtype=None):
        """``validate_data`` on a later X (reset=False); categorical columns encoded.

        ``dtype`` is the training data's (a validation set); None keeps X's float
        dtype, or, with categorical columns, takes the network's.
        """
        if "is_categorical_" in self.__dict__:
            dtype = self._state.network.dtype if dtype is None else dtype
            return categorical.encode_X(self, X, dtype)
        dtype = (np.float64, np.float32) if dtype is None else dtype
        return validate_data(self, X, accept_sparse=["csr", "csc"], dtype=dtype, reset=False)

    def _plain_target(self, y, n_samples):
        """Whether ``y`` is a 1-D ndarray ``validate_data`` would return unchanged."""
        return False

    # ------------------------------------------------------------ predicting
    def _forward(self, X, check_input=True):
        """Network output after the link (probabilities or predictions)."""
        if "_state" not in self.__dict__:
            check_is_fitted(self)
        if check_input and not self._plain_X(X):
            X = self._validate_X(X)
        self._sync_params()
        state = self._state  # row chunks, each through the link
        return state.network.predict(X, link=state.loss.inverse_link)  # (n_samples, n_outputs)

    def _predict(self, X, check_input=True):
        """Predictions in the target's form: the network output, decoded."""
        Y_pred = self._forward(X, check_input=check_input)  # (n_samples, n_outputs)
        return self._validation_target(Y_pred)  # (n_samples,) or (n_samples, n_outputs)

    def _score_raw(self, X, y, sample_weight):
        """Score without input validation; NaN when predictions are not finite."""
        y_pred = self._predict(X, check_input=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return self._score_function(y, y_pred, sample_weight=sample_weight)

    # ------------------------------------------------------------ inspecting
    def summary(self):
        """A printable table of the fitted network, one row per layer.

        Each row gives the layer's class, output shape, activation, parameter
        count (``n_out * (n_in + 1)`` for a dense layer) and, for other layers
        such as dropout or batch normalisation, their settings; the last line
        gives the total, equal to ``n_params_``.

        Returns
        -------
        table : str
            Print it: ``print(est.summary())``.
        """
        check_is_fitted(self)
        title = (
            f"{type(self).__name__}: {self.n_layers_ - 2} hidden layer(s), "
            f"solver={self.solver!r}, alpha={self.alpha:g}"
        )
        return format_summary(
            self._state.network, self.n_features_in_, self.out_activation_, title
        )

    def to_sklearn(self):
        """An equivalent fitted scikit-learn MLP.

        The result is a :class:`~sklearn.neural_network.MLPClassifier` or
        :class:`~sklearn.neural_network.MLPRegressor` with the parameters
        scikit-learn knows and weights that give the same predictions. Layers
        that act at predict time as a per-unit affine map (dropout, batch
        normalisation with its running statistics) are folded into the next
        dense layer's weights.

        Returns
        -------
        mlp : MLPClassifier or MLPRegressor
            A fitted estimator; its arrays are copies.

        Raises
        ------
        ValueError
            If the model uses an activation, loss or layer scikit-learn's MLP
            cannot express, or mixes activations (scikit-learn's MLP has one
            for all hidden layers).

        Examples
        --------
        ONNX export needs no detour through scikit-learn: skl2onnx
        (``pip install "skmlp[onnx]"``) converts the model itself, whatever its
        activations and loss::

            from skl2onnx import to_onnx
            onx = to_onnx(est, X[:1].astype("float32"))
        """
        check_is_fitted(self)
        self._sync_params()
        from ._ext.export import to_sklearn

        return to_sklearn(self)

    # -------------------------------------------- pickling and coefs_ views
    def __getstate__(self):
        # coefs_ / intercepts_ are views into the network's flat buffer: pickle the
        # buffer once and bind fresh views on loading.
        if hasattr(self, "_state"):
            self._sync_params()
        state = dict(super().__getstate__())
        state.pop("_scratch_rng", None)
        if "_state" in state:
            state.pop("coefs_", None)
            state.pop("intercepts_", None)
            state.pop("embeddings_", None)
        state[_STATE_VERSION_KEY] = _STATE_VERSION
        # Helper objects become plain data, so that skops trusts the estimator alone.
        return to_plain(state)

    def __setstate__(self, state):
        state = dict(state)
        version = state.pop(_STATE_VERSION_KEY, 1)
        if version not in _READABLE_STATE_VERSIONS:
            raise ValueError(
                f"Cannot load this {type(self).__name__}: it was pickled with skmlp "
                f"state format {version!r}, and this version of skmlp reads format(s) "
                f"{list(_READABLE_STATE_VERSIONS)}. Load it with the skmlp version "
                "that saved it, or refit the model."
            )
        state = from_plain(state)
        if version == 1 and "_network" in state:
            # one attribute per piece of training state, and two now derived
            state["_state"] = TrainingState(
                state.pop("_network"), state.pop("_loss"),
                optimizer=state.pop("_optimizer", None),
                schedule=state.pop("_schedule", None),
                tracker=state.pop("_tracker", None), log=state.pop("_log", None),
            )
            state.pop("_layer_config", None)
            state.pop("_rng", None)
        # parameters added since the pickle was made take their defaults
        for name, param in inspect.signature(type(self).__init__).parameters.items():
            if name != "self":
                state.setdefault(name, param.default)
        super().__setstate__(state)
        if "_state" in self.__dict__:
            self._publish_params()

    def _publish_params(self):
        """Expose the network's weight and bias views as coefs_ and intercepts_."""
        self.coefs_ = self._state.network.coefs
        self.intercepts_ = self._state.network.intercepts
        if self._state.network.embedding is not None:
            self.embeddings_ = self._state.network.embedding.tables

    def _params_published(self):
        """Whether coefs_/intercepts_ are still the network's own views."""
        net = self._state.network
        coefs = getattr(self, "coefs_", None)
        intercepts = getattr(self, "intercepts_", None)
        return (coefs is not None and intercepts is not None
                and len(coefs) == len(net.coefs) and len(intercepts) == len(net.intercepts)
                and all(map(operator.is_, coefs, net.coefs))
                and all(map(operator.is_, intercepts, net.intercepts)))

    def _sync_params(self):
        """Copy coefs_/intercepts_ into the network if the user replaced them.

        Predictions call this, possibly from many threads at once: the common
        case only reads, and the copy runs under a lock that every caller passes
        before it reads the network, so no thread computes with half-copied
        weights.
        """
        if self._params_published():
            return
        with _SYNC_LOCK:
            if self._params_published():
                return
            coefs = getattr(self, "coefs_", None)
            intercepts = getattr(self, "intercepts_", None)
            if coefs is not None and intercepts is not None:
                self._state.network.set_coefs(coefs, intercepts)
            self._publish_params()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # HistGradientBoosting's rule: categorical columns need dense X
        tags.input_tags.sparse = self.categorical_features is None or (
            isinstance(self.categorical_features, str)
            and self.categorical_features == "from_dtype")
        return tags
