"""Provides the user's saved settings (today: the language chosen in the assistant).

A small JSON file in the user's config directory (`SSL_ASSISTANT_CONFIG_DIR` overrides it). Reading
never fails: a missing or damaged file means "no saved setting".
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ENV_CONFIG_DIR = "SSL_ASSISTANT_CONFIG_DIR"


def settings_path() -> Path:
    override = os.environ.get(ENV_CONFIG_DIR)
    if override:
        return Path(override).expanduser() / "settings.json"
    from platformdirs import user_config_dir

    return Path(user_config_dir("ssl-assistant", appauthor=False)) / "settings.json"


def _read() -> dict[str, object]:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_language() -> str | None:
    language = _read().get("language")
    return language if isinstance(language, str) else None


def save_language(language: str) -> None:
    """Remember the language; a read-only config directory is not worth an error."""
    data = _read()
    data["language"] = language
    path = settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass
