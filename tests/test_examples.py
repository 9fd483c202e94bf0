"""Every script in examples/ runs to completion (with --quick when it offers it)."""

import functools
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.py"))


@functools.lru_cache(maxsize=None)
def _run_example(path):
    cmd = [sys.executable, str(path)]
    if "--quick" in path.read_text(encoding="utf-8"):
        cmd.append("--quick")
    return subprocess.run(
        cmd, cwd=EXAMPLES_DIR.parent, capture_output=True, text=True, timeout=600
    )


def test_examples_directory_is_not_empty():
    assert EXAMPLES, f"no example scripts found in {EXAMPLES_DIR}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_script_exits_cleanly(path):
    result = _run_example(path)
    assert result.returncode == 0, (
        f"{path.name} exited with {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )


def test_quickstart_table_names_both_estimators():
    result = _run_example(EXAMPLES_DIR / "quickstart.py")
    assert result.returncode == 0, result.stderr
    table_rows = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert "SGDMLPClassifier" in table_rows
    assert "MLPClassifier" in table_rows


def test_categorical_example_prints_the_three_models_and_both_ratios():
    result = _run_example(EXAMPLES_DIR / "categorical_embeddings.py")
    assert result.returncode == 0, result.stderr
    for model in ["one-hot + MLPClassifier", "one-hot + SGDMLPClassifier",
                  "embeddings (SGDMLPClassifier)"]:
        assert any(line.startswith(model) for line in result.stdout.splitlines()), model
    assert result.stdout.count(" / embeddings:") == 2, result.stdout


def test_benchmark_times_the_categorical_example():
    # benchmarks/bench_vs_sklearn.py imports the example's data and models by path
    bench = EXAMPLES_DIR.parent / "benchmarks" / "bench_vs_sklearn.py"
    result = subprocess.run(
        [sys.executable, str(bench), "--smoke", "--repeats", "1", "--threads", "1",
         "--no-torch", "--table", "workloads", "--cases", "categorical"],
        cwd=EXAMPLES_DIR.parent, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| categorical")]
    assert len(rows) == 2, result.stdout
    assert all("held-out acc" in row for row in rows), result.stdout
