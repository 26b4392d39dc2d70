"""Wiring: the python-telegram-bot Application with every handler in one readable block."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.telegram.handlers import Handlers
from bot.telegram.settings import TelegramEnvironment

COMMANDS = [
    BotCommand("lapor", "Buat laporan baru"),
    BotCommand("status", "Cek status laporan (status KODE)"),
    BotCommand("batal", "Batalkan laporan yang sedang diisi"),
    BotCommand("bantuan", "Petunjuk"),
]
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
UNSUPPORTED = (filters.Document.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE
               | filters.Sticker.ALL)


def build_application(env: TelegramEnvironment, handlers: Handlers, poll_timeout: float) -> Application:  # type: ignore[type-arg]
    """No Updater: the service polls itself so it can store the last update id after each one."""
    application = (
        Application.builder()
        .token(env.token)
        .base_url(env.bot_url)
        .base_file_url(env.file_url)
        .updater(None)
        .get_updates_read_timeout(poll_timeout + 10)
        .build()
    )
    messages = filters.UpdateType.MESSAGE  # edited messages are ignored: the first version was answered
    # Group -1 runs first and may stop an update (groups other than officials'); group 0 does the work,
    # at most one handler per update, tried in this order.
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    application.add_handler(CommandHandler("start", handlers.on_start, filters=messages))
    application.add_handler(MessageHandler(messages & filters.TEXT, handlers.on_text))
    application.add_handler(MessageHandler(messages & filters.LOCATION, handlers.on_location))
    application.add_handler(MessageHandler(messages & (filters.PHOTO | filters.Document.IMAGE), handlers.on_photo))
    application.add_handler(MessageHandler(messages & UNSUPPORTED, handlers.on_unsupported))
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(ChatMemberHandler(handlers.on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(handlers.on_error)
    return application
