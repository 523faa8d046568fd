"""The catalogs are complete (every msgid translated into Urdu and Nepali, nothing fuzzy)
and current (extraction gives the committed messages.pot; each .mo is its .po compiled)."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "src" / "iil_lms" / "locale"
POT = LOCALE_DIR / "messages.pot"
LANGUAGES = ("ur", "ne")
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd%]")
FIX = "run `make i18n`, translate what is new in the .po files, then `make i18n` again"


def _catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def _body(text: str) -> str:
    """A catalog without its header block (project, version and dates)."""
    return text.split("\n\n", 1)[1]


def test_extraction_matches_the_committed_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = tmp_path / "messages.pot"
    monkeypatch.chdir(ROOT)
    # The same command as scripts/i18n.sh.
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", "babel.cfg", "-o", str(fresh), "--sort-output",
         "--add-location=file", "--width=100", "--project=iil-lms", "--version=1", "."]
    )  # fmt: skip
    with fresh.open("rb") as f:
        extracted = {str(m.id) for m in read_po(f) if m.id}
    with POT.open("rb") as f:
        kept = {str(m.id) for m in read_po(f) if m.id}
    assert (sorted(extracted - kept), sorted(kept - extracted)) == ([], []), (
        f"messages.pot is stale (new, gone): {FIX}"
    )
    committed = POT.read_text(encoding="utf-8")
    assert _body(fresh.read_text(encoding="utf-8")) == _body(committed), (
        f"messages.pot is stale (locations or flags): {FIX}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    with POT.open("rb") as f:
        template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    catalog = _catalog(language)
    problems: list[str] = []
    seen: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        seen.add(key)
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        elif not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {key!r}")
        elif any(
            sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(ids[min(i, 1)]))
            for i, s in enumerate(strings)
        ):
            problems.append(f"placeholders differ: {key!r}")
    problems += [f"missing: {key!r}" for key in sorted(template_ids - seen)]
    assert not problems, f"{language}: {len(problems)} problems ({FIX}):\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_suit_the_language(language: str) -> None:
    # Urdu and Nepali, like English, use the singular for exactly one.
    assert _catalog(language).plural_forms == "nplurals=2; plural=(n != 1);"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_source(language: str) -> None:
    compiled = BytesIO()
    write_mo(compiled, _catalog(language))
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        committed = read_mo(f)
    compiled.seek(0)
    expected = read_mo(compiled)
    assert _messages(committed) == _messages(expected), (
        f"{language}/LC_MESSAGES/messages.mo is stale: run `make i18n`"
    )


def _messages(catalog: Catalog) -> dict[object, object]:
    def plain(value: object) -> object:
        return value if isinstance(value, str) else tuple(value)  # type: ignore[call-overload]

    return {plain(m.id): plain(m.string) for m in catalog if m.id}
