"""Names the Telegram tests share (kept out of conftest.py: another test directory has one too,
and a bare `from conftest import` would pick whichever was imported last)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.telegram.service import TelegramService

OPERATIONS_CHAT = "-1009990001"
OFFICIALS_GROUP = "-1001234567"
POLL_TIMEOUT = 0.5


BOTH_BACKENDS = pytest.mark.parametrize(
    "db_engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)

StartBot = Callable[[], TelegramService]
