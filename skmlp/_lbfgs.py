"""The L-BFGS fit of the estimators: the glue around ``_training.fit_lbfgs``.

``LbfgsFitMixin`` runs the full-batch L-BFGS solver on the estimator's network,
records ``loss_`` and ``n_iter_``, and turns an interrupted run into a warning and
a non-finite result into an error (the solver has already rolled the weights back).
"""

import warnings

import numpy as np

from ._params import _DIVERGENCE_ADVICE
from ._sklearn_compat import _check_optimize_result
from ._training import fit_lbfgs


class LbfgsFitMixin:
    """``_fit_lbfgs`` of BaseSGDMLP; not for direct use.

    The host class provides ``max_iter``, ``max_fun``, ``tol``, ``verbose``, the
    built ``_network`` and ``_loss``, and ``_make_penalty``.
    """

    def _fit_lbfgs(self, X, Y, sample_weight):
        """Fit with L-BFGS on the full batch; publish ``n_iter_`` and ``loss_``."""
        result, reported = fit_lbfgs(
            self._network,
            self._loss,
            self._make_penalty(),
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
        if not (np.isfinite(reported) and np.isfinite(self._network.params).all()):
            raise ValueError(
                "Solver produced non-finite parameter weights or loss. The input "
                "data may contain large values and need to be preprocessed. The "
                "weights were rolled back to the last finite L-BFGS iterate. "
                + _DIVERGENCE_ADVICE
            )
