"""Parameter and attribute documentation shared by the two estimators."""

COMMON_PARAMETERS = """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.

    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', \
'elu', 'gelu', 'softplus'} or array-like of them, default='relu'
        Activation function of the hidden layers: 'identity' returns ``x``,
        'logistic' ``1 / (1 + exp(-x))``, 'tanh' ``tanh(x)``, 'relu'
        ``max(0, x)``; not in scikit-learn: 'leaky_relu' ``max(x, 0.01 x)``,
        'elu' ``x`` for ``x > 0`` else ``exp(x) - 1``, 'gelu' ``x * Phi(x)``
        (exact, with the normal CDF), 'softplus' ``log(1 + exp(x))``. One name
        for all hidden layers, or (not in scikit-learn) one name per hidden
        layer, e.g. ``('tanh', 'relu')`` for two. The initial weights follow
        the activations: a single name serves every layer, the output layer
        included, as in scikit-learn (``init='glorot_uniform'`` narrows its
        bound to ``sqrt(2 / (fan_in + fan_out))`` for 'logistic'); with one name
        per hidden layer, each hidden layer is initialised for its own
        activation and the output layer for the last hidden layer's, so a list
        repeating one name gives the weights that name gives. The activations
        cannot change under ``warm_start`` or ``partial_fit``.

    solver : {'lbfgs', 'sgd', 'adam', 'adamw', 'adagrad', 'rmsprop'}, \
default='adam'
        Weight optimizer: 'lbfgs' (scipy's quasi-Newton L-BFGS-B on the full
        batch), 'sgd' (minibatch SGD with momentum) or 'adam'; not in
        scikit-learn: 'adamw' (Adam with decoupled ``weight_decay``),
        'adagrad' and 'rmsprop' (decay ``rho``), all three with ``epsilon``.

    alpha : float, default=0.0001
        Strength of the L2 penalty ``0.5 * alpha * ||W||^2``, divided by the
        batch's total sample weight as in scikit-learn. Biases are not penalised.

    batch_size : int or 'auto', default='auto'
        Minibatch size for the stochastic solvers; 'auto' means
        ``min(200, n_samples)``. Ignored by 'lbfgs'.

    learning_rate : {'constant', 'invscaling', 'adaptive', 'cosine'}, \
default='constant'
        Learning-rate schedule. scikit-learn's three values act on
        ``solver='sgd'`` only, as in scikit-learn: 'constant' keeps
        ``learning_rate_init``; 'invscaling' uses ``learning_rate_init / (t + 1)
        ** power_t`` with ``t`` the samples seen; 'adaptive' divides the rate by
        5 whenever ``n_iter_no_change`` epochs in a row fail to improve by
        ``tol``, and stops once it is below 1e-6. The other solvers ignore them
        and keep ``learning_rate_init``, stopping at the first plateau, as
        scikit-learn's 'adam' does. 'cosine' (not in scikit-learn) anneals the
        rate of every stochastic solver from ``learning_rate_init`` to 0 over
        ``max_iter`` epochs.

    learning_rate_init : float, default=0.001
        Initial learning rate of 'sgd' and 'adam'.

    power_t : float, default=0.5
        Exponent of 'invscaling'.

    max_iter : int, default=200
        Maximum number of epochs of 'sgd'/'adam', of iterations of 'lbfgs'.

    shuffle : bool, default=True
        Whether to shuffle the samples at each epoch ('sgd'/'adam').

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling and the early-stopping
        split. An int gives reproducible, bit-identical results.

    tol : float, default=1e-4
        Tolerance: improvements of the loss or validation score smaller than
        ``tol`` for ``n_iter_no_change`` epochs in a row stop training (or
        lower the 'adaptive' learning rate). For 'lbfgs', the gradient tolerance.

    verbose : bool, default=False
        Print one line per epoch.

    warm_start : bool, default=False
        Reuse the previous solution as the starting point of ``fit``.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum ('sgd' with ``momentum > 0``).

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its
        score fails to improve by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the weights of the best epoch. Stochastic solvers only.

    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in [0, 1).

    beta_1 : float, default=0.9
        Decay rate of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay rate of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int, default=10
        Patience: epochs without an improvement of ``tol`` before reacting.

    max_fun : int, default=15000
        Maximum number of loss evaluations of 'lbfgs'.

    dropout : float or sequence of float, default=0.0
        Inverted dropout after every hidden layer (one rate for all, or one per
        hidden layer), each in [0, 1). Masks are drawn from ``random_state``
        while training only: prediction is deterministic. Stochastic solvers
        only.

    batch_norm : bool, default=False
        Batch normalisation after each hidden layer, with a learned scale and
        shift (never penalised) and running mean and variance for prediction.
        With 'lbfgs' the running statistics are those of the whole training set.
        The batch statistics are weighted by the sample weights (and class
        weights): a sample of weight 0 does not move them, a weight of k counts
        as k copies of the sample.

    l1_ratio : float, default=0.0
        Elastic-net mixing, as in scikit-learn's ElasticNet and SGD models: the
        penalty is ``alpha * (l1_ratio * ||W||_1 + 0.5 * (1 - l1_ratio) *
        ||W||^2)``, scaled like ``alpha``. The L1 part is a proximal
        soft-threshold after each step, so weights reach exactly zero. 0 is
        scikit-learn's L2 penalty. Stochastic solvers only (when ``alpha > 0``).

    init : {'glorot_uniform', 'he_normal', 'he_uniform', 'lecun_normal'}, \
default='glorot_uniform'
        Weight initialisation; 'glorot_uniform' is scikit-learn's (same draws).
        The others start the biases at zero.

    rho : float, default=0.9
        Decay rate of the mean of squared gradients of 'rmsprop', in [0, 1).

    weight_decay : float, default=0.01
        Decoupled weight decay of 'adamw': before each step the weights (not
        the biases) are multiplied by ``1 - learning_rate * weight_decay``.

    warmup_fraction : float, default=0.0
        Share of ``max_iter`` (rounded up to whole epochs) during which the
        learning rate ramps linearly up to the schedule's, in [0, 1).

    max_grad_norm : float or None, default=None
        Clip each minibatch's gradient (all parameters together) to this
        Euclidean norm; None disables clipping.

    early_stopping_metric : {'score', 'loss'}, default='score'
        What early stopping monitors on the validation set: the score
        (accuracy or R^2, as scikit-learn) or the loss.

    restore_best_weights : bool, default=False
        Without ``early_stopping``, end training with the weights of the epoch
        of lowest training loss (with ``early_stopping`` the best validation
        weights are always restored).

    categorical_features : array-like of {bool, int, str} or 'from_dtype' or \
None, default=None
        Columns to learn an embedding for (not in scikit-learn's MLP; the
        values mean what they mean in HistGradientBoosting): None, no column
        (nothing changes); a boolean mask of shape (n_features,); integer
        indices; feature names (X a DataFrame); or 'from_dtype', the columns of
        pandas category dtype (a column of strings is then an error: convert it
        to category or name it). A categorical column may hold numbers or
        strings (numbers of any dtype: 1 and 1.0 are one level; unlike
        HistGradientBoosting, negative numbers are levels too). Its levels are
        learned at the first fit, as ``OrdinalEncoder`` learns them (the sorted
        distinct values, missing values excluded; at most
        ``MAX_CATEGORICAL_LEVELS``, 1,000,000, per column), and kept by
        ``warm_start`` and ``partial_fit``. Each column's embedding table has
        one more learned row, shared by every level not seen at the first fit
        and by missing values (NaN, None, ``pd.NA``), at predict time and in
        later training calls. The vectors, after the numeric columns, feed the
        first hidden layer; the tables are weights for ``alpha``, ``l1_ratio``
        and ``weight_decay``. Needs dense X. The columns cannot change under
        ``warm_start`` or ``partial_fit``.

    embedding_dim : int or 'auto', default='auto'
        Width of each categorical column's vectors: an int for every column,
        or 'auto', ``min(16, round(1.6 * n_levels ** 0.56))`` (at least 1) per
        column: 2 for 1 or 2 levels, 3 for 3, 6 for 10, 16 from 58 on. Ignored
        without categorical columns; cannot change under ``warm_start`` or
        ``partial_fit``.
"""

COMMON_ATTRIBUTES = """\
    loss_ : float
        The loss at the end of the last epoch (or of L-BFGS).

    best_loss_ : float or None
        Minimum training loss reached; None when ``early_stopping=True``.
        Stochastic solvers only.

    loss_curve_ : list of float
        Mean training loss of each epoch. Stochastic solvers only.

    validation_scores_ : list of float or None
        Validation score of each epoch when there is a validation set
        (``early_stopping`` or ``X_val``), else None.

    validation_loss_curve_ : list of float or None
        Validation loss of each epoch when there is a validation set, else None.

    best_validation_score_ : float or None
        Under ``early_stopping``, the validation score of the restored epoch
        (the best score, or the score at the lowest validation loss), else None.

    t_ : int
        Number of training samples seen by the solver.

    coefs_ : list of ndarray of shape (n_in, n_out)
        Weight matrix of each layer.

    intercepts_ : list of ndarray of shape (n_out,)
        Bias vector of each layer.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when X had string column names.

    n_iter_ : int
        Epochs (or L-BFGS iterations) run by the last fit.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of outputs.

    n_params_ : int
        Number of learned parameters, ``sum_l n_l * (n_{l-1} + 1)`` over the
        dense layers (plus those of any other layer, embedding tables
        included); see ``summary()``.

    out_activation_ : str
        Name of the output activation.

    is_categorical_ : ndarray of shape (`n_features_in_`,), dtype=bool
        Which columns were embedded. Only when ``categorical_features`` picked
        at least one column.

    categories_ : list of ndarray
        The levels of each categorical column, in column order, sorted; code
        ``k`` of a column is its level ``categories_[j][k]``. Only with
        categorical columns.

    embeddings_ : list of ndarray of shape (n_levels + 1, embedding_dim)
        Each categorical column's table, views into the parameters (modify them
        in place): row ``k`` is the vector of level ``categories_[j][k]``, the
        last row that of unknown levels and missing values. They start from
        ``N(0, 0.01 ** 2)``, drawn after the dense weights. ``coefs_[0]`` then
        has ``n_numeric + sum(embedding widths)`` rows: the numeric columns in
        input order, then each column's vector. Only with categorical columns.
"""
