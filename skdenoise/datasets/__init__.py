"""Datasets: synthetic clean series, PhysioNet ECG and noise, windowing.

- synthetic generators: :func:`make_sines`, :func:`make_chirps`,
  :func:`make_square_waves`, :func:`make_sawtooth_waves`,
  :func:`make_donoho_johnstone`, :func:`make_ecg`, and
  :func:`make_denoising_dataset` for ``(X_noisy, y_clean)`` pairs;
- WFDB records (through the ``wfdb`` package): :func:`read_wfdb`,
  :func:`read_wfdb_annotations` and :func:`write_wfdb`, and loaders for the
  MIT-BIH Arrhythmia
  (:func:`load_mitdb_record`) and Noise Stress Test databases
  (:func:`load_nstdb_noise`, :func:`load_nstdb_record`);
- :func:`fetch_physionet` downloads PhysioNet records into a local cache;
- :func:`make_windows` cuts recordings into fixed-length windows.

Nothing here imports TensorFlow or Keras.
"""

from ._fetch import fetch_physionet, get_data_home
from ._physionet import (
    MITDB_RECORDS,
    NSTDB_NOISES,
    NSTDB_RECORDS,
    load_mitdb_record,
    load_nstdb_noise,
    load_nstdb_record,
)
from ._synthetic import (
    DONOHO_JOHNSTONE_KINDS,
    make_chirps,
    make_denoising_dataset,
    make_donoho_johnstone,
    make_ecg,
    make_sawtooth_waves,
    make_sines,
    make_square_waves,
)
from ._wfdb import (
    SUPPORTED_FORMATS,
    WFDBAnnotations,
    WFDBRecord,
    read_wfdb,
    read_wfdb_annotations,
    write_wfdb,
)
from ._windows import make_windows

__all__ = [
    "DONOHO_JOHNSTONE_KINDS",
    "MITDB_RECORDS",
    "NSTDB_NOISES",
    "NSTDB_RECORDS",
    "SUPPORTED_FORMATS",
    "WFDBAnnotations",
    "WFDBRecord",
    "fetch_physionet",
    "get_data_home",
    "load_mitdb_record",
    "load_nstdb_noise",
    "load_nstdb_record",
    "make_chirps",
    "make_denoising_dataset",
    "make_donoho_johnstone",
    "make_ecg",
    "make_sawtooth_waves",
    "make_sines",
    "make_square_waves",
    "make_windows",
    "read_wfdb",
    "read_wfdb_annotations",
    "write_wfdb",
]
