"""Inspecting a fitted estimator: its summary table and its scikit-learn twin.

``InspectionMixin`` gives the estimators their public ``summary`` (the table that
``_summary`` formats) and ``to_sklearn`` (the conversion that ``_export`` does).
"""

from sklearn.utils.validation import check_is_fitted

from ._core.summary import format_summary


class InspectionMixin:
    """``summary`` and ``to_sklearn`` of BaseSGDMLP; not for direct use.

    The host class is fitted with ``_network``, ``n_layers_``, ``n_features_in_``,
    ``out_activation_``, ``solver`` and ``alpha``, and provides ``_sync_params``.
    """

    def summary(self):
        """A printable table of the fitted network, one row per layer.

        Each row gives the layer's class, output shape, activation, parameter
        count (``n_out * (n_in + 1)`` for a dense layer) and, for other layers
        such as dropout or batch normalisation, their settings; the last line
        gives the total, equal to ``n_params_``.

        Returns
        -------
        table : str
            Print it: ``print(est.summary())``.
        """
        check_is_fitted(self)
        title = (
            f"{type(self).__name__}: {self.n_layers_ - 2} hidden layer(s), "
            f"solver={self.solver!r}, alpha={self.alpha:g}"
        )
        return format_summary(
            self._network, self.n_features_in_, self.out_activation_, title
        )

    def to_sklearn(self):
        """An equivalent fitted scikit-learn MLP.

        The result is a :class:`~sklearn.neural_network.MLPClassifier` or
        :class:`~sklearn.neural_network.MLPRegressor` with the parameters
        scikit-learn knows and weights that give the same predictions. Layers
        that act at predict time as a per-unit affine map (dropout, batch
        normalisation with its running statistics) are folded into the next
        dense layer's weights.

        Returns
        -------
        mlp : MLPClassifier or MLPRegressor
            A fitted estimator; its arrays are copies.

        Raises
        ------
        ValueError
            If the model uses an activation, loss or layer scikit-learn's MLP
            cannot express, or mixes activations (scikit-learn's MLP has one
            for all hidden layers).

        Examples
        --------
        ONNX export needs no detour through scikit-learn: skl2onnx
        (``pip install "skmlp[onnx]"``) converts the model itself, whatever its
        activations and loss::

            from skl2onnx import to_onnx
            onx = to_onnx(est, X[:1].astype("float32"))
        """
        check_is_fitted(self)
        self._sync_params()
        from ._ext.export import to_sklearn

        return to_sklearn(self)
