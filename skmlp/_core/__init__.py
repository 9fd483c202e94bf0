"""The maths of skmlp: layers, losses, optimizers and the training loops.

Nothing in this subpackage imports scikit-learn (``tests/test_core_boundary.py``
pins it); the estimators in ``skmlp`` translate scikit-learn's parameters and
data conventions into calls on these modules.
"""
