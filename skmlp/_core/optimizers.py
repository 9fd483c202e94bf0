"""Stochastic optimizers: one in-place step over the flat buffers.

Each optimizer keeps its state (velocities, moments) as flat arrays aligned with the
network's parameter buffer and updates every parameter with a handful of vectorised
operations, in exactly the order of operations scikit-learn's MLP uses, so that the
same gradients give the same weights to the last bit. No stopping logic lives here.

With ``blas_update = True`` (set by the estimator when scipy's BLAS runs on one
thread, see ``_threads``), ``sgd`` and ``adam`` write their updates as scipy's
BLAS ``scal`` and ``axpy`` calls instead: the same formulas in fewer passes over
memory (``y <- a * x + y`` is one pass, numpy needs two), where each fused
multiply-add rounds once instead of twice, so the weights agree with
scikit-learn's to a few units in the last place rather than to every bit. Only
with one thread: scipy's BLAS may be a second library beside numpy's, and two
multi-threaded BLAS libraries fighting over two cores slow a step down several
times.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import numpy as np
from scipy.linalg.blas import get_blas_funcs

#: Elements per block of an update. An update makes a dozen passes over its flat
#: arrays; beyond a few hundred kilobytes they no longer stay in cache between
#: passes, so long buffers are updated block by block (same operations, same
#: numbers), which runs ~1.7x faster on a 2-million-parameter network. Networks
#: smaller than one block take a single block.
BLOCK_SIZE = 65536


_KERNELS = {}


def blas_kernels(dtype):
    """scipy's BLAS ``axpy`` and ``scal`` for ``dtype`` (float32 or float64).

    ``axpy(x, y, a=a)`` sets ``y <- a * x + y`` and ``scal(a, x)`` sets
    ``x <- a * x``, in place on contiguous arrays of that dtype.

    Parameters
    ----------
    dtype : numpy dtype

    Returns
    -------
    axpy, scal : callable
    """
    dtype = np.dtype(dtype)
    if dtype not in _KERNELS:
        _KERNELS[dtype] = tuple(get_blas_funcs(("axpy", "scal"), dtype=dtype))
    return _KERNELS[dtype]


def blas_writable(*arrays):
    """Whether BLAS may update each array in place.

    scipy's BLAS wrappers silently work on a copy of a non-contiguous output and
    ignore numpy's read-only flag, so the BLAS paths are taken only for
    contiguous, writeable arrays (the flat buffers always are).

    Parameters
    ----------
    *arrays : ndarray

    Returns
    -------
    ok : bool
    """
    return all(a.flags.c_contiguous and a.flags.writeable for a in arrays)


def blocks(n):
    """Consecutive slices of at most ``BLOCK_SIZE`` elements covering ``range(n)``.

    Parameters
    ----------
    n : int

    Returns
    -------
    slices : list of slice
    """
    starts = range(0, max(n, 1), BLOCK_SIZE)
    return [slice(start, min(start + BLOCK_SIZE, n)) for start in starts]


class Optimizer:
    """Base class: ``step(params, grads, learning_rate)`` updates ``params`` in place.

    Attributes
    ----------
    blas_update : bool
        Write the update with BLAS calls (see the module's docstring); only
        while scipy's BLAS runs on one thread. Ignored by optimizers without such
        a path.
    """

    blas_update = False

    def _ensure_state(self, params):
        """Allocate the state buffers on the first step (or after a resize)."""

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

    def __getstate__(self):
        state = self.__dict__.copy()
        for key in [k for k in state if k.startswith("_scratch")]:
            state[key] = None
        return state


class SGD(Optimizer):
    """Minibatch SGD with (Nesterov) momentum, as scikit-learn's ``solver='sgd'``.

    ``v <- momentum * v - lr * g``; then ``p += v``, or with Nesterov's momentum
    ``p += momentum * v - lr * g``.

    Parameters
    ----------
    momentum : float, default=0.9
    nesterov : bool, default=True
    """

    def __init__(self, momentum=0.9, nesterov=True):
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.velocity = None
        self._scratch = None
        self._scratch2 = None

    def step(self, params, grads, learning_rate):
        if self.velocity is None or self.velocity.shape != params.shape:
            self.velocity = np.zeros_like(params)  # (n_params,)
        if self.blas_update and blas_writable(params, self.velocity):
            self._blas_step(params, grads, learning_rate)
            return
        if self._scratch is None or self._scratch.shape != params.shape:
            self._scratch = np.empty_like(params)  # (n_params,)
            self._scratch2 = np.empty_like(params)  # (n_params,)
        for sl in blocks(params.shape[0]):
            v, lr_g, g, p = self.velocity[sl], self._scratch[sl], grads[sl], params[sl]
            np.multiply(g, learning_rate, out=lr_g)  # (block,) lr * g
            v *= self.momentum
            v -= lr_g
            if self.nesterov:
                upd = np.multiply(v, self.momentum, out=self._scratch2[sl])  # (block,)
                upd -= lr_g
                p += upd
            else:
                p += v

    def _blas_step(self, params, grads, learning_rate):
        """The same update with BLAS: four passes with Nesterov's momentum, not six."""
        axpy, scal = blas_kernels(params.dtype)
        for sl in blocks(params.shape[0]):
            v, g, p = self.velocity[sl], grads[sl], params[sl]  # (block,) each
            scal(self.momentum, v)
            axpy(g, v, a=-learning_rate)  # v <- momentum * v - lr * g
            if self.nesterov:
                axpy(v, p, a=self.momentum)
                axpy(g, p, a=-learning_rate)  # p <- p + momentum * v - lr * g
            else:
                p += v


class Adam(Optimizer):
    """Adam (Kingma & Ba), with scikit-learn's bias-corrected step size.

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
        self._scratch = None
        self._scratch2 = None
        self._scratch_step = None

    def step(self, params, grads, learning_rate):
        if self.m is None or self.m.shape != params.shape:
            self.m = np.zeros_like(params)  # (n_params,)
            self.v = np.zeros_like(params)  # (n_params,)
            self.t = 0
        if self._scratch is None or self._scratch.shape != params.shape:
            self._scratch = np.empty_like(params)  # (n_params,)
        self.t += 1
        lr_t = (
            learning_rate
            * np.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        blas = self.blas_update and blas_writable(params, self.m, self.v, self._scratch)
        if blas:
            update, upd = self._blas_update, None  # needs one scratch buffer, not two
        else:
            if self._scratch2 is None or self._scratch2.shape != params.shape:
                self._scratch2 = np.empty_like(params)  # (n_params,)
            update, upd = self._update, self._scratch2
        n = params.shape[0]
        if n <= BLOCK_SIZE:  # one block: no slicing, no list of slices
            update(params, grads, self.m, self.v, self._scratch, upd, lr_t)
            return
        for sl in blocks(n):
            update(params[sl], grads[sl], self.m[sl], self.v[sl],
                   self._scratch[sl], None if upd is None else upd[sl], lr_t)

    def _update(self, p, g, m, v, tmp, upd, lr_t):
        """One block of the update, in scikit-learn's order of operations.

        ``p, g, m, v`` are aligned blocks of the parameters, gradients and
        moments; ``tmp`` and ``upd`` blocks of scratch, all of shape (block,).
        """
        b1, b2 = self.beta_1, self.beta_2
        multiply = np.multiply
        m *= b1
        multiply(g, 1 - b1, out=tmp)  # (block,)
        m += tmp
        v *= b2
        multiply(g, g, out=tmp)  # (block,) g**2
        tmp *= 1 - b2
        v += tmp
        np.sqrt(v, out=tmp)  # (block,)
        tmp += self.epsilon
        multiply(m, -lr_t, out=upd)  # (block,)
        upd /= tmp
        p += upd

    def _blas_update(self, p, g, m, v, tmp, upd, lr_t):
        """The same block update with BLAS: nine passes, not twelve (``upd`` unused, None)."""
        b1, b2 = self.beta_1, self.beta_2
        axpy, scal = blas_kernels(p.dtype)
        scal(b1, m)
        axpy(g, m, a=1 - b1)  # m <- b1 * m + (1 - b1) * g
        np.multiply(g, g, out=tmp)  # (block,) g**2
        scal(b2, v)
        axpy(tmp, v, a=1 - b2)  # v <- b2 * v + (1 - b2) * g**2
        np.sqrt(v, out=tmp)  # (block,)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)  # (block,) m / (sqrt(v) + epsilon)
        axpy(tmp, p, a=-lr_t)  # p <- p - lr_t * m / (sqrt(v) + epsilon)

    def step_size(self, learning_rate):
        lr_t = (
            learning_rate
            * np.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        return _diagonal_step(self, self.v, lr_t)


def _diagonal_step(opt, second_moment, learning_rate):
    """``learning_rate / (sqrt(second_moment) + epsilon)`` into ``opt``'s scratch."""
    out = opt._scratch_step
    if out is None or out.shape != second_moment.shape:
        out = opt._scratch_step = np.empty_like(second_moment)  # (n_params,)
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
        if self.weight_decay != 0.0:
            params[: self.n_coef] *= 1.0 - learning_rate * self.weight_decay
        super().step(params, grads, learning_rate)


class Adagrad(Optimizer):
    """Adagrad: ``G += g**2``; ``p -= lr * g / (sqrt(G) + epsilon)``.

    Parameters
    ----------
    epsilon : float, default=1e-8
    """

    def __init__(self, epsilon=1e-8):
        self.epsilon = float(epsilon)
        self.accumulator = None
        self._scratch = None
        self._scratch_step = None

    def _squared_grads(self, grads):
        """Allocate the state on the first step; return ``g**2`` in the scratch."""
        if self.accumulator is None or self.accumulator.shape != grads.shape:
            self.accumulator = np.zeros_like(grads)  # (n_params,)
        if self._scratch is None or self._scratch.shape != grads.shape:
            self._scratch = np.empty_like(grads)  # (n_params,)
        return np.multiply(grads, grads, out=self._scratch)  # (n_params,)

    def _scaled_step(self, params, grads, learning_rate, second_moment):
        """``p -= lr * g / (sqrt(second_moment) + epsilon)``, in the scratch."""
        tmp = self._scratch
        np.sqrt(second_moment, out=tmp)  # (n_params,)
        tmp += self.epsilon
        np.divide(grads, tmp, out=tmp)  # (n_params,)
        tmp *= learning_rate
        params -= tmp

    def step(self, params, grads, learning_rate):
        g2 = self._squared_grads(grads)  # (n_params,)
        G = self.accumulator
        G += g2
        self._scaled_step(params, grads, learning_rate, G)

    def step_size(self, learning_rate):
        return _diagonal_step(self, self.accumulator, learning_rate)


class RMSprop(Adagrad):
    """RMSprop: ``v <- rho v + (1 - rho) g**2``; ``p -= lr * g / (sqrt(v) + epsilon)``.

    Parameters
    ----------
    rho : float, default=0.9
        Decay rate of the running mean of squared gradients.
    epsilon : float, default=1e-8
    """

    def __init__(self, rho=0.9, epsilon=1e-8):
        super().__init__(epsilon)
        self.rho = float(rho)

    def step(self, params, grads, learning_rate):
        g2 = self._squared_grads(grads)  # (n_params,)
        g2 *= 1 - self.rho
        v = self.accumulator
        v *= self.rho
        v += g2
        self._scaled_step(params, grads, learning_rate, v)


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
