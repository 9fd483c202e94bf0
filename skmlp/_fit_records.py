"""The plateau tracker and the training log of a stochastic fit, estimator side.

``FitRecordsMixin`` decides what the tracker watches (the training loss, the
validation score or the validation loss) and whether it keeps the best weights,
builds a fresh tracker, and publishes what the training loop recorded under
scikit-learn's MLP attribute names (``n_iter_``, ``loss_curve_``,
``validation_scores_``, ``best_loss_``, ...).
"""

import numpy as np

from ._core.early_stopping import PlateauTracker


class FitRecordsMixin:
    """Tracker set-up and log publishing of BaseSGDMLP; not for direct use.

    The host class provides ``early_stopping``, ``early_stopping_metric``,
    ``restore_best_weights``, ``tol`` and ``n_iter_no_change``, the built
    ``_network``, and, after a stochastic fit, ``_log`` (a
    ``_training.TrainingLog``) and ``_tracker``.
    """

    def _tracker_setup(self):
        """``(monitor, mode, keep_best)`` of the plateau tracker for this fit."""
        if self.early_stopping:
            if self.early_stopping_metric == "loss":
                return "validation_loss", "loss", True
            return "score", "score", True
        return "loss", "loss", bool(self.restore_best_weights)

    def _new_tracker(self):
        """A fresh plateau tracker; with ``keep_best`` it holds the current weights."""
        _, mode, keep_best = self._tracker_setup()
        tracker = PlateauTracker(self.tol, self.n_iter_no_change, mode, keep_best)
        if keep_best:
            tracker.remember(self._network.snapshot())
        return tracker

    def _publish_log(self):
        """Publish the training log and the tracker's best as fitted attributes."""
        log, tracker = self._log, self._tracker
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
