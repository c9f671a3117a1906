import functools
import hashlib
import http.server
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from skdenoise.datasets import (
    fetch_physionet,
    get_data_home,
    load_mitdb_record,
    load_nstdb_noise,
    read_wfdb,
)

DATA = Path(
    os.environ.get("SKDENOISE_PHYSIONET_DIR")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data" / "physionet"
)
pytestmark = [
    pytest.mark.data,
    pytest.mark.skipif(
        not ((DATA / "mitdb").is_dir() and (DATA / "nstdb").is_dir()),
        reason=f"PhysioNet data (mitdb/, nstdb/) not found in {DATA}",
    ),
]

SERVED = {
    "mitdb": ["100.hea", "100.dat", "100.atr", "SHA256SUMS.txt"],
    "nstdb": ["bw.hea", "bw.dat", "SHA256SUMS.txt"],
}


def sha256_of(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class FaultyHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; ``server.faults`` makes chosen files fail."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        self.server.requests.append(name)
        fault = self.server.faults.get(name)
        if fault == "drop":
            body = (Path(self.directory) / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.close_connection = True
            return
        if fault == "cut-without-length":
            # A body that ends with the connection, cut halfway.
            body = (Path(self.directory) / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if fault == "slow":  # a slow server: calls overlap
            import time

            time.sleep(0.3)
        if fault in ("500", "500-once"):
            if fault == "500-once":
                del self.server.faults[name]
            self.send_error(500, "Server trouble")
            return
        super().do_GET()


class Server:
    def __init__(self, root):
        handler = functools.partial(FaultyHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.faults = {}
        self.httpd.requests = []
        self.root = root
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def requests(self):
        return self.httpd.requests

    @property
    def faults(self):
        return self.httpd.faults

    def stop(self):
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join(timeout=5)
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "server"
    for database, names in SERVED.items():
        target = root / database / "1.0.0"
        target.mkdir(parents=True)
        for name in names:
            shutil.copyfile(DATA / database / name, target / name)
    served = Server(root)
    yield served
    served.stop()


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def fetch(server, cache, records=("100",), database="mitdb", **kwargs):
    options = {"timeout": 10.0, "n_retries": 0, "delay": 0.0, **kwargs}
    return fetch_physionet(
        list(records), database, data_home=cache, base_url=server.url, **options
    )


def leftovers(folder):
    """Temporary files (pooch's ``tmp*`` or a hidden ``.*``) left in ``folder``."""
    return sorted(
        p.name for p in Path(folder).iterdir() if p.name.startswith((".", "tmp"))
    )


def test_successful_fetch(server, cache):
    folder = fetch(server, cache, annotations=True)
    assert folder == cache / "physionet" / "mitdb"
    for name in ("100.hea", "100.dat", "100.atr"):
        assert sha256_of(folder / name) == sha256_of(DATA / "mitdb" / name)
    assert sorted(server.requests) == sorted(SERVED["mitdb"])
    assert leftovers(folder) == []
    np.testing.assert_array_equal(
        read_wfdb(folder / "100").signal, read_wfdb(DATA / "mitdb" / "100").signal
    )
    assert load_mitdb_record("100", folder).shape == (650000,)
    assert load_mitdb_record("100", cache / "physionet").shape == (650000,)


def test_cache_is_reused_without_network(server, cache):
    folder = fetch(server, cache)
    n_requests = len(server.requests)
    again = fetch(server, cache)
    assert again == folder and len(server.requests) == n_requests
    server.stop()
    # With the server gone, the complete and valid cache still serves the call.
    assert fetch(server, cache) == folder
    with pytest.raises(OSError, match="100.atr"):
        fetch(server, cache, annotations=True)
    assert leftovers(folder) == []


def test_corrupted_download_leaves_nothing(server, cache):
    dat = server.root / "mitdb" / "1.0.0" / "100.dat"
    raw = bytearray(dat.read_bytes())
    raw[1000] ^= 0xFF
    dat.write_bytes(bytes(raw))
    with pytest.raises(OSError, match=r"SHA-256 mismatch for http://127\.0\.0\.1:\d+/"):
        fetch(server, cache)
    folder = cache / "physionet" / "mitdb"
    assert not (folder / "100.dat").exists()
    assert leftovers(folder) == []
    assert (folder / "100.hea").exists()  # files verified before stay


def test_dropped_connection_leaves_nothing(server, cache):
    server.faults["100.dat"] = "drop"
    with pytest.raises(OSError, match=r"(dropped|failed) .*100\.dat") as info:
        fetch(server, cache, n_retries=1)
    assert "2 attempt(s)" in str(info.value)
    assert server.requests.count("100.dat") == 2  # one retry, then it gives up
    folder = cache / "physionet" / "mitdb"
    assert not (folder / "100.dat").exists()
    assert leftovers(folder) == []
    # Once the server behaves, the same call completes the cache.
    del server.faults["100.dat"]
    fetch(server, cache)
    assert sha256_of(folder / "100.dat") == sha256_of(DATA / "mitdb" / "100.dat")


def test_server_error_is_retried(server, cache):
    server.faults["100.hea"] = "500-once"
    folder = fetch(server, cache, n_retries=2)
    assert server.requests.count("100.hea") == 2
    assert (folder / "100.hea").exists()
    server.faults["100.dat"] = "500"
    (folder / "100.dat").unlink()
    with pytest.raises(OSError, match=r"HTTP error 500 .*100\.dat"):
        fetch(server, cache, n_retries=1)
    assert leftovers(folder) == []


def test_http_404_names_the_url(server, cache):
    digest = "0" * 64
    with pytest.raises(OSError, match=r"HTTP error 404 .*/mitdb/1\.0\.0/999\.hea"):
        fetch(server, cache, records=["999"], sha256={"999.hea": digest})
    with pytest.raises(OSError, match="no SHA-256 hash for '999.hea'"):
        fetch(server, cache, records=["999"])
    assert leftovers(cache / "physionet" / "mitdb") == []


def test_given_hashes_skip_the_sums_file(server, cache):
    hashes = {name: sha256_of(DATA / "nstdb" / name) for name in ("bw.hea", "bw.dat")}
    folder = fetch(server, cache, records=["bw"], database="nstdb", sha256=hashes)
    assert "SHA256SUMS.txt" not in server.requests
    assert load_nstdb_noise("bw", folder).shape == (650000, 2)
    wrong = dict(hashes, **{"bw.dat": "f" * 64})
    (folder / "bw.dat").unlink()
    with pytest.raises(OSError, match="SHA-256 mismatch"):
        fetch(server, cache, records=["bw"], database="nstdb", sha256=wrong)
    assert not (folder / "bw.dat").exists() and leftovers(folder) == []


def test_corrupt_cache_file_is_replaced(server, cache):
    folder = fetch(server, cache)
    (folder / "100.dat").write_bytes(b"garbage")
    with pytest.raises(OSError, match="corrupt.*download_if_missing is False"):
        fetch(server, cache, download_if_missing=False)
    fetch(server, cache)
    assert sha256_of(folder / "100.dat") == sha256_of(DATA / "mitdb" / "100.dat")


def test_interrupted_download_leaves_nothing(server, cache, monkeypatch):
    folder = fetch(server, cache)
    (folder / "100.dat").unlink()

    import requests

    class Interrupting:
        headers = {"Content-Length": "1000000"}

        def raise_for_status(self):
            pass

        def iter_content(self, chunk_size):
            yield b"x" * chunk_size
            yield b"x" * chunk_size
            raise KeyboardInterrupt

        def close(self):
            pass

    monkeypatch.setattr(requests, "get", lambda url, **kwargs: Interrupting())
    with pytest.raises(KeyboardInterrupt):
        fetch(server, cache)
    assert not (folder / "100.dat").exists()
    assert leftovers(folder) == []


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"records": ["../100"]}, ValueError, "plain name"),
        ({"records": []}, ValueError, "empty"),
        ({"database": "mit db"}, ValueError, "database"),
        ({"base_url": "ftp://127.0.0.1/"}, ValueError, "http"),
        ({"sha256": {"100.hea": "abc"}}, ValueError, "64 hexadecimal"),
        ({"sha256": ["abc"]}, TypeError, "dict"),
        ({"n_retries": -1}, ValueError, "n_retries"),
        # None failed with "'NoneType' object is not iterable"; b"100" was read
        # as the records "49", "48" and "48".
        ({"records": None}, TypeError, "records must be a record name"),
        ({"records": b"100"}, TypeError, "records must be a record name"),
        ({"records": 100.0}, TypeError, "records must be a record name"),
        # "no" was read as true: the files were downloaded, or the .atr fetched
        ({"download_if_missing": "no"}, TypeError, "download_if_missing must be"),
        ({"annotations": "no"}, TypeError, "annotations must be True or False"),
    ],
)
def test_bad_arguments(cache, kwargs, error, match):
    options = {"records": ["100"], "data_home": cache, **kwargs}
    records = options.pop("records")
    with pytest.raises(error, match=match):
        fetch_physionet(records, **options)


def test_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SKDENOISE_DATA", str(tmp_path / "from_env"))
    assert get_data_home() == tmp_path / "from_env"
    assert (tmp_path / "from_env").is_dir()
    assert get_data_home(tmp_path / "given") == tmp_path / "given"


def test_progress_bar_only_when_verbose(server, cache, capsys):
    fetch(server, cache)
    assert capsys.readouterr() == ("", "")  # verbose=0 prints nothing
    (cache / "physionet" / "mitdb" / "100.dat").unlink()
    fetch(server, cache, verbose=1)
    out, err = capsys.readouterr()
    assert out == "" and "100%" in err
    with pytest.raises(TypeError, match="verbose"):
        fetch(server, cache, verbose="loud")


def test_missing_pooch_names_the_extra(server, cache, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pooch", None)
    with pytest.raises(ImportError, match=r'pip install "skdenoise\[data\]"'):
        fetch(server, cache)


def test_a_verified_cache_needs_no_pooch_offline(server, cache, monkeypatch):
    # Checking the cached files' hashes went through pooch: a complete cache
    # used offline asked for a package to download with.
    import sys

    folder = fetch(server, cache)
    server.stop()
    monkeypatch.setitem(sys.modules, "pooch", None)
    assert fetch(server, cache, download_if_missing=False) == folder
    with open(folder / "100.dat", "r+b") as file:
        file.write(b"\x00\x00")
    with pytest.raises(OSError, match="corrupt .* download_if_missing is False"):
        fetch(server, cache, download_if_missing=False)


def test_a_failed_refresh_of_the_hash_list_keeps_the_cache_usable(server, cache):
    folder = fetch(server, cache)
    sums = (folder / "SHA256SUMS.txt").read_bytes()
    server.stop()
    # A record the cached list does not know asks for the list anew; the server
    # is gone, so that fails, naming the record.
    with pytest.raises(OSError, match="'999.hea' is not in the cached list of hashes"):
        fetch_physionet(
            ["100", "999"],
            "mitdb",
            data_home=cache,
            base_url=server.url,
            timeout=1.0,
            n_retries=0,
            delay=0.0,
        )
    assert (folder / "SHA256SUMS.txt").read_bytes() == sums
    assert leftovers(folder) == []
    again = fetch_physionet(
        ["100"], "mitdb", data_home=cache, download_if_missing=False
    )
    assert again == folder


def test_a_hash_list_cut_short_is_not_kept(server, cache):
    # Without a Content-Length nothing told the cut list from a whole one: half
    # of it stayed in the cache.
    server.faults["SHA256SUMS.txt"] = "cut-without-length"
    with pytest.raises(OSError, match="cut short or malformed"):
        fetch(server, cache)
    folder = cache / "physionet" / "mitdb"
    assert not (folder / "SHA256SUMS.txt").exists()
    assert leftovers(folder) == []


def test_a_base_url_without_a_host_is_refused_at_once(cache):
    with pytest.raises(ValueError, match="with a host"):
        fetch_physionet("100", data_home=cache, base_url="http://")


def test_another_version_gets_its_own_files(server, cache):
    # Version 2.0.0 on the server: another 100.dat, and the list of its hashes.
    v1 = server.root / "mitdb" / "1.0.0"
    v2 = server.root / "mitdb" / "2.0.0"
    v2.mkdir()
    shutil.copyfile(v1 / "100.hea", v2 / "100.hea")
    data = bytearray((v1 / "100.dat").read_bytes())
    data[:6] = bytes(6)
    (v2 / "100.dat").write_bytes(bytes(data))
    (v2 / "SHA256SUMS.txt").write_text(
        "".join(f"{sha256_of(v2 / name)} {name}\n" for name in ("100.hea", "100.dat"))
    )
    folder = fetch(server, cache)
    assert sha256_of(folder / "100.dat") == sha256_of(v1 / "100.dat")
    # The cached list was 1.0.0's: 2.0.0's files passed its check before.
    with pytest.raises(OSError, match="version 1.0.0 .* version 2.0.0 was asked"):
        fetch(server, cache, version="2.0.0", download_if_missing=False)
    assert fetch(server, cache, version="2.0.0") == folder
    assert sha256_of(folder / "100.dat") == sha256_of(v2 / "100.dat")
    fetch(server, cache, version="1.0.0")
    assert sha256_of(folder / "100.dat") == sha256_of(v1 / "100.dat")
    assert leftovers(folder) == []
    # Interrupted as the new list replaces the old one: the old list stays,
    # with its own version (a separate note of the version could be left
    # naming the other list).
    import skdenoise.datasets._fetch as fetch_module

    def interrupted(source, target):
        raise KeyboardInterrupt

    real_replace = fetch_module.os.replace
    fetch_module.os.replace = interrupted
    try:
        with pytest.raises(KeyboardInterrupt):
            fetch(server, cache, version="2.0.0")
    finally:
        fetch_module.os.replace = real_replace
    fetch(server, cache, version="1.0.0", download_if_missing=False)
    # A list cached before its version was kept is taken as the one asked for.
    sums = folder / "SHA256SUMS.txt"
    sums.write_text("".join(sums.read_text().splitlines(keepends=True)[1:]))
    n_requests = len(server.requests)
    fetch(server, cache, version="2.0.0", download_if_missing=False)
    assert len(server.requests) == n_requests


def test_an_emptied_hash_list_is_fetched_anew(server, cache):
    # An empty (or garbled) cached list stopped every later call, even with the
    # download allowed ("lists no SHA-256 hashes"), and said nothing of how out.
    folder = fetch(server, cache)
    (folder / "SHA256SUMS.txt").write_text("")
    (folder / "100.dat").unlink()
    assert fetch(server, cache) == folder
    assert (folder / "SHA256SUMS.txt").read_text().strip()
    (folder / "SHA256SUMS.txt").write_text("")
    with pytest.raises(OSError, match="delete it"):
        fetch(server, cache, download_if_missing=False)


def test_a_data_home_that_cannot_be_a_folder_is_named(tmp_path):
    # A bare FileExistsError, and pooch's temporary file named for a folder
    # that cannot be written.
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(OSError, match=r"cannot use .*afile as the data folder"):
        get_data_home(afile)


def test_an_empty_data_home_is_refused(tmp_path, monkeypatch):
    # Path("") is the working folder: downloads landed wherever the script ran.
    monkeypatch.chdir(tmp_path)
    for empty in ("", "  "):
        with pytest.raises(ValueError, match="data_home is an empty path"):
            get_data_home(empty)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unset in ("", "  "):  # an empty or blank variable means unset
        monkeypatch.setenv("SKDENOISE_DATA", unset)
        assert get_data_home() == tmp_path / "home" / "skdenoise_data"


def test_annotations_of_a_record_without_them_are_named_as_such(server, cache):
    # "lists no SHA-256 hash for 'bw.atr'; is the record name right?" blamed
    # a right name: NSTDB's noise recordings have no annotation file.
    with pytest.raises(
        OSError, match=r"'bw' has no annotation file \(pass annotations"
    ):
        fetch(server, cache, records=["bw"], database="nstdb", annotations=True)


def test_a_variable_layout_record_is_fetched_whole(server, cache):
    # Its layout header (no samples, every signal file "~") names no file of
    # its own; the fetch failed on it after downloading every segment.
    import wfdb

    target = server.root / "vardb" / "1.0.0"
    target.mkdir(parents=True)
    (target / "v.hea").write_text("v/3 1 360 200\nv_layout 0\nv_1 100\nv_2 100\n")
    (target / "v_layout.hea").write_text("v_layout 1 360 0\n~ 0 200/mV 16 0 0 0 0 II\n")
    for name in ("v_1", "v_2"):
        wfdb.wrsamp(
            name,
            fs=360,
            units=["mV"],
            sig_name=["II"],
            d_signal=np.arange(100, dtype=np.int64)[:, None],
            fmt=["16"],
            adc_gain=[200.0],
            baseline=[0],
            write_dir=str(target),
        )
    files = sorted(p.name for p in target.iterdir())
    (target / "SHA256SUMS.txt").write_text(
        "".join(f"{sha256_of(target / name)} {name}\n" for name in files)
    )
    folder = fetch(server, cache, records=("v",), database="vardb")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*files, "SHA256SUMS.txt"]
    )
    # Read as a whole it is refused (its layout may vary), segment by segment not.
    with pytest.raises(ValueError, match="segments one by one"):
        read_wfdb(folder / "v")
    assert read_wfdb(folder / "v_2").signal.shape == (100, 1)


def test_fetches_into_one_cache_at_once_all_succeed(server, cache):
    # Calls fetching at once (processes of a cluster job, threads) shared one
    # temporary name for the list of hashes: they removed, rewrote and moved
    # each other's, and failed, or left a list without its version line.
    from concurrent.futures import ThreadPoolExecutor

    server.faults["SHA256SUMS.txt"] = "slow"
    for round_ in range(2):
        home = cache / str(round_)
        with ThreadPoolExecutor(4) as pool:
            folders = list(
                pool.map(lambda h: fetch(server, h, annotations=True), [home] * 4)
            )
        assert len(set(folders)) == 1
        folder = folders[0]
        for name in ("100.hea", "100.dat", "100.atr"):
            assert sha256_of(folder / name) == sha256_of(DATA / "mitdb" / name)
        assert leftovers(folder) == []
        first = (folder / "SHA256SUMS.txt").read_text().splitlines()[0]
        assert "1.0.0" in first
