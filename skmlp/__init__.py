"""skmlp: neural-network estimators for scikit-learn with a pure NumPy core.

``SGDMLPClassifier`` and ``SGDMLPRegressor`` are drop-in replacements for
scikit-learn's ``MLPClassifier`` and ``MLPRegressor``.
"""

from ._ext import onnx as _onnx
from ._classifier import SGDMLPClassifier
from ._ext.plotting import TrainingCurveDisplay
from ._regressor import SGDMLPRegressor

_onnx.install()  # skl2onnx converters, registered when skl2onnx is imported

__version__ = "0.1.0"

__all__ = [
    "SGDMLPClassifier",
    "SGDMLPRegressor",
    "TrainingCurveDisplay",
    "__version__",
]
