"""The documentation builds without warnings, with its gallery run."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Everything docs/conf.py loads; without one of them the build cannot run.
_DOCS_MODULES = (
    "sphinx",
    "pydata_sphinx_theme",
    "numpydoc",
    "sphinx_gallery",
    "myst_parser",
    "matplotlib",
)


def _missing_modules():
    return [name for name in _DOCS_MODULES if importlib.util.find_spec(name) is None]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    missing = _missing_modules()
    if missing:
        pytest.skip(
            f"the docs extra is not installed (missing {', '.join(missing)}); "
            'install it with pip install -e ".[docs]"'
        )
    out = tmp_path_factory.mktemp("html")
    doctrees = tmp_path_factory.mktemp("doctrees")
    env = dict(os.environ)
    env.setdefault("TF_NUM_INTRAOP_THREADS", "1")
    env.setdefault("TF_NUM_INTEROP_THREADS", "1")
    env.setdefault("MPLBACKEND", "Agg")
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        str(doctrees),
        str(DOCS),
        str(out),
    ]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200
    )
    return out, result


def test_build_succeeds_without_warnings(built_site):
    _, result = built_site
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert not warnings, "\n".join(warnings)


def test_index_and_api_pages_exist(built_site):
    out, result = built_site
    assert result.returncode == 0
    index = out / "index.html"
    assert index.is_file()
    assert "skdenoise" in index.read_text(encoding="utf-8")
    assert (out / "api.html").is_file()
    assert (out / "gen_modules" / "skdenoise.UNetDenoiser.html").is_file()


def test_gallery_pages_embed_images(built_site):
    out, result = built_site
    assert result.returncode == 0
    gallery = out / "auto_examples"
    pages = sorted(gallery.glob("plot_*.html"))
    assert pages, "no gallery page was built"
    with_images = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for src in re.findall(r'<img[^>]+src="([^"]+\.png)"', html):
            if (page.parent / src).is_file():
                with_images.append(page.name)
                break
    assert with_images, "no gallery page embeds a generated image"
    assert "plot_denoise_sines.html" in with_images
