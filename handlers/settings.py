"""/settings: the chat's digest time, zone, on/off, "nothing new" line and language.

``/settings`` alone shows the values with buttons for the common choices; ``/settings time
07:30``, ``zone Milano``, ``digest off``, ``empty off``, ``language en`` (or their Italian
names) change one. A bad value gets an example. In groups only administrators change them.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.digests import busy_minute
from bot.i18n import text
from bot.store.base import Store
from bot.store.subscriptions import ChatPreferences
from bot.subscriptions import (
    ChatRef,
    InvalidSetting,
    Schedule,
    current_preferences,
    parse_language,
    parse_switch,
    set_digest_enabled,
    set_digest_time,
    set_language,
    set_send_when_empty,
    set_timezone,
)
from handlers.callbacks import settings_data
from handlers.common import Keyboard, send_html, services
from handlers.subscribe import allowed_press, refuse_unless_allowed, schedule_line, this_chat

COMMON_HOURS = ("06:00", "07:00", "08:00", "09:00", "12:00", "13:00", "18:00", "20:00")
COMMON_ZONES = ("Europe/Rome", "Europe/London", "America/New_York", "Asia/Tokyo")
HOURS_PER_ROW = 4
MAX_ECHOED_VALUE = 60

Change = Callable[[Store, Settings, ChatRef, str, datetime], Awaitable[Schedule]]


async def _switch_digest(
    store: Store, settings: Settings, chat: ChatRef, value: str, now: datetime
) -> Schedule:
    return await set_digest_enabled(store, settings, chat, parse_switch(value), now)


async def _switch_empty(
    store: Store, settings: Settings, chat: ChatRef, value: str, now: datetime
) -> Schedule:
    return await set_send_when_empty(store, settings, chat, parse_switch(value), now)


async def _choose_language(
    store: Store, settings: Settings, chat: ChatRef, value: str, now: datetime
) -> Schedule:
    return await set_language(store, settings, chat, parse_language(value), now)


# Each setting under its English and Italian names, with the example a missing value gets.
_CHANGES: dict[str, tuple[str, Change, str]] = {
    name: (canonical, change, example)
    for names, canonical, change, example in (
        (("time", "ora", "orario"), "time", set_digest_time, "07:30"),
        (("zone", "timezone", "fuso"), "zone", set_timezone, "Europe/Rome"),
        (("digest", "rassegna"), "digest", _switch_digest, "off"),
        (("empty", "vuota"), "empty", _switch_empty, "off"),
        (("language", "lingua"), "language", _choose_language, "en"),
    )
    for name in names
}
# The button actions (see handlers/callbacks.py) and the setting each one changes.
BUTTON_SETTINGS = {"st": "time", "sz": "zone", "sd": "digest", "se": "empty", "sg": "language"}


def overview(preferences: ChatPreferences) -> tuple[str, Keyboard]:
    """The values, in the chat's language, and the buttons for the common choices."""
    language = preferences.language
    state = "settings_on" if preferences.digest_enabled else "settings_off"
    empty = "settings_empty_on" if preferences.send_when_empty else "settings_empty_off"
    summary = text(
        "settings_overview",
        language,
        digest=text(state, language),
        time=preferences.digest_time,
        zone=preferences.timezone,
        empty=text(empty, language),
    )

    def button(label: str, action: str, value: str, chosen: bool) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            f"✓ {label}" if chosen else label, callback_data=settings_data(action, value)
        )

    hours = [button(hour, "st", hour, hour == preferences.digest_time) for hour in COMMON_HOURS]
    zones = [
        button(zone.rpartition("/")[2].replace("_", " "), "sz", zone, zone == preferences.timezone)
        for zone in COMMON_ZONES
    ]
    toggle = (
        "settings_digest_button_off" if preferences.digest_enabled else "settings_digest_button_on"
    )
    last_row = [
        button(text(toggle, language), "sd", "off" if preferences.digest_enabled else "on", False),
        button(
            text("settings_language_button", language),
            "sg",
            "en" if language == "it" else "it",
            False,
        ),
    ]
    keyboard = [hours[i : i + HOURS_PER_ROW] for i in range(0, len(hours), HOURS_PER_ROW)]
    return summary, [*keyboard, zones, last_row]


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await this_chat(update, context)
    message = update.effective_message
    if chat is None or message is None:
        return
    parts = (message.text or "").split(maxsplit=2)[1:]
    shared = services(context)
    if not parts:
        preferences = await current_preferences(shared.store, shared.settings, chat)
        summary, keyboard = overview(preferences)
        busy = await _busy_line(context, preferences)
        await send_html(context, chat.id, summary + busy, keyboard)
        return
    if await refuse_unless_allowed(update, context):
        return
    name, value = parts[0].lower(), (parts[1] if len(parts) > 1 else "")
    known = _CHANGES.get(name)
    if known is None:
        echoed = parts[0][:MAX_ECHOED_VALUE]
        await send_html(context, chat.id, text("settings_unknown", chat.language, value=echoed))
        return
    canonical, _, example = known
    if not value.strip():
        reply = text("settings_missing_value", chat.language, name=canonical, example=example)
        await send_html(context, chat.id, reply)
        return
    try:
        schedule = await _apply(context, chat, canonical, value)
    except InvalidSetting as invalid:
        echoed = invalid.value.strip()[:MAX_ECHOED_VALUE]
        await send_html(context, chat.id, text(invalid.key, chat.language, value=echoed))
        return
    summary, keyboard = overview(schedule.preferences)
    busy = await _busy_line(context, schedule.preferences)
    await send_html(context, chat.id, _saved(schedule) + "\n\n" + summary + busy, keyboard)


async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A /settings button: change the one value, then redraw the message with the new values."""
    press = await allowed_press(update, context)
    if press is None:
        return
    query, match, chat = press.query, press.match, press.chat
    if query.data is None:
        return
    action = query.data.split(":")[1]
    value = match.group(match.lastgroup or 0)
    try:
        schedule = await _apply(context, chat, BUTTON_SETTINGS[action], value)
    except InvalidSetting:  # a zone this build does not know, from an older message
        await query.answer(text("stale_button", chat.language))
        return
    await query.answer(text("settings_saved", schedule.preferences.language))
    summary, keyboard = overview(schedule.preferences)
    busy = await _busy_line(context, schedule.preferences)
    await query.edit_message_text(
        _saved(schedule) + "\n\n" + summary + busy, reply_markup=InlineKeyboardMarkup(keyboard)
    )


async def _apply(
    context: ContextTypes.DEFAULT_TYPE, chat: ChatRef, setting: str, value: str
) -> Schedule:
    shared = services(context)
    _, change, _ = _CHANGES[setting]
    schedule = await change(shared.store, shared.settings, chat, value, datetime.now(UTC))
    # The caches follow the store: the next answer speaks the language and shows the zone.
    shared.languages[chat.id] = schedule.preferences.language
    shared.zones[chat.id] = schedule.preferences.timezone
    return schedule


async def _busy_line(context: ContextTypes.DEFAULT_TYPE, preferences: ChatPreferences) -> str:
    """A paragraph saying the chosen minute is busy, with a quieter one; "" when it is not."""
    shared = services(context)
    rate = shared.settings.send_rate
    busy = await busy_minute(shared.store, preferences, rate, datetime.now(UTC))
    if busy is None:
        return ""
    minutes = math.ceil(busy.delay / timedelta(minutes=1))
    key = "settings_busy" if busy.quieter else "settings_busy_no_suggestion"
    notice = text(
        key,
        preferences.language,
        time=preferences.digest_time,
        minutes=minutes,
        quieter=busy.quieter or "",
    )
    return "\n\n" + notice


def _saved(schedule: Schedule) -> str:
    language = schedule.preferences.language
    return " ".join(
        part
        for part in (text("settings_saved", language), schedule_line(schedule, language))
        if part
    )
