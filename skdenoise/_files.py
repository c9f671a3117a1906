"""Writing files whole or not at all."""

import contextlib
import errno
import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "replace_file", "replace_files"]


def _umask():
    """The process's umask (reading it means setting it; it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _destination(path):
    """The file that writing ``path`` replaces, and the permissions it gets.

    As ``open(path, "wb")``: a symbolic link is followed (the file it points
    to is written, the link kept), a file replaced keeps its permissions, and
    a new file gets ``0o666`` less the umask (not the private ``0o600`` of a
    temporary file).
    """
    path = Path(os.fspath(path))
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.is_dir():
        # A rename over an empty folder succeeds on some systems; open()
        # refuses, and the files written with it must not be half moved.
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    else:
        if path.is_file() and not os.access(path, os.W_OK):
            # A rename needs only the folder's permission: a file made
            # read-only to protect it would be replaced where open() refuses.
            raise PermissionError(
                errno.EACCES, "Permission denied (the file is read-only)", str(path)
            )
    return path, mode


@contextlib.contextmanager
def atomic_write(path):
    """Yield a binary file in ``path``'s folder, renamed to ``path`` on success.

    A reader never sees a half-written file, and a failure leaves any existing
    file at ``path`` as it was. Otherwise as a plain ``open(path, "wb")``: a
    new file gets ``0o666`` less the umask (not the private ``0o600`` of a
    temporary file), a file replaced keeps its permissions, and a symbolic
    link is written through (the file it points to is replaced, the link
    kept).
    """
    path, mode = _destination(path)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        # Not the temporary file's name, which the caller never gave.
        raise type(exc)(
            exc.errno,
            f"cannot write a file in the folder {path.parent} ({exc.strerror})",
            str(path),
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def replace_file(source, path):
    """Move the finished file ``source`` to ``path`` as :func:`atomic_write` would.

    For files written whole elsewhere first (a staging folder beside
    ``path``): ``path``'s permissions and symbolic link are kept as by
    ``open(path, "wb")``; where the link leads to another file system, the
    file is copied there first.
    """
    path, mode = _destination(path)
    os.chmod(source, mode)
    try:
        os.replace(source, path)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        with atomic_write(path) as handle, open(source, "rb") as staged:
            shutil.copyfileobj(staged, handle)
        os.unlink(source)


def replace_files(moves):
    """:func:`replace_file` each ``(source, path)`` of ``moves``, in order.

    An interrupt (Ctrl-C) waits until every file is in place and is raised
    then: a WFDB record's header and signal file, written together, are
    never left half old and half new. An ``OSError`` stops at once; its
    ``target`` attribute is the path that could not be written.
    """
    seen = {}
    for _, path in moves:
        try:
            # Every destination checked first: a read-only header refused
            # after its signal file had been replaced left a mixed record.
            real, _ = _destination(path)
        except OSError as exc:
            exc.target = path
            raise
        real = os.path.realpath(real)
        if real in seen:
            # Two names of one file (a link): the second move would replace
            # the first file written.
            raise ValueError(
                f"{os.fspath(path)} and {os.fspath(seen[real])} are the same "
                "file; each output needs a file of its own."
            )
        seen[real] = path
    interrupted = None
    # The folders held while the files move: two processes writing one record
    # at once (two commands with --overwrite) each left some of its files.
    with _folders_locked(os.path.dirname(real) for real in seen):
        for source, path in moves:
            while True:
                try:
                    replace_file(source, path)
                    break
                except OSError as exc:
                    exc.target = path
                    raise
                except KeyboardInterrupt as exc:
                    interrupted = exc
                    if not os.path.lexists(source):
                        break  # moved before the interrupt landed
    if interrupted is not None:
        raise interrupted


@contextlib.contextmanager
def _folders_locked(folders):
    """Hold an exclusive lock for each of ``folders`` (where POSIX has flock).

    Each folder's lock is a file of this user's in the temporary folder,
    named by the folder's device and inode: not the folder itself (a user's
    ``flock OUTDIR command`` held it, and the command waited for good), and
    one lock for one folder under two names (a bind mount). Taken in sorted
    order (two callers cannot wait on each other), given back on exit and
    removed by their holder (they do not pile up); a folder whose lock cannot
    be had is left unlocked. Best effort: processes
    of other users, or with another temporary folder (``TMPDIR``), do not
    share these locks.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    keys = set()
    for folder in folders:
        try:
            info = os.stat(folder or ".")
        except OSError:
            continue
        keys.add((info.st_dev, info.st_ino))
    locks = _lock_folder() if keys else None
    held = []
    try:
        for device, inode in sorted(keys) if locks is not None else ():
            lock = _lock_file(fcntl, os.path.join(locks, f"{device}-{inode}.lock"))
            if lock is not None:
                held.append(lock)
        yield
    finally:
        for path, handle in reversed(held):
            # Removed while still held, so that the lock files do not pile up
            # in the temporary folder; a process that opened the file before
            # this and waits on it finds, once it has the lock, that its file
            # is no longer the one at the path, and takes the new one.
            with contextlib.suppress(OSError):
                os.unlink(path)
            os.close(handle)  # which gives the lock back


def _lock_file(fcntl, path):
    """Hold the exclusive lock of the file ``path``: ``(path, handle)``.

    None where it cannot be had. Its holder removes the file on release:
    the lock taken is the one of the file that is at ``path`` once held.
    """
    while True:
        try:
            handle = os.open(
                path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600
            )
        except OSError:
            return None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            held, current = os.fstat(handle), os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            os.close(handle)  # removed by the holder it waited for: again
            continue
        except OSError:
            os.close(handle)
            return None
        except BaseException:  # an interrupt while waiting: not left open
            os.close(handle)
            raise
        if (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino):
            return path, handle
        os.close(handle)  # replaced by another waiter's file: take that one


def _lock_folder():
    """The user's folder of lock files in the temporary folder (None if unsafe).

    Made private to the user; refused if it is a link or another user's.
    """
    uid = os.getuid() if hasattr(os, "getuid") else 0
    try:
        # No usable temporary folder (a read-only root), or only the working
        # folder, Python's last resort (a user's output folder, say): no lock.
        temporary = tempfile.gettempdir()
        if os.path.realpath(temporary) == os.path.realpath(os.getcwd()):
            return None
    except OSError:
        return None
    path = os.path.join(temporary, f"skdenoise-locks-{uid}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or info.st_mode & 0o077:
        return None  # another user could hold its locks
    return path


def file_sha256(path):
    """The SHA-256 of the file ``path``, in hexadecimal (read 1 MiB at a time)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
