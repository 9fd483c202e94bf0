"""How fast can a NumPy MLP train at all? skmlp and scikit-learn against a flat loop.

The floor of a pure-NumPy training loop on this machine: the same minibatch Adam
step as skmlp and scikit-learn's MLPClassifier take (ReLU hidden layers, softmax
log-loss, L2 penalty, scikit-learn's Adam), written as one flat function over
preallocated buffers with no estimator, no validation and no layer objects, on one
BLAS thread. It bounds what any NumPy implementation of the step can gain over
scikit-learn: skmlp's ratio cannot exceed the flat loop's by more than what other
threads add. Runs are interleaved (sklearn, skmlp, flat loop, sklearn, ...), BLAS
threads pinned to ``--threads`` for scikit-learn and skmlp; the table gives the
median seconds per epoch and the median of the per-round ratios to scikit-learn,
with their lowest and highest.

The flat loop is a measuring stick, not a product: it has no input checks, no
float32 path and no features.

Usage::

    python benchmarks/bench_numpy_floor.py              # batch 32, float64
    python benchmarks/bench_numpy_floor.py --batch 256 --rounds 8
    python benchmarks/bench_numpy_floor.py --smoke      # a few seconds
"""

import argparse
import statistics
import time
import warnings
from contextlib import nullcontext

import numpy as np
from scipy.linalg.blas import daxpy, dscal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from skmlp import SGDMLPClassifier
from skmlp._core.kernels import _controller, _scipy_own_blas

ALPHA = 1e-4
LEARNING_RATE = 1e-3
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-8


def flat_adam_epoch(X, Y, hidden, batch_size, rng):
    """One epoch of minibatch Adam on a ReLU MLP with softmax log-loss, flat.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float64.
    Y : ndarray of shape (n_samples, n_classes)
        One-hot targets, float64.
    hidden : tuple of int
    batch_size : int
    rng : numpy.random.RandomState

    Returns
    -------
    loss : float
        Mean training loss of the epoch (penalty included).
    """
    n_samples = X.shape[0]
    sizes = [X.shape[1], *hidden, Y.shape[1]]
    pairs = list(zip(sizes, sizes[1:]))
    n_coef = sum(a * b for a, b in pairs)
    params = np.zeros(n_coef + sum(sizes[1:]))  # (n_params,)
    grads = np.zeros_like(params)  # (n_params,)
    Ws, gWs, bs, gbs, offset = [], [], [], [], 0
    for a, b in pairs:
        Ws.append(params[offset:offset + a * b].reshape(a, b))  # (a, b)
        gWs.append(grads[offset:offset + a * b].reshape(a, b))  # (a, b)
        offset += a * b
    for b in sizes[1:]:
        bs.append(params[offset:offset + b])  # (b,)
        gbs.append(grads[offset:offset + b])  # (b,)
        offset += b
    for (a, b), W in zip(pairs, Ws):
        bound = np.sqrt(6.0 / (a + b))
        W[...] = rng.uniform(-bound, bound, (a, b))
    acts = [np.empty((batch_size, k)) for k in sizes[1:]]  # (batch, n_units) each
    deltas = [np.empty((batch_size, k)) for k in sizes[1:-1]]  # (batch, n_units) each
    active = [np.empty((batch_size, k), dtype=bool) for k in sizes[1:-1]]
    m, v = np.zeros_like(params), np.zeros_like(params)  # (n_params,)
    tmp = np.empty_like(params)  # (n_params,)
    Xb = np.empty((batch_size, X.shape[1]))  # (batch, n_features)
    Yb = np.empty((batch_size, Y.shape[1]))  # (batch, n_classes)
    dZ = np.empty((batch_size, Y.shape[1]))  # (batch, n_classes)
    last = len(pairs) - 1
    order = rng.permutation(n_samples)  # (n_samples,)
    total, t = 0.0, 0
    for start in range(0, n_samples - batch_size + 1, batch_size):
        idx = order[start:start + batch_size]  # (batch,)
        np.take(X, idx, axis=0, out=Xb)
        np.take(Y, idx, axis=0, out=Yb)
        A = Xb
        for i in range(len(pairs)):
            np.matmul(A, Ws[i], out=acts[i])
            acts[i] += bs[i]
            if i < last:
                np.maximum(acts[i], 0, out=acts[i])
            A = acts[i]
        z_max = np.maximum.reduce(A, axis=1, keepdims=True)  # (batch, 1)
        np.subtract(A, z_max, out=dZ)
        np.exp(dZ, out=dZ)
        norm = np.add.reduce(dZ, axis=1, keepdims=True)  # (batch, 1)
        dZ /= norm  # (batch, n_classes) softmax
        loss = float(np.add.reduce(np.log(norm[:, 0]) + z_max[:, 0])
                     - np.einsum("ij,ij", Yb, A)) / batch_size
        dZ -= Yb
        dZ *= 1.0 / batch_size
        D = dZ
        for i in range(last, -1, -1):
            A_in = Xb if i == 0 else acts[i - 1]
            np.matmul(A_in.T, D, out=gWs[i])
            np.add.reduce(D, axis=0, out=gbs[i])
            if i:
                np.matmul(D, Ws[i].T, out=deltas[i - 1])
                np.greater(acts[i - 1], 0, out=active[i - 1])
                np.multiply(deltas[i - 1], active[i - 1], out=deltas[i - 1])
                D = deltas[i - 1]
        W = params[:n_coef]  # (n_coef,)
        loss += 0.5 * ALPHA * float(W @ W) / batch_size
        daxpy(W, grads[:n_coef], a=ALPHA / batch_size)
        t += 1
        lr_t = LEARNING_RATE * np.sqrt(1 - BETA_2**t) / (1 - BETA_1**t)
        dscal(BETA_1, m)
        daxpy(grads, m, a=1 - BETA_1)
        np.multiply(grads, grads, out=tmp)
        dscal(BETA_2, v)
        daxpy(tmp, v, a=1 - BETA_2)
        np.sqrt(v, out=tmp)
        tmp += EPSILON
        np.divide(m, tmp, out=tmp)
        daxpy(tmp, params, a=-lr_t)
        total += loss * batch_size
    return total / (n_samples - n_samples % batch_size)


def _flat_threads(n):
    """numpy's BLAS on ``n`` threads and scipy's own bundled BLAS (if separate) on one.

    Two multi-threaded BLAS libraries beside each other slow a step down
    several times, so scipy's (which runs the loop's axpy/scal) keeps one, as
    skmlp's fits do (``skmlp._core.kernels``, whose finder of scipy's BLAS this uses).
    """
    if n == 1:
        return threadpool_limits(1, "blas")
    controller = _controller()
    own = _scipy_own_blas(controller)
    if own is None:
        raise SystemExit("--flat-threads > 1 needs scipy's own BLAS beside numpy's")
    return controller.select(filepath=own).limit(limits=1)


def main(argv=None):
    """Run the three interleaved trainings and print their table.

    Parameters
    ----------
    argv : list of str or None, default=None
        Command-line arguments; None reads ``sys.argv``.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--hidden", default="256,128", help="comma-separated widths")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2,
                        help="BLAS threads for scikit-learn and skmlp")
    parser.add_argument("--flat-threads", type=int, default=1,
                        help="threads of numpy's BLAS (the products) in the flat loop; "
                             "scipy's own BLAS (its updates) always runs on one")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one round")
    args = parser.parse_args(argv)
    if args.smoke:
        args.samples, args.features, args.hidden, args.rounds = 512, 20, "16", 1
    hidden = tuple(int(h) for h in args.hidden.split(","))
    rng = np.random.RandomState(0)
    X = rng.standard_normal((args.samples, args.features))  # (n, d)
    y = rng.randint(0, args.classes, args.samples)  # (n,)
    Y = np.eye(args.classes)[y]  # (n, n_classes)
    params = dict(hidden_layer_sizes=hidden, batch_size=args.batch, max_iter=1, tol=0,
                  alpha=ALPHA, learning_rate_init=LEARNING_RATE, random_state=0)
    runs = {
        "scikit-learn": lambda: MLPClassifier(**params).fit(X, y),
        "skmlp": lambda: SGDMLPClassifier(**params).fit(X, y),
        f"flat NumPy loop ({args.flat_threads} thread{'s' * (args.flat_threads > 1)})":
            lambda: flat_adam_epoch(X, Y, hidden, args.batch, rng),
    }
    seconds = {name: [] for name in runs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with threadpool_limits(args.threads, "blas"):
            for _ in range(args.rounds):
                for name, run in runs.items():
                    flat = name.startswith("flat")
                    with _flat_threads(args.flat_threads) if flat else nullcontext():
                        start = time.perf_counter()
                        run()
                        seconds[name].append(time.perf_counter() - start)
    print(f"# NumPy floor: {args.samples} x {args.features}, hidden {hidden}, "
          f"{args.classes} classes, batch {args.batch}, adam, float64, 1 epoch")
    print(f"BLAS threads: {args.threads} for scikit-learn and skmlp; for the flat loop "
          f"{args.flat_threads} for numpy's products and 1 for scipy's updates; "
          f"{args.rounds} interleaved rounds")
    print()
    print("| run | s/epoch (median) | sklearn/run (median) | lowest-highest |")
    print("|---|---|---|---|")
    base = seconds["scikit-learn"]
    for name, times in seconds.items():
        ratios = [b / t for b, t in zip(base, times)]
        print(f"| {name} | {statistics.median(times):.3f} | "
              f"{statistics.median(ratios):.2f}x | {min(ratios):.2f}-{max(ratios):.2f} |")


if __name__ == "__main__":
    main()
