"""The start-up's wait for Telegram: how long between attempts."""

from __future__ import annotations

import itertools

from bot.telegram_link import retry_delays


def test_the_delay_doubles_from_one_second_up_to_a_minute_and_stays_there() -> None:
    assert list(itertools.islice(retry_delays(), 10)) == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
