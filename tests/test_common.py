"""scikit-learn's estimator checks over every public estimator, found automatically."""

import warnings

from sklearn.utils.estimator_checks import parametrize_with_checks

from skdenoise.exceptions import TargetIgnoredWarning

from ._discovery import public_estimators, tiny_instance

ESTIMATORS = [tiny_instance(cls) for _, cls in public_estimators()]


# scikit-learn's checks pass y as 1-D class labels, which mean nothing to a
# denoiser. fit(X, labels) ignores them with a TargetIgnoredWarning (fit(X) is
# meaningful), but score(X, labels) has no clean series to compare with and raises
# a ValueError saying so. That is the only expected failure.
Y_LABELS_REASON = (
    "score(X, y) needs y to be the clean series; the check passes 1-D class labels"
)


# The tools of skdenoise.pipeline accept series of any number of timesteps after
# fit (long recordings are what they are for), so the checks that a different
# number of features in transform raises an error do not apply to them.
ANY_LENGTH_REASON = "transform accepts series of any length, by design"
ANY_LENGTH = {"WindowedDenoiser", "SeriesScaler", "SeriesWindower"}


def expected_failed_checks(estimator):
    failed = {}
    if hasattr(estimator, "score"):
        failed["check_fit_score_takes_y"] = Y_LABELS_REASON
        failed["check_pipeline_consistency"] = Y_LABELS_REASON
    name = type(estimator).__name__
    if name in ANY_LENGTH:
        for check in [
            "check_n_features_in_after_fitting",
            "check_transformer_general",
            "check_transformer_general(readonly_memmap=True)",
        ]:
            failed[check] = ANY_LENGTH_REASON
    return failed


def test_every_public_estimator_is_checked():
    names = {type(est).__name__ for est in ESTIMATORS}
    for expected in [
        "LSTMDenoiser",
        "GRUDenoiser",
        "CNNLSTMDenoiser",
        "ConvAutoencoderDenoiser",
        "VAEDenoiser",
        "UNetDenoiser",
    ]:
        assert expected in names


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TargetIgnoredWarning)
        check(estimator)
