"""``mask_credentials``: no password, in any form a URL or a DSN carries one, survives it."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.core.credentials import mask_credentials

SECRET = "TopSecretPW"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # userinfo, a password holding "@" and "/", and one with a space a URL should not have
        ("postgresql://ops:TopSecretPW@db:5432/r", "postgresql://ops:***@db:5432/r"),
        ("postgresql://ops:Top@Secret/PW@db/r", "postgresql://ops:***@db/r"),
        ("postgresql://ops:Top SecretPW@db/r: refused", "postgresql://ops:***@db/r: refused"),
        ("postgresql://:TopSecretPW@db/r", "postgresql://:***@db/r"),
        ("postgresql://ops:TopSecret:a://PW@db/r", "postgresql://ops:***@db/r"),
        ("dsn:postgresql://ops:TopSecretPW@db/r", "dsn:postgresql://ops:***@db/r"),
        # query parameters, percent-encoded names included; the others stay
        (
            "postgresql://postgres@127.0.0.1:1/x?password=TopSecretPW",
            "postgresql://postgres@127.0.0.1:1/x?password=***",
        ),
        (
            "postgres://u@h/x?sslmode=require&passwd=TopSecretPW&sslpassword=TopSecretPW#f",
            "postgres://u@h/x?sslmode=require&passwd=***&sslpassword=***#f",
        ),
        ("postgresql://u@h/x?PASS%77ORD=TopSecretPW", "postgresql://u@h/x?PASS%77ORD=***"),
        ("https://example.org/feed?access_token=TopSecretPW&page=2", None),
        # key=value DSNs: plain, quoted with escapes, spaced around "="
        ("host=127.0.0.1 port=1 password=TopSecretPW", "host=127.0.0.1 port=1 password=***"),
        ("host=db password='Top \\' SecretPW' dbname=r", "host=db password=*** dbname=r"),
        ("dbname=r password = TopSecretPW user=u", "dbname=r password = *** user=u"),
        # in a sentence, and masked twice (a masked URL inside a message that is masked again)
        (
            "cannot open the store postgresql://u:TopSecretPW@h:1/x: connection refused",
            "cannot open the store postgresql://u:***@h:1/x: connection refused",
        ),
        (
            "cannot open the store postgresql://u@h:1/x?password=***: connection refused",
            "cannot open the store postgresql://u@h:1/x?password=***: connection refused",
        ),
    ],
)
def test_every_form_is_masked_and_the_rest_kept(text: str, shown: str | None) -> None:
    masked = mask_credentials(text)
    assert SECRET not in masked
    assert "Secret" not in masked
    if shown is not None:
        assert masked == shown
    assert mask_credentials(masked) == masked


@pytest.mark.parametrize(
    "text",
    [
        "sqlite:///data/rassegna.db",
        "sqlite:////var/lib/rassegna/rassegna.db",
        "postgresql://ops@db:5432/rassegna?sslmode=require&search_path=news",
        "postgresql://[::1]:5432/rassegna",
        "https://www.ansa.it/sito/notizie/topnews/topnews_rss.xml?author=rossi",
        "https://example.org/roma?passaggio=2&compass=n&bypass=1",
        "feed https://example.org/feed failed (HTTP 404); next try in 10 min",
        "feed https://example.org:8080/rss moved to https://reader@example.org/rss",
        "rassegna: ingest stopped: the store sqlite:///x.db failed: the disk is full",
    ],
)
def test_text_without_credentials_is_unchanged(text: str) -> None:
    assert mask_credentials(text) == text


# A secret that only the masked part could contain (nothing else in the texts spells "S3cr!"),
# made of the characters that end a URL's parts as often as of any others.
awkward = st.sampled_from(list(":/@?#&=;' \"\\%+"))
anything = st.characters(blacklist_categories=["Cs"])
secrets = st.text(alphabet=awkward | anything, min_size=1, max_size=40).map(lambda t: f"S3cr!{t}")
# A query value ends at "&", "#" or a space: a password holding one is cut there by the
# parsers too, so the masker need not go further.
url_safe = secrets.map(lambda s: "".join(c for c in s if c not in "&#" and not c.isspace()))
names = st.sampled_from(["password", "passwd", "sslpassword", "PASSWORD", "client_secret"])
around = st.sampled_from(["", "rassegna: cannot open the store ", "a line\nthen "])
after = st.sampled_from(["", ": connection refused", " (retrying)", "\nnext line"])


@given(secret=secrets, before=around, end=after)
def test_a_userinfo_password_never_survives(secret: str, before: str, end: str) -> None:
    # A line ends the URL, and so does a space then a scheme ("pw x://…"): a second URL.
    secret = secret.replace("\n", "")
    assume(not re.search(r"\s[A-Za-z][A-Za-z0-9+.-]*://", secret))
    for password in (secret, quote(secret, safe="")):
        text = f"{before}postgresql://ops:{password}@db.example:5432/rassegna{end}"
        masked = mask_credentials(text)
        assert password not in masked
        assert "db.example:5432/rassegna" in masked


@given(secret=url_safe, name=names, before=around, end=after)
def test_a_query_password_never_survives(secret: str, name: str, before: str, end: str) -> None:
    for password in (secret, quote(secret, safe="")):
        text = f"{before}postgresql://ops@db:5432/r?sslmode=require&{name}={password}{end}"
        masked = mask_credentials(text)
        assert password not in masked
        if "@" not in password:  # an "@" in the query may be a password's end: all is hidden
            assert "sslmode=require" in masked


@given(secret=secrets, name=names, end=after)
def test_a_dsn_password_never_survives(secret: str, name: str, end: str) -> None:
    quoted = "'" + secret.replace("\\", "\\\\").replace("'", "\\'").replace("\n", " ") + "'"
    unquoted = "".join(secret.split()).replace("'", "").replace('"', "")
    for password in (quoted, unquoted):
        masked = mask_credentials(f"host=db port=5432 {name}={password} dbname=r{end}")
        assert password not in masked
        assert "host=db port=5432" in masked
