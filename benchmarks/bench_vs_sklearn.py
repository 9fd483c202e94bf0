"""Training speed of skmlp against scikit-learn's MLP, measured side by side.

Every case trains scikit-learn's MLPClassifier/MLPRegressor and skmlp's
SGDMLPClassifier/SGDMLPRegressor (and, when PyTorch is installed, the same loop in
PyTorch on the CPU) on the same data, architecture, solver, batch size, epoch count
(``tol=0``: every epoch runs) and dtype. Runs are interleaved (A B A B ...) so that
machine noise hits every library alike; the table reports the median seconds per
epoch, the ratio sklearn/skmlp (the median of the ratios of consecutive pairs of
runs, which cancels slow drifts in the machine's speed, with the pairs' lowest and
highest ratio beside it), the achieved GFLOP/s (training cost taken as
``6 * n_samples * sum(n_in * n_out)`` per epoch) and its share of the machine's own
matrix-multiply peak (a large square matmul in the same dtype, measured in the same
run), and the final training loss and held-out accuracy (or R^2) of each library.

Usage::

    python benchmarks/bench_vs_sklearn.py            # full run (about 10 minutes)
    python benchmarks/bench_vs_sklearn.py --quick    # reduced sizes, under a minute
    python benchmarks/bench_vs_sklearn.py --smoke    # tiny sizes, a few seconds
    python benchmarks/bench_vs_sklearn.py --table workloads --cases categorical
        # issue 14's case (only when named): one-hot encoding + scikit-learn's MLP
        # and one-hot + skmlp, each against skmlp's categorical embeddings, on the
        # data and models of examples/categorical_embeddings.py; the sklearn
        # column holds the one-hot fit, the last column both held-out accuracies
    python benchmarks/bench_vs_sklearn.py --quick --baseline ../old
        # adds an older skmlp (the folder holding its ``skmlp`` package, e.g. a
        # worktree of an earlier commit) to the interleaved runs: the column
        # old/new is the median of the pairwise ratios of its time to this one's

On machines where OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set to work around old
OpenBLAS builds, unset both for the benchmark command alone::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_vs_sklearn.py
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, replace

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_info, threadpool_limits

from skmlp import SGDMLPClassifier, SGDMLPRegressor

try:  # optional comparison column; never required
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None


@dataclass(frozen=True)
class Case:
    """One benchmark configuration."""

    name: str
    n_samples: int
    n_features: int
    n_classes: int  # 0 for regression
    hidden: tuple
    batch_size: int
    solver: str = "adam"
    dtype: str = "float64"
    epochs: int = 3
    learning_rate_init: float = 1e-3

    @property
    def task(self):
        """The task: "regression" when ``n_classes`` is 0, else "classification"."""
        return "regression" if self.n_classes == 0 else "classification"

    def layer_units(self):
        """Widths from input to output.

        Returns
        -------
        units : list of int
            ``[n_features, *hidden, n_outputs]``; one output for regression and
            for two classes, as scikit-learn's MLP has.
        """
        n_out = 1 if self.n_classes in (0, 2) else self.n_classes
        return [self.n_features, *self.hidden, n_out]

    def flops_per_epoch(self):
        """Training cost of one epoch: ``6 * n_samples * sum(n_in * n_out)``.

        Returns
        -------
        flops : float
        """
        units = self.layer_units()
        return 6.0 * self.n_samples * sum(a * b for a, b in zip(units, units[1:]))


def full_cases():
    """The cases of a full run (issue #4's list).

    Returns
    -------
    cases : list of Case
    """
    medium = dict(n_samples=50_000, n_features=100, n_classes=10, hidden=(256, 128))
    cases = [
        Case("small", 20_000, 10, 2, (32,), 32, epochs=5),
    ]
    for dtype in ("float64", "float32"):
        for batch in (32, 256):
            cases.append(Case(f"medium b{batch} {dtype[-2:]}", **medium, batch_size=batch,
                              dtype=dtype, epochs=2 if batch == 32 else 3))
    cases += [
        Case("large f32", 20_000, 784, 10, (1024, 1024), 512, dtype="float32", epochs=2),
        Case("regression", 50_000, 100, 0, (256, 128), 256, epochs=3),
        Case("sgd nesterov", **medium, batch_size=32, solver="sgd", epochs=2,
             learning_rate_init=0.01),
    ]
    return cases


def scaled_cases(fraction, epochs, min_samples=500):
    """The full cases on a fraction of the samples, with ``epochs`` epochs each."""
    out = []
    for case in full_cases():
        n = max(min_samples, int(case.n_samples * fraction))
        out.append(replace(case, n_samples=n, epochs=epochs))
    return out


def quick_cases():
    """The full cases on 5% of the samples (the large case on 2,048), 2 epochs.

    Returns
    -------
    cases : list of Case
    """
    cases = scaled_cases(0.05, epochs=2)
    # The large case keeps its width (it measures the matmul-bound regime).
    return [replace(c, n_samples=2048) if c.name.startswith("large") else c
            for c in cases]


def smoke_cases():
    """Tiny versions of the full cases (1% of the samples, at most 64 units), 1 epoch.

    Returns
    -------
    cases : list of Case
    """
    cases = [replace(c, hidden=tuple(min(h, 64) for h in c.hidden), epochs=1)
             for c in scaled_cases(0.01, epochs=1, min_samples=256)]
    return [replace(c, n_features=min(c.n_features, 64),
                    batch_size=min(c.batch_size, c.n_samples)) for c in cases]


# ---------------------------------------------------------------- data
def make_data(case, seed=0):
    """A learnable synthetic problem: a random two-layer teacher network."""
    rng = np.random.default_rng(seed)
    n_test = max(case.n_samples // 5, 200)
    n = case.n_samples + n_test
    X = rng.standard_normal((n, case.n_features))  # (n, n_features)
    W1 = rng.standard_normal((case.n_features, 32)) / np.sqrt(case.n_features)
    H = np.tanh(X @ W1)  # (n, 32)
    if case.task == "regression":
        y = H @ rng.standard_normal(32) + 0.1 * rng.standard_normal(n)  # (n,)
    else:
        logits = 3.0 * H @ rng.standard_normal((32, case.n_classes))  # (n, k)
        y = np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)  # (n,)
    X = X.astype(case.dtype)
    return X[:case.n_samples], y[:case.n_samples], X[case.n_samples:], y[case.n_samples:]


# ---------------------------------------------------------------- runners
def load_baseline(folder):
    """Import the ``skmlp`` package found in ``folder`` as ``skmlp_baseline``.

    Its modules import each other relatively, so the copy lives beside the
    current skmlp in one process and both are timed in the same runs.

    Parameters
    ----------
    folder : str
        The folder holding the older ``skmlp`` package (e.g. a git worktree).

    Returns
    -------
    classes : tuple
        ``(SGDMLPClassifier, SGDMLPRegressor)`` of the older copy.
    """
    package = os.path.join(os.path.abspath(folder), "skmlp")
    spec = importlib.util.spec_from_file_location(
        "skmlp_baseline", os.path.join(package, "__init__.py"),
        submodule_search_locations=[package])
    module = importlib.util.module_from_spec(spec)
    sys.modules["skmlp_baseline"] = module
    spec.loader.exec_module(module)
    return module.SGDMLPClassifier, module.SGDMLPRegressor


def _estimator_params(case):
    return dict(
        hidden_layer_sizes=case.hidden, activation="relu", solver=case.solver,
        batch_size=case.batch_size, max_iter=case.epochs, tol=0.0,
        n_iter_no_change=case.epochs + 1, learning_rate_init=case.learning_rate_init,
        momentum=0.9, nesterovs_momentum=True, shuffle=True, random_state=0,
    )


def run_estimator(cls_pair, case, data):
    """Fit one estimator; return (seconds per epoch, final loss, held-out score)."""
    X, y, X_test, y_test = data
    cls = cls_pair[0] if case.task == "classification" else cls_pair[1]
    est = cls(**_estimator_params(case))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        est.fit(X, y)
        elapsed = time.perf_counter() - start
    assert est.n_iter_ == case.epochs, (est, est.n_iter_)
    score = _score(case, y_test, est.predict(X_test))
    return elapsed / case.epochs, est.loss_curve_[-1], score


def _score(case, y_true, y_pred):
    if case.task == "regression":
        return r2_score(y_true, y_pred)
    return accuracy_score(y_true, y_pred)


def run_torch(case, data):
    """The same minibatch loop in PyTorch (CPU): shuffled batches, L2 on weights."""
    X, y, X_test, y_test = data
    torch.manual_seed(0)
    tdtype = torch.float32 if case.dtype == "float32" else torch.float64
    units = case.layer_units()
    layers = []
    for i, (a, b) in enumerate(zip(units, units[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=tdtype))
        if i < len(units) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    biases = [p for n, p in model.named_parameters() if n.endswith("bias")]
    # scikit-learn's L2 term adds alpha * W / batch_size to the weight gradient.
    groups = [{"params": weights, "weight_decay": 1e-4 / case.batch_size},
              {"params": biases, "weight_decay": 0.0}]
    if case.solver == "adam":
        opt = torch.optim.Adam(groups, lr=case.learning_rate_init, eps=1e-8)
    else:
        opt = torch.optim.SGD(groups, lr=case.learning_rate_init, momentum=0.9,
                              nesterov=True)
    Xt = torch.from_numpy(np.ascontiguousarray(X))
    if case.task == "regression":
        yt = torch.from_numpy(y.astype(case.dtype)).reshape(-1, 1)

        def loss_fn(out, target):
            return 0.5 * ((out - target) ** 2).mean()
    elif case.n_classes == 2:
        yt = torch.from_numpy(y.astype(case.dtype)).reshape(-1, 1)
        loss_fn = torch.nn.BCEWithLogitsLoss()
    else:
        yt = torch.from_numpy(y.astype(np.int64))
        loss_fn = torch.nn.CrossEntropyLoss()
    n = X.shape[0]
    start = time.perf_counter()
    for _ in range(case.epochs):
        perm = torch.randperm(n)
        total = 0.0
        for s in range(0, n, case.batch_size):
            idx = perm[s:s + case.batch_size]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]
    elapsed = time.perf_counter() - start
    with torch.no_grad():
        out = model(torch.from_numpy(np.ascontiguousarray(X_test))).numpy()
    if case.task == "regression":
        y_pred = out[:, 0]
    elif case.n_classes == 2:
        y_pred = (out[:, 0] > 0).astype(int)
    else:
        y_pred = out.argmax(axis=1)
    return elapsed / case.epochs, total / n, _score(case, y_test, y_pred)


# ---------------------------------------------------------------- workloads
@dataclass(frozen=True)
class Workload:
    """One workload as users run it: a task timed whole, scikit-learn's way vs skmlp's.

    ``make(scale)`` returns the data; ``run(classes, data)`` times the task with
    one library's (classifier, regressor) pair and returns ``(seconds, result)``,
    where ``result`` is an array both libraries must agree on.
    """

    name: str
    make: object
    run: object


def _quiet_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _default_data(n, task, seed=0):
    from sklearn.datasets import make_classification, make_regression

    if task == "classification":
        return make_classification(n_samples=n, n_features=20, n_informative=10,
                                   n_classes=5, random_state=seed)
    X, y = make_regression(n_samples=n, n_features=20, n_informative=10, noise=1.0,
                           random_state=seed)
    return X, y / y.std()


def _fit_defaults(task):
    def run(classes, data):
        X, y = data
        cls = classes[0] if task == "classification" else classes[1]
        est = cls(max_iter=10, random_state=0)
        seconds, est = _timed(lambda: _quiet_fit(est, X, y))
        return seconds, est.coefs_[-1]
    return run


def _stream(classes, data):
    X, y, n_chunks = data
    est = classes[0](random_state=0)
    chunks = np.array_split(np.arange(X.shape[0]), n_chunks)
    all_classes = np.unique(y)

    def go():
        for idx in chunks:
            est.partial_fit(X[idx], y[idx], classes=all_classes)
        return est
    seconds, est = _timed(go)
    return seconds, est.coefs_[-1]


def _digits(scale):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X / 16.0, y, max(10, int(200 * scale))


def _lbfgs(classes, data):
    X, y, max_iter = data
    est = classes[0](hidden_layer_sizes=(64,), solver="lbfgs", max_iter=max_iter,
                     random_state=0)
    seconds, est = _timed(lambda: _quiet_fit(est, X, y))
    return seconds, est.coefs_[-1]


def _sparse_data(scale):
    import scipy.sparse as sp

    n = max(1000, int(20_000 * scale))
    rng = np.random.default_rng(0)
    X = sp.random(n, n, density=60 / n, format="csr", random_state=0,
                  data_rvs=lambda k: rng.integers(1, 4, size=k).astype(float))
    y = (X @ rng.standard_normal(n) > 0).astype(int)
    return X, y


def _sparse(classes, data):
    X, y = data
    est = classes[0](hidden_layer_sizes=(100,), max_iter=3, random_state=0)
    seconds, est = _timed(lambda: _quiet_fit(est, X, y))
    return seconds, est.coefs_[-1]


def _fitted_for_prediction(classes, scale):
    X, y = _default_data(5000, "classification")
    return _quiet_fit(classes[0](max_iter=5, random_state=0), X, y)


def _predict_proba_data(scale):
    X, _ = _default_data(max(2000, int(200_000 * scale)), "classification", seed=1)
    return X, scale


def _predict_proba(classes, data):
    X, scale = data
    est = _fitted_for_prediction(classes, scale)
    est.predict_proba(X[:10])  # warm
    return _timed(lambda: est.predict_proba(X))


def _one_row(classes, data):
    X, scale = data
    est = _fitted_for_prediction(classes, scale)
    rows = [X[i:i + 1] for i in range(max(50, int(2000 * scale)))]
    est.predict(rows[0])  # warm
    seconds, out = _timed(lambda: [est.predict(r) for r in rows])
    return seconds / len(rows), np.concatenate(out)


def workloads():
    """The workloads people run (issue 13's table), at full size.

    Returns
    -------
    workloads : list of Workload
    """
    return [
        Workload("defaults classifier, 50,000 x 20, 5 classes, 10 epochs",
                 lambda s: _default_data(max(2000, int(50_000 * s)), "classification"),
                 _fit_defaults("classification")),
        Workload("defaults regressor, 50,000 x 20, 10 epochs",
                 lambda s: _default_data(max(2000, int(50_000 * s)), "regression"),
                 _fit_defaults("regression")),
        Workload("partial_fit stream, 100 chunks of 200 rows",
                 lambda s: (*_default_data(max(20, int(100 * s)) * 200, "classification"),
                            max(20, int(100 * s))),
                 _stream),
        Workload("lbfgs, digits, (64,), 200 iterations", _digits, _lbfgs),
        Workload("sparse CSR 20,000 x 20,000, ~60 nnz/row, (100,), 3 epochs",
                 _sparse_data, _sparse),
        Workload("predict_proba, 200,000 rows", _predict_proba_data, _predict_proba),
        Workload("predict, one row (s per call)", _predict_proba_data, _one_row),
    ]


# ------------------------------------------------- categorical (issue 14)
#: Name of the categorical rows, selected by ``--cases categorical``.
CATEGORICAL = "categorical"


def _categorical_example():
    """Import examples/categorical_embeddings.py: its data maker and its models."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                        "examples", "categorical_embeddings.py")
    spec = importlib.util.spec_from_file_location("categorical_embeddings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_categorical(scale, repeats):
    """Two workload rows: one-hot + each MLP against skmlp's embeddings.

    The data and the three models are the example's (one hidden layer of 100, the
    same epoch count and seed, default settings otherwise). The three fits are
    interleaved, the order rotated each round; each ratio is the median over the
    rounds of (one-hot fit's seconds / the same round's embedding fit's seconds).
    The last column holds the held-out accuracy and log-loss of the row's two
    models (one-hot / embeddings; every round fits the same models: the last
    round's).

    Parameters
    ----------
    scale : float
        Fraction of the example's rows and levels (1.0: 50,000 rows, 1,000 and
        10,000 levels).
    repeats : int
        Interleaved fits per model.

    Returns
    -------
    rows : list of str
        The two table rows.
    """
    example = _categorical_example()
    n_samples = max(2_000, int(50_000 * scale))
    n_levels = (max(10, int(1_000 * scale)), max(100, int(10_000 * scale)))
    X_train, X_test, y_train, y_test, _ = example.make_data(n_samples, n_levels)
    label = (f"{CATEGORICAL}, {len(X_train):,} rows, {n_levels[0]:,} + {n_levels[1]:,} "
             f"levels, {example.MAX_ITER} epochs")
    if "categorical_features" not in SGDMLPClassifier().get_params():
        return [f"| {label} | - | - | (this skmlp has no categorical_features) | - |"]
    names = list(example.make_models())
    times = {name: [] for name in names}
    scores = {}
    for repeat in range(repeats):
        k = repeat % len(names)  # interleaved, the order rotated each round
        for name in names[k:] + names[:k]:
            model = example.make_models()[name]
            seconds, model = _timed(lambda: _quiet_fit(model, X_train, y_train))
            times[name].append(seconds)
            proba = model.predict_proba(X_test)[:, 1]
            scores[name] = (accuracy_score(y_test, proba > 0.5), log_loss(y_test, proba))
    embeddings = names[2]
    rows = []
    for one_hot in names[:2]:
        ratios = [a / b for a, b in zip(times[one_hot], times[embeddings])]
        rows.append(
            f"| {label}: {one_hot} / {embeddings} | "
            f"{statistics.median(times[one_hot]):.4g} | "
            f"{statistics.median(times[embeddings]):.4g} | "
            f"**{statistics.median(ratios):.2f}x** [{min(ratios):.2f}-{max(ratios):.2f}] | "
            f"held-out acc {scores[one_hot][0]:.4f} / {scores[embeddings][0]:.4f}, "
            f"log-loss {scores[one_hot][1]:.4f} / {scores[embeddings][1]:.4f} |")
    return rows


def run_workloads(scale, repeats, baseline=None, wanted=()):
    """Print the workload table: sklearn/skmlp as the median of paired ratios.

    Parameters
    ----------
    scale : float
        Fraction of the full sizes (1.0 for the full run).
    repeats : int
        Interleaved runs per library.
    baseline : tuple or None
        An older skmlp's (classifier, regressor), timed beside this one.
    wanted : sequence of str, default=()
        Substrings selecting workloads by name; empty runs them all.
    """
    libraries = [("sklearn", (MLPClassifier, MLPRegressor)),
                 ("skmlp", (SGDMLPClassifier, SGDMLPRegressor))]
    if baseline:
        libraries.append(("old", baseline))
    header = "| workload | sklearn s | skmlp s | sklearn/skmlp | same result |"
    sep = "|---|---|---|---|---|"
    if baseline:
        header += " old s | old/new |"
        sep += "---|---|"
    print(header)
    print(sep)
    for work in workloads():
        if wanted and not any(w in work.name for w in wanted):
            continue
        data = work.make(scale)
        times = {name: [] for name, _ in libraries}
        results = {}
        for repeat in range(repeats):
            k = repeat % len(libraries)  # interleaved, the order rotated each round
            for name, classes in libraries[k:] + libraries[:k]:
                seconds, results[name] = work.run(classes, data)
                times[name].append(seconds)
        ratios = {name: [a / b for a, b in zip(t, times["skmlp"])]
                  for name, t in times.items()}
        diff = float(np.max(np.abs(np.asarray(results["sklearn"], dtype=float)
                                   - np.asarray(results["skmlp"], dtype=float))))
        row = (f"| {work.name} | {statistics.median(times['sklearn']):.4g} | "
               f"{statistics.median(times['skmlp']):.4g} | "
               f"**{statistics.median(ratios['sklearn']):.2f}x** "
               f"[{min(ratios['sklearn']):.2f}-{max(ratios['sklearn']):.2f}] | "
               f"{'yes' if diff <= 1e-8 else f'max diff {diff:.1e}'} |")
        if baseline:
            row += (f" {statistics.median(times['old']):.4g} | "
                    f"{statistics.median(ratios['old']):.2f}x |")
        print(row, flush=True)
    if any(w in CATEGORICAL for w in wanted):
        # Only when asked for (--cases categorical): one-hot + each MLP (in the
        # sklearn column) vs skmlp's embeddings (in the skmlp column); no
        # old/new, as an older skmlp may lack the feature.
        for row in run_categorical(scale, repeats):
            print(row + (" - | - |" if baseline else ""), flush=True)


def matmul_peak(dtype, size, repeats=5):
    """GFLOP/s of a large square matmul in ``dtype`` (median of ``repeats``)."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((size, size)).astype(dtype)
    B = rng.standard_normal((size, size)).astype(dtype)
    C = np.empty_like(A)
    np.matmul(A, B, out=C)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(A, B, out=C)
        times.append(time.perf_counter() - start)
    return 2.0 * size**3 / statistics.median(times) / 1e9


# ---------------------------------------------------------------- main
def blas_description():
    """One line naming each loaded BLAS: library, version, kernel, threads, file.

    Returns
    -------
    description : str
    """
    parts = []
    for info in threadpool_info():
        if info.get("user_api") == "blas":
            parts.append(
                f"{info.get('internal_api')} {info.get('version')} "
                f"({info.get('architecture', '?')} kernel, {info.get('num_threads')} threads, "
                f"{os.path.basename(info.get('filepath', ''))})"
            )
    return "; ".join(parts) or "unknown"


def main(argv=None):
    """Run the benchmark and print its table.

    Parameters
    ----------
    argv : list of str or None, default=None
        Command-line arguments; None reads ``sys.argv``.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="reduced sizes (< 1 minute)")
    size.add_argument("--smoke", action="store_true", help="tiny sizes (a few seconds)")
    parser.add_argument("--threads", type=int, default=2,
                        help="BLAS (and PyTorch) threads, pinned with threadpoolctl")
    parser.add_argument("--repeats", type=int, default=3,
                        help="interleaved runs per library and case (median reported)")
    parser.add_argument("--cases", default="",
                        help="comma-separated substrings selecting cases and workloads by name")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch column")
    parser.add_argument("--table", choices=["both", "cases", "workloads"], default="both",
                        help="which table to print: the training cases, the workloads, or both")
    parser.add_argument("--baseline", default=None,
                        help="folder holding an older skmlp package to time beside this one")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    if args.smoke:
        cases, peak_size = smoke_cases(), 512
    elif args.quick:
        cases, peak_size = quick_cases(), 1536
    else:
        cases, peak_size = full_cases(), 3072
    wanted = [w.strip() for w in args.cases.split(",") if w.strip()]
    if wanted:
        cases = [c for c in cases if any(w in c.name for w in wanted)]
    use_torch = torch is not None and not args.no_torch
    baseline = load_baseline(args.baseline) if args.baseline else None
    if use_torch and cases:  # PyTorch's first step pays one-off start-up costs: not timed
        run_torch(replace(cases[0], n_samples=64, batch_size=32, epochs=1),
                  make_data(replace(cases[0], n_samples=64)))

    with threadpool_limits(limits=args.threads, user_api="blas"):
        if use_torch:
            torch.set_num_threads(args.threads)
        print(f"# skmlp vs scikit-learn MLP ({'smoke' if args.smoke else 'quick' if args.quick else 'full'} run)")
        print(f"python {sys.version.split()[0]}, numpy {np.__version__}, BLAS: {blas_description()}")
        print(f"BLAS threads pinned to {args.threads}; OPENBLAS_CORETYPE="
              f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, OPENBLAS_L2_SIZE="
              f"{os.environ.get('OPENBLAS_L2_SIZE', '(unset)')}; PyTorch: "
              f"{torch.__version__ if use_torch else 'not used'}")
        peaks = {dt: matmul_peak(dt, peak_size) for dt in sorted({c.dtype for c in cases})}
        if peaks:  # none when --cases selects workloads only
            print("matmul peak (%dx%d): %s" % (
                peak_size, peak_size,
                ", ".join(f"{dt} {p:.1f} GFLOP/s" for dt, p in peaks.items())))
        print(f"median of {args.repeats} interleaved runs; s/epoch = seconds per epoch; "
              "sklearn/skmlp = median of the runs' pairwise ratios [lowest-highest]\n")
        if args.table != "cases":
            print("## Workloads (each timed whole, as a user runs it)\n")
            run_workloads(0.01 if args.smoke else 0.1 if args.quick else 1.0,
                          args.repeats, baseline, wanted)
            print()
        if args.table == "workloads" or not cases:
            return 0
        print("## Training cases\n")
        header = ("| case | n x d | hidden | batch | solver | dtype | sklearn s/epoch | "
                  "skmlp s/epoch | sklearn/skmlp | skmlp GFLOP/s | % of peak | "
                  "loss sklearn | loss skmlp | score sklearn | score skmlp |")
        sep = "|---" * 15 + "|"
        if use_torch:
            header += " torch s/epoch | torch/skmlp | loss torch | score torch |"
            sep += "---|---|---|---|"
        if baseline:
            header += " old s/epoch | old/new | loss old |"
            sep += "---|---|---|"
        print(header)
        print(sep)
        for case in cases:
            data = make_data(case)
            runners = [("sklearn", lambda: run_estimator((MLPClassifier, MLPRegressor), case, data)),
                       ("skmlp", lambda: run_estimator((SGDMLPClassifier, SGDMLPRegressor), case, data))]
            if use_torch:
                runners.append(("torch", lambda: run_torch(case, data)))
            if baseline:
                runners.append(("old", lambda: run_estimator(baseline, case, data)))
            results = {name: [] for name, _ in runners}
            for repeat in range(args.repeats):
                # interleaved, the order rotated each round (A B C, B C A, ...):
                # a run that slows the one after it slows each library alike
                k = repeat % len(runners)
                for name, run in runners[k:] + runners[:k]:
                    results[name].append(run())
            med = {name: statistics.median(r[0] for r in res) for name, res in results.items()}
            pairs = {name: [a[0] / b[0] for a, b in zip(res, results["skmlp"])]
                     for name, res in results.items()}  # this run over skmlp's run beside it
            last = {name: res[-1] for name, res in results.items()}
            gflops = case.flops_per_epoch() / med["skmlp"] / 1e9
            score_name = "R2" if case.task == "regression" else "acc"
            row = (f"| {case.name} | {case.n_samples} x {case.n_features} | {case.hidden} | "
                   f"{case.batch_size} | {case.solver} | {case.dtype} | "
                   f"{med['sklearn']:.3f} | {med['skmlp']:.3f} | "
                   f"**{statistics.median(pairs['sklearn']):.2f}x** "
                   f"[{min(pairs['sklearn']):.2f}-{max(pairs['sklearn']):.2f}] | {gflops:.1f} | "
                   f"{100 * gflops / peaks[case.dtype]:.0f}% | "
                   f"{last['sklearn'][1]:.4f} | {last['skmlp'][1]:.4f} | "
                   f"{score_name} {last['sklearn'][2]:.4f} | {score_name} {last['skmlp'][2]:.4f} |")
            if use_torch:
                row += (f" {med['torch']:.3f} | {statistics.median(pairs['torch']):.2f}x | "
                        f"{last['torch'][1]:.4f} | {score_name} {last['torch'][2]:.4f} |")
            if baseline:
                row += (f" {med['old']:.3f} | **{statistics.median(pairs['old']):.3f}x** "
                        f"[{min(pairs['old']):.2f}-{max(pairs['old']):.2f}] | "
                        f"{last['old'][1]:.4f} |")
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
