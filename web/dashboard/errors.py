"""Error pages in the reader's language (Indonesian first) for the officials' and public pages.

Machine endpoints (webhooks, Open311, /healthz, /metrics) keep their plain answers: a provider or a
monitor reads the status code, not a page.
"""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from web.dashboard.security import HEADERS

HTML_PREFIXES = ("/dashboard", "/lacak", "/ringkasan", "/chat", "/lang", "/l/")
PAGES = {400: "error_400", 401: "error_403", 403: "error_403", 404: "error_404", 405: "error_400",
         410: "error_410", 429: "error_429", 500: "error_500"}


def init_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, _page)
    app.register_error_handler(InternalServerError, _page)


def _page(error: HTTPException) -> HTTPException | Response:
    if error.response is not None or not _wants_page(request.path):
        return error
    code = error.code or 500
    key = PAGES.get(code, "error_500" if code >= 500 else "error_400")
    # The language links lead home, not back to the asked path: a page for "not yours" and one for "does not
    # exist" must be the same bytes, and an error page echoes nothing the asker typed.
    body = render_template("dashboard/error.html", code=code, key=key, language_next="/dashboard/")
    response = Response(body, status=code, mimetype="text/html")
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _wants_page(path: str) -> bool:
    return path == "/" or path.startswith(HTML_PREFIXES)
