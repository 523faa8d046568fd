"""The small curriculum with sample Urdu translations (module.ur.yaml) beside two modules."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.curriculum.helpers import copy_mini

SAMPLES = Path(__file__).parent / "fixtures" / "translations"


def translated_mini(tmp_path: Path) -> Path:
    """what-is-integrity: a draft with the reflection's prompt and the outcomes left in
    English; dilemmas: reviewed and complete (but its reading)."""
    folder = copy_mini(tmp_path)
    for sample in SAMPLES.glob("*.ur.yaml"):
        module = sample.name.split(".")[0]
        shutil.copy(sample, folder / "modules" / module / "module.ur.yaml")
    return folder
