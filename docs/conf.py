"""Sphinx configuration of the skdenoise documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
from the repository root.
"""

import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# TensorFlow's start-up log lines would end up in the build output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")

import skdenoise  # noqa: E402

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
GENERATED = DOCS / "generated"

# -- Project ----------------------------------------------------------------

project = "skdenoise"
author = "skdenoise developers"
copyright = "skdenoise developers, BSD 3-Clause licence"
release = skdenoise.__version__
version = ".".join(release.split(".")[:2])

# -- General ----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "README.md",
    "examples/README.txt",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "**/*.inc",
]
default_role = "literal"
# Markdown pages copied from benchmark output: links to its data files are not
# documents, and its heading levels are its own.
suppress_warnings = ["myst.xref_missing", "myst.header"]

# -- API reference ----------------------------------------------------------

autosummary_generate = True
autodoc_typehints = "none"
# Class pages list their members through the class template, where tuple's
# (for named tuples) are left out.
autodoc_default_options = {"member-order": "groupwise"}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# The public modules, in the order of the reference; public submodules added to
# the package later are appended.
API_MODULES = [
    "skdenoise",
    "skdenoise.noise",
    "skdenoise.augment",
    "skdenoise.datasets",
    "skdenoise.baselines",
    "skdenoise.pipeline",
    "skdenoise.metrics",
    "skdenoise.model_selection",
    "skdenoise.plotting",
    "skdenoise.persistence",
    "skdenoise.networks",
    "skdenoise.exceptions",
]

# -- HTML -------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skdenoise {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc", "sg_download_links"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting_started": [], "generated/benchmarks": []}

# -- Gallery ----------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("skdenoise",),
    "reference_url": {"skdenoise": None},
    "plot_gallery": "True",
    "only_warn_on_example_error": False,
    "abort_on_example_error": False,
    "remove_config_comments": True,
    "min_reported_time": 0,
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "matplotlib_animations": False,
}

# -- Generated pages --------------------------------------------------------


def _public_modules():
    names = list(API_MODULES)
    for name in sorted(getattr(skdenoise, "_SUBMODULES", ())):
        if f"skdenoise.{name}" not in names:
            names.append(f"skdenoise.{name}")
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ImportError:
            continue
    return modules


def _kind(obj):
    if inspect.ismodule(obj):
        return None
    if inspect.isclass(obj):
        return "class"
    if inspect.isroutine(obj):
        return "function"
    return "data"


_KIND_TITLES = {"class": "Classes", "function": "Functions", "data": "Constants"}
_TEMPLATES = {
    "class": "autosummary/class.rst",
    "function": "autosummary/function.rst",
    "data": "autosummary/data.rst",
}


# Object id -> the dotted name of the page that documents it. An object that
# several public modules export (``skdenoise.UNetDenoiser`` and
# ``skdenoise.neural.UNetDenoiser``) is documented once, under the first module
# of the reference, and the later modules link to it.
DOCUMENTED = {}


def _module_page(module):
    name = module.__name__
    groups = {"class": [], "function": [], "data": []}
    elsewhere = []
    for attr in getattr(module, "__all__", ()):
        if attr.startswith("__"):
            continue
        obj = getattr(module, attr)
        kind = _kind(obj)
        if kind is None:
            continue
        if kind in ("class", "function") and id(obj) in DOCUMENTED:
            elsewhere.append((kind, DOCUMENTED[id(obj)]))
            continue
        if kind in ("class", "function"):
            DOCUMENTED[id(obj)] = f"{name}.{attr}"
        groups[kind].append(attr)
    lines = [
        f":mod:`{name}`",
        "=" * (len(name) + 7),
        "",
        f".. automodule:: {name}",
        "   :no-members:",
        "",
        f".. currentmodule:: {name}",
        "",
    ]
    for kind, attrs in groups.items():
        if not attrs:
            continue
        title = _KIND_TITLES[kind]
        lines += [
            title,
            "-" * len(title),
            "",
            ".. autosummary::",
            "   :toctree: ../../gen_modules/",
            f"   :template: {_TEMPLATES[kind]}",
            "",
            *(f"   {attr}" for attr in attrs),
            "",
        ]
    if elsewhere:
        title = "Also available here"
        lines += [title, "-" * len(title), ""]
        role = {"class": "class", "function": "func"}
        lines += [f"- :{role[kind]}:`{target}`" for kind, target in elsewhere]
        lines.append("")
    return "\n".join(lines)


def _write_if_changed(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def write_api_pages():
    """One page per public module, listing its ``__all__`` at build time."""
    api_dir = GENERATED / "api"
    modules = _public_modules()
    wanted = {f"{m.__name__}.rst" for m in modules}
    if api_dir.exists():
        for stale in api_dir.glob("*.rst"):
            if stale.name not in wanted:
                stale.unlink()
    for module in modules:
        _write_if_changed(api_dir / f"{module.__name__}.rst", _module_page(module))
    toc = [".. toctree::", "   :maxdepth: 1", ""]
    toc += [f"   generated/api/{m.__name__}" for m in modules]
    _write_if_changed(GENERATED / "api_modules.inc", "\n".join(toc) + "\n")


_FENCE = re.compile(r"^\s*(```|~~~)")
_IMAGE = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)(\))")


def _demote_headings(text, prefix=None, levels=1):
    """Lower Markdown headings by ``levels``; prefix relative image paths."""
    out, in_fence = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and re.match(r"^#{1,6} ", line):
            hashes, rest = line.split(" ", 1)
            line = "#" * min(6, len(hashes) + levels) + " " + rest
        if prefix and not in_fence:
            line = _IMAGE.sub(
                lambda m: (
                    m.group(1)
                    + (
                        m.group(2)
                        if re.match(r"^[a-z]+:|/", m.group(2))
                        else f"{prefix}/{m.group(2)}"
                    )
                    + m.group(3)
                ),
                line,
            )
        out.append(line)
    return "\n".join(out)


_BENCHMARK_INTRO = """\
# Benchmarks

The benchmarks live in the repository's `benchmarks/` folder and write their
results under `benchmarks/results/`. This page is rebuilt from those files every
time the documentation is built, so it shows the latest run committed to the
repository.
"""

_ECG_HOW_TO = """\
## ECG denoising benchmark

No results of the ECG benchmark are in `benchmarks/results/ecg/` yet. The
benchmark trains every network of the package and the published ECG networks
on MIT-BIH Arrhythmia records corrupted by the noise of the MIT-BIH Noise Stress
Test Database, under the same training-time budget, and compares them with the
classical baselines. With the PhysioNet data in a local folder, run it from the
repository root:

```bash
python benchmarks/ecg.py --data-dir ../shared/data/physionet \\
    --out benchmarks/results/ecg
```

`--quick` runs a smoke test in a few minutes. The run writes `README.md` (the
summary shown here), `results.md` and `results.csv` (every metric),
`timing.csv` and a figure of example windows.
"""

_IMAGE_SUFFIXES = {".png", ".svg", ".jpg", ".jpeg", ".gif"}


def _results_readme(folder, target, levels=1):
    """A results folder's README.md, demoted, with its images copied."""
    rel = folder.relative_to(ROOT / "benchmarks" / "results")
    for image in folder.iterdir():
        if image.suffix.lower() in _IMAGE_SUFFIXES:
            (target / rel).mkdir(parents=True, exist_ok=True)
            shutil.copy2(image, target / rel / image.name)
    text = (folder / "README.md").read_text()
    return _demote_headings(text, f"benchmarks/{rel.as_posix()}", levels)


def write_benchmark_page():
    """Assemble ``generated/benchmarks.md`` from ``benchmarks/results``."""
    results = ROOT / "benchmarks" / "results"
    target = GENERATED / "benchmarks"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    parts = [_BENCHMARK_INTRO]

    # The overview of all ECG runs first, when there is one.
    summary = results / "ecg_summary"
    if (summary / "README.md").exists():
        parts.append(_results_readme(summary, target))

    ecg = results / "ecg"
    if (ecg / "README.md").exists():
        parts.append(_results_readme(ecg, target))
        for name, title in (
            ("results.md", "All metrics on the test set"),
            ("real_records.md", "All metrics on the real noisy records"),
        ):
            if (ecg / name).exists():
                body = _demote_headings((ecg / name).read_text(), levels=2)
                parts.append(f"### {title}\n\n{body}")
        # Further runs of the same benchmark (other budgets or settings).
        for run in sorted(p for p in ecg.iterdir() if (p / "README.md").is_file()):
            readme = _results_readme(run, target, levels=3)
            parts.append(f"### Further run: `{run.name}`\n\n{readme}")
    else:
        parts.append(_ECG_HOW_TO)

    if results.is_dir():
        for path in sorted(results.glob("*.md")):
            parts.append(_demote_headings(path.read_text()))
        for folder in sorted(p for p in results.iterdir() if p.is_dir()):
            if (
                folder.name not in {"ecg", "ecg_summary"}
                and (folder / "README.md").exists()
            ):
                parts.append(_results_readme(folder, target))

    page = "\n\n".join(part.strip() for part in parts) + "\n"
    _write_if_changed(GENERATED / "benchmarks.md", page)


# Inherited methods documented on the estimators' pages besides skdenoise's own.
_INHERITED_KEPT = {
    "fit",
    "fit_transform",
    "get_params",
    "inverse_transform",
    "score",
    "set_params",
    "transform",
}


def _defining_module(obj):
    obj = getattr(obj, "fget", obj)
    obj = getattr(obj, "__func__", obj)
    return getattr(obj, "__module__", None) or ""


def skip_foreign_members(app, what, name, obj, skip, options):
    """Leave out inherited scikit-learn helpers (metadata routing, set_output).

    Their docstrings point into scikit-learn's own documentation, and they
    behave as in any scikit-learn estimator.
    """
    if what != "class" or skip:
        return None
    module = _defining_module(obj)
    if module.startswith("skdenoise") or name in _INHERITED_KEPT:
        return None
    return True


def _defining_comment(name, obj):
    """The ``#:`` comment above ``name`` in the skdenoise module that assigns it."""
    from sphinx.pycode import ModuleAnalyzer, PycodeError

    for modname, module in sorted(sys.modules.items()):
        if not modname.startswith("skdenoise") or module is None:
            continue
        if getattr(module, name, None) is not obj:
            continue
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except PycodeError:
            continue
        if ("", name) in docs:
            return list(docs[("", name)])
    return None


def document_constants(app, what, name, obj, options, lines):
    """Give constants their ``#:`` comment instead of their type's docstring.

    A constant re-exported by a public module is documented under that module,
    where autodoc finds no comment and falls back to the docstring of its type
    (``tuple``, ``int``); the comment sits where the constant is assigned.
    """
    if what != "data":
        return
    type_doc = inspect.getdoc(type(obj)) or ""
    if "\n".join(lines).strip() not in ("", type_doc.strip()):
        return
    lines[:] = _defining_comment(name.rsplit(".", 1)[-1], obj) or []


def setup(app):
    app.connect("autodoc-skip-member", skip_foreign_members)
    # Before numpydoc (priority 500), which would reformat the type's docstring.
    app.connect("autodoc-process-docstring", document_constants, priority=100)


_PARALLEL_FALLBACK = """\
Every fit of a search is independent, so ``n_jobs`` spreads them over
processes, and joblib's ``dask`` backend spreads them over a cluster.
"""


def write_parallel_recipe():
    """Copy the parallel-search section of :mod:`skdenoise.pipeline`'s docstring."""
    text = _PARALLEL_FALLBACK
    try:
        doc = inspect.cleandoc(importlib.import_module("skdenoise.pipeline").__doc__)
    except (ImportError, TypeError):
        doc = ""
    match = re.search(
        r"^Parallel and distributed search\n-+\n(.*?)(?=^\S[^\n]*\n-{3,}\n|\Z)",
        doc,
        re.M | re.S,
    )
    if match:
        text = match.group(1).strip() + "\n"
    _write_if_changed(GENERATED / "parallel_search.inc", text)


def write_cli_help():
    """The ``skdenoise --help`` text, as a literal block."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", "skdenoise", "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        help_text = result.stdout if result.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        help_text = ""
    if help_text.strip():
        body = "\n".join(f"   {line}".rstrip() for line in help_text.splitlines())
        text = f".. code-block:: text\n\n{body}\n"
    else:
        text = "Run ``skdenoise --help`` for the commands and their options.\n"
    _write_if_changed(GENERATED / "cli_help.inc", text)


def write_denoiser_table():
    """Every public denoiser by family, from the registry (``all_denoisers``)."""
    from skdenoise.utils import DENOISER_TYPES, all_denoisers

    lines = []
    for family in DENOISER_TYPES:
        title = f"{family.capitalize()} denoisers"
        lines += [title, "~" * len(title), ""]
        for name, cls in all_denoisers(family):
            summary = (inspect.getdoc(cls) or "").split("\n", 1)[0]
            target = DOCUMENTED.get(id(cls), f"skdenoise.{family}.{name}")
            lines.append(f"- :class:`{target}`: {summary}")
        lines.append("")
    _write_if_changed(GENERATED / "denoisers.inc", "\n".join(lines))


write_api_pages()
write_denoiser_table()
write_benchmark_page()
write_parallel_recipe()
write_cli_help()
