"""The ``train``, ``denoise``, ``export`` and ``demo`` commands."""

import argparse
import ast
import contextlib
import glob
import inspect
import re
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .._files import replace_files
from .._registry import command_line_networks
from .._version import __version__
from ..pretrained import list_models
from ._errors import EXIT_OK, _CommandError, _os_error, _UsageError
from ._formats import (
    _annotation_files,
    _check_writable,
    _files_of,
    _files_to_write,
    _input_format,
    _output_path,
    _read_series,
    _same_file,
    _write_series,
)

# Name on the command line -> public class of skdenoise: every network.
MODELS = command_line_networks()
# The models shipped in the package (skdenoise.pretrained).
PRETRAINED_MODELS = tuple(name for name, _ in list_models())
NOISES = ("white", "mixture", "baseline", "muscle", "powerline")
_DEFAULT_WINDOW = 512


def _save_model(model, path):
    from ..persistence import save

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save(model, path)
    except OSError as exc:
        raise _CommandError(
            f"cannot save the model to {path}: {_os_error(exc)}"
        ) from None
    except TypeError as exc:
        raise _CommandError(f"cannot save the model to {path}: {exc}") from None


def _load_model(path, command):
    path = Path(path)
    if not path.is_file():
        raise _UsageError(f"model file not found: {path}")
    import warnings

    from ..exceptions import FileVersionWarning
    from ..persistence import load

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FileVersionWarning)
            model = load(path)
    except Exception as exc:  # any failure to load is reported, never traced
        message = str(exc)
        if "before loading the file" in message:
            # The command line imports nothing: the user's own code needs Python.
            message += (
                " The command line loads only models built from skdenoise's own "
                "code; load this one in Python (skdenoise.persistence.load) after "
                "importing that module."
            )
        raise _CommandError(f"cannot load a model from {path}: {message}") from None
    for warning in caught:
        if issubclass(warning.category, FileVersionWarning):
            # In the command line's words, not as a Python warning.
            message = str(warning.message).replace(
                "Save it again with this version to silence this warning.",
                "Train it again with this version to silence this warning.",
            )
            print(f"skdenoise {command}: warning: {message}", file=sys.stderr)
        elif "Skipping variable loading for optimizer" in str(warning.message):
            # A network saved without its optimizer's state (the pretrained
            # model's file): Keras starts a fresh one, which nothing here uses.
            continue
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    from sklearn.pipeline import Pipeline

    from ..base import BaseDenoiser

    final = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if not isinstance(final, BaseDenoiser):
        # A scaler or a windower would run and write something else than the
        # denoised series (of another shape, for a windower).
        raise _CommandError(
            f"{path} holds a {type(model).__name__}, which is not a denoiser (nor "
            "a pipeline ending in one): train one with skdenoise train, or save "
            "a skdenoise denoiser."
        )
    return model


def _parse_param(text):
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE (for example filters=8); got {text!r}"
        )
    try:
        parsed = ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        parsed = value.strip()
    return name.strip(), parsed


def _noise_model(kind, snr_db, sampling_rate, powerline_frequency):
    from .. import noise

    if kind == "white":
        return noise.WhiteNoise(snr=snr_db)
    if sampling_rate is None:
        raise _UsageError(
            f"--noise {kind} needs the sampling rate: pass --sampling-rate HZ (WFDB "
            "records give it themselves)."
        )
    fs = sampling_rate
    components = {
        "baseline": noise.BaselineWander(sampling_rate=fs),
        "muscle": noise.MuscleNoise(sampling_rate=fs),
        "powerline": noise.PowerlineNoise(
            sampling_rate=fs, frequency=powerline_frequency
        ),
    }
    if kind == "mixture":
        return noise.NoiseMixture(
            [*components.values(), noise.WhiteNoise()], snr=snr_db
        )
    return components[kind].set_params(snr=snr_db)


def _read_noise_file(path, layout):
    """The series of ``--noise-file``: a CSV in ``--layout``, an archive's first array.

    A recording stored as the one column of a CSV read in rows (each row a
    single value) is the one series it is. ``--key`` names an array of the
    training files, not of the noise file.
    """
    if str(path).lower().endswith(".csv"):
        try:
            return _read_series(path, "--noise-file", layout=layout)
        except _CommandError as exc:
            if layout != "rows" or "holds a single value" not in str(exc):
                raise
            return _read_series(path, "--noise-file", layout="columns")
    return _read_series(path, "--noise-file")


def _recorded_noise(data, snr_db, sampling_rate, training_files):
    """The noise of ``--noise-file``: stretches of a real recording.

    One series is one :class:`~skdenoise.noise.RecordedNoise`; several (the
    rows of a file, the channels of a WFDB record) are summed with weights
    drawn per window (:class:`~skdenoise.noise.NoiseMixture`), as the ECG
    benchmark mixes its recordings of noise.
    """
    from .. import noise

    if any(data.path.resolve() == f.path.resolve() for f in training_files if f):
        raise _UsageError(
            f"--noise-file {data.path} is also a training file: the noise must be "
            "a recording of noise alone."
        )
    rate = data.sampling_rate
    if rate is not None and sampling_rate is not None:
        if abs(rate - sampling_rate) > 1e-9 * sampling_rate:
            raise _UsageError(
                f"--noise-file {data.path} is sampled at {rate:g} Hz and the "
                f"training series at {sampling_rate:g} Hz; resample the noise to "
                "the series' rate first."
            )
    series = [np.asarray(s, dtype=np.float64) for s in data.series]
    if any(s.ndim != 1 for s in series):
        raise _UsageError(
            f"--noise-file {data.path} holds series with channels (shape "
            f"{np.shape(data.series)}); give the noise as one series per row."
        )
    recordings = [
        noise.RecordedNoise(
            s, snr=None if len(series) > 1 else snr_db, sampling_rate=rate
        )
        for s in series
    ]
    if len(recordings) == 1:
        return recordings[0]
    return noise.NoiseMixture(recordings, snr=snr_db)


# The network's parameters that the train command sets from options of their own.
_OWN_OPTIONS = {
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "learning_rate": "--learning-rate",
    "random_state": "--seed",
}


def _probe_noise(noise, window_length, option):
    """Try ``noise`` on a window: a bad value is a usage error, before training."""
    try:
        probe = np.sin(np.linspace(0.0, 6.0, window_length))[np.newaxis]
        noise.apply(probe, random_state=0)
    except (ValueError, TypeError) as exc:
        from ..noise._models import _FLAT_STRETCH_ADVICE

        # The Python API's way out is no option here.
        message = str(exc).replace(
            _FLAT_STRETCH_ADVICE, "Cut that stretch out of the file."
        )
        raise _UsageError(f"{option}: {' '.join(message.split())}") from None


def _training_arrays(clean, noisy, window_length, what="--clean"):
    """Arrays to fit on, windowing series of different lengths beforehand."""
    shortest = _shortest(clean.series)
    if window_length < 2:
        raise _UsageError(
            f"--window-length {window_length}: a window needs at least 2 samples."
        )
    if shortest < window_length:
        raise _UsageError(
            f"{what} has a series of {shortest} samples, shorter than the window "
            f"length {window_length}; pass a smaller --window-length."
        )
    if isinstance(clean.series, np.ndarray):
        if noisy is not None and (
            not isinstance(noisy.series, np.ndarray)
            or noisy.series.shape != clean.series.shape
        ):
            raise _CommandError(
                f"--noisy has series of shape {_describe_shape(noisy.series)} but "
                f"--clean has {clean.series.shape}; they must match."
            )
        return clean.series, None if noisy is None else noisy.series
    from ..datasets import make_windows

    lengths = [s.size for s in clean.series]
    if noisy is not None:
        other = (
            [s.size for s in noisy.series] if isinstance(noisy.series, list) else None
        )
        if other != lengths:
            raise _CommandError(
                "--noisy and --clean must hold series of the same lengths, in the "
                "same order."
            )
    stride = max(1, window_length // 2)
    windows = make_windows(list(clean.series), window_length, stride, drop_last=False)
    if noisy is None:
        return windows, None
    return windows, make_windows(
        list(noisy.series), window_length, stride, drop_last=False
    )


def _describe_shape(series):
    if isinstance(series, np.ndarray):
        return series.shape
    return "of lengths " + ", ".join(str(s.size) for s in series)


def _shortest(series):
    if isinstance(series, np.ndarray):
        return series.shape[1]
    return min(s.size for s in series)


# The Python API's words in the estimators' warnings -> the command line's.
_CLI_WORDS = (
    (
        r"Pass validation_data, more series or longer ones\.",
        "Pass more series or longer ones.",
    ),
    (
        r"\(validation_split=0, no validation_data, or blind-spot training\)",
        "(--param validation_split=0, or blind-spot training)",
    ),
    (r"\(validation_split=0 and no validation_data\)", "(--param validation_split=0)"),
    (r"(?<!--param )\bvalidation_split=", "--param validation_split="),
    (r"\(epochs\), lower the learning_rate", "(--epochs), lower the --learning-rate"),
    (
        r"the noisy X alone; the y given to fit is ignored\. Use training='supervised' "
        r"to train on pairs \(X, y\), clean or noisy \(Noise2Noise\)\.",
        "the --noisy series alone; the --clean series are ignored. Use --param "
        "training=supervised to train on the (--noisy, --clean) pairs.",
    ),
    (
        r"Fit on the series less their means \(X - X\.mean\(axis=1, keepdims=True\); "
        r"the denoiser takes series with an offset at transform\), or give the noise "
        r"an amplitude \(snr=None\)\.",
        "Remove each series' mean from the training files (the saved model "
        "takes series with an offset when it denoises).",
    ),
    (
        r"Fit on the series less their means \(X - X\.mean\(axis=1, keepdims=True\); "
        r"with this normalize, remove them at transform too and add them back\), or "
        r"give the noise an amplitude \(snr=None\)\.",
        "Remove each series' mean from the training files, and from the files "
        "to denoise (adding it back after), or leave --param normalize at its "
        "default.",
    ),
    (r"(\d+) series of X \(index [^)]*\) are", "Some training windows are"),
    (
        r"\d+ of the \d+ training windows \(stretches of zeros in the series\) are",
        "Some training windows are",
    ),
    (
        r"Remove them, or give the noise an amplitude \(snr=None\) instead\.",
        "Remove the all-zero stretches from the training series.",
    ),
    (
        r"set uncertainty to 'mc_dropout', 'ensemble' or 'sampling' "
        r"\(VAEDenoiser\) and fit again, or to 'flips' and call "
        r"calibrate_uncertainty\(X_val, y_val\)\.",
        "train the model with --param uncertainty=flips (or ensemble, or "
        "mc_dropout with --param dropout=0.1).",
    ),
    (
        r"Call calibrate_uncertainty\(X_val, y_val\) with noisy series and their "
        r"clean series that it did not train on\.",
        "Train it with --param validation_split above 0, so that it holds out "
        "series to calibrate it on.",
    ),
    (
        r", or calibrate_uncertainty on series in these units\.",
        ", or train a model on series in these units.",
    ),
    (r"\bin predict, every one of the", "in --std, every one of the"),
    (
        r"\(raise uncertainty_samples and calibrate again[^)]*\)",
        "(train with a larger --param uncertainty_samples)",
    ),
    (r"use uncertainty='ensemble'", "train with --param uncertainty=ensemble"),
    # The estimator's series are rows, channels or a ragged file's rows one
    # at a time: its index is not the file's.
    (r"the RMS of series \d+(?:, channel \d+)? lies", "the RMS of a series lies"),
    (r"\.predict\(X, return_std=True\)", " (--std)"),
    (r"predict\(\.\.\., return_std=True\)", "--std"),
    (r"\brandom_state\b", "--seed"),
    (r"\bbatch_size\b", "--batch-size"),
)


# Words of one command that has fewer options than train (the demo sets the
# learning rate and the targets itself), before the shared ones.
_COMMAND_WORDS = {
    "export": (
        (
            r"Export its estimator_ and resample your series to that rate around it\.",
            "Save its estimator_ from Python "
            "(skdenoise.persistence.save(model.estimator_, path)), export that "
            "file, and resample your series to that rate around it.",
        ),
        (
            r"export its last step \(pipeline\[-1\]\) and apply",
            "save its last step alone from Python "
            "(skdenoise.persistence.save(pipeline[-1], path)), export that file, "
            "and apply",
        ),
    ),
    "demo": (
        (
            r"Train longer \(epochs\), lower the learning_rate, or check that the "
            r"targets are the clean series\.",
            "Train longer (--epochs).",
        ),
    ),
}


def _in_cli_words(message, command=None):
    """An estimator's warning with the command line's options for its arguments."""
    for pattern, replacement in (*_COMMAND_WORDS.get(command, ()), *_CLI_WORDS):
        message = re.sub(pattern, replacement, message)
    return message


@contextlib.contextmanager
def _warnings_in_cli_words(command):
    """Print the estimators' warnings as the command line's, each once.

    ``skdenoise <command>: warning: ...``, in the command line's words, not a
    Python warning that names a line of the interpreter (``<frozen runpy>``).
    A warning raised once per batch (the noise's, from the input pipeline's
    thread too) is printed once. Warnings of other kinds than UserWarning
    (deprecations of the libraries underneath) are passed on as they are.
    """
    caught = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        printed = set()
        for warning in caught:
            if not issubclass(warning.category, UserWarning):
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
                continue
            message = _in_cli_words(str(warning.message), command)
            if message not in printed:
                printed.add(message)
                print(f"skdenoise {command}: warning: {message}", file=sys.stderr)


def _fit_reporting_warnings(model, *arrays, **fit_params):
    """Fit ``model``, printing its warnings in the command line's words."""
    with _warnings_in_cli_words("train"):
        model.fit(*arrays, **fit_params)


def _check_channel_pairs(clean, noisy):
    """WFDB records are paired channel by channel: their names must agree.

    The same names in another order would pair one lead with another: a
    usage error. Other names (a lead named otherwise) are paired by position,
    with a warning that says how.
    """
    if noisy is None or clean.format != "wfdb" or noisy.format != "wfdb":
        return
    names = list(clean.header.channel_names)
    other = list(noisy.header.channel_names)
    units = [str(u) for u in clean.header.units]
    other_units = [str(u) for u in noisy.header.units]
    for c, (a, b) in enumerate(zip(units, other_units, strict=False)):
        if a != b:
            # The channels are series of one network: one map of units.
            raise _UsageError(
                f"channel {c} is in {a} in --clean {clean.path} ({names[c]}) but in "
                f"{b} in --noisy {noisy.path} ({other[c]}); pairs must be in the "
                "same units. Write the records in the same units."
            )
    if names == other:
        return
    pairs = ", ".join(f"{a} with {b}" for a, b in zip(names, other, strict=False))
    if sorted(names) == sorted(other):
        raise _UsageError(
            f"--clean {clean.path} has the channels {', '.join(names)} and --noisy "
            f"{noisy.path} {', '.join(other)}: pairs are taken channel by channel, "
            f"which would pair {pairs}. Write the channels in the same order."
        )
    print(
        f"skdenoise train: warning: --clean {clean.path} and --noisy {noisy.path} "
        f"name their channels differently ({', '.join(names)} and "
        f"{', '.join(other)}); they are paired by position: {pairs}.",
        file=sys.stderr,
    )


def _ragged_validation(clean, noisy, window_length, network, seed):
    """Training windows and ``validation_data`` apart from them, for ragged rows.

    Rows of different lengths are cut into windows here, half a window apart:
    the WindowedDenoiser would then hold out some of those windows, which
    overlap training windows of the same row. The network's
    ``validation_split`` of the rows is held out whole instead, and their
    windows passed as ``validation_data``; where that share holds no whole
    row, the end of every row long enough to keep a window for training
    (as the WindowedDenoiser does for series of one length). Returns
    ``None`` for the validation, with a warning, where neither is possible
    (the windows are then split as before).
    """
    fraction = float(network.get_params(deep=False).get("validation_split") or 0)
    rows = len(clean.series)
    if not fraction:
        return (*_training_arrays(clean, noisy, window_length), None)
    n_val = min(rows - 1, round(fraction * rows))

    def rows_of(series, chosen, part=slice(None)):
        if series is None:
            return None
        return series._replace(
            series=[
                series.series[i][part[i] if isinstance(part, dict) else part]
                for i in chosen
            ]
        )

    if n_val >= 1:
        order = np.random.default_rng(None if seed is None else [seed, 11])
        order = order.permutation(rows)
        chosen_parts = [
            (np.sort(order[n_val:]), slice(None)),
            (np.sort(order[:n_val]), slice(None)),
        ]
    else:
        # No whole row: the end of each row that keeps a window to train on.
        fronts, backs = {}, {}
        for i, row in enumerate(clean.series):
            held = max(int(np.ceil(fraction * row.size)), window_length)
            cut = row.size - held
            fronts[i] = slice(None, cut) if cut >= window_length else slice(None)
            if cut >= window_length:
                backs[i] = slice(cut, None)
        if not backs and any(row.size > window_length for row in clean.series):
            print(
                f"skdenoise train: warning: cannot hold out validation windows "
                f"apart from the training windows: {rows} rows of "
                f"{_shortest(clean.series)} to "
                f"{max(row.size for row in clean.series)} samples hold no whole "
                f"row at validation_split={fraction:g} and no end of a row after a "
                f"training window of {window_length}. The network holds out random "
                f"windows, which overlap the training windows, so its early "
                f"stopping, gate and calibration see samples it trained on. Pass "
                f"more rows or longer ones, or a shorter --window-length.",
                file=sys.stderr,
            )
            return (*_training_arrays(clean, noisy, window_length), None)
        if not backs:  # one window a row: random windows are whole rows
            return (*_training_arrays(clean, noisy, window_length), None)
        chosen_parts = [(range(rows), fronts), (sorted(backs), backs)]
    parts = []
    for chosen, part in chosen_parts:
        parts.append(
            _training_arrays(
                rows_of(clean, chosen, part),
                rows_of(noisy, chosen, part),
                window_length,
            )
        )
    (X_clean, X_noisy), (val_clean, val_noisy) = parts
    validation = val_clean if val_noisy is None else (val_noisy, val_clean)
    return X_clean, X_noisy, validation


def _cmd_train(args):
    clean = _read_series(args.clean, "--clean file", layout=args.layout, key=args.key)
    noisy = None
    if args.noisy is not None:
        noisy = _read_series(
            args.noisy, "--noisy file", layout=args.layout, key=args.key
        )
    noise_data = None
    if args.noise_file is not None:
        if args.noise is not None:
            raise _UsageError(
                f"--noise {args.noise} and --noise-file both name the training "
                "noise; give one of them."
            )
        noise_data = _read_noise_file(args.noise_file, args.layout)
    output = Path(args.output)
    _check_writable(
        [output],
        overwrite=args.overwrite,
        protected=[
            path
            for data in (clean, noisy, noise_data)
            if data
            for path in _files_of(data)
        ],
    )
    if len(args.snr) > 2:
        raise _UsageError(
            f"--snr takes one value or two (LOW HIGH); got {len(args.snr)}."
        )
    if noisy is not None and _same_series(clean.series, noisy.series):
        same = (
            f"the same array of {clean.path} (--key picks one array for both)"
            if clean.path.resolve() == noisy.path.resolve()
            else "the same series"
        )
        raise _UsageError(
            f"--clean and --noisy read {same}: pairs of identical series teach "
            "nothing. Give the noisy series and their clean series in two files."
        )
    # A WFDB record's own rate (the clean one's, else the noisy one's); a
    # contradicting option is a usage error.
    if clean.sampling_rate is not None:
        sampling_rate = _pretrained_rate(args, clean)
    elif noisy is not None and noisy.sampling_rate is not None:
        sampling_rate = _pretrained_rate(args, noisy)
    else:
        sampling_rate = args.sampling_rate
    noisy_rate = None if noisy is None else noisy.sampling_rate
    if noisy_rate is not None and sampling_rate is not None:
        if abs(noisy_rate - sampling_rate) > 1e-9 * sampling_rate:
            raise _UsageError(
                f"--noisy {noisy.path} is sampled at {noisy_rate:g} Hz and the clean "
                f"series at {sampling_rate:g} Hz; pairs must share their rate."
            )
    _check_channel_pairs(clean, noisy)
    window_length = args.window_length or min(_DEFAULT_WINDOW, _shortest(clean.series))
    if window_length < 2:  # before the noise is tried on a window of it
        raise _UsageError(
            f"--window-length {window_length}: a window needs at least 2 samples."
        )
    kind = args.noise or ("white" if noisy is None else None)
    if noise_data is not None:
        kind = "recorded"
    training_noise = None
    snr_text = ""
    if kind is not None:
        snr_db = args.snr[0] if len(args.snr) == 1 else tuple(args.snr)
        snr_text = " to ".join(f"{value:g}" for value in args.snr)
        if kind == "recorded":
            training_noise = _recorded_noise(
                noise_data, snr_db, sampling_rate, [clean, noisy]
            )
            option = f"--noise-file {noise_data.path}"
        else:
            training_noise = _noise_model(
                kind, snr_db, sampling_rate, args.powerline_frequency
            )
            option = f"--noise {kind}"
        _probe_noise(training_noise, window_length, option)
    X_clean, X_noisy = _training_arrays(clean, noisy, window_length)
    _check_output_writable(output)

    import skdenoise

    from ..augment import from_names
    from ..pipeline import WindowedDenoiser

    network = getattr(skdenoise, MODELS[args.model])(
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        noise=training_noise,
        augment=from_names(args.augment),
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    known = network.get_params(deep=False)
    for name, value in args.param:
        # (random_state=None, an unseeded fit, has no option of its own.)
        if name in _OWN_OPTIONS and not (name == "random_state" and value is None):
            # It replaced the option's value (a default, or one given) without
            # a word.
            raise _UsageError(
                f"--param {name}: give it with {_OWN_OPTIONS[name]}, its own option."
            )
        prefix, separator, _rest = name.partition("__")
        if separator and prefix in known and not hasattr(known[prefix], "get_params"):
            raise _UsageError(
                f"--param {name}: {prefix} is {known[prefix]!r}, which has no "
                "parameters to set."
            )
        # A nested name (noise__snr) is checked by set_params below.
        if prefix not in known:
            # scikit-learn's message holds the estimator's repr, lines of it.
            raise _UsageError(
                f"--param: {MODELS[args.model]} has no parameter {name!r}; its "
                f"parameters are {', '.join(sorted(known))}."
            )
    try:
        network.set_params(**dict(args.param))
        # Values checked now, before the data are windowed and training starts
        # (a usage error, status 2, as they were when the training found them).
        network._validate_params()
    except (ValueError, TypeError) as exc:
        # On one line: a nested estimator's repr may span several.
        raise _UsageError(f"--param: {' '.join(str(exc).split())}") from None
    noise_params = [n for n, _ in args.param if n.split("__")[0] == "noise"]
    if noise_params and network.noise is not None:
        # The noise as --param left it (noise__snr=...), tried as the option's.
        _probe_noise(network.noise, window_length, f"--param {noise_params[-1]}")
    blind_spot = getattr(network, "training", "supervised") == "blind_spot"
    if (
        blind_spot
        and args.noise is None
        and args.noise_file is None
        and network.noise is training_noise
        and not noise_params
    ):
        # The default white noise is for clean series; blind-spot training
        # learns from the noisy series as they are (a --noise or --noise-file
        # still adds, and so does a noise set with --param noise__...).
        network.set_params(noise=None)
    from ..neural._batches import normalize_mode

    # A network that standardises its input passes each window's mean through
    # unchanged, so centring the windows changes nothing it outputs; in
    # training it makes the added noise's SNR count against the clean
    # windows' variation, not their offset (a WFDB record's baseline, say,
    # which the command gives no other way to remove).
    center = (
        X_noisy is None
        and normalize_mode(getattr(network, "normalize", False)) == "standard"
    )
    model = WindowedDenoiser(
        network, window_length=window_length, center_windows=center
    )
    fit_params = {}
    if not isinstance(clean.series, np.ndarray):
        X_clean, X_noisy, validation = _ragged_validation(
            clean, noisy, window_length, network, args.seed
        )
        if validation is not None:
            fit_params["validation_data"] = validation
    if not args.quiet:
        shape = "x".join(map(str, X_clean.shape))
        pairs = "noisy/clean pairs" if X_noisy is not None else "clean series"
        if blind_spot:
            pairs = "noisy series (blind-spot training, no clean targets)"
        print(
            f"training {MODELS[args.model]} on {shape} {pairs} in windows of "
            f"{window_length} samples"
            + _noise_summary(network, kind, snr_text, training_noise, X_noisy),
            flush=True,
        )
    from sklearn.utils._param_validation import InvalidParameterError

    try:
        if X_noisy is None:
            _fit_reporting_warnings(model, X_clean, **fit_params)
        else:
            _fit_reporting_warnings(model, X_noisy, X_clean, **fit_params)
    except InvalidParameterError as exc:
        raise _UsageError(f"invalid hyper-parameter: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise _CommandError(f"training failed: {exc}") from None
    if sampling_rate is not None:
        # A fitted attribute, saved with the model: denoise refuses series of
        # another rate. Models saved without it take series of any rate.
        model._sampling_rate_ = float(sampling_rate)
    if "verbose" not in {name for name, _ in args.param}:
        # The progress shown here is the command's; the saved model is quiet
        # by default, as one built in Python (a later partial_fit prints
        # nothing unless asked).
        for network in (model.estimator, getattr(model, "estimator_", None)):
            if network is not None:
                network.set_params(verbose=0)
    _save_model(model, output)
    if not args.quiet:
        print(f"saved the model to {output}")
    return EXIT_OK


def _noise_summary(network, kind, snr_text, training_noise, X_noisy):
    """What noise the training adds, as the network will add it."""
    blind_spot = getattr(network, "training", "supervised") == "blind_spot"
    if network.noise is None:
        # fit(X) of clean series alone adds the network's default noise;
        # blind-spot training none.
        if X_noisy is None and not blind_spot:
            return "; adding white noise at 0 to 20 dB"
        return ""
    if network.noise is training_noise and kind is not None:
        snr = getattr(network.noise, "snr", None)
        snr = [snr] if np.isscalar(snr) else list(snr) if snr is not None else []
        # --param noise__snr=... changes the model in place.
        snr_text = " to ".join(f"{float(value):g}" for value in snr) or snr_text
        return f"; adding {kind} noise at {snr_text} dB"
    return f"; adding {network.noise!r}"


def _check_output_writable(path):
    """Refuse, before training, an output whose folder cannot be written."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        raise _UsageError(
            f"cannot write the model to {path}: {_os_error(exc)}"
        ) from None


def _check_shapes(outputs, series, path, model):
    """Refuse outputs of another shape than the series they denoise."""
    pairs = (
        [(outputs, series)]
        if isinstance(series, np.ndarray)
        else zip(outputs, series, strict=True)
    )
    for out, given in pairs:
        if np.shape(out) != np.shape(given):
            raise _CommandError(
                f"cannot denoise {path} with this model: its "
                f"{type(model).__name__} returned shape {np.shape(out)} for series "
                f"of shape {np.shape(given)}."
            )
    return outputs


_TRANSPOSE_HINT = re.compile(
    r"a recording with time down the columns is transposed \(X\.T\), or given as "
    r"shape \(1, n_samples, n_leads\)\."
)


def _layout_words(message, path, layout="rows"):
    """The estimators' advice on transposing X, as the command line's."""
    if Path(path).suffix.lower() == ".csv" and layout == "columns":
        advice = (
            "the file was read with --layout columns; for a file with one series "
            "per row leave it out."
        )
    elif Path(path).suffix.lower() == ".csv":
        advice = "for a file with one series per column give --layout columns."
    else:
        advice = "for an array with time down its columns store its transpose."
    message = _TRANSPOSE_HINT.sub(advice, message)
    found = _CHANNELS.search(message)
    if found and found.group(1) == "1" and int(found.group(2)) > 1:
        # A WFDB record or a CSV gives each channel as a series of its own.
        message += (
            f" The command line gives each channel of a WFDB record, and each "
            f"series of a CSV, as a series of one channel: for a model of "
            f"{found.group(2)} channels store the recording as a .npy array of "
            f"shape (1, n_samples, {found.group(2)})."
        )
    elif found and found.group(2) == "1" and int(found.group(1)) > 1:
        # A 3-D array's leads, for a model of one channel (as the command
        # line trains on a WFDB record's leads): each lead a series.
        message += (
            f" The model denoises series of one channel (each lead of a record "
            f"as a series of its own): store the {found.group(1)} leads as rows "
            "of a 2-D array of shape (n_leads, n_samples), for one recording "
            "np.save(path, array[0].T)."
        )
    return message


_CHANNELS = re.compile(
    r"X has (\d+) channel\(s\), but \w+ was fitted on series with (\d+)"
)


def _denoise(model, series, path, layout="rows", progress=False):
    try:
        if isinstance(series, np.ndarray):
            out = np.asarray(model.transform(series))
        else:
            out = [
                np.asarray(model.transform(s[np.newaxis]))[0]
                for s in _series_bar(series, progress)
            ]
    except (ValueError, TypeError) as exc:
        raise _CommandError(
            f"cannot denoise {path} with this model: "
            f"{_layout_words(str(exc), path, layout)}"
        ) from None
    return _check_shapes(out, series, path, model)


def _denoise_with_std(model, series, path, source, layout="rows", progress=False):
    """The denoised series and their standard deviations (``--std``)."""
    no_std = _CommandError(
        f"--std: {source} gives no standard deviation (its predict has no "
        "return_std); train a neural denoiser with an uncertainty, or leave "
        "--std out."
    )
    if not hasattr(model, "predict"):
        raise no_std

    def predict(x):
        try:
            out = model.predict(x, return_std=True)
        except TypeError as exc:
            # A Pipeline passes return_std on to its last step, which may
            # not take it.
            if "return_std" in str(exc):
                raise no_std from None
            raise
        if not (isinstance(out, tuple) and len(out) == 2):
            raise no_std
        return np.asarray(out[0]), np.asarray(out[1])

    try:
        if isinstance(series, np.ndarray):
            mean, std = predict(series)
        else:
            pairs = [predict(s[np.newaxis]) for s in _series_bar(series, progress)]
            mean, std = [m[0] for m, _ in pairs], [d[0] for _, d in pairs]
    except (ValueError, TypeError) as exc:
        raise _CommandError(
            f"cannot denoise {path} with a standard deviation (--std): "
            + _layout_words(_in_cli_words(str(exc)), path, layout)
        ) from None
    return _check_shapes(mean, series, path, model), _check_shapes(
        std, series, path, model
    )


def _write_output(path, data, series, layout, note, shown=None, own_gain=False):
    """Write ``series`` as ``_write_series`` does; the notices to print.

    ``shown``: the path named in errors (by default ``path``); ``own_gain``:
    a WFDB record at gains of its own values (a standard deviation).
    """
    shown = path if shown is None else shown
    try:
        return _write_series(
            path, data, series, layout=layout, note=note, own_gain=own_gain
        )
    except OSError as exc:
        raise _CommandError(f"cannot write {shown}: {_os_error(exc)}") from None
    except ValueError as exc:  # a WFDB record name the format does not allow
        raise _CommandError(f"cannot write {shown}: {exc}") from None


def _write_outputs(jobs, data, fmt, layout, copies=()):
    """Write every ``(path, series, note, own_gain)`` of ``jobs``: all or none.

    Each is written under its own name into a new folder beside its path,
    and the files are moved into place only once all are written, so that a
    failed write (a full disk) leaves every earlier file as it was; so are
    the ``(source, target)`` files of ``copies`` (a record's annotations,
    beside the first job's path). Returns the notices to print, each with its
    path.
    """
    staged, notices = [], []
    try:
        for path, series, note, own_gain in jobs:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                folder = Path(tempfile.mkdtemp(prefix=".skdenoise-", dir=path.parent))
            except OSError as exc:
                raise _CommandError(f"cannot write {path}: {_os_error(exc)}") from None
            staged.append(folder)
            written = _write_output(
                folder / path.name,
                data,
                series,
                layout,
                note,
                shown=path,
                own_gain=own_gain,
            )
            # Notices name the file where it ends up, not the staged one.
            staged_name = str(folder / path.name)
            notices += [
                (path, notice.replace(staged_name, str(path))) for notice in written
            ]
        for source, target in copies:
            try:
                shutil.copyfile(source, staged[0] / target.name)
            except OSError as exc:
                raise _CommandError(
                    f"cannot write {target}: {_os_error(exc)}"
                ) from None
        moves = [
            (folder / final.name, final)
            for folder, (path, *_) in zip(staged, jobs, strict=True)
            for final in _files_to_write(path, fmt)
        ]
        moves += [(staged[0] / target.name, target) for _, target in copies]
        # Headers last (a header describes its signal file), and every file
        # moved even through a Ctrl-C: no record is left half old, half new.
        moves.sort(key=lambda move: move[1].suffix.lower() == ".hea")
        try:
            replace_files(moves)
        except OSError as exc:
            final = getattr(exc, "target", moves[-1][1])
            raise _CommandError(f"cannot write {final}: {_os_error(exc)}") from None
    finally:
        for folder in staged:
            shutil.rmtree(folder, ignore_errors=True)
    return notices


def _same_series(first, second):
    """Whether two inputs hold the same series (arrays, or lists of them)."""
    if isinstance(first, list) or isinstance(second, list):
        if not (isinstance(first, list) and isinstance(second, list)):
            return False
        return len(first) == len(second) and all(
            np.array_equal(a, b) for a, b in zip(first, second, strict=True)
        )
    return np.shape(first) == np.shape(second) and np.array_equal(first, second)


def _pretrained_rate(args, data):
    """The input's sampling rate: a WFDB record's own, else the option's."""
    given = getattr(args, "sampling_rate", None)
    if data.sampling_rate is not None:
        if given is not None and abs(given - data.sampling_rate) > 1e-9 * given:
            raise _UsageError(
                f"--sampling-rate {given:g} contradicts the {data.sampling_rate:g} Hz "
                f"of WFDB record {data.path}; leave the option out."
            )
        return float(data.sampling_rate)
    if given is None:
        raise _UsageError(
            f"--pretrained needs the sampling rate of {data.path}: pass "
            "--sampling-rate HZ (WFDB records give it themselves)."
        )
    from ..pretrained._models import _check_sampling_rate

    try:  # a rate the model cannot take is a bad option value
        return _check_sampling_rate(float(given))
    except ValueError as exc:
        raise _UsageError(f"--sampling-rate {given:g}: {exc}") from None


def _declared_rate(model):
    """The sampling rate a model saved from Python declares for its input.

    Its ``sampling_rate`` parameter (a filter's, a ``ResampledDenoiser``'s),
    the outermost one; None when it has none, or several that disagree.
    """
    try:
        params = model.get_params(deep=True)
    except Exception:  # noqa: BLE001 - not a scikit-learn estimator
        return None

    def number(value):
        return isinstance(
            value, (int, float, np.integer, np.floating)
        ) and not isinstance(value, bool)

    from ..augment import BaseAugmentation
    from ..noise import BaseNoise

    rates = []
    for name, value in params.items():
        if name.split("__")[-1] != "sampling_rate":
            continue
        # The rate of the training noise or augmentation left at its default
        # (MuscleNoise's 360 Hz) says nothing of the series the model takes;
        # one the user set is theirs (the noise must share the series' rate).
        owner = params.get(name.rpartition("__")[0])
        if isinstance(owner, (BaseNoise, BaseAugmentation)):
            default = inspect.signature(type(owner)).parameters.get("sampling_rate")
            if default is not None and value == default.default:
                continue
        if value is None:
            # A ResampledDenoiser's None: the series come at the rate of
            # its estimator (no resampling).
            prefix = name[: -len("sampling_rate")]
            value = params.get(prefix + "estimator_sampling_rate")
        if number(value):
            rates.append((name.count("__"), value))
    if not rates:
        return None
    depth = min(d for d, _ in rates)
    outer = {float(v) for d, v in rates if d == depth}
    return outer.pop() if len(outer) == 1 else None


def _check_model_rate(model, data, model_path):
    """Refuse series whose rate is known and not the one the model was trained at."""
    trained = getattr(model, "_sampling_rate_", None)
    how, what = "was trained on series", "as it learned to"
    if trained is None:
        trained = _declared_rate(model)
        how = "takes series (its sampling_rate parameter)"
        what = "as it was set up to"
    rate = data.sampling_rate
    if trained is None or rate is None or abs(rate - trained) <= 1e-9 * trained:
        return
    try:
        resamples = "estimator_sampling_rate" in model.get_params(deep=False)
    except Exception:  # noqa: BLE001 - not a scikit-learn estimator
        resamples = False
    if resamples and how.startswith("takes"):
        # A ResampledDenoiser (a fine-tuned pretrained model) takes any rate
        # once told the series' own.
        raise _UsageError(
            f"{data.path} is sampled at {rate:g} Hz, but {model_path} takes series "
            f"at {trained:g} Hz (its sampling_rate parameter). It resamples by "
            f"itself: in Python, set_params(sampling_rate={rate:g}) on the loaded "
            "model and save it again (or resample the record)."
        )
    raise _UsageError(
        f"{data.path} is sampled at {rate:g} Hz, but {model_path} {how} at "
        f"{trained:g} Hz: it would not denoise series at another rate {what}. "
        f"Resample the record to {trained:g} Hz first (for example "
        "with wfdb.processing.resample_multichan or scipy.signal.resample_poly), "
        f"or train a model on series at {rate:g} Hz; the pretrained ECG model "
        "(--pretrained ecg) resamples by itself."
    )


def _highpass_rate(model, data):
    """The sampling rate ``--highpass`` filters at, for a saved model."""
    if data.sampling_rate is not None:
        return float(data.sampling_rate)
    trained = getattr(model, "_sampling_rate_", None)
    if trained is None:
        # The rate its parameters declare, which _check_model_rate holds
        # WFDB records to as well.
        trained = _declared_rate(model)
    if trained is not None:
        return float(trained)
    raise _UsageError(
        f"--highpass needs the sampling rate of {data.path}: give a WFDB record "
        "(it carries its rate), or a model trained with --sampling-rate (or one "
        "whose sampling_rate parameter is set)."
    )


def _highpass(series, cutoff, rate):
    """``series`` (an array, or a list of rows) after the ``--highpass`` filter."""
    from ..baselines import BandpassDenoiser

    highpass = BandpassDenoiser(
        low_cutoff=cutoff, high_cutoff=None, order=2, sampling_rate=rate
    )
    if isinstance(series, np.ndarray):
        return highpass.fit(series).transform(series)
    return [
        highpass.fit(row[np.newaxis]).transform(row[np.newaxis])[0] for row in series
    ]


def _load_pretrained(name, sampling_rate, precision="float32"):
    from .. import pretrained

    try:
        return pretrained.load(name, sampling_rate=sampling_rate, precision=precision)
    except (OSError, ValueError) as exc:
        raise _CommandError(
            f"cannot use the pretrained model {name!r}: {exc}"
        ) from None


def _check_writable_gains(data):
    """Refuse, before denoising, a WFDB record that cannot be written back."""
    if data.format != "wfdb":
        return
    gain = np.asarray(data.header.gain, dtype=np.float64)
    bad = np.flatnonzero(~(gain > 0))
    if bad.size:
        channel = int(bad[0])
        raise _CommandError(
            f"WFDB record {data.path} has a gain of {gain[channel]:g} in channel "
            f"{data.header.channel_names[channel]!r} (an inverted channel): its "
            "denoised version cannot be written as a WFDB record, which takes "
            "positive gains only. Denoise it from Python (skdenoise.datasets."
            "read_wfdb reads it), or convert it to .npy or CSV first."
        )
    names = list(data.header.channel_names)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise _CommandError(
            f"WFDB record {data.path} names two channels {repeated[0]!r}: its "
            "denoised version cannot be written as a WFDB record (the wfdb "
            "package refuses two channels of one name). Give the channels names "
            "of their own in its header, or convert it to .npy or CSV first."
        )


def _refuse_stale_annotations(record, targets):
    """Refuse annotation files at an output record's name that no file replaces.

    A record written there (over an earlier one, with --overwrite) would get
    them beside it, and the wfdb package pairs them with it: beats of another
    record, or at another rate. They are the user's files: never removed.
    """
    if record is None:
        return
    from ..datasets import read_wfdb_annotations

    written = {Path(target).name for target in targets}
    stale = []
    for path in sorted(record.parent.glob(f"{glob.escape(record.name)}.*")):
        suffix = path.name[len(record.name) + 1 :]
        if path.name in written or suffix in ("hea", "dat"):
            continue
        if not re.fullmatch(r"\w+", suffix) or not path.is_file():
            continue
        try:
            beats = read_wfdb_annotations(record, extension=suffix)
        except (ValueError, OSError):
            continue  # not an annotation file
        if len(beats.sample):  # (a file of zeros reads as no annotation)
            stale.append(path.name)
    if stale:
        raise _UsageError(
            f"the output record {record} would have annotation files beside it "
            f"that this command does not write ({', '.join(stale)}), which the "
            "wfdb package reads as its annotations; remove them, or choose "
            "another output name (they are never removed, even with --overwrite)."
        )


def _windowed_part(model):
    """The part of ``model`` that cuts windows, or None.

    Found inside wrappers (``estimator_``) and at the end of a Pipeline.
    """
    for _ in range(8):
        if isinstance(getattr(model, "window_length", None), int):
            return model
        steps = getattr(model, "steps", None)
        if isinstance(steps, list) and steps:
            model = steps[-1][1]
            continue
        model = getattr(model, "estimator_", getattr(model, "estimator", None))
        if model is None:
            return None
    return None


def _window_of(model):
    """The window length of a windowed model, or None."""
    part = _windowed_part(model)
    return None if part is None else part.window_length


def _warn_short_rows(model, data, layout):
    """A hint when a file's rows are all shorter than the model's window.

    With the default ``--layout rows`` a file that holds its series down the
    columns (a time column, one column per lead) is read as many series of a
    few samples each, which a windowed model pads and denoises without
    complaint: nothing of what was meant. So is a 2-D NumPy array stored as
    ``(n_samples, n_leads)``.
    """
    window = _window_of(model)
    if window is None:
        return
    if data.format == "csv" and layout == "rows":
        advice = "If the file holds one series per column, give --layout columns."
    elif data.format in ("npy", "npz") and data.ndim == 2:
        advice = (
            "If the array holds one series per column (time down the rows), "
            "store its transpose (np.save(path, array.T)): the rows of X are "
            "the series, as in scikit-learn."
        )
    else:
        return
    longest = max(len(row) for row in data.series)
    if longest < window and len(data.series) > longest:
        print(
            f"skdenoise denoise: warning: {data.path} holds {len(data.series)} rows "
            f"of at most {longest} samples, all shorter than the model's window "
            f"of {window}: each row is denoised as one series. {advice}",
            file=sys.stderr,
        )


def _on_terminal():
    """Whether standard error is a terminal, where a progress bar belongs.

    Not in a log file, which would fill with the bar's redrawn lines; and
    there may be no standard error at all (pythonw on Windows, a service).
    """
    stream = sys.stderr
    try:
        return stream is not None and bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _series_bar(series, show):
    """``series`` (a list of rows of different lengths), with a progress bar."""
    from tqdm import tqdm

    return tqdm(series, desc="series", unit="series", disable=not show, file=sys.stderr)


def _show_progress(model):
    """Let the windowed part of ``model`` show a progress bar while it denoises.

    The model is the one loaded for this command; its file is not changed.
    """
    from ..windowing import WindowedDenoiser

    part = _windowed_part(model)
    if isinstance(part, WindowedDenoiser):
        part.verbose = 1


def _cmd_denoise(args):
    name = getattr(args, "pretrained", None)
    if name is not None and args.model is not None:
        raise _UsageError(
            f"give either MODEL_PATH ({args.model}) or --pretrained {name}, not both."
        )
    if name is None and args.model is None:
        raise _UsageError("give MODEL_PATH, or --pretrained NAME for a shipped model.")
    if name is None and getattr(args, "sampling_rate", None) is not None:
        raise _UsageError(
            "--sampling-rate applies to --pretrained models; a saved model works at "
            "the rate it was trained at."
        )
    precision = getattr(args, "precision", None)
    if name is None and precision is not None:
        raise _UsageError(
            "--precision applies to --pretrained models; a saved model computes in "
            "the precision it was saved with."
        )
    fmt, _ = _input_format(args.input, "input")
    output = _output_path(args.output, fmt)
    targets = _files_to_write(output, fmt)
    std_output = None
    if getattr(args, "std", None) is not None:
        std_output = _output_path(args.std, fmt)
        std_targets = _files_to_write(std_output, fmt)
        # The files themselves, links followed (a record's .hea and .dat may
        # be links to the output's).
        if std_output.resolve() == output.resolve() or any(
            _same_file(Path(a), Path(b)) for a in targets for b in std_targets
        ):
            raise _UsageError(
                f"--std {args.std} is the output; give the standard deviation a "
                "file of its own."
            )
        targets += std_targets
    if name is None and not Path(args.model).is_file():
        raise _UsageError(f"model file not found: {args.model}")
    data = _read_series(args.input, "input", layout=args.layout, key=args.key)
    _check_writable_gains(data)
    # The record's annotations (beats, rhythm) go with the denoised record.
    skipped = []
    annotations = [
        (file, output.parent / f"{output.name}{file.suffix}")
        for file in _annotation_files(data, skipped)
    ]
    targets += [target for _, target in annotations]
    protected = _files_of(data) + ([] if name is not None else [Path(args.model)])
    protected += [file for file, _ in annotations]
    _check_writable(targets, overwrite=args.overwrite, protected=protected)
    if fmt == "wfdb":
        for record in (output, std_output):
            _refuse_stale_annotations(record, targets)
    if name is not None:
        rate = _pretrained_rate(args, data)
        model = _load_pretrained(name, rate, precision or "float32")
        source = f"the pretrained model {name} at {rate:g} Hz"
    else:
        model = _load_model(args.model, "denoise")
        _check_model_rate(model, data, args.model)
        source = Path(args.model).name
    series = data.series
    _warn_short_rows(model, data, args.layout)
    # A bar over the windows of the series, or over series of different
    # lengths (denoised one by one).
    progress = not args.quiet and _on_terminal()
    if progress and isinstance(series, np.ndarray):
        _show_progress(model)
    if args.highpass is not None:
        cutoff = args.highpass
        fs = rate if name is not None else _highpass_rate(model, data)
        if not cutoff < fs / 2:
            raise _UsageError(
                f"--highpass {cutoff:g} Hz must lie below half the sampling rate "
                f"({fs / 2:g} Hz, half of {fs:g} Hz)."
            )
        try:
            series = _highpass(series, cutoff, fs)
        except ValueError as exc:  # a cut-off too low for a stable filter
            raise _UsageError(f"--highpass {cutoff:g}: {exc}") from None
        source += f" after a {cutoff:g} Hz high-pass"
    with _warnings_in_cli_words("denoise"):
        if std_output is None:
            denoised = _denoise(model, series, data.path, args.layout, progress)
        else:
            denoised, std = _denoise_with_std(
                model, series, data.path, source, args.layout, progress
            )
    note = f"denoised by skdenoise {__version__} with {source}"
    # A record is staged whole (its header edited there: an uncalibrated
    # channel's gain) and moved into place; another file is written at once.
    if std_output is None and not annotations and fmt != "wfdb":
        notices = _write_output(output, data, denoised, args.layout, note)
    else:
        jobs = [(output, denoised, note, False)]
        if std_output is not None:
            std_note = (
                f"standard deviation of the series denoised by skdenoise "
                f"{__version__} with {source}"
            )
            jobs.append((std_output, std, std_note, True))
        written = _write_outputs(jobs, data, fmt, args.layout, copies=annotations)
        notices = [
            notice if path == output else f"--std {path}: {notice}"
            for path, notice in written
        ]
    notices += [
        f"{file} is not copied beside the output: its annotations reach past the "
        f"end of the record ({data.header.signal.shape[0]} samples at "
        f"{data.header.sampling_rate:g} Hz; the file's times are read at its own "
        "rate where it gives one)."
        for file in skipped
    ]
    for notice in notices:  # printed even with --quiet: the output is not exact
        print(f"skdenoise denoise: warning: {notice}", file=sys.stderr)
    if not args.quiet:
        n = len(data.series)
        wrote = f"{output}" + ("" if std_output is None else f" and {std_output}")
        if annotations:
            names = ", ".join(target.name for _, target in annotations)
            wrote += f" (with the record's annotations: {names})"
        print(f"denoised {n} series from {data.path} with {source}; wrote {wrote}")
    return EXIT_OK


def _cmd_export(args):
    from .._export import EXPORT_FORMATS

    suffix = EXPORT_FORMATS[args.format]
    output = Path(args.output)
    if output.suffix != suffix:
        raise _UsageError(
            f"the {args.format} export is written to a file ending in {suffix}; "
            f"got {output}."
        )
    model_path = Path(args.model)
    if not model_path.is_file():
        raise _UsageError(f"model file not found: {model_path}")
    _check_writable([output], overwrite=args.overwrite, protected=[model_path])
    model = _load_model(model_path, "export")
    # Only a windowed model writes its windowing beside the network.
    windowed = hasattr(model, "window_length")
    windowing = Path(f"{output}.json")
    if windowed:
        _check_writable([windowing], overwrite=args.overwrite, protected=[model_path])
    from .. import export

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        export(model, output, format=args.format, batch_size=args.batch_size)
    except (TypeError, ValueError, ImportError) as exc:
        raise _CommandError(
            f"cannot export {model_path}: {_in_cli_words(str(exc), 'export')}"
        ) from None
    except OSError as exc:
        # The windowing file may be the one that could not be written.
        where = getattr(exc, "target", output)
        raise _CommandError(f"cannot write {where}: {_os_error(exc)}") from None
    if not args.quiet:
        note = f" and its windowing to {windowing}" if windowed else ""
        print(f"exported {model_path} as {args.format} to {output}{note}")
    return EXIT_OK


def _cmd_demo(args):
    from ._demo import run_demo

    try:
        with _warnings_in_cli_words("demo"):
            results = run_demo(
                args.out,
                quick=args.quick,
                seed=args.seed,
                epochs=args.epochs,
                verbose=not args.quiet,
            )
    except OSError as exc:
        raise _CommandError(f"cannot write the demo's files: {exc}") from None
    if args.quiet:
        print(results["report"].lstrip("\n"))
    return EXIT_OK
