import subprocess
import sys
import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skdenoise.plotting import (  # noqa: E402
    plot_denoising,
    plot_examples,
    plot_history,
    plot_residual,
    plot_snr_improvement,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def series():
    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 12, 200))
    noisy = clean + 0.3 * rng.standard_normal(200)
    return clean, noisy, 0.95 * clean


def test_plot_denoising_draws_each_series_in_order(series):
    clean, noisy, denoised = series
    fig, ax = plt.subplots()
    out = plot_denoising(clean, noisy, denoised, ax=ax)
    assert out is ax
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["noisy", "clean", "denoised"]
    for line, expected in zip(lines, (noisy, clean, denoised), strict=True):
        np.testing.assert_array_equal(line.get_ydata(), expected)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(200))
    assert ax.get_xlabel() == "sample"
    assert ax.get_legend() is not None


def test_plot_denoising_time_in_seconds_and_labels(series):
    clean, noisy, denoised = series
    ax = plot_denoising(
        clean,
        noisy,
        {"UNet": denoised, "wavelet": 0.9 * clean},
        sampling_rate=100.0,
        clean_label="reference",
        noisy_label="input",
        title="record 100",
    )
    assert [line.get_label() for line in ax.get_lines()] == [
        "input",
        "reference",
        "UNet",
        "wavelet",
    ]
    assert ax.get_xlabel() == "time (s)"
    assert ax.get_title() == "record 100"
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), np.arange(200) / 100)
    np.testing.assert_array_equal(ax.get_lines()[3].get_ydata(), 0.9 * clean)
    colours = {line.get_color() for line in ax.get_lines()[2:]}
    assert len(colours) == 2


def test_plot_denoising_only_what_is_given(series):
    clean = series[0]
    ax = plot_denoising(denoised=clean, legend=False)
    assert len(ax.get_lines()) == 1
    assert ax.get_legend() is None
    # a single row of a 2-D batch is one series
    ax = plot_denoising(clean[np.newaxis])
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), clean)


def test_plot_denoising_bad_input(series):
    clean, noisy, _ = series
    with pytest.raises(ValueError, match="at least one"):
        plot_denoising()
    with pytest.raises(ValueError, match="same length"):
        plot_denoising(clean, noisy[:-1])
    with pytest.raises(ValueError, match="one non-empty series"):
        plot_denoising(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="sampling_rate"):
        plot_denoising(clean, sampling_rate=0)


def test_single_series_plots_take_the_denoisers_3d_output(series):
    # A denoiser returns (1, n_timesteps, 1) for one 3-D series; plot_examples
    # took it, the one-series plots refused it.
    from skdenoise.plotting import plot_uncertainty

    clean, noisy, denoised = (s[np.newaxis, :, np.newaxis] for s in series)
    ax = plot_denoising(clean, noisy, {"a": denoised})
    np.testing.assert_array_equal(ax.get_lines()[2].get_ydata(), series[2])
    ax = plot_residual(clean, denoised, noisy=noisy)
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), series[2] - series[0])
    ax = plot_uncertainty(denoised, np.full_like(denoised, 0.1), clean=clean)
    np.testing.assert_array_equal(ax.get_lines()[-1].get_ydata(), series[2])
    # Several channels of one timestep, or several series, are not one series.
    with pytest.raises(ValueError, match="one non-empty series"):
        plot_denoising(clean.reshape(1, 1, -1))
    with pytest.raises(ValueError, match="one non-empty series"):
        plot_denoising(np.zeros((2, 10, 1)))


def test_plot_denoising_does_not_modify_inputs(series):
    clean, noisy, denoised = (s.copy() for s in series)
    plot_denoising(clean, noisy, denoised)
    for before, after in zip(series, (clean, noisy, denoised), strict=True):
        np.testing.assert_array_equal(before, after)


def test_plot_residual(series):
    clean, noisy, denoised = series
    fig, ax = plt.subplots()
    assert plot_residual(clean, denoised, ax=ax) is ax
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), denoised - clean)
    assert ax.get_ylabel() == "error"

    ax = plot_residual(clean, denoised, noisy=noisy, sampling_rate=50, label="UNet")
    noise_line, residual_line = ax.get_lines()
    assert noise_line.get_label() == "noisy - clean"
    assert residual_line.get_label() == "UNet"
    np.testing.assert_allclose(noise_line.get_ydata(), noisy - clean)
    assert ax.get_xlabel() == "time (s)"
    with pytest.raises(ValueError, match="same length"):
        plot_residual(clean, denoised[:10])


class _Fitted:
    def __init__(self, history):
        self.history_ = history


def test_plot_history_from_dict_and_estimators():
    history = {"loss": [0.5, 0.3, 0.2], "val_loss": [0.6, 0.5, 0.45], "mae": [1, 2, 3]}
    fig, ax = plt.subplots()
    assert plot_history(history, ax=ax) is ax
    train, val = ax.get_lines()
    assert (train.get_label(), val.get_label()) == ("training loss", "validation loss")
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(val.get_ydata(), history["val_loss"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "loss")

    ax = plot_history(_Fitted({"loss": [1.0, 0.5]}), log_scale=True)
    assert len(ax.get_lines()) == 1
    assert ax.get_yscale() == "log"

    ax = plot_history(history, keys=["mae"])
    assert [line.get_label() for line in ax.get_lines()] == ["mae"]


def test_plot_history_from_a_dataframe_and_a_keras_history():
    pd = pytest.importorskip("pandas")

    history = {"loss": [0.5, 0.3], "val_loss": [0.6, 0.5]}

    class History:  # what keras.Model.fit returns: its .history dict
        def __init__(self, history):
            self.history = history

    for given in (pd.DataFrame(history), History(history)):
        train, val = plot_history(given).get_lines()
        np.testing.assert_array_equal(train.get_ydata(), history["loss"])
        np.testing.assert_array_equal(val.get_ydata(), history["val_loss"])
        plt.close("all")


def test_plot_history_finds_the_network_inside_wrappers():
    from sklearn.pipeline import Pipeline

    class Wrapper:
        def __init__(self, inner):
            self.estimator_ = inner

    class Search:
        def __init__(self, best):
            self.best_estimator_ = best

    inner = _Fitted({"loss": [3.0, 2.0, 1.0]})
    pipe = Pipeline([("denoiser", Wrapper(inner))])
    ax = plot_history(Search(pipe))
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [3.0, 2.0, 1.0])


def test_plot_history_errors():
    with pytest.raises(ValueError, match="training history"):
        plot_history(object())
    with pytest.raises(ValueError, match="no entry 'val_loss'"):
        plot_history({"loss": [1.0]}, keys=["val_loss"])
    with pytest.raises(ValueError, match="no loss entries"):
        plot_history({"mae": [1.0]})
    with pytest.raises(TypeError, match="keys must be a name .* got 5 of type int"):
        plot_history({"loss": [1.0]}, keys=5)


def test_plot_snr_improvement_from_mapping():
    results = {
        "UNet": ([12, 0, 6], [6.7, 9.5, 8.5]),
        "wavelet": ([0, 6, 12], [4.8, 3.9, 3.0]),
    }
    fig, ax = plt.subplots()
    assert plot_snr_improvement(results, ax=ax, title="t") is ax
    unet, wavelet = ax.get_lines()
    assert (unet.get_label(), wavelet.get_label()) == ("UNet", "wavelet")
    # points are sorted by input SNR
    np.testing.assert_array_equal(unet.get_xdata(), [0, 6, 12])
    np.testing.assert_array_equal(unet.get_ydata(), [9.5, 8.5, 6.7])
    assert ax.get_xlabel() == "input SNR (dB)"
    assert ax.get_ylabel() == "SNR improvement (dB)"
    assert ax.get_title() == "t"


def test_plot_snr_improvement_from_dataframe_averages_repeats():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "model": ["a", "a", "a", "b", "b"],
            "input_snr": [0, 0, 6, 0, 6],
            "snr_improvement": [4.0, 6.0, 3.0, 1.0, 0.5],
            "noise": ["bw", "em", "bw", "bw", "bw"],
        }
    )
    ax = plot_snr_improvement(frame)
    a, b = ax.get_lines()
    assert a.get_label() == "a"
    np.testing.assert_array_equal(a.get_xdata(), [0, 6])
    np.testing.assert_array_equal(a.get_ydata(), [5.0, 3.0])
    np.testing.assert_array_equal(b.get_ydata(), [1.0, 0.5])
    with pytest.raises(ValueError, match="columns"):
        plot_snr_improvement(frame.drop(columns="input_snr"))


def test_plot_snr_improvement_errors():
    with pytest.raises(TypeError, match="mapping"):
        plot_snr_improvement([1, 2, 3])
    with pytest.raises(ValueError, match="pair"):
        plot_snr_improvement({"a": [1, 2, 3]})
    with pytest.raises(ValueError, match="as many"):
        plot_snr_improvement({"a": ([0, 6], [1.0])})
    with pytest.raises(ValueError, match="no model"):
        plot_snr_improvement({})


def test_plot_examples_grid():
    clean = np.sin(np.linspace(0, 6, 50) + np.arange(3)[:, None])
    noisy = clean + 0.5
    denoised = {"m1": clean + 0.1, "m2": clean - 0.1}
    axes = plot_examples(
        clean, noisy, denoised, sampling_rate=10, titles=["a", "b", "c"]
    )
    assert axes.shape == (3,)
    for i, ax in enumerate(axes):
        labels = [line.get_label() for line in ax.get_lines()]
        assert labels == ["noisy", "clean", "m1", "m2"]
        np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), clean[i])
        np.testing.assert_array_equal(ax.get_lines()[3].get_ydata(), clean[i] - 0.1)
        assert ax.get_title() == "abc"[i]
    assert axes[0].get_legend() is not None
    assert axes[1].get_legend() is None
    assert axes[-1].get_xlabel() == "time (s)"
    assert axes[0].get_xlabel() == ""


def test_plot_examples_on_given_axes_and_errors():
    fig, given = plt.subplots(2, 1)
    clean = np.zeros((2, 20))
    axes = plot_examples(clean, denoised=clean + 1, axes=given)
    assert list(axes) == list(given)
    assert [line.get_label() for line in axes[0].get_lines()] == ["clean", "denoised"]
    with pytest.raises(ValueError, match="one axes per example"):
        plot_examples(np.zeros((3, 20)), axes=given)
    with pytest.raises(ValueError, match="same shape"):
        plot_examples(clean, np.zeros((2, 21)))
    with pytest.raises(ValueError, match="one title per example"):
        plot_examples(clean, titles=["only one"])
    # An estimate labelled like a batch is still checked against it.
    with pytest.raises(ValueError, match=r"clean: \(2, 20\), clean: \(1, 20\)"):
        plot_examples(clean, denoised={"clean": clean[:1] + 0.1})


def test_plot_examples_that_fails_leaves_no_figure_open():
    plt.close("all")
    clean = np.zeros((2, 20))
    for _ in range(2):
        with pytest.raises(ValueError, match="sampling_rate"):
            plot_examples(clean, clean + 1, sampling_rate=0)
    assert plt.get_fignums() == []
    with pytest.raises(ValueError, match="marker"):
        plot_snr_improvement({"a": ([0, 6], [1.0, 2.0])}, marker="not-a-marker")
    assert plt.get_fignums() == []


def test_labels_that_read_the_same_are_refused(series):
    clean = series[0]
    with pytest.raises(ValueError, match=r"differ as text.*\[1, '1'\]"):
        plot_denoising(clean, denoised={1: clean, "1": clean + 1})
    with pytest.raises(ValueError, match="differ as text"):
        plot_examples(np.zeros((2, 20)), denoised={1: np.ones((2, 20)), "1": 0})


def test_import_error_names_the_extra():
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None\n"
        "sys.modules['matplotlib.pyplot'] = None\n"
        "import skdenoise.plotting as p\n"
        "try:\n"
        "    p.plot_denoising([1.0, 2.0])\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
        # It imported matplotlib.markers first: a bare ModuleNotFoundError.
        "try:\n"
        "    p.plot_snr_improvement({'a': ([0, 6], [1.0, 2.0])})\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.count("pip install 'skdenoise[plot]'") == 2, out


def test_plotting_is_a_public_submodule():
    import skdenoise

    assert "plotting" in skdenoise.__all__
    assert skdenoise.plotting.plot_denoising is plot_denoising


def test_complex_series_are_refused_not_cut_to_their_real_part(series):
    # An analytic signal was drawn as its real part, with only numpy's
    # ComplexWarning to tell.
    clean = series[0]
    analytic = clean + 1j * clean
    with pytest.raises(ValueError, match="noisy holds complex values"):
        plot_denoising(clean, analytic)
    with pytest.raises(ValueError, match=r"denoised\['a'\] holds complex values"):
        plot_examples(clean[None], denoised={"a": analytic[None]})


def test_plot_examples_names_a_batch_that_is_not_numbers():
    # numpy's own "could not convert string to float" or "inhomogeneous
    # shape" came out, naming no argument.
    with pytest.raises(TypeError, match="noisy must be an array of numbers"):
        plot_examples(np.zeros((2, 5)), np.full((2, 5), "a"))
    with pytest.raises(ValueError, match="clean holds series of different lengths"):
        plot_examples([[1.0, 2.0, 3.0], [1.0, 2.0]])


def test_several_channels_of_one_series_get_a_hint_that_works():
    # The hint "for example X[0]" gave (n_timesteps, n_channels): refused again.
    with pytest.raises(ValueError, match=r"one channel of one series at a time"):
        plot_denoising(np.zeros((1, 50, 2)))
    with pytest.raises(ValueError, match=r"X\[0, :, 0\]"):
        plot_residual(np.zeros((4, 50, 3)), np.zeros(50))


def test_plot_uncertainty_coverage_counts_only_known_clean_samples():
    # Gaps (NaN) in the clean reference were counted as outside the band.
    from skdenoise.plotting import plot_uncertainty

    clean = np.sin(np.linspace(0, 6, 100))
    gappy = clean.copy()
    gappy[50:] = np.nan
    ax = plot_uncertainty(clean, np.full(100, 0.1), clean=gappy)
    assert ax.collections[0].get_label() == "denoised ± 2 std (100 % of clean inside)"
    ax = plot_uncertainty(clean, np.full(100, 0.1), clean=np.full(100, np.nan))
    assert ax.collections[0].get_label() == "denoised ± 2 std"


def test_snr_and_history_plots_name_values_that_are_not_numbers():
    # numpy's "could not convert string to float" named neither the model nor
    # the history entry.
    with pytest.raises(TypeError, match=r"results\['a'\] must hold numbers"):
        plot_snr_improvement({"a": (["0 dB", "6 dB"], [1.0, 2.0])})
    with pytest.raises(TypeError, match=r"history\['loss'\] must hold numbers"):
        plot_history({"loss": ["high", "low"]})
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"model": ["a"], "input_snr": [0], "snr_improvement": ["x"]})
    with pytest.raises(TypeError, match="column 'snr_improvement'"):
        plot_snr_improvement(frame)


def test_a_figure_or_other_object_as_ax_is_named(series):
    clean, noisy, denoised = series[:3]
    fig = plt.figure()
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes.*Figure"):
        plot_denoising(clean, noisy, denoised, ax=fig)
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes.*got str"):
        plot_residual(clean, denoised, ax="left")
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes.*Figure"):
        plot_history({"loss": [1.0, 0.5]}, ax=fig)
    batch = np.stack([clean, clean])
    with pytest.raises(TypeError, match=r"axes must be an array of matplotlib Axes"):
        plot_examples(batch, axes=fig)
    with pytest.raises(TypeError, match=r"axes\[1\] must be a matplotlib Axes"):
        plot_examples(batch, axes=[fig.add_subplot(), fig])
    assert not fig.axes[0].lines  # nothing drawn before the error
    plt.close(fig)


def test_plot_history_log_scale_refuses_losses_at_or_below_zero():
    from skdenoise.plotting import plot_history

    with pytest.raises(ValueError, match=r"log_scale=True needs positive losses.*-12"):
        plot_history({"loss": [-5.0, -12.0]}, log_scale=True)
    ax = plot_history({"loss": [0.5, 0.1]}, log_scale=True)
    assert ax.get_yscale() == "log"


def test_plot_history_warns_when_its_curves_have_different_lengths():
    # Keras' validation_freq=2, say: val_loss's values are of epochs 2, 4, ...
    # and were drawn against epochs 1, 2, ... without a word.
    history = {"loss": [0.5, 0.4, 0.3, 0.2], "val_loss": [0.45, 0.25]}
    with pytest.warns(UserWarning, match=r"history\['val_loss'\] has 2 values"):
        plot_history(history)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_history({"loss": [0.5, 0.4], "val_loss": [0.45, np.nan]})


def test_masked_samples_are_drawn_as_gaps_not_as_values(series):
    # np.asarray dropped the mask: the values under it were drawn (and a masked
    # clean sample counted as outside the band).
    from skdenoise.plotting import plot_uncertainty

    clean, noisy, denoised = series
    hidden = clean.copy()
    hidden[:20] = 40.0
    masked = np.ma.masked_array(hidden, mask=np.arange(200) < 20)
    ax = plot_denoising(masked, noisy, denoised)
    drawn = ax.get_lines()[1].get_ydata()  # noisy first, then clean
    assert np.isnan(drawn[:20]).all()
    np.testing.assert_array_equal(drawn[20:], clean[20:])
    assert np.ma.getmaskarray(masked)[:20].all()  # the input keeps its mask
    axes = plot_examples(masked[None], noisy[None])
    assert np.nanmax(axes[0].get_lines()[1].get_ydata()) < 40
    ax = plot_uncertainty(clean, np.full(200, 0.1), clean=masked)
    assert "(100 % of clean inside)" in ax.collections[0].get_label()


def test_missing_values_of_a_nullable_frame_are_drawn_as_gaps(series):
    # A Float64 DataFrame holding pd.NA was refused ("element (0, 3) is <NA>")
    # where the same gap in a Series, or as NaN, is drawn as a gap.
    pd = pytest.importorskip("pandas")
    clean, noisy, _ = series
    frame = pd.DataFrame(clean[None]).astype("Float64")
    frame.iloc[0, 3] = pd.NA
    axes = plot_examples(frame, noisy[None])
    drawn = axes[0].get_lines()[1].get_ydata()
    assert np.isnan(drawn[3]) and np.isfinite(np.delete(drawn, 3)).all()


def test_plot_examples_refuses_a_recording_with_time_down_its_rows():
    # Each of the 1,000 samples became a panel (a figure 2,200 inches tall).
    recording = np.zeros((1000, 2))
    with pytest.raises(ValueError, match=r"time down its rows.*signal\[:, 0\]"):
        plot_examples(recording, sampling_rate=360)
    with pytest.raises(
        ValueError, match=r"at most 50 \(give axes for more\): pass a few"
    ):
        plot_examples(np.zeros((60, 500)))
    assert plt.get_fignums() == []
    assert len(plot_examples(np.zeros((2, 1000)))) == 2


def test_errors_name_the_value_that_is_not_a_number_not_the_whole_array():
    # The message held the repr of the whole input (12.6 million characters
    # for a record given as a list).
    values = [0.0] * 100_000
    values[7] = "NA"
    with pytest.raises(TypeError, match="element 7 is 'NA' of type str") as info:
        plot_denoising(values)
    assert len(str(info.value)) < 200
    with pytest.raises(TypeError, match="element 3 is 'x'") as info:
        plot_history({"loss": [1.0] * 3 + ["x"] + [1.0] * 10_000})
    assert len(str(info.value)) < 200


def test_history_and_results_of_several_columns_are_refused_not_flattened():
    # A loss of 3 epochs of 2 members was drawn as 6 epochs.
    with pytest.raises(ValueError, match=r"one number per epoch; got shape \(3, 2\)"):
        plot_history({"loss": np.ones((3, 2))})
    with pytest.raises(ValueError, match=r"one sequence of improvements"):
        plot_snr_improvement({"a": ([0, 6, 12], np.ones((3, 2)))})


def test_plot_examples_titles_must_be_a_list_not_a_string():
    batch = np.zeros((3, 20))
    with pytest.raises(TypeError, match="titles must be a list of strings"):
        plot_examples(batch, titles="abc")
    axes = plot_examples(batch, titles=(f"t{i}" for i in range(3)))
    assert [ax.get_title() for ax in axes] == ["t0", "t1", "t2"]


def test_plot_examples_draws_any_number_on_given_axes_and_one_column_histories():
    # The limit of 50 examples is for a figure of its own; a column (n, 1) is
    # one curve, not several.
    fig, axes = plt.subplots(8, 8)
    drawn = plot_examples(np.zeros((64, 20)), axes=axes.ravel())
    assert len(drawn) == 64
    ax = plot_history({"loss": np.array([[3.0], [2.0], [1.0]])})
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [3.0, 2.0, 1.0])
    ax = plot_snr_improvement({"a": ([[0], [6]], [[1.0], [2.0]])})
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [1.0, 2.0])


def test_the_value_that_is_not_a_number_is_found_at_the_end_of_a_long_list():
    values = [0.0] * 300_000 + ["x"]
    with pytest.raises(TypeError, match="element 300000 is 'x'"):
        plot_denoising(values)
