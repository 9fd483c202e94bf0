"""TrainingCurveDisplay: learning curves per epoch, in scikit-learn's Display style.

matplotlib (extra ``plot``) is imported only when something is drawn.
"""

import numpy as np


class TrainingCurveDisplay:
    """Training loss, validation loss and validation score per epoch.

    Build it with :meth:`from_estimator` from a fitted estimator, or directly from
    the curves; :meth:`plot` draws the losses on the left axis and the validation
    score on a second axis sharing the epochs.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Mean training loss of each epoch.
    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score of each epoch.
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Validation loss of each epoch.
    estimator_name : str, default=None
        Used in the title.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The drawn lines, keyed "loss", "validation_loss", "validation_score".
    ax_ : matplotlib Axes
        The axes of the losses.
    score_ax_ : matplotlib Axes or None
        The twin axes of the validation score, when there is one.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_classification
    >>> from skmlp import SGDMLPClassifier, TrainingCurveDisplay
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = SGDMLPClassifier((16,), early_stopping=True, random_state=0).fit(X, y)
    >>> disp = TrainingCurveDisplay.from_estimator(clf)
    >>> sorted(disp.lines_)
    ['loss', 'validation_loss', 'validation_score']
    """

    def __init__(self, *, loss_curve, validation_scores=None,
                 validation_loss_curve=None, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.validation_loss_curve = validation_loss_curve
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None):
        """Plot the curves recorded by a fitted stochastic-solver estimator.

        Parameters
        ----------
        estimator : SGDMLPClassifier or SGDMLPRegressor
            Fitted with ``solver='sgd'`` or ``'adam'`` (which record
            ``loss_curve_``); also any estimator with a ``loss_curve_``, such as
            scikit-learn's MLPs. A Pipeline is searched for its last step.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        name : str, default=None
            Title; the estimator's class name when None.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        final = estimator[-1] if hasattr(estimator, "steps") else estimator
        curve = getattr(final, "loss_curve_", None)
        if curve is None:
            raise ValueError(
                f"{type(final).__name__} has no loss_curve_: it is not fitted, or "
                "was fitted with solver='lbfgs', which records no per-epoch loss."
            )
        display = cls(
            loss_curve=curve,
            validation_scores=getattr(final, "validation_scores_", None),
            validation_loss_curve=getattr(final, "validation_loss_curve_", None),
            estimator_name=name or type(final).__name__,
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : TrainingCurveDisplay
            ``self``, with ``lines_``, ``ax_``, ``score_ax_`` and ``figure_`` set.
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError(
                "TrainingCurveDisplay needs matplotlib: pip install 'skmlp[plot]'"
            ) from exc
        if ax is None:
            _, ax = plt.subplots()
        self.lines_ = {"loss": _plot_per_epoch(ax, self.loss_curve, color="C0",
                                               label="training loss")}
        if self.validation_loss_curve is not None:
            self.lines_["validation_loss"] = _plot_per_epoch(
                ax, self.validation_loss_curve, color="C1", linestyle="--",
                label="validation loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        self.score_ax_ = None
        if self.validation_scores is not None:
            self.score_ax_ = ax.twinx()
            self.lines_["validation_score"] = _plot_per_epoch(
                self.score_ax_, self.validation_scores, color="C2",
                label="validation score")
            self.score_ax_.set_ylabel("validation score")
        ax.legend(handles=list(self.lines_.values()), loc="center right")
        if self.estimator_name:
            ax.set_title(f"{self.estimator_name}: training curves")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


def _plot_per_epoch(ax, curve, **style):
    """Plot one value per epoch against the epochs 1, 2, ...; return the line."""
    curve = np.asarray(curve, dtype=float)  # (n_epochs,)
    (line,) = ax.plot(np.arange(1, len(curve) + 1), curve, **style)
    return line
