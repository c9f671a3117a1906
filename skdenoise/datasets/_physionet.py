"""Loaders for the MIT-BIH Arrhythmia and Noise Stress Test databases.

The data directory is always an argument: either a folder with the databases in
subfolders (``<data_dir>/mitdb/100.hea``, ``<data_dir>/nstdb/bw.hea``) or the
database folder itself (``<data_dir>/100.hea``). :func:`fetch_physionet`
downloads the files from PhysioNet.
"""

import numbers
import os
from pathlib import Path

import numpy as np

from ._wfdb import read_wfdb

__all__ = [
    "MITDB_RECORDS",
    "NSTDB_NOISES",
    "NSTDB_RECORDS",
    "load_mitdb_record",
    "load_nstdb_noise",
    "load_nstdb_record",
]

#: The 48 records of the MIT-BIH Arrhythmia Database.
MITDB_RECORDS = tuple(
    """
    100 101 102 103 104 105 106 107 108 109 111 112 113 114 115 116 117 118 119 121
    122 123 124 200 201 202 203 205 207 208 209 210 212 213 214 215 217 219 220 221
    222 223 228 230 231 232 233 234
    """.split()
)

#: The noise recordings of the MIT-BIH Noise Stress Test Database: baseline
#: wander, electrode motion and muscle artifact.
NSTDB_NOISES = ("bw", "em", "ma")

#: The noisy ECG records of the MIT-BIH Noise Stress Test Database: MITDB 118
#: and 119 with electrode motion noise at a nominal SNR of 24 to -6 dB.
NSTDB_RECORDS = tuple(
    f"{record}e{level}"
    for record in ("118", "119")
    for level in ("24", "18", "12", "06", "00", "_6")
)


def _record_name(record, what):
    if isinstance(record, (bool, np.bool_)) or not isinstance(
        record, (str, numbers.Integral)
    ):
        raise TypeError(f"{what} must be a record name (str); got {record!r}.")
    name = str(record)
    if not name or "/" in name or os.sep in name or name.startswith("."):
        raise ValueError(f"{what} must be a plain record name; got {record!r}.")
    return name


def _locate(data_dir, database, name):
    if not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(
            f"data_dir must be a path (str or os.PathLike); got {data_dir!r}."
        )
    data_dir = Path(data_dir).expanduser()
    candidates = [data_dir / database / name, data_dir / name]
    for candidate in candidates:
        if (candidate.parent / (candidate.name + ".hea")).is_file():
            return candidate
    tried = " or ".join(str(c) + ".hea" for c in candidates)
    # fetch_physionet puts the records in <data_home>/physionet/<database>.
    raise FileNotFoundError(
        f"Record {name!r} of {database} not found: looked for {tried}. Download it "
        f"with skdenoise.datasets.fetch_physionet([{name!r}], database={database!r}) "
        "and pass the parent of the folder it returns as data_dir (by default "
        "get_data_home() / 'physionet')."
    )


def _channels(channel):
    """``channel`` as read_wfdb's ``channels``: one index or name, or None."""
    if channel is None:
        return None
    if isinstance(channel, (bool, np.bool_)) or not isinstance(
        channel, (str, numbers.Integral)
    ):
        raise TypeError(
            f"channel must be a channel index (int), a channel name (str) or None; "
            f"got {channel!r}."
        )
    return [channel]


def _channel_signal(record, channel, return_record):
    if not isinstance(return_record, (bool, np.bool_)):
        raise TypeError(f"return_record must be True or False; got {return_record!r}.")
    if return_record:
        return record
    return record.signal[:, 0] if channel is not None else record.signal


def load_mitdb_record(
    record, data_dir, channel=0, *, sampfrom=0, sampto=None, return_record=False
):
    """Load a record of the MIT-BIH Arrhythmia Database in millivolts.

    Parameters
    ----------
    record : str or int
        Record name, for example ``"100"``.
    data_dir : str or path-like
        Folder holding ``mitdb/<record>.hea`` and ``.dat``, or the record files
        directly.
    channel : int, str or None, default=0
        Channel to load (0 is the MLII lead in most records), or None for both.
    sampfrom, sampto : int, default=0 and None
        Sample range to load; ``sampto=None`` reads to the end.
    return_record : bool, default=False
        Return the whole :class:`WFDBRecord` instead of the signal.

    Returns
    -------
    signal : ndarray of shape (n_samples,) or (n_samples, 2)
        The ECG in mV at 360 Hz, one-dimensional when ``channel`` is given; the
        :class:`WFDBRecord` when ``return_record`` is True.

    Examples
    --------
    >>> from skdenoise.datasets import load_mitdb_record
    >>> load_mitdb_record("100", "no/such/folder")
    Traceback (most recent call last):
    ...
    FileNotFoundError: Record '100' of mitdb not found: ...
    """
    name = _record_name(record, "record")
    channels = _channels(channel)
    path = _locate(data_dir, "mitdb", name)
    rec = read_wfdb(path, channels=channels, sampfrom=sampfrom, sampto=sampto)
    return _channel_signal(rec, channel, return_record)


def load_nstdb_noise(
    name, data_dir, channel=None, *, sampfrom=0, sampto=None, return_record=False
):
    """Load a noise recording of the MIT-BIH Noise Stress Test Database.

    Parameters
    ----------
    name : {"bw", "em", "ma"}
        Baseline wander, electrode motion or muscle artifact.
    data_dir : str or path-like
        Folder holding ``nstdb/<name>.hea`` and ``.dat``, or the files directly.
    channel : int, str or None, default=None
        Channel to load, by index (0 or 1) or by name (``"noise1"``,
        ``"noise2"``), or None for both.
    sampfrom, sampto : int, default=0 and None
        Sample range to load; ``sampto=None`` reads to the end.
    return_record : bool, default=False
        Return the whole :class:`WFDBRecord` instead of the signal.

    Returns
    -------
    noise : ndarray of shape (n_samples, 2) or (n_samples,)
        The noise in mV at 360 Hz; the :class:`WFDBRecord` when
        ``return_record`` is True.

    Examples
    --------
    >>> from skdenoise.datasets import load_nstdb_noise
    >>> load_nstdb_noise("xx", "data")
    Traceback (most recent call last):
    ...
    ValueError: name must be one of ('bw', 'em', 'ma'); got 'xx'.
    """
    if name not in NSTDB_NOISES:
        raise ValueError(f"name must be one of {NSTDB_NOISES}; got {name!r}.")
    channels = _channels(channel)
    path = _locate(data_dir, "nstdb", name)
    rec = read_wfdb(path, channels=channels, sampfrom=sampfrom, sampto=sampto)
    return _channel_signal(rec, channel, return_record)


def load_nstdb_record(
    record, data_dir, channel=0, *, sampfrom=0, sampto=None, return_record=False
):
    """Load a noisy ECG record of the MIT-BIH Noise Stress Test Database.

    The records ``118e24`` ... ``118e_6`` and ``119e24`` ... ``119e_6`` (see
    :data:`NSTDB_RECORDS`) are MITDB records 118 and 119 with electrode motion
    noise added by the database's ``nst`` tool: clean for the first 5 minutes,
    then noisy and clean in alternating 2-minute blocks. The level in the name
    is WFDB's nominal SNR, measured from QRS amplitudes. The noise is the
    ``em`` recording (:func:`load_nstdb_noise`) at the record's own sample
    positions, channel for channel: a denoiser trained on stretches of ``em``
    from samples ``[0, n)`` has seen the noise of every block before sample
    ``n`` of these records, so only later blocks test it on unseen noise
    (with ``segment=(0, 325000)``, the blocks from minute 17 on).

    The signal is returned as the WFDB header defines it, as the ``wfdb``
    package reads it. The headers of these records declare a baseline of 1024
    while their samples are stored around 0 (MITDB's samples minus 1024), so
    in physical units the first 5 minutes are offset by ``-1024 / 200 =
    -5.12`` mV from the MITDB originals. Each later clean block carries the
    last value of the noise before it, held (a constant of a few mV, over
    11 mV at ``118e_6``): remove the mean of each window or block, or
    high-pass filter, before comparing (removing the record's mean does not
    align them).

    Parameters
    ----------
    record : str
        Record name, for example ``"118e06"``.
    data_dir : str or path-like
        Folder holding ``nstdb/<record>.hea`` and ``.dat``, or the files
        directly.
    channel : int, str or None, default=0
        Channel to load, or None for both.
    sampfrom, sampto : int, default=0 and None
        Sample range to load; ``sampto=None`` reads to the end.
    return_record : bool, default=False
        Return the whole :class:`WFDBRecord` instead of the signal.

    Returns
    -------
    signal : ndarray of shape (n_samples,) or (n_samples, 2)
        The noisy ECG in mV at 360 Hz; the :class:`WFDBRecord` when
        ``return_record`` is True.

    Examples
    --------
    >>> from skdenoise.datasets import NSTDB_RECORDS
    >>> NSTDB_RECORDS[:3]
    ('118e24', '118e18', '118e12')
    """
    name = _record_name(record, "record")
    channels = _channels(channel)
    path = _locate(data_dir, "nstdb", name)
    rec = read_wfdb(path, channels=channels, sampfrom=sampfrom, sampto=sampto)
    return _channel_signal(rec, channel, return_record)
