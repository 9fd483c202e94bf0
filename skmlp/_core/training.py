"""The training loops: minibatch epochs for stochastic solvers, and L-BFGS.

The loop composes the pieces (network, loss, penalty, optimizer, schedule, plateau
tracker) and records what the estimator exposes (``loss_curve_``,
``validation_scores_``, ...) in a ``TrainingLog``. It knows nothing of
scikit-learn: validation scoring is a callable handed in by the estimator, and the
loop reports how it ended instead of raising scikit-learn's warnings.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import math
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from .batching import BatchGatherer, shuffled
from .layers import BATCH_NORM_MOMENTUM


class TrainingLog:
    """What training records, under scikit-learn's attribute names.

    Attributes
    ----------
    n_iter : int
        Epochs run by the last fit (or 1 per ``partial_fit`` call).
    t : int
        Samples seen since initialisation.
    loss : float or None
        Mean training loss of the last epoch.
    loss_curve : list of float
        One entry per epoch.
    validation_scores : list of float or None
        Validation score per epoch, when there is a validation set.
    validation_loss_curve : list of float or None
        Validation loss per epoch, when there is a validation set.
    """

    def __init__(self, early_stopping):
        self.n_iter = 0
        self.t = 0
        self.loss = None
        self.loss_curve = []
        self.validation_scores = [] if early_stopping else None
        self.validation_loss_curve = [] if early_stopping else None


_MONITOR_NAMES = {
    "score": "Validation score",
    "validation_loss": "Validation loss",
    "loss": "Training loss",
}


def _objective(network, loss, penalty, Xb, Yb, wb, dZ_out):
    """Forward, loss, backward and penalty on one batch; fills ``network.grads``.

    In scikit-learn's order of operations: the loss's un-normalised output error
    is back-propagated, the penalty adds ``alpha * W`` to the weight gradients,
    and the whole gradient is divided by the batch's total sample weight once:
    ``(A.T @ dZ + alpha * W) / sum(w)``.

    Returns
    -------
    value : float
        The batch's loss on scikit-learn's scale (data term plus penalty): the
        number ``loss_curve_`` averages and L-BFGS minimises.
    """
    scale = Xb.shape[0] if wb is None else float(wb.sum())
    if scale <= 0:
        # nothing to learn from, and nothing to weigh batch-norm statistics by
        network.grads[...] = 0
        return 0.0
    Z = network.forward(Xb, training=True, sample_weight=wb)  # (n, n_out)
    value, dZ = loss(Z, Yb, wb, out=dZ_out)  # float, (n, n_out)
    network.backward(dZ)
    pen = penalty.add_to(network.params, network.grads, network.n_coef, scale)
    network.grads /= scale  # (n_params,)
    return value + pen


def _log_epoch(log, loss, n_samples):
    """Record one epoch of ``n_samples`` rows with mean training loss ``loss``."""
    log.n_iter += 1
    log.loss = loss
    log.t += n_samples
    log.loss_curve.append(loss)


class TrainingState:
    """What a model carries from one ``fit`` or ``partial_fit`` call to the next.

    The estimator holds one; the training loops update it in place.

    Parameters
    ----------
    network : Network
    loss : Loss
    optimizer : Optimizer or None, default=None
        Its moments carry over between ``partial_fit`` calls; None until the
        first stochastic fit (and after one that diverged or was interrupted).
    schedule : Constant or None, default=None
        The learning-rate schedule, made with the optimizer.
    tracker : PlateauTracker or None, default=None
        The plateau count and the best value (and weights) so far.
    log : TrainingLog or None, default=None
        What training recorded: epochs, samples seen, loss and validation curves.
    """

    def __init__(self, network, loss, optimizer=None, schedule=None, tracker=None,
                 log=None):
        self.network = network
        self.loss = loss
        self.optimizer = optimizer
        self.schedule = schedule
        self.tracker = tracker
        self.log = log


@dataclass
class StochasticConfig:
    """How a stochastic fit runs: the estimator's parameters, translated.

    Attributes
    ----------
    penalty : L2Penalty or ElasticNetPenalty
        An elastic net's L1 part is applied after each optimizer step
        (``proximal_step``).
    batch_size : int
    max_iter : int
    shuffle : bool
    incremental : bool, default=False
        Stop after one epoch (``partial_fit``).
    monitor : {"score", "validation_loss", "loss"}, default="loss"
        What the tracker is fed (the hook of that name must be given).
    max_grad_norm : float or None, default=None
        Rescale each minibatch's whole gradient (penalty included) to this
        Euclidean norm when it is larger; None disables clipping.
    verbose : bool, default=False
        Print one line per epoch, as scikit-learn does.
    record_divergence : bool, default=False
        Record a diverged epoch in the log as scikit-learn records it (its
        non-finite loss, NaN validation score and loss; ``n_iter`` and ``t``
        count it) before rolling back, as early stopping wants; otherwise the
        log ends with the last completed epoch.
    """

    penalty: object
    batch_size: int
    max_iter: int
    shuffle: bool
    incremental: bool = False
    monitor: str = "loss"
    max_grad_norm: float = None
    verbose: bool = False
    record_divergence: bool = False


@dataclass
class Hooks:
    """Callables the training loop calls at the end of each epoch or around it.

    Attributes
    ----------
    validation_score : callable or None
        ``validation_score() -> float`` on the current parameters, recorded in
        ``log.validation_scores`` every epoch.
    validation_loss : callable or None
        ``validation_loss() -> float``, recorded in ``log.validation_loss_curve``
        every epoch (given with ``validation_score``).
    on_epoch_begin : callable or None
        ``on_epoch_begin()`` before each epoch.
    on_epoch_end : callable or None
        ``on_epoch_end() -> bool`` after each epoch's records are updated (and
        before a plateau is acted on); True stops training.
    """

    validation_score: object = None
    validation_loss: object = None
    on_epoch_begin: object = None
    on_epoch_end: object = None


def fit_stochastic(state, X, Y, sample_weight, config, rng, hooks):
    """Run minibatch epochs until ``max_iter``, a plateau, or one epoch if incremental.

    Parameters
    ----------
    state : TrainingState
        Its network, optimizer, schedule, tracker and log are updated in place.
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    config : StochasticConfig
    rng : numpy.random.RandomState
        Shuffles the samples every epoch.
    hooks : Hooks

    Returns
    -------
    status : {"max_iter", "plateau", "incremental", "interrupted", "diverged", "stopped"}
        "interrupted" (KeyboardInterrupt) and "diverged" (a non-finite batch loss
        or non-finite weights at the end of an epoch) both leave ``network.params``
        as they were after the last completed epoch (or at the start of the call)
        and the log without the unfinished epoch; the optimizer's state is then
        stale and should be discarded. "stopped" when ``on_epoch_end`` asked to
        stop.
    """
    network, loss, optimizer = state.network, state.loss, state.optimizer
    schedule, tracker, log = state.schedule, state.tracker, state.log
    penalty, batch_size, shuffle = config.penalty, config.batch_size, config.shuffle
    monitor, max_grad_norm, verbose = config.monitor, config.max_grad_norm, config.verbose
    validation_score, validation_loss = hooks.validation_score, hooks.validation_loss
    on_epoch_begin, on_epoch_end = hooks.on_epoch_begin, hooks.on_epoch_end
    n_samples = X.shape[0]
    dtype = network.dtype
    network.allocate(batch_size)
    dZ_buf = np.empty((batch_size, Y.shape[1]), dtype=dtype)  # (batch, n_out)
    gatherer = BatchGatherer(X, Y, sample_weight, batch_size, shuffle)
    sample_idx = np.arange(n_samples)  # (n_samples,)
    # Everything predictions use (parameters and batch-norm running statistics)
    # after the last completed epoch: what an interruption or a divergence rolls
    # back to, and what the tracker copies when the epoch is its best. Refreshed
    # by one copy per epoch.
    last_good = network.snapshot()  # (n_snapshot,)
    proximal = getattr(penalty, "l1", 0.0) > 0
    status = "max_iter"
    log.n_iter = 0
    try:
        for _ in range(config.max_iter):
            if on_epoch_begin is not None:
                on_epoch_begin()
            if shuffle:
                sample_idx = shuffled(sample_idx, rng)  # (n_samples,)
            accumulated = 0.0
            for Xb, Yb, wb in gatherer.batches(sample_idx if shuffle else None):
                nb = Yb.shape[0]
                reported = _objective(network, loss, penalty, Xb, Yb, wb, dZ_buf[:nb])
                accumulated += reported * nb
                if not math.isfinite(reported):
                    status = "diverged"
                    break
                if max_grad_norm is not None:
                    norm = math.sqrt(float(network.grads @ network.grads))
                    if norm > max_grad_norm:
                        network.grads *= max_grad_norm / norm
                lr = schedule.learning_rate
                optimizer.step(network.params, network.grads, lr)
                if proximal:
                    penalty.proximal_step(
                        network.params, network.n_coef, optimizer.step_size(lr),
                        nb if wb is None else float(wb.sum()),
                    )
            if status == "diverged" or not np.isfinite(network.params).all():
                status = "diverged"
                network.restore(last_good)
                if config.record_divergence:
                    # as scikit-learn records it: the epoch's loss, and NaN
                    # for the validation of its non-finite weights
                    _log_epoch(log, accumulated / n_samples, n_samples)
                    if validation_score is not None:
                        log.validation_scores.append(math.nan)
                    if validation_loss is not None:
                        log.validation_loss_curve.append(math.nan)
                break
            network.snapshot(out=last_good)
            _log_epoch(log, accumulated / n_samples, n_samples)
            if verbose:
                print("Iteration %d, loss = %.8f" % (log.n_iter, log.loss))
            monitored = {"loss": log.loss}
            if validation_score is not None:
                monitored["score"] = score = validation_score()
                log.validation_scores.append(score)
                if verbose:
                    print("Validation score: %f" % score)
            if validation_loss is not None:
                monitored["validation_loss"] = vloss = validation_loss()
                log.validation_loss_curve.append(vloss)
                if verbose:
                    print("Validation loss: %f" % vloss)
            plateau = tracker.update(monitored[monitor], last_good)
            schedule.epoch_end(log.t)
            if on_epoch_end is not None and on_epoch_end():
                status = "stopped"
                break
            if plateau:
                what = _MONITOR_NAMES[monitor]
                msg = "%s did not improve more than tol=%f for %d consecutive epochs." % (
                    what, tracker.tol, tracker.n_iter_no_change)
                stop, suffix = schedule.on_plateau()
                if verbose:
                    print(msg + suffix)
                if stop:
                    status = "plateau"
                    break
                tracker.reset_count()
            if config.incremental:
                status = "incremental"
                break
    except KeyboardInterrupt:
        # A signal can land between two operations of an optimizer step: undo the
        # unfinished epoch rather than keep a half-applied update.
        network.restore(last_good)
        status = "interrupted"
    finally:
        network.release()
    return status


def fit_lbfgs(network, loss, penalty, X, Y, sample_weight, *, max_iter, max_fun,
              tol, verbose=False):
    """Minimise the full-batch objective with scipy's L-BFGS-B.

    Parameters
    ----------
    network : Network
        Its parameters are the starting point and receive the result.
    loss : Loss
    penalty : L2Penalty
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    max_iter : int
    max_fun : int
    tol : float
        Passed as ``gtol``.
    verbose : bool, default=False
        Print the loss at every iteration.

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        When a KeyboardInterrupt stopped the search, a result with
        ``interrupted=True``, ``success=False`` and the iterations completed.
    reported_loss : float
        The final loss on scikit-learn's scale; not finite when even the
        starting point's loss is not.

    Notes
    -----
    ``network.params`` ends at the solution, or, when the search was interrupted
    or ended on non-finite parameters, at the last iterate whose objective was
    finite (the starting point if there is none).
    """
    # Every buffer is made once per fit. scipy hands ``fun`` a fresh copy of its
    # float64 iterate and copies the returned gradient before L-BFGS-B reads it,
    # so the iterate is copied (cast) straight into the network's parameters and
    # a float64 network's gradient buffer is returned as it is; a float32 network
    # is evaluated in float32, its gradient cast into one float64 buffer.
    network.allocate(X.shape[0])
    dZ_buf = np.empty(Y.shape, dtype=network.dtype)  # (n_samples, n_out)
    grads64 = (network.grads if network.dtype == np.float64
               else np.empty(network.n_params, dtype=np.float64))  # (n_params,)
    last_value = [None]  # the objective at network.params, once evaluated

    def fun(theta):
        last_value[0] = None  # until this evaluation completes
        network.params[...] = theta  # (n_params,) cast to the network's dtype
        value = _objective(network, loss, penalty, X, Y, sample_weight, dZ_buf)
        if grads64 is not network.grads:
            np.copyto(grads64, network.grads)  # (n_params,) float32 -> float64
        last_value[0] = value
        return value, grads64  # float, (n_params,)

    iteration = [0]
    theta0 = network.params.astype(np.float64)  # (n_params,)
    last_good = theta0.copy()  # (n_params,) the last iterate with a finite objective

    def callback(intermediate_result):
        iteration[0] += 1
        if math.isfinite(intermediate_result.fun):
            np.copyto(last_good, intermediate_result.x)
        if verbose:
            print("Iteration %d, loss = %.8f" % (iteration[0], intermediate_result.fun))

    # Full batch: batch-norm running statistics become those of the last
    # evaluation, i.e. of the whole training set at the returned parameters.
    network.set_batch_norm_momentum(0.0)
    try:
        try:
            result = scipy.optimize.minimize(
                fun, theta0, method="L-BFGS-B", jac=True, callback=callback,
                options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
            )
        except KeyboardInterrupt:
            result = scipy.optimize.OptimizeResult(
                x=last_good, nit=iteration[0], success=False, status=-1,
                message="interrupted by user", interrupted=True,
            )
        final = result.x if np.isfinite(result.x).all() else last_good  # (n_params,)
        if last_value[0] is not None and np.array_equal(
                network.params, final.astype(network.dtype, copy=False)):
            # L-BFGS-B usually ends where it last evaluated (not after a failed
            # line search): the network already holds that evaluation, and
            # evaluating the same parameters again would give the same numbers.
            reported = last_value[0]
        else:
            network.params[...] = final  # (n_params,)
            reported = _objective(network, loss, penalty, X, Y, sample_weight, dZ_buf)
    finally:
        network.set_batch_norm_momentum(BATCH_NORM_MOMENTUM)
        network.release()
    return result, reported
