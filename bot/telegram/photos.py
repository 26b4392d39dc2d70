"""Citizens' photos: announced size and type checked first, then fetched with getFile into
the shared media store (content-addressed, size-limited)."""

from __future__ import annotations

import asyncio

from telegram import Bot, Document, Message, PhotoSize

from bot.dialog.messages import IncomingAttachment
from bot.media import MediaRejected, MediaStore
from bot.telegram.translate import largest_photo

# Telegram re-encodes every photo (not documents) as JPEG.
PHOTO_TYPE = "image/jpeg"


def photo_of(message: Message) -> PhotoSize | Document | None:
    if message.photo:
        return largest_photo(message.photo)
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return document
    return None


async def fetch(bot: Bot, store: MediaStore, media: PhotoSize | Document) -> IncomingAttachment:
    """Download one photo into media storage; raises MediaRejected before downloading if it cannot fit."""
    content_type = media.mime_type if isinstance(media, Document) else PHOTO_TYPE
    store.check(content_type, media.file_size)
    file = await bot.get_file(media.file_id)
    store.check(content_type, file.file_size)
    data = bytes(await file.download_as_bytearray())
    if len(data) > store.max_bytes:
        raise MediaRejected(f"{len(data)} bytes exceeds the limit of {store.max_bytes}")
    stored = await asyncio.to_thread(store.save, data, content_type)
    return IncomingAttachment(kind="photo", content_type=stored.content_type, size_bytes=stored.size_bytes,
                              provider_file_id=media.file_id, storage_path=str(stored.path))
