"""Provides the gettext catalog workflow: `python -m assistant.catalogs ACTION`.

  extract   scan assistant/ (Python and templates, per locales/babel.cfg) into locales/messages.pot
  update    merge the template into every locales/<lang>/LC_MESSAGES/messages.po (en: msgstr = msgid)
  todo      write what is still untranslated to a YAML file for translators (default: stdout)
  fill F    read a translated YAML file back into the catalogs, then compile
  compile   write every .mo from its .po
  check     fail when the template, a catalog or a .mo is out of date or incomplete
  sweep     extract, update and compile in one go, then say what is left to translate

Babel is a build-time tool here and is imported only by this module and assistant.formatting;
at run time gettext reads the committed .mo files. See locales/README.md.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.i18n import DOMAIN, LANGUAGES, gettext_dir_name
from assistant.paths import data_dir

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

PROJECT = "ssl-assistant"
WIDTH = 100


def _root() -> Path:
    return data_dir("locales").parent


def _locales() -> Path:
    return data_dir("locales")


def template_path(locales: Path | None = None) -> Path:
    return (locales or _locales()) / f"{DOMAIN}.pot"


def po_path(language: str, locales: Path | None = None) -> Path:
    return (locales or _locales()) / gettext_dir_name(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


def _keywords() -> dict[str, object]:
    from babel.messages.extract import DEFAULT_KEYWORDS

    # Babel's defaults already cover _, N_, gettext and ngettext:1,2; nothing else is used here.
    return dict(DEFAULT_KEYWORDS)


def extract(root: Path | None = None) -> Catalog:
    """The template catalog as the code stands now."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = root or _root()
    with (root / "locales" / "babel.cfg").open(encoding="utf-8") as stream:
        method_map, options_map = parse_mapping_cfg(stream)
    template = Catalog(project=PROJECT, domain=DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=_keywords(),
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def _read(path: Path, locale: str | None = None) -> Catalog:
    from babel.messages.pofile import read_po

    with path.open("rb") as stream:
        return read_po(stream, locale=locale, domain=DOMAIN)


def _write(path: Path, catalog: Catalog) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        write_po(stream, catalog, width=WIDTH, ignore_obsolete=True, sort_by_file=True)


def compiled(po: Path, language: str) -> bytes:
    """The .mo bytes for a .po, exactly as `compile` writes them (the freshness test compares)."""
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, _read(po, gettext_dir_name(language)), use_fuzzy=False)
    return buffer.getvalue()


def _catalogs(locales: Path | None = None) -> Iterator[tuple[str, Path]]:
    for language in LANGUAGES:
        yield language, po_path(language, locales)


def do_extract(root: Path | None = None) -> int:
    template = extract(root)
    _write(template_path(), template)
    return len(template)


def do_update() -> None:
    from babel.messages.catalog import Catalog

    for language, path in _catalogs():
        template = _read(template_path())  # fresh each time: update() adopts the template's messages
        locale = gettext_dir_name(language)
        if path.is_file():
            catalog = _read(path, locale)
        else:
            catalog = Catalog(locale=locale, domain=DOMAIN, project=PROJECT, fuzzy=False)
        # No fuzzy matching: a guessed translation of a reworded message is worse than an empty one,
        # and the empty one shows up in `todo`.
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        if language == "en":  # en carries msgstr == msgid so that completeness checks are uniform
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        _write(path, catalog)


def do_compile() -> None:
    for language, path in _catalogs():
        path.with_suffix(".mo").write_bytes(compiled(path, language))


def _untranslated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(message.id) and (message.fuzzy or not all(strings))


def todo() -> list[dict[str, object]]:
    """Every msgid some catalog lacks, with what each catalog has so far."""
    catalogs = {language: _read(path, gettext_dir_name(language)) for language, path in _catalogs() if path.is_file()}
    items: dict[object, dict[str, object]] = {}
    for language, catalog in catalogs.items():
        for message in catalog:
            if language == "en" or not _untranslated(message):
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            item = items.setdefault(message.id, {"msgid": ids[0]} | ({"msgid_plural": ids[1]} if len(ids) > 1 else {}))
            item.setdefault("where", ", ".join(f"{file}:{line}" for file, line in message.locations[:2]))
    for item in items.values():
        key = (item["msgid"], item["msgid_plural"]) if "msgid_plural" in item else item["msgid"]
        for language, catalog in catalogs.items():
            if language == "en":
                continue
            message = catalog.get(key)
            string = message.string if message is not None else ""
            item[language] = string[0] if isinstance(string, tuple) else string
    return list(items.values())


def fill(source: Path) -> int:
    """Write translations from a `todo` file back into the catalogs; returns how many were set."""
    import yaml

    items = yaml.safe_load(source.read_text(encoding="utf-8")) or []
    count = 0
    for language, path in _catalogs():
        if language == "en":
            continue
        catalog = _read(path, gettext_dir_name(language))
        for item in items:
            text = item.get(language)
            key = (item["msgid"], item["msgid_plural"]) if "msgid_plural" in item else item["msgid"]
            message = catalog.get(key)
            if not text or message is None:
                continue
            if isinstance(message.id, tuple):  # zh and ko have one plural form; others get a list
                forms = text if isinstance(text, list) else [text] * catalog.num_plurals
                message.string = tuple(forms)
            else:
                message.string = text
            message.flags.discard("fuzzy")
            count += 1
        _write(path, catalog)
    do_compile()
    return count


def problems() -> list[str]:
    """What `check` reports: kb check's catalog problems (complete, compiled, fresh, placeholders)
    and strings in the code that the template does not have yet."""
    from assistant.kb.check import check_locales

    found = [str(problem) for problem in check_locales()]
    if template_path().is_file():
        current = {message.id for message in extract() if message.id}
        committed = {message.id for message in _read(template_path()) if message.id}
        for msgid in sorted(current - committed, key=str):
            found.append(f"locales/{DOMAIN}.pot: {msgid!r}: not extracted yet: run `sweep`")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.catalogs", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("extract", "update", "todo", "fill", "compile", "check", "sweep"))
    parser.add_argument("file", nargs="?", help="todo: where to write (default stdout); fill: what to read")
    args = parser.parse_args(argv)
    if args.action in ("extract", "sweep"):
        print(f"{do_extract()} messages in {template_path().relative_to(_root())}", file=sys.stderr)
    if args.action in ("update", "sweep"):
        do_update()
    if args.action in ("compile", "sweep"):
        do_compile()
    if args.action == "sweep":
        print(f"{len(todo())} messages left to translate: run `todo`", file=sys.stderr)
    if args.action == "todo":
        import yaml

        text = yaml.safe_dump(todo(), allow_unicode=True, sort_keys=False, width=WIDTH)
        if args.file:
            Path(args.file).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    if args.action == "fill":
        if not args.file:
            parser.error("fill needs the translated YAML file")
        print(f"{fill(Path(args.file))} translations written", file=sys.stderr)
    if args.action == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
