"""SGDMLPClassifier: labels, probabilities and incremental learning."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight
from sklearn.utils.multiclass import type_of_target, unique_labels

from ._base import BaseSGDMLP, column_to_1d
from ._docs import COMMON_ATTRIBUTES, COMMON_PARAMETERS
from ._core.losses import get_loss
from ._sklearn_compat import StrOptions, _check_partial_fit_first_call, _fit_context


class SGDMLPClassifier(ClassifierMixin, BaseSGDMLP):
    __doc__ = (
        """Multi-layer perceptron classifier with a NumPy core.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    the same parameters, defaults, fitted attributes, warnings and errors. It
    minimises the log-loss (softmax for multiclass targets, a logistic output
    per label for binary and multilabel targets) plus an L2 penalty.

    Parameters
    ----------
"""
        + COMMON_PARAMETERS
        + """
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, ``{label: weight}``, multiplied into
        ``sample_weight`` (not in scikit-learn's MLP). 'balanced' uses
        ``n_samples / (n_classes * np.bincount(y))`` (weighted by
        ``sample_weight``), as scikit-learn's ``compute_class_weight``; in
        ``partial_fit`` it balances the classes present in each call's ``y``.
        Labels absent from a dict weigh 1; a label not among the classes is an
        error. Validation sets (``X_val`` or the early-stopping split) are
        weighted alike. For multilabel targets only 'balanced' (each label
        balanced as a binary output, the weights multiplied).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of ndarray
        Class labels seen during fit (for multilabel targets, the label columns).

"""
        + COMMON_ATTRIBUTES
        + """
    See Also
    --------
    SGDMLPRegressor : The regressor.
    sklearn.neural_network.MLPClassifier : scikit-learn's MLP classifier.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skmlp import SGDMLPClassifier
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = SGDMLPClassifier((16,), max_iter=300, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> clf.score(X, y) > 0.9
    True
    """
    )

    #: The loss minimised, as scikit-learn's MLPClassifier names it (an
    #: attribute there too, not a parameter).
    loss = "log_loss"

    _parameter_constraints: dict = {
        **BaseSGDMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        batch_norm=False,
        l1_ratio=0.0,
        init="glorot_uniform",
        rho=0.9,
        weight_decay=0.01,
        warmup_fraction=0.0,
        max_grad_norm=None,
        early_stopping_metric="score",
        restore_best_weights=False,
        categorical_features=None,
        embedding_dim="auto",
        class_weight=None,
    ):
        self._store_params(locals())

    # -------------------------------------------------------------- training
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None,
            sample_weight_val=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a binary indicator matrix for multilabel targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
default=None
            An explicit validation set (not in scikit-learn's MLP; the precedent
            is HistGradientBoosting's). With ``early_stopping`` it replaces the
            ``validation_fraction`` split; without, its score and loss are only
            recorded (``validation_scores_``, ``validation_loss_curve_``).
            Stochastic solvers only.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Sample weights of the validation set.

        Returns
        -------
        self : SGDMLPClassifier
            The fitted model.
        """
        return self._fit(
            X, y, sample_weight=sample_weight, incremental=False, X_val=X_val,
            y_val=y_val, sample_weight_val=sample_weight_val,
        )

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The target labels.
        classes : array-like of shape (n_classes,), default=None
            Every class across all calls to partial_fit, e.g.
            ``np.unique(y_all)``. Required on the first call; on later calls it
            may be omitted, and if given must equal the first one. ``y`` need
            not contain every class.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : SGDMLPClassifier
            The updated model.
        """
        state_before = self.__dict__.copy()
        # Later calls that pass the first call's classes again (a stream) skip
        # scikit-learn's checks of them, which would pass.
        if classes is None or not self._same_classes(classes):
            if (
                classes is not None
                and not hasattr(self, "classes_")
                and not type_of_target(y).startswith("multilabel")
            ):
                self._check_two_classes(unique_labels(classes))
            if _check_partial_fit_first_call(self, classes):
                self._label_binarizer = LabelBinarizer()
                multilabel = type_of_target(y).startswith("multilabel")
                self._label_binarizer.fit(y if multilabel else classes)
        return self._fit(
            X, y, sample_weight=sample_weight, incremental=True,
            state_before=state_before,
        )

    def _same_classes(self, classes):
        """Whether ``classes`` is an ndarray equal to the fitted ``classes_``."""
        own = getattr(self, "classes_", None)
        return (type(classes) is np.ndarray and own is not None
                and classes.shape == own.shape and classes.dtype.kind == own.dtype.kind
                and bool((classes == own).all()))

    def _plain_target(self, y, n_samples):
        return (type(y) is np.ndarray and y.shape[0] == n_samples
                and self._labels_of_known_kind(y))

    def _labels_of_known_kind(self, y):
        """Whether ``y`` holds 1-D labels of a binary or multiclass model, of the
        kind of ``classes_`` (integers and booleans, or strings), which
        ``validate_data`` keeps as they are and one lookup maps to columns."""
        binarizer = getattr(self, "_label_binarizer", None)
        return (y.ndim == 1 and y.dtype.kind in "iubU"
                and getattr(binarizer, "y_type_", None) in ("binary", "multiclass")
                and (y.dtype.kind == "U") == (self.classes_.dtype.kind == "U"))

    def _validate_input(self, X, y, incremental, reset):
        X, y = self._validate_train_data(X, y, reset)
        if incremental and self._labels_of_known_kind(y):
            Y = self._encode_known_labels(y)  # None for a label not among classes_
            if Y is not None:
                return X, Y
        if (not hasattr(self, "classes_")) or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            if self._label_binarizer.y_type_ != "multilabel-indicator":
                self._check_two_classes(self._label_binarizer.classes_)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same "
                        "classes as in the previous call to fit. Previously "
                        f"got {self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. "
                    f"`self.classes_` has {self.classes_}. 'y' has {classes}."
                )
        if self._labels_of_known_kind(y):  # the binarizer's columns, by one lookup
            return X, self._encode_known_labels(y)
        Y = self._label_binarizer.transform(y)  # (n_samples, n_outputs)
        return X, Y

    def _encode_known_labels(self, y):
        """``LabelBinarizer.transform(y)`` by one lookup in ``classes_``.

        None when a label is not among the classes: the generic path then raises
        scikit-learn's error.
        """
        classes = self.classes_
        idx = np.searchsorted(classes, y)  # (n_samples,)
        np.minimum(idx, len(classes) - 1, out=idx)
        if not (classes[idx] == y).all():
            return None
        if len(classes) == 2:
            return idx.reshape(-1, 1)  # (n_samples, 1) 1 for classes_[1]
        Y = np.zeros((y.shape[0], len(classes)), dtype=idx.dtype)  # (n_samples, n_classes)
        Y[np.arange(y.shape[0]), idx] = 1
        return Y

    def _check_two_classes(self, classes):
        """Refuse a single class: there would be nothing to learn.

        scikit-learn's MLPClassifier trains on one class and returns two
        probability columns for it; we raise instead, as LogisticRegression does.
        """
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes, but "
                f"the data contains only one class: {classes[0]}."
            )

    def _combine_sample_weight(self, Y, sample_weight, dtype):
        if self.class_weight is None:
            return sample_weight
        if self._label_binarizer.y_type_.startswith("multilabel"):
            if self.class_weight != "balanced":
                raise ValueError(
                    "class_weight for multilabel targets must be 'balanced' or None; "
                    "pass sample_weight for other weightings."
                )
            # each label column balanced as a binary output, multiplied together
            per_sample = compute_sample_weight("balanced", Y).astype(dtype)  # (n_samples,)
        else:
            per_sample = self._class_weight_of_rows(Y, sample_weight, dtype)  # (n_samples,)
        if sample_weight is not None:
            per_sample *= sample_weight
        return per_sample

    def _class_weight_of_rows(self, Y, sample_weight, dtype):
        """The class weight of each row of a binary or multiclass target."""
        y = self._label_binarizer.inverse_transform(Y)  # (n_samples,)
        if isinstance(self.class_weight, dict):
            unknown = [c for c in self.class_weight if c not in set(self.classes_.tolist())]
            if unknown:
                raise ValueError(
                    f"class_weight has labels {unknown} that are not among the "
                    f"classes {self.classes_.tolist()}."
                )
            classes, keep = self.classes_, slice(None)
        else:
            # 'balanced' over the classes present with positive weight (the
            # others weigh nothing anyway), as compute_class_weight requires
            keep = slice(None) if sample_weight is None else sample_weight > 0
            classes = np.unique(y[keep])
        sw = None if sample_weight is None else sample_weight[keep]
        weights = compute_class_weight(
            self.class_weight, classes=classes, y=y[keep], sample_weight=sw
        )  # (n_classes,)
        idx = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)  # (n_samples,)
        per_sample = np.asarray(weights, dtype=dtype)[idx]  # (n_samples,)
        per_sample[classes[idx] != y] = 0  # rows of classes without weight
        return per_sample

    def _encode_validation_target(self, y_val):
        y_val = column_to_1d(np.asarray(y_val))
        if y_val.ndim == 1:
            unknown = np.setdiff1d(unique_labels(y_val), self.classes_)
            if len(unknown):
                raise ValueError(
                    f"y_val has labels {unknown.tolist()} not seen in y; the classes "
                    f"are {self.classes_.tolist()}."
                )
        return self._label_binarizer.transform(y_val)  # (n_val, n_outputs)

    def _make_loss(self):
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        return get_loss("log_loss" if multiclass else "binary_log_loss")

    def _validation_target(self, Y_val):
        # LabelBinarizer.inverse_transform's arithmetic for binary and multiclass
        # targets, without its checks (a third of a one-row predict)
        y_type = self._label_binarizer.y_type_
        if y_type == "multiclass":
            return self.classes_.take(Y_val.argmax(axis=1), mode="clip")  # (n,)
        if y_type == "binary":
            return self.classes_[(Y_val[:, 0] > 0.5).astype(int)]  # (n,)
        return self._label_binarizer.inverse_transform(Y_val)

    def _score_function(self, y, y_pred, sample_weight=None):
        return accuracy_score(y, y_pred, sample_weight=sample_weight)

    # ------------------------------------------------------------ predicting
    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The predicted classes.
        """
        return self._predict(X)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``; for a binary
            target two columns, for multilabel targets one column per label.
        """
        y_pred = self._forward(X)  # (n_samples, n_outputs)
        if self.n_outputs_ == 1:
            p = y_pred.ravel()  # (n_samples,)
            return np.vstack([1 - p, p]).T  # (n_samples, 2)
        return y_pred

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        y_prob = self.predict_proba(X)  # (n_samples, n_classes)
        with np.errstate(divide="ignore"):
            return np.log(y_prob, out=y_prob)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
