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
