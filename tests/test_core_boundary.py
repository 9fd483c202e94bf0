"""The core boundary: ``skmlp._core`` is NumPy/SciPy maths and imports no scikit-learn."""

import pathlib
import subprocess
import sys

import skmlp

_CORE = pathlib.Path(skmlp.__file__).parent / "_core"

# Runs in a fresh interpreter where ``import sklearn`` fails. The ``skmlp`` package
# is registered without running its ``__init__`` (which imports the estimators),
# so that each core module is imported exactly as far as its own imports reach.
_SCRIPT = """
import importlib, sys, types
sys.modules["sklearn"] = None  # any import of sklearn now raises ImportError
package = types.ModuleType("skmlp")
package.__path__ = [{root!r}]
sys.modules["skmlp"] = package
for name in {names!r}:
    importlib.import_module("skmlp._core." + name)
assert not any(m == "sklearn" or m.startswith("sklearn.")
               for m, mod in sys.modules.items() if mod is not None)
print("ok", len({names!r}))
"""


def test_every_core_module_imports_without_scikit_learn():
    names = sorted(p.stem for p in _CORE.glob("*.py") if p.stem != "__init__")
    assert len(names) >= 10
    script = _SCRIPT.format(root=str(_CORE.parent), names=names)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ok {len(names)}"


def test_the_boundary_check_fails_for_a_module_that_imports_scikit_learn(tmp_path):
    # The same script on a core folder with one module importing sklearn must fail,
    # so the test above cannot pass by not importing anything.
    core = tmp_path / "_core"
    core.mkdir()
    (core / "__init__.py").write_text("")
    (core / "leaky.py").write_text("import sklearn.utils\n")
    script = _SCRIPT.format(root=str(tmp_path), names=["leaky"])
    result = subprocess.run([sys.executable, "-c", script], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "ImportError" in result.stderr or "ModuleNotFoundError" in result.stderr
