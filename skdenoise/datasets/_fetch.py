"""Download PhysioNet records into a local cache, verified by SHA-256.

The downloads are ``pooch``'s (the ``data`` extra): a file goes to a temporary
file in the cache folder and is moved into place only once complete and its
hash checked.
"""

import contextlib
import errno
import math
import numbers
import os
import re
import secrets
import time
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .._files import file_sha256
from ._wfdb import _signal_file_names

__all__ = ["fetch_physionet", "get_data_home"]

_DEFAULT_BASE_URL = "https://physionet.org/files"
_SUMS_FILE = "SHA256SUMS.txt"
# The first line of a cached list of hashes: the database version they are of,
# written into the list before it replaces the old one (a list cached before
# the line was written has none, and is taken as it is).
_VERSION_LINE = "# skdenoise: the SHA-256 hashes of version {}\n"
_VERSION_RE = re.compile(r"# skdenoise: the SHA-256 hashes of version (\S+)")
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_HEX_RE = re.compile(r"^[0-9a-fA-F]{64}$")


class _TransientError(Exception):
    """A download failure worth retrying (network trouble, HTTP 5xx)."""


def _pooch():
    try:
        import pooch
    except ImportError:
        raise ImportError(
            "Downloading PhysioNet records needs the pooch package: "
            'pip install "skdenoise[data]"'
        ) from None
    return pooch


def get_data_home(data_home=None):
    """Return the folder where downloaded data is cached, creating it if needed.

    Parameters
    ----------
    data_home : str, path-like or None, default=None
        The folder. None uses the environment variable ``SKDENOISE_DATA`` when
        set, and ``~/skdenoise_data`` otherwise.

    Returns
    -------
    data_home : pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> from skdenoise.datasets import get_data_home
    >>> folder = tempfile.mkdtemp()
    >>> get_data_home(folder).is_dir()
    True
    """
    if data_home is None:
        # An empty (or blank) variable counts as unset.
        value = os.environ.get("SKDENOISE_DATA", "")
        data_home = value if value.strip() else Path("~") / "skdenoise_data"
    if not isinstance(data_home, (str, os.PathLike)):
        raise TypeError(f"data_home must be a path or None; got {data_home!r}.")
    if not str(data_home).strip():
        # Path("") is the working folder: downloads would land wherever the
        # script runs (an unset variable in "--data-home $DIR", for example).
        raise ValueError(
            f"data_home is an empty path ({data_home!r}); pass a folder, or None "
            "for the default (SKDENOISE_DATA or ~/skdenoise_data)."
        )
    path = Path(data_home).expanduser()
    _make_folder(path, "cannot use {} as the data folder")
    return path


def _make_folder(path, what):
    """``path.mkdir(parents=True)``, an error naming ``what`` (with ``{}``) if not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(
            f"{what.format(path)}: {exc.strerror or exc}. Pass another data_home, "
            "or set SKDENOISE_DATA."
        ) from None


def _check_name(value, what):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _NAME_RE.match(value) or ".." in value:
        raise ValueError(
            f"{what} must be a plain name (letters, digits, '_', '-', '.'); got "
            f"{value!r}."
        )
    return value


def _parse_sums(text, source):
    sums = {}
    for line in text.splitlines():
        parts = line.strip().split(maxsplit=1)
        if len(parts) != 2 or not _HEX_RE.match(parts[0]):
            continue
        sums[parts[1].strip().lstrip("*")] = parts[0].lower()
    if not sums:
        raise OSError(f"{source} lists no SHA-256 hashes.")
    return sums


def _check_seconds(value, name, *, allow_zero):
    """A finite number of seconds, positive (or non-negative with allow_zero)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number of seconds; got {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"{name} must be a finite number {bound} seconds; got {value!r}."
        )
    return value


@contextlib.contextmanager
def _quiet_pooch(pooch):
    """Keep pooch's informational log lines off the console."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        yield
    finally:
        logger.setLevel(level)


def _download_once(url, path, expected, timeout, verbose, header=None):
    """Download ``url`` to ``path`` (atomically, hash-checked) with pooch.

    ``header``: a line put before an unchecked file's text (the list of
    hashes) before it replaces ``path``.
    """
    import requests

    pooch = _pooch()
    downloader = pooch.HTTPDownloader(progressbar=verbose > 0, timeout=timeout)
    target = path
    if expected is None:
        # pooch keeps a file it cannot check, so an unchecked file (the list
        # of hashes) is fetched anew under another name and replaces the old
        # one only once it has arrived: a failed refresh keeps the cache whole.
        # A name of this call's own: processes fetching into one cache at once
        # took, rewrote and moved each other's.
        target = path.with_name(
            f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new"
        )
    try:
        with _quiet_pooch(pooch):
            pooch.retrieve(
                url,
                known_hash=None if expected is None else f"sha256:{expected}",
                fname=target.name,
                path=path.parent,
                downloader=downloader,
            )
        if target != path:
            _check_hash_list(target, url)
            if header is not None:
                target.write_bytes(header.encode("utf-8") + target.read_bytes())
            os.replace(target, path)
    except requests.exceptions.HTTPError as exc:
        code, reason = exc.response.status_code, exc.response.reason
        message = f"HTTP error {code} ({reason}) downloading {url}"
        if code >= 500:
            raise _TransientError(message) from exc
        raise OSError(message) from exc
    except requests.exceptions.RequestException as exc:
        raise _TransientError(
            f"Connection failed or dropped while downloading {url}: {exc}"
        ) from exc
    except ValueError as exc:  # pooch's hash mismatch
        raise OSError(
            f"SHA-256 mismatch for {url}: {exc} The download is corrupt and was "
            f"discarded (nothing was written to {path})."
        ) from exc
    except PermissionError as exc:
        raise OSError(
            f"cannot write to the cache folder {path.parent} "
            f"({exc.strerror or 'permission denied'}): pass a data_home you can "
            "write to, or set SKDENOISE_DATA."
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
        raise OSError(
            f"cannot write to the cache folder {path.parent} ({exc.strerror}): "
            "pass a data_home you can write to, or set SKDENOISE_DATA."
        ) from None
    finally:
        if target != path:  # a file of this call's that did not replace path
            with contextlib.suppress(OSError):
                os.unlink(target)


def _check_hash_list(path, url):
    """Refuse a list of hashes cut short (a body without a length, cut midway).

    Every line must end in a newline and name a SHA-256 hash and a file; the
    list is discarded otherwise, so that the cache never holds half of one.
    """
    data = path.read_bytes()
    lines = data.decode("utf-8", errors="replace").split("\n")
    complete = data.endswith(b"\n") and all(
        len(parts) == 2 and _HEX_RE.match(parts[0])
        for parts in (line.strip().split(maxsplit=1) for line in lines if line.strip())
    )
    if not complete:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise _TransientError(
            f"The list of hashes from {url} arrived cut short or malformed; it "
            "was discarded."
        )


def _download(url, path, expected, *, timeout, n_retries, delay, verbose, header=None):
    for attempt in range(n_retries + 1):
        try:
            _download_once(url, path, expected, timeout, verbose, header)
            return
        except _TransientError as exc:
            if attempt == n_retries:
                raise OSError(
                    f"{str(exc).rstrip('.')} (gave up after {n_retries + 1} "
                    "attempt(s))."
                ) from exc.__cause__
            time.sleep(delay)


class _Fetcher:
    """Verified download of the files of one database into one folder."""

    def __init__(self, folder, url, version, sha256, download, options):
        self.folder = folder
        self.url = url
        self.version = version
        self.given = sha256
        self.download = download
        self.options = options
        self._sums = None
        self._sums_fresh = False

    def _load_sums(self, refresh):
        path = self.folder / _SUMS_FILE
        cached = None
        if path.is_file():
            with open(path, encoding="utf-8", errors="replace") as file:
                found = _VERSION_RE.fullmatch(file.readline().strip())
            cached = found.group(1) if found else None
        # A list of another version's hashes would pass that version's files.
        other_version = cached is not None and cached != self.version
        if refresh or not path.is_file() or other_version:
            if not self.download:
                if other_version:
                    raise OSError(
                        f"{path} holds the SHA-256 hashes of version {cached} of "
                        f"the database and version {self.version} was asked for; "
                        "download_if_missing is False, so its files cannot be "
                        "fetched. Ask for version "
                        f"{cached!r}, or allow the download."
                    )
                raise OSError(
                    f"{path} is missing (it holds the SHA-256 hashes of the files) "
                    "and download_if_missing is False."
                )
            # The version goes into the list itself: one file replaced at
            # once, so that an interruption cannot pair a list with another
            # version's name.
            _download(
                self.url + _SUMS_FILE,
                path,
                None,
                header=_VERSION_LINE.format(self.version),
                **self.options,
            )
            self._sums_fresh = True
        try:
            self._sums = _parse_sums(path.read_text(encoding="utf-8"), path)
        except (OSError, UnicodeDecodeError) as exc:
            # A cached list emptied or garbled: fetched anew when allowed.
            if self.download and not refresh:
                return self._load_sums(refresh=True)
            raise OSError(
                f"{path} cannot be read as a list of SHA-256 hashes ({exc}); "
                "delete it, and allow the download to fetch it anew."
            ) from None

    def expected(self, name):
        if self.given is not None:
            if name not in self.given:
                raise ValueError(f"sha256 has no hash for {name!r}.")
            return self.given[name]
        if self._sums is None:
            self._load_sums(refresh=False)
        if name not in self._sums and not self._sums_fresh and self.download:
            try:
                self._load_sums(refresh=True)
            except OSError as exc:
                raise OSError(
                    f"{name!r} is not in the cached list of hashes "
                    f"({self.folder / _SUMS_FILE}), and fetching that list anew "
                    f"failed: {exc} Is the record name right?"
                ) from exc
        if name not in self._sums:
            what = "is the record name right?"
            if name.endswith(".atr") and name[:-4] + ".hea" in self._sums:
                # The record is there; it has no annotation file (NSTDB's
                # noise recordings bw, em and ma, say).
                what = (
                    f"the record {name[:-4]!r} has no annotation file (pass "
                    "annotations=False)."
                )
            raise OSError(
                f"{self.url + _SUMS_FILE} lists no SHA-256 hash for {name!r}; {what}"
            )
        return self._sums[name]

    def ensure(self, name):
        path = self.folder / name
        expected = self.expected(name)
        if path.is_file() and file_sha256(path) == expected:
            return path
        if not self.download:
            state = (
                "corrupt (its SHA-256 does not match)" if path.exists() else "missing"
            )
            raise OSError(f"{path} is {state} and download_if_missing is False.")
        _download(self.url + name, path, expected, **self.options)
        return path


def _check_sha256(sha256):
    if sha256 is None:
        return None
    if not isinstance(sha256, dict):
        raise TypeError(
            f"sha256 must be None or a dict {{file name: hex digest}}; got {sha256!r}."
        )
    for name, digest in sha256.items():
        if not isinstance(digest, str) or not _HEX_RE.match(digest):
            raise ValueError(
                f"sha256[{name!r}] must be 64 hexadecimal digits; got {digest!r}."
            )
    return {name: digest.lower() for name, digest in sha256.items()}


def fetch_physionet(
    records,
    database="mitdb",
    data_home=None,
    *,
    version="1.0.0",
    base_url=_DEFAULT_BASE_URL,
    annotations=False,
    sha256=None,
    download_if_missing=True,
    timeout=60.0,
    n_retries=3,
    delay=1.0,
    verbose=0,
):
    """Download PhysioNet WFDB records into a local cache and return its folder.

    For each record the header ``<record>.hea`` is fetched first, then the
    signal files it names (``<record>.dat`` for MITDB and NSTDB) and, if asked,
    the annotations ``<record>.atr``, from
    ``<base_url>/<database>/<version>/<file>``. Every file is checked against
    its SHA-256 hash, taken from ``sha256`` or from the database's
    ``SHA256SUMS.txt`` (downloaded once per version and cached, with the
    version it belongs to in a first line of its own). Files already in the
    cache with the right hash are not downloaded again: with all files present
    no network access happens. The versions of a database share one folder:
    asking for another version than the cached list's fetches that version's
    list, and then each file whose hash differs (a list cached without its
    version is taken as the one asked for). A download goes to a temporary
    file in the cache folder and is moved into place only once complete and
    verified; on any error (HTTP error, dropped connection, hash mismatch,
    interruption) the temporary file is deleted, so the cache never holds a
    partial or corrupt file. The downloads are made by ``pooch`` (the ``data`` extra).

    Parameters
    ----------
    records : str, int or list of str or int
        Record names, for example ``["100", "101"]`` or ``["bw", "em", "ma"]``.
    database : str, default="mitdb"
        PhysioNet database slug, for example ``"mitdb"`` or ``"nstdb"``.
    data_home : str, path-like or None, default=None
        Cache root; see :func:`get_data_home`. Files go to
        ``<data_home>/physionet/<database>/``.
    version : str, default="1.0.0"
        Database version on PhysioNet.
    base_url : str, default="https://physionet.org/files"
        Server root (http or https).
    annotations : bool, default=False
        Also fetch ``<record>.atr`` (the NSTDB noise records have none).
    sha256 : dict or None, default=None
        ``{file name: hex digest}`` for every file to fetch; None uses the
        server's ``SHA256SUMS.txt``.
    download_if_missing : bool, default=True
        If False, raise an error instead of downloading a missing or corrupt
        file.
    timeout : float, default=60.0
        Socket timeout in seconds.
    n_retries : int, default=3
        Retries after a network failure or an HTTP 5xx error (not after an
        HTTP 4xx error or a hash mismatch).
    delay : float, default=1.0
        Seconds between retries.
    verbose : int, default=0
        If positive, show a progress bar (``tqdm``, on standard error) for
        each file downloaded; 0 prints nothing.

    Returns
    -------
    folder : pathlib.Path
        ``<data_home>/physionet/<database>``, usable as ``data_dir`` of
        :func:`load_mitdb_record`, :func:`load_nstdb_noise` and
        :func:`read_wfdb` (``folder / "100"``).

    Raises
    ------
    ImportError
        If a download is needed and ``pooch`` is not installed.
    OSError
        Naming the URL or file, on an HTTP error, a dropped connection, a hash
        mismatch, or a missing file with ``download_if_missing=False``.

    Examples
    --------
    >>> import tempfile
    >>> from skdenoise.datasets import fetch_physionet
    >>> fetch_physionet(["100"], data_home=tempfile.mkdtemp(),
    ...                 download_if_missing=False)
    Traceback (most recent call last):
    ...
    OSError: .../SHA256SUMS.txt is missing ... and download_if_missing is False.
    """
    if isinstance(records, (str, numbers.Integral)):
        records = [records]
    elif isinstance(records, (bytes, bytearray)) or not isinstance(records, Iterable):
        raise TypeError(
            f"records must be a record name (str or int) or a list of them; got "
            f"{records!r}."
        )
    records = [_check_name(record, "record") for record in records]
    if not records:
        raise ValueError("records is empty; name at least one record.")
    database = _check_name(database, "database")
    version = _check_name(version, "version")
    parts = urllib.parse.urlsplit(str(base_url))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"base_url must be an http(s) URL with a host; got {base_url!r}."
        )
    if isinstance(n_retries, bool) or not isinstance(n_retries, numbers.Integral):
        raise TypeError(f"n_retries must be an integer; got {n_retries!r}.")
    if n_retries < 0:
        raise ValueError(f"n_retries must be >= 0; got {n_retries!r}.")
    timeout = _check_seconds(timeout, "timeout", allow_zero=False)
    delay = _check_seconds(delay, "delay", allow_zero=True)
    if isinstance(verbose, bool) or not isinstance(verbose, numbers.Integral):
        raise TypeError(f"verbose must be an integer; got {verbose!r}.")
    for name, value in (
        ("annotations", annotations),
        ("download_if_missing", download_if_missing),
    ):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False; got {value!r}.")
    folder = get_data_home(data_home) / "physionet" / database
    _make_folder(folder, "cannot make the cache folder {}")
    url = f"{str(base_url).rstrip('/')}/{database}/{version}/"
    fetcher = _Fetcher(
        folder,
        url,
        version,
        _check_sha256(sha256),
        download_if_missing,
        {
            "timeout": timeout,
            "n_retries": int(n_retries),
            "delay": delay,
            "verbose": verbose,
        },
    )
    for record in records:
        headers = [f"{record}.hea"]
        while headers:  # a multi-segment record names its segments' headers
            name = headers.pop()
            header_path = fetcher.ensure(name)
            segment = name != f"{record}.hea"
            for name in _signal_file_names(header_path, segment=segment):
                name = _check_name(name, f"signal file in {header_path}")
                if name.endswith(".hea"):
                    headers.append(name)
                else:
                    fetcher.ensure(name)
        if annotations:
            fetcher.ensure(f"{record}.atr")
    return folder
