"""Plateau and early-stopping tracker, fed one number per epoch.

It reproduces scikit-learn's MLP rule: an epoch counts as "no improvement" when the
monitored validation score fails to exceed the best by ``tol`` (or the training
loss fails to drop below the best by ``tol``); training reacts once more than
``n_iter_no_change`` such epochs run in a row. When it monitors a score it keeps a
copy of the best epoch's network snapshot (parameters and batch-norm running
statistics, ``Network.snapshot``), to be restored at the end.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np


class PlateauTracker:
    """Count epochs without improvement and keep the best parameters.

    Parameters
    ----------
    tol : float
        Minimum improvement that counts.
    n_iter_no_change : int or float
        Patience: react when the count exceeds it.
    mode : {"score", "loss"}
        "score" (higher is better) or "loss" (lower is better).
    keep_best : bool or None, default=None
        Keep a copy of the best parameters; None means only in "score" mode
        (scikit-learn's rule).
    """

    def __init__(self, tol, n_iter_no_change, mode, keep_best=None):
        self.tol = float(tol)
        self.n_iter_no_change = n_iter_no_change
        self.mode = mode
        self.keep_best = (mode == "score") if keep_best is None else bool(keep_best)
        self.no_improvement_count = 0
        self.best = -np.inf if mode == "score" else np.inf
        self.best_params = None

    def remember(self, params):
        """Take ``params`` as the best so far (at the start of training).

        Parameters
        ----------
        params : ndarray of shape (n_snapshot,)
            The network's snapshot.
        """
        if self.best_params is None or self.best_params.shape != params.shape:
            self.best_params = np.empty_like(params)  # (n_snapshot,)
        np.copyto(self.best_params, params)

    def update(self, value, params):
        """Record one epoch's monitored value.

        Parameters
        ----------
        value : float
            Validation score ("score" mode) or training loss ("loss" mode).
        params : ndarray of shape (n_snapshot,)
            The snapshot of the network that achieved it; copied if it is the
            best.

        Returns
        -------
        plateau : bool
            True when more than ``n_iter_no_change`` epochs in a row failed to
            improve by ``tol``.
        """
        if self.mode == "score":
            stalled, improved = value < self.best + self.tol, value > self.best
        else:
            stalled, improved = value > self.best - self.tol, value < self.best
        self.no_improvement_count = self.no_improvement_count + 1 if stalled else 0
        if improved:
            self.best = value
            if self.keep_best:
                self.remember(params)
        return self.no_improvement_count > self.n_iter_no_change

    def reset_count(self):
        """Start counting afresh (after the learning rate was lowered)."""
        self.no_improvement_count = 0
