"""Who is speaking: reporting verbs, names, roles and news outlets in Italian and English prose.

``bot.core.quotes`` finds the quoted text and the words around it; this module reads those
words. It knows the language, not any article: the reporting verbs of both languages (their
inflections generated from the infinitive), the words that make a role ("ministro",
"Secretary General"), the outlets that are never speakers ("la Tass", "Reuters"), and how a
name is written (capitalised words, lower-case particles as in "von der Leyen").

A phrase is read into a ``SpeakerRef``; the article's ``Cast`` (every full name it mentions, with
the role given next to it) then turns "Rutte" into "Mark Rutte, Segretario generale della Nato"
wherever in the article the full name appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import NamedTuple, TypeAlias

# ---------------------------------------------------------------------------------------------
# Reporting verbs
# ---------------------------------------------------------------------------------------------


def _word_list(text: str, separator: str | None = None) -> tuple[str, ...]:
    """Word lists are written as text: long lexicons read better as prose than as literals."""
    return tuple(text.split(separator))


_IT_ARE_VERBS = _word_list(
    "dichiarare affermare spiegare sottolineare precisare commentare osservare annunciare "
    "replicare twittare attaccare incalzare tuonare ricordare assicurare denunciare avvisare "
    "evidenziare rilevare notare continuare raccontare rivelare confermare annotare "
    "puntualizzare esclamare domandare rimarcare ironizzare accusare sbottare protestare "
    "lamentare postare obiettare sintetizzare argomentare rassicurare rilanciare chiosare "
    "segnalare confidare esortare auspicare proclamare giurare minacciare confessare "
    "cinguettare rimproverare attestare comunicare"
)
# -ire verbs: True when they take -isc- ("ribadisce"), False when not ("avverte").
_IT_IRE_VERBS = {
    "ribadire": True,
    "chiarire": True,
    "smentire": True,
    "garantire": True,
    "ammonire": True,
    "esordire": True,
    "riferire": True,
    "scandire": True,
    "suggerire": True,
    "avvertire": False,
    "proseguire": False,
}
# Irregular verbs: participle, present (3rd sing., 3rd plur.), remote past, gerund, imperfect.
_IT_IRREGULAR_FORMS = (
    "dire detto dice dicono disse dicendo diceva",
    "aggiungere aggiunto aggiunge aggiungono aggiunse aggiungendo aggiungeva",
    "concludere concluso conclude concludono concluse concludendo concludeva",
    "ammettere ammesso ammette ammettono ammise ammettendo ammetteva",
    "rispondere risposto risponde rispondono rispose rispondendo rispondeva",
    "scrivere scritto scrive scrivono scrisse scrivendo scriveva",
    "insistere insistito insiste insistono insistette insistendo insisteva",
    "sostenere sostenuto sostiene sostengono sostenne sostenendo sosteneva",
    "chiedere chiesto chiede chiedono chiese chiedendo chiedeva",
    "promettere promesso promette promettono promise promettendo prometteva",
    "ribattere ribattuto ribatte ribattono ribatté ribattendo ribatteva",
    "premettere premesso premette premettono premise premettendo premetteva",
    "riconoscere riconosciuto riconosce riconoscono riconobbe riconoscendo riconosceva",
    "riprendere ripreso riprende riprendono riprese riprendendo riprendeva",
)
# "ha fatto sapere", "ha tagliato corto": reporting verbs of more than one word.
_IT_PHRASAL = (
    "rende noto",
    "reso noto",
    "fa sapere",
    "fanno sapere",
    "fatto sapere",
    "fece sapere",
    "faceva sapere",
    "facendo sapere",
    "taglia corto",
    "tagliano corto",
    "tagliato corto",
    "tagliò corto",
)
_IT_AUXILIARIES = _word_list(
    "ha hanno aveva avevano avrebbe avrebbero abbia ebbe avrà è era sarebbe sono avesse"
)
_IT_CLITICS = ("gli", "le", "ci", "mi", "ti", "vi", "si")


def _italian_forms() -> tuple[set[str], set[str]]:
    """Finite, participle and gerund forms of the Italian verbs, and their infinitives."""
    forms: set[str] = set()
    infinitives: set[str] = set()
    for verb in _IT_ARE_VERBS:
        stem = verb[:-3]
        forms.update(stem + ending for ending in ("ato", "a", "ano", "ò", "ando", "ava", "avano"))
        infinitives.add(verb)
    for verb, takes_isc in _IT_IRE_VERBS.items():
        stem = verb[:-3]
        present = ("isce", "iscono") if takes_isc else ("e", "ono")
        forms.update(stem + ending for ending in ("ito", *present, "ì", "endo", "iva", "ivano"))
        infinitives.add(verb)
    for row in _IT_IRREGULAR_FORMS:
        infinitive, *inflected = row.split()
        forms.update(inflected)
        infinitives.add(infinitive)
    return forms, infinitives


_EN_REGULAR_VERBS = _word_list(
    "add explain warn note insist argue claim declare state announce stress emphasise "
    "emphasize reply respond answer ask admit acknowledge continue conclude observe comment "
    "remark recall urge predict post confirm deny suggest complain concede counter retort "
    "joke quip boast vow pledge promise reiterate underline maintain contend assert allege "
    "caution tweet insist exclaim add recount reveal report assure charge scoff"
)
_EN_DOUBLING = {"admit": "admitt", "quip": "quipp", "commit": "committ"}
_EN_IRREGULAR_FORMS = (
    "say said says saying",
    "tell told tells telling",
    "write wrote writes writing written",
    "put puts putting",
)
_EN_PHRASAL = (
    "pointed out",
    "points out",
    "went on",
    "goes on",
    "put it",
)
_EN_AUXILIARIES = ("has", "have", "had", "would", "will", "later", "then")


def _english_forms() -> set[str]:
    """Base, -s, -ed and -ing forms of the English verbs."""
    forms: set[str] = set()
    for verb in _EN_REGULAR_VERBS:
        doubled = _EN_DOUBLING.get(verb, verb)
        if verb.endswith("e"):
            past, gerund = verb + "d", verb[:-1] + "ing"
        elif verb.endswith("y") and verb[-2] not in "aeiou":
            past, gerund = verb[:-1] + "ied", verb + "ing"
        else:
            past, gerund = doubled + "ed", doubled + "ing"
        if verb.endswith("y") and verb[-2] not in "aeiou":
            third = verb[:-1] + "ies"
        elif verb.endswith(("s", "sh", "ch", "x", "z")):
            third = verb + "es"
        else:
            third = verb + "s"
        forms.update((verb, third, past, gerund))
    for row in _EN_IRREGULAR_FORMS:
        forms.update(row.split())
    return forms


_IT_VERB_FORMS, _IT_INFINITIVES = _italian_forms()
_EN_VERB_FORMS = _english_forms()
# Single words that are reporting verbs: they end a role phrase read backwards from a name.
VERB_WORDS = frozenset(_IT_VERB_FORMS | _EN_VERB_FORMS)


_Trie: TypeAlias = "dict[str, _Trie]"


def _alternation(words: Iterable[str]) -> str:
    """A regex matching any of the words, as a trie: "dic(?:e(?:ndo|va)?|ono)".

    A flat alternation of a thousand verb forms makes the regex engine try each in turn at every
    position (over a millisecond per paragraph); the trie shares prefixes and fails fast. Longer
    words are preferred to their prefixes ("dicendo" over "dice").
    """
    trie: _Trie = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: _Trie) -> str:
    branches = [
        re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body


_IT_ADVERBS = _word_list(
    "poi|anche|inoltre|quindi|ancora|già|infatti|però|invece|subito|ieri|oggi|stamani|"
    "stamattina|stasera|sempre|spesso|chiaramente|duramente|testualmente|ufficialmente|"
    "pubblicamente|successivamente|infine|dunque|allora|più volte|ancora una volta|"
    "a sua volta|tra l'altro|tra l’altro|in seguito",
    separator="|",
)
_EN_ADVERBS = _word_list(
    "also then later earlier again previously recently repeatedly simply flatly bluntly "
    "firmly quietly publicly once further finally today yesterday tonight"
)
ADVERBS = _alternation(_IT_ADVERBS + _EN_ADVERBS)
_ADVERB_WORDS = frozenset(word.lower() for word in _IT_ADVERBS + _EN_ADVERBS if " " not in word)

_VERB_CORE = _alternation([*_IT_VERB_FORMS, *_EN_VERB_FORMS, *_IT_PHRASAL, *_EN_PHRASAL])
# "ha voluto sottolineare", "ha tenuto a precisare", "è tornato a ribadire", "went on to say".
_MODAL = (
    r"(?:(?:ha|hanno|aveva)\s+(?:voluto|tenuto\s+a)|(?:è|era)\s+tornat[oa]\s+a|"
    r"went\s+on\s+to|wanted\s+to)"
)
_INFINITIVES = _alternation([*_IT_INFINITIVES, *_EN_REGULAR_VERBS, "say", "tell", "write"])
_AUXILIARY = _alternation([*_IT_AUXILIARIES, *_EN_AUXILIARIES])
_CLITIC = _alternation(_IT_CLITICS)
# One reporting verb with its auxiliary, clitic and adverbs: "gli ha poi detto", "has said",
# "ha voluto sottolineare", "spiega", "told". Case-insensitive, names elsewhere are not.
REPORTING_VERB = (
    rf"(?<![\w'’])(?i:(?:(?:{_CLITIC})\s+)?"
    rf"(?:{_MODAL}(?:\s+(?:{ADVERBS}))*\s+(?:{_INFINITIVES})"
    rf"|(?:(?:{_AUXILIARY})\s+(?:(?:{ADVERBS})\s+)*)?(?:{_VERB_CORE})))(?![\w'’])"
)

# ---------------------------------------------------------------------------------------------
# Word classes
# ---------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ROLE_WORDS = _words(
    # Italian
    "segretario segretaria presidente presidentessa premier ministro ministra viceministro "
    "viceministra sottosegretario sottosegretaria sindaco sindaca governatore governatrice "
    "assessore assessora senatore senatrice deputato deputata parlamentare eurodeputato "
    "eurodeputata consigliere consigliera commissario commissaria cancelliere cancelliera "
    "portavoce leader capo capogruppo direttore direttrice amministratore ceo fondatore "
    "fondatrice generale ammiraglio colonnello comandante procuratore procuratrice giudice "
    "magistrato avvocato avvocata ambasciatore ambasciatrice inviato inviata papa pontefice "
    "re regina principe principessa cardinale vescovo arcivescovo rettore professore "
    "professoressa docente ricercatore ricercatrice economista analista esperto esperta "
    "allenatore tecnico ct capitano attaccante difensore centrocampista portiere pilota "
    "coordinatore coordinatrice responsabile vicepresidente vicepremier vicesegretario "
    "rappresentante delegato delegata dirigente manager sindacalista attivista scrittore "
    "scrittrice regista attore attrice cantante medico virologo epidemiologo scienziato "
    "scienziata storico presidenza segreteria numero "
    # English
    "secretary president minister chancellor senator congressman congresswoman "
    "representative governor mayor chief head spokesman spokeswoman spokesperson director "
    "chairman chairwoman chair founder commissioner admiral colonel commander prosecutor "
    "judge justice attorney ambassador envoy pope king queen prince princess bishop "
    "archbishop professor analyst expert coach captain striker defender midfielder "
    "goalkeeper driver deputy vice adviser advisor officer sheriff inspector scientist "
    "researcher author boss executive lawmaker mp mep strategist economist secretary-general "
    "director-general prime foreign home defence defense interior health finance treasury "
    "general chief-executive manager member membro esponente componente titolare operator "
    "candidate candidato candidata ministero fisico fisica chimico chimica matematico "
    "matematica ingegnere architetto architetta insegnante maestro maestra infermiere "
    "infermiera engineer architect teacher lawyer nurse doctor physician surgeon chirurgo "
    "curatore curatrice presentatore presentatrice conduttore conduttrice questore questora "
    "prefetto prefetta rettrice capitana constable"
)
# Professions named by suffix: "economista", "geologist", "virologo", "politician".
_ROLE_SUFFIXES = ("ist", "ista", "isti", "iste", "logo", "loga", "logi", "ologist", "ician")
# Offices the press names in more than one way: "il tecnico" is the coach called "allenatore".
ROLE_SYNONYMS = {
    "tecnico": ("allenatore", "ct", "commissario tecnico", "mister"),
    "allenatore": ("tecnico", "ct", "commissario tecnico", "mister"),
    "allenatrice": ("tecnica", "ct"),
    "premier": ("presidente del consiglio", "prime minister"),
    "governatore": ("presidente della regione",),
    "governatrice": ("presidente della regione",),
    "coach": ("manager", "head coach"),
    "manager": ("coach", "head coach", "boss"),
    "boss": ("manager", "chief executive"),
}
# Abbreviated roles the press uses for a person named in full elsewhere: "il pm".
ROLE_ABBREVIATIONS = {
    "pm": "pubblico ministero",
    "gip": "giudice per le indagini preliminari",
    "ad": "amministratore delegato",
    "ct": "commissario tecnico",
    "dg": "direttore generale",
    "ceo": "chief executive",
}


def is_role_word(word: str) -> bool:
    """A word (as written) that names an office or occupation. The suffix rule ("economista")
    and the abbreviations ("il gip", but not the preposition "ad") apply to lower-case words
    only: "Lindqvist" is a name."""
    lower = word.lower()
    if "-" in lower and any(part in ROLE_WORDS for part in lower.split("-")):
        return True  # "vice-chancellor", "co-founder", "ex-ministro"
    return lower in ROLE_WORDS or (
        word.islower()
        and (
            (len(word) > 5 and word.endswith(_ROLE_SUFFIXES))
            or (word in ROLE_ABBREVIATIONS and word not in COMPLEMENT_PREPOSITIONS)
        )
    )


# Before a name, these are neither part of it nor a role.
HONORIFICS = _words(
    "mr mrs ms miss dr sir dame lord lady sig sig.ra sigra signor signora dott dottor "
    "dottoressa on avv prof ing mons don"
)
PRONOUNS = _words("he she they lui lei egli ella loro essi esse")
ARTICLES = _words("il lo la i gli le l' l’ un uno una un' un’ the a an")
# Prepositions that make a name part of a role: "della Nato", "of State".
OF_PREPOSITIONS = _words("di del dello della dei degli delle dell' dell’ d' d’ of for")
# Prepositions that open a complement after a verb or a head noun: "ai giornalisti".
COMPLEMENT_PREPOSITIONS = _words(
    "a ad ai al alla allo agli alle all' all’ in nel nella nello nei negli nelle nell' nell’ "
    "su sul sulla sui sugli sulle sull' sull’ con col da dal dalla dai dagli dalle dall' dall’ "
    "durante davanti tramite via dopo prima to at on during after before with from by per"
)
# Words that end a speaker phrase: a relative clause, a conjunction, a time clause.
PHRASE_BOUNDARIES = _words(
    "che cui chi who which that whose mentre while quando when "
    "perché because ma but e ed and o or se if come as citando citing parlando speaking"
)
# Sentence adverbs and connectors that can precede a subject ("Poi Rutte ha detto").
CONNECTORS = _words(
    "poi ma e ed anche inoltre quindi intanto infine oggi ieri stamani allora però invece "
    "then but and also later meanwhile finally today yesterday so now ora adesso"
)
# Quantities that open a speaker phrase like an article: "two officials", "alcuni residenti".
QUANTIFIERS = _words(
    "some many most few several two three four five due tre quattro cinque alcuni alcune "
    "diversi diverse numerosi numerose"
)
# Capitalised words that are never names: sentence-initial function words, days, months.
NOT_NAMES = _words(
    "il lo la i gli le l' l’ un uno una un' un’ the a an this that these those in on at per con "
    "ma e poi però anche secondo according but and then oggi ieri domani intanto dopo prima "
    "he she they we it i lui lei noi loro è era sono there here if se come as when quando "
    "lunedì martedì mercoledì giovedì venerdì sabato domenica monday tuesday wednesday "
    "thursday friday saturday sunday gennaio febbraio marzo aprile maggio giugno luglio "
    "agosto settembre ottobre novembre dicembre january february march april may june july "
    "august september october november december nel nella dal dalla sul sulla al alla "
    "questo questa quello quella our while after before ecco così cosi già "
    "signor signora da di dal dalla dai dagli dalle dallo su sui tra fra from with for to by "
    "of during speaking parlando quanto tuttavia eppure insomma qui lì ora adesso "
    "non nessuno tutti chi cosa perché dove anzi infatti inoltre invece oltre proprio solo "
    "soltanto sempre mai forse certo però dunque quindi allora nemmeno neanche neppure "
    "however meanwhile still yet only even also although though because since until unless "
    "what who why where how whether nobody everyone everybody people persone asked "
    "ne ci vi davanti dietro sotto sopra dentro fuori accanto lungo oltre verso presso "
    + " ".join(QUANTIFIERS)
)
# Particles inside a name: "Ursula von der Leyen", "Charles de Gaulle". Not the Italian
# prepositions "da", "al" ("Rossi al Corriere").
NAME_PARTICLES = _words("von van der den de du dos das bin ibn ter")
_ITALIAN_PARTICLES = _words("lo la li de di del della dal dalla da")
# A capitalised run containing one of these is an institution, not a person.
INSTITUTION_WORDS = _words(
    "casa bianca white house street kremlin cremlino pentagon pentagono farnesina quirinale "
    "palazzo chigi viminale ministry ministero commission commissione council consiglio "
    "government governo police polizia army esercito office department dipartimento agency "
    "agenzia authority autorità court corte tribunale procura union unione nato onu ue eu "
    "bank banca fed parliament parlamento senate senato camera congress congresso "
    "comune regione region party partito federation federazione club fc ac ssc university "
    "università istituto institute ospedale hospital questura prefettura provincia college "
    "collegio charity foundation fondazione association associazione committee comitato"
)
# Nouns that make an unnamed speaker: "il portavoce", "the ministry", "una fonte".
SPEAKER_NOUNS = _words(
    "portavoce ministero governo fonte fonti funzionario funzionari funzionaria ufficio "
    "nota comunicato dipartimento procura polizia carabinieri questura prefettura azienda "
    "società gruppo sindacato sindacati partito opposizione maggioranza esecutivo "
    "amministrazione ambasciata ambienti residente residenti testimone testimoni abitante "
    "abitanti vicino vicini dirigenti analisti esperti osservatori diplomatico diplomatici "
    "medici inquirenti investigatori agenti militari manifestanti cittadini persona persone "
    "uomo donna ragazzo ragazza commerciante negoziante passante genitore madre padre studente "
    "studentessa lavoratore lavoratrice operaio operaia pensionato pensionata turista tifoso "
    "cliente paziente volontario volontaria soccorritore sopravvissuto vittima familiare "
    "person people man woman shopkeeper trader parent mother father student worker pensioner "
    "tourist fan customer patient volunteer survivor victim relative insider aide "
    "ministry government source sources official officials spokesperson spokesman spokeswoman "
    "office department police company group union party opposition administration embassy "
    "witness witnesses resident residents neighbour neighbor analysts experts observers "
    "diplomat diplomats doctors investigators officers protesters statement kremlin "
    "cremlino pentagon pentagono palace palazzo commission commissione"
)
# Newspapers, agencies and broadcasters: they publish quotes, they are not speakers.
OUTLETS = frozenset(
    name.lower()
    for name in (
        "Ansa",
        "Adnkronos",
        "Agi",
        "LaPresse",
        "Tass",
        "Ria Novosti",
        "Ria",
        "Interfax",
        "Reuters",
        "AP",
        "Associated Press",
        "AFP",
        "Bloomberg",
        "BBC",
        "CNN",
        "Corriere",
        "Corriere della Sera",
        "Repubblica",
        "La Repubblica",
        "Stampa",
        "La Stampa",
        "Messaggero",
        "Il Messaggero",
        "Fatto Quotidiano",
        "Il Fatto Quotidiano",
        "Sole 24 Ore",
        "Il Sole 24 Ore",
        "Giornale",
        "Il Giornale",
        "Libero",
        "Avvenire",
        "Foglio",
        "Il Foglio",
        "Post",
        "Il Post",
        "Rai",
        "Tg1",
        "Tg2",
        "Tg3",
        "TG24",
        "Sky TG24",
        "Sky News",
        "Sky",
        "Mediaset",
        "La7",
        "Dazn",
        "Radio 24",
        "Rtl 102.5",
        "Guardian",
        "The Guardian",
        "Times",
        "The Times",
        "Financial Times",
        "New York Times",
        "The New York Times",
        "Washington Post",
        "The Washington Post",
        "Wall Street Journal",
        "The Wall Street Journal",
        "Politico",
        "Axios",
        "Le Monde",
        "Spiegel",
        "Der Spiegel",
        "Bild",
        "El País",
        "Al Jazeera",
        "Fox News",
        "NBC",
        "CBS",
        "ABC",
        "NPR",
        "ITV",
        "Channel 4",
        "Telegraph",
        "The Telegraph",
        "Independent",
        "The Independent",
        "Daily Mail",
        "Xinhua",
        "Yonhap",
        "Kyodo",
        "Ukrinform",
        "Kyiv Independent",
        "Izvestia",
        "Kommersant",
        "RT",
        "Euronews",
        "CNBC",
        "Gazzetta dello Sport",
        "Gazzetta",
        "Corriere dello Sport",
        "Tuttosport",
        "Le Figaro",
        "El Mundo",
    )
)
OUTLET_NOUNS = _words(
    "agenzia quotidiano giornale tg telegiornale radio emittente tv televisione rete "
    "settimanale rivista testata network newspaper agency broadcaster tabloid magazine "
    "channel outlet paper microfoni"
)

# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|[^\w\s]")
# Italian elisions split off their word ("dell’Europa" → "dell’", "Europa"); English possessives
# and names such as "O'Brien" or "D'Alema" stay whole.
_ELISIONS = frozenset(
    _word_list("l dell dall nell sull all coll un quest quell trall tral d c s m t v n")
) | {"L", "Dell", "Dall", "Nell", "Sull", "All", "Coll", "Un", "Quest", "Quell"}
_APOSTROPHE = re.compile(r"['’]")


class Token(NamedTuple):
    """A word or punctuation mark with its place in the text it came from."""

    text: str
    lower: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()


_new_token = tuple.__new__  # skips NamedTuple's Python-level __new__: tokenizing is hot
_make_token = partial(tuple.__new__, Token)
_match_text = re.Match.group
_match_start = re.Match.start
_match_end = re.Match.end


def tokenize(text: str) -> list[Token]:
    """Words and punctuation marks. Built with C-level maps over the regex matches (tokenizing
    is the hot path of speaker reading); only words with an apostrophe get a second look."""
    matches = list(_TOKEN.finditer(text))
    words = list(map(_match_text, matches))
    tokens = list(
        map(
            _make_token,
            zip(
                words,
                map(str.lower, words),
                map(_match_start, matches),
                map(_match_end, matches),
                strict=True,
            ),
        )
    )
    if "'" not in text and "’" not in text:
        return tokens
    split: list[Token] = []
    for token in tokens:
        word, _, start, end = token
        if "'" in word or "’" in word:
            apostrophe = _APOSTROPHE.search(word)
            if apostrophe and word[: apostrophe.start()] in _ELISIONS:
                cut = apostrophe.end()
                elided = word[:cut]
                split.append(_new_token(Token, (elided, elided.lower(), start, start + cut)))
                word, start = word[cut:], start + cut
                token = _new_token(Token, (word, word.lower(), start, end))
        split.append(token)
    return split


def _is_initial(tokens: Sequence[Token], index: int) -> bool:
    """ "J" in "J. D. Vance": one capital letter followed by a full stop."""
    token = tokens[index]
    return (
        len(token.text) == 1
        and token.text.isupper()
        and index + 2 < len(tokens)
        and tokens[index + 1].text == "."
        and tokens[index + 2].text[0].isupper()
    )


def is_name_word(token: Token) -> bool:
    """A capitalised word that can be part of a person's name."""
    text = token.text
    if not text[0].isupper() or not text[0].isalpha():
        return False
    lower = token.lower
    if lower in NOT_NAMES or lower in ROLE_WORDS or lower in HONORIFICS or lower[-1] in "'’":
        return False  # an elided article or preposition ("Dall'", "Nell'") is no name
    # Acronyms (NATO, UE, TG24) are organisations; "MPs" is a plural acronym.
    return not (len(text) > 1 and (text.isupper() or (text[:-1].isupper() and text[-1] == "s")))


@dataclass(frozen=True, slots=True)
class NameRun:
    """Consecutive name words: token indexes [start, end)."""

    start: int
    end: int


def _is_particle(token: Token) -> bool:
    """ "von der" in "Ursula von der Leyen"; inside a name, also the capitalised Italian
    particles of "Salvatore Lo Cascio", "Luigi Di Maio", "Graziano Del Rio"."""
    if token.text.islower():
        return token.lower in NAME_PARTICLES
    return token.lower in _ITALIAN_PARTICLES and token.text[0].isupper()


def _past_particles(tokens: Sequence[Token], index: int) -> int:
    """The index of the name word after a run of particles starting at ``index`` (``index``
    itself when there is none), or -1 when the particles lead to no name word."""
    end = index
    while end < len(tokens) and _is_particle(tokens[end]):
        end += 1
    if end == index:
        return index
    return end if end < len(tokens) and is_name_word(tokens[end]) else -1


_SURNAME_OPENERS = _words("de di del della")  # "De Santis", "Di Cosmo", "Della Monica"
_MID_SENTENCE_SURNAME_OPENERS = _words("lo la li")  # "ha detto La Russa", not "La Nato"


def _opens_a_surname(tokens: Sequence[Token], index: int) -> bool:
    """A capitalised particle that starts a surname: "ha aggiunto [Di] Cosmo". Mid-sentence an
    Italian preposition or article is written in lower case, so the capital tells."""
    lower = tokens[index].lower
    mid_sentence = index > 0 and tokens[index - 1].text not in ".!?:;«»“”\"'‘’-–—("
    if lower not in _SURNAME_OPENERS and not (
        mid_sentence and lower in _MID_SENTENCE_SURNAME_OPENERS
    ):
        return False
    return index + 1 < len(tokens) and is_name_word(tokens[index + 1])


def name_runs(tokens: Sequence[Token]) -> list[NameRun]:
    """Every maximal run of name words, particles and initials."""
    runs: list[NameRun] = []
    index = 0
    count = len(tokens)
    while index < count:
        token = tokens[index]
        if token.text[0].isupper():
            if not (
                is_name_word(token) or _is_initial(tokens, index) or _opens_a_surname(tokens, index)
            ):
                index += 1
                continue
            end = index + 1
        elif token.lower in NAME_PARTICLES and _past_particles(tokens, index) > index:
            end = _past_particles(tokens, index) + 1  # "von der Leyen" without a first name
        else:
            index += 1
            continue
        while end < count:
            if _is_initial(tokens, end):
                end += 2
            elif (tokens[end].text == "." and _is_initial(tokens, end - 1)) or is_name_word(
                tokens[end]
            ):
                end += 1
            else:
                name_word = _past_particles(tokens, end)
                if name_word <= end:
                    break
                end = name_word + 1
        runs.append(NameRun(index, end))
        index = end
    return runs


def _is_institution(tokens: Sequence[Token], run: NameRun) -> bool:
    words = {token.lower for token in tokens[run.start : run.end]}
    text = " ".join(token.lower for token in tokens[run.start : run.end])
    return bool(words & INSTITUTION_WORDS) or text in OUTLETS


def person_in_run(tokens: Sequence[Token], run: NameRun) -> NameRun | None:
    """The person's name inside a run, or None when the run names something else.

    A one-word run right after "della"/"of" belongs to a role ("ministro degli Esteri"); in a
    run of three words or more after a preposition the last two are the person ("della Nato
    Mark Rutte", "ai Trasporti Luca Neri"). A run followed by a
    role word is a modifier ("Nato Secretary General", "Kremlin spokesman"); one after an
    article is a thing or an institution ("the Booker Prize"; Italian "la Meloni" is read as a
    group and matched to the cast later).
    """
    if _modifies_a_role(tokens, run.end):
        return None
    previous = tokens[run.start - 1] if run.start > 0 else None
    if previous is not None and previous.lower in ARTICLES:
        return None  # "the Booker Prize", "la Questura": a thing or an institution
    if previous is not None and previous.text[0].isdigit():
        return None  # "Movimento 5 Stelle", "Formula 1"
    if previous is not None and previous.lower in OF_PREPOSITIONS | COMPLEMENT_PREPOSITIONS:
        words = [i for i in range(run.start, run.end) if tokens[i].text[0].isupper()]
        if len(words) >= 3:
            run = NameRun(words[-2], run.end)
        elif len(words) == 1 and previous.lower in OF_PREPOSITIONS:
            return None
    return None if _is_institution(tokens, run) else run


def _modifies_a_role(tokens: Sequence[Token], index: int) -> bool:
    """Whether a role follows at ``index``, perhaps after two lower-case words, making the name
    before it a modifier: "Nato Secretary General", "Eurofer trade director"."""
    for token in tokens[index : index + 3]:
        if is_role_word(token.text):
            return True
        if not token.is_word or not token.text.islower() or token.lower in _FUNCTION_WORDS:
            return False  # "Rossi ai cronisti": a complement, not a role
    return False


CONJUNCTIONS = _words("e ed and")
_FUNCTION_WORDS = (
    ARTICLES | OF_PREPOSITIONS | COMPLEMENT_PREPOSITIONS | PHRASE_BOUNDARIES | VERB_WORDS
)


# Nouns followed by their name ("la cooperativa Sant'Andrea", "viale Roma"): the name is the
# place's or the body's, never a person's.
_NAMED_BY_WHAT_FOLLOWS = _words(
    "via viale piazza corso largo vicolo strada quartiere cooperativa associazione liceo "
    "scuola istituto ospedale clinica parrocchia chiesa stadio teatro hotel albergo "
    "ristorante bar circolo centro cinema museo festival premio street road avenue square "
    "hospital school church stadium theatre theater"
)


def _names_a_place_or_body(tokens: Sequence[Token], run: NameRun) -> bool:
    return run.start > 0 and tokens[run.start - 1].lower in _NAMED_BY_WHAT_FOLLOWS


def _organisation_in_role(tokens: Sequence[Token], run: NameRun) -> bool:
    """A name after "di" that a person's name follows in apposition: "la presidente di
    [Legambiente Puglia], Annalisa Stea" names where she presides."""
    return (
        run.start > 0
        and tokens[run.start - 1].lower in OF_PREPOSITIONS
        and run.end + 1 < len(tokens)
        and tokens[run.end].text == ","
        and is_name_word(tokens[run.end + 1])
    )


def persons(tokens: Sequence[Token]) -> list[NameRun]:
    """The people among the name runs. A run joined by "and" to a run that is no person is
    none either: "Department of Health and [Social Care]"."""
    found: list[NameRun] = []
    for run in name_runs(tokens):
        person = person_in_run(tokens, run)
        joined_to_other = (
            run.start >= 2
            and tokens[run.start - 1].lower in CONJUNCTIONS
            and tokens[run.start - 2].text[0].isupper()
            and not (found and found[-1].end == run.start - 1)
        )
        if (
            person is not None
            and not joined_to_other
            and not _names_a_place_or_body(tokens, run)
            and not _organisation_in_role(tokens, run)
        ):
            found.append(person)
    return found


def span_text(text: str, tokens: Sequence[Token], start: int, end: int) -> str:
    """The original text of tokens [start, end), as written."""
    return text[tokens[start].start : tokens[end - 1].end]


def name_text(text: str, tokens: Sequence[Token], run: NameRun) -> str:
    return span_text(text, tokens, run.start, run.end)


# ---------------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------------

_ROLE_STOPS = (
    (PHRASE_BOUNDARIES | COMPLEMENT_PREPOSITIONS | VERB_WORDS | NOT_NAMES)
    - ARTICLES
    - OF_PREPOSITIONS
)
_MAX_ROLE_WORDS = 9


def _is_role_at(tokens: Sequence[Token], index: int) -> bool:
    """``is_role_word`` in context: "ad" is a role after an elided article ("l'ad di
    Stellantis"), the preposition otherwise ("ad Atene")."""
    token = tokens[index]
    if token.lower == "ad":
        return index > 0 and tokens[index - 1].lower[-1] in "'’"
    return is_role_word(token.text)


def _has_role_word(tokens: Sequence[Token], start: int, end: int) -> bool:
    return any(_is_role_at(tokens, index) for index in range(start, end))


def _inside_role(tokens: Sequence[Token], index: int) -> bool:
    """Whether the preposition or article at ``index`` joins two parts of one role.

    "assessore [ai] Trasporti", "ministro [per gli] Affari europei", "segretario [della] Nato":
    reading backwards, a role word must come right before the preposition (and its article).
    """
    while index >= 0 and (
        tokens[index].lower in ARTICLES
        or tokens[index].lower in OF_PREPOSITIONS
        or tokens[index].lower in COMPLEMENT_PREPOSITIONS
    ):
        index -= 1
    # Up to two adjectives may sit between: "assessore regionale alla Protezione civile".
    for candidate in range(index, max(0, index - 2) - 1, -1):
        token = tokens[candidate]
        if is_role_word(token.text):
            return True
        if not token.is_word or token.lower in VERB_WORDS or not token.text.islower():
            return False
    return False


def _qualifies_role(tokens: Sequence[Token], index: int) -> bool:
    """Whether the word at ``index`` is an adjective after a role word, even one that looks like
    a participle or a function word: "il procuratore [aggiunto]", "il sindaco [uscente]"."""
    token = tokens[index]
    return (
        index > 0
        and token.text.islower()
        and token.lower not in ARTICLES
        and token.lower not in COMPLEMENT_PREPOSITIONS
        and token.lower not in PHRASE_BOUNDARIES
        and is_role_word(tokens[index - 1].text)
    )


def _opening_apposition(text: str, tokens: Sequence[Token], run: NameRun) -> str | None:
    """A role no lexicon knows, in the sentence-opening apposition news style uses for it:
    "The [coxswain of the Eyemouth lifeboat], Moira Campbell, has…", "Il [titolare del bar],
    Luca Bianchi, racconta…". Only an article, a noun and an "of" phrase qualify."""
    comma = run.start - 1
    if comma < 2 or tokens[comma].text != ",":
        return None
    start = comma
    while start > 0 and tokens[start - 1].is_word and comma - start <= _MAX_ROLE_WORDS:
        start -= 1
    if start > 0 and tokens[start - 1].text not in ".!?:;-–—":
        return None  # not where the sentence starts
    phrase = tokens[start:comma]
    if (
        len(phrase) < 4
        or phrase[0].lower not in ARTICLES
        or not phrase[1].text.islower()
        or phrase[1].lower in _FUNCTION_WORDS
        or phrase[2].lower not in OF_PREPOSITIONS
        or any(token.lower in VERB_WORDS or token.lower in PHRASE_BOUNDARIES for token in phrase)
    ):
        return None
    return span_text(text, tokens, start + 1, comma)


def role_before(text: str, tokens: Sequence[Token], run: NameRun) -> str | None:
    """The role written just before a name: "il [Segretario generale della Nato], Mark Rutte".

    Reads backwards from the name to an article, a verb, a preposition or punctuation; one comma
    right before the name is allowed (apposition). The phrase counts only if it holds a role word.
    """
    index = run.start - 1
    while index >= 0 and tokens[index].lower in HONORIFICS | {"."}:
        index -= 1
    if index >= 0 and tokens[index].text == ",":
        index -= 1
    last = index
    while index >= 0 and last - index < _MAX_ROLE_WORDS:
        token = tokens[index]
        if _is_plural_possessive(tokens, index):
            index -= 1
            continue
        if token.text == "." and index > 0 and _is_initial(tokens, index - 1):
            index -= 1  # "U.S. District Judge"
            continue
        if not token.is_word:
            break
        if _joins_parts(tokens, index) or _is_role_at(tokens, index):
            index -= 1
            continue
        if token.lower in ARTICLES or token.lower in _ROLE_STOPS:
            if _inside_role(tokens, index) or _qualifies_role(tokens, index):
                index -= 1
                continue
            # "Secretary of State": a capitalised word inside a role is never the verb "state";
            # nor, after another capitalised word, the adverb "domani" ("Castelnuovo Domani").
            if not (
                token.text[0].isupper()
                and (
                    token.lower in VERB_WORDS or (index > 0 and tokens[index - 1].text[0].isupper())
                )
            ):
                break
        index -= 1
    first = index + 1
    if not _has_role_word(tokens, first, last + 1):
        return _opening_apposition(text, tokens, run)
    # "le richieste del [pubblico ministero]": what comes before an "of" that precedes every
    # role word is not part of the role.
    first_role = next(i for i in range(first, last + 1) if _is_role_at(tokens, i))
    for i in range(first_role - 1, first - 1, -1):
        if tokens[i].lower in OF_PREPOSITIONS:
            first = i + 1
            break
    while first <= last and tokens[first].lower in OF_PREPOSITIONS:
        first += 1
    return span_text(text, tokens, first, last + 1)


def role_after(text: str, tokens: Sequence[Token], run: NameRun) -> str | None:
    """The role in apposition after a name: "Mark Rutte, [segretario generale della Nato],"."""
    index = run.end
    if index >= len(tokens) or tokens[index].text != ",":
        return None
    index += 1
    after_article = index < len(tokens) and tokens[index].lower in ARTICLES
    if after_article:
        index += 1
    first = index
    while index < len(tokens) and tokens[index].is_word and index - first < _MAX_ROLE_WORDS:
        if tokens[index].lower in VERB_WORDS:
            return None
        if tokens[index].lower in PHRASE_BOUNDARIES:
            break  # "a geologist at Caltech [and] the study's lead author"
        index += 1
    if index == first or not (tokens[first].text[0].islower() or after_article):
        return None  # "Mark Rutte, Kursk": a list; "Maros Sefcovic, the EU's trade commissioner"
    if (
        index < len(tokens)
        and tokens[index].text not in ",.;:)"
        and tokens[index].lower not in PHRASE_BOUNDARIES
    ):
        return None
    if not _has_role_word(tokens, first, index):
        return None
    return span_text(text, tokens, first, index)


# ---------------------------------------------------------------------------------------------
# Reading a speaker phrase
# ---------------------------------------------------------------------------------------------


class SpeakerKind(Enum):
    PERSON = "person"  # a named person: "Mark Rutte", "Rutte"
    PRONOUN = "pronoun"  # "he", "lei": the last named person
    CONTINUATION = "continuation"  # a verb with no subject: "ha aggiunto", the last speaker
    GROUP = "group"  # an institution or unnamed speaker, kept as written: "il portavoce"
    OUTLET = "outlet"  # a newspaper or agency: never the speaker


@dataclass(frozen=True, slots=True)
class SpeakerRef:
    kind: SpeakerKind
    name: str | None = None
    role: str | None = None


CONTINUATION = SpeakerRef(SpeakerKind.CONTINUATION)
_HARD_STOPS = frozenset('.;:!?«»“”"‘’()[]')
_SUBJECT_STOPS = _HARD_STOPS | frozenset("-–—")
_AUDIENCE_NOUNS = _words(
    "giornalisti cronisti microfoni telecamere presenti fan tifosi sostenitori militanti platea "
    "folla reporters journalists press supporters crowd audience fans delegates mps "
    "lawmakers senators deputati senatori parlamentari aula colleagues colleghi"
)
_VERB_LIKE = _words(
    "ha hanno è sono era erano sarà aveva avevano has have had is are was were will would"
)


_LONGEST_OUTLET = max(len(outlet.split()) for outlet in OUTLETS)


def _outlet_length(tokens: Sequence[Token], index: int) -> int:
    """How many tokens from ``index`` name an outlet ("Sky TG24" → 2), 0 if none."""
    for length in range(min(_LONGEST_OUTLET, len(tokens) - index), 0, -1):
        if " ".join(token.lower for token in tokens[index : index + length]) in OUTLETS:
            return length
    return 0


def _english_article(tokens: Sequence[Token], index: int) -> bool:
    """Whether "a" opens an English noun phrase ("said a spokesman for the ministry", "according
    to a senior EU official") rather than an Italian complement ("ha detto a caldo il tecnico",
    "a Mosca il portavoce").

    The Italian complement is followed by the speaker's own article; the English phrase names
    a source itself, and runs to the end or into a prepositional phrase ("for the ministry").
    """
    if tokens[index].lower != "a":
        return False
    end = index + 1
    while end < len(tokens) and tokens[end].lower not in ARTICLES and tokens[end].text != ",":
        end += 1
    runs_on = (
        end == len(tokens)
        or tokens[end].text == ","
        or tokens[end - 1].lower in COMPLEMENT_PREPOSITIONS
        or tokens[end - 1].lower in OF_PREPOSITIONS
    )
    # The source is a common noun ("a Kremlin spokesman"); "a Palazzo Chigi" is a place.
    return runs_on and any(
        token.text.islower() and _names_a_source(token) for token in tokens[index + 1 : end]
    )


def _skip_leading(tokens: list[Token], *, complements: bool) -> list[Token]:
    """Drop leading adverbs/connectors, and (after a verb) audience complements.

    "ai giornalisti il ministro" → "il ministro": a complement runs from its preposition to the
    next article, comma or end; an article right after the preposition belongs to it.
    """
    index = 0
    while index < len(tokens):
        lower = tokens[index].lower
        if lower in CONNECTORS or lower in _ADVERB_WORDS or tokens[index].text == ",":
            index += 1
        elif (
            complements and lower in COMPLEMENT_PREPOSITIONS and not _english_article(tokens, index)
        ):
            index += 1
            if index < len(tokens) and tokens[index].lower in ARTICLES:
                index += 1
            outlet = _outlet_length(tokens, index)
            if outlet:  # "a Repubblica Serena Galli": the outlet ends the complement
                index += outlet
                continue
            while (
                index < len(tokens)
                and tokens[index].lower not in ARTICLES
                and tokens[index].text != ","
            ):
                index += 1
        else:
            break
    return tokens[index:]


def _joins_parts(tokens: Sequence[Token], index: int) -> bool:
    """Whether the conjunction at ``index`` joins two parts of one name or role ("Department of
    Health [and] Social Care", "ministro delle Imprese [e] del made in Italy"), rather than two
    clauses or two people."""
    if tokens[index].lower not in CONJUNCTIONS or not 0 < index < len(tokens) - 1:
        return False
    following = tokens[index + 1]
    if following.lower in OF_PREPOSITIONS:
        return True
    return (
        following.text[0].isupper()
        and tokens[index - 1].text[0].isupper()
        and index >= 2
        and tokens[index - 2].lower in OF_PREPOSITIONS
    )


_GERUND = re.compile(r"[^\W\d_A-Z]\w+(?:ando|endo|ing)")


def _is_abbreviation_dot(tokens: Sequence[Token], index: int) -> bool:
    """The full stop of "U.S." or "J. D. Vance", which ends no sentence."""
    return tokens[index].text == "." and index > 0 and _is_initial(tokens, index - 1)


def _is_plural_possessive(tokens: Sequence[Token], index: int) -> bool:
    """The apostrophe of "the Conservatives’ health spokesman", which closes no quote."""
    token = tokens[index]
    return (
        token.text in "'’"
        and 0 < index < len(tokens) - 1
        and tokens[index - 1].lower.endswith("s")
        and tokens[index - 1].end == token.start
        and tokens[index + 1].start > token.end
    )


def _stops_a_subject(tokens: Sequence[Token], index: int) -> bool:
    return (
        tokens[index].text in _SUBJECT_STOPS
        and not _is_abbreviation_dot(tokens, index)
        and not _is_plural_possessive(tokens, index)
    )


_CLAUSE_OPENERS = _words("which who whose che cui")
_FROM_PREPOSITIONS = _words("da dal dalla dallo dai dagli dalle dall' dall’")


def _without_trailing_clause(tokens: list[Token]) -> list[Token]:
    """A subject without the clause between commas that ends it: "The British Antarctic
    Survey[, which provided logistical support,] said", "Ryan Kessler[, 34,] said"."""
    if len(tokens) < 3 or tokens[-1].text != ",":
        return tokens
    opening = max((i for i in range(len(tokens) - 1) if tokens[i].text == ","), default=-1)
    if opening <= 0:
        return tokens
    first = tokens[opening + 1]
    if first.lower in _CLAUSE_OPENERS or first.text[0].isdigit():
        return tokens[:opening]
    return tokens


def _without_dash_aside(tokens: list[Token]) -> list[Token]:
    """A subject is what comes before the narrator's aside between two dashes: "[Il commissario
    tecnico] – arrivato a Pesaro con due assistenti – non ha voluto commentare"; after the
    aside comes the predicate."""
    dashes = [i for i, token in enumerate(tokens) if token.text in "–—"]
    if len(dashes) < 2 or dashes[-2] == 0:
        return tokens
    return tokens[: dashes[-2]]


def _after_opening_complement(tokens: list[Token]) -> list[Token]:
    """A subject after the time or place phrase that opens its sentence: "In serata [il
    portavoce della Questura]", "Durante la conferenza [il questore]"."""
    if not tokens or not tokens[0].text[0].isupper():
        return tokens
    opening = tokens[0].lower
    if (
        opening not in COMPLEMENT_PREPOSITIONS
        or opening in OF_PREPOSITIONS
        or _english_article(tokens, 0)  # "A spokesman for the union"
    ):
        return tokens
    start = 2 if len(tokens) > 1 and tokens[1].lower in ARTICLES else 1
    for index in range(start + 1, len(tokens)):
        if tokens[index].lower in ARTICLES:
            return tokens[index:]
        if not tokens[index].is_word:
            break
    if opening in _FROM_PREPOSITIONS and len(tokens) > 1 and _names_a_source(tokens[1]):
        return tokens[1:]  # "Dal ministero dell'Università hanno fatto sapere"
    return tokens


def _after_introductory_clause(tokens: list[Token]) -> list[Token]:
    """A subject after the clause that opens its sentence: "Asked how many beds would be
    needed, [a spokeswoman for the department]", "Dopo la riunione, [il ministro]". Only
    a determined phrase counts, so an apposition ("Mark Rutte, segretario generale") stays."""
    commas = [i for i, token in enumerate(tokens) if token.text == ","]
    if commas and commas[-1] + 1 < len(tokens):
        following = tokens[commas[-1] + 1].lower
        if following in ARTICLES or following in QUANTIFIERS or following == "one":
            return tokens[commas[-1] + 1 :]
    return tokens


def _cut(tokens: list[Token], *, post_verb: bool) -> list[Token]:
    """Keep the phrase up to the first hard stop, clause boundary or stray comma.

    A subject is read from its last sentence or dash onwards ("08:05 - Il presidente ...").
    """
    if not post_verb:
        tokens = _without_trailing_clause(_without_dash_aside(tokens))
        stops = [i for i in range(len(tokens)) if _stops_a_subject(tokens, i)]
        if stops:
            tokens = tokens[stops[-1] + 1 :]
        tokens = _after_opening_complement(_after_introductory_clause(tokens))
    for index, token in enumerate(tokens):
        if (
            token.text in _HARD_STOPS
            and not _is_abbreviation_dot(tokens, index)
            and not _is_plural_possessive(tokens, index)
        ) or (index > 0 and token.lower in PHRASE_BOUNDARIES and not _joins_parts(tokens, index)):
            return tokens[:index]
        if (index == 0 or tokens[index - 1].text == ",") and _GERUND.match(token.text):
            return tokens[:index]  # "ha aggiunto, annunciando un tavolo": a clause, no subject
        if post_verb and token.text == "," and index + 1 < len(tokens):
            following = tokens[index + 1]
            if not (
                is_name_word(following)
                or following.lower in ARTICLES
                or following.lower in ROLE_WORDS
                or following.text[0].islower()
            ):
                return tokens[:index]
    return tokens


def _group_phrase(text: str, tokens: list[Token], *, post_verb: bool) -> SpeakerRef | None:
    """An unnamed speaker or institution, as written: "il portavoce del Cremlino".

    After a verb any phrase opened by an article is the inverted subject ("ha detto la madre di
    una delle vittime"); before a verb the phrase must name an office, an institution or a
    kind of source ("the Russian Defence Ministry", "un funzionario", "NATO").
    """
    determined = bool(tokens) and (
        tokens[0].lower in ARTICLES or tokens[0].lower in QUANTIFIERS or tokens[0].lower == "one"
    )
    one_of_many = False
    if tokens and tokens[0].lower == "one":
        # "one Labour MP", "one of the officials": the determiner is not part of the speaker.
        one_of_many = [t.lower for t in tokens[1:3]] == ["of", "the"]
        tokens = tokens[3:] if one_of_many else tokens[1:]
    end = 0
    while end < len(tokens):
        token = tokens[end]
        lower = token.lower
        if token.text == "," or lower in _VERB_LIKE or lower in VERB_WORDS or lower in _NEGATIONS:
            break  # "Il tecnico [non si è sbilanciato]"
        if (
            end > 0
            and lower in COMPLEMENT_PREPOSITIONS
            and lower not in OF_PREPOSITIONS
            and tokens[end - 1].lower not in OF_PREPOSITIONS  # "un residente di [via] Roma"
            and not _describes_the_source(tokens, end)
        ):
            # "vicina all'Eurotower" and "assessore ai Trasporti" belong to the phrase; "ai
            # giornalisti", "a Sky Sport", "al Corriere", "in a statement" do not.
            following = tokens[end + 1] if end + 1 < len(tokens) else None
            if (
                not lower.startswith("a")
                or lower in ("a", "ad", "at")
                or following is None
                or following.lower in _AUDIENCE_NOUNS
                or following.lower in OUTLETS
            ):
                break
        end += 1
    if end == 0:
        return None
    phrase = tokens[:end]
    content = [
        token for token in phrase if token.lower not in ARTICLES and token.lower not in QUANTIFIERS
    ]
    if not content:
        return None
    lowered = " ".join(token.lower for token in content)
    if (
        content[0].lower in OUTLET_NOUNS
        or lowered in OUTLETS
        or any(lowered.startswith(outlet + " ") for outlet in _MULTIWORD_OUTLETS)
    ):
        return SpeakerRef(SpeakerKind.OUTLET)
    head = content[0]
    if post_verb:
        is_speaker = determined or any(_names_a_source(token) for token in content)
    else:
        # Before a verb the phrase must open on its head: "the Russian Defence Ministry",
        # "Il ministro", not "rivolto alla premier".
        is_speaker = (
            _names_a_source(head) or is_name_word(head) or bool(_EPITHET.match(head.lower))
        ) and (
            any(_names_a_source(token) or _EPITHET.match(token.lower) for token in content)
            or (determined and _is_proper_name(content))  # "The British Antarctic Survey"
        )
    if (
        not is_speaker
        or sum(token.is_word for token in phrase) > _MAX_GROUP_WORDS
        or any(token.lower in _REFLEXIVE_POSSESSIVES for token in phrase)
    ):
        return None  # "ha ammesso [le proprie responsabilità]" is what he admitted
    name = _one_of(text, phrase) if one_of_many else span_text(text, phrase, 0, len(phrase))
    return SpeakerRef(SpeakerKind.GROUP, name)


def _one_of(text: str, phrase: Sequence[Token]) -> str:
    """ "one of the EU officials" speaks as "EU official": the source noun made singular."""
    for token in phrase:
        for ending in ("es", "s"):
            singular = token.lower.removesuffix(ending)
            if token.lower.endswith(ending) and singular in SPEAKER_NOUNS:
                return (
                    text[phrase[0].start : token.start]
                    + token.text[: -len(ending)]
                    + text[token.end : phrase[-1].end]
                )
    return span_text(text, phrase, 0, len(phrase))


# Words after which a preposition still describes a source: "a person familiar with the
# matter", "a source close to the talks", "an official with direct knowledge of the plans".
_SOURCE_QUALIFIERS = _words("familiar close closely briefed involved")
_KNOWLEDGE = _words("knowledge direct")


def _describes_the_source(tokens: Sequence[Token], index: int) -> bool:
    """Whether the preposition at ``index`` belongs to the source's description."""
    following = tokens[index + 1].lower if index + 1 < len(tokens) else ""
    return tokens[index - 1].lower in _SOURCE_QUALIFIERS or (
        tokens[index].lower == "with" and following in _KNOWLEDGE
    )


_MAX_GROUP_WORDS = 10
_REFLEXIVE_POSSESSIVES = _words("proprio propria propri proprie")
_NEGATIONS = _words("non si ne not never")


def _is_proper_name(tokens: Sequence[Token]) -> bool:
    """Capitalised words, perhaps joined by "of" or "della": an organisation's name."""
    return len(tokens) > 1 and all(
        token.text[0].isupper() or token.lower in OF_PREPOSITIONS
        for token in tokens
        if token.is_word
    )


def _names_a_source(token: Token) -> bool:
    """An office, a kind of source, an institution or an acronym ("NATO", "SFO")."""
    return (
        is_role_word(token.text)
        or token.lower in SPEAKER_NOUNS
        or token.lower in INSTITUTION_WORDS
        or (len(token.text) > 1 and token.text.isupper() and token.text.isalpha())
    )


# Epithets for someone just named: "l'argentino", "il ventitreenne", "the 21-year-old".
_EPITHET = re.compile(r"^(?:\w+(?:ese|ino|ina|ano|ana|enne|olo|ola)|\d+-year-old|veteran)$")
_MULTIWORD_OUTLETS = tuple(outlet for outlet in OUTLETS if " " in outlet)


def _outlet_run(tokens: Sequence[Token], run: NameRun) -> bool:
    lowered = " ".join(token.lower for token in tokens[run.start : run.end])
    return lowered in OUTLETS or lowered.split()[0] in OUTLETS


def read_speaker(text: str, *, subject: bool) -> SpeakerRef | None:
    """Read the phrase that names a speaker.

    ``subject`` is True for the words before a reporting verb ("Il ministro Tajani ha detto"),
    False for the words after it ("ha detto il ministro Tajani ai giornalisti"). An empty
    phrase is a continuation of the last speaker; a phrase that names nobody is None.
    """
    tokens = _cut(_skip_leading(tokenize(text), complements=not subject), post_verb=not subject)
    if not tokens:
        return CONTINUATION
    if tokens[0].lower in PRONOUNS and (len(tokens) == 1 or not is_name_word(tokens[1])):
        return SpeakerRef(SpeakerKind.PRONOUN)
    for run in _not_after_preposition(tokens, persons(tokens)):
        if _fronted_predicate(tokens, run):
            continue
        if _outlet_run(tokens, run):
            return SpeakerRef(SpeakerKind.OUTLET)
        name = name_text(text, tokens, run)
        role = role_before(text, tokens, run) or role_after(text, tokens, run)
        return SpeakerRef(SpeakerKind.PERSON, name, role)
    return _group_phrase(text, tokens, post_verb=not subject)


def _fronted_predicate(tokens: Sequence[Token], run: NameRun) -> bool:
    """One capitalised word opening the phrase, then an article: the Italian predicate put
    first ("Amaro il tecnico della Vis", "Soddisfatto il sindaco"), not a name."""
    return run.start == 0 and run.end == 1 and len(tokens) > 1 and tokens[1].lower in ARTICLES


def _not_after_preposition(tokens: Sequence[Token], runs: list[NameRun]) -> list[NameRun]:
    """Drop names inside a prepositional phrase ("con Zelensky", "in Leeds"): not subjects."""
    return [
        run
        for run in runs
        if run.start == 0
        or tokens[run.start - 1].lower not in COMPLEMENT_PREPOSITIONS
        or tokens[run.start - 1].lower in OF_PREPOSITIONS
    ]


# ---------------------------------------------------------------------------------------------
# The article's cast: full names and roles
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _CastMember:
    name: str
    words: tuple[str, ...]
    role: str | None


_LAST_WORD = re.compile(r"[^\W\d_][\w'’.-]*(?=[\s,]*$)")


def _tells_more_about(paragraph: str, surname: str) -> bool:
    """Whether the surname stands somewhere in the paragraph next to something that tells more
    about it: a first name, particle or title before it, or an apposition comma after it. Only
    such paragraphs are worth reading for the cast."""
    position = paragraph.find(surname)
    while position >= 0:
        end = position + len(surname)
        whole_word = (position == 0 or not paragraph[position - 1].isalnum()) and (
            end == len(paragraph) or not paragraph[end].isalnum()
        )
        if whole_word:
            before = _LAST_WORD.search(paragraph, max(0, position - 40), position)
            previous = before.group() if before else ""
            if (
                previous[:1].isupper()
                or previous in NAME_PARTICLES
                or is_role_word(previous)
                or paragraph[end : end + 1] == ","
            ):
                return True
        position = paragraph.find(surname, end)
    return False


# An acronym: two to six capitals ("SFO", "NATO"), or a capital and one or two lower-case
# letters as Italian papers write them ("Bce", "Oms", "Ue"; a longer word such as "Lega" is
# more likely a name than an acronym).
_ACRONYM = re.compile(r"[A-Z]{2,6}|[A-Z][a-z]{1,2}")
_SKIPPED_BY_ACRONYMS = OF_PREPOSITIONS | _words("and e ed the per for")


def _initials_end(tokens: Sequence[Token], start: int, initials: str) -> int:
    """Where the words from ``start`` whose initials spell ``initials`` end, or 0 if they
    don't: "Federal Bureau of Investigation" spells "fbi", "Organizzazione mondiale della
    sanità" spells "oms"."""
    spelled = 0
    for index in range(start, len(tokens)):
        token = tokens[index]
        if not token.is_word:
            return 0
        if spelled and token.lower in _SKIPPED_BY_ACRONYMS:
            continue
        if token.lower[0] != initials[spelled]:
            return 0
        spelled += 1
        if spelled == len(initials):
            return index + 1
    return 0


def _reads_as_a_name(tokens: Sequence[Token], start: int, end: int) -> bool:
    """Whether words spelling an acronym are a name, not a sentence that happens to begin with
    the same letters ("Senior managers agreed"): capitalised in mid-sentence ("la Banca
    centrale europea"), or every word capitalised ("Serious Fraud Office")."""
    if start > 0 and tokens[start - 1].text not in _SENTENCE_OPENERS:
        return True
    return all(
        t.text[0].isupper() for t in tokens[start:end] if t.lower not in _SKIPPED_BY_ACRONYMS
    )


_SENTENCE_OPENERS = frozenset(".!?…:;«»“”\"'‘’()-–—")


def _proper_name_around(tokens: Sequence[Token], index: int) -> tuple[int, int]:
    """The capitalised words around ``index``, with the linking words between them ("of",
    "della", "and"): the whole of "Royal College of Nursing" from "College", of "University
    and College Union" from "Union"."""

    def capitalised(position: int) -> bool:
        return 0 <= position < len(tokens) and tokens[position].text[0].isupper()

    def linking(position: int) -> bool:
        return 0 <= position < len(tokens) and (
            tokens[position].lower in OF_PREPOSITIONS or tokens[position].lower in CONJUNCTIONS
        )

    start = index
    while capitalised(start - 1) or (linking(start - 1) and capitalised(start - 2)):
        start -= 1 if capitalised(start - 1) else 2
    while start < index and tokens[start].lower in NOT_NAMES:
        start += 1  # "The", "Secondo"
    end = index + 1
    while capitalised(end) or (linking(end) and capitalised(end + 1)):
        end += 1 if capitalised(end) else 2
    return start, end


class Cast:
    """The people an article names, with the role written next to them.

    A surname anywhere ("ha concluso Rutte") resolves to the fullest name anywhere, before or
    after ("il Segretario generale della Nato, Mark Rutte"). Everything is lazy and cached: a
    paragraph is tokenized and its names read only when a lookup needs it, and at most once,
    which keeps speaker resolution off the hot path of ingestion.
    """

    def __init__(self, paragraphs: Sequence[str]) -> None:
        self._paragraphs = paragraphs
        self._read: dict[int, tuple[list[Token], list[_CastMember], list[NameRun]]] = {}
        self._by_surname: dict[str, list[_CastMember]] = {}
        self._by_office: dict[str, list[tuple[int, _CastMember]]] = {}

    def _paragraph(self, index: int) -> tuple[list[Token], list[_CastMember], list[NameRun]]:
        """A paragraph's tokens, and the people it names with their roles."""
        if index not in self._read:
            text = self._paragraphs[index]
            tokens = tokenize(text)
            runs = persons(tokens)
            members = [
                _CastMember(
                    name_text(text, tokens, run),
                    tuple(t.text for t in tokens[run.start : run.end] if t.text != "."),
                    role_before(text, tokens, run) or role_after(text, tokens, run),
                )
                for run in runs
            ]
            self._read[index] = (tokens, members, runs)
        return self._read[index]

    def _members_where(self, word: str) -> Iterator[tuple[int, _CastMember]]:
        """The people named in the paragraphs that contain ``word`` (any case), with the
        paragraph that names them."""
        for index, paragraph in enumerate(self._paragraphs):
            if word in paragraph.lower():
                yield from ((index, member) for member in self._paragraph(index)[1])

    def _with_surname(self, surname: str) -> list[_CastMember]:
        """The mentions of people with this surname, read up to the first full name with a
        role: news style gives the full name and office at the first mention, so reading on
        rarely adds anything and would cost a tokenizing pass per paragraph."""
        if surname not in self._by_surname:
            found: list[_CastMember] = []
            for index, paragraph in enumerate(self._paragraphs):
                if not _tells_more_about(paragraph, surname):
                    continue
                found += (m for m in self._paragraph(index)[1] if m.words[-1] == surname)
                if any(len(m.words) > 1 and m.role for m in found):
                    break
            self._by_surname[surname] = found
        return self._by_surname[surname]

    def resolve(self, name: str) -> tuple[str, str | None]:
        """The fullest name sharing this name's surname and words, and its fullest role."""
        words = tuple(token.text for token in tokenize(name) if token.is_word)
        if not words:
            return name, None
        best: _CastMember | None = None
        roles: list[str] = []
        for member in self._with_surname(words[-1]):
            if not set(words) <= set(member.words):
                continue
            if best is None or len(member.words) > len(best.words):
                best = member
            if member.role:
                roles.append(member.role)
        by_first_name = self._by_first_name(words) if best is None or len(best.words) == 1 else None
        if by_first_name:
            return by_first_name
        if best is None:
            return name, None
        return best.name, max(roles, key=len) if roles else None

    def _by_first_name(self, words: tuple[str, ...]) -> tuple[str, str | None] | None:
        """ "Derek" → "Derek Haslam": a feature's first-name mention of the one person the
        article names in full with that first name."""
        if len(words) != 1:
            return None
        found = {
            (member.name, member.role)
            for _, member in self._members_where(words[0].lower())
            if len(member.words) > 1 and member.words[0] == words[0]
        }
        return found.pop() if len({name for name, _ in found}) == 1 else None

    def is_known_name(self, word: str) -> bool:
        """Whether the article confirms a word as a name: a fuller name ends with it, or it is
        capitalised in mid-sentence somewhere."""
        if self.resolve(word)[0] != word:
            return True
        for paragraph in self._paragraphs:
            position = paragraph.find(word, 1)
            while position > 0:
                previous = position - 1
                while previous > 0 and paragraph[previous].isspace():
                    previous -= 1
                if paragraph[previous].islower() or paragraph[previous] == ",":
                    return True
                position = paragraph.find(word, position + 1)
        return False

    def subject_before(self, paragraph: int, start: int, end: int) -> str | None:
        """Who "she said" refers to after the narration paragraph[start:end]: the first person
        named (the subject) in the last sentence there that names anyone ("Proietti, arrivata
        in corso Vannucci, predica prudenza").

        A lone capitalised word opening a sentence ("Soddisfatto il capitano", "Every system")
        counts only when the rest of the article confirms it is a name.
        """
        tokens, members, runs = self._paragraph(paragraph)
        found = [
            (run, member)
            for run, member in zip(runs, members, strict=True)
            if tokens[run.start].start >= start
            and tokens[run.end - 1].end <= end
            and (
                run.start == 0
                or tokens[run.start - 1].lower not in COMPLEMENT_PREPOSITIONS
                or tokens[run.start - 1].lower in OF_PREPOSITIONS
            )
            and (
                len(member.words) > 1
                or (run.start > 0 and tokens[run.start - 1].text not in ".!?-–—:")
                or self.is_known_name(member.name)
            )
        ]
        if not found:
            return None
        last_run = found[-1][0]
        sentence_start = max(
            (i for i in range(last_run.start) if tokens[i].text in ".!?"), default=-1
        )
        return next(member.name for run, member in found if run.start > sentence_start)

    def person_with_surname(self, phrase: str) -> tuple[str, str | None] | None:
        """ "la Meloni" → ("Giorgia Meloni", role) when the article names her in full."""
        words = [t for t in tokenize(phrase) if t.lower not in ARTICLES]
        if len(words) != 1 or not words[0].text[0].isupper():
            return None
        name, role = self.resolve(words[0].text)
        return (name, role) if name != words[0].text else None

    def spelled_out(self, phrase: str) -> str | None:
        """ "the SFO" → "Serious Fraud Office", "la Bce" → "Banca centrale europea": the name an
        acronym stands for, when the article spells it out (news style does at the first
        mention, then uses the acronym). Found by initials, skipping "of", "della" and the like;
        the spelled-out name must start with a capital, so a run of common words never
        matches."""
        words = [t for t in tokenize(phrase) if t.lower not in ARTICLES]
        if len(words) != 1 or not _ACRONYM.fullmatch(words[0].text):
            return None
        initials = words[0].lower
        for index in range(len(self._paragraphs)):
            if words[0].text[0] not in self._paragraphs[index]:
                continue
            tokens = self._paragraph(index)[0]
            for start, token in enumerate(tokens):
                if token.text[0] == words[0].text[0] and token.lower != initials:
                    end = _initials_end(tokens, start, initials)
                    if end and _reads_as_a_name(tokens, start, end):
                        return span_text(self._paragraphs[index], tokens, start, end)
        return None

    def organisation_named(self, phrase: str, *, up_to: int) -> str | None:
        """ "the college" → "Royal College of Nursing": the last name, by paragraph
        ``up_to``, of which the noun is a word, written with its capital. An office ("il
        ministro") names a person, never an organisation."""
        words = [t for t in tokenize(phrase) if t.is_word]
        if (
            len(words) != 2
            or words[0].lower not in ARTICLES
            or not words[1].text.islower()
            or is_role_word(words[1].text)
        ):
            return None
        wanted = words[1].text.capitalize()
        for index in range(min(up_to, len(self._paragraphs) - 1), -1, -1):
            if wanted not in self._paragraphs[index]:
                continue
            tokens = self._paragraph(index)[0]
            for position in range(len(tokens) - 1, -1, -1):
                if tokens[position].text == wanted:
                    start, end = _proper_name_around(tokens, position)
                    if end - start > 1:
                        return span_text(self._paragraphs[index], tokens, start, end)
        return None

    def person_with_role(self, phrase: str, *, up_to: int) -> tuple[str, str] | None:
        """The one person named by paragraph ``up_to`` whose role starts with this phrase ("il
        Segretario generale"). An epithet points back: "il tecnico" is not the other coach
        that the article introduces later."""
        words = [t.lower for t in tokenize(phrase) if t.lower not in ARTICLES]
        if not words:
            return None
        wanted = " ".join(ROLE_ABBREVIATIONS.get(word, word) for word in words)
        if not any(is_role_word(word) for word in wanted.split()):
            return None  # "NATO" is not an office, even if "NATO Secretary General" is
        office = wanted.split()[0]
        if office not in self._by_office:
            self._by_office[office] = list(self._members_where(office))
        matches = {
            (member.name, member.role)
            for paragraph, member in self._by_office[office]
            if paragraph <= up_to
            and member.role is not None
            and len(member.words) > 1
            and member.role.lower().startswith((wanted, *ROLE_SYNONYMS.get(wanted, ())))
        }
        if len(matches) != 1:
            return None
        name, role = matches.pop()
        assert role is not None
        return name, role
