import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import find_peaks

from skdenoise.datasets import (
    DONOHO_JOHNSTONE_KINDS,
    MITDB_RECORDS,
    NSTDB_RECORDS,
    WFDBRecord,
    load_mitdb_record,
    load_nstdb_noise,
    load_nstdb_record,
    make_chirps,
    make_denoising_dataset,
    make_donoho_johnstone,
    make_ecg,
    make_sawtooth_waves,
    make_sines,
    make_square_waves,
    make_windows,
    read_wfdb,
)
from skdenoise.metrics import snr as snr_db
from skdenoise.noise import BaselineWander, ImpulseNoise, RecordedNoise, WhiteNoise

DATA = Path(
    os.environ.get("SKDENOISE_PHYSIONET_DIR")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data" / "physionet"
)
HAVE_DATA = (DATA / "mitdb").is_dir() and (DATA / "nstdb").is_dir()
needs_data = pytest.mark.skipif(
    not HAVE_DATA, reason=f"PhysioNet data (mitdb/, nstdb/) not found in {DATA}"
)


def _copy_record(source, target_dir, name=None):
    """Copy a record's .hea and .dat into ``target_dir``; return its path."""
    name = name or source.name
    for ext in (".hea", ".dat"):
        shutil.copyfile(source.parent / (source.name + ext), target_dir / (name + ext))
        os.chmod(target_dir / (name + ext), 0o644)
    return target_dir / name


# --------------------------------------------------------------------- WFDB


@pytest.mark.parametrize(
    "record",
    [
        "mitdb/100",
        "mitdb/113",
        "nstdb/bw",
        "nstdb/em",
        "nstdb/ma",
        "nstdb/118e06",
        "nstdb/118e00",
    ],
)
@pytest.mark.data
@needs_data
def test_read_wfdb_matches_wfdb_package(record):
    wfdb = pytest.importorskip("wfdb")
    path = DATA / record
    ours = read_wfdb(path)
    physical = wfdb.rdrecord(str(path))
    digital = wfdb.rdrecord(str(path), physical=False)
    assert isinstance(ours, WFDBRecord)
    assert ours.signal.dtype == np.float64
    assert ours.signal.shape == (650000, 2)
    np.testing.assert_array_equal(ours.signal, physical.p_signal)
    np.testing.assert_array_equal(ours.adc, digital.d_signal)
    assert ours.sampling_rate == physical.fs == 360
    assert list(ours.channel_names) == physical.sig_name
    assert list(ours.units) == physical.units
    np.testing.assert_array_equal(ours.gain, physical.adc_gain)
    np.testing.assert_array_equal(ours.baseline, physical.baseline)


@pytest.mark.data
@needs_data
def test_read_wfdb_channels_and_range():
    wfdb = pytest.importorskip("wfdb")
    path = DATA / "mitdb" / "100"
    ours = read_wfdb(path, channels=["V5", 0], sampfrom=1000, sampto=3001)
    theirs = wfdb.rdrecord(str(path), channels=[1, 0], sampfrom=1000, sampto=3001)
    np.testing.assert_array_equal(ours.signal, theirs.p_signal)
    assert ours.channel_names == ("V5", "MLII")
    assert read_wfdb(str(path) + ".hea", channels=1).signal.shape == (650000, 1)
    assert read_wfdb(path).comments[0].startswith("69 M")


@pytest.fixture
def record_100(tmp_path):
    return _copy_record(DATA / "mitdb" / "100", tmp_path)


@pytest.mark.data
@needs_data
def test_truncated_dat_is_reported(record_100):
    dat = record_100.with_suffix(".dat")
    dat.write_bytes(dat.read_bytes()[:-3000])
    with pytest.raises(ValueError, match=r"100\.dat is truncated"):
        read_wfdb(record_100)


@pytest.mark.data
@needs_data
def test_checksum_mismatch_is_reported(record_100):
    dat = record_100.with_suffix(".dat")
    raw = bytearray(dat.read_bytes())
    raw[30000] ^= 0x01  # one sample of signal 0 changes by 1
    dat.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"Checksum mismatch in .*100\.dat.*signal 0"):
        read_wfdb(record_100)


@pytest.mark.data
@needs_data
def test_header_without_checksum_skips_verification(record_100):
    header = record_100.with_suffix(".hea")
    lines = header.read_text().splitlines()
    lines[1:3] = [" ".join(line.split()[:5]) for line in lines[1:3]]
    header.write_text("\n".join(lines) + "\n")
    record = read_wfdb(record_100)
    assert record.channel_names == ("signal 0", "signal 1")
    assert record.signal.shape == (650000, 2)


@pytest.mark.data
@needs_data
def test_missing_dat_file(record_100):
    record_100.with_suffix(".dat").unlink()
    with pytest.raises(FileNotFoundError, match=r"signal file not found: .*100\.dat"):
        read_wfdb(record_100)


def test_missing_header(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"header file not found: .*nope\.hea"):
        read_wfdb(tmp_path / "nope")


def _write_record(folder, header, data=b""):
    (folder / "rec.hea").write_text(header)
    (folder / "rec.dat").write_bytes(data)
    return folder / "rec"


@pytest.mark.parametrize(
    ("header", "match"),
    [
        ("", "no record line"),
        ("rec 0 360\n", "no signals"),
        ("rec two 360\n", "number of signals"),
        ("rec 1 fast 10\nrec.dat 16\n", "bad sampling frequency"),
        ("rec 1 360 ten\nrec.dat 16\n", "bad number of samples"),
        ("rec 2 360 10\nrec.dat 16 200 16 0 0 0 0 a\n", "announces 2 signals"),
        ("rec 1 360 10\nrec.dat\n", "file name and a format"),
        ("rec 1 360 10\nrec.dat sixteen\n", "bad format"),
        ("rec 1 360 10\nrec.dat 16 lots\n", "bad gain"),
        ("rec 1 360 10\nrec.dat 16 200 16 zero\n", "bad ADC zero"),
        ("rec 1 360 10\nrec.dat 16x\n", "bad format"),
        ("rec/x 1 360 10\nrec.dat 16\n", "number of segments"),
        ("rec/3 1 360 10\nseg 5\n", "number of segments"),
        ("rec 1 360 10\n../rec.dat 16\n", "beside the header"),
        # The wfdb package drops the other characters: "file not found: dt.dat".
        ("rec 1 360 10\nd\u00e4t.dat 16\n", "is not ASCII"),
    ],
)
def test_broken_headers(tmp_path, header, match):
    path = _write_record(tmp_path, header, bytes(40))
    with pytest.raises(ValueError, match="Cannot parse WFDB header .*rec.hea") as info:
        read_wfdb(path)
    assert match in str(info.value)


@pytest.mark.parametrize(
    ("field", "match"),
    [
        ("rec 1 3.6e2 4\nrec.dat 16 200/mV 16 0 0 0 0 x\n", "bad sampling frequency"),
        ("rec 1 +360 4\nrec.dat 16 200/mV 16 0 0 0 0 x\n", "bad sampling frequency"),
        ("rec 1 360/1e3 4\nrec.dat 16 200/mV 16 0 0 0 0 x\n", "bad sampling freq"),
        ("rec 1 360 4\nrec.dat 16 2E2(3)/mV 16 0 0 0 0 x\n", "bad gain"),
        ("rec 1 360 4\nrec.dat 16 200/\u00b5V 16 0 0 0 0 x\n", "bad gain"),
        ("rec 1 360 4\nrec.dat 16 200/mV.s 16 0 0 0 0 x\n", "bad gain"),
        ("rec 1 360 4\nrec.dat 16:-1 200/mV 16 0 0 0 0 x\n", "bad format"),
        ("rec 1 360 4\nrec.dat 16 200/mV +16 0 0 0 0 x\n", "bad ADC resolution"),
        ("rec 1 360 4\nrec.dat 16 200/mV 16 +0 0 0 0 x\n", "bad ADC zero"),
    ],
)
def test_header_fields_the_wfdb_package_misreads_are_refused(tmp_path, field, match):
    # Read by the wfdb package, these gave 3.6 Hz, 250 Hz (its default), a gain
    # of 2 with units "E2", units "V" instead of microvolts, ...
    path = tmp_path / "rec"
    (tmp_path / "rec.hea").write_text(field, encoding="latin-1")
    (tmp_path / "rec.dat").write_bytes(bytes(8))
    with pytest.raises(ValueError, match="Cannot parse WFDB header") as info:
        read_wfdb(path)
    assert match in str(info.value)


def test_header_fields_in_plain_forms_are_read_as_written(tmp_path):
    path = tmp_path / "rec"
    (tmp_path / "rec.hea").write_text(
        "rec 2 128.5/1000(5) 4\n"
        "rec.dat 16 2e2(3)/uV 16 0 0 0 0 a\n"
        "rec.dat 16 +100/mV 16 0 0 0 0 b\n"
    )
    (tmp_path / "rec.dat").write_bytes(bytes(16))
    record = read_wfdb(path)
    assert record.sampling_rate == 128.5
    assert record.gain.tolist() == [200.0, 100.0]
    assert record.baseline.tolist() == [3, 0]
    assert record.units == ("uV", "mV")


@pytest.mark.parametrize("fmt", [7, 313, 999])
def test_unsupported_format(tmp_path, fmt):
    path = _write_record(tmp_path, f"rec 1 360 4\nrec.dat {fmt} 200 12 0 0 0 0 x\n")
    with pytest.raises(ValueError, match=f"format {fmt}, which is not supported"):
        read_wfdb(path)


def test_bad_ranges_and_channels(tmp_path):
    data = np.arange(8, dtype="<i2").tobytes()
    path = _write_record(tmp_path, "rec 2 100 4\nrec.dat 16\nrec.dat 16\n", data)
    assert read_wfdb(path).signal.shape == (4, 2)
    with pytest.raises(ValueError, match="sampfrom < sampto"):
        read_wfdb(path, sampfrom=3, sampto=2)
    with pytest.raises(ValueError, match="sampfrom < sampto <= 4"):
        read_wfdb(path, sampto=5)
    with pytest.raises(ValueError, match="out of range"):
        read_wfdb(path, channels=[2])
    with pytest.raises(ValueError, match="'x' is not in"):
        read_wfdb(path, channels=["x"])
    with pytest.raises(TypeError, match="record_path"):
        read_wfdb(3)
    with pytest.raises(ValueError, match="channels is empty"):
        read_wfdb(path, channels=[])
    with pytest.raises(TypeError, match="channel indices or names; got 1.0"):
        read_wfdb(path, channels=1.0)


def test_defaults_and_inferred_length(tmp_path):
    # No sampling rate, length, gain or description: WFDB's defaults apply.
    data = np.array([1, -2, 3, 400, -32768, 7], dtype="<i2").tobytes()
    record = read_wfdb(_write_record(tmp_path, "rec 2\nrec.dat 16\nrec.dat 16\n", data))
    assert record.sampling_rate == 250.0
    assert record.units == ("mV", "mV")
    np.testing.assert_array_equal(record.adc, [[1, -2], [3, 400], [-32768, 7]])
    np.testing.assert_array_equal(record.signal[:, 1], [-0.01, 2.0, 0.035])
    assert np.isnan(record.signal[2, 0])  # WFDB's "missing sample" value


@pytest.mark.parametrize(
    "fmt",
    ["16", "24", "32", "80", "212", "516"],  # those wfdb.wrsamp writes
)
@pytest.mark.parametrize("n_channels", [1, 2])
def test_formats_match_wfdb_writer(tmp_path, fmt, n_channels):
    wfdb = pytest.importorskip("wfdb")
    if fmt == "516":
        pytest.importorskip("soundfile")  # FLAC-compressed
    rng = np.random.default_rng(int(fmt) + n_channels)
    high = 100 if fmt == "80" else 2000
    digital = rng.integers(-high, high, size=(101, n_channels))
    wfdb.wrsamp(
        "rec",
        fs=250,
        units=["mV", "uV"][:n_channels],
        sig_name=["a", "b"][:n_channels],
        d_signal=digital,
        fmt=[fmt] * n_channels,
        adc_gain=[100.0, 3.5][:n_channels],
        baseline=[5, -2][:n_channels],
        write_dir=str(tmp_path),
    )
    ours = read_wfdb(tmp_path / "rec")
    theirs = wfdb.rdrecord(str(tmp_path / "rec"))
    np.testing.assert_array_equal(ours.adc, digital)
    np.testing.assert_array_equal(ours.signal, theirs.p_signal)
    assert ours.units == tuple(theirs.units)


def test_format_61_big_endian(tmp_path):
    wfdb = pytest.importorskip("wfdb")
    digital = np.array([[5, -7], [300, 2], [-4000, 9]])
    path = _write_record(
        tmp_path,
        "rec 2 100 3\nrec.dat 61 10 16 0 0 -3695 0 x\nrec.dat 61 20 16 0 0 4 0 y\n",
        digital.astype(">i2").tobytes(),
    )
    np.testing.assert_array_equal(read_wfdb(path).adc, digital)
    np.testing.assert_array_equal(
        read_wfdb(path).signal, wfdb.rdrecord(str(path)).p_signal
    )


# ------------------------------------------------------------------ loaders


@pytest.mark.data
@needs_data
@pytest.mark.parametrize("layout", ["root", "database"])
def test_load_mitdb_record_layouts(layout):
    data_dir = DATA if layout == "root" else DATA / "mitdb"
    signal = load_mitdb_record("100", data_dir)
    assert signal.shape == (650000,)
    np.testing.assert_array_equal(
        signal, read_wfdb(DATA / "mitdb" / "100").signal[:, 0]
    )
    both = load_mitdb_record(100, data_dir, channel=None, sampto=1000)
    assert both.shape == (1000, 2)
    record = load_mitdb_record("100", data_dir, return_record=True)
    assert record.channel_names == ("MLII",)


@pytest.mark.data
@needs_data
def test_load_nstdb():
    for name in ("bw", "em", "ma"):
        noise = load_nstdb_noise(name, DATA)
        assert noise.shape == (650000, 2) and np.all(np.isfinite(noise))
    assert load_nstdb_noise("ma", DATA / "nstdb", channel=1).shape == (650000,)
    noisy = load_nstdb_record("118e06", DATA)
    clean = load_mitdb_record("118", DATA)
    assert noisy.shape == clean.shape
    # The first 5 minutes are clean, then noise is switched on. The headers put
    # the samples 1024 units (5.12 mV) below MITDB's.
    five_min = 5 * 60 * 360
    offset = -1024 / 200
    np.testing.assert_allclose(noisy[:five_min] - offset, clean[:five_min])
    assert np.abs(noisy - offset - clean)[five_min : five_min + 120 * 360].max() > 0.1


def test_loader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"mitdb.*looked for .*mitdb/100\.hea"):
        load_mitdb_record("100", tmp_path)
    with pytest.raises(ValueError, match="name must be one of"):
        load_nstdb_noise("xx", tmp_path)
    with pytest.raises(FileNotFoundError, match="118e06"):
        load_nstdb_record("118e06", tmp_path)
    with pytest.raises(ValueError, match="plain record name"):
        load_mitdb_record("../100", tmp_path)
    with pytest.raises(TypeError, match="data_dir"):
        load_mitdb_record("100", None)
    # read_wfdb's message named its own argument, channels, which [0, 1] fits.
    for load, name in ((load_mitdb_record, "100"), (load_nstdb_noise, "ma")):
        for channel in ([0, 1], True, 1.0):
            with pytest.raises(TypeError, match="channel must be a channel index"):
                load(name, tmp_path, channel=channel)


@pytest.mark.data
@needs_data
def test_loaders_take_numpy_integer_record_names():
    # np.int64(100) was refused as "must be a record name (str)".
    np.testing.assert_array_equal(
        load_mitdb_record(np.int64(100), DATA, sampto=10),
        load_mitdb_record("100", DATA, sampto=10),
    )


@pytest.mark.data
@needs_data
def test_loaders_refuse_a_return_record_that_is_not_a_bool():
    # return_record="no" was read as true: a WFDBRecord came back, not the signal.
    with pytest.raises(TypeError, match="return_record must be True or False"):
        load_mitdb_record("100", DATA, sampto=10, return_record="no")
    with pytest.raises(TypeError, match="return_record must be True or False"):
        load_nstdb_noise("ma", DATA, sampto=10, return_record="no")


def test_record_lists():
    assert len(MITDB_RECORDS) == 48 and len(set(MITDB_RECORDS)) == 48
    assert len(NSTDB_RECORDS) == 12 and "119e_6" in NSTDB_RECORDS


# ------------------------------------------------------------------ windows


def test_make_windows_shapes_and_copy():
    signal = np.arange(20.0)
    windows = make_windows(signal, 5)
    np.testing.assert_array_equal(windows, signal.reshape(4, 5))
    assert not np.shares_memory(windows, signal)
    windows[0, 0] = -1
    assert signal[0] == 0
    overlapping = make_windows(signal, 8, stride=4)
    assert overlapping.shape == (4, 8)
    np.testing.assert_array_equal(overlapping[:, 0], [0, 4, 8, 12])
    covered = make_windows(signal, 8, stride=5, drop_last=False)
    np.testing.assert_array_equal(covered[:, 0], [0, 5, 10, 12])
    assert make_windows(signal, 20).shape == (1, 20)


def test_make_windows_channels_lists_and_mean():
    multi = np.stack([np.arange(10.0), -np.arange(10.0)], axis=1)
    windows = make_windows(multi, 4)
    assert windows.shape == (2, 4, 2)
    np.testing.assert_array_equal(windows[1, :, 1], [-4, -5, -6, -7])
    many = make_windows([np.arange(6.0), np.arange(9.0)], 3)
    np.testing.assert_array_equal(many[:, 0], [0, 3, 0, 3, 6])
    centred = make_windows(np.arange(12.0), 4, remove_mean=True)
    np.testing.assert_allclose(centred, np.tile([-1.5, -0.5, 0.5, 1.5], (3, 1)))


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((np.arange(3.0), 4), ValueError, "3 samples, fewer than window_length=4"),
        (([np.arange(9.0), np.arange(2.0)], 4), ValueError, r"signal\[1\] has 2"),
        (([np.zeros((8, 2)), np.zeros((8, 3))], 4), ValueError, "same number"),
        ((np.zeros((2, 8, 2)), 4), ValueError, "shape"),
        ((np.arange(9.0), 0), ValueError, "window_length"),
        ((np.arange(9.0), 2.5), TypeError, "window_length"),
        ((np.array(["a", "b"]), 1), TypeError, "numbers"),
        # These three were windowed, to be refused only at fit.
        ((np.ones(4) * 1j, 2), TypeError, "real numbers; got dtype complex128"),
        ((np.arange(4).astype("timedelta64[s]"), 2), TypeError, "real numbers"),
        ((np.zeros((4, 0)), 2), ValueError, "no channels"),
        (([], 4), ValueError, "shape|empty"),
        # a ragged item failed with NumPy's "inhomogeneous shape", naming none
        (([[[1.0, 2.0], [3.0]], np.ones(3)], 1), ValueError, r"signal\[0\] is not"),
    ],
)
def test_make_windows_errors(args, error, match):
    with pytest.raises(error, match=match):
        make_windows(*args)


@pytest.mark.parametrize("name", ["drop_last", "remove_mean"])
def test_make_windows_flags_must_be_bool(name):
    # drop_last="no" was read as true: the tail of the recording was dropped.
    with pytest.raises(TypeError, match=f"{name} must be True or False; got 'no'"):
        make_windows(np.arange(10.0), 4, **{name: "no"})
    make_windows(np.arange(10.0), 4, **{name: np.bool_(False)})


@pytest.mark.data
@needs_data
def test_make_windows_on_a_record():
    windows = make_windows(load_mitdb_record("100", DATA), 512, remove_mean=True)
    assert windows.shape == (650000 // 512, 512)
    np.testing.assert_allclose(windows.mean(axis=1), 0.0, atol=1e-12)


# ---------------------------------------------------------------- synthetic

GENERATORS = [make_sines, make_chirps, make_square_waves, make_sawtooth_waves]


@pytest.mark.parametrize("generator", GENERATORS)
def test_waveform_generators(generator):
    X = generator(7, 300, random_state=0)
    assert X.shape == (7, 300) and X.dtype == np.float64
    assert np.all(np.isfinite(X))
    np.testing.assert_array_equal(X, generator(7, 300, random_state=0))
    assert not np.allclose(X, generator(7, 300, random_state=1))
    assert not np.allclose(X[0], X[1])
    rng = np.random.default_rng(3)
    first = generator(2, 50, random_state=rng)
    assert not np.allclose(first, generator(2, 50, random_state=rng))


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n_series": 0}, ValueError),
        ({"n_timesteps": 0}, ValueError),
        ({"n_series": 2.0}, TypeError),
        ({"frequency_range": (5.0, 1.0)}, ValueError),
        ({"amplitude_range": (0.0, np.nan)}, ValueError),
        ({"random_state": "x"}, TypeError),
    ],
)
def test_waveform_generator_errors(generator, kwargs, error):
    with pytest.raises(error):
        generator(**{"n_series": 2, "n_timesteps": 10, **kwargs})


def test_sines_frequencies_in_range():
    X = make_sines(
        5, 1000, n_components=1, frequency_range=(20.0, 20.0), random_state=0
    )
    spectrum = np.abs(np.fft.rfft(X, axis=1))
    assert np.all(np.argmax(spectrum, axis=1) == 20)


def test_square_and_sawtooth_values():
    square = make_square_waves(3, 200, duty_cycle=0.25, random_state=0)
    levels = np.abs(square)
    np.testing.assert_allclose(levels, levels[:, :1] * np.ones((1, 200)))
    assert 0.15 < (square > 0).mean() < 0.35
    saw = make_sawtooth_waves(3, 200, amplitude_range=(2.0, 2.0), random_state=0)
    assert saw.min() >= -2.0 and saw.max() < 2.0
    with pytest.raises(ValueError, match="duty_cycle"):
        make_square_waves(duty_cycle=1.5)


def test_donoho_johnstone_definitions():
    n = 2048
    t = np.arange(1, n + 1) / n
    heavisine = make_donoho_johnstone("heavisine", n)[0]
    np.testing.assert_allclose(
        heavisine, 4 * np.sin(4 * np.pi * t) - np.sign(t - 0.3) - np.sign(0.72 - t)
    )
    doppler = make_donoho_johnstone("doppler", n)[0]
    np.testing.assert_allclose(
        doppler, np.sqrt(t * (1 - t)) * np.sin(2.1 * np.pi / (t + 0.05))
    )
    blocks = make_donoho_johnstone("blocks", n)[0]
    # Between 0.81 and 1 every step has been taken: the heights sum to 2.2 - 4.2 ...
    np.testing.assert_allclose(blocks[t > 0.82], 0.0, atol=1e-12)
    np.testing.assert_allclose(blocks[(t > 0.15) & (t < 0.23)], 2.0)
    np.testing.assert_allclose(blocks[(t > 0.44) & (t < 0.65)], 0.9, atol=1e-12)
    bumps = make_donoho_johnstone("bumps", 1000)[0]
    assert bumps.min() > 0
    assert 4.2 < bumps[809] < 4.3  # t = 0.81: height 4.2 plus the others' tails
    assert len(find_peaks(bumps)[0]) == 11


def test_donoho_johnstone_shifts_and_errors():
    rows = make_donoho_johnstone("bumps", 256, n_series=5)
    assert rows.shape == (5, 256) and np.all(rows == rows[0])
    shifted = make_donoho_johnstone(
        "bumps", 256, n_series=5, random_shift=True, random_state=0
    )
    for row in shifted:
        assert any(np.array_equal(row, np.roll(rows[0], k)) for k in range(256))
    assert len({row.tobytes() for row in shifted}) > 1
    with pytest.raises(ValueError, match="kind must be one of"):
        make_donoho_johnstone("ramp")
    # random_shift="no" was read as true: the rows came out shifted.
    with pytest.raises(TypeError, match="random_shift must be True or False"):
        make_donoho_johnstone("bumps", 256, random_shift="no")
    with pytest.raises(TypeError, match="random_shift must be True or False"):
        make_denoising_dataset("bumps", 2, 64, random_shift="no")
    assert np.all(make_donoho_johnstone("bumps", 64, random_shift=np.bool_(False)))


def _heart_rate(ecg, sampling_rate):
    peaks, _ = find_peaks(ecg, height=0.5, distance=int(0.25 * sampling_rate))
    return 60.0 * sampling_rate / np.mean(np.diff(peaks)), len(peaks)


@pytest.mark.parametrize("heart_rate", [0, 10, (0, 60), (60, 300)])
def test_make_ecg_heart_rate_range_is_the_one_said(heart_rate):
    # 0 was refused as "must be positive; got (0, 0)", then 10 as outside
    # (20, 250]: one rule, said with the value given.
    from skdenoise.datasets import make_ecg

    said = re.escape(f"heart_rate must be in (20, 250] bpm; got {heart_rate!r}.")
    with pytest.raises(ValueError, match=said):
        make_ecg(1, 100, heart_rate=heart_rate)


@pytest.mark.parametrize(("heart_rate", "sampling_rate"), [(60.0, 360.0), (90, 250)])
def test_make_ecg_heart_rate(heart_rate, sampling_rate):
    n_seconds = 12
    X = make_ecg(
        4,
        int(n_seconds * sampling_rate),
        sampling_rate=sampling_rate,
        heart_rate=heart_rate,
        random_state=0,
    )
    for ecg in X:
        rate, n_peaks = _heart_rate(ecg, sampling_rate)
        assert abs(rate - heart_rate) < 3.0
        assert abs(n_peaks - n_seconds * heart_rate / 60) <= 1.5
    assert np.all((X.max(axis=1) > 0.85) & (X.max(axis=1) < 1.15))
    assert np.all((X.min(axis=1) > -0.4) & (X.min(axis=1) < -0.1))
    if heart_rate == 60:  # mostly isoelectric line, at 0 mV
        assert np.all(np.abs(np.median(X, axis=1)) < 0.05)


def test_make_ecg_variability_and_seeding():
    steady = make_ecg(2, 3600, heart_rate_std=0.0, random_state=0)
    peaks, _ = find_peaks(steady[0], height=0.5)
    assert np.ptp(np.diff(peaks)) <= 1
    varied = make_ecg(2, 3600, heart_rate_std=5.0, random_state=0)
    assert np.ptp(np.diff(find_peaks(varied[0], height=0.5)[0])) > 5
    same = make_ecg(3, 200, random_state=4)
    np.testing.assert_array_equal(same, make_ecg(3, 200, random_state=4))
    assert not np.allclose(same, make_ecg(3, 200, random_state=5))
    rates = make_ecg(6, 3600, heart_rate=(50.0, 120.0), random_state=1)
    measured = [_heart_rate(ecg, 360.0)[0] for ecg in rates]
    assert np.ptp(measured) > 10


def test_make_ecg_many_series():
    # Its speed is measured in benchmarks/overheads.py, not asserted here.
    X = make_ecg(200, 512, random_state=0)
    assert X.shape == (200, 512)
    assert np.all(np.isfinite(X))
    assert np.unique(X[:, 100]).size > 100  # every series drawn on its own


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"heart_rate": 0.0}, r"\(20, 250\] bpm; got 0.0"),
        ({"heart_rate": 400.0}, r"\(20, 250\]"),
        ({"heart_rate_std": -1.0}, "heart_rate_std"),
        ({"sampling_rate": 0.0}, "sampling_rate"),
        ({"heart_rate": (80.0, 60.0)}, "low <= high"),
        # 17 s for 8 samples at 0.01 Hz, and more the lower the rate.
        ({"sampling_rate": 0.01}, "fewer than two samples per beat at 60 bpm"),
        ({"heart_rate": (60, 150), "sampling_rate": 4.0}, "at least 5 Hz"),
    ],
)
def test_make_ecg_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_ecg(2, 100, **kwargs)


# ------------------------------------------------------------------ dataset


@pytest.mark.parametrize(
    "kind", ["ecg", "sines", "chirps", "square_waves", "sawtooth_waves", "bumps"]
)
def test_make_denoising_dataset_snr(kind):
    X, y = make_denoising_dataset(kind, 10, 256, snr=3.0, random_state=0)
    assert X.shape == y.shape == (10, 256)
    np.testing.assert_allclose(snr_db(y, X, per_series=True), 3.0, atol=0.01)
    X2, y2 = make_denoising_dataset(kind, 10, 256, snr=3.0, random_state=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_make_denoising_dataset_noise_models():
    X, y = make_denoising_dataset("sines", 20, 256, random_state=1)
    np.testing.assert_allclose(snr_db(y, X, per_series=True), 6.0, atol=0.01)
    wander = BaselineWander(snr=2.0)
    X, y = make_denoising_dataset("ecg", 8, 360, noise=wander, random_state=1)
    np.testing.assert_allclose(snr_db(y, X, per_series=True), 2.0, atol=0.01)
    X, y = make_denoising_dataset(
        "ecg", 30, 360, noise=wander, snr=(0.0, 12.0), random_state=1
    )
    values = snr_db(y, X, per_series=True)
    assert np.all((values >= -0.01) & (values <= 12.01)) and values.std() > 1
    assert wander.snr == 2.0  # the caller's model is not changed
    recording = np.random.default_rng(0).standard_normal(5000)
    X, y = make_denoising_dataset(
        "doppler", 5, 128, noise=RecordedNoise(recording), snr=-3.0, random_state=0
    )
    np.testing.assert_allclose(snr_db(y, X, per_series=True), -3.0, atol=0.01)
    X, y = make_denoising_dataset(
        "ecg", 3, 200, noise=ImpulseNoise(snr=10.0), heart_rate=100.0, random_state=0
    )
    assert X.shape == (3, 200)


def test_make_denoising_dataset_errors():
    with pytest.raises(ValueError, match="kind must be one of"):
        make_denoising_dataset("noise")
    # a list failed with "unhashable type: 'list'"
    with pytest.raises(ValueError, match=r"kind must be one of.*got \['ecg'\]"):
        make_denoising_dataset(["ecg"])
    with pytest.raises(TypeError, match="noise model"):
        make_denoising_dataset("sines", noise="white")
    with pytest.raises(ValueError, match="finite"):
        make_denoising_dataset("sines", 2, 16, noise=WhiteNoise(), snr=np.nan)
    with pytest.raises(TypeError, match="unexpected keyword"):
        make_denoising_dataset("sines", 2, 16, heart_rate=60.0)


def test_all_donoho_johnstone_kinds_in_dataset():
    for kind in DONOHO_JOHNSTONE_KINDS:
        X, y = make_denoising_dataset(kind, 3, 128, snr=0.0, random_state=0)
        np.testing.assert_allclose(snr_db(y, X, per_series=True), 0.0, atol=0.01)


def test_samples_per_frame_are_averaged(tmp_path):
    data = np.array([1, 3, 5, 7, 100, 200], dtype="<i2").tobytes()
    record = read_wfdb(_write_record(tmp_path, "rec 1 100 3\nrec.dat 16x2\n", data))
    np.testing.assert_array_equal(record.adc[:, 0], [2, 6, 150])
    assert record.sampling_rate == 100.0


def test_multi_segment_record(tmp_path):
    wfdb = pytest.importorskip("wfdb")
    parts = [np.arange(6).reshape(3, 2) * 10, -np.arange(8).reshape(4, 2)]
    for index, digital in enumerate(parts):
        wfdb.wrsamp(
            f"seg{index}",
            fs=100,
            units=["mV", "mV"],
            sig_name=["a", "b"],
            d_signal=digital,
            fmt=["16", "16"],
            adc_gain=[100.0, 100.0],
            baseline=[0, 0],
            write_dir=str(tmp_path),
        )
    (tmp_path / "multi.hea").write_text(
        "multi/2 2 100 7\nseg0 3\nseg1 4\n# two parts\n"
    )
    record = read_wfdb(tmp_path / "multi", channels="b")
    np.testing.assert_array_equal(record.adc[:, 0], [10, 30, 50, -1, -3, -5, -7])
    np.testing.assert_allclose(record.signal[:, 0], record.adc[:, 0] / 100.0)
    assert record.channel_names == ("b",) and record.comments == ("two parts",)
    (tmp_path / "seg1.hea").write_text("seg1 1 100 4\nseg1.dat 16 lots\n")
    with pytest.raises(ValueError, match=r"seg1\.hea.*bad gain"):
        read_wfdb(tmp_path / "multi")


def _two_segments(tmp_path, second):
    """A two-segment record of one channel; ``second``: wrsamp keywords of seg1."""
    wfdb = pytest.importorskip("wfdb")
    first = {"d_signal": np.array([[200], [400]]), "fmt": ["16"], "adc_gain": [200.0]}
    for name, options in (("seg0", first), ("seg1", {**first, **second})):
        defaults = {"baseline": [0], "fs": 100, "units": ["mV"], "sig_name": ["a"]}
        options = {**defaults, **options}
        wfdb.wrsamp(
            name,
            write_dir=str(tmp_path),
            **options,
        )
    length = len(first["d_signal"]) + len(second.get("d_signal", first["d_signal"]))
    (tmp_path / "multi.hea").write_text(f"multi/2 1 100 {length}\nseg0 2\nseg1 2\n")
    return tmp_path / "multi"


@pytest.mark.parametrize(
    "second, message",
    [
        ({"fmt": ["212"]}, r"channel 0 \(a\) with different formats: 16 in seg0\.hea"),
        ({"adc_gain": [100.0]}, "different gains"),
        ({"baseline": [10]}, "different baselines"),
        # Joined without a word: microvolts read as millivolts, 250 Hz samples
        # on a 100 Hz time axis.
        ({"units": ["uV"]}, r"different units: mV in seg0\.hea, uV in seg1\.hea"),
        ({"fs": 250}, r"sampled at 100 Hz but its segment seg1\.hea at 250 Hz"),
        # Leads in another order: the channel named after the first segment's
        # lead held another lead from the second segment on.
        ({"sig_name": ["b"]}, r"different names: a in seg0\.hea, b in seg1\.hea"),
    ],
)
def test_multi_segment_record_of_mixed_conversions_is_refused(
    tmp_path, second, message
):
    # They were all converted with the first segment's gain, baseline and format.
    with pytest.raises(ValueError, match=message):
        read_wfdb(_two_segments(tmp_path, second))


def test_multi_segment_record_of_a_segment_without_channel_names(tmp_path):
    # A signal line may leave its description out: not another lead.
    record = _two_segments(tmp_path, {"d_signal": np.array([[10], [20]])})
    header = (tmp_path / "seg1.hea").read_text().splitlines()
    fields = header[1].split()
    (tmp_path / "seg1.hea").write_text("\n".join([header[0], " ".join(fields[:-1])]))
    assert read_wfdb(record).channel_names == ("a",)


def test_multi_segment_record_checks_its_segments_files(tmp_path):
    record = _two_segments(tmp_path, {"d_signal": np.array([[10], [20]])})
    np.testing.assert_array_equal(read_wfdb(record).adc[:, 0], [200, 400, 10, 20])
    data = bytearray((tmp_path / "seg1.dat").read_bytes())
    data[0] ^= 1
    (tmp_path / "seg1.dat").write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"Checksum mismatch .*seg1\.dat"):
        read_wfdb(record)
    (tmp_path / "seg1.dat").write_bytes(bytes(data[:2]))
    with pytest.raises(ValueError, match=r"seg1\.dat is truncated"):
        read_wfdb(record)


@pytest.mark.parametrize("fmt", ["8", "16", "212"])
def test_multi_segment_record_with_a_gap_reads_the_gap_as_nan(tmp_path, fmt):
    wfdb = pytest.importorskip("wfdb")
    parts = {"s1": [[100, -5], [200, 6], [300, 7]], "s2": [[400, 8], [500, 9]]}
    for name, digital in parts.items():
        if fmt == "8":  # first differences, which the wfdb package cannot write
            digital = np.array(digital)
            steps = np.diff(digital, axis=0, prepend=digital[:1])
            (tmp_path / f"{name}.dat").write_bytes(steps.astype("i1").tobytes())
            (tmp_path / f"{name}.hea").write_text(
                f"{name} 2 100 {len(digital)}\n"
                + "".join(
                    f"{name}.dat 8 100/mV 8 0 {digital[0, c]} "
                    f"{(int(digital[:, c].sum()) + 32768) % 65536 - 32768} 0 "
                    f"{'ab'[c]}\n"
                    for c in range(2)
                )
            )
            continue
        wfdb.wrsamp(
            name,
            fs=100,
            units=["mV", "mV"],
            sig_name=["a", "b"],
            d_signal=np.array(digital),
            fmt=[fmt, fmt],
            adc_gain=[100.0, 100.0],
            baseline=[0, 0],
            write_dir=str(tmp_path),
        )
    (tmp_path / "m.hea").write_text("m/4 2 100 10\ns1 3\n~ 3\ns2 2\n~ 2\n# gaps\n")
    record = read_wfdb(tmp_path / "m")
    nan = np.nan
    np.testing.assert_array_equal(
        record.signal[:, 0], [1, 2, 3, nan, nan, nan, 4, 5, nan, nan]
    )
    np.testing.assert_array_equal(
        record.signal[:, 1], [-0.05, 0.06, 0.07, nan, nan, nan, 0.08, 0.09, nan, nan]
    )
    assert record.record_name == "m" and record.comments == ("gaps",)
    part = read_wfdb(tmp_path / "m", channels="b", sampfrom=2, sampto=7)
    np.testing.assert_array_equal(part.signal[:, 0], [0.07, nan, nan, nan, 0.08])
    assert part.adc[1, 0] == {"8": -128, "16": -32768, "212": -2048}[fmt]
    # A segment header without its length: the record's line gives it.
    header = (tmp_path / "s2.hea").read_text().splitlines()
    fields = header[0].split()
    (tmp_path / "s2.hea").write_text("\n".join([" ".join(fields[:3]), *header[1:]]))
    np.testing.assert_array_equal(read_wfdb(tmp_path / "m").signal, record.signal)
    (tmp_path / "m.hea").write_text("m/4 2 100 9\ns1 3\n~ 3\ns2 1\n~ 2\n")
    with pytest.raises(ValueError, match=r"segment s2\.hea 1 samples but it holds 2"):
        read_wfdb(tmp_path / "m")


def test_multi_segment_lengths_that_disagree_are_named(tmp_path):
    _two_segments(tmp_path, {})
    (tmp_path / "multi.hea").write_text("multi/2 1 100 9\nseg0 2\nseg1 2\n")
    with pytest.raises(ValueError, match="gives 9 samples but its segments hold 4"):
        read_wfdb(tmp_path / "multi")
    (tmp_path / "multi.hea").write_text("multi/2 1 100 5\nseg0 2\nseg1 3\n")
    with pytest.raises(ValueError, match=r"segment seg1\.hea 3 samples but its"):
        read_wfdb(tmp_path / "multi")
    (tmp_path / "multi.hea").write_text("multi/2 1 100 4\n~ 2\n~ 2\n")
    with pytest.raises(ValueError, match="every segment is a gap"):
        read_wfdb(tmp_path / "multi")


def test_variable_layout_record_is_refused_by_name(tmp_path):
    wfdb = pytest.importorskip("wfdb")
    wfdb.wrsamp(
        "seg1",
        fs=100,
        units=["mV"],
        sig_name=["II"],
        d_signal=np.array([[200], [400]]),
        fmt=["16"],
        adc_gain=[200.0],
        baseline=[0],
        write_dir=str(tmp_path),
    )
    (tmp_path / "layout.hea").write_text("layout 1 100 0\n~ 0 200/mV 16 0 0 0 0 II\n")
    (tmp_path / "v.hea").write_text("v/2 1 100 2\nlayout 0\nseg1 2\n")
    with pytest.raises(ValueError, match="variable-layout multi-segment record"):
        read_wfdb(tmp_path / "v")


@pytest.mark.data
@needs_data
def test_read_wfdb_annotations():
    from skdenoise.datasets import read_wfdb_annotations

    wfdb = pytest.importorskip("wfdb")
    beats = read_wfdb_annotations(DATA / "mitdb" / "100")
    theirs = wfdb.rdann(str(DATA / "mitdb" / "100"), "atr")
    np.testing.assert_array_equal(beats.sample, theirs.sample)
    assert list(beats.symbol) == theirs.symbol and beats.sampling_rate == 360
    part = read_wfdb_annotations(DATA / "mitdb" / "100", sampfrom=1000, sampto=5000)
    assert part.sample.min() >= 1000 and part.sample.max() < 5000
    assert len(part.sample) == len(part.symbol) == len(part.aux_note) > 5
    with pytest.raises(FileNotFoundError, match=r"annotation file not found.*bw\.atr"):
        read_wfdb_annotations(DATA / "nstdb" / "bw")
    for bounds in ({"sampfrom": 500, "sampto": 100}, {"sampfrom": -5}):
        with pytest.raises(ValueError, match="0 <= sampfrom < sampto"):
            read_wfdb_annotations(DATA / "mitdb" / "100", **bounds)
    with pytest.raises(ValueError, match="signal or header file"):
        read_wfdb_annotations(DATA / "mitdb" / "100", extension="dat")


@pytest.mark.data
@needs_data
def test_read_wfdb_annotations_refuses_a_signal_file(tmp_path):
    from skdenoise.datasets import read_wfdb_annotations

    pytest.importorskip("wfdb")
    # A signal file under another name decodes into codes that are not symbols.
    (tmp_path / "100.sig").write_bytes((DATA / "mitdb" / "100.dat").read_bytes())
    with pytest.raises(ValueError, match="not a WFDB annotation file"):
        read_wfdb_annotations(tmp_path / "100", extension="sig")
    # One that happens to end with the end-of-file mark: codes, not symbols.
    data = (DATA / "mitdb" / "100.dat").read_bytes()[:30000] + b"\0\0"
    (tmp_path / "100.sg2").write_bytes(data)
    with pytest.raises(ValueError, match="not annotations|not in time order"):
        read_wfdb_annotations(tmp_path / "100", extension="sg2")
    # wfdb decodes almost any bytes: a text file read as a dozen annotations.
    for suffix, content in (("txt", b"hello world\n"), ("log", b""), ("odd", b"abc")):
        (tmp_path / f"100.{suffix}").write_bytes(content)
        with pytest.raises(ValueError, match="not a WFDB annotation file"):
            read_wfdb_annotations(tmp_path / "100", extension=suffix)


def test_read_wfdb_annotations_names_binary_files_without_decoding_them(
    tmp_path, monkeypatch
):
    # An .npz beside a record ends with two zero bytes, as an annotation file:
    # the wfdb package decoded every word of it first (a minute and a
    # gigabyte for 20 MB, in every `skdenoise denoise` of the record).
    import wfdb

    from skdenoise.datasets import read_wfdb_annotations

    np.savez(tmp_path / "100.npz", ecg=np.zeros(1000))
    np.save(tmp_path / "array.npy", np.zeros(1000))
    (tmp_path / "array.npy").rename(tmp_path / "100.arr")

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded by wfdb.rdann")

    monkeypatch.setattr(wfdb, "rdann", no_decoding)
    with pytest.raises(ValueError, match="is a zip archive"):
        read_wfdb_annotations(tmp_path / "100", extension="npz")
    with pytest.raises(ValueError, match="is a NumPy .npy file"):
        read_wfdb_annotations(tmp_path / "100", extension="arr")


def test_missing_wfdb_package_names_the_extra(tmp_path, monkeypatch):
    import sys

    from skdenoise.datasets import write_wfdb

    path = _write_record(tmp_path, "rec 1 100 2\nrec.dat 16\n", bytes(4))
    monkeypatch.setitem(sys.modules, "wfdb", None)
    for call in (
        lambda: read_wfdb(path),
        lambda: write_wfdb(tmp_path / "out", np.zeros((3, 1)), sampling_rate=10),
    ):
        with pytest.raises(ImportError, match=r'pip install "skdenoise\[data\]"'):
            call()


@pytest.mark.parametrize(
    ("fmt", "encode"),
    [
        ("8", lambda v: np.diff(v, prepend=0).astype("i1").tobytes()),
        ("160", lambda v: (v + 32768).astype("<u2").tobytes()),
        (
            "311",
            lambda v: (
                ((v.reshape(-1, 3) & 0x3FF) << np.array([0, 10, 20], dtype=np.int64))
                .sum(axis=1)
                .astype("<u4")
                .tobytes()
            ),
        ),
    ],
)
def test_formats_the_wfdb_package_reads_only(tmp_path, fmt, encode):
    # wfdb.wrsamp cannot write these; the bytes are laid out by hand.
    values = np.array([5, -7, 20, -30, 0, 42])
    header = f"rec 1 100 6\nrec.dat {fmt} 10(0)/mV 10 0 0\n"
    record = read_wfdb(_write_record(tmp_path, header, encode(values)))
    np.testing.assert_array_equal(record.adc[:, 0], values)
    np.testing.assert_allclose(record.signal[:, 0], values / 10.0)


def test_write_wfdb_formats_and_header_fields(tmp_path):
    import datetime

    wfdb = pytest.importorskip("wfdb")
    from skdenoise.datasets import write_wfdb

    signal = np.sin(np.linspace(0, 20, 300))[:, None] * [2.0, 0.5]
    # A gain format 16 cannot hold at these values is kept in format 24.
    write_wfdb(
        tmp_path / "rec",
        signal,
        sampling_rate=500,
        gain=1e5,
        fmt=24,
        baseline=[10, -3],
        adc_resolution=[24, 20],
        adc_zero=[0, 5],
        base_time=datetime.time(23, 59, 58),
        base_date=datetime.date(1999, 12, 31),
    )
    header = wfdb.rdheader(str(tmp_path / "rec"))
    assert header.fmt == ["24", "24"] and header.adc_gain == [1e5, 1e5]
    assert header.baseline == [10, -3]
    assert header.adc_res == [24, 20] and header.adc_zero == [0, 5]
    assert header.base_time == datetime.time(23, 59, 58)
    assert header.base_date == datetime.date(1999, 12, 31)
    np.testing.assert_allclose(read_wfdb(tmp_path / "rec").signal, signal, atol=6e-6)

    # Format 16, the default, lowers the gain to fit as before.
    write_wfdb(tmp_path / "rec16", signal, sampling_rate=500, gain=1e5)
    header = wfdb.rdheader(str(tmp_path / "rec16"))
    assert header.fmt == ["16", "16"]
    assert header.adc_gain[0] == pytest.approx(16000, rel=1e-3)

    with pytest.raises(ValueError, match="fmt must be 16, 24 or 32"):
        write_wfdb(tmp_path / "bad", signal, sampling_rate=500, fmt=212)
    with pytest.raises(ValueError, match="base_date needs a base_time"):
        write_wfdb(
            tmp_path / "bad",
            signal,
            sampling_rate=500,
            base_date=datetime.date(1999, 12, 31),
        )


def test_write_wfdb_round_trips_the_counter_frequency_and_plain_rates(tmp_path):
    wfdb = pytest.importorskip("wfdb")
    from skdenoise.datasets import write_wfdb

    signal = np.sin(np.linspace(0, 5, 20))[:, None]
    write_wfdb(
        tmp_path / "counted",
        signal,
        sampling_rate=360,
        counter_frequency=720.5,
        base_counter=0,
    )
    header = wfdb.rdheader(str(tmp_path / "counted"))
    assert (header.fs, header.counter_freq, header.base_counter) == (360, 720.5, 0)
    write_wfdb(tmp_path / "slow", signal, sampling_rate=1e-5)  # not "1e-05"
    assert read_wfdb(tmp_path / "slow").sampling_rate == 1e-5
    assert wfdb.rdheader(str(tmp_path / "slow")).fs == 1e-5
    with pytest.raises(ValueError, match=r"sampling_rate=360.000000001 .* 360"):
        write_wfdb(tmp_path / "bad", signal, sampling_rate=360.000000001)
    with pytest.raises(ValueError, match="base_counter needs a counter_frequency"):
        write_wfdb(tmp_path / "bad", signal, sampling_rate=360, base_counter=3)
    with pytest.raises(ValueError, match="counter_frequency must be a positive"):
        write_wfdb(tmp_path / "bad", signal, sampling_rate=360, counter_frequency=-1)
    assert not list(tmp_path.glob("bad*"))


@pytest.mark.parametrize(
    "options, match",
    [
        ({"channel_names": ["µV lead", "b"]}, r"channel_names\[0\].*'µ'.*ASCII"),
        ({"comments": ["Patient: Müller"]}, r"comments\[0\].*'ü'.*ASCII"),
        ({"comments": ["a\nb"]}, r"comments\[0\].*'\\n'"),
        ({"comments": ["# tagged"]}, r"comments\[0\].*strips"),
        ({"comments": "one line"}, "comments must be a sequence of strings"),
        ({"units": ["µV", "mV"]}, r"units\[0\].*'µ'"),
        ({"units": ["", "mV"]}, r"units\[0\] = ''"),
        ({"channel_names": [" a", "b"]}, r"channel_names\[0\].*spaces"),
        ({"channel_names": ["", "b"]}, r"channel_names\[0\].*pass None"),
        ({"channel_names": ["a", "a"]}, "channel_names must differ"),
    ],
)
def test_write_wfdb_refuses_text_the_header_cannot_hold(tmp_path, options, match):
    pytest.importorskip("wfdb")
    from skdenoise.datasets import write_wfdb

    with pytest.raises(ValueError, match=match):
        write_wfdb(tmp_path / "rec", np.ones((4, 2)), sampling_rate=360, **options)
    assert not list(tmp_path.iterdir())


def test_write_wfdb_writes_no_channel_names_unless_given(tmp_path):
    wfdb = pytest.importorskip("wfdb")
    from skdenoise.datasets import write_wfdb

    signal = np.ones((4, 2))
    write_wfdb(tmp_path / "plain", signal, sampling_rate=360)
    assert wfdb.rdheader(str(tmp_path / "plain")).sig_name == [None, None]
    record = read_wfdb(tmp_path / "plain")
    assert record.channel_names == ("signal 0", "signal 1")
    names = ["V1", None]
    write_wfdb(tmp_path / "part", signal, sampling_rate=360, channel_names=names)
    assert wfdb.rdheader(str(tmp_path / "part")).sig_name == names
    comments = ["69 M 1085 1629 x1", "", "tag: a # b"]
    write_wfdb(tmp_path / "text", signal, sampling_rate=360, comments=comments)
    assert wfdb.rdheader(str(tmp_path / "text")).comments == comments


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8"])
def test_read_wfdb_keeps_non_ascii_names_and_comments(tmp_path, encoding):
    pytest.importorskip("wfdb")
    from skdenoise.datasets import read_wfdb

    samples = np.array([0, 100, -200, 106], dtype="<i2")
    header = "na 1 100 4\nna.dat 16 100(0)/mV 16 0 0 6 0 Ableitung Ä\n# Patient Zoë\n"
    (tmp_path / "na.hea").write_bytes(header.encode(encoding))
    samples.tofile(tmp_path / "na.dat")
    record = read_wfdb(tmp_path / "na")
    assert record.channel_names == ("Ableitung Ä",)
    assert record.comments == ("Patient Zoë",)
    np.testing.assert_allclose(record.signal[:, 0], samples / 100)
    # A channel selected by its full name.
    assert read_wfdb(tmp_path / "na", channels=["Ableitung Ä"]).signal.shape == (4, 1)


def test_read_wfdb_non_ascii_header_keeps_line_breaks_and_comment_form(tmp_path):
    pytest.importorskip("wfdb")
    from skdenoise.datasets import read_wfdb

    samples = np.array([[0, 0], [100, 100], [-200, -200], [106, 106]], dtype="<i2")
    header = (
        "nb 2 100 4\n# a\u2028b\n"
        "nb.dat 16 100(0)/mV 16 0 0 6 0 \u00c4\n"
        "nb.dat 16 100(0)/mV 16 0 0 6 0 B\n## note #\n"
    )
    (tmp_path / "nb.hea").write_bytes(header.encode("utf-8"))
    samples.tofile(tmp_path / "nb.dat")
    record = read_wfdb(tmp_path / "nb")
    assert record.channel_names == ("\u00c4", "B")
    assert record.comments == ("a\u2028b", "note")


def test_make_windows_points_out_a_batch_passed_as_one_recording():
    from skdenoise.datasets import make_windows

    batch = np.random.default_rng(0).normal(size=(200, 300))
    with pytest.warns(UserWarning, match=r"pass list\(signal\)"):
        assert make_windows(batch, 64).shape == (3, 64, 300)
    assert make_windows(list(batch), 64).shape == (800, 64)
    with pytest.raises(ValueError, match=r"for 10 series of 650 samples pass list"):
        make_windows(np.zeros((10, 650)), 64)


def test_multi_segment_record_refuses_only_the_channels_stored_differently(tmp_path):
    wfdb = pytest.importorskip("wfdb")
    for name, gain_b in (("seg0", 100.0), ("seg1", 50.0)):
        wfdb.wrsamp(
            name,
            fs=100,
            units=["mV", "mV"],
            sig_name=["a", "b"],
            d_signal=np.array([[200, 10], [400, 20]]),
            fmt=["16", "16"],
            adc_gain=[200.0, gain_b],
            baseline=[0, 0],
            write_dir=str(tmp_path),
        )
    (tmp_path / "multi.hea").write_text("multi/2 2 100 4\nseg0 2\nseg1 2\n")
    np.testing.assert_allclose(
        read_wfdb(tmp_path / "multi", channels="a").signal[:, 0], [1, 2, 1, 2]
    )
    with pytest.raises(ValueError, match=r"channel 1 \(b\) with different gains"):
        read_wfdb(tmp_path / "multi")


@needs_data
def test_a_wfdb_record_passed_on_whole_is_named():
    # make_windows read the record's fields as recordings ("signal[0] must
    # hold real numbers; got dtype <U3"), an estimator as series of other
    # lengths ("cut them into windows"), and the plot hint X[0] plotted two
    # samples of a recording held time first.
    from skdenoise.baselines import BandpassDenoiser
    from skdenoise.plotting import plot_denoising

    record = read_wfdb(DATA / "mitdb" / "100", sampto=3600)
    with pytest.raises(TypeError, match=r"WFDBRecord; pass its samples, record"):
        make_windows(record, 512)
    with pytest.raises(ValueError, match=r"WFDBRecord; .* X\.signal\.T"):
        BandpassDenoiser().fit(record)
    with pytest.raises(ValueError, match=r"signal\[:, 0\]"):
        plot_denoising(noisy=record.signal)
    assert make_windows(record.signal, 512).shape == (7, 512, 2)


def test_a_channel_name_that_two_channels_share_is_refused(tmp_path):
    # names.index took the first silently: the second lead was out of reach
    # by name, and ["ECG", "ECG"] gave the first twice. (wfdb.wrsamp refuses
    # to write such a header, but some databases have them.)
    digital = np.array([[20, -40], [60, 80], [100, -120]], dtype="<i2")
    header = "rec 2 250 3\n" + "".join(
        f"rec.dat 16 200/mV 16 0 {digital[0, k]} {digital[:, k].sum()} 0 ECG\n"
        for k in range(2)
    )
    path = _write_record(tmp_path, header, digital.tobytes())
    with pytest.raises(ValueError, match=r"2 channels .* are named 'ECG' \(indices"):
        read_wfdb(path, channels=["ECG"])
    np.testing.assert_allclose(
        read_wfdb(path, channels=[1]).signal[:, 0], digital[:, 1] / 200
    )


def test_paths_with_a_tilde_are_expanded(tmp_path, monkeypatch):
    # fetch_physionet and get_data_home expanded "~"; the loaders looked for a
    # folder literally named "~".
    from skdenoise.datasets import load_mitdb_record

    if not (DATA / "mitdb" / "100.hea").is_file():
        pytest.skip("MITDB record 100 not found")
    home = tmp_path / "home"
    (home / "db" / "mitdb").mkdir(parents=True)
    for suffix in (".hea", ".dat"):
        shutil.copyfile(
            DATA / "mitdb" / f"100{suffix}", home / "db" / "mitdb" / f"100{suffix}"
        )
    monkeypatch.setenv("HOME", str(home))
    expected = read_wfdb(DATA / "mitdb" / "100", sampto=100).signal
    got = read_wfdb("~/db/mitdb/100", sampto=100).signal
    np.testing.assert_array_equal(got, expected)
    assert load_mitdb_record("100", "~/db").shape[0] == 650000
    with pytest.raises(FileNotFoundError, match="pass the parent of the folder"):
        load_mitdb_record("101", "~/db")


def test_make_ecg_refuses_a_heart_rate_spread_that_moves_the_rate():
    # Wide RR spreads are clipped at 0.2 of their mean: 60 +- 20 bpm gave a
    # mean of 66 bpm and beats at 283 bpm; 1e300 gave values near 1e295 mV.
    from skdenoise.datasets import make_ecg

    for std in (20.0, 1e3, 1e300):
        with pytest.raises(ValueError, match=r"more than a sixth of the heart rate"):
            make_ecg(1, 720, heart_rate=60, heart_rate_std=std, random_state=0)
    with pytest.raises(ValueError, match=r"Pass at most 5\b"):
        make_ecg(1, 720, heart_rate=(30, 90), heart_rate_std=6.0, random_state=0)
    assert make_ecg(1, 720, heart_rate=60, heart_rate_std=10.0).shape == (1, 720)


def test_make_denoising_dataset_checks_its_noise_before_making_series(monkeypatch):
    # A bad mixture was walked by the rate check (AttributeError on 'str'),
    # and a bad snr refused only once every clean series was made.
    from skdenoise.datasets import _synthetic, make_denoising_dataset
    from skdenoise.noise import NoiseMixture, WhiteNoise

    made = []
    original = _synthetic._GENERATORS["ecg"]
    monkeypatch.setitem(
        _synthetic._GENERATORS,
        "ecg",
        lambda *a, **k: made.append(1) or original(*a, **k),
    )
    for noise, error in (
        (NoiseMixture([WhiteNoise(), "x"]), r"components\[1\] must be a noise model"),
        (NoiseMixture("white"), r"components must be a non-empty list"),
        (WhiteNoise(snr="10"), r"snr must be a real number"),
    ):
        with pytest.raises((TypeError, ValueError), match=error):
            make_denoising_dataset(
                "ecg", n_series=2, n_timesteps=360, noise=noise, random_state=0
            )
    assert not made


def test_make_windows_names_a_tuple_of_wfdb_records(tmp_path):
    # A list of records got the advice; a tuple "is not a regular array".
    from skdenoise.datasets import make_windows, read_wfdb, write_wfdb

    path = tmp_path / "rec"
    write_wfdb(path, np.zeros((100, 1)), sampling_rate=360)
    record = read_wfdb(path)
    for signal in ([record], (record,), record):
        with pytest.raises(TypeError, match=r"signal is a WFDBRecord"):
            make_windows(signal, 10)
    windows = make_windows((np.arange(20.0), np.arange(30.0)), 10)
    assert windows.shape == (5, 10)  # a tuple of recordings, as a list


def test_a_ctrl_c_between_the_files_of_a_record_leaves_no_mixed_record(
    tmp_path, monkeypatch
):
    # The header and signal file were moved into place one by one: a Ctrl-C
    # between them left an old header over a new signal file (or the
    # reverse), a record that reads silently wrong.
    from skdenoise import _files
    from skdenoise.datasets import read_wfdb, write_wfdb

    path = tmp_path / "rec"
    write_wfdb(path, np.zeros((100, 1)), sampling_rate=360)
    real = _files.replace_file
    moved = []

    def interrupted_once(source, target):
        real(source, target)
        moved.append(Path(target).suffix)
        if len(moved) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(_files, "replace_file", interrupted_once)
    signal = np.linspace(-1.0, 1.0, 200)[:, None]
    with pytest.raises(KeyboardInterrupt):
        write_wfdb(path, signal, sampling_rate=500)
    assert moved == [".dat", ".hea"]  # the header last, both moved
    record = read_wfdb(path)
    assert record.sampling_rate == 500
    np.testing.assert_allclose(record.signal, signal, atol=0.01)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.dat", "rec.hea"]


def test_a_read_only_header_leaves_the_whole_record_as_it_was(tmp_path, monkeypatch):
    # The signal file was replaced before the read-only header was refused:
    # the old header then described the new signal file.
    import os

    from skdenoise import _files
    from skdenoise.datasets import read_wfdb, write_wfdb

    path = tmp_path / "rec"
    write_wfdb(path, np.zeros((100, 1)), sampling_rate=360)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real = os.access

    def header_read_only(target, mode, **kwargs):
        if str(target).endswith(".hea") and mode == os.W_OK:
            return False
        return real(target, mode, **kwargs)

    monkeypatch.setattr(_files.os, "access", header_read_only)
    with pytest.raises(PermissionError, match="read-only"):
        write_wfdb(path, np.ones((200, 1)), sampling_rate=500)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert read_wfdb(path).signal.shape == (100, 1)
