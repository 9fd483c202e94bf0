"""Stochastic optimizers: one in-place step over the flat buffers.

Each optimizer keeps its state (velocities, moments) as flat arrays aligned with the
network's parameter buffer and writes its update rule once, with its equation
beside it, on the kernels of ``kernels.py`` (``axpy(a, x, y)``: ``y <- a * x + y``;
``scal(a, x)``: ``x <- a * x``; ``add_ratio(a, x, d, y)``: ``y <- y + a * x / d``),
block by block (``blocked``), in scikit-learn's
order of operations. With the numpy kernels the same gradients give scikit-learn's
weights to the last bit; with the BLAS kernels, which the estimator sets while
scipy's BLAS runs on one thread, each fused multiply-add rounds once instead of
twice and the weights agree with scikit-learn's to a few units in the last place.
No stopping logic lives here.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np

from .kernels import UsesKernels, blocked


def _like(buf, params, zeros=False):
    """``buf``, or a new array shaped like ``params`` when it is None or of another shape."""
    if buf is not None and buf.shape == params.shape:
        return buf
    return np.zeros_like(params) if zeros else np.empty_like(params)  # (n_params,)


class Optimizer(UsesKernels):
    """Base class: ``step(params, grads, learning_rate)`` updates ``params`` in place.

    Attributes
    ----------
    kernels : NumpyKernels or BlasKernels
        The ``axpy`` and ``scal`` the update is written on; set per fit
        (``kernels.make_kernels``), numpy's until then.
    """

    def step(self, params, grads, learning_rate):
        """Apply one update.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Updated in place.
        grads : ndarray of shape (n_params,)
            Gradient of the minibatch objective.
        learning_rate : float
            The schedule's current learning rate.
        """
        raise NotImplementedError

    def step_size(self, learning_rate):
        """The size of the last step per unit gradient, for proximal updates.

        Parameters
        ----------
        learning_rate : float
            The learning rate the last ``step`` was given.

        Returns
        -------
        step : float or ndarray of shape (n_params,)
            A scalar for plain SGD; for adaptive methods the per-coordinate
            step, in a scratch buffer the caller may overwrite.
        """
        return learning_rate


class SGD(Optimizer):
    """Minibatch SGD with (Nesterov) momentum, as scikit-learn's ``solver='sgd'``.

    ``v <- momentum * v - lr * g``; then ``p <- p + v``, or with Nesterov's
    momentum ``p <- p + (momentum * v - lr * g)``.

    Parameters
    ----------
    momentum : float, default=0.9
    nesterov : bool, default=True
    """

    def __init__(self, momentum=0.9, nesterov=True):
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.velocity = None

    def step(self, params, grads, learning_rate):
        self.velocity = _like(self.velocity, params, zeros=True)
        scratch = self.scratch_like("_scratch", params)  # (n_params,)
        k, mu = self.kernels, self.momentum
        for v, g, p, tmp in blocked(self.velocity, grads, params, scratch):  # (block,) each
            update = np.multiply(g, -learning_rate, out=tmp)  # (block,) -lr * g
            # v <- mu * v - lr * g
            k.scal(mu, v)
            k.axpy(1.0, update, v)
            if self.nesterov:
                # p <- p + (mu * v - lr * g)
                k.axpy(mu, v, update)
                k.axpy(1.0, update, p)
            else:
                # p <- p + v
                k.axpy(1.0, v, p)


class Adam(Optimizer):
    """Adam (Kingma & Ba), with scikit-learn's bias-corrected step size.

    The paper's Algorithm 1 in the form of its Section 2, as scikit-learn runs it:
    ``m <- beta_1 m + (1 - beta_1) g``; ``v <- beta_2 v + (1 - beta_2) g**2``;
    ``p <- p - lr_t m / (sqrt(v) + epsilon)`` with
    ``lr_t = lr sqrt(1 - beta_2**t) / (1 - beta_1**t)``.

    Parameters
    ----------
    beta_1 : float, default=0.9
    beta_2 : float, default=0.999
    epsilon : float, default=1e-8
    """

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.m = None
        self.v = None

    def _rate(self, learning_rate):
        """``lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, the bias-corrected rate."""
        return learning_rate * np.sqrt(1 - self.beta_2**self.t) / (1 - self.beta_1**self.t)

    def step(self, params, grads, learning_rate):
        if self.m is None or self.m.shape != params.shape:
            self.m = np.zeros_like(params)  # (n_params,)
            self.v = np.zeros_like(params)  # (n_params,)
            self.t = 0
        scratch = self.scratch_like("_scratch", params)  # (n_params,)
        self.t += 1
        lr_t = self._rate(learning_rate)
        k, b1, b2 = self.kernels, self.beta_1, self.beta_2
        for p, g, m, v, tmp in blocked(params, grads, self.m, self.v, scratch):  # (block,) each
            # m <- beta_1 * m + (1 - beta_1) * g
            k.scal(b1, m)
            k.axpy(1 - b1, g, m)
            # v <- beta_2 * v + (1 - beta_2) * g**2
            k.scal(b2, v)
            k.axpy(1 - b2, np.multiply(g, g, out=tmp), v)
            # p <- p - lr_t * m / (sqrt(v) + epsilon)
            np.sqrt(v, out=tmp)  # (block,)
            tmp += self.epsilon
            k.add_ratio(-lr_t, m, tmp, p)

    def step_size(self, learning_rate):
        return _diagonal_step(self, self.v, self._rate(learning_rate))


def _diagonal_step(opt, second_moment, learning_rate):
    """``learning_rate / (sqrt(second_moment) + epsilon)`` into ``opt``'s scratch."""
    out = opt.scratch_like("_scratch_step", second_moment)  # (n_params,)
    np.sqrt(second_moment, out=out)  # (n_params,)
    out += opt.epsilon
    np.divide(learning_rate, out, out=out)  # (n_params,)
    return out


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter).

    Before the Adam step, the weights (the leading ``n_coef`` entries; never the
    biases or batch-norm parameters) shrink by ``learning_rate * weight_decay``:
    ``W <- W * (1 - learning_rate * weight_decay)``, outside Adam's adaptive
    scaling.

    Parameters
    ----------
    beta_1, beta_2, epsilon : float
        As in ``Adam``.
    weight_decay : float, default=0.01
    n_coef : int, default=0
        Number of leading entries of the flat buffer that are weights.
    """

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8, weight_decay=0.01,
                 n_coef=0):
        super().__init__(beta_1, beta_2, epsilon)
        self.weight_decay = float(weight_decay)
        self.n_coef = int(n_coef)

    def step(self, params, grads, learning_rate):
        if self.weight_decay != 0.0 and self.n_coef > 0:
            # W <- (1 - lr * weight_decay) * W
            self.kernels.scal(1.0 - learning_rate * self.weight_decay, params[: self.n_coef])
        super().step(params, grads, learning_rate)


class Adagrad(Optimizer):
    """Adagrad: ``G <- G + g**2``; ``p <- p - lr * g / (sqrt(G) + epsilon)``.

    Parameters
    ----------
    epsilon : float, default=1e-8
    """

    def __init__(self, epsilon=1e-8):
        self.epsilon = float(epsilon)
        self.accumulator = None

    def _accumulate(self, G, g2):
        """G <- G + g**2."""
        self.kernels.axpy(1.0, g2, G)

    def step(self, params, grads, learning_rate):
        self.accumulator = _like(self.accumulator, params, zeros=True)
        scratch = self.scratch_like("_scratch", params)  # (n_params,)
        k = self.kernels
        for p, g, G, tmp in blocked(params, grads, self.accumulator, scratch):  # (block,) each
            self._accumulate(G, np.multiply(g, g, out=tmp))  # tmp: (block,) g**2
            # p <- p - lr * g / (sqrt(G) + epsilon)
            np.sqrt(G, out=tmp)  # (block,)
            tmp += self.epsilon
            np.divide(g, tmp, out=tmp)  # (block,)
            k.axpy(-learning_rate, tmp, p)

    def step_size(self, learning_rate):
        return _diagonal_step(self, self.accumulator, learning_rate)


class RMSprop(Adagrad):
    """RMSprop: ``v <- rho v + (1 - rho) g**2``; ``p <- p - lr * g / (sqrt(v) + epsilon)``.

    Parameters
    ----------
    rho : float, default=0.9
        Decay rate of the running mean of squared gradients.
    epsilon : float, default=1e-8
    """

    def __init__(self, rho=0.9, epsilon=1e-8):
        super().__init__(epsilon)
        self.rho = float(rho)

    def _accumulate(self, v, g2):
        """v <- rho * v + (1 - rho) * g**2."""
        self.kernels.scal(self.rho, v)
        self.kernels.axpy(1 - self.rho, g2, v)


def make_optimizer(solver, *, momentum=0.9, nesterovs_momentum=True, beta_1=0.9,
                   beta_2=0.999, epsilon=1e-8, rho=0.9, weight_decay=0.01, n_coef=0):
    """Build the optimizer for a stochastic ``solver``.

    Parameters
    ----------
    solver : {"sgd", "adam", "adamw", "adagrad", "rmsprop"}
    momentum, nesterovs_momentum : used by "sgd"
    beta_1, beta_2 : used by "adam" and "adamw"
    epsilon : used by every adaptive solver
    rho : used by "rmsprop"
    weight_decay, n_coef : used by "adamw"

    Returns
    -------
    optimizer : Optimizer
    """
    if solver == "sgd":
        return SGD(momentum, nesterovs_momentum)
    if solver == "adam":
        return Adam(beta_1, beta_2, epsilon)
    if solver == "adamw":
        return AdamW(beta_1, beta_2, epsilon, weight_decay, n_coef)
    if solver == "adagrad":
        return Adagrad(epsilon)
    if solver == "rmsprop":
        return RMSprop(rho, epsilon)
    raise ValueError(f"Unknown stochastic solver {solver!r}.")
