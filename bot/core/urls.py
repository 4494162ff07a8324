"""URL normalisation: one article, one URL, whichever link or feed it was reached through.

Canonical URLs are store keys, so the same article shared with ``?utm_source=telegram``
and with ``?fbclid=...`` must come out identical. Everything here is pure and total:
junk goes back stripped instead of raising, because URLs come from untrusted pages.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

#: Query parameters that only track the visit, never select content. Matched
#: case-insensitively; prefixes end with ``_`` and cover a whole family (``utm_source``, ...).
TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "igshid",  # Instagram
        "twclid",  # X / Twitter
        "ttclid",  # TikTok
        "_ga",  # Google Analytics cross-domain
        "_gl",
        "_hsenc",  # HubSpot
        "_hsmi",
        "mkt_tok",  # Marketo
        "vero_id",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_kwcid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "cmp",
        "icid",
        "ocid",
        "xtor",  # AT Internet, common on Italian and French news sites
        "wt.mc_id",  # Webtrends
        "wt_mc",
        "sr_share",
        "spm",
        "s_cid",
        "smid",  # New York Times share links
        "trk",
        "trkid",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "mc_", "ns_", "at_", "pk_", "mtm_", "hsa_", "itm_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_WHITESPACE = re.compile(r"\s+")


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)
    except ValueError:
        return False


def _is_tracking(raw_parameter: str) -> bool:
    key = unquote_plus(raw_parameter.partition("=")[0]).strip().lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The URL in the one form the store keys on.

    Lower-cases scheme and host, drops the default port, the fragment (except ``#!``
    routes, which select content on old single-page sites) and tracking parameters
    (:data:`TRACKING_PARAMETERS`, :data:`TRACKING_PREFIXES`), and sorts what remains of
    the query. Query parameters are kept byte for byte (split on ``&``, never re-encoded)
    so no server sees a different request. Path case is kept: paths are case-sensitive.
    Anything that is not an absolute http(s) URL comes back stripped and otherwise unchanged.
    """
    stripped = url.strip()
    return _canonical_http_url(stripped) or stripped


def _canonical_http_url(url: str) -> str | None:
    """:func:`canonical_url` of an absolute http(s) URL; None for anything else."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    netloc = host.rstrip(".")
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    kept = sorted(p for p in parts.query.split("&") if p and not _is_tracking(p))
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    path = _WHITESPACE.sub("%20", parts.path) or "/"
    return urlunsplit((scheme, netloc, path, "&".join(kept), fragment))


def absolute_url(href: str | None, base: str | None) -> str | None:
    """``href`` made absolute against ``base`` and canonical, or None if it is not http(s)."""
    if not href:
        return None
    candidate = href.strip()
    if base and not candidate.lower().startswith(("http://", "https://")):
        try:
            candidate = urljoin(base.strip(), candidate)
        except ValueError:
            return None
    return _canonical_http_url(candidate)
