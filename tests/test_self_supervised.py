"""Self-supervised denoising: blind-spot training, Noise2Noise, J-invariant scores."""

import os
import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from skdenoise._masking import grid_masks, interpolate_masked, neighbour_masked
from skdenoise.baselines import SavitzkyGolayDenoiser
from skdenoise.datasets import make_sines
from skdenoise.exceptions import TargetIgnoredWarning
from skdenoise.metrics import snr
from skdenoise.model_selection import (
    SelfSupervisedScorer,
    j_invariant_transform,
    self_supervised_scorer,
)

os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")


def _noisy_sines(n_series=24, n_timesteps=128, sigma=0.6, seed=0):
    clean = make_sines(n_series, n_timesteps, frequency_range=(1, 4), random_state=seed)
    noise = np.random.default_rng(seed + 1).normal(scale=sigma, size=clean.shape)
    return clean, clean + noise


class _Identity:
    """A 'denoiser' that returns its input (sees the centre sample fully)."""

    def transform(self, X):
        return np.array(X, dtype=np.float64)


# ------------------------------------------------------------------- masking
@pytest.mark.parametrize("width", [1, 3])
@pytest.mark.parametrize("replacement", ["neighbour", "interpolate"])
def test_masked_input_does_not_depend_on_hidden_values(width, replacement):
    from skdenoise.neural._blind_spot import BlindSpotMasker

    X = np.random.default_rng(0).normal(size=(6, 200, 2))
    masker = BlindSpotMasker(width, 0.1, replacement=replacement)
    with pytest.raises(ValueError, match="replacement must be"):
        BlindSpotMasker(width, 0.1, replacement="typo")  # was "neighbour"
    hidden, centres = masker.draw(X.shape, np.random.default_rng(5))
    changed = X.copy()
    changed[hidden] += 1000.0 + np.arange(hidden.sum())
    masked_a, centres_a = masker.apply(X, np.random.default_rng(5))
    masked_b, centres_b = masker.apply(changed, np.random.default_rng(5))
    np.testing.assert_array_equal(centres_a, centres)
    np.testing.assert_array_equal(centres_a, centres_b)
    # Nothing of the hidden values reaches the network's input.
    np.testing.assert_array_equal(masked_a, masked_b)
    assert np.max(np.abs(masked_b)) < 100
    # Visible samples are untouched; the input is not written to.
    np.testing.assert_array_equal(masked_a[~hidden], X[~hidden])
    # Each centre lies in a hidden span of `width` samples.
    assert np.all(hidden[centres])
    assert hidden.sum() == width * centres.sum()


def test_mask_share_follows_mask_fraction():
    from skdenoise.neural._blind_spot import BlindSpotMasker

    # The share used to be rounded through the segment length (0.4 hid 0.5,
    # 0.2 with spans of 3 hid 0.18) and capped silently (0.9 hid 0.5).
    for width, fraction in ((1, 0.05), (1, 0.2), (1, 0.4), (3, 0.2), (4, 0.75)):
        hidden, _ = BlindSpotMasker(width, fraction).draw(
            (4, 1000, 1), np.random.default_rng(0)
        )
        assert abs(hidden.mean() - fraction) < 0.005, (width, fraction)
    with pytest.raises(ValueError, match=r"mask_fraction=0\.9 cannot .* at most 0\.5"):
        BlindSpotMasker(1, 0.9)


def test_masks_are_shared_by_the_channels_of_a_series():
    from skdenoise.neural._blind_spot import BlindSpotMasker

    # Noise common to the channels showed a hidden sample's noise in another
    # channel: a network learned the identity from two copies of a series.
    hidden, centres = BlindSpotMasker(3, 0.1).draw(
        (5, 300, 3), np.random.default_rng(0)
    )
    for mask in (hidden, centres):
        assert np.array_equal(mask[..., 0], mask[..., 1])
        assert np.array_equal(mask[..., 0], mask[..., 2])
    assert not np.array_equal(hidden[0], hidden[1])


def test_masks_reach_every_sample_of_a_series_of_any_length():
    from skdenoise.neural._blind_spot import BlindSpotMasker

    rng = np.random.default_rng(0)
    for n_timesteps in (37, 50, 512):
        masker = BlindSpotMasker(1, 0.05)
        hidden, centres = masker.draw((400, n_timesteps, 1), rng)
        # Every sample is the centre of some span, the last ones included.
        assert centres.any(axis=(0, 2)).all(), n_timesteps
        # One span per segment, whatever the remainder.
        per_series = centres.sum(axis=1)[:, 0]
        assert np.all(per_series == masker.n_segments(n_timesteps))
        assert np.array_equal(hidden, centres)
    # Lengths that are whole numbers of segments draw what they always drew.
    n_series, n_timesteps, period = 6, 60, 20
    _, centres = BlindSpotMasker(1, 0.05).draw(
        (n_series, n_timesteps, 1), np.random.default_rng(3)
    )
    offsets = np.random.default_rng(3).integers(0, period, size=(n_series, 3, 1))
    expected = np.zeros((n_series, n_timesteps, 1), dtype=bool)
    first = np.arange(3)[None, :, None] * period + offsets
    expected[np.arange(n_series)[:, None, None], first, 0] = True
    assert np.array_equal(centres, expected)


def test_neighbour_replacement_uses_visible_neighbours_only():
    X = np.arange(40, dtype=float)[None, :, None]
    hidden = np.zeros(X.shape, dtype=bool)
    hidden[0, 10:13, 0] = True
    hidden[0, 14, 0] = True
    out = neighbour_masked(X, hidden, np.random.default_rng(0), radius=2)
    # The 2 nearest visible samples on each side of 10-12 are 8, 9, 13, 15.
    assert set(out[0, 10:13, 0]) <= {8.0, 9.0, 13.0, 15.0}
    assert set(out[0, 14:15, 0]) <= {9.0, 8.0, 13.0, 15.0, 16.0}


def test_grid_masks_cover_every_sample_once():
    centres = np.zeros(50, dtype=int)
    for hidden, c in grid_masks(50, 3, 6):
        assert np.all(hidden[c])
        centres += c
    np.testing.assert_array_equal(centres, 1)
    X = np.arange(10.0)[None, :, None] ** 2
    hidden = np.zeros(X.shape, dtype=bool)
    hidden[0, 4] = True
    assert interpolate_masked(X, hidden)[0, 4, 0] == (9 + 25) / 2


# --------------------------------------------------------------------- loss
@pytest.mark.parametrize("kind", ["mse", "mae", "huber", "snr", "snr_l1", "ssd_mad"])
def test_masked_loss_counts_only_masked_samples(kind):
    from skdenoise.neural._blind_spot import MaskedLoss

    rng = np.random.default_rng(0)
    target = rng.normal(size=(3, 20, 2)).astype("float32")
    pred = rng.normal(size=target.shape).astype("float32")
    mask = np.zeros(target.shape, dtype="float32")
    mask[:, ::5] = 1.0
    y_true = np.concatenate([target, mask], axis=-1)
    loss = MaskedLoss(kind)
    value = float(loss(y_true, pred))
    other = pred.copy()
    other[mask == 0] += 50.0  # unmasked predictions do not count
    assert float(loss(y_true, other)) == pytest.approx(value, rel=1e-5)
    moved = pred.copy()
    moved[mask == 1] += 1.0  # masked ones do
    assert float(loss(y_true, moved)) != pytest.approx(value, rel=1e-3)
    if kind == "mse":
        per_series = [
            np.mean((target[i] - pred[i])[mask[i] == 1] ** 2) for i in range(3)
        ]
        assert value == pytest.approx(np.mean(per_series), rel=1e-5)
    if kind == "snr_l1":
        cap = 10 ** (-30 / 20)
        sizes = np.where(mask == 1, np.abs(target), 0.0).sum(axis=(1, 2))
        smooth = cap * sizes / mask.sum(axis=(1, 2))
        error = np.abs(target - pred).astype(np.float64)
        rho = np.sqrt(error**2 + smooth[:, None, None] ** 2) - smooth[:, None, None]
        errors = np.where(mask == 1, rho, 0.0).sum(axis=(1, 2))
        expected = 20 * np.log10(errors / sizes + cap)
        assert value == pytest.approx(expected.mean(), rel=1e-5)
    if kind == "ssd_mad":
        errors = np.where(mask == 1, target - pred, 0.0) ** 2
        expected = errors.sum(axis=1) + 50.0 * errors.max(axis=1)
        assert value == pytest.approx(expected.mean(), rel=1e-5)


# ----------------------------------------------------------------- training
def _tiny_unet(**params):
    from skdenoise.neural import UNetDenoiser

    settings = {
        "filters": 4,
        "depth": 2,
        "kernel_size": 3,
        "epochs": 2,
        "batch_size": 8,
        "training": "blind_spot",
        "random_state": 0,
    }
    settings.update(params)
    return UNetDenoiser(**settings)


def test_training_batches_hide_the_masked_samples():
    from skdenoise.neural._batches import NetworkInput, TrainingBatches
    from skdenoise.neural._blind_spot import BlindSpotMasker

    X = np.random.default_rng(0).normal(size=(8, 64, 1))
    network_input = NetworkInput(
        normalize=False, padding=lambda n: (2, 2), to_network=lambda a: a
    )

    def batches(series):
        return TrainingBatches(
            None,
            series,
            noise=None,
            augment=None,
            batch_size=8,
            seed=3,
            network_input=network_input,
            masker=BlindSpotMasker(1, 0.1),
        )

    first = batches(X)
    inputs, targets = first[0]
    assert targets.shape == (8, 68, 2)
    mask = targets[..., 1] == 1
    assert mask.sum() == 8 * 6
    assert not mask[:, :2].any() and not mask[:, -2:].any()  # padding never counts
    hidden_in_X = np.zeros(X.shape[:2], dtype=bool)
    hidden_in_X[first._order] = mask[:, 2:-2]  # batch rows are shuffled
    changed = X.copy()
    changed[hidden_in_X] += 100.0
    inputs_changed, targets_changed = batches(changed)[0]
    # The order of the series is the same; the hidden samples' values differ
    # in the targets only, never in the inputs.
    np.testing.assert_array_equal(inputs, inputs_changed)
    assert not np.array_equal(targets, targets_changed)


def test_blind_spot_fit_denoises_is_reproducible_and_has_no_gate():
    clean, X = _noisy_sines(n_series=48, sigma=0.8)
    denoiser = _tiny_unet(epochs=4, filters=8, mask_fraction=0.2, validation_split=0.25)
    out = denoiser.fit(X).transform(X)
    assert denoiser.gate_snr_ is None
    assert "val_loss" in denoiser.history_
    np.testing.assert_array_equal(denoiser.target_scale_, 1.0)
    again = _tiny_unet(epochs=4, filters=8, mask_fraction=0.2, validation_split=0.25)
    np.testing.assert_array_equal(again.fit(X).transform(X), out)
    assert snr(clean, j_invariant_transform(denoiser, X)) > snr(clean, X) + 1.0
    params = denoiser.get_params()
    assert params["training"] == "blind_spot" and params["mask_fraction"] == 0.2


def test_blind_spot_ignores_y_with_a_warning_and_saves(tmp_path):
    from skdenoise.persistence import load, save

    clean, X = _noisy_sines(n_series=12)
    with pytest.warns(TargetIgnoredWarning, match="blind_spot"):
        warned = _tiny_unet(epochs=1, loss="snr").fit(X, clean)
    plain = _tiny_unet(epochs=1, loss="snr").fit(X)
    np.testing.assert_array_equal(warned.transform(X), plain.transform(X))
    path = tmp_path / "blind.skdn"
    save(plain, path)
    loaded = load(path)
    np.testing.assert_allclose(loaded.transform(X), plain.transform(X), rtol=1e-6)
    loaded.partial_fit(X)  # the masked loss survives the round trip
    assert loaded.n_epochs_ == 2


def test_blind_spot_reads_validation_data_alike_with_or_without_y():
    clean, X = _noisy_sines(n_series=12)
    X_val = X[:4] + 0.01
    plain = _tiny_unet(epochs=1, loss="snr").fit(X, validation_data=X_val)
    # A pipeline or a search passes y along; the noisy validation series are
    # read as they are without it.
    with pytest.warns(TargetIgnoredWarning, match="blind_spot"):
        with_y = _tiny_unet(epochs=1, loss="snr").fit(X, clean, validation_data=X_val)
    assert with_y.history_["val_loss"] == plain.history_["val_loss"]


def test_blind_spot_validation_pair_without_y_says_to_pass_x_val_alone():
    _, X = _noisy_sines(n_series=8)
    with pytest.raises(
        ValueError, match=r"got None\. Blind-spot .*validation_data=X_val"
    ):
        _tiny_unet(epochs=1).fit(X, validation_data=(X[:2], None))
    with pytest.raises(ValueError, match=r"got None\.$"):
        _tiny_unet(epochs=1, training="supervised").fit(
            X, X, validation_data=(X[:2], None)
        )


def test_blind_spot_adds_no_noise_unless_asked():
    from skdenoise.noise import WhiteNoise

    _, X = _noisy_sines(n_series=8)
    denoiser = _tiny_unet()
    assert denoiser._training_noise(None) is None
    noise = WhiteNoise(snr=10.0)
    assert _tiny_unet(noise=noise)._training_noise(None) is noise
    _tiny_unet(noise=noise, epochs=1, validation_split=0.25).fit(X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"training": "noise2void"}, "training"),
        ({"mask_fraction": 1.0}, "mask_fraction"),
        ({"mask_width": 0}, "mask_width"),
    ],
)
def test_bad_blind_spot_settings(params, match):
    _, X = _noisy_sines(n_series=4)
    with pytest.raises(InvalidParameterError, match=match):
        _tiny_unet(**params).fit(X)


def test_mask_fraction_beyond_what_the_width_allows_is_refused_at_fit():
    # It was silently capped: 0.9 with spans of one sample hid half.
    _, X = _noisy_sines(n_series=4)
    with pytest.raises(ValueError, match=r"mask_fraction=0\.9 cannot be reached"):
        _tiny_unet(mask_fraction=0.9).fit(X)


def test_time_warp_in_blind_spot_training_warns():
    from skdenoise.augment import AugmentationChain, RandomFlip, RandomTimeWarp

    _, X = _noisy_sines(n_series=8)
    # The warp interpolates the noise: neighbours then predict a hidden noise.
    chain = AugmentationChain([RandomFlip(), RandomTimeWarp()])
    for augment in (RandomTimeWarp(), chain):
        with pytest.warns(UserWarning, match="Leave the warp out"):
            _tiny_unet(augment=augment, epochs=1).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _tiny_unet(augment=RandomFlip(), epochs=1).fit(X)


def test_noise2noise_pairs_train_towards_the_clean_signal():
    from skdenoise.neural import UNetDenoiser

    clean, noisy_a = _noisy_sines(n_series=96, sigma=0.7, seed=0)
    noisy_b = clean + np.random.default_rng(9).normal(scale=0.7, size=clean.shape)
    denoiser = UNetDenoiser(
        filters=8, depth=2, kernel_size=5, epochs=8, batch_size=16, random_state=0
    ).fit(noisy_a, noisy_b)
    # Noisy targets in the same units: no rescaling.
    np.testing.assert_array_equal(denoiser.target_scale_, 1.0)
    assert snr(clean, denoiser.transform(noisy_a)) > snr(clean, noisy_a) + 2.0


def test_noise2noise_copies_at_other_levels_learn_the_offset_alone():
    from skdenoise.neural import UNetDenoiser

    # Two electrodes at other DC levels, the target the noisier copy: the
    # regression of one noisy copy on the other shrinks its slope by the
    # signal's share of the target's variance, and the map learned its inverse
    # (2.3 times too large an output) and even factors per timestep.
    clean, noisy_a = _noisy_sines(n_series=64, sigma=0.3, seed=0)
    noise = np.random.default_rng(9).normal(scale=1.0, size=clean.shape)
    noisy_b = clean + noise + 0.5
    for X, y, offset in ((noisy_a, noisy_b, 0.5), (noisy_b, noisy_a, -0.5)):
        denoiser = UNetDenoiser(
            filters=2, depth=1, kernel_size=3, epochs=1, random_state=0
        ).fit(X, y)
        np.testing.assert_array_equal(denoiser.target_scale_, 1.0)
        assert denoiser.target_offset_.shape == (1, 1, 1)
        assert denoiser.target_offset_.item() == pytest.approx(offset, abs=0.02)


# ------------------------------------------------------------------- scorer
def test_j_invariant_transform_never_sees_the_centre():
    X = np.random.default_rng(0).normal(size=(3, 40))
    out = j_invariant_transform(_Identity(), X)
    changed = X.copy()
    changed[:, 17] += 10.0
    again = j_invariant_transform(_Identity(), changed)
    assert np.allclose(out[:, 17], again[:, 17])
    assert not np.allclose(out[:, 16], again[:, 16])  # neighbours do see it


def test_scorer_ranks_like_the_true_error():
    clean, X = _noisy_sines(n_series=30, n_timesteps=256, sigma=0.5)
    windows = [5, 11, 21, 41, 81]
    true, scores = [], []
    for window in windows:
        denoiser = SavitzkyGolayDenoiser(window_length=window, polyorder=2).fit(X)
        true.append(np.mean((j_invariant_transform(denoiser, X) - clean) ** 2))
        scores.append(self_supervised_scorer(denoiser, X))
        # Noise2Self: the self-supervised loss is the true loss plus the noise power.
        assert -scores[-1] == pytest.approx(true[-1] + 0.25, rel=0.06)
    assert np.argmax(scores) == np.argmin(true)


@pytest.mark.parametrize("shape", [(300,), (6, 120), (6, 120, 2)])
def test_scorer_accepts_1d_2d_3d(shape):
    X = np.random.default_rng(0).normal(size=shape)
    denoiser = SavitzkyGolayDenoiser(window_length=5, polyorder=2)
    denoiser.fit(X if X.ndim > 1 else X[None])
    score = SelfSupervisedScorer(mask_width=3)(
        _Identity() if X.ndim == 1 else denoiser, X
    )
    assert np.isfinite(score) and score < 0
    assert j_invariant_transform(_Identity(), X).shape == shape


def test_scorer_in_grid_search_needs_no_clean_series():
    clean, X = _noisy_sines(n_series=20, n_timesteps=128, sigma=0.5)
    grid = {"window_length": [3, 7, 15, 31]}
    search = GridSearchCV(
        SavitzkyGolayDenoiser(polyorder=2), grid, scoring=self_supervised_scorer, cv=2
    ).fit(X)
    picks = {
        w: snr(
            clean,
            SavitzkyGolayDenoiser(window_length=w, polyorder=2).fit(X).transform(X),
        )
        for w in grid["window_length"]
    }
    # The pick is as good as the clean-reference pick (within 0.5 dB), and
    # far from the worst candidate.
    assert picks[search.best_params_["window_length"]] > max(picks.values()) - 0.5
    assert search.best_params_["window_length"] != 3


def test_scorer_hands_a_dataframe_to_transform():
    # A denoiser fitted on a DataFrame checks the column names of what it
    # transforms: the masked series keep X's columns and index.
    pd = pytest.importorskip("pandas")
    _, X = _noisy_sines(n_series=10, n_timesteps=64)
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(64)], index=range(5, 15))
    denoiser = SavitzkyGolayDenoiser(window_length=5, polyorder=2).fit(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score = self_supervised_scorer(denoiser, frame)
        out = j_invariant_transform(denoiser, frame)
        GridSearchCV(
            denoiser, {"window_length": [5, 9]}, scoring=self_supervised_scorer, cv=2
        ).fit(frame)
    assert score == self_supervised_scorer(denoiser, X)
    np.testing.assert_array_equal(out, j_invariant_transform(denoiser, X))


def test_scorer_scores_a_blind_spot_network():
    _, X = _noisy_sines(n_series=16)
    denoiser = _tiny_unet(epochs=1).fit(X)
    assert np.isfinite(self_supervised_scorer(denoiser, X))


@pytest.mark.parametrize(
    "scorer, X, match",
    [
        (SelfSupervisedScorer(mask_width=4, stride=4), np.zeros((2, 64)), "stride"),
        (SelfSupervisedScorer(mask_width=0), np.zeros((2, 64)), "mask_width"),
        # bool is an int to Python: True hid spans of one sample.
        (SelfSupervisedScorer(mask_width=True), np.zeros((2, 64)), "mask_width"),
        (SelfSupervisedScorer(stride=True), np.zeros((2, 64)), "stride"),
        (self_supervised_scorer, np.zeros((2, 6)), "at least 8"),
        (self_supervised_scorer, np.full((2, 64), np.nan), "finite"),
        (self_supervised_scorer, np.zeros((2, 6, 2, 2)), "shape"),
        # Complex values and text are refused (bool is taken, as by the
        # denoisers themselves).
        (self_supervised_scorer, np.zeros((2, 64)) + 1j, "complex values"),
        (self_supervised_scorer, np.full((2, 64), "a"), r"strings \(<U1\)"),
        (self_supervised_scorer, [[0.0] * 64, [0.0] * 63], "different lengths"),
    ],
)
def test_scorer_errors(scorer, X, match):
    with pytest.raises(ValueError, match=match):
        scorer(_Identity(), X)


@pytest.mark.parametrize("shape", [(0, 64), (0, 64, 1), (2, 64, 0)])
def test_scorer_refuses_empty_series(shape):
    # No series (or no channel) left the loss at 0 / 0: a ZeroDivisionError
    # from the scorer, an empty array from j_invariant_transform.
    with pytest.raises(ValueError, match=r"at least one series with one channel"):
        self_supervised_scorer(_Identity(), np.zeros(shape))
    with pytest.raises(ValueError, match=r"at least one series with one channel"):
        j_invariant_transform(_Identity(), np.zeros(shape))


def _neural_classes():
    from skdenoise.neural import BaseNeuralDenoiser
    from skdenoise.utils import all_denoisers

    return [c for _, c in all_denoisers() if issubclass(c, BaseNeuralDenoiser)]


@pytest.mark.parametrize("cls", _neural_classes(), ids=lambda c: c.__name__)
def test_every_neural_denoiser_trains_blind_spot(cls):
    X = np.random.default_rng(0).normal(size=(8, 64))
    params = {**cls._get_test_params(), "training": "blind_spot"}
    denoiser = cls(**params).fit(X)
    assert denoiser.transform(X).shape == X.shape
    assert denoiser.gate_snr_ is None
    # The compiled loss is the masked one, whatever the network.
    assert type(denoiser.model_.loss).__name__ == "MaskedLoss"


@pytest.mark.parametrize("loss", ["huber", "snr_l1"])
def test_blind_spot_with_several_channels(loss):
    X = np.random.default_rng(0).normal(size=(8, 64, 2))
    X[0] = 0.0  # a flat series: its hidden samples' target is all zeros
    denoiser = _tiny_unet(epochs=1, loss=loss).fit(X)
    assert denoiser.transform(X).shape == X.shape
    assert np.isfinite(denoiser.history_["loss"][0])
    assert all(np.all(np.isfinite(w)) for w in denoiser.model_.get_weights())


class _Reshaping(_Identity):
    """Returns the right number of values in the wrong shape."""

    def __init__(self, how="transpose"):
        self.how = how

    def transform(self, X):
        X = np.asarray(X)
        return X.T.copy() if self.how == "transpose" else X.reshape(-1, 32)


@pytest.mark.parametrize("how", ["transpose", "reshape"])
def test_scorer_refuses_an_output_of_another_shape(how):
    X = np.random.default_rng(0).normal(size=(4, 64))
    with pytest.raises(ValueError, match=r"shape \((64, 4|8, 32)\) for series of"):
        self_supervised_scorer(_Reshaping(how), X)
    with pytest.raises(ValueError, match="must keep the shape"):
        j_invariant_transform(_Reshaping(how), X)


def test_j_invariant_transform_takes_what_the_denoisers_take():
    from skdenoise.classical import SavitzkyGolayDenoiser
    from skdenoise.model_selection import j_invariant_transform

    bits = np.random.default_rng(0).random((3, 64)) > 0.5
    denoiser = SavitzkyGolayDenoiser().fit(bits)
    np.testing.assert_array_equal(
        j_invariant_transform(denoiser, bits),
        j_invariant_transform(denoiser, bits.astype(float)),
    )
    with pytest.raises(ValueError, match="complex values"):
        j_invariant_transform(denoiser, bits + 1j)


def test_a_blind_spot_ensemble_is_told_why_its_std_is_not_calibrated():
    from skdenoise import UNetDenoiser

    clean, noisy = _noisy_sines(n_series=16, n_timesteps=64)
    model = UNetDenoiser(
        filters=4,
        depth=2,
        epochs=1,
        training="blind_spot",
        uncertainty="ensemble",
        n_members=2,
        random_state=0,
    )
    # It blamed validation_split=0, and the split was 0.1.
    with pytest.warns(
        UserWarning, match=r"training='blind_spot'\) has no clean"
    ) as got:
        model.fit(noisy)
    assert not any("validation_split=0" in str(w.message) for w in got)
    model.calibrate_uncertainty(noisy, clean)
    mean, std = model.predict(noisy, return_std=True)
    assert std.shape == noisy.shape and np.all(std > 0)
