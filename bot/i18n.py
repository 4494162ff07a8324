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
        "/subscribe – la rassegna ogni giorno, su tutto o sui tuoi temi\n"
        "/help – tutti i comandi",
        "<b>Welcome to Rassegna, {name}!</b>\n"
        "I turn news into short briefings: headline, source and time, the lead, the key quotes "
        "with who said them, related links.\n\n"
        "/latest – the newest stories\n"
        "/topic ukraine – the briefing on a topic\n"
        "/topics – today's topics\n"
        "/subscribe – a daily digest, of everything or your topics\n"
        "/help – every command",
    ),
    "help": (
        "<b>Comandi</b>\n"
        "/latest – le ultime notizie, una per storia. Esempio: <code>/latest 10</code>\n"
        "/topic &lt;parole&gt; – la sintesi più pertinente e altri titoli. "
        "Esempio: <code>/topic nato kursk</code>\n"
        "/topics – i temi più citati nelle ultime 24 ore\n"
        "/quotes &lt;nome&gt; – le ultime citazioni di una persona o di un'organizzazione, "
        "per nome o per ruolo. Esempio: <code>/quotes rutte</code>\n"
        "/subscribe &lt;temi&gt; – la rassegna quotidiana sui temi, separati da virgole; "
        "da solo, su tutte le notizie. Esempio: <code>/subscribe ucraina, corea del nord</code>\n"
        "/unsubscribe &lt;tema&gt; – smetti di seguirlo; da solo, tutti (con conferma)\n"
        "/subscriptions – i temi che segui, con un pulsante per toglierli\n"
        "/settings – ora, fuso orario, lingua della rassegna. "
        "Esempio: <code>/settings time 07:30</code>\n"
        "/digest – la tua rassegna adesso; quella quotidiana resta com'è\n"
        "/help – questo messaggio\n\n"
        "In chat privata basta scrivere un tema, per esempio <code>manovra</code>.\n"
        "In qualunque chat: <code>@{bot} ucraina</code> per condividere una sintesi.",
        "<b>Commands</b>\n"
        "/latest – the newest stories, one per story. Example: <code>/latest 10</code>\n"
        "/topic &lt;words&gt; – the best matching briefing and more headlines. "
        "Example: <code>/topic nato kursk</code>\n"
        "/topics – the most mentioned topics of the last 24 hours\n"
        "/quotes &lt;name&gt; – the newest quotes by a person or organisation, "
        "by name or by role. Example: <code>/quotes rutte</code>\n"
        "/subscribe &lt;topics&gt; – a daily digest on the topics, comma-separated; "
        "alone, on all the news. Example: <code>/subscribe ukraine, north korea</code>\n"
        "/unsubscribe &lt;topic&gt; – stop following it; alone, all of them (confirmed first)\n"
        "/subscriptions – the topics you follow, each with a remove button\n"
        "/settings – digest time, time zone, language. "
        "Example: <code>/settings time 07:30</code>\n"
        "/digest – your digest now; the daily one stays as it is\n"
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
    # -- quotes by a person (handlers/quotes.py)
    "quotes_usage": (
        "Di chi? Scrivi un nome o un ruolo, per esempio <code>/quotes rutte</code>.",
        "Whose? Send a name or a role, for example <code>/quotes rutte</code>.",
    ),
    "quotes_heading": ("<b>Citazioni di «{name}»</b>", "<b>Quotes by “{name}”</b>"),
    "quotes_not_found": ("Nessuna citazione di «{name}».", "No quotes by “{name}”."),
    "quotes_suggestions": ("I più citati della settimana:", "The most quoted this week:"),
    "quotes_no_more": ("Non ci sono altre citazioni.", "There are no more quotes."),
    "command_quotes": ("citazioni di una persona", "quotes by a person"),
    # -- end of quotes
    "command_latest": ("le ultime notizie", "the newest stories"),
    "command_topic": ("la sintesi su un tema", "the briefing on a topic"),
    "command_topics": ("i temi del giorno", "today's topics"),
    "command_help": ("tutti i comandi, con esempi", "every command, with examples"),
    "command_start": ("presentazione", "introduction"),
    # Subscriptions, /settings and digests.
    # -- subscriptions and /settings (bot/subscriptions.py, handlers/subscribe.py, settings.py)
    "sub_everything": ("tutte le notizie", "all the news"),
    "sub_added": ("Ora segui: {topics}.", "You now follow: {topics}."),
    "sub_already": ("Seguivi già: {topics}.", "You already followed: {topics}."),
    "sub_rejected_too_long": (
        "Troppo lungo (al massimo {max} caratteri): {topics}.",
        "Too long (at most {max} characters): {topics}.",
    ),
    "sub_rejected_no_words": (
        "Nessuna parola da cercare in: {topics}. Esempio: <code>/subscribe ucraina, nato</code>",
        "No words to search for in: {topics}. Example: <code>/subscribe ukraine, nato</code>",
    ),
    "sub_rejected_too_many": (
        "Al massimo {max} temi per chat; non aggiunti: {topics}. "
        "Togline qualcuno con <code>/unsubscribe tema</code>.",
        "At most {max} topics per chat; not added: {topics}. "
        "Remove some with <code>/unsubscribe topic</code>.",
    ),
    "sub_next_digest": (
        "Rassegna ogni giorno alle {time} ({zone}); la prossima il {when}.",
        "A digest every day at {time} ({zone}); the next on {when}.",
    ),
    "sub_digest_off": (
        "La rassegna quotidiana è spenta: riaccendila con <code>/settings digest on</code>.",
        "The daily digest is off: turn it on with <code>/settings digest on</code>.",
    ),
    "sub_removed": ("Non segui più: {topics}.", "You no longer follow: {topics}."),
    "sub_not_followed": ("Non seguivi: {topics}.", "You did not follow: {topics}."),
    "sub_none": (
        "Non segui nessun tema. Esempi: <code>/subscribe</code> per tutte le notizie, "
        "<code>/subscribe ucraina, nato</code> per dei temi.",
        "You follow no topic. Examples: <code>/subscribe</code> for all the news, "
        "<code>/subscribe ukraine, nato</code> for some topics.",
    ),
    "sub_confirm_all": (
        "Smettere di seguire tutti i {count} temi? Non riceverai più la rassegna.",
        "Stop following all {count} topics? You will get no more digests.",
    ),
    "sub_confirm_yes": ("Sì, tutti", "Yes, all"),
    "sub_confirm_no": ("No, lascia stare", "No, keep them"),
    "sub_removed_all": (
        "Fatto: non segui più nessun tema e non riceverai la rassegna.",
        "Done: you follow no topics and will get no digest.",
    ),
    "sub_kept": ("Va bene, non cambia nulla.", "All right, nothing changes."),
    "sub_list_heading": (
        "<b>Segui {count} temi</b>\nTocca un tema per smettere di seguirlo.",
        "<b>You follow {count} topics</b>\nTap a topic to stop following it.",
    ),
    "sub_remove_button": ("✕ {topic}", "✕ {topic}"),
    "sub_gone": ("Non seguivi più questo tema.", "You had already stopped following that."),
    "sub_admins_only": (
        "In un gruppo solo gli amministratori possono cambiare temi e impostazioni.",
        "In a group only administrators may change topics and settings.",
    ),
    "sub_channel_added": (
        "Il canale «{channel}» ora segue: {topics}.",
        "The channel “{channel}” now follows: {topics}.",
    ),
    "sub_channel_not_admin": (
        "Solo gli amministratori del bot possono iscrivere un canale.",
        "Only the bot's administrators may subscribe a channel.",
    ),
    "sub_offer": (
        "Vuoi ricevere ogni giorno le notizie su «{topic}»?",
        "Would you like the news on “{topic}” every day?",
    ),
    "sub_offer_button": ("🔔 Segui «{topic}»", "🔔 Follow “{topic}”"),
    "settings_overview": (
        "<b>Impostazioni</b>\n"
        "Rassegna quotidiana: {digest}, alle {time}\n"
        "Fuso orario: {zone}\n"
        "Se non c'è nulla di nuovo: {empty}\n"
        "Lingua: italiano\n\n"
        "Usa i pulsanti o scrivi per esempio <code>/settings time 07:30</code>, "
        "<code>/settings zone Milano</code>, <code>/settings digest off</code>, "
        "<code>/settings empty off</code>, <code>/settings language en</code>.",
        "<b>Settings</b>\n"
        "Daily digest: {digest}, at {time}\n"
        "Time zone: {zone}\n"
        "When there is nothing new: {empty}\n"
        "Language: English\n\n"
        "Use the buttons or send for example <code>/settings time 07:30</code>, "
        "<code>/settings zone London</code>, <code>/settings digest off</code>, "
        "<code>/settings empty off</code>, <code>/settings language it</code>.",
    ),
    "settings_on": ("attiva", "on"),
    "settings_off": ("spenta", "off"),
    "settings_empty_on": ("una riga per dirlo", "one line saying so"),
    "settings_empty_off": ("nessun messaggio", "no message"),
    "settings_digest_button_on": ("🔔 Accendi", "🔔 Turn on"),
    "settings_digest_button_off": ("🔕 Spegni", "🔕 Turn off"),
    "settings_language_button": ("🇬🇧 English", "🇮🇹 Italiano"),
    "settings_saved": ("Salvato.", "Saved."),
    "settings_busy": (
        "⏳ Alle {time} tanti ricevono la rassegna: la tua può arrivare con circa {minutes} "
        "minuti di ritardo. Alle {quieter} arriverebbe puntuale: "
        "<code>/settings time {quieter}</code>",
        "⏳ Many digests go out at {time}: yours may come about {minutes} minutes late. "
        "At {quieter} it would be on time: <code>/settings time {quieter}</code>",
    ),
    "settings_busy_no_suggestion": (
        "⏳ Alle {time} tanti ricevono la rassegna: la tua può arrivare con circa {minutes} "
        "minuti di ritardo.",
        "⏳ Many digests go out at {time}: yours may come about {minutes} minutes late.",
    ),
    "settings_bad_time": (
        "«{value}» non è un orario. Esempio: <code>/settings time 07:30</code>",
        "“{value}” is not a time of day. Example: <code>/settings time 07:30</code>",
    ),
    "settings_bad_zone": (
        "Non conosco il fuso orario «{value}». Scrivi un nome IANA o una città, per esempio "
        "<code>/settings zone Europe/Rome</code> o <code>/settings zone Milano</code>.",
        "I don't know the time zone “{value}”. Send an IANA name or a city, for example "
        "<code>/settings zone Europe/London</code> or <code>/settings zone New York</code>.",
    ),
    "settings_bad_switch": (
        "«{value}» non è on né off. Esempio: <code>/settings digest off</code>",
        "“{value}” is neither on nor off. Example: <code>/settings digest off</code>",
    ),
    "settings_bad_language": (
        "Lingue disponibili: it, en. Esempio: <code>/settings language en</code>",
        "Available languages: it, en. Example: <code>/settings language it</code>",
    ),
    "settings_unknown": (
        "Non conosco l'impostazione «{value}». Si possono cambiare time, zone, digest, empty "
        "e language; per esempio <code>/settings time 07:30</code>.",
        "There is no setting “{value}”. You can change time, zone, digest, empty and "
        "language; for example <code>/settings time 07:30</code>.",
    ),
    "settings_missing_value": (
        "Manca il valore. Esempio: <code>/settings {name} {example}</code>",
        "The value is missing. Example: <code>/settings {name} {example}</code>",
    ),
    "command_subscribe": ("segui un tema ogni giorno", "follow a topic every day"),
    "command_unsubscribe": ("smetti di seguire un tema", "stop following a topic"),
    "command_subscriptions": ("i temi che segui", "the topics you follow"),
    "command_settings": ("ora, fuso, lingua della rassegna", "digest time, zone, language"),
    # -- end of subscriptions and /settings
    # -- digests (bot/digests.py, handlers/digest.py)
    "digest_heading": ("<b>La tua rassegna</b>", "<b>Your digest</b>"),
    "digest_other_sources": ("Anche su", "Also in"),
    "digest_nothing_new": ("Niente di nuovo sui tuoi temi.", "Nothing new on your topics."),
    "digest_quote_marks": ("«»", "“”"),
    "digest_no_subscriptions": (
        "Non segui ancora nessun tema. Scrivi <code>/subscribe</code> per tutte le notizie "
        "o <code>/subscribe ucraina</code> per un tema, poi <code>/digest</code>.",
        "You do not follow any topic yet. Send <code>/subscribe</code> for all the news "
        "or <code>/subscribe ukraine</code> for one topic, then <code>/digest</code>.",
    ),
    "digest_usage": (
        "<code>/digest</code> non vuole altro: manda la tua rassegna adesso.",
        "<code>/digest</code> takes nothing else: it sends your digest now.",
    ),
    "command_digest": ("la tua rassegna adesso", "your digest now"),
    "digest_more_button": ("Altre notizie ›", "More ›"),
    "digest_more_links": ("Altre notizie", "More"),
    "digest_more_heading": ("<b>Altre notizie della rassegna</b>", "<b>More from your digest</b>"),
    "digest_more_gone": (
        "Questa rassegna non è più disponibile.",
        "This digest is no longer available.",
    ),
    # -- end of digests
    # Admin commands and feed alerts.
    "admin_feeds_empty": (
        "Nessun feed. Aggiungine uno con <code>/addfeed URL</code>.",
        "No feeds. Add one with <code>/addfeed URL</code>.",
    ),
    "admin_feeds_heading": ("<b>Feed ({count})</b>", "<b>Feeds ({count})</b>"),
    "admin_feed_line": (
        "#{id} <b>{name}</b> – {status}\n{url}\nUltimo successo: {success} · articoli: {articles}",
        "#{id} <b>{name}</b> – {status}\n{url}\nLast success: {success} · articles: {articles}",
    ),
    "admin_feed_last_error": (
        "Ultimo errore ({when}): <i>{error}</i>",
        "Last error ({when}): <i>{error}</i>",
    ),
    "admin_status_active": ("attivo", "active"),
    "admin_status_paused": ("in pausa", "paused"),
    "admin_never": ("mai", "never"),
    "admin_feed_added": (
        "Feed aggiunto: #{id} <b>{name}</b>\n{url}",
        "Feed added: #{id} <b>{name}</b>\n{url}",
    ),
    "admin_feed_removed": (
        "Feed rimosso: #{id} <b>{name}</b>. I suoi articoli restano.",
        "Feed removed: #{id} <b>{name}</b>. Its articles stay.",
    ),
    "admin_feed_paused": (
        "Feed in pausa: #{id} <b>{name}</b>. <code>/resumefeed {id}</code> lo riattiva.",
        "Feed paused: #{id} <b>{name}</b>. <code>/resumefeed {id}</code> resumes it.",
    ),
    "admin_feed_resumed": (
        "Feed riattivato: #{id} <b>{name}</b>. Lo leggo subito.",
        "Feed resumed: #{id} <b>{name}</b>. I will read it now.",
    ),
    "admin_feed_exists": (
        "Questo feed c'è già: #{id} <b>{name}</b>.",
        "That feed is already there: #{id} <b>{name}</b>.",
    ),
    "admin_feed_not_found": (
        "Nessun feed «{key}». /feeds elenca quelli che ci sono.",
        "No feed “{key}”. /feeds lists the ones there are.",
    ),
    "admin_not_a_feed": (
        "{url} non è un feed RSS, Atom o JSON.",
        "{url} is not an RSS, Atom or JSON feed.",
    ),
    "admin_not_a_feed_try": (
        "{url} non è un feed RSS, Atom o JSON. La pagina indica questo feed: {suggestion}",
        "{url} is not an RSS, Atom or JSON feed. The page points to this feed: {suggestion}",
    ),
    "admin_feed_failed": (
        "Non ho potuto leggere il feed: {reason}",
        "Could not read the feed: {reason}",
    ),
    "admin_url_not_allowed": (
        "Indirizzo rifiutato: porta a una rete locale o privata ({reason}).",
        "Address refused: it leads to a local or private network ({reason}).",
    ),
    "admin_url_too_long": (
        "Indirizzo troppo lungo: {length} caratteri, al massimo {max}.",
        "Address too long: {length} characters, at most {max}.",
    ),
    "admin_not_a_url": (
        "«{value}» non è un indirizzo http:// o https://.",
        "“{value}” is not an http:// or https:// address.",
    ),
    "admin_addfeed_usage": (
        "Scrivi <code>/addfeed URL [nome]</code>, per esempio "
        "<code>/addfeed https://www.example.it/rss.xml Esempio</code>.",
        "Send <code>/addfeed URL [name]</code>, for example "
        "<code>/addfeed https://www.example.com/rss.xml Example</code>.",
    ),
    "admin_feed_usage": (
        "Scrivi <code>/{command} ID</code> oppure <code>/{command} URL</code>: "
        "/feeds elenca id e indirizzi.",
        "Send <code>/{command} ID</code> or <code>/{command} URL</code>: "
        "/feeds lists ids and addresses.",
    ),
    "admin_ingest_usage": (
        "Scrivi <code>/ingest URL</code> con l'indirizzo di un articolo.",
        "Send <code>/ingest URL</code> with the address of an article.",
    ),
    "admin_ingest_is_feed": (
        "{url} è un feed, non un articolo: per seguirlo usa <code>/addfeed</code>.",
        "{url} is a feed, not an article: to follow it use <code>/addfeed</code>.",
    ),
    "admin_ingest_failed": (
        "Non ho potuto importare {url}: {reason}",
        "Could not import {url}: {reason}",
    ),
    "admin_ingested_new": ("Articolo aggiunto: <b>{title}</b>", "Article added: <b>{title}</b>"),
    "admin_ingested_updated": (
        "Articolo aggiornato: <b>{title}</b>",
        "Article updated: <b>{title}</b>",
    ),
    "admin_ingested_duplicate": (
        "Articolo già presente: <b>{title}</b>",
        "Article already there: <b>{title}</b>",
    ),
    "admin_stats": (
        "<b>Statistiche</b>\n"
        "Articoli: {articles} ({stories} storie)\n"
        "Feed: {feeds} ({active} attivi, {paused} in pausa, {failing} con errori)\n"
        "Iscritti: {subscribers}\n"
        "Rassegne inviate oggi: {digests}\n"
        "Messaggi inviati dall'avvio: {messages}\n"
        "Errori di Telegram dall'avvio: {errors}{kinds}",
        "<b>Statistics</b>\n"
        "Articles: {articles} ({stories} stories)\n"
        "Feeds: {feeds} ({active} active, {paused} paused, {failing} failing)\n"
        "Subscribers: {subscribers}\n"
        "Digests sent today: {digests}\n"
        "Messages sent since start: {messages}\n"
        "Telegram errors since start: {errors}{kinds}",
    ),
    "admin_feed_paused_alert": (
        "⚠️ Il feed #{id} <b>{name}</b> è in pausa dopo {failures} errori di fila.\n"
        "{url}\nUltimo errore: <i>{error}</i>\n"
        "Quando è sistemato: <code>/resumefeed {id}</code>",
        "⚠️ Feed #{id} <b>{name}</b> is paused after {failures} failures in a row.\n"
        "{url}\nLast error: <i>{error}</i>\n"
        "Once it is fixed: <code>/resumefeed {id}</code>",
    ),
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
