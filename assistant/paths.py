"""Provides where the data folders are: the source checkout, or the installed wheel's `_data/`.

This is the only module that knows both places.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

DataFolder = Literal["knowledge", "rules", "locales"]

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder holding knowledge/, rules/ and locales/."""
    installed = _PACKAGE / "_data"
    if (installed / "knowledge").is_dir():
        return installed
    return _PACKAGE.parent


def data_dir(name: DataFolder) -> Path:
    return data_root() / name
