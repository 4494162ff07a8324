"""Credentials out of text: what a message or a log line may show of a URL or a DSN.

Database URLs and feed URLs reach messages and logs whole, and either may carry a password:
in the userinfo (``postgresql://user:pw@host/db``), in a query parameter
(``postgresql://user@host/db?password=pw``, ``sslpassword``, ``access_token``…) or, in a
``key=value`` DSN, as a pair of its own (``host=db password='a b'``). ``mask_credentials``
replaces every such value with ``***`` and keeps the rest (scheme, user, host, port,
database, other parameters), so a message still says what could not be reached.

It errs on the side of hiding: a value is masked up to the widest end any parser could
give it (userinfo up to the last ``@`` on the line, even across spaces a valid URL would not
have), and any parameter whose name holds a secret's word counts, percent-encoded or not.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

MASK = "***"

#: A parameter is a secret when its name (lower-cased, percent-decoded) holds one of these
#: (``password``, ``sslpassword``, ``passwd``, ``client_secret``, ``access_token``, ``apikey``…)
#: or is one of ``SECRET_NAMES``. Not every "pass": ``passaggio`` and ``compass`` are not.
SECRET_NAME_WORDS = ("password", "passwd", "secret", "token", "apikey", "api_key", "api-key")
SECRET_NAMES = frozenset({"pass", "pwd", "pw", "key"})

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# A URL's query parameter: after ``?`` or ``&``, the value up to the next ``&``, ``#`` or space.
_QUERY_PARAMETER = re.compile(r"(?<=[?&])(?P<name>[^\s=&#]+)(?P<equals>=)(?P<value>[^\s&#]*)")
# A DSN's ``name = value`` pair, starting the text or after a space, quote, bracket or
# separator: the value quoted (libpq's single quotes, or double), or up to the next space.
_DSN_PARAMETER = re.compile(
    r"(?<![^\s'\"(\[,;])(?P<name>[A-Za-z0-9_%.+-]+)(?P<equals>\s*=\s*)"
    r"(?P<value>'(?:[^'\\\n]|\\.)*'?|\"(?:[^\"\\\n]|\\.)*\"?|\S*)"
)
# What may follow a value that is the mask already, as when a masked URL ends a clause.
_CLOSING_PUNCTUATION = frozenset(":;,.)]}'\"")


def mask_credentials(text: str) -> str:
    """``text`` with every password, token or other secret of a URL or DSN in it masked."""
    masked = _QUERY_PARAMETER.sub(_masked_parameter, _mask_userinfo(text))
    return _DSN_PARAMETER.sub(_masked_parameter, masked)


def _mask_userinfo(text: str) -> str:
    """Each ``scheme://user:password@`` as ``scheme://user:***@``.

    The userinfo ends at the last ``@`` before the end of the line or the next URL that
    starts a word: a password may hold ``@``, ``/``, ``x://`` or even a space, so the host
    may be the only sure end.
    """
    pieces: list[str] = []
    position = 0
    schemes = list(_SCHEME.finditer(text))
    for index, scheme in enumerate(schemes):
        start = scheme.end()
        if start < position:
            continue  # inside a password already masked
        line_end = text.find("\n", start)
        end = len(text) if line_end == -1 else line_end
        for later in schemes[index + 1 :]:
            if later.start() >= end or text[later.start() - 1].isspace():
                end = min(end, later.start())
                break
        at = text.rfind("@", start, end)
        user, colon, _ = text[start:at].partition(":")
        if at == -1 or not colon or any(c in user for c in "/?#") or _has_space(user):
            continue
        pieces.append(text[position : start + len(user) + 1])
        pieces.append(MASK)
        position = at
    pieces.append(text[position:])
    return "".join(pieces)


def _masked_parameter(match: re.Match[str]) -> str:
    name, equals, value = match.group("name", "equals", "value")
    if not _is_secret_name(name):
        return match.group(0)
    if value.startswith(MASK) and set(value[len(MASK) :]) <= _CLOSING_PUNCTUATION:
        return match.group(0)  # masked already (a masked URL inside a message)
    return f"{name}{equals}{MASK}"


def _is_secret_name(name: str) -> bool:
    decoded = unquote_plus(name).lower()
    return decoded in SECRET_NAMES or any(word in decoded for word in SECRET_NAME_WORDS)


def _has_space(text: str) -> bool:
    return any(c.isspace() for c in text)
