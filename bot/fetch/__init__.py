"""Fetching feeds and pages over HTTP, behind the URL guard and within size and time limits.

``client`` is the ``Fetcher``; ``guard`` decides which URLs and addresses may be reached;
``decoding`` undoes Content-Encoding in bounded pieces; ``errors`` holds what fetching raises.
"""

from bot.fetch.client import Fetcher, FetchResult
from bot.fetch.errors import FetchError, UrlNotAllowedError

__all__ = ["FetchError", "FetchResult", "Fetcher", "UrlNotAllowedError"]
