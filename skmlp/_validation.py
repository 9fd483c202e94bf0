"""The validation set of a stochastic fit: checked, held out, and scored.

``ValidationSetMixin`` checks an explicit ``(X_val, y_val, sample_weight_val)`` like
the training data, or holds out ``validation_fraction`` of the training data as
scikit-learn does, and turns the validation set into the two callables the
training loop calls once per epoch: the score and the (weight-aware) loss.
"""

from sklearn.model_selection import train_test_split
from sklearn.utils.validation import validate_data

from ._params import _STOCHASTIC_SOLVERS
from ._sklearn_compat import _check_sample_weight


class ValidationSetMixin:
    """Validation-set glue of BaseSGDMLP; not for direct use.

    The host class provides ``solver``, ``validation_fraction``, the fitted
    ``_network``, ``_loss`` and ``_rng``, and the methods
    ``_encode_validation_target``, ``_validation_target``,
    ``_combine_sample_weight``, ``_is_classifier`` and ``_score_raw``.
    """

    def _validate_validation_set(self, X_val, y_val, sample_weight_val, dtype):
        """Check an explicit validation set like the training data."""
        if X_val is None or y_val is None:
            raise ValueError(
                "X_val and y_val must be given together (sample_weight_val needs "
                "both)."
            )
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise ValueError(
                "A validation set (X_val, y_val) is only used by the stochastic "
                f"solvers; solver={self.solver!r}."
            )
        X_val = validate_data(
            self, X_val, accept_sparse=["csr", "csc"], dtype=dtype, reset=False
        )
        Y_val = self._encode_validation_target(y_val)  # (n_val, n_outputs)
        if Y_val.shape[0] != X_val.shape[0]:
            raise ValueError(
                f"X_val and y_val have different numbers of samples: "
                f"{X_val.shape[0]} and {Y_val.shape[0]}."
            )
        Y_val = Y_val.astype(dtype, copy=False)
        if sample_weight_val is not None:
            sample_weight_val = _check_sample_weight(sample_weight_val, X_val, dtype=dtype)
        sample_weight_val = self._combine_sample_weight(Y_val, sample_weight_val, dtype)
        return X_val, Y_val, sample_weight_val

    def _validation_callables(self, X_val, Y_val, sw_val):
        """``(score(), loss())`` on the validation set, both weight-aware."""
        y_val = self._validation_target(Y_val)
        loss = self._loss

        def validation_score():
            return self._score_raw(X_val, y_val, sw_val)

        def validation_loss():
            Z = self._network.forward(X_val, training=False)  # (n_val, n_outputs)
            value, _ = loss(Z, Y_val, sw_val)
            return value

        return validation_score, validation_loss

    def _split_validation(self, X, Y, sample_weight):
        """Hold out ``validation_fraction`` of the data, as scikit-learn does."""
        stratify = Y if (self._is_classifier() and Y.shape[1] == 1) else None
        arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
        parts = train_test_split(
            *arrays,
            random_state=self._rng,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        X_train, X_val, Y_train, Y_val = parts[:4]
        sw_train = sw_val = None
        if sample_weight is not None:
            sw_train, sw_val = parts[4:]
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        return X_train, Y_train, sw_train, (X_val, Y_val, sw_val)
