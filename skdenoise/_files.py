"""Writing files whole or not at all."""

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write"]


@contextlib.contextmanager
def atomic_write(path):
    """Yield a binary file in ``path``'s folder, renamed to ``path`` on success.

    A reader never sees a half-written file, and a failure leaves any existing
    file at ``path`` as it was.
    """
    path = Path(os.fspath(path))
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
