"""The message catalogs: every message in both languages, plural forms right, no dead keys,
and dates written as each language writes them."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog, Message

from bot.app import ADMIN_COMMANDS, COMMANDS
from bot.core.catalogs import LANGUAGES, MissingMessage, lookup, read_catalog
from bot.core.dates import Length, format_moment
from bot.i18n import plural, text
from bot.store.base import UpsertOutcome
from bot.store.feeds import FeedStatus
from bot.subscriptions import Problem

REPO_ROOT = Path(__file__).resolve().parents[2]
# A literal key handed to text(), plural() or the catalog's lookup().
_LITERAL_KEY = re.compile(r"""(?<![.\w])(?:text|plural|lookup)\(\s*(?:f?)["']([a-z_]+)["']""")
# Keys the code builds from a name: f"command_{name}", f"admin_status_{feed.status.value}"...
_BUILT_KEYS = {
    *(f"command_{name}" for name in COMMANDS + ADMIN_COMMANDS),
    *(f"admin_status_{status.value}" for status in FeedStatus),
    *(f"admin_ingested_{outcome.value}" for outcome in UpsertOutcome),
    *(problem.value for problem in Problem),
}


def _key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _messages(catalog: Catalog) -> dict[str, Message]:
    return {_key(message): message for message in catalog if message.id}


def _forms(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _source() -> str:
    paths = [*(REPO_ROOT / "bot").rglob("*.py"), *(REPO_ROOT / "handlers").rglob("*.py")]
    return "\n".join(path.read_text(encoding="utf-8") for path in paths)


CATALOGS = {language: _messages(read_catalog(language)) for language in LANGUAGES}


def test_both_languages_have_every_key_translated_and_none_fuzzy() -> None:
    italian, english = CATALOGS["it"], CATALOGS["en"]
    assert italian.keys() == english.keys()
    for language, messages in CATALOGS.items():
        for key, message in messages.items():
            assert message.fuzzy is False, (language, key)
            assert all(form.strip() for form in _forms(message)), (language, key)
            assert lookup(key, language, 2 if message.pluralizable else None)


def test_both_languages_format_in_the_same_values() -> None:
    for key, italian in CATALOGS["it"].items():
        english = CATALOGS["en"][key]
        assert italian.pluralizable == english.pluralizable, key
        placeholders = [set().union(*map(_placeholders, _forms(m))) for m in (italian, english)]
        assert placeholders[0] == placeholders[1], key


def test_plural_messages_have_the_two_forms_italian_and_english_have() -> None:
    for language in LANGUAGES:
        catalog = read_catalog(language)
        assert catalog.num_plurals == 2
        assert catalog.plural_expr == "(n != 1)"
        for message in catalog:
            if message.id and message.pluralizable:
                assert len(_forms(message)) == 2, (language, message.id)


@pytest.mark.parametrize(
    ("language", "count", "heading"),
    [
        ("it", 0, "<b>Segui 0 temi</b>"),
        ("it", 1, "<b>Segui 1 tema</b>"),
        ("it", 2, "<b>Segui 2 temi</b>"),
        ("en", 0, "<b>You follow 0 topics</b>"),
        ("en", 1, "<b>You follow 1 topic</b>"),
        ("en", 2, "<b>You follow 2 topics</b>"),
    ],
)
def test_the_topic_count_agrees_with_its_noun(language: str, count: int, heading: str) -> None:
    assert plural("sub_list_heading", count, language).split("\n")[0] == heading


def test_no_message_says_one_with_a_plural_noun() -> None:
    for language, nouns in (("it", ("temi", "errori")), ("en", ("topics", "failures"))):
        for key, message in CATALOGS[language].items():
            if message.pluralizable:
                shown = plural(key, 1, language, id=7, name="n", url="u", failures=1, error="e")
                assert not any(f"1 {noun}" in shown for noun in nouns), (language, key)
    assert plural("sub_confirm_all", 3, "it").startswith("Smettere di seguire tutti e 3 i temi?")
    assert plural("sub_confirm_all", 1, "it").startswith("Smettere di seguire il tuo unico tema?")
    assert plural("sub_confirm_all", 1, "en").startswith("Stop following your only topic?")


def test_every_key_the_code_asks_for_exists_and_every_message_is_used() -> None:
    source = _source()
    asked = set(_LITERAL_KEY.findall(source)) | _BUILT_KEYS
    keys = set(CATALOGS["it"])
    assert asked - keys == set()
    unused = {key for key in keys - asked if f'"{key}"' not in source}
    assert unused == set()


def test_a_missing_key_or_a_count_for_a_plain_message_is_an_error() -> None:
    with pytest.raises(MissingMessage):
        text("no_such_message", "it")
    with pytest.raises(MissingMessage):
        plural("welcome", 2, "en")
    with pytest.raises(MissingMessage):
        text("sub_list_heading", "it")  # a plural message needs its count


def test_values_are_escaped_and_other_languages_read_english() -> None:
    assert text("topic_not_found", "it", topic="<b>") == "Nessuna notizia su «&lt;b&gt;»."
    assert text("topic_not_found", "de", topic="x") == text("topic_not_found", "en", topic="x")


@pytest.mark.parametrize(
    ("language", "length", "shown"),
    [
        ("it", Length.FULL, "8 dic 2026, 07:30"),
        ("it", Length.SHORT, "8 dic, 07:30"),
        ("it", Length.WEEKDAY, "mar 8 dic, 07:30"),
        ("en", Length.FULL, "8 Dec 2026, 07:30"),
        ("en", Length.SHORT, "8 Dec, 07:30"),
        ("en", Length.WEEKDAY, "Tue 8 Dec, 07:30"),
        ("pt-BR", Length.SHORT, "8 Dec, 07:30"),
    ],
)
def test_dates_are_written_in_the_readers_language_and_zone(
    language: str, length: Length, shown: str
) -> None:
    moment = datetime(2026, 12, 8, 6, 30, tzinfo=UTC)  # 07:30 in Rome
    assert format_moment(moment, language, ZoneInfo("Europe/Rome"), length) == shown


def test_naive_datetimes_are_utc() -> None:
    naive = datetime(2026, 7, 1, 22, 30)
    assert format_moment(naive, "it", ZoneInfo("Europe/Rome"), Length.FULL) == "2 lug 2026, 00:30"
