"""canonical_url: one article, one key, whatever link it arrived through."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.urls import absolute_url, canonical_url, is_http_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Example.IT/Esteri/Nato.html", "https://www.example.it/Esteri/Nato.html"),
        ("https://example.it:443/a", "https://example.it/a"),
        ("http://example.it:80/a", "http://example.it/a"),
        ("http://example.it:8080/a", "http://example.it:8080/a"),
        ("https://example.it", "https://example.it/"),
        ("https://example.it/a#commenti", "https://example.it/a"),
        ("https://example.it/#!/articolo/12", "https://example.it/#!/articolo/12"),
        (
            "https://example.it/a?utm_source=tg&utm_medium=social&id=7&fbclid=XYZ&gclid=1",
            "https://example.it/a?id=7",
        ),
        ("https://example.it/a?xtor=RSS-3&ref=home&mc_cid=1&cmpid=2", "https://example.it/a"),
        ("https://example.it/a?b=2&a=1", "https://example.it/a?a=1&b=2"),
        (
            "https://example.it/a?q=caf%C3%A8+latte&UTM_Campaign=x",
            "https://example.it/a?q=caf%C3%A8+latte",
        ),
        ("https://example.it/a?", "https://example.it/a"),
        ("  https://example.it/a  ", "https://example.it/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "junk", ["", "   ", "not a url", "mailto:redazione@example.it", "http://[::1", "//x"]
)
def test_canonical_url_returns_junk_stripped(junk: str) -> None:
    assert canonical_url(f" {junk} ") == junk.strip()


def test_is_http_url() -> None:
    assert is_http_url("https://example.it/a")
    assert is_http_url("HTTP://example.it")
    assert not is_http_url("ftp://example.it/a")
    assert not is_http_url("/relative/path")
    assert not is_http_url("http://")
    assert not is_http_url("http://[::1")


def test_absolute_url_resolves_relative_links_and_rejects_other_schemes() -> None:
    base = "https://www.example.it/esteri/articolo.html"
    assert absolute_url("/politica/x?utm_source=a", base) == "https://www.example.it/politica/x"
    assert absolute_url("altro.html", base) == "https://www.example.it/esteri/altro.html"
    assert absolute_url("https://other.example/a", base) == "https://other.example/a"
    assert absolute_url("javascript:void(0)", base) is None
    assert absolute_url("mailto:a@b.it", base) is None
    assert absolute_url("/relative", None) is None
    assert absolute_url(None, base) is None


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_canonical_url_never_raises_and_is_idempotent(text: str) -> None:
    once = canonical_url(text)
    assert canonical_url(once) == once


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    st.from_regex(r"[a-z]{1,10}(\.[a-z]{2,5}){1,2}", fullmatch=True),
    st.lists(st.from_regex(r"[a-z0-9_]{1,8}=[a-z0-9]{0,5}", fullmatch=True), max_size=5),
)
def test_canonical_url_ignores_parameter_order_and_tracking(
    scheme: str, host: str, params: list[str]
) -> None:
    forward = f"{scheme}://{host}/a?{'&'.join([*params, 'utm_source=x'])}"
    backward = f"{scheme}://{host.upper()}/a?{'&'.join(['fbclid=1', *reversed(params)])}"
    assert canonical_url(forward) == canonical_url(backward)
    assert "utm_source" not in canonical_url(forward)
