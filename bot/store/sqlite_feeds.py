"""The sqlite tables and queries of feeds (placeholder)."""

from __future__ import annotations

# Migration step of this concern (appended to the backend's MIGRATIONS in order).
SCHEMA = "SELECT 1"
