"""The WhatsApp/SMS wing (Twilio): everything about the provider in one folder.

    form.py       a Twilio webhook form in, the engine's `Inbound` out
    replies.py    the engine's replies out as TwiML (buttons become numbered text)
    segments.py   160-unit SMS segments and 1600-character WhatsApp bodies (also used outbound)
    errors.py     what Twilio's error codes mean, WhatsApp's 24-hour window (also used outbound)
    config.py     `channels.whatsapp`: senders, window margin, approved templates (also used outbound)
    callbacks.py  delivery status callbacks recorded against their notification
    media.py      photo downloads, run as jobs by the notifier process
    webhook.py    the Flask blueprint `web` mounts: signed inbound messages and status callbacks

The outbound half (sending through Twilio's REST API) is `notifier/transports/whatsapp.py`, which
imports only errors, segments and config from here. Importing this package starts nothing.
"""
