"""WFDB records (PhysioNet's header, signal and annotation files).

Decoding and encoding are done by the ``wfdb`` package (the ``data`` extra),
PhysioNet's reference implementation, which reads every WFDB signal format
and multi-segment records. This module adds what the package leaves to its
callers: a strict check of the header (the package reads a malformed field as
its default value), checksums, signal files that must lie beside the header,
NaN for invalid samples, and errors that name the file.
"""

import contextlib
import copy
import math
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = [
    "WFDBAnnotations",
    "WFDBRecord",
    "read_wfdb",
    "read_wfdb_annotations",
    "write_wfdb",
    "SUPPORTED_FORMATS",
]

#: WFDB signal formats that :func:`read_wfdb` decodes (508, 516 and 524 are
#: FLAC-compressed and need the ``soundfile`` package).
SUPPORTED_FORMATS = (8, 16, 24, 32, 61, 80, 160, 212, 310, 311, 508, 516, 524)

# Bytes per sample of the uncompressed formats (to report a truncated file).
_BYTES_PER_SAMPLE = {
    8: 1, 16: 2, 24: 3, 32: 4, 61: 2, 80: 1, 160: 2, 212: 1.5, 310: 4 / 3, 311: 4 / 3
}  # fmt: skip

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# Only the forms the wfdb package reads as written are accepted: it reads a
# sign or an exponent in the sampling frequency ("3.6e2" as 3.6), an uppercase
# exponent in a gain, a sign in the integer fields and units of other
# characters (non-ASCII ones dropped: "uV" with a micro sign becomes "V") as
# other values or as its defaults.
_PLAIN = r"(?:\d+\.?\d*|\.\d+)"
_PLAIN_HINT = (
    " (write it as a plain decimal number, without a sign or an exponent: the "
    "wfdb package misreads those)"
)
_UNSIGNED = re.compile(r"\d+")
_SIGNED = re.compile(r"-?\d+")
_INTEGER_HINT = " (an integer without a '+' sign: the wfdb package misreads it)"
# Record line: name[/segments] n_signals [fs[/counter[(base)]] [n_samples ...]]
_RECORD_FIELDS = (
    ("number of signals", _UNSIGNED, ""),
    (
        "sampling frequency",
        re.compile(rf"{_PLAIN}(?:/{_PLAIN}(?:\(-?{_PLAIN}\))?)?"),
        _PLAIN_HINT,
    ),
    ("number of samples", _UNSIGNED, ""),
)
# Signal line: file format[xspf][:skew][+offset] [gain[(baseline)][/units] ...]
_SIGNAL_FIELDS = (
    (
        "format",
        re.compile(r"\d+(?:x\d+)?(?::\d+)?(?:\+\d+)?"),
        " (format[xsamples per frame][:skew][+byte offset], non-negative integers)",
    ),
    (
        "gain",
        re.compile(
            rf"(?:-?{_PLAIN}(?:e[-+]?\d+)?|\+\d+)(?:\(-?\d+\))?(?:/[-\w^?%/]+)?",
            re.ASCII,
        ),
        " (gain[(baseline)][/units]: a number with a lowercase 'e' for an exponent, "
        "an integer baseline, units of ASCII letters, digits and _^-?%/; the wfdb "
        "package misreads other forms)",
    ),
    ("ADC resolution", _UNSIGNED, _INTEGER_HINT),
    ("ADC zero", _SIGNED, _INTEGER_HINT),
    ("initial value", _SIGNED, _INTEGER_HINT),
    ("checksum", _SIGNED, _INTEGER_HINT),
    ("block size", _UNSIGNED, _INTEGER_HINT),
)


def _wfdb():
    try:
        with _quiet():  # the package warns through pandas on import
            import wfdb
    except ImportError:
        raise ImportError(
            "Reading and writing WFDB records needs the wfdb package: "
            'pip install "skdenoise[data]"'
        ) from None
    return wfdb


@contextlib.contextmanager
def _quiet():
    """Silence the deprecation warnings the wfdb package raises through pandas.

    Its ``inplace=True`` calls, which pandas 4 removes (hence ``pandas<4`` in
    the extras that install wfdb).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*inplace", module="wfdb")
        yield


class WFDBRecord(NamedTuple):
    """A WFDB record read by :func:`read_wfdb`.

    Attributes
    ----------
    record_name : str
        Name of the record (the header's first field).
    signal : ndarray of shape (n_samples, n_channels)
        Physical values, float64: ``(adc - baseline) / gain``; NaN where the
        record marks a sample as missing.
    sampling_rate : float
        Samples per second and channel, in Hz.
    channel_names : tuple of str
        Description of each channel (for example ``"MLII"``).
    units : tuple of str
        Physical unit of each channel (``"mV"`` when the header gives none).
    adc : ndarray of shape (n_samples, n_channels)
        Digital sample values, int32, as stored in the signal file.
    gain : ndarray of shape (n_channels,)
        ADC units per physical unit.
    baseline : ndarray of shape (n_channels,)
        Digital value of physical zero.
    comments : tuple of str
        Comment lines of the header, without the leading ``#``.

    Examples
    --------
    >>> from skdenoise.datasets import WFDBRecord
    >>> WFDBRecord._fields[:3]
    ('record_name', 'signal', 'sampling_rate')
    """

    record_name: str
    signal: np.ndarray
    sampling_rate: float
    channel_names: tuple
    units: tuple
    adc: np.ndarray
    gain: np.ndarray
    baseline: np.ndarray
    comments: tuple


class WFDBAnnotations(NamedTuple):
    """Annotations of a WFDB record read by :func:`read_wfdb_annotations`.

    Attributes
    ----------
    sample : ndarray of shape (n_annotations,)
        Sample index of each annotation, int64.
    symbol : tuple of str
        Annotation code of each annotation (``"N"``, ``"V"``, ``"+"``, ...).
    aux_note : tuple of str
        Auxiliary text of each annotation (rhythm changes, for example).
    sampling_rate : float or None
        Sampling rate of the annotations: the one the annotation file records,
        else the record header's beside it (as the wfdb package reads it);
        None if neither gives one.

    Examples
    --------
    >>> from skdenoise.datasets import WFDBAnnotations
    >>> WFDBAnnotations._fields
    ('sample', 'symbol', 'aux_note', 'sampling_rate')
    """

    sample: np.ndarray
    symbol: tuple
    aux_note: tuple
    sampling_rate: float | None


def _header_error(path, line_number, line, reason):
    return ValueError(
        f"Cannot parse WFDB header {path}, line {line_number} ({line!r}): {reason}"
    )


def _check_fields(path, number, line, fields, spec):
    for (label, pattern, hint), token in zip(spec, fields, strict=False):
        if not pattern.fullmatch(token):
            raise _header_error(path, number, line, f"bad {label} {token!r}{hint}.")


def _check_header(path):
    """Check the header's syntax strictly; return the signal file names.

    For a multi-segment record the names are the segments' header files.
    """
    try:
        text = path.read_text(encoding="latin-1")
    except FileNotFoundError:
        raise FileNotFoundError(f"WFDB header file not found: {path}") from None
    lines = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]
    if not lines:
        raise ValueError(f"Cannot parse WFDB header {path}: it has no record line.")
    number, line = lines[0]
    fields = line.split()
    if len(fields) < 2:
        raise _header_error(
            path, number, line, "the second field must be the number of signals."
        )
    _check_fields(path, number, line, fields[1:4], _RECORD_FIELDS)
    if len(fields) > 2 and not 0 < float(fields[2].split("/")[0]) < math.inf:
        raise _header_error(
            path, number, line, f"bad sampling frequency {fields[2]!r}."
        )
    n_signals = int(fields[1])
    if n_signals == 0:
        raise ValueError(f"Cannot parse WFDB header {path}: it has no signals.")
    if "/" in fields[0]:  # a multi-segment record: segment lines follow
        n_segments = fields[0].split("/", 1)[1]
        if not n_segments.isdigit() or len(lines) < 1 + int(n_segments):
            raise _header_error(path, number, line, "bad number of segments.")
        names = [line.split()[0] for _, line in lines[1 : 1 + int(n_segments)]]
        return [f"{name}.hea" for name in names if name != "~"]
    if len(lines) - 1 < n_signals:
        raise ValueError(
            f"Cannot parse WFDB header {path}: the record line announces "
            f"{n_signals} signals but {len(lines) - 1} signal lines follow."
        )
    files = []
    for number, line in lines[1 : 1 + n_signals]:
        fields = line.split(maxsplit=8)
        if len(fields) < 2:
            raise _header_error(
                path, number, line, "a signal line needs a file name and a format."
            )
        if "\0" in fields[0]:
            raise ValueError(
                f"{path}: the signal file name {fields[0]!r} contains a NUL byte."
            )
        if not fields[0].isascii():
            raise _header_error(
                path,
                number,
                line,
                f"signal file name {fields[0]!r} is not ASCII; the wfdb package "
                "reads such names without their other characters. Rename the file "
                "and the header's signal lines to ASCII.",
            )
        if fields[0] in ("~", "-") or os.sep in fields[0] or "/" in fields[0]:
            raise _header_error(
                path,
                number,
                line,
                f"signal file {fields[0]!r} is not supported (only signal files "
                "beside the header).",
            )
        _check_fields(path, number, line, fields[1:8], _SIGNAL_FIELDS)
        fmt = int(re.match(r"\d+", fields[1]).group())
        if fmt not in SUPPORTED_FORMATS:
            raise ValueError(
                f"{path}: signal {len(files)} uses WFDB format {fmt}, which is not "
                f"supported; supported formats are "
                f"{', '.join(map(str, SUPPORTED_FORMATS))}."
            )
        if len(fields) > 2 and not math.isfinite(
            float(re.match(_NUMBER, fields[2])[0])
        ):
            raise _header_error(
                path, number, line, f"gain {fields[2].split('(')[0]!r} is not finite."
            )
        files.append(fields[0])
    return files


def _signal_file_names(header_path, segment=False):
    """Files a record's header names (signal files, or segment headers).

    ``segment``: the header is a segment's of a multi-segment record, where
    the layout header of a variable-layout record (no samples, every signal
    file ``~``) names none.
    """
    header_path = Path(header_path)
    if segment and _is_layout_header(header_path):
        return []
    return list(dict.fromkeys(_check_header(header_path)))


def _is_layout_header(path):
    """Whether ``path`` is a variable-layout record's layout header."""
    try:
        text = path.read_text(encoding="latin-1")
    except OSError:
        return False
    lines = [
        line.split()
        for line in map(str.strip, text.splitlines())
        if line and not line.startswith("#")
    ]
    if len(lines) < 2 or len(lines[0]) < 4 or "/" in lines[0][0]:
        return False
    return lines[0][3] == "0" and all(line[0] == "~" for line in lines[1:])


def _check_sizes(header, header_path):
    """Report a signal file shorter than the header says, naming it."""
    needed = {}
    for name, fmt, offset, spf in zip(
        header.file_name,
        header.fmt,
        header.byte_offset,
        header.samps_per_frame,
        strict=True,
    ):
        bps = _BYTES_PER_SAMPLE.get(int(fmt))
        if bps is None or not header.sig_len:
            return
        total, per_frame, _ = needed.get(name, (offset or 0, 0, bps))
        needed[name] = (total, per_frame + spf, bps)
    for name, (offset, per_frame, bps) in needed.items():
        path = header_path.parent / name
        if not path.is_file():
            raise FileNotFoundError(
                f"WFDB signal file not found: {path} (named in {header_path})"
            )
        want = offset + math.ceil(header.sig_len * per_frame * bps)
        size = path.stat().st_size
        if size < want:
            raise ValueError(
                f"WFDB signal file {path} is truncated: it has {size} bytes but "
                f"{want} are needed for {header.sig_len} samples of {per_frame} "
                f"value(s) per frame (from {header_path})."
            )


def _check_segments(wfdb, header, header_path, segments):
    """Check a multi-segment record's segments; return their paths and headers.

    Each segment's header is checked as a record's is, and its signal files'
    sizes. Variable-layout records (a first segment of no samples describing
    the signals that later segments hold a part of) are refused.
    """
    lengths = list(getattr(header, "seg_len", None) or [])
    if lengths and int(lengths[0]) == 0:
        raise ValueError(
            f"{header_path} is a variable-layout multi-segment record (its first "
            "segment, of no samples, is a layout): only multi-segment records "
            "whose segments all hold the same signals are read. Read its "
            "segments one by one."
        )
    if (
        lengths
        and header.sig_len is not None
        and sum(map(int, lengths)) != int(header.sig_len)
    ):
        raise ValueError(
            f"{header_path}: the record line gives {header.sig_len} samples but its "
            f"segments hold {sum(map(int, lengths))}."
        )
    named = [
        (name, int(length))
        for name, length in zip(header.seg_name, lengths, strict=True)
        if name != "~"
    ]
    checked = []
    for name, (_, length) in zip(segments, named, strict=True):
        path = header_path.parent / name
        _check_header(path)
        with _quiet():
            segment = wfdb.rdheader(str(path.with_suffix("")))
        _check_sizes(segment, path)
        if segment.sig_len is not None and int(segment.sig_len) != length:
            raise ValueError(
                f"{header_path} gives segment {path.name} {length} samples but "
                f"its header gives {segment.sig_len}."
            )
        if int(segment.n_sig) != int(header.n_sig):
            raise ValueError(
                f"{header_path} has {header.n_sig} signals but its segment "
                f"{path.name} has {segment.n_sig}."
            )
        if (
            segment.fs is not None
            and header.fs is not None
            and float(segment.fs) != float(header.fs)
        ):
            raise ValueError(
                f"{header_path} is sampled at {float(header.fs):g} Hz but its "
                f"segment {path.name} at {float(segment.fs):g} Hz: joined, its "
                "samples would be read on the wrong time axis. Read the segments "
                "one by one."
            )
        checked.append((path, segment))
    if not checked:
        raise ValueError(f"{header_path}: every segment is a gap ('~'); no samples.")
    return checked


# The digital value that marks an invalid sample, per format (WFDB's
# signal(5)): the smallest value each format stores (format 8, of
# differences, has none; its gaps are masked after conversion).
_INVALID_SAMPLE = {
    8: -128, 16: -32768, 24: -8388608, 32: -2147483648, 61: -32768, 80: -128,
    160: -32768, 212: -2048, 310: -512, 311: -512, 508: -128, 516: -32768,
    524: -8388608,
}  # fmt: skip


def _join_segments_with_gaps(wfdb, header, checked, header_path):
    """A fixed-layout record with gap segments ('~'), read segment by segment.

    The wfdb package cannot join such a record. Returns the record and a mask
    of the gaps' samples, which become NaN in physical units; their digital
    values are each format's smallest (its invalid value, where it has one).
    """
    reads = iter(checked)
    parts, first = [], None
    for name, length in zip(header.seg_name, header.seg_len, strict=True):
        if name == "~":
            parts.append(int(length))
            continue
        path, _ = next(reads)
        segment = wfdb.rdrecord(str(path.with_suffix("")), physical=False)
        if len(segment.d_signal) != int(length):
            raise ValueError(
                f"{header_path} gives segment {path.name} {length} samples but "
                f"it holds {len(segment.d_signal)}."
            )
        first = first or segment
        parts.append(segment.d_signal)
    gap = np.array([_INVALID_SAMPLE[int(fmt)] for fmt in first.fmt], dtype=np.int64)
    record = copy.copy(first)
    record.d_signal = np.concatenate(
        [
            np.broadcast_to(gap, (part, len(gap))) if isinstance(part, int) else part
            for part in parts
        ]
    ).astype(np.int64)
    record.record_name = header.record_name
    record.sig_len = len(record.d_signal)
    record.comments = list(header.comments or [])
    in_gap = np.concatenate(
        [
            np.full(part, True) if isinstance(part, int) else np.full(len(part), False)
            for part in parts
        ]
    )
    return record, in_gap


def _check_segment_conversions(checked, selected, names, header_path):
    """Refuse selected channels that the segments store in different ways.

    The digital values of all segments are converted with the first segment's
    gain, baseline and format of each channel.
    """
    conversion = "One conversion to physical units cannot serve them all"
    for path, segment in checked[1:]:
        for field, what, why in (
            ("fmt", "format", conversion),
            ("adc_gain", "gain", conversion),
            ("baseline", "baseline", conversion),
            ("units", "unit", conversion),
            # Joined, one channel would hold one lead, then another.
            ("sig_name", "name", "They are not one signal"),
        ):
            first, other = getattr(checked[0][1], field), getattr(segment, field)
            if first is None or other is None:
                continue
            for index in selected:
                if first[index] is None or other[index] is None:
                    continue  # a signal line without a description
                if first[index] != other[index]:
                    raise ValueError(
                        f"The segments of {header_path} store channel {index} "
                        f"({names[index]}) with different {what}s: "
                        f"{first[index]} in {checked[0][0].name}, {other[index]} "
                        f"in {path.name}. {why}; read the segments one by one."
                    )


def _verify_checksums(record, header_path):
    if record.checksum is None:
        return
    found = record.calc_checksum()
    # A checksum covers every sample of its channel; those of a channel with
    # several samples per frame are averaged by now, so it cannot be checked.
    frames = list(record.samps_per_frame or [1] * len(found))
    for index, (given, value) in enumerate(zip(record.checksum, found, strict=True)):
        if int(frames[index] or 1) > 1:
            continue
        if given is not None and (int(value) - int(given)) % 65536 != 0:
            raise ValueError(
                f"Checksum mismatch in WFDB signal file "
                f"{header_path.parent / record.file_name[index]} for signal {index} "
                f"({record.sig_name[index]}): the header says {given} but the "
                f"samples sum to {(int(value) + 32768) % 65536 - 32768}; the file is "
                "corrupt or does not belong to its header."
            )


def _select_channels(names, channels, header_path):
    if channels is None:
        return list(range(len(names)))
    if isinstance(channels, (int, np.integer, str)):
        channels = [channels]
    try:
        channels = list(channels)
    except TypeError:
        raise TypeError(
            f"channels must hold channel indices or names; got {channels!r}."
        ) from None
    if not channels:
        raise ValueError(
            "channels is empty; name at least one channel, or pass None for all."
        )
    selected = []
    for channel in channels:
        if isinstance(channel, str):
            if channel not in names:
                raise ValueError(
                    f"Channel {channel!r} is not in {header_path}; its channels are "
                    f"{names}."
                )
            if names.count(channel) > 1:
                # The first would be taken silently, the others out of reach.
                matches = [i for i, name in enumerate(names) if name == channel]
                raise ValueError(
                    f"{len(matches)} channels of {header_path} are named "
                    f"{channel!r} (indices {matches}); choose one by its index."
                )
            selected.append(names.index(channel))
        elif isinstance(channel, (int, np.integer)) and not isinstance(channel, bool):
            if not -len(names) <= channel < len(names):
                raise ValueError(
                    f"Channel {channel} is out of range for {header_path}, which has "
                    f"{len(names)} channel(s)."
                )
            selected.append(int(channel) % len(names))
        else:
            raise TypeError(
                f"channels must hold channel indices or names; got {channel!r}."
            )
    return selected


def _check_bound(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}.")
    return int(value)


def _record_base(record_path):
    if not isinstance(record_path, (str, os.PathLike)):
        raise TypeError(
            f"record_path must be a path (str or os.PathLike); got {record_path!r}."
        )
    if "\0" in os.fspath(record_path):
        raise ValueError(
            f"record_path {os.fspath(record_path)!r} contains a NUL byte; it cannot "
            "name a file."
        )
    record_path = Path(record_path).expanduser()
    if record_path.suffix == ".hea":
        record_path = record_path.with_suffix("")
    return record_path


def read_wfdb(record_path, channels=None, sampfrom=0, sampto=None):
    r"""Read a WFDB record (header ``.hea`` and signal files).

    Any WFDB signal format is read (see :data:`SUPPORTED_FORMATS`), and
    multi-segment records too (of fixed layout, their segments storing each
    signal in one format, gain and baseline; a gap segment ``~`` reads as
    NaN), through the ``wfdb`` package (the ``data`` extra). The header's
    syntax is checked strictly, every signal file's size is checked against
    the header and each signal's checksum verified (when the header gives one;
    for each segment of a multi-segment record) before the requested part is
    returned. Signals with several samples per frame are averaged to one
    sample per frame by the ``wfdb`` package, in whole ADC units: the fraction
    of each average is dropped (less than one unit of the signal's
    resolution, toward ADC zero), in ``signal`` as in ``adc``.

    Parameters
    ----------
    record_path : str or path-like
        Path of the record without extension (``"data/mitdb/100"``); a path
        ending in ``.hea`` is accepted too. Signal files are looked up beside
        the header.
    channels : int, str, list of int or str, or None, default=None
        Channels to return, by index or name, in that order. None returns all.
    sampfrom : int, default=0
        First sample to return.
    sampto : int or None, default=None
        One past the last sample to return; None reads to the end.

    Returns
    -------
    record : WFDBRecord
        Named tuple with ``signal`` (physical units, float64, shape
        ``(n_samples, n_channels)``), ``sampling_rate``, ``channel_names``,
        ``units``, the digital values ``adc``, ``gain``, ``baseline`` and the
        header ``comments``.

    Raises
    ------
    ImportError
        If the ``wfdb`` package is not installed.
    FileNotFoundError
        If the header or a signal file is missing.
    ValueError
        If the header does not parse, a format is not supported, a signal file
        is shorter than the header says, a checksum does not match, the
        sample range is invalid, or a multi-segment record has a variable
        layout or segments that store a signal differently.

    See Also
    --------
    read_wfdb_annotations : Read the record's annotations (beats, rhythm).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from skdenoise.datasets import read_wfdb
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "demo.hea").write_text(
    ...     "demo 1 100 4\ndemo.dat 16 100(0)/mV 16 0 0 6 0 lead\n")
    >>> _ = (folder / "demo.dat").write_bytes(
    ...     np.array([0, 100, -200, 106], dtype="<i2").tobytes())
    >>> record = read_wfdb(folder / "demo")
    >>> record.signal[:, 0]
    array([ 0.  ,  1.  , -2.  ,  1.06])
    >>> record.sampling_rate, record.channel_names, record.units
    (100.0, ('lead',), ('mV',))
    """
    record_path = _record_base(record_path)
    header_path = record_path.parent / (record_path.name + ".hea")
    segments = _check_header(header_path)
    wfdb = _wfdb()
    try:
        with _quiet():
            header = wfdb.rdheader(str(record_path))
        if getattr(header, "n_seg", None) is None:
            _check_sizes(header, header_path)
            segment_headers = []
        else:
            segment_headers = _check_segments(wfdb, header, header_path, segments)
        with _quiet():
            in_gap = None
            if "~" in (getattr(header, "seg_name", None) or []):
                record, in_gap = _join_segments_with_gaps(
                    wfdb, header, segment_headers, header_path
                )
            else:
                record = wfdb.rdrecord(str(record_path), physical=False, m2s=True)
            for path, _ in segment_headers:
                _verify_checksums(
                    wfdb.rdrecord(str(path.with_suffix("")), physical=False), path
                )
    except (FileNotFoundError, ValueError) as exc:
        if str(header_path) in str(exc) or str(header_path.parent) in str(exc):
            raise
        raise type(exc)(f"Cannot read WFDB record {header_path}: {exc}") from exc
    except Exception as exc:  # the package's own errors, with its reason
        raise ValueError(f"Cannot read WFDB record {header_path}: {exc}") from exc
    if getattr(header, "n_seg", None) is None:
        _verify_checksums(record, header_path)
    names = [
        name if name is not None else f"signal {index}"
        for index, name in enumerate(record.sig_name)
    ]
    comments = tuple(record.comments)
    if getattr(header, "n_seg", None) is None:
        names, comments = _non_ascii_text(header_path, names, comments)
    selected = _select_channels(names, channels, header_path)
    _check_segment_conversions(segment_headers, selected, names, header_path)

    n_samples = record.d_signal.shape[0]
    sampfrom = _check_bound(sampfrom, "sampfrom")
    sampto = n_samples if sampto is None else _check_bound(sampto, "sampto")
    if not 0 <= sampfrom < sampto <= n_samples:
        raise ValueError(
            f"Need 0 <= sampfrom < sampto <= {n_samples} (the length of "
            f"{record_path}); got sampfrom={sampfrom}, sampto={sampto}."
        )
    # Only the samples and channels asked for are converted to physical units.
    part = copy.copy(record)
    part.d_signal = record.d_signal[sampfrom:sampto, selected]
    for field in ("fmt", "baseline", "adc_gain"):
        setattr(part, field, [getattr(record, field)[i] for i in selected])
    physical = part.dac(expanded=False, return_res=64)
    if in_gap is not None:
        # Format 8 has no invalid value: the gaps are marked here.
        physical[in_gap[sampfrom:sampto]] = np.nan
    return WFDBRecord(
        record_name=record.record_name,
        signal=np.ascontiguousarray(physical),
        sampling_rate=float(record.fs),
        channel_names=tuple(names[i] for i in selected),
        units=tuple(record.units[i] or "mV" for i in selected),
        adc=np.ascontiguousarray(record.d_signal[sampfrom:sampto, selected], np.int32),
        gain=np.array([record.adc_gain[i] for i in selected], dtype=np.float64),
        baseline=np.array([record.baseline[i] for i in selected], dtype=np.int64),
        comments=comments,
    )


def _non_ascii_text(header_path, names, comments):
    """Channel names and comments with the header's non-ASCII text kept.

    The wfdb package drops characters that are not ASCII from a header (a
    channel named "Ableitung Ä" becomes "Ableitung "). The header is decoded
    here (UTF-8, else Latin-1) and its descriptions and comment lines taken
    as written; headers in ASCII are left to the package.
    """
    data = header_path.read_bytes()
    if data.isascii():
        return names, comments
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # Lines end at line feeds and carriage returns only (str.splitlines would
    # also break at U+2028 and the like, which a header may hold in a comment).
    lines = [line.strip() for line in re.split(r"\r\n|\r|\n", text)]
    # As the wfdb package reads a comment line: without its '#', blanks and
    # trailing '#'.
    found = [line.strip(" \t#") for line in lines if line.startswith("#")]
    if len(found) == len(comments):
        comments = tuple(found)
    records = [line for line in lines if line and not line.startswith("#")]
    names = list(names)
    for index, line in enumerate(records[1 : 1 + len(names)]):
        fields = line.split(maxsplit=8)
        if len(fields) == 9:
            names[index] = fields[8].strip()
    return names, comments


def read_wfdb_annotations(record_path, extension="atr", sampfrom=0, sampto=None):
    """Read a WFDB annotation file, such as a record's beat annotations.

    Parameters
    ----------
    record_path : str or path-like
        Path of the record without extension (``"data/mitdb/100"``).
    extension : str, default="atr"
        Extension of the annotation file (``"atr"`` for reference beat
        annotations).
    sampfrom : int, default=0
        Keep annotations at this sample or later.
    sampto : int or None, default=None
        Keep annotations before this sample; None keeps all.

    Returns
    -------
    annotations : WFDBAnnotations
        Named tuple with ``sample``, ``symbol``, ``aux_note`` and
        ``sampling_rate``. ``sample`` counts from the start of the record,
        whatever ``sampfrom``: to index a signal read with
        ``read_wfdb(..., sampfrom=s)``, subtract ``s``.

    Raises
    ------
    ImportError
        If the ``wfdb`` package is not installed.
    FileNotFoundError
        If the annotation file is missing.
    ValueError
        If the file cannot be decoded or is not an annotation file (a signal
        or header file, a file without the end-of-file mark of annotation
        files, samples out of time order: WFDB's ``sortann`` puts the
        annotations of a file written out of order in order), or for
        ``sampfrom < 0`` or ``sampto <= sampfrom``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import wfdb
    >>> from skdenoise.datasets import read_wfdb_annotations
    >>> folder = tempfile.mkdtemp()
    >>> wfdb.wrann("demo", "atr", np.array([10, 300]), symbol=["N", "V"],
    ...            write_dir=folder)
    >>> beats = read_wfdb_annotations(Path(folder) / "demo")
    >>> beats.sample, beats.symbol
    (array([ 10, 300]), ('N', 'V'))
    """
    record_path = _record_base(record_path)
    if not isinstance(extension, str) or not re.fullmatch(r"\w+", extension):
        raise ValueError(f"extension must be a plain suffix; got {extension!r}.")
    path = record_path.parent / f"{record_path.name}.{extension}"
    if not path.is_file():
        raise FileNotFoundError(f"WFDB annotation file not found: {path}")
    if extension.lower() in _NOT_ANNOTATIONS:
        raise ValueError(
            f"extension={extension!r} names a WFDB signal or header file, not an "
            "annotation file (such as 'atr')."
        )
    # A WFDB annotation file is a sequence of 16-bit words ending with the
    # end-of-file word 0; the wfdb package decodes almost any bytes without
    # checking that (a text file reads as a dozen annotations).
    with path.open("rb") as file:
        # The size of the file opened (one replaced meanwhile has its own).
        size = os.fstat(file.fileno()).st_size
        start = file.read(8)
        if size >= 2:
            file.seek(size - 2)
        end = file.read(2)
    kind = next((k for magic, k in _OTHER_FORMATS if start.startswith(magic)), None)
    if kind is None and start.startswith(b"PK\x03\x04") and zipfile.is_zipfile(path):
        kind = "a zip archive (such as NumPy's .npz)"
    if kind is not None:
        # Some end in two zero bytes (a zip archive, an .npz): the wfdb package
        # decoded every word of them before they were refused, a minute and a
        # gigabyte for 20 MB beside a record.
        raise ValueError(f"{path} is not a WFDB annotation file: it is {kind}.")
    if size < 2 or size % 2 or end != b"\0\0":
        raise ValueError(
            f"{path} is not a WFDB annotation file: it does not end with the "
            "end-of-file mark of one."
        )
    sampfrom = _check_bound(sampfrom, "sampfrom")
    sampto = None if sampto is None else _check_bound(sampto, "sampto")
    if sampfrom < 0 or (sampto is not None and sampto <= sampfrom):
        raise ValueError(
            f"Need 0 <= sampfrom < sampto; got sampfrom={sampfrom}, sampto={sampto}."
        )
    wfdb = _wfdb()
    try:
        with _quiet():
            ann = wfdb.rdann(str(record_path), extension)
    except Exception as exc:
        raise ValueError(f"Cannot read WFDB annotation file {path}: {exc}") from exc
    if not all(isinstance(symbol, str) for symbol in ann.symbol):
        raise ValueError(
            f"Cannot read WFDB annotation file {path}: it holds codes that are not "
            "annotations; is it a signal file?"
        )
    sample = np.asarray(ann.sample, dtype=np.int64)
    if np.any(sample < 0) or np.any(np.diff(sample) < 0):
        raise ValueError(
            f"{path} is not a WFDB annotation file: its sample numbers are not in "
            "time order."
        )
    keep = (sample >= sampfrom) & (sample < (np.inf if sampto is None else sampto))
    aux = ann.aux_note or [""] * len(sample)
    return WFDBAnnotations(
        sample=sample[keep],
        symbol=tuple(s for s, k in zip(ann.symbol, keep, strict=True) if k),
        aux_note=tuple(a.rstrip("\0") for a, k in zip(aux, keep, strict=True) if k),
        sampling_rate=None if ann.fs is None else float(ann.fs),
    )


# The first bytes of other binary files found beside records (and ending, as
# an annotation file, in two zero bytes), and what they are: long enough that
# no annotation file begins so (a zip archive is also checked for its end).
_OTHER_FORMATS = (
    (b"\x93NUMPY", "a NumPy .npy file"),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file"),
    (b"MATLAB", "a MATLAB file"),
)

# Extensions of WFDB files that hold signals or headers, never annotations.
_NOT_ANNOTATIONS = frozenset({"dat", "hea", "mat", "edf", "wav", "csv", "npy"})

# Formats write_wfdb writes, and the largest digital value it puts in each: a
# margin below the format's largest (its smallest marks an invalid sample).
_WRITE_LIMITS = {16: 32000, 24: 32000 << 8, 32: 32000 << 16}


def _fitting_gain(signal, gain, baseline, fmt):
    """``gain`` per channel, lowered where the digital values would overflow ``fmt``.

    The digital values are ``rint(signal * gain) + baseline``.
    """
    limit = _WRITE_LIMITS[fmt]
    room = np.broadcast_to(np.asarray(baseline, dtype=np.float64), gain.shape)
    fits = np.asarray(gain, dtype=np.float64).copy()
    for peak, free in (
        (np.max(signal, axis=0), limit - room),
        (-np.min(signal, axis=0), limit + room),
    ):
        over = peak * fits > free
        fits[over] = free[over] / peak[over]
    return fits


def _lost_resolution(signal, gain):
    """Channels that their digital values at ``gain`` blur.

    A channel whose rounding error at ``gain`` exceeds 10 % of its RMS (the
    record's SNR against the rounding would fall below 20 dB: an ECG in volts
    at the default gain becomes zeros). Yields ``(channel, peak, error)``: the
    channel's index, its largest absolute value and its rounding error as a
    fraction of its RMS.
    """
    error = np.rint(signal * gain) / gain - signal
    error_rms = np.sqrt(np.mean(error**2, axis=0))
    signal_rms = np.sqrt(np.mean(signal**2, axis=0))
    for channel in np.flatnonzero(error_rms > 0.1 * signal_rms):
        peak = float(np.max(np.abs(signal[:, channel])))
        yield int(channel), peak, float(error_rms[channel] / signal_rms[channel])


def _warn_lost_resolution(signal, gain, fmt=16):
    """Warn for a channel that its digital values would blur, with a gain that fits."""
    for channel, peak, error in _lost_resolution(signal, gain):
        warnings.warn(
            f"Channel {channel} loses its resolution in the record: at gain "
            f"{gain[channel]:g} its largest value ({peak:.3g}) is "
            f"{peak * gain[channel]:.3g} digital units, and the rounding error is "
            f"{100 * error:.0f} % of its RMS. Pass a larger gain (up to "
            f"{_WRITE_LIMITS[fmt] / peak:.4g} fits format {fmt}).",
            UserWarning,
            stacklevel=3,
        )


def _per_channel(values, name, n_channels):
    """One float per channel, from one number or a sequence of them."""
    try:
        return np.broadcast_to(np.asarray(values, dtype=np.float64), (n_channels,))
    except (ValueError, TypeError):
        raise ValueError(
            f"{name} must be one number or one per channel ({n_channels}); got "
            f"{values!r}."
        ) from None


def _integers_per_channel(values, name, n_channels):
    """One integer per channel, from one integer or a sequence of them."""
    floats = _per_channel(values, name, n_channels)
    if not np.all(np.isfinite(floats) & (floats == np.rint(floats))):
        raise ValueError(f"{name} must hold integers; got {values!r}.")
    return floats.astype(np.int64)


def _unreadable_text(text):
    """Why the wfdb package would not read ``text`` back as written, or None.

    WFDB headers are ASCII text: the package drops any other character when it
    reads one, and a tab or line break breaks the line.
    """
    bad = next((char for char in text if not " " <= char <= "~"), None)
    if bad is None:
        return None
    return (
        f"it holds the character {bad!r}, which is not printable ASCII (WFDB "
        "headers are ASCII text; the wfdb package drops other characters and a "
        "control character breaks the header's line)"
    )


def _checked_texts(values, name, n_channels, *, pattern=None, allow_none=False):
    """The header texts ``values``, one per channel, refused where not readable."""
    if values is None:
        return None
    given = values
    values = None if isinstance(given, str) else getattr(given, "__len__", None)
    values = list(given) if values is not None else None
    if values is None or len(values) != n_channels:
        raise ValueError(
            f"{name} must hold one string per channel ({n_channels}), in a list or "
            f"tuple; got {given!r}."
        )
    for index, value in enumerate(values):
        if value is None and allow_none:
            continue
        if not isinstance(value, str):
            raise ValueError(
                f"{name}[{index}] must be a string"
                + (" or None" if allow_none else "")
                + f"; got {value!r}."
            )
        reason = _unreadable_text(value)
        if reason is None and pattern is not None and not pattern.fullmatch(value):
            reason = "WFDB headers allow only ASCII letters, digits and _^-?%/ there"
        if reason is None and value != value.strip():
            reason = "the wfdb package strips leading and trailing spaces"
        if reason is None and not value:
            reason = "an empty name is read back as no name: pass None for that"
        if reason is not None:
            raise ValueError(
                f"{name}[{index}] = {value!r} cannot be written: {reason}."
            )
    return values


def _checked_comments(comments):
    if isinstance(comments, str) or not hasattr(comments, "__iter__"):
        raise ValueError(
            f"comments must be a sequence of strings (one per comment line); got "
            f"{comments!r}."
        )
    comments = list(comments)
    for index, comment in enumerate(comments):
        if not isinstance(comment, str):
            raise ValueError(f"comments[{index}] must be a string; got {comment!r}.")
        reason = _unreadable_text(comment)
        if reason is None and comment != comment.strip(" #"):
            reason = (
                "the wfdb package strips leading and trailing spaces and '#' from "
                "comment lines"
            )
        if reason is not None:
            raise ValueError(
                f"comments[{index}] = {comment!r} cannot be written: {reason}."
            )
    return comments


def _frequency_text(value, name, *, positive=True):
    """``value`` as a plain decimal number that the wfdb package reads exactly."""
    try:
        number = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        number = None
    if (
        isinstance(value, (bool, str, bytes))
        or number is None
        or number.ndim != 0
        or not np.isfinite(number)
        or (positive and number <= 0)
    ):
        kind = "a positive" if positive else "a finite"
        raise ValueError(f"{name} must be {kind} number; got {value!r}.")
    number = float(number)
    # Without an exponent: the wfdb package reads "1e-05" as 1.
    text = np.format_float_positional(number, trim="-")
    read = float(text)
    if name == "sampling_rate" and round(read, 8) == float(int(read)):
        read = float(int(read))  # the wfdb package reads such a rate as an integer
    if read != number:
        raise ValueError(
            f"{name}={value!r} cannot be written: the wfdb package reads it back "
            f"as {read!r} (it rounds a sampling frequency within 1e-8 of an "
            "integer to that integer)."
        )
    return text


def write_wfdb(
    record_path,
    signal,
    *,
    sampling_rate,
    gain=200.0,
    units=None,
    channel_names=None,
    comments=(),
    fmt=16,
    baseline=0,
    adc_resolution=None,
    adc_zero=None,
    base_time=None,
    base_date=None,
    counter_frequency=None,
    base_counter=None,
):
    """Write a signal as a WFDB record: a header and one signal file.

    The files are written by the ``wfdb`` package, first to a temporary folder
    beside the record, then moved into place, so a failure leaves no partial
    record.

    Parameters
    ----------
    record_path : str or path-like
        Path of the record without extension; ``.hea`` and ``.dat`` are added.
        The record's name may hold letters, digits, ``_`` and ``-``.
    signal : array-like of shape (n_samples, n_channels)
        Physical values.
    sampling_rate : float
        Samples per second.
    gain : float or array-like of shape (n_channels,), default=200.0
        Digital units per physical unit. A channel whose values would overflow
        ``fmt`` at this gain gets the largest gain that fits.
    units : sequence of str or None, default=None
        Physical units per channel ("mV" when None): ASCII letters, digits and
        ``_^-?%/``.
    channel_names : sequence of str or None, default=None
        Names (descriptions) of the channels, printable ASCII without leading
        or trailing spaces, each different. None writes no names, and so does
        None in place of one channel's name (:func:`read_wfdb` calls such a
        channel ``"signal 0"``, ``"signal 1"``, ... by its index).
    comments : sequence of str, default=()
        Comment lines of the header, printable ASCII, neither starting nor
        ending with a space or ``#``.
    fmt : {16, 24, 32}, default=16
        WFDB format of the signal file: 16, 24 or 32 bits per sample.
    baseline : int or array-like of shape (n_channels,), default=0
        Digital value of physical zero, per channel.
    adc_resolution : int, array-like of shape (n_channels,) or None, default=None
        Resolution of the analog-to-digital converter in bits (1 to ``fmt``,
        or 0: not given, as WFDB headers say it), recorded in the header; None
        records the bits of ``fmt``.
    adc_zero : int, array-like of shape (n_channels,) or None, default=None
        Digital value of the converter's zero (an integer of ``fmt`` bits),
        recorded in the header; None records 0.
    base_time : datetime.time or None, default=None
        Time of day of the first sample, recorded in the header.
    base_date : datetime.date or None, default=None
        Date of the first sample, recorded in the header (with ``base_time``).
    counter_frequency : float or None, default=None
        Frequency of the record's counter (its time in counter ticks), in Hz,
        recorded in the header; None records none.
    base_counter : float or None, default=None
        Counter value of the first sample, recorded in the header (with
        ``counter_frequency``); None records none (WFDB readers take 0).

    Returns
    -------
    header_path : pathlib.Path
        The header file written.

    Raises
    ------
    ValueError
        For a value the header cannot hold so that the ``wfdb`` package reads
        it back as given: text that is not printable ASCII (WFDB headers are
        ASCII), a channel name or comment with leading or trailing spaces, two
        channels of the same name, or a sampling rate the package rounds (one
        within 1e-8 of an integer).

    See Also
    --------
    read_wfdb : Read the record back.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from skdenoise.datasets import read_wfdb, write_wfdb
    >>> signal = np.array([[0.0], [1.0], [-2.0], [1.06]])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = write_wfdb(pathlib.Path(tmp) / "rec", signal, sampling_rate=100.0)
    ...     read_wfdb(pathlib.Path(tmp) / "rec").signal[:, 0]
    array([ 0.  ,  1.  , -2.  ,  1.06])
    """
    import datetime

    from .._files import replace_files
    from .._validation import as_real_float64

    signal = as_real_float64(signal, "signal", axes=("sample", "channel"))
    if signal.ndim != 2 or 0 in signal.shape:
        raise ValueError(
            "signal must be a non-empty array of shape (n_samples, n_channels); "
            f"got shape {signal.shape}."
        )
    if not np.all(np.isfinite(signal)):
        bad = np.flatnonzero(~np.isfinite(signal).all(axis=1))
        raise ValueError(
            f"signal contains NaN or infinite values ({bad.size} sample(s), the "
            f"first at sample {int(bad[0])}); write_wfdb writes finite values only."
        )
    path = Path(os.fspath(record_path))
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"The folder {path.parent} for the WFDB record does not exist; create "
            "it first."
        )
    if not re.fullmatch(r"[-A-Za-z0-9_]+", path.name):
        raise ValueError(
            f"The WFDB record name {path.name!r} may hold only ASCII letters, "
            "digits, '_' and '-' (a header is ASCII)."
        )
    n_channels = signal.shape[1]
    frequency = _frequency_text(sampling_rate, "sampling_rate")
    if counter_frequency is not None:
        frequency += "/" + _frequency_text(counter_frequency, "counter_frequency")
        if base_counter is not None:
            text = _frequency_text(base_counter, "base_counter", positive=False)
            frequency += f"({text})"
    elif base_counter is not None:
        raise ValueError(
            f"base_counter needs a counter_frequency; got base_counter="
            f"{base_counter!r} and counter_frequency=None."
        )
    if isinstance(fmt, bool) or fmt not in _WRITE_LIMITS:
        raise ValueError(f"fmt must be 16, 24 or 32; got {fmt!r}.")
    fmt = int(fmt)
    gain = _per_channel(gain, "gain", n_channels)
    if not np.all(np.isfinite(gain) & (gain > 0)):
        raise ValueError(f"gain must be finite and positive; got {gain.tolist()}.")
    baseline, adc_resolution, adc_zero = (
        None if values is None else _integers_per_channel(values, name, n_channels)
        for name, values in (
            ("baseline", baseline),
            ("adc_resolution", adc_resolution),
            ("adc_zero", adc_zero),
        )
    )
    if baseline is None or np.any(np.abs(baseline) >= _WRITE_LIMITS[fmt]):
        raise ValueError(
            f"baseline must hold integers that format {fmt} holds; got {baseline!r}."
        )
    if adc_resolution is not None and np.any(
        (adc_resolution < 0) | (adc_resolution > fmt)
    ):
        raise ValueError(
            f"adc_resolution must hold bit counts from 0 (not given) to {fmt} "
            f"(format {fmt}); got {adc_resolution.tolist()}."
        )
    if adc_zero is not None and np.any(
        (adc_zero < -(1 << (fmt - 1))) | (adc_zero >= 1 << (fmt - 1))
    ):
        raise ValueError(
            f"adc_zero must hold integers that format {fmt} holds; got "
            f"{adc_zero.tolist()}."
        )
    units = _checked_texts(
        units, "units", n_channels, pattern=re.compile(r"[-\w^?%/]+", re.ASCII)
    )
    channel_names = _checked_texts(
        channel_names, "channel_names", n_channels, allow_none=True
    )
    named = [name for name in channel_names or () if name is not None]
    if len(set(named)) != len(named):
        raise ValueError(
            f"channel_names must differ from each other (the wfdb package refuses "
            f"two channels of one name); got {channel_names!r}."
        )
    comments = _checked_comments(comments)
    if base_time is not None and not isinstance(base_time, datetime.time):
        raise ValueError(f"base_time must be a datetime.time; got {base_time!r}.")
    if base_date is not None and (
        type(base_date) is not datetime.date or base_time is None
    ):
        raise ValueError(
            f"base_date must be a datetime.date, and a base_date needs a base_time; "
            f"got base_date={base_date!r}, base_time={base_time!r}."
        )
    # Keep the requested resolution unless a channel would overflow the format.
    gain = _fitting_gain(signal, gain, baseline, fmt)
    _warn_lost_resolution(signal, gain, fmt)
    wfdb = _wfdb()
    record = wfdb.Record(
        record_name=path.name,
        fs=float(sampling_rate),
        units=units if units is not None else ["mV"] * n_channels,
        sig_name=channel_names,
        d_signal=np.rint(signal * gain).astype(np.int64) + baseline,
        fmt=[str(fmt)] * n_channels,
        adc_gain=[float(g) for g in gain],
        baseline=baseline.tolist(),
        adc_res=None if adc_resolution is None else adc_resolution.tolist(),
        adc_zero=None if adc_zero is None else adc_zero.tolist(),
        comments=comments,
        base_time=base_time,
        base_date=base_date,
    )
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        with _quiet():
            record.set_d_features()
            record.set_defaults()
            record.wrsamp(write_dir=str(folder))
        _set_frequency_field(folder / (path.name + ".hea"), frequency)
        # The signal file first, the header that describes it last, all of
        # them even through a Ctrl-C.
        replace_files(
            [
                (folder / (path.name + suffix), path.parent / (path.name + suffix))
                for suffix in (".dat", ".hea")
            ]
        )
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(folder)
    return path.parent / (path.name + ".hea")


def _set_frequency_field(header_path, frequency):
    """Put ``frequency`` (``fs[/counter[(base)]]``) in a header's record line.

    The wfdb package writes the sampling frequency as ``str`` does (with an
    exponent for small ones, which it then misreads) and refuses a base
    counter of 0 or below, which WFDB allows.
    """
    text = header_path.read_text(encoding="ascii")
    record_line, rest = text.split("\n", 1)
    fields = record_line.split(" ")
    fields[2] = frequency
    header_path.write_text(" ".join(fields) + "\n" + rest, encoding="ascii")
