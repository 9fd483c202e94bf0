"""scikit-learn's own MLP tests, run against skmlp's estimators.

At test time this module reads the ``test_mlp.py`` of the installed scikit-learn
(it is scikit-learn's code: it is never copied into this repository), rewrites
its imports so that ``MLPClassifier`` / ``MLPRegressor`` are ``SGDMLPClassifier``
/ ``SGDMLPRegressor``, writes the result to pytest's ``tmp_path`` and runs it in
a separate pytest process, with scikit-learn's own ``conftest`` as a plugin (it
provides the ``global_random_seed`` fixture). Only the tests listed in
``NOT_APPLICABLE`` are deselected, each with the reason it cannot apply to skmlp;
every other test of the file must pass.

The list cannot rot silently: every deselected name must still exist in
scikit-learn's file, pytest must deselect exactly as many items as are listed,
and the number of tests run must be ``EXPECTED_TESTS_RUN``. A new scikit-learn
whose file gains, loses or renames tests fails here until someone has reviewed
the change and updated the list and the count.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sklearn
import sklearn.neural_network

import skmlp

SKLEARN_TEST_FILE = (
    Path(sklearn.neural_network.__file__).resolve().parent / "tests" / "test_mlp.py"
)

# What scikit-learn's file imports from sklearn.neural_network, and the skmlp class
# that replaces it. Any other name it imports from there fails the rewrite, so that
# someone decides whether it applies to skmlp.
REPLACEMENTS = {
    "MLPClassifier": "SGDMLPClassifier",
    "MLPRegressor": "SGDMLPRegressor",
}

# pytest ids of the deselected tests -> why the test cannot apply to skmlp.
# Parametrized tests show skmlp's class names in their ids (pytest names a class
# parameter by its __name__).
NOT_APPLICABLE = {
    "test_gradient": (
        "calls scikit-learn's private method _loss_grad_lbfgs (skmlp's gradients "
        "are checked in tests/test_network_gradients.py)"
    ),
    "test_learning_rate_warmstart": (
        "reads scikit-learn's private _optimizer.learning_rate"
    ),
    "test_adaptive_learning_rate": (
        "reads scikit-learn's private _optimizer.learning_rate"
    ),
    "test_n_iter_no_change": "reads scikit-learn's private _no_improvement_count",
    "test_n_iter_no_change_inf": "reads scikit-learn's private _no_improvement_count",
    "test_early_stopping_stratified": (
        "expects the class to be named 'True' in the message, a name that comes "
        "from scikit-learn's label binarizer"
    ),
    "test_preserve_feature_names[SGDMLPClassifier]": (
        "the classifier case fits a single-class target, which skmlp refuses on "
        "purpose (the regressor case runs)"
    ),
}

# Tests of scikit-learn 1.9.1's test_mlp.py left after the deselection (59
# collected, 7 deselected), plus the sentinel test this module appends.
EXPECTED_TESTS_RUN = 52 + 1

_SENTINEL = '''

def test_skmlp_import_swap_sentinel():
    """Appended by skmlp: the estimators under test are skmlp's."""
    import skmlp

    assert MLPClassifier is skmlp.SGDMLPClassifier
    assert MLPRegressor is skmlp.SGDMLPRegressor
    assert skmlp.__file__ == {skmlp_file!r}
'''


def _neural_network_module(name):
    return name == "sklearn.neural_network" or name.startswith(
        "sklearn.neural_network."
    )


def rewrite_imports(source):
    """Swap scikit-learn's MLP classes for skmlp's in a test module's source.

    Handles ``from sklearn.neural_network[.<submodule>] import ...`` in any
    form (one or several lines, with or without ``as``, at any indentation).
    Raises AssertionError if the source imports anything else from
    sklearn.neural_network or reaches it another way (``import
    sklearn.neural_network``, an attribute ``.neural_network``).
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits = []  # (first line index, last line index, replacement text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            reached = [a.name for a in node.names if _neural_network_module(a.name)]
            assert not reached, (
                f"line {node.lineno}: `import {reached[0]}`: this form is not "
                "rewritten; extend rewrite_imports"
            )
        elif isinstance(node, ast.ImportFrom) and _neural_network_module(
            node.module or ""
        ):
            others = [a.name for a in node.names if a.name not in REPLACEMENTS]
            assert not others, (
                f"line {node.lineno}: scikit-learn's test file imports {others} from "
                f"{node.module}; decide whether those tests apply to skmlp and extend "
                "REPLACEMENTS (or NOT_APPLICABLE)"
            )
            indent = lines[node.lineno - 1][: node.col_offset]
            names = ", ".join(
                f"{REPLACEMENTS[a.name]} as {a.asname or a.name}" for a in node.names
            )
            text = f"{indent}from skmlp import {names}\n"
            edits.append((node.lineno - 1, node.end_lineno - 1, text))
        elif isinstance(node, ast.Attribute) and node.attr == "neural_network":
            raise AssertionError(
                f"line {node.lineno}: scikit-learn's test file uses "
                "`.neural_network` as an attribute; extend rewrite_imports"
            )
    assert edits, "found no import from sklearn.neural_network to rewrite"
    for first, last, text in sorted(edits, reverse=True):
        lines[first : last + 1] = [text]
    return "".join(lines)


def _test_functions(source):
    return {
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def _outcome_counts(output):
    """Counts from pytest's final summary line ("3 failed, 50 passed, ...")."""
    lines = [line for line in output.splitlines() if line.strip()]
    summary = lines[-1] if lines else ""
    # "errors" and "warnings" lose their plural s; the other words end in d.
    counts = {
        word.rstrip("s"): int(n) for n, word in re.findall(r"(\d+) (\w+)", summary)
    }
    return summary, counts


def test_sklearn_own_mlp_tests_pass_on_skmlp(tmp_path):
    source = SKLEARN_TEST_FILE.read_text(encoding="utf-8")

    missing = sorted(
        name for name in NOT_APPLICABLE
        if name.split("[")[0] not in _test_functions(source)
    )
    assert not missing, (
        f"{SKLEARN_TEST_FILE} (scikit-learn {sklearn.__version__}) no longer has "
        f"{missing}: update NOT_APPLICABLE"
    )

    rewritten = rewrite_imports(source) + _SENTINEL.format(skmlp_file=skmlp.__file__)
    test_file = tmp_path / "test_sklearn_mlp_with_skmlp.py"
    test_file.write_text(rewritten, encoding="utf-8")
    # An empty ini pins the rootdir here: no configuration from elsewhere applies.
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")

    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    # One seed (scikit-learn's default, 42) for global_random_seed, so that the
    # number of tests run is fixed.
    env.pop("SKLEARN_TESTS_GLOBAL_RANDOM_SEED", None)
    # The subprocess imports the skmlp this process imported, not an installed one.
    skmlp_root = str(Path(skmlp.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [skmlp_root, env.get("PYTHONPATH")] if p
    )
    cmd = [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
        "-p", "sklearn.conftest", "-q", "--tb=short", test_file.name,
    ]
    for test_id in NOT_APPLICABLE:
        cmd += ["--deselect", f"{test_file.name}::{test_id}"]
    result = subprocess.run(
        cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    output = f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"

    summary, counts = _outcome_counts(result.stdout)
    run = sum(counts.get(k, 0) for k in
              ("passed", "failed", "error", "skipped", "xfailed", "xpassed"))
    # --deselect matches node-id prefixes: fewer items than listed means an id
    # no longer matches, more means an entry also catches a test it does not name.
    assert counts.get("deselected", 0) == len(NOT_APPLICABLE), (
        f"pytest deselected {counts.get('deselected', 0)} tests, NOT_APPLICABLE "
        f"lists {len(NOT_APPLICABLE)} ({summary!r})\n{output}"
    )
    assert run == EXPECTED_TESTS_RUN, (
        f"{run} tests ran, expected {EXPECTED_TESTS_RUN}: scikit-learn "
        f"{sklearn.__version__}'s test_mlp.py changed; review its tests and update "
        f"EXPECTED_TESTS_RUN and NOT_APPLICABLE ({summary!r})\n{output}"
    )
    assert counts.get("skipped", 0) == 0, (
        f"tests were skipped ({summary!r})\n{output}"
    )
    assert result.returncode == 0, (
        f"scikit-learn's own MLP tests fail on skmlp ({summary!r})\n{output}"
    )


def test_rewrite_imports_handles_every_import_form():
    source = (
        '"""Tests of sklearn.neural_network."""\n'
        "from sklearn.neural_network import (\n"
        "    MLPClassifier,\n"
        "    MLPRegressor as Reg,\n"
        ")\n"
        "def f():\n"
        "    from sklearn.neural_network._multilayer_perceptron import MLPRegressor\n"
        "    return MLPRegressor\n"
    )
    namespace = {}
    exec(rewrite_imports(source), namespace)
    assert namespace["MLPClassifier"] is skmlp.SGDMLPClassifier
    assert namespace["Reg"] is skmlp.SGDMLPRegressor
    assert namespace["f"]() is skmlp.SGDMLPRegressor


@pytest.mark.parametrize("source", [
    "from sklearn.neural_network import BernoulliRBM, MLPClassifier\n",
    "import sklearn.neural_network\n",
    "import sklearn\nsklearn.neural_network.MLPClassifier\n",
    "import numpy\n",
])
def test_rewrite_imports_refuses_what_it_does_not_swap(source):
    with pytest.raises(AssertionError):
        rewrite_imports(source)
