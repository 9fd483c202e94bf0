"""Native categorical features: ``categorical_features`` and ``embedding_dim``.

Through the public API: which columns are embedded, the levels learned, the codes of
unknown and missing levels, the tables as fitted attributes and as weights, the
training toolkit and the scikit-learn tools around them, and every refused input.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import SGDMLPClassifier, SGDMLPRegressor

pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

N = 300
CITIES = [f"city{i:02d}" for i in range(12)]


def _frame(n=N, seed=0, dtype=np.float64):
    """Two numeric columns, a string category and an integer category."""
    rng = np.random.RandomState(seed)
    return pd.DataFrame({
        "x0": rng.normal(size=n).astype(dtype),
        "city": pd.Categorical(rng.choice(CITIES, n), categories=CITIES),
        "x1": rng.normal(size=n).astype(dtype),
        "size": pd.Categorical(rng.randint(0, 4, n)),
    })


def _target(df):
    """A class that depends on the city (half of them) and a little on x0."""
    return ((df["city"].cat.codes.to_numpy() % 2 == 0) ^ (df["x0"].to_numpy() > 1.5)).astype(int)


def _clf(**params):
    return SGDMLPClassifier((16,), **{"random_state": 0, "max_iter": 60, **params})


# ----------------------------------------------------------- the default
def test_default_and_from_dtype_on_an_array_change_nothing():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(60, 3)), np.arange(60) % 2
    plain = SGDMLPClassifier((5,), max_iter=5, random_state=0).fit(X, y)
    from_dtype = SGDMLPClassifier((5,), max_iter=5, random_state=0,
                                  categorical_features="from_dtype").fit(X, y)
    for a, b in zip(plain.coefs_ + plain.intercepts_, from_dtype.coefs_ + from_dtype.intercepts_):
        assert_array_equal(a, b)
    for est in (plain, from_dtype):
        assert not hasattr(est, "is_categorical_")
        assert not hasattr(est, "categories_")
        assert not hasattr(est, "embeddings_")


def test_from_dtype_on_a_frame_without_category_columns_embeds_nothing():
    df = _frame()[["x0", "x1"]]
    est = _clf(categorical_features="from_dtype").fit(df, np.arange(N) % 2)
    assert not hasattr(est, "embeddings_")
    assert est.coefs_[0].shape[0] == 2


# ---------------------------------------------------- columns and levels
@pytest.mark.parametrize("spec", [
    "from_dtype", [1, 3], ["city", "size"], [False, True, False, True],
], ids=["from_dtype", "indices", "names", "mask"])
def test_every_way_of_naming_the_columns_embeds_the_same_ones(spec):
    df = _frame()
    est = _clf(categorical_features=spec).fit(df, _target(df))
    assert_array_equal(est.is_categorical_, [False, True, False, True])
    assert est.categories_[0].tolist() == CITIES
    assert est.categories_[1].tolist() == [0, 1, 2, 3]
    dims = [e.shape[1] for e in est.embeddings_]
    assert [e.shape[0] for e in est.embeddings_] == [13, 5]  # one more row each
    assert est.coefs_[0].shape == (2 + sum(dims), 16)
    assert est.n_params_ == (sum(e.size for e in est.embeddings_)
                             + sum(c.size for c in est.coefs_ + est.intercepts_))


def test_levels_are_sorted_distinct_values_without_missing_ones():
    X = np.array([["b", 1.0], [None, 2.0], ["a", 3.0], [np.nan, 4.0], ["b", 5.0]],
                 dtype=object)
    est = SGDMLPRegressor((4,), max_iter=3, categorical_features=[0]).fit(X, np.arange(5.0))
    assert est.categories_[0].tolist() == ["a", "b"]
    assert est.categories_[0].dtype == object


def test_negative_numbers_are_levels():
    X = np.c_[np.array([-1, 0, 2, -1, 2, 0]), np.arange(6.0)]
    est = SGDMLPRegressor((4,), max_iter=3, categorical_features=[0]).fit(X, np.arange(6.0))
    assert est.categories_[0].tolist() == [-1, 0, 2]


def test_an_integer_coded_array_learns_what_the_same_frame_learns():
    df = _frame()
    df["city"] = df["city"].cat.codes
    X = df.to_numpy()  # float64, codes in columns 1 and 3
    y = _target(_frame())
    from_frame = _clf(categorical_features=["city", "size"]).fit(df, y)
    from_array = _clf(categorical_features=[1, 3]).fit(X, y)
    assert_allclose(from_array.predict_proba(X), from_frame.predict_proba(df), rtol=1e-12)


def test_embeddings_learn_a_target_carried_by_the_categorical_column_alone():
    df = _frame()
    y = _target(df) * 0 + (df["city"].cat.codes.to_numpy() % 2 == 0)
    est = _clf(categorical_features="from_dtype", max_iter=200).fit(df, y)
    assert est.score(df, y) == 1.0


@pytest.mark.parametrize("n_levels, dim", [(1, 2), (2, 2), (10, 6), (57, 15), (58, 16), (500, 16)])
def test_auto_width_grows_with_the_levels_and_is_capped(n_levels, dim):
    X = np.c_[np.arange(600) % n_levels, np.zeros(600)]
    est = SGDMLPRegressor((2,), max_iter=1, categorical_features=[0]).fit(X, np.zeros(600))
    assert est.embeddings_[0].shape == (n_levels + 1, dim)


def test_an_int_embedding_dim_serves_every_column():
    df = _frame()
    est = _clf(categorical_features="from_dtype", embedding_dim=3).fit(df, _target(df))
    assert [e.shape[1] for e in est.embeddings_] == [3, 3]


# --------------------------------------------- unknown and missing levels
def test_unknown_and_missing_levels_share_the_last_row_deterministically():
    df = _frame()
    est = _clf(categorical_features=["city", "size"]).fit(df, _target(df))
    rows = df.iloc[:3].copy()
    unknown = rows.assign(city=pd.Categorical(["nowhere"] * 3))
    missing = rows.assign(city=pd.Categorical([None] * 3, categories=CITIES))
    p_unknown = est.predict_proba(unknown)
    assert np.isfinite(p_unknown).all()
    assert_array_equal(p_unknown, est.predict_proba(unknown))
    assert_array_equal(p_unknown, est.predict_proba(missing))
    # the last row is the one used: making it city00's vector predicts city00
    est.embeddings_[0][-1] = est.embeddings_[0][0]
    assert_allclose(est.predict_proba(unknown), est.predict_proba(rows.assign(
        city=pd.Categorical(["city00"] * 3, categories=CITIES))))


def test_missing_values_at_fit_train_the_last_row():
    df = _frame()
    # without a penalty, a row no sample uses keeps its initial vector
    before = _clf(categorical_features="from_dtype", max_iter=1, alpha=0).fit(df, _target(df))
    df.loc[:30, "city"] = None
    est = _clf(categorical_features="from_dtype", max_iter=1, alpha=0).fit(df, _target(df))
    assert est.categories_[0].tolist() == CITIES
    assert not np.allclose(est.embeddings_[0][-1], before.embeddings_[0][-1])


def test_levels_stay_those_of_the_first_partial_fit():
    df = _frame()
    est = SGDMLPClassifier((8,), categorical_features="from_dtype", random_state=0)
    est.partial_fit(df, _target(df), classes=[0, 1])
    later = df.assign(city=pd.Categorical(["new"] * N))
    est.partial_fit(later, _target(df))
    assert est.categories_[0].tolist() == CITIES
    assert np.isfinite(est.predict_proba(later)).all()


# ----------------------------------------------------- tables as weights
def test_the_penalty_shrinks_the_tables():
    df = _frame()
    small = _clf(categorical_features="from_dtype", solver="lbfgs", alpha=0.0).fit(df, _target(df))
    large = _clf(categorical_features="from_dtype", solver="lbfgs", alpha=50.0).fit(df, _target(df))
    assert np.linalg.norm(large.embeddings_[0]) < 0.5 * np.linalg.norm(small.embeddings_[0])


def test_embeddings_are_views_into_the_parameters():
    df = _frame()
    est = _clf(categorical_features="from_dtype").fit(df, _target(df))
    before = est.predict_proba(df)
    est.embeddings_[0][:] = 0
    assert not np.allclose(est.predict_proba(df), before)


@pytest.mark.parametrize("params", [
    {"dropout": 0.2}, {"batch_norm": True}, {"class_weight": "balanced"},
    {"early_stopping": True}, {"solver": "lbfgs"}, {"solver": "sgd"},
    {"l1_ratio": 0.5, "alpha": 0.01}, {"solver": "adamw"},
], ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()))
def test_the_training_toolkit_works_with_embeddings(params):
    df = _frame()
    y = _target(df)
    weights = np.linspace(0.5, 2, N)  # (n,)
    est = _clf(categorical_features="from_dtype", max_iter=100, learning_rate_init=0.01,
               **params).fit(df, y, sample_weight=weights)
    assert est.score(df, y) > 0.7
    again = clone(est).fit(df, y, sample_weight=weights)
    assert_array_equal(est.predict_proba(df), again.predict_proba(df))  # same seed


def test_an_explicit_validation_set_with_unseen_levels_is_scored():
    df, val = _frame(), _frame(seed=1)
    val["city"] = val["city"].cat.add_categories(["elsewhere"])
    val.loc[:10, "city"] = "elsewhere"
    est = _clf(categorical_features="from_dtype").fit(df, _target(df), X_val=val,
                                                      y_val=_target(_frame(seed=1)))
    assert len(est.validation_scores_) == est.n_iter_
    assert np.isfinite(est.validation_scores_).all()


def test_float32_frames_train_and_predict_in_float32():
    df = _frame(dtype=np.float32)
    est = _clf(categorical_features="from_dtype").fit(df, _target(df))
    assert all(e.dtype == np.float32 for e in est.embeddings_ + est.coefs_)
    assert est.predict_proba(df).dtype == np.float32


def test_warm_start_continues_with_the_same_tables():
    df = _frame()
    est = _clf(categorical_features="from_dtype", warm_start=True, max_iter=5).fit(df, _target(df))
    est.fit(df.assign(city=pd.Categorical(["new"] * N)), _target(df))
    assert est.categories_[0].tolist() == CITIES  # the unseen level trained the last row
    assert len(est.loss_curve_) == 10
    assert est.loss_curve_[5] < est.loss_curve_[0]  # continued, not restarted


def test_pickle_round_trip_rebinds_the_tables_and_keeps_learning():
    df = _frame()
    est = SGDMLPClassifier((8,), categorical_features="from_dtype", random_state=0)
    est.partial_fit(df, _target(df), classes=[0, 1])
    loaded = pickle.loads(pickle.dumps(est))
    assert_array_equal(loaded.predict_proba(df), est.predict_proba(df))
    before = loaded.embeddings_[0].copy()
    loaded.partial_fit(df, _target(df))
    assert not np.allclose(loaded.embeddings_[0], before)  # views of the live buffer


def test_summary_lists_each_table_with_its_levels_and_parameters():
    df = _frame()
    est = _clf(categorical_features="from_dtype").fit(df, _target(df))
    table = est.summary()
    for name, levels, emb in zip(["city", "size"], [12, 4], est.embeddings_):
        line = next(row for row in table.splitlines() if row.strip().startswith(name))
        assert f"{levels} levels" in line and f"{emb.size:,}" in line
    assert f"Total params: {est.n_params_:,}" in table


# -------------------------------------------------- scikit-learn's tools
def test_behind_a_column_transformer_with_pandas_output():
    df = _frame()
    pre = ColumnTransformer([("num", StandardScaler(), ["x0", "x1"])],
                            remainder="passthrough").set_output(transform="pandas")
    pipe = make_pipeline(pre, _clf(categorical_features="from_dtype")).fit(df, _target(df))
    est = pipe[-1]
    assert list(est.feature_names_in_[est.is_categorical_]) == ["remainder__city",
                                                                "remainder__size"]
    assert pipe.score(df, _target(df)) > 0.7


def test_grid_search_over_embedding_dim():
    df = _frame()
    search = GridSearchCV(_clf(categorical_features="from_dtype", max_iter=20),
                          {"embedding_dim": [2, 4]}, cv=2).fit(df, _target(df))
    assert search.best_params_["embedding_dim"] in (2, 4)
    assert search.best_estimator_.embeddings_[0].shape[1] == search.best_params_["embedding_dim"]


def test_refitting_without_categorical_features_forgets_them():
    df = _frame()
    df["city"] = df["city"].cat.codes
    df["size"] = df["size"].astype(int)
    est = _clf(categorical_features=[1]).fit(df, _target(_frame()))
    est.set_params(categorical_features=None).fit(df, _target(_frame()))
    assert not hasattr(est, "embeddings_") and not hasattr(est, "is_categorical_")
    assert est.coefs_[0].shape[0] == 4


def test_to_sklearn_refuses_an_embedding_model_by_name():
    df = _frame()
    est = _clf(categorical_features="from_dtype").fit(df, _target(df))
    with pytest.raises(ValueError, match="no embedding layer"):
        est.to_sklearn()


# ------------------------------------------------------- refused inputs
def test_a_column_name_that_does_not_exist_is_refused():
    df = _frame()
    with pytest.raises(ValueError, match="'town' which is not a valid feature name"):
        _clf(categorical_features=["city", "town"]).fit(df, _target(df))


def test_from_dtype_refuses_a_string_column_and_says_how_to_convert_it():
    df = _frame().assign(city=lambda d: d["city"].astype(str).astype(object))
    with pytest.raises(ValueError, match=r"\['city'\] hold strings.*astype\('category'\)"):
        _clf(categorical_features="from_dtype").fit(df, _target(_frame()))


def test_a_numeric_column_of_strings_is_refused_naming_it():
    df = _frame().assign(city=lambda d: d["city"].astype(str))
    with pytest.raises(ValueError, match="Column 'city' is not among categorical_features"):
        _clf(categorical_features=["size"]).fit(df, _target(_frame()))


def test_too_many_levels_is_refused_naming_the_column_and_the_count():
    n = 1_000_001
    X = np.c_[np.arange(n, dtype=float), np.zeros(n)]
    with pytest.raises(ValueError, match="column 0 has 1,000,001 levels, more than the 1,000,000"):
        SGDMLPRegressor(categorical_features=[0]).fit(X, np.zeros(n))


def test_sparse_input_with_categorical_features_is_refused():
    X = sp.csr_matrix(np.eye(6))
    with pytest.raises(TypeError, match="Sparse data was passed for X, but categorical_features"):
        SGDMLPClassifier(categorical_features=[0]).fit(X, np.arange(6) % 2)


def test_a_column_mixing_strings_and_numbers_is_refused():
    X = np.array([["a", 1.0], [2, 2.0], ["b", 3.0]], dtype=object)
    with pytest.raises(TypeError, match="mixes values of types \\['int', 'str'\\]"):
        SGDMLPRegressor(categorical_features=[0]).fit(X, np.arange(3.0))


def test_a_later_column_of_the_other_kind_is_refused():
    df = _frame()
    est = _clf(categorical_features=["city", "size"]).fit(df, _target(df))
    with pytest.raises(TypeError, match="Categorical column 'size' holds strings"):
        est.predict(df.assign(size=df["size"].astype(str)))


def test_nan_in_a_numeric_column_is_still_refused():
    df = _frame()
    df.loc[0, "x0"] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        _clf(categorical_features="from_dtype").fit(df, _target(df))


@pytest.mark.parametrize("change, match", [
    ({"embedding_dim": 3}, "embedding widths"),
    ({"categorical_features": ["city"]}, "categorical columns \\[1, 3\\]"),
    ({"categorical_features": None}, "categorical columns \\[1, 3\\]"),
])
def test_changing_the_embeddings_under_warm_start_is_refused(change, match):
    df = _frame()
    est = _clf(categorical_features="from_dtype", warm_start=True, max_iter=2).fit(df, _target(df))
    before = est.predict_proba(df)
    with pytest.raises(ValueError, match=match):
        est.set_params(**change).fit(df, _target(df))
    assert_array_equal(est.predict_proba(df), before)
