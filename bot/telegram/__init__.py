"""The Telegram channel: python-telegram-bot in front of the dialog engine (see docs/TELEGRAM.md)."""

from bot.telegram.service import TelegramService, start_in_background

__all__ = ["TelegramService", "start_in_background"]
