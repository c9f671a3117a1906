"""Every public estimator of the package, for the common tests (from the registry)."""

import functools
import re

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdenoise.utils import all_estimators


def stable_parametrize_with_checks(estimators, expected_failed_checks=None, **kwargs):
    """scikit-learn's ``parametrize_with_checks``, each expected failure checked.

    A check that ``expected_failed_checks(estimator)`` names (with its reason)
    must fail the way its reason says (:data:`HOW_IT_FAILS`), not just fail:
    an expected failure marked ``xfail`` would also pass on any other error,
    such as a read-only input refused before the step the reason is about.
    The ids are free of memory addresses: an estimator whose parameters
    include a function has ``at 0x...`` in its repr, which differs between
    processes, and pytest-xdist needs every worker to collect the same ids.
    """
    mark = parametrize_with_checks(estimators, **kwargs).mark
    ids = mark.kwargs["ids"]

    def stable(obj):
        return re.sub(r"at0x[0-9a-fA-F]+", "", str(ids(obj)))

    params = []
    for estimator, check in mark.args[1]:
        expected = expected_failed_checks(estimator) if expected_failed_checks else {}
        test_id = f"{stable(estimator)}-{stable(check)}"
        reason = expected.get(_check_name(check))
        if reason is not None:
            check = _fails_as(check, reason)
        params.append(pytest.param(estimator, check, id=test_id))
    return pytest.mark.parametrize(mark.args[0], params)


def _check_name(check):
    while hasattr(check, "__wrapped__"):
        check = check.__wrapped__
    return (
        check.func.__name__ if isinstance(check, functools.partial) else check.__name__
    )


def _fails_as(check, reason):
    """``check``, passing only where it fails in the way ``reason`` names."""
    kind, pattern = HOW_IT_FAILS[reason]

    def expected_failure(estimator, *args, **kwargs):
        with pytest.raises(kind, match=pattern):
            check(estimator, *args, **kwargs)

    expected_failure.__wrapped__ = check
    return expected_failure


def public_estimators():
    """(name, class) of every concrete public estimator, sorted by name."""
    return all_estimators()


def tiny_instance(cls):
    """An instance with the class's small test configuration, if it has one."""
    params = cls._get_test_params() if hasattr(cls, "_get_test_params") else {}
    return cls(**params)


# scikit-learn's checks pass y as 1-D class labels, which mean nothing to a
# denoiser. fit(X, labels) ignores them with a TargetIgnoredWarning (fit(X) is
# meaningful), but score(X, labels) has no clean series to compare with and raises
# a ValueError saying so. For the denoisers that is the only expected failure.
Y_LABELS_REASON = (
    "score(X, y) needs y to be the clean series; the check passes 1-D class labels"
)


# The windowing tools and the series scaler accept series of any number of
# timesteps after fit (long recordings are what they are for), so the checks that
# a different number of features in transform raises an error do not apply.
ANY_LENGTH_REASON = "transform accepts series of any length, by design"


# Around a fixed-length estimator, ResampledDenoiser takes every length that
# resamples to the estimator's, and names a wrong one in samples and hertz.
RESAMPLED_LENGTH_REASON = (
    "several lengths resample to the inner estimator's; a wrong one is named in "
    "samples and hertz, not as a number of features"
)


# KerasDenoiser(model, model__units=64): the network builder's own arguments
# are hyper-parameters taken as keyword arguments, which get_params, set_params
# and clone see, but which the check reads from __init__'s signature.
MODEL_PARAMS_REASON = (
    "a KerasDenoiser's model__ hyper-parameters are keyword arguments, which the "
    "check looks for in __init__'s signature; get_params, set_params and clone "
    "see them"
)


def expected_failed_checks(estimator):
    """The checks expected to fail for ``estimator``, each with its reason."""
    failed = {}
    if any(name.startswith("model__") for name in estimator.get_params(deep=False)):
        failed["check_no_attributes_set_in_init"] = MODEL_PARAMS_REASON
    if hasattr(estimator, "score"):
        failed["check_fit_score_takes_y"] = Y_LABELS_REASON
        failed["check_pipeline_consistency"] = Y_LABELS_REASON
    any_length = getattr(estimator, "_any_length", False)
    if type(estimator).__name__ == "ResampledDenoiser":
        # It refuses the lengths that a fixed-length estimator inside refuses,
        # in its own words: several lengths resample to the one it takes.
        any_length = getattr(estimator.estimator, "_any_length", True)
        if not any_length:
            failed["check_n_features_in_after_fitting"] = RESAMPLED_LENGTH_REASON
    if any_length:
        for check in [
            "check_n_features_in_after_fitting",
            # both of them: the plain one and the one on read-only memmaps
            "check_transformer_general",
        ]:
            failed[check] = ANY_LENGTH_REASON
    return failed


#: How each expected failure fails: the exception and a pattern of its message.
HOW_IT_FAILS = {
    Y_LABELS_REASON: (ValueError, r"must be the clean series"),
    ANY_LENGTH_REASON: (
        AssertionError,
        r"does not raise an error when the number of features in transform is "
        r"different|does not check for consistency between input number",
    ),
    RESAMPLED_LENGTH_REASON: (
        AssertionError,
        r"does not check for consistency between input number",
    ),
    MODEL_PARAMS_REASON: (
        AssertionError,
        r"should not set any attribute apart from parameters during init\. "
        r"Found attributes \['model__",
    ),
}
