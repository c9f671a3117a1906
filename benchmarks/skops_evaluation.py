"""Can ``skops.io`` replace skdenoise's own persistence format?

Runs each guarantee that ``tests/test_persistence.py`` checks for
``skdenoise.persistence`` against ``skops.io`` and prints one line per check
(``PASS``/``FAIL`` and what happened). Needs ``pip install skops``; takes well
under a minute on a CPU (a tiny U-Net trained for one epoch).

    python benchmarks/skops_evaluation.py [--out benchmarks/results/skops_evaluation]
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its siblings

from _report import load_average  # noqa: E402

os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")


def _record(results, name, passed, detail):
    results.append({"check": name, "passed": bool(passed), "detail": detail})
    print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    try:
        import skops
        import skops.io as sio
    except ModuleNotFoundError:
        parser.exit(
            2,
            "skops_evaluation.py needs skops, which is not installed: "
            "pip install skops\n",
        )
    from sklearn.pipeline import make_pipeline

    from skdenoise import UNetDenoiser
    from skdenoise.datasets import make_sines
    from skdenoise.noise import ColoredNoise
    from skdenoise.persistence import load
    from skdenoise.pipeline import SeriesScaler, WindowedDenoiser

    results = []
    tmp = Path(tempfile.mkdtemp())
    clean = make_sines(6, 80, random_state=0)
    noisy = clean + 0.3 * np.random.default_rng(0).standard_normal(clean.shape)
    unet = UNetDenoiser(
        filters=4,
        depth=1,
        kernel_size=3,
        epochs=1,
        random_state=0,
        noise=ColoredNoise(alpha=1, snr=5),
    )
    pipe = make_pipeline(SeriesScaler(), WindowedDenoiser(unet, window_length=32))
    pipe.fit(noisy, clean)
    expected = pipe.transform(noisy)

    # 1. Writing: skops walks __getstate__, so the Keras model goes in as the
    # bytes of its .keras archive (the estimator's own pickling hook).
    path = tmp / "pipe.skops"
    try:
        sio.dump(pipe, path)
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        _record(results, "dump a fitted neural pipeline", True, f"members {names}")
    except Exception as exc:  # noqa: BLE001
        _record(results, "dump a fitted neural pipeline", False, repr(exc))
        return _finish(results, args, skops.__version__)

    # 2. Trusted types: skdenoise's load() would pass its own allow-list, as
    # it does now; skops names classes by their private modules, though.
    untrusted = sio.get_untrusted_types(file=path)
    private = [name for name in untrusted if "._" in name]
    _record(
        results,
        "classes named by public paths (files survive moving a class)",
        not private,
        f"skops records {private}: moving a class between private modules "
        "breaks every saved file (skdenoise's format names public paths)",
    )

    # 3. Round trip with those types trusted: identical outputs?
    loaded = sio.load(path, trusted=untrusted)
    got = loaded.transform(noisy)
    _record(
        results,
        "identical outputs after a round trip",
        np.array_equal(got, expected),
        f"max abs difference {np.max(np.abs(got - expected)):.3g}",
    )

    # 4. Keras' native format with safe mode inside: where is the model?
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    text = json.dumps(schema)
    _record(
        results,
        "Keras model stored as a .keras archive, loaded in safe mode",
        "_model_bytes" in text,
        "the .keras archive is a bytes node inside the estimator's state; it is "
        "loaded by the estimator's __setstate__ (keras.saving.load_model with "
        "safe_mode=True), not by skops, which cannot audit it",
    )

    # 5. A tampered file: swap a trusted class for os.system-like callables.
    def tampered(edit):
        with zipfile.ZipFile(path) as src:
            members = {n: src.read(n) for n in src.namelist()}
        data = json.loads(members["schema.json"])
        edit(data)
        members["schema.json"] = json.dumps(data).encode()
        out = tmp / "tampered.skops"
        with zipfile.ZipFile(out, "w") as dst:
            for name, value in members.items():
                dst.writestr(name, value)
        return out

    def swap_class(data):
        data["__class__"] = "system"
        data["__module__"] = "os"

    edited = tampered(swap_class)
    try:
        sio.load(edited, trusted=untrusted)
        _record(results, "tampered class refused", False, "loaded")
    except Exception as exc:  # noqa: BLE001
        _record(
            results,
            "tampered class refused",
            True,
            f"{type(exc).__name__}: {str(exc)[:160]}",
        )

    # The trust list is by name and the user copies it from the file itself
    # (get_untrusted_types reads the tampered file): trusting what the file asks
    # for makes the check meaningless unless the user reviews every name.
    asked = sio.get_untrusted_types(file=edited)
    _record(
        results,
        "a tampered file announces itself in get_untrusted_types",
        "os.system" in asked,
        f"untrusted types of the tampered file: {asked}",
    )

    # 6. Clear errors naming the file: truncated and corrupted files.
    data = path.read_bytes()
    truncated = tmp / "truncated.skops"
    truncated.write_bytes(data[: len(data) // 2])
    try:
        sio.load(truncated, trusted=untrusted)
        _record(results, "truncated file: clear error naming it", False, "loaded")
    except Exception as exc:  # noqa: BLE001
        _record(
            results,
            "truncated file: clear error naming it",
            str(truncated) in str(exc),
            f"{type(exc).__name__}: {str(exc)[:160]}",
        )

    def rename_in_windowed_state(data):
        # skops keeps a dict's key types in a parallel list, so keys are renamed
        # in place: a fitted attribute becomes "transform" (shadowing the
        # method) and a parameter becomes "nonsense" (one the class lacks).
        steps = data["content"]["content"]["steps"]["content"]
        node = steps[1]["content"][1]["content"]
        names = {"n_windows_fit_": "transform", "chunk_windows": "nonsense"}
        node["content"] = {names.get(k, k): v for k, v in node["content"].items()}

    edited = tampered(rename_in_windowed_state)
    try:
        bad = sio.load(edited, trusted=untrusted)
    except Exception as exc:  # noqa: BLE001
        _record(results, "attribute shadowing a method refused", True, repr(exc))
        _record(results, "parameter the class does not have refused", True, "")
    else:
        detail = f"loaded with transform={vars(bad[1]).get('transform')!r}"
        try:
            bad.transform(noisy)
        except Exception as exc:  # noqa: BLE001
            detail += f"; transform() then fails: {type(exc).__name__}: {exc}"
        _record(results, "attribute shadowing a method refused", False, detail)
        _record(
            results,
            "parameter the class does not have refused",
            False,
            f"loaded with nonsense={vars(bad[1]).get('nonsense')!r} and without "
            f"the parameter chunk_windows ({'chunk_windows' in vars(bad[1])})",
        )

    # 7. Old files: the pretrained model shipped in the package.
    from skdenoise import pretrained

    shipped = Path(pretrained.__file__).parent / "ecg_unet.skdenoise"
    try:
        sio.load(shipped, trusted=untrusted)
        _record(results, "shipped pretrained file loads with skops", True, "loaded")
    except Exception as exc:  # noqa: BLE001
        _record(
            results,
            "shipped pretrained file loads with skops",
            False,
            f"{type(exc).__name__}: {str(exc)[:160]}; it loads only with "
            f"skdenoise's reader ({type(load(shipped)).__name__})",
        )

    # 8. Size and speed, for the record.
    ours = tmp / "pipe.skd"
    from skdenoise.persistence import save

    start = time.perf_counter()
    save(pipe, ours)
    load(ours)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    sio.dump(pipe, tmp / "again.skops")
    sio.load(tmp / "again.skops", trusted=untrusted)
    skops_s = time.perf_counter() - start
    _record(
        results,
        "size and save+load time (information)",
        True,
        f"skdenoise {ours.stat().st_size} B {ours_s:.2f} s; skops "
        f"{path.stat().st_size} B {skops_s:.2f} s",
    )
    return _finish(results, args, skops.__version__)


def _finish(results, args, version):
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(
            json.dumps(
                {
                    "skops_version": version,
                    "python": platform.python_version(),
                    "command": " ".join(["python", *sys.argv]),
                    "load_average": [round(x, 2) for x in load_average()],
                    "checks": results,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return results


if __name__ == "__main__":
    main()
