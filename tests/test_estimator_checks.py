"""scikit-learn's estimator contract: every check, no expected failures."""

import pytest
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skmlp import SGDMLPClassifier, SGDMLPRegressor

ESTIMATORS = [
    SGDMLPClassifier(max_iter=100),
    SGDMLPRegressor(max_iter=100),
    SGDMLPClassifier(solver="sgd", max_iter=50),
    SGDMLPRegressor(solver="lbfgs", max_iter=100),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks_pass(estimator, check):
    check(estimator)


@pytest.mark.parametrize("Estimator", [SGDMLPClassifier, SGDMLPRegressor])
def test_invalid_parameters_raise_errors_naming_the_parameter(Estimator):
    check_param_validation(Estimator.__name__, Estimator())
