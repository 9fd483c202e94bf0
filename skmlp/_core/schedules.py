"""Learning-rate schedules, each a small object with ``learning_rate``.

A schedule is told when an epoch ends (``epoch_end(t)``, with ``t`` the number of
samples seen so far) and when training has stopped improving (``on_plateau()``,
which says whether to stop). The optimizer reads ``learning_rate`` at every step.

Every schedule works for every stochastic optimizer: the optimizer multiplies its
own step by the rate it reads. ``Warmup`` wraps any schedule with a linear ramp.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import math


class Constant:
    """A fixed learning rate; a plateau stops training.

    Parameters
    ----------
    learning_rate_init : float
    """

    def __init__(self, learning_rate_init):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)

    def epoch_end(self, t):
        """Update after an epoch; ``t`` is the number of samples seen so far."""

    def on_plateau(self):
        """React to a plateau.

        Returns
        -------
        stop : bool
            Whether training should stop.
        message : str
            What happened, for verbose output.
        """
        return True, " Stopping."


class InvScaling(Constant):
    """``learning_rate_init / (t + 1) ** power_t`` after each epoch, as sklearn does.

    Parameters
    ----------
    learning_rate_init : float
    power_t : float
    """

    def __init__(self, learning_rate_init, power_t):
        super().__init__(learning_rate_init)
        self.power_t = float(power_t)

    def epoch_end(self, t):
        self.learning_rate = self.learning_rate_init / (t + 1) ** self.power_t


class Adaptive(Constant):
    """Divide the learning rate by 5 on each plateau; stop once it is <= 1e-6."""

    def on_plateau(self):
        if self.learning_rate <= 1e-6:
            return True, " Learning rate too small. Stopping."
        self.learning_rate /= 5.0
        return False, " Setting learning rate to %f" % self.learning_rate


class Cosine(Constant):
    """Cosine annealing from ``learning_rate_init`` to 0 over ``n_epochs`` epochs.

    After epoch ``e`` (counted from 1) the rate is ``0.5 * learning_rate_init *
    (1 + cos(pi * (e mod n_epochs) / n_epochs))``: it restarts at
    ``learning_rate_init`` every ``n_epochs`` epochs (partial_fit beyond
    ``max_iter`` keeps learning instead of freezing at 0).

    Parameters
    ----------
    learning_rate_init : float
    n_epochs : int
        Length of one annealing cycle (the estimator's ``max_iter``).
    """

    def __init__(self, learning_rate_init, n_epochs):
        super().__init__(learning_rate_init)
        self.n_epochs = int(n_epochs)
        self.epoch = 0

    def epoch_end(self, t):
        self.epoch += 1
        phase = (self.epoch % self.n_epochs) / self.n_epochs
        self.learning_rate = 0.5 * self.learning_rate_init * (1 + math.cos(math.pi * phase))


class Warmup:
    """Linear warm-up in front of another schedule.

    During the first ``n_warmup`` epochs the rate is ``(e + 1) / (n_warmup + 1)``
    times the wrapped schedule's (``e`` the epochs completed), then the wrapped
    schedule's own. Plateaus are handled by the wrapped schedule.

    Parameters
    ----------
    schedule : Constant
        The wrapped schedule.
    n_warmup : int
        Number of warm-up epochs, >= 1.
    """

    def __init__(self, schedule, n_warmup):
        self.schedule = schedule
        self.n_warmup = int(n_warmup)
        self.epoch = 0

    @property
    def learning_rate(self):
        """The current learning rate."""
        factor = min(1.0, (self.epoch + 1) / (self.n_warmup + 1))
        return self.schedule.learning_rate * factor

    def epoch_end(self, t):
        """Update after an epoch; ``t`` is the number of samples seen so far."""
        self.epoch += 1
        self.schedule.epoch_end(t)

    def on_plateau(self):
        """React to a plateau as the wrapped schedule does."""
        return self.schedule.on_plateau()


def make_schedule(name, learning_rate_init, power_t=0.5, *, max_iter=200,
                  warmup_fraction=0.0):
    """Build the schedule called ``name``.

    Parameters
    ----------
    name : {"constant", "invscaling", "adaptive", "cosine"}
    learning_rate_init : float
    power_t : float, default=0.5
    max_iter : int, default=200
        Epochs of a fit: the cosine cycle, and the base of the warm-up length.
    warmup_fraction : float, default=0.0
        Share of ``max_iter`` spent in a linear warm-up (rounded up to whole
        epochs); 0 means none.

    Returns
    -------
    schedule : Constant or Warmup
    """
    if name == "constant":
        schedule = Constant(learning_rate_init)
    elif name == "invscaling":
        schedule = InvScaling(learning_rate_init, power_t)
    elif name == "adaptive":
        schedule = Adaptive(learning_rate_init)
    elif name == "cosine":
        schedule = Cosine(learning_rate_init, max_iter)
    else:
        raise ValueError(f"Unknown learning_rate schedule {name!r}.")
    if warmup_fraction > 0:
        schedule = Warmup(schedule, math.ceil(warmup_fraction * max_iter))
    return schedule
