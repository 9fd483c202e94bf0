"""sphinx-gallery hooks, referenced by name from conf.py (Sphinx caches its config
by pickling, so the gallery's callables are given as importable names)."""

from pathlib import Path

# The order a reader meets the examples in; scripts not listed follow by name.
EXAMPLE_ORDER = [
    "quickstart.py",
    "xor.py",
    "plot_training_curves.py",
    "plot_solvers_and_losses.py",
    "dropout_batchnorm_digits.py",
    "class_weight_imbalanced.py",
    "digits_grid_search.py",
    "pipeline_regression.py",
    "categorical_embeddings.py",
    "plot_embedding_2d.py",
    "streaming_partial_fit.py",
    "save_and_deploy.py",
    "dask_incremental.py",
    "dask_gridsearch.py",
]


def reset_argv(gallery_conf, script_vars):
    """Run every example in its quick mode: the gallery shows the code and the
    kind of output; the full-size figures are quoted in the guide."""
    return ["--quick"]


def example_order(filename):
    """Sort key for the examples of one gallery section."""
    name = Path(filename).name
    if name in EXAMPLE_ORDER:
        return (EXAMPLE_ORDER.index(name), name)
    return (len(EXAMPLE_ORDER), name)
