"""GpuEnet and GpuEnetCV: scikit-learn-style estimators over the ``gpuenet`` command line (numpy only)."""

import inspect
import json
import os
import tempfile
import warnings

import numpy as np

from ._cli import run_cli

_TARGET = "__gpuenet_target__"
_WEIGHT = "__gpuenet_weight__"


try:  # scikit-learn is optional: where it is installed, its own NotFittedError is the base, so its checks see one.
    from sklearn.exceptions import NotFittedError as _SklearnNotFitted
except ImportError:  # pragma: no cover - depends on the environment
    _SklearnNotFitted = None

if _SklearnNotFitted is not None:

    class NotFittedError(_SklearnNotFitted):
        """A method that needs a fitted estimator was called before ``fit`` (scikit-learn's NotFittedError)."""

else:

    class NotFittedError(ValueError, AttributeError):
        """A method that needs a fitted estimator was called before ``fit`` (a ValueError and an AttributeError)."""


class DataConversionWarning(UserWarning):
    """The input was converted to the shape the estimator needs (scikit-learn's warning of the same name)."""


def _is_sparse(x):
    module = type(x).__module__ or ""
    return module.startswith("scipy.sparse") or (hasattr(x, "tocsr") and hasattr(x, "nnz"))


def _check_X(X, estimator):
    """X as a 2-D float64 array; NaN (missing) is allowed and imputed, infinity is not."""
    if X is None:
        raise ValueError(f"{estimator} needs X, got None.")
    if _is_sparse(X):
        raise TypeError(f"{estimator} does not accept sparse input: pass a dense array (X.toarray()).")
    arr = np.asarray(X)
    if np.iscomplexobj(arr):
        raise ValueError("Complex data not supported: X must be real.")
    if arr.dtype.kind == "O":
        arr = arr.astype(np.float64)  # a non-numeric object raises float()'s TypeError, naming the bad type
    elif arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except ValueError as e:
            raise ValueError(f"X must be numeric: {e}") from None
    else:
        arr = arr.astype(np.float64, copy=False)
    if arr.ndim != 2:
        raise ValueError(
            f"Expected a 2D array, got a {arr.ndim}D array of shape {arr.shape} instead. Reshape your data using "
            "X.reshape(-1, 1) if it has a single feature or X.reshape(1, -1) if it is a single sample."
        )
    n, p = arr.shape
    if n < 1:
        raise ValueError(f"Found array with 0 sample(s) (shape={arr.shape}) while a minimum of 1 is required.")
    if p < 1:
        raise ValueError(f"Found array with 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required.")
    if np.isinf(arr).any():
        raise ValueError("Input X contains infinity or a value too large for dtype('float64').")
    return arr


def _check_y(y, n, estimator):
    if y is None:
        raise ValueError(f"{estimator} requires y to be passed, but the target y is None.")
    arr = np.asarray(y)
    if np.iscomplexobj(arr):
        raise ValueError("Complex data not supported: y must be real.")
    try:
        arr = arr.astype(np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"y must be numeric: {e}") from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the shape of y to "
            "(n_samples, ), for example using ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {arr.shape} instead.")
    if arr.shape[0] != n:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: [{n}, {arr.shape[0]}]")
    if np.isnan(arr).any():
        raise ValueError("Input y contains NaN.")
    if np.isinf(arr).any():
        raise ValueError("Input y contains infinity or a value too large for dtype('float64').")
    return arr


def _check_weights(sample_weight, n):
    if sample_weight is None:
        return None
    arr = np.asarray(sample_weight, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"sample_weight.shape == {arr.shape}, expected {(n,)}!")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError("sample_weight must be finite and non-negative.")
    if not arr.sum() > 0:
        raise ValueError("sample_weight must have a positive sum.")
    return arr


def _number(v):
    return repr(float(v))


class _GpuEnetBase:
    """Parameters, fitting through the CLI and prediction shared by both estimators."""

    _estimator_type = "regressor"

    # --- scikit-learn's parameter protocol -------------------------------------------------------------------------

    @classmethod
    def _get_param_names(cls):
        signature = inspect.signature(cls.__init__)
        return sorted(p.name for p in signature.parameters.values() if p.name != "self")

    def get_params(self, deep=True):
        """The constructor parameters as a dict (``deep`` is accepted for compatibility: there are no sub-estimators)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Sets constructor parameters; returns self. An unknown name is a ValueError."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. Valid parameters are: {valid!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values() if p.name != "self"
        }
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if not _same(v, defaults.get(k))]
        return f"{type(self).__name__}({', '.join(changed)})"

    def _more_tags(self):
        # Missing cells (NaN) are imputed with the fill values learnt at fit, as the CLI does.
        return {"allow_nan": True, "requires_y": True}

    # --- fitting ---------------------------------------------------------------------------------------------------

    def _common_options(self):
        args = []
        l1 = self.l1_ratio
        ratios = [l1] if np.isscalar(l1) else list(l1)
        args += ["--l1-ratio", ",".join(_number(a) for a in ratios)]
        if self.n_alphas is not None:
            args += ["--nlambda", str(int(self.n_alphas))]
        if self.alpha_min_ratio is not None:
            args += ["--lambda-min-ratio", _number(self.alpha_min_ratio)]
        args += ["--standardize", "true" if self.standardize else "false"]
        args += ["--intercept", "true" if self.fit_intercept else "false"]
        args += ["--tol", _number(self.tol)]
        args += ["--impute", str(self.impute)]
        if self.missing_indicators:
            args += ["--missing-indicators"]
        args += ["--device", str(self.device), "--precision", str(self.precision)]
        if self.n_jobs is not None:
            args += ["--threads", str(int(self.n_jobs))]
        return args

    def _folds(self, n, w):
        """Fold ids (1..K, 0 = in no fold) for ``gpuenet cv --foldid``; None for a plain fit."""
        return None

    def _fit_cli(self, command, X, y, sample_weight, extra):
        name = type(self).__name__
        X = _check_X(X, name)
        n, p = X.shape
        y = _check_y(y, n, name)
        w = _check_weights(sample_weight, n)
        if n < 2:
            raise ValueError(f"{name} needs at least 2 samples to fit, got 1 sample.")
        folds = self._folds(n, w)
        with tempfile.TemporaryDirectory(prefix="gpuenet-") as tmp:
            data = os.path.join(tmp, "data.npy")
            # Fortran order: the CLI memory-maps a float64 Fortran .npy column by column instead of copying it.
            columns = p + 1 + (w is not None)
            stored = np.lib.format.open_memmap(data, mode="w+", dtype=np.float64, shape=(n, columns), fortran_order=True)
            stored[:, :p] = X
            stored[:, p] = y
            if w is not None:
                stored[:, p + 1] = w
            stored.flush()
            del stored
            names = [f"x{j + 1}" for j in range(p)] + [_TARGET] + ([_WEIGHT] if w is not None else [])
            with open(data + ".names", "w", encoding="utf-8") as f:
                f.write("\n".join(names) + "\n")
            model = os.path.join(tmp, "model.gnet")
            result = os.path.join(tmp, "fit.json")
            args = [command, "--data", data, "--target", _TARGET, "--out", model, "--json", result, "--quiet"]
            if w is not None:
                args += ["--weights", _WEIGHT]
            if folds is not None:
                foldid = os.path.join(tmp, "folds.txt")
                np.savetxt(foldid, folds, fmt="%d")
                args += ["--foldid", foldid]
            # Small problems are dominated by the CLI's start-up, which tiered compilation halves; large ones keep the
            # CLI's own choice (fully optimised code from the first call).
            run_cli(args + self._common_options() + extra, cwd=tmp, quick_start=n * p <= 1_000_000)
            with open(result, encoding="utf-8") as f:
                fit = json.load(f)
            with open(model, "rb") as f:
                model_bytes = f.read()
            details = json.loads(run_cli(["inspect", "--model", model, "--json"], cwd=tmp))
        self._store(fit, details, model_bytes, p)
        return self

    def _store(self, fit, details, model_bytes, p):
        selected = fit["selected"]
        path = next(q for q in fit["paths"] if q["l1_ratio"] == selected["l1_ratio"])
        lambdas = np.asarray(path["lambda"], dtype=np.float64)
        k = int(np.argmin(np.abs(lambdas - selected["lambda"])))
        features = fit["features"]
        full = np.zeros(len(features))
        beta = path["beta"][k]
        full[np.asarray(beta["index"], dtype=np.int64)] = beta["value"]
        prep = details["preprocessing"]
        self.n_features_in_ = p
        self.coef_ = full[:p]
        self.indicator_coef_ = full[p:]
        self.indicator_columns_ = np.asarray(prep["indicator_columns"], dtype=np.int64)
        self.fill_values_ = np.array([np.nan if v is None else v for v in prep["fill_values"]], dtype=np.float64)
        self.intercept_ = float(path["intercept"][k])
        self.alpha_ = float(selected["lambda"])
        self.l1_ratio_ = float(selected["l1_ratio"])
        self.alphas_ = lambdas
        self.dual_gap_ = float(path["dual_gap"][k])
        self.paths_ = fit["paths"]
        self.model_ = model_bytes

    # --- using a fit -----------------------------------------------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with appropriate arguments "
                "before using this estimator."
            )

    def predict(self, X):
        """Predictions intercept_ + X·coef_ (+ indicator terms), NaN cells filled with the training fill values.

        A NaN in a column with a non-zero coefficient and no fill value (``impute='none'``) is a ValueError naming
        its row and column, as ``gpuenet predict`` reports it.
        """
        self._check_fitted()
        X = _check_X(X, type(self).__name__)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting {self.n_features_in_} "
                "features as input."
            )
        missing = np.isnan(X)
        if missing.any():
            unfillable = missing & ((self.coef_ != 0) & np.isnan(self.fill_values_))[np.newaxis, :]
            if unfillable.any():
                row, col = np.argwhere(unfillable)[0]
                raise ValueError(
                    f"Row {row + 1}, column x{col + 1}: the value is missing and the model has no fill value for it "
                    "(it was trained with impute='none')."
                )
            X = np.where(missing, self.fill_values_[np.newaxis, :], X)
        prediction = X @ self.coef_ + self.intercept_
        if self.indicator_coef_.size:
            prediction = prediction + missing[:, self.indicator_columns_].astype(np.float64) @ self.indicator_coef_
        return prediction

    def score(self, X, y, sample_weight=None):
        """The coefficient of determination R² of ``predict(X)`` against ``y`` (weighted when weights are given)."""
        prediction = self.predict(X)
        y = _check_y(y, prediction.shape[0], type(self).__name__)
        w = np.ones_like(y) if sample_weight is None else _check_weights(sample_weight, y.shape[0])
        residual = np.sum(w * (y - prediction) ** 2)
        total = np.sum(w * (y - np.average(y, weights=w)) ** 2)
        if total == 0:
            return 1.0 if residual == 0 else 0.0
        return float(1 - residual / total)

    def save_model(self, path):
        """Writes the fitted model in GpuEnet's model format (``gpuenet predict``/``inspect``/``export`` read it)."""
        self._check_fitted()
        with open(path, "wb") as f:
            f.write(self.model_)

    def export_onnx(self, path, precision="float64"):
        """Writes the selected solution as a self-contained ONNX graph (``gpuenet export``); its input is X [N, p]."""
        self._check_fitted()
        with tempfile.TemporaryDirectory(prefix="gpuenet-") as tmp:
            model = os.path.join(tmp, "model.gnet")
            self.save_model(model)
            run_cli(["export", "--model", model, "--onnx", os.path.abspath(path), "--precision", precision, "--quiet"], cwd=tmp)


def _same(a, b):
    try:
        return a is b or bool(a == b)
    except (TypeError, ValueError):
        return False


class GpuEnet(_GpuEnetBase):
    """Elastic Net fit by the ``gpuenet`` CLI (``gpuenet fit``), with scikit-learn's conventions.

    Objective (weights w summing to 1): 1/2 Σ w_i (y_i − b0 − x_iᵀb)² + alpha · (l1_ratio·|b|₁ + (1 − l1_ratio)/2·|b|₂²),
    scikit-learn's ``alpha`` being glmnet's and the CLI's λ. Columns are standardised by default (glmnet's convention);
    ``coef_`` is always on the original scale. Missing cells (NaN) in X are imputed (``impute``), learnt at fit.

    Parameters
    ----------
    alpha : float or None
        λ. None fits the CLI's default path of ``n_alphas`` values and keeps its last (smallest) λ.
    l1_ratio : float
        Mixing, 1 = lasso, 0 = ridge.
    n_alphas, alpha_min_ratio : int, float or None
        Length and smallest ratio of the default path (used when alpha is None).
    fit_intercept, standardize : bool
    tol : float
        Coordinate-descent tolerance relative to the null deviance (glmnet's thresh).
    impute : {'mean', 'median', 'mode', 'none'}
    missing_indicators : bool
        Add a 0/1 feature per column with missing training cells (``indicator_coef_``).
    device : {'auto', 'cpu', 'cuda', 'ilgpu-cpu'}
    precision : {'float64', 'float32'}
    n_jobs : int or None
        CPU threads (None: all cores).

    Attributes
    ----------
    coef_, intercept_, alpha_, l1_ratio_, n_features_in_, alphas_ (the λ of the fitted path), dual_gap_,
    fill_values_, indicator_columns_, indicator_coef_, paths_ (the CLI's JSON paths), model_ (the model file's bytes).
    """

    def __init__(
        self,
        alpha=None,
        l1_ratio=0.5,
        n_alphas=100,
        alpha_min_ratio=None,
        fit_intercept=True,
        standardize=True,
        tol=1e-7,
        impute="mean",
        missing_indicators=False,
        device="auto",
        precision="float64",
        n_jobs=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.n_alphas = n_alphas
        self.alpha_min_ratio = alpha_min_ratio
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.tol = tol
        self.impute = impute
        self.missing_indicators = missing_indicators
        self.device = device
        self.precision = precision
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None):
        """Fits by running ``gpuenet fit``; returns self."""
        if not np.isscalar(self.l1_ratio):
            raise ValueError("GpuEnet takes one l1_ratio; GpuEnetCV chooses among several.")
        extra = [] if self.alpha is None else ["--lambda", _number(self.alpha)]
        return self._fit_cli("fit", X, y, sample_weight, extra)


class GpuEnetCV(_GpuEnetBase):
    """Elastic Net with λ (``alpha_``) and ``l1_ratio_`` chosen by k-fold cross-validation (``gpuenet cv``).

    Parameters are those of :class:`GpuEnet` except ``alpha``, plus:

    l1_ratio : float or sequence of floats
        The l1_ratio values to search (all solved in one batch).
    alphas : sequence of floats or None
        A user λ sequence instead of the default one.
    cv : int
        Number of folds (≥ 2). Folds are formed over the rows with a positive weight: contiguous blocks in row order
        when ``random_state`` is None (scikit-learn's ``KFold``), a seeded shuffle otherwise; they are handed to the CLI
        as ``--foldid``, so rows of weight 0 are in no fold.
    select : {'min', '1se'}
        λ with the least CV error, or the largest λ within one standard error of it.
    random_state : int or None

    Attributes
    ----------
    Those of :class:`GpuEnet`, plus ``cv_results_``: per l1_ratio its λ, mean held-out MSE, its standard error,
    lambda_min and lambda_1se.
    """

    def __init__(
        self,
        l1_ratio=0.5,
        n_alphas=100,
        alphas=None,
        alpha_min_ratio=None,
        cv=5,
        select="min",
        fit_intercept=True,
        standardize=True,
        tol=1e-7,
        impute="mean",
        missing_indicators=False,
        device="auto",
        precision="float64",
        n_jobs=None,
        random_state=None,
    ):
        self.l1_ratio = l1_ratio
        self.n_alphas = n_alphas
        self.alphas = alphas
        self.alpha_min_ratio = alpha_min_ratio
        self.cv = cv
        self.select = select
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.tol = tol
        self.impute = impute
        self.missing_indicators = missing_indicators
        self.device = device
        self.precision = precision
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _folds(self, n, w):
        k = self.cv
        rows = np.arange(n) if w is None else np.flatnonzero(w > 0)
        if rows.size < k:
            raise ValueError(f"Cannot have number of folds cv={k} greater than the number of samples: {rows.size}.")
        if self.random_state is not None:
            rows = rows[np.random.RandomState(self.random_state).permutation(rows.size)]
        folds = np.zeros(n, dtype=np.int64)
        for fold, block in enumerate(np.array_split(rows, k)):
            folds[block] = fold + 1
        return folds

    def fit(self, X, y, sample_weight=None):
        """Cross-validates by running ``gpuenet cv``; returns self."""
        k = self.cv
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
            raise ValueError(f"cv must be a whole number of folds ≥ 2, got {k!r}.")
        extra = ["--folds", str(int(k)), "--select", str(self.select)]
        if self.alphas is not None:
            extra += ["--lambda", ",".join(_number(a) for a in self.alphas)]
        self._fit_cli("cv", X, y, sample_weight, extra)
        self.cv_results_ = {
            "l1_ratio": [q["l1_ratio"] for q in self.paths_],
            "alphas": [np.asarray(q["lambda"]) for q in self.paths_],
            "mean_mse": [np.asarray(q["cv"]["cvm"]) for q in self.paths_],
            "std_mse": [np.asarray(q["cv"]["cvsd"]) for q in self.paths_],
            "alpha_min": [q["cv"]["lambda_min"] for q in self.paths_],
            "alpha_1se": [q["cv"]["lambda_1se"] for q in self.paths_],
        }
        return self
