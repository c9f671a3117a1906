"""scikit-learn's estimator checks over every public estimator, found automatically."""

import warnings

from skdenoise.exceptions import TargetIgnoredWarning

from ._discovery import (
    expected_failed_checks,
    public_estimators,
    stable_parametrize_with_checks,
    tiny_instance,
)

ESTIMATORS = [tiny_instance(cls) for _, cls in public_estimators()]


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


@stable_parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TargetIgnoredWarning)
        check(estimator)
