"""Kernel maths of the hidden activations: derivative, pinned values, in-place work."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skmlp._core.activations import ACTIVATIONS, get_activation

NAMES = sorted(ACTIVATIONS)


def _pre_activation(seed, shape=(6, 4), dtype=np.float64):
    """Values in [-3, 3] kept at least 0.1 away from 0 (relu's kink)."""
    rng = np.random.RandomState(seed)
    Z = rng.uniform(0.1, 3.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)  # (n, k)
    return Z.astype(dtype)


def _forward(act, Z):
    return act.forward(Z.copy())  # (n, k)


def test_registry_holds_sklearns_activations_and_the_toolkit_ones():
    assert set(ACTIVATIONS) == {
        "identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus"
    }


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences_of_forward(name):
    act = get_activation(name)
    Z = _pre_activation(0)  # (n, k)
    dA = np.random.RandomState(1).normal(size=Z.shape)  # (n, k)
    h = 1e-6
    fd = (_forward(act, Z + h) - _forward(act, Z - h)) / (2 * h)  # (n, k) f'(z)
    A = _forward(act, Z)  # (n, k)
    dZ = act.backward(A, dA.copy(), Z.copy() if act.needs_z else None)  # (n, k)
    assert_allclose(dZ, dA * fd, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_works_in_place_and_keeps_dtype(name, dtype):
    act = get_activation(name)
    Z = _pre_activation(2, dtype=dtype)  # (n, k)
    expected = _forward(act, Z.astype(np.float64))  # (n, k)
    buf = Z.copy()
    A = act.forward(buf)
    assert A is buf
    assert A.dtype == dtype
    assert_allclose(buf, expected, rtol=1e-6 if dtype == np.float32 else 1e-15)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_works_in_place_on_the_incoming_gradient(name, dtype):
    act = get_activation(name)
    Z = _pre_activation(3, dtype=dtype)  # (n, k)
    A = _forward(act, Z)
    A_before = A.copy()
    dA = np.ones_like(Z)  # (n, k)
    dZ = act.backward(A, dA, Z.copy() if act.needs_z else None)
    assert dZ is dA
    assert dZ.dtype == dtype
    assert_array_equal(A, A_before)


def test_logistic_of_zero_is_one_half_and_saturates():
    A = get_activation("logistic").forward(np.array([[0.0, -1e3, 1e3, 2.0]]))
    assert_array_equal(A[0, :3], [0.5, 0.0, 1.0])
    assert_allclose(A[0, 3], 1 / (1 + np.exp(-2.0)), rtol=1e-15)


def test_tanh_of_zero_is_zero_and_is_odd():
    z = np.array([[0.0, 0.5, -0.5, 20.0]])
    A = get_activation("tanh").forward(z.copy())
    assert A[0, 0] == 0.0
    assert A[0, 1] == -A[0, 2]
    assert A[0, 3] == 1.0


def test_relu_zeroes_negatives_and_keeps_positives():
    z = np.array([[-2.0, -1e-12, 0.0, 1e-12, 3.5]])
    A = get_activation("relu").forward(z.copy())
    assert_array_equal(A, [[0.0, 0.0, 0.0, 1e-12, 3.5]])


def test_relu_derivative_is_zero_at_the_kink_as_in_sklearn():
    act = get_activation("relu")
    A = act.forward(np.array([[-1.0, 0.0, 2.0]]))
    dZ = act.backward(A, np.array([[5.0, 5.0, 5.0]]))
    assert_array_equal(dZ, [[0.0, 0.0, 5.0]])


def test_identity_returns_its_input_unchanged():
    z = np.array([[-1.5, 0.0, 2.25]])
    act = get_activation("identity")
    assert_array_equal(act.forward(z.copy()), z)
    assert_array_equal(act.backward(z, np.array([[1.0, 2.0, 3.0]])), [[1.0, 2.0, 3.0]])


@pytest.mark.parametrize("name", NAMES)
def test_get_activation_returns_a_fresh_object_with_its_name(name):
    a, b = get_activation(name), get_activation(name)
    assert a is not b
    assert a.name == name


def test_get_activation_rejects_unknown_name_listing_the_allowed_ones():
    with pytest.raises(ValueError, match="softsign.*identity"):
        get_activation("softsign")
