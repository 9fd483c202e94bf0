"""Learning-rate schedules, each a small object with ``learning_rate``.

A schedule is told when an epoch ends (``epoch_end(t)``, with ``t`` the number of
samples seen so far) and when training has stopped improving (``on_plateau()``,
which says whether to stop). The optimizer reads ``learning_rate`` at every step.

This module is part of the NumPy core: it imports no scikit-learn.
"""


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


def make_schedule(name, learning_rate_init, power_t=0.5):
    """Build the schedule called ``name``.

    Parameters
    ----------
    name : {"constant", "invscaling", "adaptive"}
    learning_rate_init : float
    power_t : float, default=0.5

    Returns
    -------
    schedule : Constant
    """
    if name == "constant":
        return Constant(learning_rate_init)
    if name == "invscaling":
        return InvScaling(learning_rate_init, power_t)
    if name == "adaptive":
        return Adaptive(learning_rate_init)
    raise ValueError(f"Unknown learning_rate schedule {name!r}.")
