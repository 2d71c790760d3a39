"""Runs scikit-learn's check_estimator on GpuEnet and GpuEnetCV, check by check, and prints a JSON summary.

Run by Debian's /usr/bin/python3 with python3-sklearn (1.2.1); tests/Python/PythonPackageTests.cs runs it from the C#
suite. Exit code 0 only when every check that scikit-learn yields for the estimator passed and none was skipped.

Each check is run as check_estimator(generate_only=True) yields it (the same (estimator, check) pairs that
check_estimator(estimator) runs, in the same order), so a failure names the check instead of stopping the run; a check that raises SkipTest is counted as skipped (and fails the run). The checks scikit-learn does not yield
for these estimators are listed in NOT_APPLICABLE with the reason, taken from the tags and the estimator type that
decide it in sklearn/utils/estimator_checks.py.
"""

import json
import sys
import time
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sklearn  # noqa: E402
from sklearn.exceptions import SkipTestWarning  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

from gpuenet import GpuEnet, GpuEnetCV  # noqa: E402

NOT_APPLICABLE = {
    "check_estimators_nan_inf": "tag allow_nan=True: NaN in X is a missing cell, imputed with the fill value learnt at "
    "fit (the CLI's contract); infinity is still refused, which test_behaviour checks",
    "check_classifiers_* / check_classifier_*": "a regressor (_estimator_type = 'regressor'), not a classifier",
    "check_transformer_* / check_transformers_*": "no transform method",
    "check_clustering* / check_clusterer_*": "not a clusterer",
    "check_outlier*": "not an outlier detector",
    "check_regressor_multioutput": "tag multioutput=False: one target per fit",
    "check_nonsquare_error": "tag pairwise=False: X is a feature matrix, not a kernel",
    "check_sparsify_coefficients": "no sparsify method (coefficients are dense numpy arrays)",
    "check_fit_non_negative": "tag requires_positive_X=False",
}

# Yielded and run, but they test nothing here (they pass without calling the estimator): listed so that their pass is
# not read as more than it is.
VACUOUS = {
    "check_non_transformer_estimators_n_iter": "only estimators with a max_iter parameter are fitted; these have none "
    "(the CLI iterates to the tolerance tol)",
    "check_estimators_partial_fit_n_features": "only estimators with partial_fit are fitted; these have none",
}


def run(estimator):
    results = []
    for est, check in check_estimator(estimator, generate_only=True):
        name = getattr(check, "func", check).__name__
        keywords = getattr(check, "keywords", {})
        label = name + (f"({', '.join(f'{k}={v}' for k, v in keywords.items())})" if keywords else "")
        start = time.time()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                check(est)
                outcome, detail = "passed", ""
            except Exception as e:  # noqa: BLE001 - a check's failure is reported, not raised
                skip = type(e).__name__ == "SkipTest"
                outcome = "skipped" if skip else "failed"
                detail = str(e) if skip else traceback.format_exc(limit=6)
        skips = [str(w.message) for w in caught if issubclass(w.category, SkipTestWarning)]
        if skips and outcome == "passed":
            outcome, detail = "skipped", "; ".join(skips)
        results.append({"check": label, "outcome": outcome, "seconds": round(time.time() - start, 2), "detail": detail})
    return results


def test_behaviour():
    """What check_estimator leaves out: infinity refused, predict before fit, NaN imputed as the CLI does."""
    import numpy as np

    from gpuenet import NotFittedError

    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4))
    y = 3 * X[:, 0] - X[:, 2] + 0.05 * rng.normal(size=50)
    failures = []

    def expect(error, what, call):
        try:
            call()
            failures.append(f"{what}: no {error.__name__}")
        except error:
            pass

    expect(NotFittedError, "predict before fit", lambda: GpuEnet().predict(X))
    bad = X.copy()
    bad[1, 1] = np.inf
    expect(ValueError, "infinite X", lambda: GpuEnet().fit(bad, y))
    missing = X.copy()
    missing[::7, 0] = np.nan
    for est in (GpuEnet(missing_indicators=True), GpuEnetCV(l1_ratio=(1.0, 0.5), random_state=0)):
        est.fit(missing, y)
        means = np.nanmean(missing, axis=0)
        if not np.allclose(est.fill_values_, means, rtol=0, atol=1e-12):
            failures.append(f"{type(est).__name__}: fill values {est.fill_values_} are not the column means {means}")
        by_hand = np.where(np.isnan(missing), means, missing) @ est.coef_ + est.intercept_
        if est.indicator_coef_.size:
            by_hand += np.isnan(missing[:, est.indicator_columns_]) @ est.indicator_coef_
        if not np.allclose(est.predict(missing), by_hand, rtol=1e-12, atol=1e-12):
            failures.append(f"{type(est).__name__}: predict on missing cells differs from imputation by hand")
        if est.score(X, y) < 0.95:
            failures.append(f"{type(est).__name__}: R² {est.score(X, y)} on an easy problem")
    strict = GpuEnet(impute="none", alpha=0.01).fit(X, y)
    expect(ValueError, "a missing cell without a fill value", lambda: strict.predict(missing))
    return failures


def main():
    summary = {"sklearn": sklearn.__version__, "estimators": {}, "not_applicable": NOT_APPLICABLE, "vacuous": VACUOUS}
    ok = True
    for estimator in (GpuEnet(), GpuEnetCV()):
        results = run(estimator)
        counts = {o: sum(r["outcome"] == o for r in results) for o in ("passed", "failed", "skipped")}
        summary["estimators"][type(estimator).__name__] = {"counts": counts, "checks": results}
        ok &= counts["failed"] == 0 and counts["skipped"] == 0 and counts["passed"] > 0
    failures = test_behaviour()
    summary["behaviour_failures"] = failures
    ok &= not failures
    print(json.dumps(summary, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
