"""The ``skdenoise`` command line: demo, train, denoise, export and benchmark.

Run ``skdenoise --help`` or ``skdenoise COMMAND --help``. :func:`main` is the
entry point (``python -m skdenoise`` calls it too); it returns the exit status:
0 on success, 1 when reading, training or denoising fails, 2 for a usage error
(a bad option, a missing input file, an unknown file format, an output that
exists). TensorFlow is imported only by the commands that train or run a
network.
"""

import argparse
import contextlib
import importlib.util
import sys
from pathlib import Path

from ._commands import MODELS  # noqa: F401  (the networks offered)
from ._errors import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    _CommandError,
    _os_error,
    _UsageError,
)
from ._parser import _build_parser

__all__ = ["main"]


def _benchmark_script():
    return Path(__file__).resolve().parents[2] / "benchmarks" / "ecg.py"


def _cmd_benchmark(argv):
    script = _benchmark_script()
    if not script.is_file():
        print(
            "skdenoise benchmark: the ECG benchmark (benchmarks/ecg.py) ships with "
            "the source repository, not with the installed package; run it from a "
            "checkout of the repository.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    spec = importlib.util.spec_from_file_location("skdenoise_benchmark_ecg", script)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(script.parent))  # the script imports its sibling modules
    try:
        spec.loader.exec_module(module)
        module.PROG = "skdenoise benchmark"
        result = module.main(list(argv))
    except SystemExit as exc:
        if exc.code is None:
            return EXIT_OK
        if isinstance(exc.code, int):
            return exc.code
        # The script's own message (``SystemExit("...: error: ...")``), and
        # its status where it gives one (2 for a missing record or folder).
        print(exc.code, file=sys.stderr)
        return getattr(exc, "status", EXIT_FAILURE)
    except ImportError as exc:
        # An optional package the benchmark needs (wfdb, to read the
        # records): one line that says which, as every other command.
        print(f"skdenoise benchmark: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        sys.path.remove(str(script.parent))
        sys.modules.pop(spec.name, None)
    return result if isinstance(result, int) else EXIT_OK


@contextlib.contextmanager
def _printable():
    """Characters that standard output cannot encode printed as escapes.

    On Windows, output redirected to a file or a pipe is encoded in the
    system's code page with ``errors='strict'``: an output path outside the
    code page (a Polish file name on a Western European system) made the
    summary line fail after the files were written, and the command exit
    with a failure. The streams' handlers are put back afterwards.
    """
    changed = []
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) != "strict":
            continue
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):
            continue
        changed.append(stream)
    try:
        yield
    finally:
        for stream in changed:
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="strict")


def main(argv=None):
    """Run the ``skdenoise`` command line; returns the exit status.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments, without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 1 on a failure while reading, training or denoising, 2 on
        a usage error.

    Examples
    --------
    >>> from skdenoise.cli import main
    >>> main(["denoise", "no-such-model.skd", "in.csv", "-o", "out.csv"])
    2
    """
    with _printable():
        return _main(argv)


def _main(argv):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "benchmark":
        return _cmd_benchmark(argv[1:])
    parser = _build_parser()
    try:
        if argv and argv[0] == "denoise":
            # MODEL_PATH is optional (--pretrained), so an option between it
            # and INPUT left INPUT unrecognised; intermixed parsing takes the
            # positionals wherever the options are.
            commands = next(
                action
                for action in parser._actions
                if isinstance(action, argparse._SubParsersAction)
            )
            args = commands.choices["denoise"].parse_intermixed_args(argv[1:])
            args.command = "denoise"
        else:
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return args.handler(args)
    except _UsageError as exc:
        print(f"skdenoise {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except _CommandError as exc:
        print(f"skdenoise {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"skdenoise {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(
            f"skdenoise {args.command}: error: {_os_error(exc)}{where}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - a command line prints no traceback
        print(
            f"skdenoise {args.command}: error: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
