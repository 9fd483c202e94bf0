"""Native categorical features: which columns, their levels, their codes.

``categorical_features`` means what it means in HistGradientBoosting: None, 'from_dtype'
(pandas categorical columns), indices, feature names or a boolean mask. At the first
fit each categorical column's levels are learned as ``OrdinalEncoder`` learns them
(the sorted distinct values, missing values excluded); after it, every input (training
batches, validation sets, predictions) is encoded into one float matrix in which a
categorical column holds the code ``0 .. n_levels - 1`` of its level, and ``n_levels``
for a level not learned or a missing value (NaN, None, ``pd.NA``). The network's
``Embedding`` layer (``_core/embedding.py``) turns the codes into learned vectors; the
rest of training sees a plain float matrix. pandas is imported only when X is a pandas
DataFrame.
"""

import numbers
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array, validate_data

from ._core.embedding import Embedding

#: Most levels a categorical column may have (its table gets one more row).
MAX_CATEGORICAL_LEVELS = 1_000_000

#: Widest vector ``embedding_dim='auto'`` gives a column.
AUTO_EMBEDDING_DIM_CAP = 16

#: The fitted attributes a categorical fit adds.
_FITTED = ("is_categorical_", "categories_", "embeddings_")


def auto_embedding_dim(n_levels):
    """``embedding_dim='auto'``: ``min(16, round(1.6 * n_levels ** 0.56))``, at least 1.

    fastai's rule of thumb, capped at ``AUTO_EMBEDDING_DIM_CAP``: 2 for 1 or 2
    levels, 3 for 3, 6 for 10, 16 from 58 levels on.

    Parameters
    ----------
    n_levels : int

    Returns
    -------
    dim : int
    """
    return int(max(1, min(AUTO_EMBEDDING_DIM_CAP, round(1.6 * max(n_levels, 1) ** 0.56))))


def uses_categorical(est):
    """Whether X goes through this module: categorical features asked for or fitted."""
    return est.categorical_features is not None or "is_categorical_" in est.__dict__


# ------------------------------------------------------------------ columns of X
def _is_pandas_frame(X):
    return type(X).__module__.startswith("pandas") and hasattr(X, "iloc")


def _frame_or_array(est, X):
    """X as a pandas DataFrame (kept) or a 2-D ndarray (``check_array``, dtype kept)."""
    if sp.issparse(X):
        raise TypeError(
            "Sparse data was passed for X, but categorical_features needs dense "
            "data: use X.toarray(), or one-hot encode the categorical columns and "
            "set categorical_features=None."
        )
    if _is_pandas_frame(X):
        return X
    return check_array(X, dtype=None, ensure_all_finite=False, estimator=est)


def _column(X, j):
    """Column ``j`` of a DataFrame (a Series) or of an ndarray (a 1-D array)."""
    return X.iloc[:, j] if _is_pandas_frame(X) else X[:, j]


def _feature_name(est, j):
    """Column ``j``'s name: its feature name, or 'column j' without names."""
    names = getattr(est, "feature_names_in_", None)
    return str(names[j]) if names is not None else f"column {j}"


def _column_name(est, j):
    """Column ``j`` in an error message: ``'price'`` or ``3``."""
    names = getattr(est, "feature_names_in_", None)
    return repr(str(names[j])) if names is not None else str(j)


def _is_pandas_categorical(column):
    return getattr(getattr(column, "dtype", None), "name", None) == "category"


def _missing(values):
    """Missing entries (NaN, None, ``pd.NA``, NaT) of a 1-D array, (n,) bool."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind != "O":
        return np.zeros(values.shape[0], dtype=bool)
    if "pandas" in sys.modules:
        return np.asarray(sys.modules["pandas"].isna(values), dtype=bool)
    return np.fromiter(
        (v is None or (isinstance(v, float) and v != v) for v in values),
        dtype=bool, count=values.shape[0],
    )


def _values(column):
    """A non-categorical column as ``(values, missing)``: a 1-D ndarray, (n,) bool."""
    if hasattr(column, "to_numpy"):
        kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else "O"
        column = column.to_numpy(dtype=None if kind in "biufUS" else object)
    values = np.asarray(column)  # (n,)
    return values, _missing(values)


def _kind_of(values, name):
    """'number' or 'string': what the non-missing ``values`` hold, uniformly."""
    if values.dtype.kind in "biuf":
        return "number"
    if values.dtype.kind in "US":
        return "string"
    types = {type(v) for v in values}
    if all(issubclass(t, str) for t in types):
        return "string"
    if all(issubclass(t, numbers.Number) for t in types):
        return "number"
    raise TypeError(
        f"Categorical column {name} mixes values of types "
        f"{sorted(t.__name__ for t in types)}: its argument must be uniformly strings "
        "or numbers (missing values aside)."
    )


def _normalised(values, kind):
    """Non-missing values in the form levels are compared in: float64 or str."""
    return values.astype(np.float64 if kind == "number" else str)


def learn_levels(column, name):
    """The sorted distinct non-missing values of a column, as ``OrdinalEncoder``.

    Parameters
    ----------
    column : pandas Series or ndarray of shape (n_samples,)
    name : str
        The column, for error messages.

    Returns
    -------
    levels : ndarray of shape (n_levels,)
        Numbers keep their dtype (object numbers become float64); strings are an
        object array.
    """
    if _is_pandas_categorical(column):
        codes = column.cat.codes.to_numpy()  # (n,) -1 for missing
        values = column.cat.categories.to_numpy()[np.unique(codes[codes >= 0])]  # (n_used,)
        missing = np.zeros(values.shape[0], dtype=bool)
    else:
        values, missing = _values(column)
    present = values[~missing]  # (n_present,)
    kind = _kind_of(present, name)
    if present.dtype.kind == "O" or kind == "string":
        levels = np.unique(_normalised(present, kind))  # (n_levels,)
        return levels.astype(object) if kind == "string" else levels
    return np.unique(present)  # (n_levels,)


def _lookup(levels, values, missing, name):
    """Codes of ``values`` among sorted ``levels``; ``len(levels)`` for the rest."""
    n_levels = levels.shape[0]
    codes = np.full(values.shape[0], n_levels, dtype=np.float64)  # (n,)
    keep = ~missing  # (n,)
    present = values[keep]  # (n_present,)
    if n_levels == 0 or present.shape[0] == 0:
        return codes
    kind = _kind_of(present, name)
    level_kind = "string" if levels.dtype.kind in "OUS" else "number"
    if kind != level_kind:
        raise TypeError(
            f"Categorical column {name} holds {kind}s; its levels, learned at the "
            f"first fit, are {level_kind}s ({levels[:3].tolist()}...)."
        )
    sorted_levels = _normalised(levels, kind)  # (n_levels,)
    present = _normalised(present, kind)  # (n_present,)
    pos = np.searchsorted(sorted_levels, present)  # (n_present,)
    np.minimum(pos, n_levels - 1, out=pos)
    hit = sorted_levels[pos] == present  # (n_present,)
    codes[np.flatnonzero(keep)[hit]] = pos[hit]
    return codes


def encode_column(column, levels, name):
    """Codes of a column's values: ``0 .. n_levels - 1``, ``n_levels`` unknown/missing.

    Parameters
    ----------
    column : pandas Series or ndarray of shape (n_samples,)
    levels : ndarray of shape (n_levels,)
        From ``learn_levels``.
    name : str

    Returns
    -------
    codes : ndarray of float64 of shape (n_samples,)
    """
    if _is_pandas_categorical(column):
        categories = column.cat.categories.to_numpy()  # (n_categories,)
        no_missing = np.zeros(categories.shape[0], dtype=bool)
        of_category = _lookup(levels, categories, no_missing, name)  # (n_categories,)
        of_category = np.append(of_category, levels.shape[0])  # code -1 (missing) reads the last
        return of_category[column.cat.codes.to_numpy()]  # (n_samples,)
    values, missing = _values(column)
    return _lookup(levels, values, missing, name)


# ------------------------------------------------------- categorical_features
def resolve_categorical_features(est, X):
    """``categorical_features`` against ``X``: a bool mask, or None for no column.

    HistGradientBoosting's rules and wording, plus one: under 'from_dtype', a
    DataFrame column of strings (object or string dtype) is an error rather than
    a late failure to convert it to float.

    Parameters
    ----------
    est : BaseSGDMLP
    X : pandas DataFrame or ndarray of shape (n_samples, n_features)

    Returns
    -------
    is_categorical : ndarray of bool of shape (n_features,) or None
    """
    spec = est.categorical_features
    is_frame = _is_pandas_frame(X)
    n_features = X.shape[1]
    if spec is None:
        return None
    if isinstance(spec, str) and spec == "from_dtype":
        if not is_frame:
            return None
        kinds = [_frame_column_kind(X.iloc[:, j]) for j in range(n_features)]
        strings = [str(X.columns[j]) for j, k in enumerate(kinds) if k == "string"]
        if strings:
            raise ValueError(
                f"categorical_features='from_dtype' treats only columns of category "
                f"dtype as categorical, and the column(s) {strings} hold strings. "
                f"Convert them, e.g. X[{strings[0]!r}] = X[{strings[0]!r}]"
                ".astype('category'), or name the categorical columns in "
                "categorical_features."
            )
        mask = np.array([k == "category" for k in kinds], dtype=bool)
        return mask if mask.any() else None
    spec = np.asarray(spec)
    if spec.size == 0:
        return None
    if spec.dtype.kind not in "ibUO" or (
        spec.dtype.kind == "O" and not all(isinstance(f, str) for f in spec)
    ):
        raise ValueError(
            "categorical_features must be an array-like of bool, int or str, got: "
            f"{spec.dtype.name if spec.dtype.kind != 'O' else sorted({type(f).__name__ for f in spec})}."
        )
    if spec.dtype.kind in "UO":
        if not is_frame:
            raise ValueError(
                "categorical_features should be passed as an array of integers or as "
                "a boolean mask when the model is fitted on data without feature names."
            )
        names = [str(c) for c in X.columns]
        mask = np.zeros(n_features, dtype=bool)
        for name in spec:
            if name not in names:
                raise ValueError(
                    f"categorical_features has an item value '{name}' which is not a "
                    f"valid feature name of the training data. Observed feature "
                    f"names: {names}"
                )
            mask[names.index(name)] = True
    elif spec.dtype.kind == "i":
        if spec.max() >= n_features or spec.min() < 0:
            raise ValueError(
                "categorical_features set as integer indices must be in [0, "
                f"n_features - 1] = [0, {n_features - 1}], got {spec.tolist()}."
            )
        mask = np.zeros(n_features, dtype=bool)
        mask[spec] = True
    else:
        if spec.shape != (n_features,):
            raise ValueError(
                "categorical_features set as a boolean mask must have shape "
                f"(n_features,) = ({n_features},), got: {spec.shape}"
            )
        mask = spec.astype(bool)
    return mask if mask.any() else None


def _frame_column_kind(column):
    """'category', 'string' (object or string dtype) or 'other', of a pandas column."""
    if _is_pandas_categorical(column):
        return "category"
    dtype = column.dtype
    if not isinstance(dtype, np.dtype):  # pandas' extension dtypes
        return "string" if getattr(dtype, "kind", "O") in "OUS" else "other"
    return "string" if dtype.kind in "OUS" else "other"


# ------------------------------------------------------------------ encoding
def _encoded_dtype(X, is_categorical):
    """float32 when every numeric column is float32 (or, with none, every column)."""
    if not _is_pandas_frame(X):
        return np.float32 if X.dtype == np.float32 else np.float64
    columns = np.flatnonzero(~is_categorical)
    if columns.shape[0] == 0:
        columns = np.arange(X.shape[1])
    dtypes = {X.dtypes.iloc[j] for j in columns}
    return np.float32 if dtypes == {np.dtype(np.float32)} else np.float64


def _encode(est, X, dtype, check=True):
    """The float matrix of codes and numbers for a fitted ``is_categorical_``.

    With ``check``, NaN or infinity in a numeric column gets scikit-learn's error
    here; without, the caller checks the matrix (the training path's
    ``check_X_y``, which tests it once beside y).
    """
    is_categorical = est.is_categorical_
    out = np.empty(X.shape, dtype=dtype)  # (n, n_features)
    level_iter = iter(est.categories_)
    for j in range(X.shape[1]):
        name = _column_name(est, j)
        column = _column(X, j)
        if is_categorical[j]:
            out[:, j] = encode_column(column, next(level_iter), name)  # (n,)
            continue
        try:
            if hasattr(column, "to_numpy"):  # pandas, nullable dtypes included
                out[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)  # (n,)
            else:
                out[:, j] = column.astype(np.float64) if column.dtype.kind == "O" else column
        except (TypeError, ValueError) as exc:
            raise type(exc)(
                f"Column {name} is not among categorical_features and holds values "
                f"that are not numbers ({exc}). Name it in categorical_features, or "
                "encode it."
            ) from exc
    if not check:
        return out
    # NaN or infinity in a numeric column: scikit-learn's error
    return check_array(out, dtype=dtype, estimator=est, input_name="X")


def encode_training_X(est, X, reset):
    """Resolve, learn (when ``reset``) and encode the training X; None for no column.

    Checks feature names and ``n_features_in_`` with ``validate_data`` first, so
    their errors are scikit-learn's. On ``reset`` it forgets the fitted
    attributes of an earlier fit, learns ``is_categorical_`` and ``categories_``
    and returns None when no column is categorical (the caller then takes the
    plain path). Otherwise ``categorical_features`` must pick the columns the
    first fit picked.

    Parameters
    ----------
    est : BaseSGDMLP
    X : array-like or DataFrame of shape (n_samples, n_features)
    reset : bool
        True on a first fit.

    Returns
    -------
    X_encoded : ndarray of shape (n_samples, n_features) or None
        float32 when X's numeric columns are all float32, else float64. Not yet
        checked for NaN or infinity in the numeric columns: the caller's
        ``check_X_y`` does that, with scikit-learn's error.
    """
    X = _frame_or_array(est, X)
    validate_data(est, X, skip_check_array=True, reset=reset)
    if reset:
        for name in _FITTED:
            est.__dict__.pop(name, None)
    mask = resolve_categorical_features(est, X)
    if not reset:
        own = est.__dict__.get("is_categorical_")
        if (own is None) != (mask is None) or (own is not None and not (own == mask).all()):
            def columns(m):
                return "none" if m is None else np.flatnonzero(m).tolist()
            raise ValueError(
                f"The network was built with categorical columns {columns(own)}; "
                f"categorical_features={est.categorical_features!r} picks "
                f"{columns(mask)} in this X. They cannot change under warm_start or "
                "partial_fit: refit from scratch."
            )
    if mask is None:
        return None
    if reset:
        categories = []
        for j in np.flatnonzero(mask):
            name = _column_name(est, j)
            levels = learn_levels(_column(X, j), name)
            if levels.shape[0] > MAX_CATEGORICAL_LEVELS:
                raise ValueError(
                    f"Categorical column {name} has {levels.shape[0]:,} levels, more "
                    f"than the {MAX_CATEGORICAL_LEVELS:,} an embedding table may hold. "
                    "Group rare levels, hash them into fewer buckets, or leave the "
                    "column out of categorical_features."
                )
            categories.append(levels)
        est.is_categorical_ = mask
        est.categories_ = categories
    return _encode(est, X, _encoded_dtype(X, mask), check=False)


def encode_X(est, X, dtype):
    """Encode a later X (validation set, prediction) with the fitted levels.

    Parameters
    ----------
    est : BaseSGDMLP
        Fitted with categorical features.
    X : array-like or DataFrame of shape (n_samples, n_features)
    dtype : numpy dtype
        The network's.

    Returns
    -------
    X_encoded : ndarray of shape (n_samples, n_features)
    """
    X = _frame_or_array(est, X)
    validate_data(est, X, skip_check_array=True, reset=False)
    return _encode(est, X, dtype)


# ------------------------------------------------------------- the network
def embedding_dims(est):
    """One vector width per categorical column, from ``embedding_dim``."""
    if isinstance(est.embedding_dim, str):  # 'auto'
        return [auto_embedding_dim(levels.shape[0]) for levels in est.categories_]
    return [int(est.embedding_dim)] * len(est.categories_)


def make_embedding(est):
    """The ``Embedding`` first layer of a categorical fit; None without one."""
    if "is_categorical_" not in est.__dict__:
        return None
    names = [_feature_name(est, j) for j in np.flatnonzero(est.is_categorical_)]
    return Embedding(est.is_categorical_, [c.shape[0] for c in est.categories_],
                     embedding_dims(est), names=names)


def input_width(est, n_features):
    """Width of the first dense layer's input: the numeric columns plus every vector."""
    if "is_categorical_" not in est.__dict__:
        return n_features
    return int((~est.is_categorical_).sum()) + sum(embedding_dims(est))


def check_embedding_unchanged(est, network):
    """Refuse, under warm_start or partial_fit, vector widths other than the built ones."""
    built = () if network.embedding is None else network.embedding.dims
    asked = tuple(embedding_dims(est)) if "is_categorical_" in est.__dict__ else ()
    if built != asked:
        raise ValueError(
            f"The network was built with embedding widths {list(built)}; "
            f"embedding_dim={est.embedding_dim!r} asks for {list(asked)}. They cannot "
            "change under warm_start or partial_fit: refit from scratch."
        )
