"""Shared pieces of the benchmarks' written reports."""


def preamble(title, command):
    """The opening lines of a results README: its title and the command behind it.

    Parameters
    ----------
    title : str
        The Markdown title line, with its ``#``.
    command : str
        The command line that produced the results (several lines allowed).

    Returns
    -------
    list of str
        Lines to join with newlines; the report's text follows them.
    """
    return [title, "", "Produced by:", "", "```", command, "```", ""]


def load_average():
    """The 1, 5 and 15 minute load averages; NaN where the system has none.

    ``os.getloadavg`` exists on Unix only: on Windows a report says ``nan``
    instead of failing after the measurements.
    """
    import os

    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return (float("nan"),) * 3
