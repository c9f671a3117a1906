import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PHYSIONET_DIR = Path(
    os.environ.get(
        "SKDENOISE_PHYSIONET_DIR",
        Path(__file__).resolve().parents[1].parent / "shared" / "data" / "physionet",
    )
)


@pytest.fixture(scope="session")
def physionet_dir():
    if not (PHYSIONET_DIR / "mitdb").is_dir():
        pytest.skip(f"PhysioNet data not found at {PHYSIONET_DIR}")
    return PHYSIONET_DIR
