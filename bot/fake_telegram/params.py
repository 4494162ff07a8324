"""Request parameters as the Bot API reads them, and the errors it answers with.

Telegram accepts the same parameters from a query string, a urlencoded or multipart form,
or a JSON body. python-telegram-bot sends forms whose non-string values are JSON-encoded
("123", "true", '{"inline_keyboard": ...}'), so every getter accepts both the native JSON
value and its text form, the way the real server does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.fake_telegram.records import JSONDict

_TRUE_WORDS = frozenset({"true", "1"})
_FALSE_WORDS = frozenset({"false", "0", ""})


class ApiError(Exception):
    """A Bot API error reply: HTTP status, Telegram's description, optional parameters."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: " prefix added once."""
    prefix = "Bad Request: "
    return ApiError(400, description if description.startswith(prefix) else prefix + description)


class Params:
    """Typed access to one request's parameters; a wrong value is a 400, as on Telegram."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def as_dict(self) -> JSONDict:
        """The parameters with JSON-encoded form values decoded, for the request log."""
        return {name: _decode_json_text(value) for name, value in self._values.items()}

    def has(self, name: str) -> bool:
        return self._values.get(name) not in (None, "")

    def text(self, name: str) -> str | None:
        value = self._values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise bad_request(f"{name} is empty")
        return value

    def integer(self, name: str) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"wrong parameter {name} in request")
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"wrong parameter {name} in request") from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def number(self, name: str) -> float | None:
        value = self._values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"wrong parameter {name} in request") from None

    def flag(self, name: str) -> bool:
        value = self._values.get(name)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        word = str(value).strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise bad_request(f"wrong parameter {name} in request")

    def json_value(self, name: str, *, error: str | None = None) -> Any:
        """A JSON parameter (object or array), from a JSON body or a JSON-encoded form field."""
        value = self._values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error or f"can't parse {name} JSON object") from None

    def json_object(self, name: str, *, error: str | None = None) -> JSONDict | None:
        value = self.json_value(name, error=error)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(error or f"can't parse {name} JSON object")
        return value

    def json_list(self, name: str, *, error: str | None = None) -> list[Any] | None:
        value = self.json_value(name, error=error)
        if value is None:
            return None
        if not isinstance(value, list):
            raise bad_request(error or f"can't parse {name} JSON array")
        return value


def _decode_json_text(value: Any) -> Any:
    """Decode a form value that holds a JSON object or array; leave everything else as sent."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
