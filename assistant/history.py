"""Provides the case history: every session kept in a local SQLite file, so support staff can reopen,
export or report it later.

The file lives in the user's data directory (platformdirs), or in $SSL_ASSISTANT_DATA_DIR when set
(tests, portable installs). Private keys and passwords never reach the disk: every string of a case
goes through `scrub()` before it is written, whatever the face passed in.

Faces call `record_case(...)`, which honours `--no-history` and never raises: losing a history row must
not lose the user's answer. Scripts and tests use `open_history()` for the full API.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import re
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.redact import KEY_REMOVED, redact_private_keys

__all__ = ["KEY_REMOVED", "SECRET_REMOVED", "open_history", "record_case", "save_case", "scrub"]

ENV_DATA_DIR = "SSL_ASSISTANT_DATA_DIR"
FILE_NAME = "history.sqlite3"
KINDS = ("diagnose", "lookup", "probe", "check", "chat", "tui", "report")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    number     INTEGER PRIMARY KEY AUTOINCREMENT,
    created    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    language   TEXT NOT NULL,
    paste      TEXT NOT NULL DEFAULT '',
    transcript TEXT NOT NULL DEFAULT '[]',
    diagnoses  TEXT NOT NULL DEFAULT '[]',
    findings   TEXT NOT NULL DEFAULT '[]',
    facts      TEXT NOT NULL DEFAULT '{}',
    target     TEXT
);
"""

# password=…, keystorePass="…", -passin pass:…, SSLPassPhraseDialog-style `passphrase: …`.
_SECRET_SETTING = re.compile(
    r"""(?ix)
    ((?:\b[a-z_]*pass(?:word|wd|phrase)?\b|\bsecret\b|\bpwd\b|密码|密碼|口令|비밀번호|암호)  # the name
     ["']?\s*[:=：]\s*)                                                         # = or :
    ("[^"\n]*"|'[^'\n]*'|[^\s"',;>]+)                                          # the value
    """
)
_PASS_ARGUMENT = re.compile(
    r"(?i)(\bpass:|\benv:|-(?:passin|passout|password|storepass|keypass|srcstorepass|deststorepass)\s+)(\"[^\"\n]*\"|'[^'\n]*'|\S+)"
)
SECRET_REMOVED = "********"


def scrub(text: str) -> str:
    """`text` with private key blocks and password values replaced by markers."""
    text = redact_private_keys(text)
    text = _PASS_ARGUMENT.sub(lambda m: m.group(1) + SECRET_REMOVED, text)
    return _SECRET_SETTING.sub(lambda m: m.group(1) + SECRET_REMOVED, text)


def _plain(value: Any) -> Any:
    """Any face's values (dataclasses, enums, tuples, dicts) as JSON data, every string scrubbed."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return scrub(str(value))


@dataclass(frozen=True, slots=True)
class Case:
    number: int
    created: datetime
    kind: str
    language: str
    paste: str
    transcript: list[Any]
    diagnoses: list[dict[str, Any]]
    """[{"id", "score", "title"?, "evidence"?: [{"source", "text", "weight"?}]}], strongest first."""
    findings: list[dict[str, Any]]
    """[{"check", "status", "diagnosis", "evidence"}]."""
    facts: dict[str, Any]
    target: dict[str, Any] | None
    """The probe target ({"host", "port", "sni"…}) for probe cases."""

    @property
    def top(self) -> str | None:
        return self.diagnoses[0]["id"] if self.diagnoses else None


def data_directory() -> Path:
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ssl-assistant", appauthor=False))


class History:
    """One open history file. Use as a context manager, or call close()."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fresh = not path.exists()
        self.path = path
        self._db = sqlite3.connect(path, timeout=10)
        if fresh:  # pastes name hosts and people: only the user may read the file
            os.chmod(path, 0o600)
        self._db.executescript(_SCHEMA)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def save_case(
        self,
        kind: str,
        language: str,
        paste: str,
        transcript: Sequence[Any] = (),
        diagnoses: Sequence[Any] = (),
        findings: Sequence[Any] = (),
        *,
        facts: dict[str, Any] | None = None,
        target: Any = None,
        now: datetime | None = None,
    ) -> int:
        """Store one case and return its number. Candidates, Findings and dicts are all accepted."""
        created = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        row = (
            created,
            kind,
            language,
            scrub(paste or ""),
            json.dumps(_plain(list(transcript)), ensure_ascii=False),
            json.dumps(_plain(list(diagnoses)), ensure_ascii=False),
            json.dumps(_plain(list(findings)), ensure_ascii=False),
            json.dumps(_plain(facts or {}), ensure_ascii=False),
            None if target is None else json.dumps(_plain(target), ensure_ascii=False),
        )
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO cases (created, kind, language, paste, transcript, diagnoses, findings, facts, target)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        return int(cursor.lastrowid or 0)

    def list_cases(self, limit: int | None = None) -> list[Case]:
        """Newest first."""
        sql = "SELECT * FROM cases ORDER BY number DESC" + (" LIMIT ?" if limit else "")
        with closing(self._db.execute(sql, (limit,) if limit else ())) as cursor:
            return [_case(row) for row in cursor.fetchall()]

    def get_case(self, number: int) -> Case | None:
        with closing(self._db.execute("SELECT * FROM cases WHERE number = ?", (number,))) as cursor:
            row = cursor.fetchone()
        return _case(row) if row else None

    def delete_case(self, number: int) -> bool:
        with self._db:
            deleted = self._db.execute("DELETE FROM cases WHERE number = ?", (number,)).rowcount
        return deleted > 0


def _case(row: tuple) -> Case:
    number, created, kind, language, paste, transcript, diagnoses, findings, facts, target = row
    return Case(
        number=number,
        created=datetime.fromisoformat(created),
        kind=kind,
        language=language,
        paste=paste,
        transcript=json.loads(transcript),
        diagnoses=json.loads(diagnoses),
        findings=json.loads(findings),
        facts=json.loads(facts),
        target=json.loads(target) if target else None,
    )


def open_history(path: Path | None = None) -> History:
    """The history file (default: <data dir>/history.sqlite3). Raises OSError or sqlite3.Error."""
    return History(path or data_directory() / FILE_NAME)


@contextmanager
def _default() -> Iterator[History]:
    with open_history() as history:
        yield history


def save_case(
    kind: str,
    language: str,
    paste: str,
    transcript: Sequence[Any] = (),
    diagnoses: Sequence[Any] = (),
    findings: Sequence[Any] = (),
    **options: Any,
) -> int:
    with _default() as history:
        return history.save_case(kind, language, paste, transcript, diagnoses, findings, **options)


def list_cases(limit: int | None = None) -> list[Case]:
    with _default() as history:
        return history.list_cases(limit)


def get_case(number: int) -> Case | None:
    with _default() as history:
        return history.get_case(number)


def delete_case(number: int) -> bool:
    with _default() as history:
        return history.delete_case(number)


def record_case(
    args: Any,
    kind: str,
    language: str,
    paste: str = "",
    transcript: Sequence[Any] = (),
    diagnoses: Sequence[Any] = (),
    findings: Sequence[Any] = (),
    **options: Any,
) -> int | None:
    """For faces: save unless `--no-history` was given; on failure warn on stderr and return None."""
    if getattr(args, "no_history", False):
        return None
    try:
        return save_case(kind, language, paste, transcript, diagnoses, findings, **options)
    except (OSError, sqlite3.Error) as error:
        from assistant.i18n import _

        print(_("Could not save this case in the history: {error}").format(error=error), file=sys.stderr)
        return None
