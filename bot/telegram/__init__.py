"""The Telegram wing: python-telegram-bot in front of the dialog engine (see docs/TELEGRAM.md).

    app.py        the Application, its handlers wired in one block, update handling that survives crashes
    handlers.py   one callback per kind of update
    translate.py  Telegram objects <-> the engine's Inbound/Reply (pure)
    sender.py     replies with keyboards, flood control, blocked chats
    photos.py     citizens' photos into media storage
    store.py      the durable facts: last update handled, newest keyboard, blocked citizens
    settings.py   `channels.telegram` and the TELEGRAM_* environment
    errors.py     what Telegram's answers mean and its limits (also used outbound)
    service.py    polling with PTB's Updater, or webhook registration (`aduan telegram`)
    webhook.py    the Flask blueprint `web` mounts for webhook mode

The outbound half (the notifier's transport) is `notifier/transports/telegram.py`, which imports only
errors.py from here. Importing this package starts nothing.
"""
