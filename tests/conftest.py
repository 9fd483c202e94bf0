"""Test configuration.

SCIPY_ARRAY_API must be set before scipy is imported so that scikit-learn's
array-API estimator check runs (with NumPy inputs) instead of being skipped.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
