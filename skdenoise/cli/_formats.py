"""Reading and writing the series files of the command line."""

import csv
import glob
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .._files import atomic_write
from ._errors import _CommandError, _UsageError

FORMATS = ("csv", "npy", "npz", "wfdb")
_SUFFIXES = {".csv": "csv", ".npy": "npy", ".npz": "npz"}

_FORMATS_HELP = """\
file formats (chosen by the file name):
  FILE.csv     numbers separated by commas; with --layout rows (the default)
               every row is one series, as the rows of X in scikit-learn; with
               --layout columns every column is one series. Series may differ
               in length (leave the trailing cells empty or out). Lines that
               start with '#' are comments, written back unchanged in their
               place; a first line without any number, or 0,1,2,... (pandas'
               default column names), is a header, written back as it is, of
               any width. Values are written with the digits that read back as
               the same float64.
  FILE.npy     a NumPy array: (n_timesteps,) is one series, (n_series,
               n_timesteps) one series per row, (n_series, n_timesteps,
               n_channels) multichannel series. The output keeps a float
               array's dtype; integers and booleans come back as float64.
  FILE.npz     a NumPy archive: the array named by --key (default: the first
               one) is used as a .npy file would be; on output the other
               members are copied unchanged.
  RECORD       a WFDB record: the path of its header without the .hea
               extension (any WFDB format; needs the data extra). Each channel
               is one series; on output a header and one signal file are
               written (and the record's annotation files, such as .atr,
               copied unchanged) with the input's gains, baselines, units, channel
               names, ADC settings, base time and date, and comments: in
               format 24 or 32 when the input has it, else 16, and in a wider
               one where the denoised values do not fit at the input's gains.
               Records with several samples per frame are refused.
"""


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
    # CSV: the comment lines, as (number of lines before it, text); WFDB: the
    # header as the wfdb package reads it (formats, base time, ADC settings)
    details: Any = None
    # CSV: the file began with a UTF-8 byte-order mark (Excel's "CSV UTF-8"),
    # written back so that Excel reads the output as UTF-8 too
    bom: bool = False


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


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _bad_cell(cells, path, lines):
    """The error naming the first cell of ``cells`` (rows of str) not a number."""
    for (row, column), cell in np.ndenumerate(cells):
        if cell and not _is_number(cell):
            return _CommandError(
                f"{path}, line {lines[row]}, column {column + 1}: {str(cell)!r} is not "
                "a number."
            )
    return _CommandError(f"{path} holds cells that are not numbers.")


def _check_separator(path, cells):
    """Refuse a file whose values another separator than the comma parts.

    ``cells``: a data row as the comma-separated reader splits it. The file is
    refused when those cells are not numbers but the row's text, split at a
    semicolon or a tab, is (with a decimal comma, possibly).
    """
    if all(_is_number(cell) for cell in cells if cell.strip()):
        return
    line = ",".join(cells)
    for separator, name in ((";", "semicolons (';')"), ("\t", "tabs")):
        parts = [part.strip() for part in line.split(separator)]
        if len(parts) < 2 or not all(parts):
            continue
        if all(_is_number(part) for part in parts):
            decimal = ""
        elif all(_is_number(part.replace(",", ".")) for part in parts):
            decimal = " and a decimal comma"
        else:
            continue
        raise _CommandError(
            f"{path} separates its values with {name}{decimal}; CSV files are read "
            "with commas between the values and '.' as the decimal point. Save it "
            "with commas (for example with pandas: read_csv(path, sep="
            f"{separator!r}{', decimal=' + repr(',') if decimal else ''}) and then "
            "to_csv)."
        )


# A line with nothing but white space, between two lines.
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
# Besides tab and line ends, characters that NumPy's reader takes for white
# space around a number and Python's float() does not (or the reverse).
_UNUSUAL = re.compile(r"[^\t\n\r\x20-\x7e]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _read_plain_csv(text, path, layout):
    """``_read_csv``'s result for a plain file, read at NumPy's speed; or None.

    Plain: a header line at most (without quotes or control characters), then
    rows of as many finite numbers each, in ASCII, with no comment, quote or
    blank line. Anything else (None) is left to the line-by-line reader,
    which reads it, or refuses it with a message that names the line: for a
    plain file both give the same result.
    """
    if "\r" in text:  # universal newlines, as the line-by-line reader reads
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.rstrip()  # trailing blank lines are dropped, as line by line
    first, _, body = text.partition("\n")
    if first.lstrip().startswith("#") or '"' in first or _CONTROL.search(first):
        return None  # a comment, quoted cells, control characters
    cells = [cell.strip() for cell in first.split(",")]
    named = [cell for cell in cells if cell]
    if not named or named == ["0"]:
        # A blank first line; a lone 0 is a header or a sample by the rest.
        return None
    header = None
    if not any(_is_number(cell) for cell in named) or (
        len(named) > 1 and named == [str(i) for i in range(len(named))]
    ):
        if len(cells) > 1 and not cells[0]:
            return None  # an index column's empty name: refused
        header = cells
    else:
        body = text
    if not body or _BLANK_LINE.search("\n" + body + "\n"):
        return None
    if "#" in body or '"' in body or _UNUSUAL.search(body):
        return None
    try:
        values = np.loadtxt(
            io.StringIO(body),
            delimiter=",",
            comments=None,
            quotechar=None,
            dtype=np.float64,
            ndmin=2,
        )
    except ValueError:
        return None
    if not np.isfinite(values).all():
        return None
    if layout == "columns":
        values = np.ascontiguousarray(values.T)
        _check_index_column(path, values[0], len(values), header)
    elif len(values) > 1 and values.shape[1] == 1:
        return None  # one sample per series: refused
    return header, values, []


def _read_csv(path, layout):
    """The header (or None), the series and the comments of a CSV file.

    The comments are ``(place, text)``: each comment line's text and the
    number of header and data lines before it, to write it back in its place.
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The decoder counts from after a byte-order mark.
        offset = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
        raise _CommandError(
            f"{path} is not a UTF-8 text file (byte {exc.start + offset} is not "
            "UTF-8); save the CSV as UTF-8."
        ) from None
    plain = _read_plain_csv(text, path, layout)
    if plain is not None:
        return plain
    rows, lines, comments = [], [], []
    started = False  # a line holding a number was read
    # Line by line: a quote in a comment line opened a quoted field for the
    # whole file's reader, which swallowed the data lines after it.
    # Universal newlines, as a file opened in text mode reads them (a
    # Macintosh CSV ends its lines with a carriage return alone).
    lines_read = io.StringIO(text, newline=None).readlines()
    for number, line in enumerate(lines_read, start=1):
        if line.lstrip().startswith("#"):
            comments.append((len(rows), line.rstrip("\r\n")))
            continue
        if '"' in line:
            try:
                cells = next(csv.reader([line]), [])
            except csv.Error as exc:  # a field over the csv module's limit
                raise _CommandError(f"{path}, line {number}: {exc}.") from None
        else:
            # Without quotes the csv module splits at the commas; a field
            # over its size limit (131072 characters: a long series written
            # with semicolons) is left to the checks below.
            cells = line.rstrip("\n").split(",") if line.rstrip("\n") else []
        if "".join(cells).strip():
            started = started or any(_is_number(cell) for cell in cells)
        elif not started or (layout == "rows" and len(cells) <= 1):
            # Empty lines before the first line holding a number, and blank
            # lines between rows (which separate series), are dropped.
            continue
        # Others are kept, to be refused as a gap or an empty series (or
        # dropped below when no data follows): dropped, a line of empty cells
        # would shift every later sample of a column, or the rows after it.
        rows.append(cells)
        lines.append(number)
    while rows and not "".join(rows[-1]).strip():
        rows.pop()
        lines.pop()
    comments = [(min(place, len(rows)), text) for place, text in comments]
    if not rows:
        raise _CommandError(f"{path} holds no numbers.")
    _check_separator(path, rows[-1])  # the last row: data, never a header
    # A first row without any number is a header, written back on output (of
    # any width: it is not checked against the series); so is 0, 1, 2, ...
    # (pandas' default column names, from to_csv).
    header = None
    first = [cell.strip() for cell in rows[0] if cell.strip()]
    # pandas writes "0" over one column: a header in a file of columns, unless
    # the column holds whole numbers (then 0 may well be its first sample).
    pandas_names = first == [str(i) for i in range(len(first))] and (
        len(first) > 1
        or (
            layout == "columns"
            and len(rows) > 1
            and not any(
                cell.strip().lstrip("+-").isdigit() for row in rows[1:] for cell in row
            )
        )
    )
    if not any(_is_number(cell) for cell in first) or pandas_names:
        header = [cell.strip() for cell in rows[0]]
        rows, lines = rows[1:], lines[1:]
        if len(header) > 1 and not header[0] and any(header[1:]):
            # pandas' to_csv writes its index first, under an empty name.
            raise _CommandError(
                f"{path}: the first cell of its header is empty, so its first "
                "column looks like an index (pandas' to_csv writes one), which "
                "would be denoised as a series. Save it without the index "
                "(to_csv(path, index=False)) or drop that column."
            )
    if not rows:
        raise _CommandError(f"{path} holds no numbers.")
    width = max(len(cells) for cells in rows)
    cells = np.full((len(rows), width), "", dtype=object)
    for row, values in enumerate(rows):
        cells[row, : len(values)] = values
    cells = np.char.strip(cells.astype(str))
    filled = cells != ""
    if layout == "columns":
        cells, filled = cells.T, filled.T
    # Each series is a run of cells from the first; the rest of its row (or
    # column) is empty.
    last = filled.shape[1] - filled[:, ::-1].argmax(axis=1)
    lengths = np.where(filled.any(axis=1), last, 0)
    gaps = ~filled & (np.arange(filled.shape[1]) < lengths[:, None])
    if gaps.any():
        series, position = np.argwhere(gaps)[0]
        if layout == "rows":
            raise _CommandError(
                f"{path}, line {lines[series]}, column {position + 1}: '' is not a "
                "number."
            )
        after = position + np.argmax(filled[series, position:])
        raise _CommandError(
            f"{path}, line {lines[after]}, column {series + 1}: a value after an "
            f"empty cell on line {lines[position]}; a column's series must have "
            "no gaps."
        )
    try:
        values = np.full(cells.shape, np.nan)
        values[filled] = cells[filled].astype(np.float64)
    except ValueError:
        raise _bad_cell(
            cells.T if layout == "columns" else cells, path, lines
        ) from None
    if (lengths == 0).any():
        empty = int(np.argmax(lengths == 0))
        where = f"line {lines[empty]}" if layout == "rows" else f"column {empty + 1}"
        raise _CommandError(
            f"{path} has an empty series ({where} is empty): every row (or column) "
            "between the first and the last must hold a series."
        )
    if layout == "rows" and len(lengths) > 1 and (lengths == 1).all():
        raise _CommandError(
            f"every row of {path} holds a single value, so each series would be one "
            "sample long; if the file holds one series per column, pass --layout "
            "columns."
        )
    bad = filled & ~np.isfinite(values)
    if bad.any():
        series, position = np.argwhere(bad)[0]
        row, column = (series, position) if layout == "rows" else (position, series)
        raise _CommandError(
            f"{path}, line {lines[row]}, column {column + 1}: "
            f"{str(cells[series, position])!r} is not a finite number."
        )
    if layout == "columns":
        _check_index_column(path, values[0, : lengths[0]], len(lengths), header)
    if (lengths == lengths[0]).all():
        return header, np.ascontiguousarray(values[:, : lengths[0]]), comments
    return header, [values[i, :n] for i, n in enumerate(lengths)], comments


def _check_index_column(path, first, n_series, header):
    """Refuse a first column that rises in constant steps: a time or an index.

    pandas' to_csv writes a named index (time, sample) as the first column,
    which would be denoised, and so changed, as one more series.
    """
    if n_series < 2 or len(first) < 3:
        return
    if not np.all(np.diff(first) > 0):
        return
    # Times written to a few decimals (1/360 s as 0.002778) lie on a line
    # within half a unit of their last decimal; the values of a series that
    # happens to rise (a ramp of uneven steps) stray from any line.
    index = np.arange(len(first), dtype=np.float64)
    step, start = np.polyfit(index, first, 1)
    slack = 0.5 * _last_decimal(first) + 1e-6 * step + 1e-12 * np.max(np.abs(first))
    if not np.max(np.abs(first - (start + step * index))) <= 1.01 * slack:
        return
    name = f" ({header[0]!r})" if header and header[0] else ""
    raise _CommandError(
        f"{path}: its first column{name} rises in constant steps of {step:g} "
        f"from {first[0]:g} to {first[-1]:g}: a time or sample index (pandas' "
        "to_csv writes its index first), which would be denoised as a series. "
        "Drop that column, or save without the index (to_csv(path, index=False)); "
        "if it is a series (a ramp), put another column first."
    )


def _last_decimal(values):
    """The unit of the last decimal the finite ``values`` were written with."""
    for decimals in range(13):
        scaled = values * 10.0**decimals
        if np.all(np.abs(scaled - np.rint(scaled)) <= 1e-6 + 1e-15 * np.abs(scaled)):
            return 10.0**-decimals
    return 0.0


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
        with open(path, "rb") as file:
            magic = file.read(6)
    except OSError as exc:
        raise _CommandError(f"cannot read {path}: {exc}.") from None
    # np.load takes any other file for a pickle, and says so.
    if magic != b"\x93NUMPY" and not magic.startswith(b"PK"):
        raise _CommandError(
            f"cannot read {path}: not a NumPy .npy or .npz file (it does not start "
            "as one)."
        )
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as exc:
        refused = "allow_pickle" in str(exc)
        raise _CommandError(
            f"cannot read {path}: {exc}"
            + (" (arrays of Python objects are refused)." if refused else "")
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise _CommandError(
            f"cannot read {path}: not a valid NumPy file ({exc})."
        ) from None


def _wfdb_fields(path):
    """A WFDB record's header as the wfdb package reads it (None if it cannot)."""
    from ..datasets._wfdb import _quiet, _record_base, _wfdb

    try:
        with _quiet():
            return _wfdb().rdheader(str(_record_base(path)))
    except Exception:  # read_wfdb has read it; a multi-segment record, say
        return None


def _samples_per_frame(fields, path=None):
    """Samples per frame of each channel of a WFDB header (1 when unknown).

    A multi-segment record's own header has no channel fields: with ``path``
    (the record's), the most of each channel over its segments' headers.
    """
    frames = [int(n or 1) for n in (getattr(fields, "samps_per_frame", None) or [])]
    if frames or path is None:
        return frames
    for header in _segment_headers(path, fields):
        if header is None:
            continue
        own = _samples_per_frame(header)
        width = max(len(own), len(frames))
        own, frames = (v + [1] * (width - len(v)) for v in (own, frames))
        frames = [max(a, b) for a, b in zip(frames, own, strict=True)]
    return frames


def _segment_headers(path, fields):
    """The headers of a multi-segment record's segments, gaps left out.

    None for a segment whose header cannot be read (read_wfdb has read the
    record: be safe); nothing for a record of one segment.
    """
    from ..datasets._wfdb import _quiet, _record_base, _wfdb

    folder = _record_base(path).parent
    for segment in getattr(fields, "seg_name", None) or ():
        if segment == "~":  # a gap
            continue
        try:
            with _quiet():
                header = _wfdb().rdheader(str(folder / segment))
        except Exception:  # noqa: BLE001
            header = None
        yield header


def _read_series(path, what="input", *, layout="rows", key=None):
    """Read the series of a CSV, NumPy or WFDB file (see ``skdenoise --help``)."""
    fmt, path = _input_format(path, what)
    if key is not None and fmt != "npz":
        raise _UsageError(f"--key applies to .npz archives; {path} is a {fmt} file.")
    if layout != "rows" and fmt != "csv":
        raise _UsageError(
            f"--layout applies to CSV files; {path} is a {fmt} file"
            + (
                ", whose arrays are (n_series, n_samples): store the transpose."
                if fmt in ("npy", "npz")
                else "."
            )
        )
    header = arrays = used_key = sampling_rate = details = None
    bom = False
    if fmt == "csv":
        header, series, details = _read_csv(path, layout)
        with open(path, "rb") as file:
            bom = file.read(3) == b"\xef\xbb\xbf"
        ndim, dtype = 2, np.dtype(np.float64)
    elif fmt == "npy":
        array = _check_array(_load_numpy(path), path)
        ndim, dtype, series = array.ndim, array.dtype, array
    elif fmt == "npz":
        with _load_numpy(path) as archive:
            try:
                members = {name: archive[name] for name in archive.files}
            except ValueError as exc:
                raise _CommandError(f"cannot read {path}: {exc}") from None
            except (OSError, EOFError, zipfile.BadZipFile) as exc:
                raise _CommandError(
                    f"cannot read {path}: not a valid NumPy file ({exc})."
                ) from None
        # NumPy gives the bytes of a member that is not an array (a text
        # file added to the archive): copied as it is on output, not used.
        arrays = {k: v for k, v in members.items() if isinstance(v, np.ndarray)}
        if not arrays:
            others = sorted(members)
            raise _CommandError(
                f"{path} holds no NumPy arrays"
                + (f" (its members: {others[:5]})" if others else "")
                + "; expected an archive written by numpy.savez."
            )
        used_key = next(iter(arrays)) if key is None else key
        if used_key in members and used_key not in arrays:
            raise _UsageError(
                f"{path}'s member {used_key!r} is not a NumPy array; its arrays "
                f"are {sorted(arrays)}."
            )
        if used_key not in arrays:
            raise _UsageError(
                f"{path} has no array named {used_key!r}; it has {sorted(arrays)}."
            )
        array = _check_array(arrays[used_key], f"{path}[{used_key!r}]")
        ndim, dtype, series = array.ndim, array.dtype, array
    else:
        from ..datasets import read_wfdb

        try:
            header = read_wfdb(path)
        except (OSError, ValueError, ImportError) as exc:
            raise _CommandError(f"cannot read WFDB record {path}: {exc}") from None
        details = _wfdb_fields(path)
        frames = _samples_per_frame(details, path)
        if any(n > 1 for n in frames):
            raise _CommandError(
                f"WFDB record {path} has channels with {frames} samples per frame; "
                "they would be averaged to the frame rate and written back with "
                "fewer samples. Resample the record to one sample per frame first."
            )
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
        fmt,
        path,
        series,
        ndim,
        dtype,
        header,
        arrays,
        used_key,
        sampling_rate,
        details,
        bom,
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
        if not re.fullmatch(r"[-A-Za-z0-9_]+", path.name):
            raise _UsageError(
                f"WFDB record names use ASCII letters, digits, '_' and '-'; got "
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
    from ..datasets._wfdb import _signal_file_names

    header_path = _wfdb_header(data.path)
    files = [header_path]
    pending = [header_path]
    while pending:
        # A multi-segment record names its segments' headers, whose signal
        # files hold the samples: all of them are the input.
        header = pending.pop()
        try:
            names = _signal_file_names(header)
        except (OSError, ValueError):
            continue
        for name in names:
            path = header.parent / name
            if path in files:
                continue
            files.append(path)
            if path.suffix == ".hea":
                pending.append(path)
    return files


def _annotation_files(data, skipped=None):
    """The annotation files of an input WFDB record (``.atr`` and the like).

    Files ``<record>.<suffix>`` beside its header, other than its signal
    files, that the wfdb package reads as annotations. The denoised record
    has the input's samples and sampling rate, so they are copied unchanged.
    A file whose last annotation lies past the record's end (in seconds, at
    the file's own sampling rate where it has one) belongs to something
    longer: appended to the list ``skipped`` when given, not copied.
    """
    if data.format != "wfdb":
        return []
    from ..datasets import read_wfdb_annotations

    header = _wfdb_header(data.path)
    inputs = {path.name for path in _files_of(data)}
    n_samples = data.header.signal.shape[0]
    found = []
    for path in sorted(header.parent.glob(f"{glob.escape(header.stem)}.*")):
        suffix = path.name[len(header.stem) + 1 :]
        if path.name in inputs or not re.fullmatch(r"\w+", suffix):
            continue
        if not path.is_file():
            continue
        try:
            beats = read_wfdb_annotations(header.with_suffix(""), extension=suffix)
        except (ValueError, OSError):
            continue  # not an annotation file
        rate = beats.sampling_rate or data.header.sampling_rate
        # An annotation may mark the record's end, one sample past its last.
        if len(beats.sample) and (
            # Half a sample of slack: a rate rounded by another tool.
            beats.sample[-1] * data.header.sampling_rate > (n_samples + 0.5) * rate
        ):
            if skipped is not None:  # annotations of something longer
                skipped.append(path)
            continue
        found.append(path)
    return found


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
        if target.is_dir():
            raise _UsageError(
                f"{target} is a directory; name a file to write (--overwrite does "
                "not replace directories)."
            )
        if target.exists() and not overwrite:
            raise _UsageError(f"{target} exists; pass --overwrite to replace it.")


def _atomic_write(path, write):
    """Write through a temporary file in the same folder, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as handle:
        write(handle)


def _write_csv(path, data, series, layout):
    # repr of a Python float: the shortest text that reads back as the same
    # float64 (tolist gives Python floats, for any float dtype).
    rows = [list(map(repr, np.asarray(s, dtype=np.float64).tolist())) for s in series]
    if layout == "columns":
        length = max(len(r) for r in rows)
        rows = zip(*(r + [""] * (length - len(r)) for r in rows), strict=True)
    lines = list(map(",".join, rows))  # numbers never need quotes
    if data.header is not None:
        # Header cells may: the csv module writes them.
        head = io.StringIO()
        csv.writer(head, lineterminator="").writerow(data.header)
        lines.insert(0, head.getvalue())
    buffer = io.StringIO()
    if getattr(data, "bom", False):
        buffer.write("\ufeff")
    done = 0
    for place, text in data.details or ():
        # The comment lines, in their places between the header and rows
        # (place: the number of header and data lines before it).
        if lines[done:place]:
            buffer.write("\n".join(lines[done:place]) + "\n")
            done = min(place, len(lines))
        buffer.write(text + "\n")
    if done < len(lines):
        buffer.write("\n".join(lines[done:]) + "\n")
    _atomic_write(path, lambda handle: handle.write(buffer.getvalue().encode()))


def _as_stored(data, denoised):
    """Denoised series in the stored array's shape and (floating) dtype."""
    array = np.asarray(denoised)
    if data.ndim == 1:
        array = array[0]
    dtype = data.dtype if np.issubdtype(data.dtype, np.floating) else np.float64
    return array.astype(dtype, copy=False)


def _write_npz(handle, arrays, source):
    """An .npz archive of ``arrays``, compressed as ``source`` was.

    Written member by member: ``np.savez`` takes names such as ``file`` and
    ``allow_pickle`` as its own arguments, so such arrays would be lost.
    """
    with zipfile.ZipFile(source) as original:
        infos = original.infolist()
        deflated = any(info.compress_type != zipfile.ZIP_STORED for info in infos)
        compression = zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED
        with zipfile.ZipFile(handle, "w", compression=compression) as archive:
            for info in infos:
                # NumPy's key of a member: its name without ".npy".
                name = info.filename.removesuffix(".npy")
                if name not in arrays:
                    # Not an array (a text file beside them): copied as it is.
                    archive.writestr(info, original.read(info))
                    continue
                with archive.open(info.filename, "w", force_zip64=True) as member:
                    np.lib.format.write_array(
                        member, np.asanyarray(arrays[name]), allow_pickle=False
                    )


# Bits of the WFDB formats kept on output (FLAC's 524 as format 24); the
# others hold at most 16 bits and are written in format 16.
_WIDE_FORMATS = {24: 24, 32: 32, 524: 24}


def _header_list(fields, name, n_channels):
    """A per-channel field of a WFDB header; None where the header lacks it."""
    values = getattr(fields, name, None)
    if values is None or len(values) != n_channels or None in values:
        return None
    return list(values)


def _segments_list(path, fields, name, n_channels):
    """A per-channel field all segments of a multi-segment record share.

    Its own header holds no channel fields (they are in its segments'); None
    when it is not multi-segment, or its segments differ or lack the field.
    """
    if not getattr(fields, "seg_name", None):
        return None
    shared = None
    for header in _segment_headers(path, fields):
        if header is None:
            return None
        values = _header_list(header, name, n_channels)
        if values is None or (shared is not None and values != shared):
            return None
        shared = values
    return shared


def _header_names(fields, record):
    """Channel names as the input's header gives them (None for a channel without)."""
    names = getattr(fields, "sig_name", None)
    if names is None or len(names) != len(record.channel_names):
        return list(record.channel_names)
    return list(names)


def _ascii_comments(fields, record):
    """The input header's comments as the wfdb package reads them (ASCII)."""
    comments = getattr(fields, "comments", None)
    if comments is None:
        comments = record.comments
    return [c.encode("ascii", "ignore").decode() for c in comments]


def _flat_channels(path, record, signal, gain):
    """The notice for channels that the record's integers round coarsely."""
    from ..datasets._wfdb import _lost_resolution

    lost = list(_lost_resolution(signal, gain))
    if not lost:
        return []
    if len(lost) == 1:
        channel, peak, error = lost[0]
        flat = (
            f"channel {record.channel_names[channel]!r} of the WFDB record {path} "
            f"is nearly flat: its largest value is {peak * gain[channel]:.2g} steps "
            f"of its gain ({gain[channel]:g} per {record.units[channel]}), so the "
            f"record's integers round it with an error of {100 * error:.0f} % of "
            "its RMS"
        )
    else:
        names = ", ".join(repr(record.channel_names[c]) for c, _, _ in lost)
        steps = [peak * gain[c] for c, peak, _ in lost]
        errors = [100 * error for _, _, error in lost]
        flat = (
            f"{len(lost)} channels of the WFDB record {path} ({names}) are nearly "
            f"flat: their largest values are {min(steps):.2g} to {max(steps):.2g} "
            "steps of their gains, so the record's integers round them with errors "
            f"of {min(errors):.0f} to {max(errors):.0f} % of their RMS"
        )
    return [
        flat + ". The record keeps the input's gains; to get the values "
        "unrounded, write them as a .npy or .csv file instead "
        "(skdenoise.datasets.read_wfdb reads the input record)."
    ]


def _write_record(path, data, denoised, note, own_gain=False):
    """Write denoised channels as a WFDB record with the input's header fields.

    ``own_gain`` (a standard deviation, ``--std``): each channel at the gain
    that spreads its own values over the 16-bit range, with baseline 0, not
    at the input's gain, whose steps may be as large as the values. Returns
    the notices to print: channels whose resolution is lost.
    """
    import warnings

    from ..datasets import write_wfdb
    from ..datasets._wfdb import _WRITE_LIMITS, _fitting_gain

    record, fields = data.header, data.details
    signal = np.asarray(denoised, dtype=np.float64).T
    n_channels = signal.shape[1]
    # The input's format where it holds more than 16 bits, else 16; a wider one
    # where the denoised values do not fit at the input's gains.
    formats = _header_list(fields, "fmt", n_channels) or []
    least = max([16] + [_WIDE_FORMATS.get(int(f), 16) for f in formats])
    gain = np.asarray(record.gain, dtype=np.float64)
    baseline = np.asarray(record.baseline)
    if own_gain:
        # Values of either sign up to their peak fill the 16-bit range.
        peak = np.max(np.abs(signal), axis=0)
        limit = _WRITE_LIMITS[16]
        with np.errstate(over="ignore"):
            # A peak near the smallest float (the std of a lead flat for the
            # whole record) overflows the gain: that channel keeps its own.
            fill = limit / np.where(peak > 0, peak, 1.0)
        gain = np.where((peak > 0) & np.isfinite(fill), fill, gain)
        baseline = np.zeros_like(baseline)
    fmt = next(
        (
            fmt
            for fmt in (16, 24, 32)
            if fmt >= least
            and np.array_equal(_fitting_gain(signal, gain, baseline, fmt), gain)
        ),
        32,
    )
    written = _fitting_gain(signal, gain, baseline, fmt)
    notices = [
        f"channel {record.channel_names[channel]!r} of {path} does not fit format "
        f"{fmt} at the input's gain {gain[channel]:g}: it is written at gain "
        f"{written[channel]:.6g}, in coarser steps."
        for channel in np.flatnonzero(written != gain)
    ]
    notices += _flat_channels(path, record, signal, written)
    try:
        source_header = _wfdb_header(data.path).read_bytes()
    except OSError:
        source_header = b""
    if not source_header.isascii():
        notices.append(
            f"the header {_wfdb_header(data.path)} holds characters that are not "
            "ASCII (in its channel names or comments); WFDB headers are ASCII text "
            f"and the wfdb package drops such characters, so the header of {path} "
            "lacks them."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # Said above in the command line's words (it has no gain option).
        warnings.filterwarnings("ignore", message=r"Channel \d+ loses its resolution")
        write_wfdb(
            path,
            signal,
            sampling_rate=record.sampling_rate,
            gain=written,
            units=record.units,
            # The header's own names: None where a channel has none (read_wfdb
            # calls it "signal 0", ...), so that none is added.
            channel_names=_header_names(fields, record),
            # The header's comments as WFDB readers read them (without the
            # characters that are not ASCII, said above); a model's file name
            # may hold characters WFDB headers cannot.
            comments=[
                *_ascii_comments(fields, record),
                note.encode("ascii", "replace").decode(),
            ],
            fmt=fmt,
            baseline=baseline,
            # A std at gains of its own: no ADC of the input's made its values.
            adc_resolution=(
                [fmt] * n_channels
                if own_gain
                else _header_list(fields, "adc_res", n_channels)
                or _segments_list(data.path, fields, "adc_res", n_channels)
            ),
            adc_zero=[0] * n_channels
            if own_gain
            else _header_list(fields, "adc_zero", n_channels)
            or _segments_list(data.path, fields, "adc_zero", n_channels),
            base_time=getattr(fields, "base_time", None),
            base_date=getattr(fields, "base_date", None),
            counter_frequency=getattr(fields, "counter_freq", None),
            base_counter=(
                getattr(fields, "base_counter", None)
                if getattr(fields, "counter_freq", None) is not None
                else None
            ),
        )
    if not own_gain:
        # WFDB's gain 0 (uncalibrated, read at 200) stays 0, not a calibration.
        uncalibrated = [
            channel
            for channel in _uncalibrated_channels(_wfdb_header(data.path))
            if channel < n_channels and written[channel] == gain[channel]
        ]
        if uncalibrated:
            _mark_uncalibrated(_wfdb_header(path), uncalibrated)
    return notices


def _header_lines(header_path):
    """A WFDB header's lines other than comments: (index in text, fields)."""
    try:
        lines = header_path.read_text(encoding="latin-1").split("\n")
    except OSError:
        return []
    return [
        (index, line.split())
        for index, line in enumerate(lines)
        if line.strip() and not line.strip().startswith("#")
    ]


def _signal_lines(header_path):
    """The signal lines of a single-segment WFDB header: (index in text, fields)."""
    content = _header_lines(header_path)
    if not content or "/" in content[0][1][0]:  # none, or multi-segment
        return []
    n_signals = int(content[0][1][1]) if len(content[0][1]) > 1 else 0
    return content[1 : 1 + n_signals]


def _gain_of(token):
    """The gain in a signal line's ``gain[(baseline)][/units]`` field."""
    match = re.match(r"[-+0-9.eE]+", token)
    try:
        return float(match.group()) if match else None
    except ValueError:
        return None


def _uncalibrated_channels(header_path):
    """Channels a header gives gain 0 or none (WFDB: uncalibrated, read at 200).

    A multi-segment record's are its segments' (read_wfdb refuses segments of
    other gains): those of its first segment that is not a gap.
    """
    segment = _first_segment(header_path)
    if segment is not None:
        return _uncalibrated_channels(segment)
    return [
        channel
        for channel, (_, fields) in enumerate(_signal_lines(header_path))
        if len(fields) <= 2 or _gain_of(fields[2]) == 0
    ]


def _first_segment(header_path):
    """The header of a multi-segment record's first segment with samples, or None."""
    content = [fields for _, fields in _header_lines(header_path)]
    if not content or "/" not in content[0][0]:
        return None
    for fields in content[1:]:
        if fields[0] != "~" and not (len(fields) > 1 and fields[1] == "0"):
            return header_path.parent / f"{fields[0]}.hea"
    return None


def _mark_uncalibrated(header_path, channels):
    """Write gain 0 in a written header's signal lines of ``channels``.

    The header is edited where it was written: the command line writes a
    record into a staging folder and moves it into place once whole.
    """
    lines = header_path.read_text(encoding="ascii").split("\n")
    for channel, (index, fields) in enumerate(_signal_lines(header_path)):
        if channel in channels and len(fields) > 2:
            # Only the gain: a description may hold runs of spaces.
            lines[index] = re.sub(
                r"^(\s*\S+\s+\S+\s+)[-+0-9.eE]+", r"\g<1>0", lines[index]
            )
    header_path.write_text("\n".join(lines), encoding="ascii")


def _write_series(
    path, data, denoised, *, layout="rows", note="denoised by skdenoise", own_gain=False
):
    """Write denoised series in the format (and layout) they were read in.

    Returns the notices to print (for a WFDB record, channels whose resolution
    is lost).
    """
    if data.format == "csv":
        _write_csv(path, data, denoised, layout)
    elif data.format == "npy":
        array = _as_stored(data, denoised)
        _atomic_write(path, lambda handle: np.save(handle, array, allow_pickle=False))
    elif data.format == "npz":
        arrays = dict(data.arrays)
        arrays[data.key] = _as_stored(data, denoised)
        _atomic_write(path, lambda handle: _write_npz(handle, arrays, data.path))
    else:
        return _write_record(path, data, denoised, note, own_gain)
    return []
