"""The estimators' hyper-parameters: what values they accept and what they mean.

``ParamsMixin`` holds the ``_parameter_constraints`` the two estimators share and
the methods that turn parameters into what the fit needs: the hidden layer sizes,
the dropout rates, the minibatch size, the penalty, and the checks of
combinations a solver cannot honour.
"""

import warnings
from numbers import Integral, Real

import numpy as np

from ._initializers import INITIALIZERS
from ._penalties import ElasticNetPenalty, L2Penalty
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
        "activation": [
            StrOptions({"identity", "logistic", "tanh", "relu", "leaky_relu", "elu",
                        "gelu", "softplus"})
        ],
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

    def _network_config(self, n_hidden):
        """What the layer stack depends on besides the layer sizes."""
        return self._dropout_rates(n_hidden), bool(self.batch_norm)

    def _check_toolkit_params(self):
        """Reject combinations the solvers cannot honour."""
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
