"""What the bot says, in Italian and English: one table, one lookup.

Strings are Telegram HTML. ``text`` escapes every value it formats in, because those values are
headlines, topics and whatever a user typed; the markup in the table itself is ours.
"""

from __future__ import annotations

from bot.core.telegram_html import escape

LANGUAGES = ("it", "en")

# key → (Italian, English)
_TABLE: dict[str, tuple[str, str]] = {
    "welcome": (
        "<b>Benvenuto in Rassegna, {name}!</b>\n"
        "Trasformo le notizie in brevi sintesi: titolo, fonte e ora, l'attacco del pezzo, "
        "le citazioni chiave con chi le ha dette, i link correlati.\n\n"
        "/latest – le ultime notizie\n"
        "/topic ucraina – la sintesi su un tema\n"
        "/topics – i temi del giorno\n"
        "/help – tutti i comandi",
        "<b>Welcome to Rassegna, {name}!</b>\n"
        "I turn news into short briefings: headline, source and time, the lead, the key quotes "
        "with who said them, related links.\n\n"
        "/latest – the newest stories\n"
        "/topic ukraine – the briefing on a topic\n"
        "/topics – today's topics\n"
        "/help – every command",
    ),
    "help": (
        "<b>Comandi</b>\n"
        "/latest – le ultime notizie, una per storia. Esempio: <code>/latest 10</code>\n"
        "/topic &lt;parole&gt; – la sintesi più pertinente e altri titoli. "
        "Esempio: <code>/topic nato kursk</code>\n"
        "/topics – i temi più citati nelle ultime 24 ore\n"
        "/help – questo messaggio\n\n"
        "In chat privata basta scrivere un tema, per esempio <code>manovra</code>.\n"
        "In qualunque chat: <code>@{bot} ucraina</code> per condividere una sintesi.",
        "<b>Commands</b>\n"
        "/latest – the newest stories, one per story. Example: <code>/latest 10</code>\n"
        "/topic &lt;words&gt; – the best matching briefing and more headlines. "
        "Example: <code>/topic nato kursk</code>\n"
        "/topics – the most mentioned topics of the last 24 hours\n"
        "/help – this message\n\n"
        "In a private chat just type a topic, for example <code>budget</code>.\n"
        "In any chat: <code>@{bot} ukraine</code> to share a briefing.",
    ),
    "latest_heading": ("<b>Ultime notizie</b>", "<b>Latest news</b>"),
    "latest_empty": (
        "Non ci sono ancora notizie. Riprova più tardi.",
        "There is no news yet. Try again later.",
    ),
    "latest_no_more": ("Non ci sono altre notizie.", "There is no more news."),
    "latest_usage": (
        "Scrivi <code>/latest</code> oppure <code>/latest N</code> con N da 1 a {max}.",
        "Send <code>/latest</code> or <code>/latest N</code> with N from 1 to {max}.",
    ),
    "more": ("Altre ›", "More ›"),
    "previous": ("‹ Precedenti", "‹ Previous"),
    "briefing_button": ("Briefing {number}", "Briefing {number}"),
    "topic_ask": (
        "Su quale tema? Scrivi per esempio <code>/topic ucraina</code> o scegli qui sotto.",
        "Which topic? Send for example <code>/topic ukraine</code> or pick one below.",
    ),
    "topic_ask_no_trends": (
        "Su quale tema? Scrivi per esempio <code>/topic ucraina</code>.",
        "Which topic? Send for example <code>/topic ukraine</code>.",
    ),
    "topic_not_found": (
        "Nessuna notizia su «{topic}».",
        "No news about “{topic}”.",
    ),
    "topic_suggestions": (
        "Prova uno di questi temi:",
        "Try one of these topics:",
    ),
    "topic_more_heading": ("<b>Altro su «{topic}»</b>", "<b>More on “{topic}”</b>"),
    "topics_heading": (
        "<b>I temi del giorno</b>\nTocca un tema per la sintesi.",
        "<b>Today's topics</b>\nTap a topic for its briefing.",
    ),
    "topics_empty": (
        "Nessun tema ancora: non ci sono notizie recenti.",
        "No topics yet: there is no recent news.",
    ),
    "unknown_command": (
        "Non conosco questo comando. /help elenca quelli disponibili.",
        "I don't know that command. /help lists the ones I have.",
    ),
    "stale_button": (
        "Questo pulsante non è più valido: chiedi di nuovo.",
        "This button has expired: please ask again.",
    ),
    "article_gone": (
        "Questa notizia non è più disponibile.",
        "This story is no longer available.",
    ),
    "apology": (
        "Scusa, qualcosa è andato storto. Riprova tra poco.",
        "Sorry, something went wrong. Please try again shortly.",
    ),
    "inline_no_results": ("Nessuna notizia su questo tema", "No news on this topic"),
    "command_latest": ("le ultime notizie", "the newest stories"),
    "command_topic": ("la sintesi su un tema", "the briefing on a topic"),
    "command_topics": ("i temi del giorno", "today's topics"),
    "command_help": ("tutti i comandi, con esempi", "every command, with examples"),
    "command_start": ("presentazione", "introduction"),
    # Subscriptions, /settings and digests.
    # Admin commands and feed alerts.
}


def text(key: str, language: str, /, **values: object) -> str:
    """The string ``key`` in ``language`` (English for any language but Italian).

    Every value is escaped for Telegram HTML before it is formatted in.
    """
    italian, english = _TABLE[key]
    template = italian if language == "it" else english
    if not values:
        return template
    return template.format(**{name: escape(str(value)) for name, value in values.items()})


def supported_language(language_code: str | None, default: str) -> str:
    """The interface language for a Telegram ``language_code`` ("it", "en-GB", None...)."""
    if language_code:
        primary = language_code.replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return default if default in LANGUAGES else LANGUAGES[0]
