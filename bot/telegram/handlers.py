"""One async callback per kind of update. Each builds an Inbound, asks the engine, sends the
replies: the conversation itself lives in the engine and the database, never here."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import replace

from telegram import Chat, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.dialog.engine import Engine
from bot.dialog.messages import Inbound, Location, inbound_limit, truncated
from bot.dialog.officials import parse_command
from bot.dialog.texts import say
from bot.media import MediaRejected, MediaStore
from bot.telegram.buttons import parse_alert_button
from bot.telegram.photos import fetch, photo_of
from bot.telegram.sender import Sender
from bot.telegram.settings import TelegramConfig
from bot.telegram.store import TelegramStore
from bot.telegram.translate import base_inbound, parse_callback
from models.codes import find_code

log = logging.getLogger("aduan.telegram")

Context = ContextTypes.DEFAULT_TYPE
STALE_BUTTON = "Tombol ini sudah tidak berlaku. Silakan pakai pesan terbaru atau ketik BANTUAN."
PHOTO_REFUSED = ("Maaf, foto tidak bisa kami terima (maksimal {limit} MB, format gambar). "
                 "Kirim foto lain atau ketik LEWATI.")
APOLOGY = "Maaf, terjadi gangguan saat membalas. Laporan Anda tetap tersimpan; ketik CEK untuk melihat statusnya."
UNSUPPORTED = {"voice": "pesan suara", "audio": "audio", "video": "video", "video_note": "video",
               "sticker": "stiker", "document": "dokumen (kirim sebagai foto jika berupa gambar)"}


class Handlers:
    def __init__(self, engine: Engine, config: TelegramConfig, media: MediaStore, store: TelegramStore,
                 sender: Sender) -> None:
        self.engine = engine
        self.config = config
        self.media = media
        self.store = store
        self.sender = sender

    async def gate(self, update: Update, context: Context) -> None:
        """Private chats pass; officials' groups pass commands and buttons; other groups are ignored."""
        chat = update.effective_chat
        if chat is None or chat.type == Chat.PRIVATE or update.my_chat_member is not None:
            return
        prefix = self.engine.settings.region.code_prefix
        if str(chat.id) in self.config.official_groups and _for_the_bot(update, prefix):
            return
        raise ApplicationHandlerStop

    async def on_start(self, update: Update, context: Context) -> None:
        """/start [PAYLOAD]: a QR code's deep link presets the place it stands at."""
        payload = context.args[0] if context.args else None
        place = self.config.place_for(payload) if payload else None
        await self._converse(update, context, replace(base_inbound(update), text="/start", start_payload=place))

    async def on_text(self, update: Update, context: Context) -> None:
        """Text and the menu commands (/lapor, /status, /batal, /bantuan): the engine knows them all."""
        assert update.effective_message is not None
        text = update.effective_message.text or ""
        await self._converse(update, context, replace(base_inbound(update), text=text))

    async def on_button(self, update: Update, context: Context) -> None:
        """An inline button: its value goes to the engine as if typed; stale buttons are refused."""
        query = update.callback_query
        assert query is not None and update.effective_chat is not None
        pressed = parse_alert_button(query.data)
        if pressed is not None:
            await self._on_alert_button(update, context, *pressed)
            return
        parsed = parse_callback(query.data)
        current = await asyncio.to_thread(self.store.keyboard_token, str(update.effective_chat.id))
        if parsed is None or parsed[0] != current:
            await query.answer(STALE_BUTTON)
            return
        await query.answer()
        await self._converse(update, context, replace(base_inbound(update), text=parsed[1]))

    async def _on_alert_button(self, update: Update, context: Context, verb: str, token: str) -> None:
        """An official's button under an alert: the verb, bound to that alert by its token (the dialog checks
        the presser is the alert's recipient)."""
        query = update.callback_query
        assert query is not None
        await query.answer()
        await self._converse(update, context, replace(base_inbound(update), text=verb, alert_token=token))

    async def on_location(self, update: Update, context: Context) -> None:
        """A shared location (or a venue, whose name becomes the address)."""
        message = update.effective_message
        assert message is not None and message.location is not None
        venue = message.venue
        address = f"{venue.title}, {venue.address}" if venue is not None else None
        location = Location(message.location.latitude, message.location.longitude, address)
        await self._converse(update, context, replace(base_inbound(update), location=location))

    async def on_photo(self, update: Update, context: Context) -> None:
        """A photo (or an image sent as a file): stored first, then handed to the engine."""
        message = update.effective_message
        assert message is not None
        media = photo_of(message)
        assert media is not None, "the filter only lets photos and image documents through"
        try:
            attachment = await fetch(context.bot, self.media, media)
        except MediaRejected as error:
            log.info("telegram: photo refused in chat %s: %s", message.chat_id, error)
            limit = max(1, self.media.max_bytes // 1_000_000)
            await self.sender.text(context.bot, str(message.chat_id), PHOTO_REFUSED.format(limit=limit))
            return
        inbound = replace(base_inbound(update), text=message.caption or "", attachments=(attachment,))
        await self._converse(update, context, inbound)

    async def on_unsupported(self, update: Update, context: Context) -> None:
        """Documents, voice notes, videos, stickers: a polite refusal; the conversation is untouched."""
        message = update.effective_message
        assert message is not None
        kind = next((name for name in UNSUPPORTED if getattr(message, name, None)), "document")
        await self.sender.text(context.bot, str(message.chat_id), say("media_not_supported", "id",
                                                                      kind=UNSUPPORTED[kind]))

    async def on_membership(self, update: Update, context: Context) -> None:
        """A citizen blocking (or unblocking) the bot changes whether status relays can reach them."""
        member = update.my_chat_member
        assert member is not None
        chat_id = str(member.chat.id)
        if member.new_chat_member.status == ChatMember.BANNED:
            await asyncio.to_thread(self.store.mark_unreachable, chat_id, "telegram: bot was blocked by the user")
        elif member.new_chat_member.status == ChatMember.MEMBER:
            await asyncio.to_thread(self.store.mark_reachable, chat_id)

    async def on_error(self, update: object, context: Context) -> None:
        """The one error handler: log with the complaint code, tell operations, apologise to the citizen."""
        code = (context.chat_data or {}).get("complaint_code", "-")
        update_id = update.update_id if isinstance(update, Update) else "-"
        log.error("telegram: update %s failed code=%s", update_id, code, exc_info=context.error)
        if self.config.operations_chat:
            note = f"⚠️ Bot Telegram: {type(context.error).__name__} pada update {update_id} (kode {code})"
            await _quietly(self.sender.text(context.bot, self.config.operations_chat, note))
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None and chat.type == Chat.PRIVATE:
            await _quietly(self.sender.text(context.bot, str(chat.id), APOLOGY))

    async def _converse(self, update: Update, context: Context, inbound: Inbound) -> None:
        inbound = truncated(inbound, inbound_limit(self.engine.settings))  # before it leaves the event loop
        replies = await asyncio.to_thread(self.engine.handle, inbound)
        codes = [str(reply.data["code"]) for reply in replies if reply.data.get("code")]
        if context.chat_data is not None:
            # Only for the error handler's log line about this very update (memory, not state).
            context.chat_data["complaint_code"] = codes[-1] if codes else "-"
        await self.sender.replies(context.bot, inbound.chat_id, replies, token=str(update.update_id))


def _for_the_bot(update: Update, code_prefix: str) -> bool:
    """In an officials' group only buttons, /commands, replies to the bot and "VERB <code>" count;
    the rest ("terima kasih", chatter) is the officials talking among themselves."""
    message = update.effective_message
    if update.callback_query is not None or message is None:
        return update.callback_query is not None
    text = message.text or ""
    replied = message.reply_to_message
    to_bot = replied is not None and replied.from_user is not None and replied.from_user.is_bot
    # The officials' verbs are the dialog's own (bot/dialog/officials.py), so a group acts like a private chat.
    verb = parse_command(text, code_prefix) is not None and find_code(text, code_prefix) is not None
    return to_bot or verb or text.startswith("/")


async def _quietly(sending: Awaitable[None]) -> None:
    # The error handler must never raise: PTB would only log "error in error handler".
    try:
        await sending
    except TelegramError:
        log.exception("telegram: could not deliver an error notice")
