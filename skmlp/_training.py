"""The training loops: minibatch epochs for stochastic solvers, and L-BFGS.

The loop composes the pieces (network, loss, penalty, optimizer, schedule, plateau
tracker) and records what the estimator exposes (``loss_curve_``,
``validation_scores_``, ...) in a ``TrainingLog``. It knows nothing of
scikit-learn: validation scoring is a callable handed in by the estimator, and the
loop reports how it ended instead of raising scikit-learn's warnings.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import warnings

import numpy as np
import scipy.optimize
import scipy.sparse as sp

from ._batching import batch_slices, shuffled


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
    """

    def __init__(self, early_stopping):
        self.n_iter = 0
        self.t = 0
        self.loss = None
        self.loss_curve = []
        self.validation_scores = [] if early_stopping else None


def _objective(network, loss, penalty, Xb, Yb, wb, dZ_out):
    """Forward, loss, backward and penalty on one batch; fills ``network.grads``.

    Returns
    -------
    reported : float
        The batch's loss on scikit-learn's scale (data term plus penalty).
    objective : float
        The value whose gradient ``network.grads`` now holds.
    """
    Z = network.forward(Xb, training=True)  # (n, n_out)
    value, dZ = loss(Z, Yb, wb, out=dZ_out)  # float, (n, n_out)
    scale = Xb.shape[0] if wb is None else float(wb.sum())
    if scale <= 0:
        network.grads[...] = 0
        return 0.0, 0.0
    network.backward(dZ)
    pen = penalty.add_to(network.params, network.grads, network.n_coef, scale)
    reported = value * loss.curve_factor(Z.shape[1]) + pen
    return reported, value + pen


def fit_stochastic(network, loss, penalty, optimizer, schedule, tracker, log, X, Y,
                   sample_weight, *, batch_size, max_iter, shuffle, rng,
                   incremental=False, validation_score=None, verbose=False):
    """Run minibatch epochs until ``max_iter``, a plateau, or one epoch if incremental.

    Parameters
    ----------
    network : Network
    loss : Loss
    penalty : L2Penalty
    optimizer : Optimizer
    schedule : Constant
        Gives the learning rate; reacts to plateaus.
    tracker : PlateauTracker
    log : TrainingLog
        Updated in place.
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    batch_size : int
    max_iter : int
    shuffle : bool
    rng : numpy.random.RandomState
    incremental : bool, default=False
        Stop after one epoch (``partial_fit``).
    validation_score : callable or None
        ``validation_score() -> float`` on the current parameters; when given the
        tracker monitors it, else it monitors the training loss.
    verbose : bool, default=False
        Print one line per epoch, as scikit-learn does.

    Returns
    -------
    status : {"max_iter", "plateau", "incremental", "interrupted"}
    """
    n_samples = X.shape[0]
    dtype = network.dtype
    network.allocate(batch_size)
    dZ_buf = np.empty((batch_size, Y.shape[1]), dtype=dtype)  # (batch, n_out)
    dense_gather = shuffle and not sp.issparse(X)
    if dense_gather:
        X_buf = np.empty((batch_size, X.shape[1]), dtype=X.dtype)  # (batch, n_features)
    if shuffle:
        Y_buf = np.empty((batch_size, Y.shape[1]), dtype=Y.dtype)  # (batch, n_out)
        if sample_weight is not None:
            w_buf = np.empty(batch_size, dtype=sample_weight.dtype)  # (batch,)
    sample_idx = np.arange(n_samples)  # (n_samples,)
    status = "max_iter"
    log.n_iter = 0
    try:
        for _ in range(max_iter):
            if shuffle:
                sample_idx = shuffled(sample_idx, rng)  # (n_samples,)
            accumulated = 0.0
            for sl in batch_slices(n_samples, batch_size):
                nb = sl.stop - sl.start
                if shuffle:
                    # Gather the batch into reused buffers: no per-batch copies.
                    idx = sample_idx[sl]  # (nb,)
                    if dense_gather:
                        Xb = np.take(X, idx, axis=0, out=X_buf[:nb])  # (nb, n_features)
                    else:
                        Xb = X[idx]  # (nb, n_features) sparse rows
                    Yb = np.take(Y, idx, axis=0, out=Y_buf[:nb])  # (nb, n_out)
                    wb = None if sample_weight is None else np.take(
                        sample_weight, idx, out=w_buf[:nb])  # (nb,)
                else:
                    Xb = X[sl]  # (nb, n_features) a view when dense
                    Yb = Y[sl]  # (nb, n_out) a view
                    wb = None if sample_weight is None else sample_weight[sl]  # (nb,)
                reported, _ = _objective(
                    network, loss, penalty, Xb, Yb, wb, dZ_buf[:nb]
                )
                accumulated += reported * nb
                optimizer.step(network.params, network.grads, schedule.learning_rate)
            log.n_iter += 1
            log.loss = accumulated / n_samples
            log.t += n_samples
            log.loss_curve.append(log.loss)
            if verbose:
                print("Iteration %d, loss = %.8f" % (log.n_iter, log.loss))
            if validation_score is not None:
                score = validation_score()
                log.validation_scores.append(score)
                if verbose:
                    print("Validation score: %f" % score)
                plateau = tracker.update(score, network.params)
            else:
                plateau = tracker.update(log.loss, network.params)
            schedule.epoch_end(log.t)
            if plateau:
                what = "Validation score" if validation_score is not None else "Training loss"
                msg = "%s did not improve more than tol=%f for %d consecutive epochs." % (
                    what, tracker.tol, tracker.n_iter_no_change)
                stop, suffix = schedule.on_plateau()
                if verbose:
                    print(msg + suffix)
                if stop:
                    status = "plateau"
                    break
                tracker.reset_count()
            if incremental:
                status = "incremental"
                break
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.")
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
    reported_loss : float
        The final loss on scikit-learn's scale.
    """
    dZ_buf = np.empty(Y.shape, dtype=network.dtype)  # (n_samples, n_out)
    last = {}

    def fun(theta):
        network.params[...] = theta  # (n_params,)
        reported, objective = _objective(
            network, loss, penalty, X, Y, sample_weight, dZ_buf
        )
        last["reported"] = reported
        return objective, network.grads.astype(np.float64)  # (n_params,)

    iteration = [0]

    def callback(intermediate_result):
        iteration[0] += 1
        if verbose:
            print("Iteration %d, loss = %.8f" % (iteration[0], intermediate_result.fun))

    theta0 = network.params.astype(np.float64)  # (n_params,)
    try:
        result = scipy.optimize.minimize(
            fun, theta0, method="L-BFGS-B", jac=True, callback=callback,
            options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
        )
    finally:
        network.release()
    network.params[...] = result.x
    reported, _ = _objective(network, loss, penalty, X, Y, sample_weight, dZ_buf)
    network.release()
    return result, reported
