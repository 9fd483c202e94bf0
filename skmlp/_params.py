"""The estimators' hyper-parameters: what values they accept and what they mean.

``ParamsMixin`` holds the ``_parameter_constraints`` the two estimators share and
the methods that turn parameters into what the fit needs: the hidden layer sizes,
the hidden activations, the dropout rates, the minibatch size, the penalty,
and the checks of combinations a solver cannot honour.
"""

import warnings
from numbers import Integral, Real

import numpy as np

from ._core.activations import ACTIVATIONS
from ._core.initializers import INITIALIZERS
from ._core.penalties import ElasticNetPenalty, L2Penalty
from ._sklearn_compat import Interval, Options, StrOptions

_STOCHASTIC_SOLVERS = ("sgd", "adam", "adamw", "adagrad", "rmsprop")


class ParamsMixin:
    """Parameter constraints and parameter-derived settings of BaseSGDMLP.

    Not for direct use: the host class is a scikit-learn estimator whose
    ``__init__`` stores the parameters named in ``_parameter_constraints``, and
    the methods here read nothing but those parameters and their arguments.
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
    }

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

    def _check_same_activations(self, network):
        """Refuse, under warm_start or partial_fit, activations other than the
        network's (a string and the list repeating it are the same)."""
        built = tuple(layer.activation.name for layer in network.dense_layers[:-1])
        asked = self._hidden_activations(len(built))
        if asked != built:
            raise ValueError(
                f"The network was built with activation={list(built)}; this call "
                f"asks for activation={list(asked)}. The activations cannot change "
                "under warm_start or partial_fit: refit from scratch."
            )

    def _network_config(self, n_hidden):
        """What the layer stack depends on besides the layer sizes."""
        return self._dropout_rates(n_hidden), bool(self.batch_norm)

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

    def _make_penalty(self, coef_sizes=None):
        """The core penalty: L2, or elastic net when ``l1_ratio > 0``."""
        if self.l1_ratio > 0:
            return ElasticNetPenalty(self.alpha, self.l1_ratio, coef_sizes)
        return L2Penalty(self.alpha, coef_sizes)

    def _check_solver(self):
        """Whether partial_fit is available: raise AttributeError unless stochastic."""
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic"
                " optimizers. %s is not stochastic." % self.solver
            )
        return True
