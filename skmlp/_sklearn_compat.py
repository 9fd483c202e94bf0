"""The one module that imports private scikit-learn names.

Everything skmlp needs from scikit-learn's private API is imported here, so that a
change in scikit-learn is mended in one place.
"""

from sklearn.base import _fit_context
from sklearn.neural_network._base import ACTIVATIONS as MLP_ACTIVATIONS  # for to_sklearn
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import _check_sample_weight

try:  # scikit-learn >= 1.9: the (experimental) callback API
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - depends on the installed scikit-learn

    class CallbackSupportMixin:
        """Stand-in on scikit-learn versions without ``sklearn.callback``."""


__all__ = [
    "CallbackSupportMixin",
    "MLP_ACTIVATIONS",
    "Interval",
    "Options",
    "StrOptions",
    "_check_optimize_result",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_fit_context",
]
