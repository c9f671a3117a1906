"""The ``skdenoise`` command line: ``demo``, ``train``, ``denoise``, ``benchmark``.

Run ``skdenoise --help`` or ``skdenoise COMMAND --help``. :func:`main` is the
entry point (``python -m skdenoise`` calls it too); it returns the exit status:
0 on success, 1 when reading, training or denoising fails, 2 for a usage error
(a bad option, a missing input file, an unknown file format, an output that
exists). TensorFlow is imported only by the commands that train or run a
network.
"""

import argparse
import ast
import csv
import importlib.util
import io
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ._augment_names import AUGMENTATION_NAMES
from ._registry import command_line_networks
from ._version import __version__

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

# Name on the command line -> public class of skdenoise: every network.
MODELS = command_line_networks()
NOISES = ("white", "mixture", "baseline", "muscle", "powerline")
FORMATS = ("csv", "npy", "npz", "wfdb")
_SUFFIXES = {".csv": "csv", ".npy": "npy", ".npz": "npz"}
_DEFAULT_WINDOW = 512

_FORMATS_HELP = """\
file formats (chosen by the file name):
  FILE.csv     numbers separated by commas; with --layout rows (the default)
               every row is one series, as the rows of X in scikit-learn; with
               --layout columns every column is one series. Series may differ
               in length (leave the trailing cells empty or out). Lines that
               start with '#' are skipped; a first line without any number is a
               header, written back on output.
  FILE.npy     a NumPy array: (n_timesteps,) is one series, (n_series,
               n_timesteps) one series per row, (n_series, n_timesteps,
               n_channels) multichannel series.
  FILE.npz     a NumPy archive: the array named by --key (default: the first
               one) is used as a .npy file would be; on output the other
               arrays are copied unchanged.
  RECORD       a WFDB record: the path of its header without the .hea
               extension (formats 16, 61, 80 and 212). Each channel is one
               series; on output a header and a format-16 signal file are
               written with the input's gains, units and channel names.
"""

_EXIT_HELP = """\
exit status: 0 on success, 1 when reading, training or denoising fails, 2 for a
usage error (bad option, missing input, unknown format, existing output).
"""


class _UsageError(Exception):
    """A problem with the command line or the files it names (exit status 2)."""


class _CommandError(Exception):
    """A failure while reading, training or denoising (exit status 1)."""


# ------------------------------------------------------------------- formats
class _SeriesData(NamedTuple):
    """Series read from a file, with what is needed to write results back.

    ``series`` is an array (``(n_series, n_timesteps)`` or with channels) or, for
    series of different lengths, a list of 1-D arrays.
    """

    format: str
    path: Path
    series: Any
    ndim: int  # ndim of the stored array (npy/npz), to write back alike
    dtype: Any
    header: Any  # CSV header cells, or the WFDBRecord
    arrays: Any  # npz: every array of the archive; key: the one used
    key: Any
    sampling_rate: Any


def _wfdb_header(path):
    return Path(str(path) + ".hea")


def _input_format(path, what):
    """The format of an input path, checking that it exists."""
    path = Path(path)
    if path.suffix.lower() == ".hea":
        path = path.with_suffix("")
    if path.suffix.lower() in _SUFFIXES and not _wfdb_header(path).is_file():
        if not path.is_file():
            raise _UsageError(f"{what} not found: {path}")
        return _SUFFIXES[path.suffix.lower()], path
    if _wfdb_header(path).is_file():
        return "wfdb", path
    if path.is_file():
        raise _UsageError(
            f"{what} {path} has an unknown format {path.suffix or '(no extension)'!r}; "
            "expected a .csv, .npy or .npz file or a WFDB record (the path of its "
            ".hea header without the extension)."
        )
    raise _UsageError(
        f"{what} not found: {path} (neither a file nor a WFDB record with a header "
        f"{_wfdb_header(path)})"
    )


def _parse_number(cell, path, line, column):
    try:
        return float(cell)
    except ValueError:
        raise _CommandError(
            f"{path}, line {line}, column {column}: {cell.strip()!r} is not a number."
        ) from None


def _is_numeric(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_csv(path, layout):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _CommandError(f"{path} is not a text CSV file.") from None
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
            continue
        rows.append((number, [cell.strip() for cell in cells]))
    header = None
    # A header has no number at all; a row with some numbers is data, and its
    # other cells are reported as errors with their line and column.
    if rows and not any(_is_numeric(c) for c in rows[0][1] if c):
        header = rows.pop(0)[1]
    if not rows:
        raise _CommandError(f"{path} holds no numbers.")
    if layout == "rows":
        series = []
        for number, cells in rows:
            while cells and not cells[-1]:
                cells.pop()
            values = [
                _parse_number(cell, path, number, column)
                for column, cell in enumerate(cells, start=1)
            ]
            series.append(np.asarray(values, dtype=np.float64))
    else:
        n_columns = max(len(cells) for _, cells in rows)
        columns = [[] for _ in range(n_columns)]
        ended = [None] * n_columns
        for number, cells in rows:
            for column in range(n_columns):
                cell = cells[column] if column < len(cells) else ""
                if not cell:
                    ended[column] = ended[column] or number
                    continue
                if ended[column] is not None:
                    raise _CommandError(
                        f"{path}, line {number}, column {column + 1}: a value after "
                        f"an empty cell on line {ended[column]}; a column's series "
                        "must have no gaps."
                    )
                columns[column].append(_parse_number(cell, path, number, column + 1))
        series = [np.asarray(values, dtype=np.float64) for values in columns]
        if header is not None and len(header) != n_columns:
            header = None
    if any(s.size == 0 for s in series):
        raise _CommandError(f"{path} has an empty series (an empty row or column).")
    if layout == "rows" and len(series) > 1 and all(s.size == 1 for s in series):
        raise _CommandError(
            f"every row of {path} holds a single value, so each series would be one "
            "sample long; if the file holds one series per column, pass --layout "
            "columns."
        )
    if len({s.size for s in series}) == 1:
        series = np.stack(series)
    return header, series


def _check_array(array, path):
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise _CommandError(f"{path} must hold numbers; got dtype {array.dtype}.")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise _CommandError(f"{path} holds complex numbers; expected real series.")
    if array.ndim not in (1, 2, 3) or array.size == 0:
        raise _CommandError(
            f"{path} must hold an array of shape (n_timesteps,), (n_series, "
            f"n_timesteps) or (n_series, n_timesteps, n_channels); got shape "
            f"{array.shape}."
        )
    return array


def _load_numpy(path):
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise _CommandError(
            f"cannot read {path}: {exc} (arrays of Python objects are refused)."
        ) from None
    except (OSError, EOFError) as exc:
        raise _CommandError(
            f"cannot read {path}: not a valid NumPy file ({exc})."
        ) from None


def _read_series(path, what="input", *, layout="rows", key=None):
    """Read the series of a CSV, NumPy or WFDB file (see ``skdenoise --help``)."""
    fmt, path = _input_format(path, what)
    if key is not None and fmt != "npz":
        raise _UsageError(f"--key applies to .npz archives; {path} is a {fmt} file.")
    header = arrays = used_key = sampling_rate = None
    if fmt == "csv":
        header, series = _read_csv(path, layout)
        ndim, dtype = 2, np.dtype(np.float64)
    elif fmt == "npy":
        array = _check_array(_load_numpy(path), path)
        ndim, dtype, series = array.ndim, array.dtype, array
    elif fmt == "npz":
        with _load_numpy(path) as archive:
            try:
                arrays = {name: archive[name] for name in archive.files}
            except ValueError as exc:
                raise _CommandError(f"cannot read {path}: {exc}") from None
        if not arrays:
            raise _CommandError(f"{path} holds no arrays.")
        used_key = next(iter(arrays)) if key is None else key
        if used_key not in arrays:
            raise _UsageError(
                f"{path} has no array named {used_key!r}; it has {sorted(arrays)}."
            )
        array = _check_array(arrays[used_key], f"{path}[{used_key!r}]")
        ndim, dtype, series = array.ndim, array.dtype, array
    else:
        from .datasets import read_wfdb

        try:
            header = read_wfdb(path)
        except (OSError, ValueError) as exc:
            raise _CommandError(f"cannot read WFDB record {path}: {exc}") from None
        missing = np.isnan(header.signal).any(axis=0)
        if missing.any():
            channel = header.channel_names[int(np.argmax(missing))]
            raise _CommandError(
                f"WFDB record {path} has missing samples in channel {channel!r}; "
                "series with gaps cannot be denoised."
            )
        series = np.ascontiguousarray(header.signal.T)
        ndim, dtype, sampling_rate = 2, np.dtype(np.float64), header.sampling_rate
    if isinstance(series, np.ndarray):
        if series.ndim == 1:
            series = series[np.newaxis]
        series = series.astype(np.float64, copy=False)
    if not all(np.all(np.isfinite(s)) for s in series):
        raise _CommandError(f"{path} contains NaN or infinite values.")
    return _SeriesData(
        fmt, path, series, ndim, dtype, header, arrays, used_key, sampling_rate
    )


def _output_path(path, fmt):
    """Check an output path for the input's format; returns the path."""
    path = Path(path)
    if fmt == "wfdb":
        if path.suffix.lower() == ".hea":
            path = path.with_suffix("")
        if path.suffix.lower() in _SUFFIXES:
            raise _UsageError(
                f"the input is a WFDB record, so the output must be one too: give a "
                f"record path without extension, not {path}."
            )
        if not re.fullmatch(r"[A-Za-z0-9_\-.]+", path.name):
            raise _UsageError(
                f"WFDB record names use letters, digits, '_', '-' and '.'; got "
                f"{path.name!r}."
            )
        return path
    expected = "." + fmt
    if path.suffix.lower() != expected:
        raise _UsageError(
            f"the input is a {expected} file, so the output must be one too; got "
            f"{path} (output format follows the input's)."
        )
    return path


def _files_of(data):
    """The files an input was read from."""
    if data.format != "wfdb":
        return [data.path]
    from .datasets._wfdb import _parse_header

    header_path = _wfdb_header(data.path)
    files = [header_path]
    try:
        files += [
            header_path.parent / s.file_name for s in _parse_header(header_path).signals
        ]
    except (OSError, ValueError):
        pass
    return files


def _files_to_write(path, fmt):
    if fmt == "wfdb":
        return [_wfdb_header(path), path.parent / (path.name + ".dat")]
    return [path]


def _same_file(a, b):
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _check_writable(targets, *, overwrite, protected=()):
    for target in targets:
        for parent in Path(target).parents:
            if parent.exists() and not parent.is_dir():
                raise _UsageError(
                    f"cannot write {target}: {parent} is a file, not a folder."
                )
        for source in protected:
            if _same_file(target, source):
                raise _UsageError(
                    f"the output {target} is the input file; choose another output "
                    "(the input is never overwritten, even with --overwrite)."
                )
        if target.exists() and not overwrite:
            raise _UsageError(f"{target} exists; pass --overwrite to replace it.")
        if target.exists() and target.is_dir():
            raise _UsageError(f"{target} is a directory.")


def _atomic_write(path, write):
    """Write through a temporary file in the same folder, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            write(handle)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def _format_float(value):
    return format(float(value), ".10g")


def _write_csv(path, data, series, layout):
    rows = [list(map(_format_float, s)) for s in series]
    if layout == "columns":
        length = max(len(r) for r in rows)
        rows = [[r[i] if i < len(r) else "" for r in rows] for i in range(length)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if data.header is not None:
        writer.writerow(data.header)
    writer.writerows(rows)
    _atomic_write(path, lambda handle: handle.write(buffer.getvalue().encode()))


def _as_stored(data, denoised):
    """Denoised series in the stored array's shape and (floating) dtype."""
    array = np.asarray(denoised)
    if data.ndim == 1:
        array = array[0]
    dtype = data.dtype if np.issubdtype(data.dtype, np.floating) else np.float64
    return array.astype(dtype, copy=False)


def _write_wfdb(path, record, signal, note):
    """Write ``signal`` (n_samples, n_channels) as a WFDB record in format 16."""
    n_samples, n_channels = signal.shape
    peak = np.max(np.abs(signal), axis=0)
    # Keep the input's resolution unless a channel would overflow 16 bits.
    gain = np.where(
        peak * record.gain > 32000, 32000 / np.maximum(peak, 1e-300), record.gain
    )
    adc = np.rint(signal * gain).astype(np.int64)
    name = path.name
    lines = [f"{name} {n_channels} {record.sampling_rate:.12g} {n_samples}"]
    for c in range(n_channels):
        checksum = (int(adc[:, c].sum()) + 32768) % 65536 - 32768
        lines.append(
            f"{name}.dat 16 {gain[c]:.12g}(0)/{record.units[c]} 16 0 {adc[0, c]} "
            f"{checksum} 0 {record.channel_names[c]}"
        )
    lines += [f"# {comment}" for comment in record.comments]
    lines.append(f"# {note}")
    samples = adc.astype("<i2").tobytes()
    _atomic_write(path.parent / (name + ".dat"), lambda handle: handle.write(samples))
    _atomic_write(
        _wfdb_header(path),
        lambda handle: handle.write(("\n".join(lines) + "\n").encode("latin-1")),
    )


def _write_series(path, data, denoised, *, layout="rows", note="denoised by skdenoise"):
    """Write denoised series in the format (and layout) they were read in."""
    if data.format == "csv":
        _write_csv(path, data, denoised, layout)
    elif data.format == "npy":
        array = _as_stored(data, denoised)
        _atomic_write(path, lambda handle: np.save(handle, array, allow_pickle=False))
    elif data.format == "npz":
        arrays = dict(data.arrays)
        arrays[data.key] = _as_stored(data, denoised)
        _atomic_write(path, lambda handle: np.savez(handle, **arrays))
    else:
        _write_wfdb(path, data.header, np.asarray(denoised).T, note)


# -------------------------------------------------------------------- models
def _os_error(exc):
    """An OSError in a few words (its strerror, not its repr)."""
    return exc.strerror or str(exc)


def _save_model(model, path):
    from .persistence import save

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save(model, path)
    except OSError as exc:
        raise _CommandError(
            f"cannot save the model to {path}: {_os_error(exc)}"
        ) from None
    except TypeError as exc:
        raise _CommandError(f"cannot save the model to {path}: {exc}") from None


def _load_model(path):
    path = Path(path)
    if not path.is_file():
        raise _UsageError(f"model file not found: {path}")
    from .persistence import load

    try:
        model = load(path)
    except Exception as exc:  # any failure to load is reported, never traced
        raise _CommandError(f"cannot load a model from {path}: {exc}") from None
    if not hasattr(model, "transform"):
        raise _CommandError(
            f"{path} holds a {type(model).__name__}, which cannot denoise (no "
            "transform method)."
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
    from . import noise

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


def _training_arrays(clean, noisy, window_length, what="--clean"):
    """Arrays to fit on, windowing series of different lengths beforehand."""
    if isinstance(clean.series, np.ndarray):
        if noisy is not None and np.shape(noisy.series) != clean.series.shape:
            raise _CommandError(
                f"--noisy has series of shape {_describe_shape(noisy.series)} but "
                f"--clean has {clean.series.shape}; they must match."
            )
        return clean.series, None if noisy is None else noisy.series
    from .datasets import make_windows

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
    if min(lengths) < window_length:
        raise _CommandError(
            f"{what} has a series of {min(lengths)} samples, shorter than the window "
            f"length {window_length}; pass a smaller --window-length."
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


# ------------------------------------------------------------------ commands
def _cmd_train(args):
    clean = _read_series(args.clean, "--clean file", layout=args.layout, key=args.key)
    noisy = None
    if args.noisy is not None:
        noisy = _read_series(
            args.noisy, "--noisy file", layout=args.layout, key=args.key
        )
    output = Path(args.output)
    _check_writable(
        [output],
        overwrite=args.overwrite,
        protected=_files_of(clean) + (_files_of(noisy) if noisy else []),
    )
    if len(args.snr) > 2:
        raise _UsageError(
            f"--snr takes one value or two (LOW HIGH); got {len(args.snr)}."
        )
    sampling_rate = args.sampling_rate or clean.sampling_rate
    window_length = args.window_length or min(_DEFAULT_WINDOW, _shortest(clean.series))
    kind = args.noise or ("white" if noisy is None else None)
    training_noise = None
    if kind is not None:
        snr_db = args.snr[0] if len(args.snr) == 1 else tuple(args.snr)
        snr_text = " to ".join(f"{value:g}" for value in args.snr)
        training_noise = _noise_model(
            kind, snr_db, sampling_rate, args.powerline_frequency
        )
    X_clean, X_noisy = _training_arrays(clean, noisy, window_length)

    import skdenoise

    from .augment import from_names
    from .pipeline import WindowedDenoiser

    network = getattr(skdenoise, MODELS[args.model])(
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        noise=training_noise,
        augment=from_names(args.augment),
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    try:
        network.set_params(**dict(args.param))
    except ValueError as exc:
        raise _UsageError(f"--param: {exc}") from None
    model = WindowedDenoiser(network, window_length=window_length)
    if not args.quiet:
        shape = "x".join(map(str, X_clean.shape))
        pairs = "noisy/clean pairs" if X_noisy is not None else "clean series"
        print(
            f"training {MODELS[args.model]} on {shape} {pairs} in windows of "
            f"{window_length} samples"
            + (f"; adding {kind} noise at {snr_text} dB" if kind is not None else ""),
            flush=True,
        )
    from sklearn.utils._param_validation import InvalidParameterError

    try:
        if X_noisy is None:
            model.fit(X_clean)
        else:
            model.fit(X_noisy, X_clean)
    except InvalidParameterError as exc:
        raise _UsageError(f"invalid hyper-parameter: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise _CommandError(f"training failed: {exc}") from None
    _save_model(model, output)
    if not args.quiet:
        print(f"saved the model to {output}")
    return EXIT_OK


def _denoise(model, series, path):
    try:
        if isinstance(series, np.ndarray):
            return model.transform(series)
        return [np.asarray(model.transform(s[np.newaxis]))[0] for s in series]
    except (ValueError, TypeError) as exc:
        raise _CommandError(f"cannot denoise {path} with this model: {exc}") from None


def _cmd_denoise(args):
    fmt, _ = _input_format(args.input, "input")
    output = _output_path(args.output, fmt)
    if not Path(args.model).is_file():
        raise _UsageError(f"model file not found: {args.model}")
    data = _read_series(args.input, "input", layout=args.layout, key=args.key)
    _check_writable(
        _files_to_write(output, fmt),
        overwrite=args.overwrite,
        protected=_files_of(data) + [Path(args.model)],
    )
    model = _load_model(args.model)
    denoised = _denoise(model, data.series, data.path)
    try:
        _write_series(
            output,
            data,
            denoised,
            layout=args.layout,
            note=f"denoised by skdenoise {__version__} with {Path(args.model).name}",
        )
    except OSError as exc:
        raise _CommandError(f"cannot write {output}: {_os_error(exc)}") from None
    if not args.quiet:
        n = len(data.series)
        print(f"denoised {n} series from {data.path}; wrote {output}")
    return EXIT_OK


def _cmd_demo(args):
    from ._demo import run_demo

    try:
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


def _benchmark_script():
    return Path(__file__).resolve().parents[1] / "benchmarks" / "ecg.py"


def _cmd_benchmark(argv):
    script = _benchmark_script()
    if not script.is_file():
        print(
            "skdenoise benchmark: the ECG benchmark (benchmarks/ecg.py) ships with "
            "the source repository, not with the installed package; run it from a "
            "checkout of the repository.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    spec = importlib.util.spec_from_file_location("skdenoise_benchmark_ecg", script)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(script.parent))  # the script imports its sibling modules
    try:
        spec.loader.exec_module(module)
        result = module.main(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_FAILURE
    finally:
        sys.path.remove(str(script.parent))
        sys.modules.pop(spec.name, None)
    return result if isinstance(result, int) else EXIT_OK


# -------------------------------------------------------------------- parser
def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer; got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive number; got {text!r}"
        ) from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number; got {text!r}")
    return value


def _finite_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number; got {text!r}") from None
    if not np.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number; got {text!r}")
    return value


def _wrap(text):
    """Fill each paragraph to the terminal's usual width."""
    return "\n\n".join(textwrap.fill(p, 79) for p in text.split("\n\n"))


def _add_io_options(parser):
    parser.add_argument(
        "--layout",
        choices=("rows", "columns"),
        default="rows",
        help="CSV files: one series per row (default) or per column",
    )
    parser.add_argument(
        "--key", help=".npz archives: the array to use (default: the first one)"
    )


def _build_parser():
    """The ``argparse`` parser of the ``skdenoise`` command."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="skdenoise",
        description=_wrap(
            "Deep-learning denoisers for 1D time series, as scikit-learn "
            "transformers.\n\nStart with `skdenoise demo`: it trains and tunes a "
            "network on synthetic ECG and compares it with classical filters."
        ),
        epilog=(
            "examples:\n"
            "  skdenoise demo\n"
            "  skdenoise train --clean clean.csv --noisy noisy.csv --output model.skd\n"
            "  skdenoise train --clean data/100 --noise mixture --snr -6 18 "
            "--output ecg.skd\n"
            "  skdenoise denoise ecg.skd recording.npy --output denoised.npy\n\n"
            + _EXIT_HELP
        ),
        formatter_class=formatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"skdenoise {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    demo = commands.add_parser(
        "demo",
        help="tune a network on synthetic ECG and compare it with classical filters",
        description=_wrap(
            "Build synthetic ECG (360 Hz) with baseline wander, muscle, powerline "
            "and white noise, tune a pipeline of a Butterworth filter and a "
            "windowed UNetDenoiser with GridSearchCV scored on SNR, compare it with "
            "the band-pass, wavelet, Savitzky-Golay and Wiener filters at -3, 0, 6 "
            "and 12 dB input SNR, print the table and write it (CSV and Markdown) "
            "with figures to the output folder. Needs no download; a few minutes "
            "on two CPU cores."
        ),
        epilog=_EXIT_HELP,
        formatter_class=formatter,
    )
    demo.add_argument(
        "--out",
        default="skdenoise_demo_output",
        help="output folder, created if missing (default: %(default)s)",
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    demo.add_argument(
        "--quick", action="store_true", help="a much smaller run (under a minute)"
    )
    demo.add_argument(
        "--epochs",
        type=_positive_int,
        help="training epochs (default: 15; 2 with --quick)",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress lines")
    demo.set_defaults(handler=_cmd_demo)

    train = commands.add_parser(
        "train",
        help="train a denoiser on your own series and save it",
        description=_wrap(
            "Train a neural denoiser on the series of a file and save it. With "
            "--noisy it learns to map the noisy series to the clean ones; without, "
            "it adds noise to the clean series on the fly (--noise, --snr). The "
            "network runs on windows of --window-length samples "
            "(skdenoise.pipeline.WindowedDenoiser), so the saved model denoises "
            "series of any length. Models are saved without pickle "
            "(skdenoise.persistence)."
        ),
        epilog=_FORMATS_HELP + "\n" + _EXIT_HELP,
        formatter_class=formatter,
    )
    train.add_argument("--clean", required=True, metavar="FILE", help="clean series")
    train.add_argument(
        "--noisy", metavar="FILE", help="noisy versions of the clean series, same shape"
    )
    train.add_argument(
        "--model", choices=tuple(MODELS), default="unet", help="network (default: unet)"
    )
    train.add_argument(
        "--window-length",
        type=_positive_int,
        metavar="N",
        help=f"samples per window (default: {_DEFAULT_WINDOW}, or the length of the "
        "shortest series if shorter)",
    )
    train.add_argument(
        "--epochs", type=_positive_int, default=20, metavar="N", help="(default: 20)"
    )
    train.add_argument(
        "--batch-size",
        type=_positive_int,
        default=32,
        metavar="N",
        help="(default: 32)",
    )
    train.add_argument(
        "--learning-rate",
        type=_positive_float,
        default=1e-3,
        metavar="LR",
        help="(default: 0.001)",
    )
    train.add_argument(
        "--noise",
        choices=NOISES,
        help="noise added to the inputs during training, fresh at every epoch: "
        "white Gaussian, a random mixture of baseline wander, muscle, powerline and "
        "white noise, or one of those artefacts (default: white without --noisy; "
        "none with it, where a noise adds to the noisy inputs as augmentation)",
    )
    train.add_argument(
        "--snr",
        type=_finite_float,
        nargs="+",
        default=[0.0, 20.0],
        metavar="DB",
        help="SNR of the added noise in dB: one value, or LOW HIGH to draw per "
        "series (default: 0 20)",
    )
    train.add_argument(
        "--sampling-rate",
        type=_positive_float,
        metavar="HZ",
        help="sampling rate, needed by the ECG noises (WFDB records give theirs)",
    )
    train.add_argument(
        "--powerline-frequency",
        type=_positive_float,
        default=50.0,
        metavar="HZ",
        help="mains frequency of --noise powerline/mixture (default: 50)",
    )
    train.add_argument(
        "--augment",
        nargs="+",
        default=[],
        choices=tuple(AUGMENTATION_NAMES),
        metavar="NAME",
        help="vary the training windows per batch: "
        + "; ".join(f"{k}: {v}" for k, v in AUGMENTATION_NAMES.items())
        + " (default: none)",
    )
    train.add_argument(
        "--param",
        type=_parse_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another hyper-parameter of the network, e.g. filters=8 (repeatable)",
    )
    train.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    _add_io_options(train)
    train.add_argument(
        "--output", required=True, metavar="MODEL_PATH", help="model file to write"
    )
    train.add_argument(
        "--overwrite", action="store_true", help="replace an existing model file"
    )
    train.add_argument("--quiet", action="store_true", help="no progress output")
    train.set_defaults(handler=_cmd_train)

    denoise = commands.add_parser(
        "denoise",
        help="denoise a file with a saved model",
        description=_wrap(
            "Denoise the series of INPUT with the model in MODEL_PATH and write them "
            "to OUTPUT in the input's format. An existing OUTPUT is replaced only "
            "with --overwrite; the input itself is never replaced."
        ),
        epilog=_FORMATS_HELP + "\n" + _EXIT_HELP,
        formatter_class=formatter,
    )
    denoise.add_argument(
        "model", metavar="MODEL_PATH", help="a model saved by `skdenoise train`"
    )
    denoise.add_argument("input", metavar="INPUT", help="series to denoise")
    denoise.add_argument(
        "-o", "--output", required=True, metavar="OUTPUT", help="where to write"
    )
    denoise.add_argument(
        "--overwrite", action="store_true", help="replace an existing OUTPUT"
    )
    _add_io_options(denoise)
    denoise.add_argument("--quiet", action="store_true", help="no summary line")
    denoise.set_defaults(handler=_cmd_denoise)

    commands.add_parser(
        "benchmark",
        help="run the ECG benchmark (MITDB + NSTDB; from a source checkout)",
        description="Forwards its arguments to benchmarks/ecg.py.",
        add_help=False,
    )
    return parser


def main(argv=None):
    """Run the ``skdenoise`` command line; returns the exit status.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments, without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 1 on a failure while reading, training or denoising, 2 on
        a usage error.

    Examples
    --------
    >>> from skdenoise.cli import main
    >>> main(["denoise", "no-such-model.skd", "in.csv", "-o", "out.csv"])
    2
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "benchmark":
        return _cmd_benchmark(argv[1:])
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return args.handler(args)
    except _UsageError as exc:
        print(f"skdenoise {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except _CommandError as exc:
        print(f"skdenoise {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"skdenoise {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(
            f"skdenoise {args.command}: error: {_os_error(exc)}{where}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - a command line prints no traceback
        print(
            f"skdenoise {args.command}: error: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
