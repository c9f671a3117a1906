"""Exit statuses and the two kinds of failure of the command line."""

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class _UsageError(Exception):
    """A problem with the command line or the files it names (exit status 2)."""


class _CommandError(Exception):
    """A failure while reading, training or denoising (exit status 1)."""


def _os_error(exc):
    """An OSError in a few words (its strerror, not its repr)."""
    return exc.strerror or str(exc)
