"""A reader for single-segment WFDB records (PhysioNet's header and signal files).

Only numpy is needed. The header grammar follows WFDB's ``header(5)`` manual
page; the signal formats 16, 61, 80 and 212 are decoded in bulk with numpy.
"""

import math
import os
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = [
    "WFDBRecord",
    "read_wfdb",
    "write_wfdb",
    "SUPPORTED_FORMATS",
]

#: WFDB signal formats that :func:`read_wfdb` decodes.
SUPPORTED_FORMATS = (16, 61, 80, 212)

# Sample value that marks a missing sample, per format.
_INVALID = {16: -32768, 61: -32768, 80: -128, 212: -2048}

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_FORMAT_RE = re.compile(r"^(\d+)(?:x(\d+))?(?::(-?\d+))?(?:\+(\d+))?$")
_GAIN_RE = re.compile(rf"^({_NUMBER})(?:\(([-+]?\d+)\))?(?:/(\S+))?$")
_FS_RE = re.compile(rf"^({_NUMBER})(?:/({_NUMBER})(?:\(({_NUMBER})\))?)?$")
_DEFAULT_GAIN = 200.0
_DEFAULT_FS = 250.0


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


class _Signal(NamedTuple):
    file_name: str
    fmt: int
    byte_offset: int
    gain: float
    baseline: int
    units: str
    checksum: int | None
    name: str


class _Header(NamedTuple):
    record_name: str
    n_signals: int
    sampling_rate: float
    n_samples: int | None
    signals: tuple
    comments: tuple


def _header_error(path, line_number, line, reason):
    return ValueError(
        f"Cannot parse WFDB header {path}, line {line_number} ({line!r}): {reason}"
    )


def _parse_record_line(path, line_number, line):
    fields = line.split()
    name = fields[0]
    if "/" in name:
        raise _header_error(
            path,
            line_number,
            line,
            "multi-segment records are not supported (the record name has a "
            "segment count).",
        )
    if len(fields) < 2 or not fields[1].isdigit():
        raise _header_error(
            path, line_number, line, "the second field must be the number of signals."
        )
    n_signals = int(fields[1])
    sampling_rate = _DEFAULT_FS
    if len(fields) > 2:
        match = _FS_RE.match(fields[2])
        if match is None:
            raise _header_error(
                path, line_number, line, f"bad sampling frequency {fields[2]!r}."
            )
        sampling_rate = float(match.group(1))
        if not np.isfinite(sampling_rate) or sampling_rate <= 0:
            raise _header_error(
                path, line_number, line, f"bad sampling frequency {fields[2]!r}."
            )
    n_samples = None
    if len(fields) > 3:
        if not fields[3].isdigit():
            raise _header_error(
                path, line_number, line, f"bad number of samples {fields[3]!r}."
            )
        n_samples = int(fields[3]) or None
    return name, n_signals, sampling_rate, n_samples


def _parse_signal_line(path, line_number, line, index):
    fields = line.split(maxsplit=8)
    if len(fields) < 2:
        raise _header_error(
            path, line_number, line, "a signal line needs a file name and a format."
        )
    file_name = fields[0]
    if file_name in ("~", "-") or os.sep in file_name or "/" in file_name:
        raise _header_error(
            path,
            line_number,
            line,
            f"signal file {file_name!r} is not supported (only signal files "
            "beside the header).",
        )
    match = _FORMAT_RE.match(fields[1])
    if match is None:
        raise _header_error(path, line_number, line, f"bad format {fields[1]!r}.")
    fmt = int(match.group(1))
    if match.group(2) not in (None, "1"):
        raise _header_error(
            path,
            line_number,
            line,
            f"{match.group(2)} samples per frame are not supported.",
        )
    if match.group(3) not in (None, "0"):
        raise _header_error(path, line_number, line, "signal skew is not supported.")
    byte_offset = int(match.group(4) or 0)
    gain, baseline, units = _DEFAULT_GAIN, None, "mV"
    if len(fields) > 2:
        match = _GAIN_RE.match(fields[2])
        if match is None:
            raise _header_error(path, line_number, line, f"bad gain {fields[2]!r}.")
        gain = float(match.group(1)) or _DEFAULT_GAIN
        if not math.isfinite(gain):
            raise _header_error(
                path, line_number, line, f"gain {match.group(1)!r} is not finite."
            )
        if match.group(2) is not None:
            baseline = int(match.group(2))
        units = match.group(3) or units
    integers = []
    for position, label in (
        (3, "ADC resolution"),
        (4, "ADC zero"),
        (5, "initial value"),
        (6, "checksum"),
        (7, "block size"),
    ):
        if len(fields) <= position:
            break
        try:
            integers.append(int(fields[position]))
        except ValueError:
            raise _header_error(
                path, line_number, line, f"bad {label} {fields[position]!r}."
            ) from None
    adc_zero = integers[1] if len(integers) > 1 else 0
    checksum = integers[3] if len(integers) > 3 else None
    if baseline is None:
        baseline = adc_zero
    name = fields[8].strip() if len(fields) > 8 else f"signal {index}"
    return _Signal(file_name, fmt, byte_offset, gain, baseline, units, checksum, name)


def _parse_header(path):
    try:
        text = path.read_text(encoding="latin-1")
    except FileNotFoundError:
        raise FileNotFoundError(f"WFDB header file not found: {path}") from None
    comments, lines = [], []
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            comments.append(line[1:].strip())
        else:
            lines.append((line_number, line))
    if not lines:
        raise ValueError(f"Cannot parse WFDB header {path}: it has no record line.")
    name, n_signals, sampling_rate, n_samples = _parse_record_line(path, *lines[0])
    if n_signals == 0:
        raise ValueError(f"Cannot parse WFDB header {path}: it has no signals.")
    signal_lines = lines[1:]
    if len(signal_lines) < n_signals:
        raise ValueError(
            f"Cannot parse WFDB header {path}: the record line announces "
            f"{n_signals} signals but {len(signal_lines)} signal lines follow."
        )
    signals = tuple(
        _parse_signal_line(path, number, line, index)
        for index, (number, line) in enumerate(signal_lines[:n_signals])
    )
    return _Header(name, n_signals, sampling_rate, n_samples, signals, tuple(comments))


def _bytes_needed(fmt, n_values):
    if fmt == 212:
        return 3 * (n_values // 2) + 2 * (n_values % 2)
    return n_values * (1 if fmt == 80 else 2)


def _values_in(fmt, n_bytes):
    if fmt == 212:
        return (n_bytes // 3) * 2 + (1 if n_bytes % 3 == 2 else 0)
    return n_bytes // (1 if fmt == 80 else 2)


def _decode(fmt, raw, n_values):
    """Decode ``n_values`` samples of a signal file's bytes to int32."""
    if fmt == 16:
        return np.frombuffer(raw, dtype="<i2", count=n_values).astype(np.int32)
    if fmt == 61:
        return np.frombuffer(raw, dtype=">i2", count=n_values).astype(np.int32)
    if fmt == 80:
        return np.frombuffer(raw, dtype=np.uint8, count=n_values).astype(np.int32) - 128
    data = np.frombuffer(raw, dtype=np.uint8, count=_bytes_needed(212, n_values))
    out = np.empty(n_values, dtype=np.int32)
    n_pairs = n_values // 2
    triples = data[: 3 * n_pairs].reshape(n_pairs, 3).astype(np.int32)
    out[0 : 2 * n_pairs : 2] = triples[:, 0] | ((triples[:, 1] & 0x0F) << 8)
    out[1 : 2 * n_pairs : 2] = triples[:, 2] | ((triples[:, 1] & 0xF0) << 4)
    if n_values % 2:
        last = data[3 * n_pairs :].astype(np.int32)
        out[-1] = last[0] | ((last[1] & 0x0F) << 8)
    out[out >= 2048] -= 4096
    return out


def _read_signal_file(header_path, header, file_name, members):
    """Digital samples of the signals ``members`` stored in ``file_name``."""
    if "\0" in file_name:
        raise ValueError(
            f"{header_path}: the signal file name {file_name!r} contains a NUL byte."
        )
    path = header_path.parent / file_name
    first = header.signals[members[0]]
    fmt, offset = first.fmt, first.byte_offset
    for index in members:
        if header.signals[index].fmt not in SUPPORTED_FORMATS:
            raise ValueError(
                f"{header_path}: signal {index} ({header.signals[index].name}) uses "
                f"WFDB format {header.signals[index].fmt}, which is not supported; "
                f"supported formats are {', '.join(map(str, SUPPORTED_FORMATS))}."
            )
        if (header.signals[index].fmt, header.signals[index].byte_offset) != (
            fmt,
            offset,
        ):
            raise ValueError(
                f"{header_path}: the signals stored in {file_name} must share one "
                "format and byte offset."
            )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"WFDB signal file not found: {path} (named in {header_path})"
        ) from None
    n_channels = len(members)
    available = _values_in(fmt, max(len(raw) - offset, 0)) // n_channels
    n_samples = header.n_samples if header.n_samples is not None else available
    needed = offset + _bytes_needed(fmt, n_samples * n_channels)
    if len(raw) < needed:
        raise ValueError(
            f"WFDB signal file {path} is truncated: it has {len(raw)} bytes but "
            f"{needed} are needed for {n_samples} samples of {n_channels} "
            f"signal(s) in format {fmt} (from {header_path})."
        )
    values = _decode(fmt, raw[offset:needed], n_samples * n_channels)
    return values.reshape(n_samples, n_channels), path


def _verify_checksums(header, adc, paths):
    sums = adc.sum(axis=0, dtype=np.int64)
    for index, signal in enumerate(header.signals):
        if signal.checksum is None:
            continue
        if (int(sums[index]) - signal.checksum) % 65536 != 0:
            found = (int(sums[index]) + 32768) % 65536 - 32768
            raise ValueError(
                f"Checksum mismatch in WFDB signal file {paths[index]} for signal "
                f"{index} ({signal.name}): the header says {signal.checksum} but the "
                f"samples sum to {found}; the file is corrupt or does not belong "
                "to its header."
            )


def _select_channels(header, channels, header_path):
    if channels is None:
        return list(range(header.n_signals))
    if isinstance(channels, (int, np.integer, str)):
        channels = [channels]
    names = [signal.name for signal in header.signals]
    selected = []
    for channel in channels:
        if isinstance(channel, str):
            if channel not in names:
                raise ValueError(
                    f"Channel {channel!r} is not in {header_path}; its channels are "
                    f"{names}."
                )
            selected.append(names.index(channel))
        elif isinstance(channel, (int, np.integer)) and not isinstance(channel, bool):
            if not -header.n_signals <= channel < header.n_signals:
                raise ValueError(
                    f"Channel {channel} is out of range for {header_path}, which has "
                    f"{header.n_signals} channel(s)."
                )
            selected.append(int(channel) % header.n_signals)
        else:
            raise TypeError(
                f"channels must hold channel indices or names; got {channel!r}."
            )
    return selected


def _check_bound(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}.")
    return int(value)


def read_wfdb(record_path, channels=None, sampfrom=0, sampto=None):
    r"""Read a single-segment WFDB record (header ``.hea`` and signal files).

    Every signal file is read whole, its size checked against the header and
    each signal's checksum verified (when the header gives one) before the
    requested part is returned.

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
    FileNotFoundError
        If the header or a signal file is missing.
    ValueError
        If the header does not parse, a format is not supported, a signal file
        is shorter than the header says, a checksum does not match or the
        sample range is invalid.

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
    if not isinstance(record_path, (str, os.PathLike)):
        raise TypeError(
            f"record_path must be a path (str or os.PathLike); got {record_path!r}."
        )
    if "\0" in os.fspath(record_path):
        raise ValueError(
            f"record_path {os.fspath(record_path)!r} contains a NUL byte; it cannot "
            "name a file."
        )
    record_path = Path(record_path)
    if record_path.suffix == ".hea":
        record_path = record_path.with_suffix("")
    header_path = record_path.parent / (record_path.name + ".hea")
    header = _parse_header(header_path)
    selected = _select_channels(header, channels, header_path)

    files = {}
    for index, signal in enumerate(header.signals):
        files.setdefault(signal.file_name, []).append(index)
    blocks, paths = {}, {}
    n_samples = None
    for file_name, members in files.items():
        block, path = _read_signal_file(header_path, header, file_name, members)
        if n_samples is not None and block.shape[0] != n_samples:
            raise ValueError(
                f"The signal files of {header_path} hold different numbers of samples."
            )
        n_samples = block.shape[0]
        for column, index in enumerate(members):
            blocks[index] = block[:, column]
            paths[index] = path
    adc = np.stack([blocks[i] for i in range(header.n_signals)], axis=1)
    _verify_checksums(header, adc, paths)

    sampfrom = _check_bound(sampfrom, "sampfrom")
    sampto = n_samples if sampto is None else _check_bound(sampto, "sampto")
    if not 0 <= sampfrom < sampto <= n_samples:
        raise ValueError(
            f"Need 0 <= sampfrom < sampto <= {n_samples} (the length of "
            f"{record_path}); got sampfrom={sampfrom}, sampto={sampto}."
        )
    adc = adc[sampfrom:sampto, selected]
    signals = [header.signals[i] for i in selected]
    gain = np.array([s.gain for s in signals], dtype=np.float64)
    baseline = np.array([s.baseline for s in signals], dtype=np.int64)
    invalid = np.array([_INVALID[s.fmt] for s in signals])
    physical = adc.astype(np.float64)
    physical -= baseline
    physical /= gain
    physical[adc == invalid] = np.nan
    return WFDBRecord(
        record_name=header.record_name,
        signal=physical,
        sampling_rate=header.sampling_rate,
        channel_names=tuple(s.name for s in signals),
        units=tuple(s.units for s in signals),
        adc=np.ascontiguousarray(adc),
        gain=gain,
        baseline=baseline,
        comments=header.comments,
    )


def write_wfdb(
    record_path,
    signal,
    *,
    sampling_rate,
    gain=200.0,
    units=None,
    channel_names=None,
    comments=(),
):
    """Write a signal as a WFDB record: a header and a format-16 signal file.

    Parameters
    ----------
    record_path : str or path-like
        Path of the record without extension; ``.hea`` and ``.dat`` are added.
    signal : array-like of shape (n_samples, n_channels)
        Physical values.
    sampling_rate : float
        Samples per second.
    gain : float or array-like of shape (n_channels,), default=200.0
        Digital units per physical unit. A channel whose values would overflow
        16 bits at this gain gets the largest gain that fits.
    units : sequence of str or None, default=None
        Physical units per channel ("mV" when None).
    channel_names : sequence of str or None, default=None
        Names of the channels ("signal 0", ... when None).
    comments : sequence of str, default=()
        Comment lines of the header.

    Returns
    -------
    header_path : pathlib.Path
        The header file written.

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
    from .._files import atomic_write

    signal = np.asarray(signal, dtype=np.float64)
    if signal.ndim != 2 or not np.all(np.isfinite(signal)):
        raise ValueError(
            "signal must be a finite array of shape (n_samples, n_channels); got "
            f"shape {signal.shape}."
        )
    n_samples, n_channels = signal.shape
    units = list(units) if units is not None else ["mV"] * n_channels
    names = (
        list(channel_names)
        if channel_names is not None
        else [f"signal {c}" for c in range(n_channels)]
    )
    gain = np.broadcast_to(np.asarray(gain, dtype=np.float64), (n_channels,))
    peak = np.max(np.abs(signal), axis=0)
    # Keep the requested resolution unless a channel would overflow 16 bits.
    gain = np.where(peak * gain > 32000, 32000 / np.maximum(peak, 1e-300), gain)
    adc = np.rint(signal * gain).astype(np.int64)
    path = Path(os.fspath(record_path))
    name = path.name
    lines = [f"{name} {n_channels} {float(sampling_rate):.12g} {n_samples}"]
    for c in range(n_channels):
        checksum = (int(adc[:, c].sum()) + 32768) % 65536 - 32768
        first = adc[0, c] if n_samples else 0
        lines.append(
            f"{name}.dat 16 {gain[c]:.12g}(0)/{units[c]} 16 0 {first} "
            f"{checksum} 0 {names[c]}"
        )
    lines += [f"# {comment}" for comment in comments]
    with atomic_write(path.parent / (name + ".dat")) as handle:
        handle.write(adc.astype("<i2").tobytes())
    header_path = path.parent / (name + ".hea")
    with atomic_write(header_path) as handle:
        handle.write(("\n".join(lines) + "\n").encode("latin-1"))
    return header_path
