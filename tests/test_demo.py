import contextlib
import csv
import io
import sys

import pytest

from skdenoise.cli import main
from skdenoise.cli._demo import (
    ALONE_NAME,
    TEST_SNRS,
    TUNED_NAME,
    format_table,
    run_demo,
)

MODELS = [
    TUNED_NAME,
    ALONE_NAME,
    "BandpassDenoiser",
    "WaveletDenoiser",
    "SavitzkyGolayDenoiser",
    "WienerDenoiser",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("demo") / "nested" / "output"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        results = run_demo(out_dir, quick=True, seed=0)
    return out_dir, results, stdout.getvalue(), stderr.getvalue()


def test_table_printed_with_every_model_and_level(quick_run):
    _, results, stdout, _ = quick_run
    for model in MODELS:
        assert model in stdout
    header = stdout.strip().splitlines()[0]
    for column in ("model", "input SNR", "output SNR", "SNR improvement", "fit time"):
        assert column in header
    assert "transform time" in header
    rows = results["rows"]
    assert len(rows) == len(MODELS) * len(TEST_SNRS)
    assert {(row["model"], row["input_snr"]) for row in rows} == {
        (model, level) for model in MODELS for level in TEST_SNRS
    }
    assert results["table"] in stdout
    # Two epochs teach the networks little: the report says what the run is for.
    assert "it checks the set-up, not the networks" in stdout


def test_progress_on_stderr(quick_run):
    _, results, _, stderr = quick_run
    lines = stderr.strip().splitlines()
    assert lines
    assert all(line.startswith("[demo] ") for line in lines)
    assert any("grid fit 1/4" in line for line in lines)
    assert any("refitting" in line for line in lines)
    assert set(results["best_params"]) == {"filters", "prefilter.high_cutoff"}


def test_files_written(quick_run):
    out_dir, results, stdout, _ = quick_run
    assert out_dir.is_dir()
    expected = {"results.csv", "results.md", "examples.png", "snr_improvement.png"}
    assert {path.name for path in results["files"].values()} == expected
    assert {path.name for path in out_dir.iterdir()} == expected
    assert str(out_dir.resolve()) in stdout
    for name in ("examples.png", "snr_improvement.png"):
        data = (out_dir / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 10_000

    with open(out_dir / "results.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == len(MODELS) * len(TEST_SNRS)
    assert set(table[0]) == {
        "model",
        "input_snr",
        "output_snr",
        "snr_improvement",
        "snr_improvement_std",
        "fit_time_s",
        "transform_time_s",
    }
    markdown = (out_dir / "results.md").read_text()
    assert "| model | input SNR (dB) |" in markdown
    for model in MODELS:
        assert f"| {model} |" in markdown


def test_results_are_consistent(quick_run):
    _, results, _, _ = quick_run
    for row in results["rows"]:
        assert row["output_snr"] - row["input_snr"] == pytest.approx(
            row["snr_improvement"], abs=1e-6
        )
        assert row["fit_time_s"] >= 0
        assert row["transform_time_s"] >= 0
    tuned = [row for row in results["rows"] if row["model"] == TUNED_NAME]
    assert all(row["fit_time_s"] > 0 for row in tuned)


def test_results_csv_feeds_plot_snr_improvement(quick_run):
    pd = pytest.importorskip("pandas")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skdenoise.plotting import plot_snr_improvement

    out_dir = quick_run[0]
    ax = plot_snr_improvement(pd.read_csv(out_dir / "results.csv"))
    assert sorted(line.get_label() for line in ax.get_lines()) == sorted(MODELS)
    plt.close("all")


def test_format_table_groups_by_input_snr():
    rows = [
        {
            "model": name,
            "input_snr": level,
            "output_snr": level + gain,
            "snr_improvement": gain,
            "snr_improvement_std": 0.5,
            "fit_time_s": 1.0,
            "transform_time_s": 0.01,
        }
        for level in (6.0, 0.0)
        for name, gain in (("a", 1.0), ("b", 2.0))
    ]
    lines = format_table(rows).splitlines()
    assert lines[0].startswith("model")
    body = lines[2:]
    assert body[2] == ""  # a blank line between the two input SNR levels
    assert [line.split()[0] for line in body if line] == ["b", "a", "b", "a"]
    assert "+2.00 ± 0.50" in body[0]


def test_output_dir_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(NotADirectoryError):
        run_demo(target, quick=True, verbose=False)
    assert main(["demo", "--quick", "--out", str(target)]) == 1
    assert "not a directory" in capsys.readouterr().err


def test_without_matplotlib_writes_the_tables_only(tmp_path, monkeypatch, capsys):
    from skdenoise.cli import _demo

    tiny = {
        **_demo._SETTINGS["quick"],
        "n_train": 6,
        "n_test": 2,
        "epochs": 1,
        "grid": {"denoiser__estimator__filters": [4]},
    }
    monkeypatch.setitem(_demo._SETTINGS, "quick", tiny)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    # A previous run's figures would sit beside the new tables.
    (tmp_path / "examples.png").write_bytes(b"old")
    (tmp_path / "snr_improvement.png").write_bytes(b"old")
    results = run_demo(tmp_path, quick=True)
    assert {path.name for path in tmp_path.iterdir()} == {"results.csv", "results.md"}
    assert set(results["files"]) == {"csv", "markdown"}
    captured = capsys.readouterr()
    assert "pip install 'skdenoise[plot]'" in captured.err
    assert TUNED_NAME in captured.out


def test_epochs_reach_the_network_alone_too(monkeypatch, tmp_path):
    from skdenoise.cli import _demo

    quick = _demo._SETTINGS["quick"]
    assert _demo._network_alone(quick, 0).estimator.epochs == quick["alone"]["epochs"]
    assert _demo._network_alone(quick, 0, epochs=3).estimator.epochs == 3
    seen = {}

    class Stop(Exception):
        pass

    def train_alone(settings, seed, train, test, noisy_test, progress, epochs=None):
        seen["alone"] = epochs
        raise Stop

    def tune(settings, epochs, *args):
        seen["tuned"] = epochs
        return None, 0.0

    monkeypatch.setattr(_demo, "_generate_data", lambda *args: (None,) * 4)
    monkeypatch.setattr(_demo, "_tune", tune)
    monkeypatch.setattr(_demo, "_evaluate_tuned", lambda *args: ([], {}))
    monkeypatch.setattr(_demo, "_train_alone", train_alone)
    with pytest.raises(Stop):
        run_demo(tmp_path, quick=True, epochs=5, verbose=False)
    assert seen == {"tuned": 5, "alone": 5}
    with pytest.raises(Stop):
        run_demo(tmp_path, quick=True, verbose=False)
    # None: each network its own default.
    assert seen == {"tuned": quick["epochs"], "alone": None}


def test_demo_prints_the_estimators_warnings_in_cli_words(
    monkeypatch, tmp_path, capsys
):
    # The demo's fits warned as Python warnings naming lines of joblib and of
    # the skdenoise script, even with --quiet; the demo has no option for the
    # learning rate or the targets.
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from skdenoise.cli import _demo

    def run(out, **kwargs):
        for _ in range(2):
            warnings.warn(
                "UNetDenoiser did not learn to denoise. Train longer (epochs), "
                "lower the learning_rate, or check that the targets are the clean "
                "series.",
                ConvergenceWarning,
                stacklevel=1,
            )
        return {"report": "the table\n"}

    monkeypatch.setattr(_demo, "run_demo", run)
    assert main(["demo", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "skdenoise demo: warning: UNetDenoiser did not learn to denoise. Train "
        "longer (--epochs)."
    ]


def test_an_interrupted_run_leaves_the_previous_files_and_no_empty_folder(
    tmp_path, monkeypatch
):
    # Stopped while drawing the figures, the run had written its tables beside
    # the previous run's figures; stopped early, it left an empty folder.
    from skdenoise.cli import _demo

    previous = tmp_path / "previous"
    previous.mkdir()
    for name in ("results.csv", "results.md", "examples.png", "snr_improvement.png"):
        (previous / name).write_text("old")
    monkeypatch.setattr(_demo, "_generate_data", lambda *args: (None,) * 4)
    monkeypatch.setattr(_demo, "_tune", lambda *args: (None, 0.0))
    monkeypatch.setattr(_demo, "_evaluate_tuned", lambda *args: ([], {}))
    monkeypatch.setattr(_demo, "_train_alone", lambda *args: ([], None))
    monkeypatch.setattr(_demo, "_evaluate_baselines", lambda *args: ([], {}))
    monkeypatch.setattr(_demo, "format_table", lambda rows: "")
    monkeypatch.setattr(_demo, "_summary", lambda *args: [])
    monkeypatch.setattr(_demo, "_best_baseline", lambda rows: None)
    monkeypatch.setattr(_demo, "_write_csv", lambda path, rows: path.write_text("n"))
    monkeypatch.setattr(_demo, "_markdown", lambda rows, summary: "new")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(_demo, "_write_figures", interrupted)
    pytest.importorskip("matplotlib")
    with pytest.raises(KeyboardInterrupt):
        run_demo(previous, quick=True, verbose=False)
    assert sorted(p.name for p in previous.iterdir()) == sorted(
        ["results.csv", "results.md", "examples.png", "snr_improvement.png"]
    )
    assert all(p.read_text() == "old" for p in previous.iterdir())
    monkeypatch.setattr(_demo, "_generate_data", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_demo(tmp_path / "new" / "nested", quick=True, verbose=False)
    assert not (tmp_path / "new").exists()


def test_rows_are_the_models_measured_results(quick_run):
    # Every row is measured: the band-pass row recomputed from the demo's data
    # matches, and at the lowest input level every model removes noise.
    import numpy as np

    from skdenoise.cli._demo import _SETTINGS, _baselines, _make_data
    from skdenoise.metrics import snr

    _, results, _, _ = quick_run
    train, noisy_train, test, noisy_test = _make_data(_SETTINGS["quick"], 0)
    bandpass = _baselines()["BandpassDenoiser"].fit(noisy_train, train)
    rows = {(row["model"], row["input_snr"]): row for row in results["rows"]}
    for level, noisy in noisy_test.items():
        row = rows["BandpassDenoiser", float(level)]
        denoised = np.asarray(bandpass.transform(noisy))
        assert row["output_snr"] == pytest.approx(snr(test, denoised), abs=1e-9)
    lowest = min(TEST_SNRS)
    gains = {model: rows[model, float(lowest)]["snr_improvement"] for model in MODELS}
    # (The network alone learns little in the quick run's two epochs.)
    alone = gains.pop(ALONE_NAME)
    assert alone > 0 and all(gain > 1.0 for gain in gains.values()), (alone, gains)
