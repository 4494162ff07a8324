"""Store failures in one line: what went wrong with which store (its URL masked), in words.

The drivers raise their own exceptions (``sqlite3.Error``, asyncpg's, ``OSError`` from a
socket), whose text is either a bare code ("disk I/O error") or carries more than an
operator should see. ``store_error`` turns one into a ``StoreError`` whose message names the
store and the likely cause, so every command and the bot's start report it the same way.
"""

from __future__ import annotations

import socket
import sqlite3
import sys

from bot.core.credentials import mask_credentials

# SQLite's primary result codes (the low byte of an extended code) and what each means here.
_SQLITE_REASONS = {
    sqlite3.SQLITE_NOTADB: "the file is not a SQLite database (damaged, or another kind of file)",
    sqlite3.SQLITE_CORRUPT: "the database file is damaged (restore it from a backup)",
    sqlite3.SQLITE_READONLY: (
        "it is read-only (SQLite must write the file and, beside it, its -wal and -shm files)"
    ),
    sqlite3.SQLITE_CANTOPEN: "the file cannot be opened or created (is the path a folder?)",
    sqlite3.SQLITE_PERM: "permission denied",
    sqlite3.SQLITE_FULL: "the disk is full",
    sqlite3.SQLITE_IOERR: "a disk I/O error (a full disk, a quota or file size limit, or a fault)",
    sqlite3.SQLITE_BUSY: "another process holds the database locked",
    sqlite3.SQLITE_LOCKED: "another connection holds the database locked",
}


class StoreError(Exception):
    """The store cannot be opened or used; the message is one line with its URL masked."""


def store_error(error: BaseException, database_url: str, *, opening: bool) -> StoreError | None:
    """The ``StoreError`` a driver's exception means, or None when it is not about the store.

    ``opening`` says whether the store was being opened (connection and migration) or was
    in use; only while opening are socket and address errors the store's for certain.
    """
    if isinstance(error, StoreError):
        return error
    reason = _reason(error, opening=opening)
    if reason is None:
        return None
    shown = mask_credentials(database_url)
    prefix = f"cannot open the store {shown}" if opening else f"the store {shown} failed"
    return StoreError(mask_credentials(f"{prefix}: {reason}"))


def _reason(error: BaseException, *, opening: bool) -> str | None:
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(code, int) and (code & 0xFF) in _SQLITE_REASONS:
            return _SQLITE_REASONS[code & 0xFF]
        return _one_line(error)
    if _is_postgres_error(error):
        return _one_line(error)
    if not opening:
        return None
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the server running, on that host and port?)"
    if isinstance(error, socket.gaierror):
        return f"unknown host ({error.strerror})"
    if isinstance(error, TimeoutError):
        return "the server did not answer in time"
    if isinstance(error, OverflowError):  # from connect(): a port past 65535
        return "the port must be between 0 and 65535"
    if isinstance(error, FileExistsError):  # from creating the file's folder
        return f"{error.filename} is a file, where a folder should be"
    if isinstance(error, OSError):
        return error.strerror or _one_line(error)
    if isinstance(error, ValueError):  # the URL itself: scheme, port, parameters
        return _one_line(error)
    return None


def _is_postgres_error(error: BaseException) -> bool:
    """An asyncpg error (asyncpg is imported only by PostgreSQL users)."""
    asyncpg = sys.modules.get("asyncpg")
    return asyncpg is not None and isinstance(error, asyncpg.PostgresError | asyncpg.InterfaceError)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
