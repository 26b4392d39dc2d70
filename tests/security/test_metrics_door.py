"""/metrics is for the operator's monitoring, not for anyone on the Internet (issue 12, class 10): with
METRICS_TOKEN set it asks for that bearer token; without, it answers only a request made on the host itself,
never one relayed by a proxy (nginx, which also restricts it, is one configuration mistake away)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from models.environment import Environment
from tests.dashboard.conftest import TEST_SECRET_KEY
from web.dashboard import install_dashboard

TOKEN = "metrics-door-token-5c1e9a7b3d"


def app_with(settings: Any, database: Any, engine: Any, **variables: str) -> Flask:
    flask_app = Flask("metrics-door")
    install_dashboard(flask_app, settings, database, engine,
                      Environment.of({"SECRET_KEY": TEST_SECRET_KEY, **variables}))
    return flask_app


def test_without_a_token_only_a_direct_request_from_the_host_reads_metrics(settings, database, engine) -> None:  # type: ignore[no-untyped-def]
    client = app_with(settings, database, engine).test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 403
    relayed = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                         headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 403
    assert "aduan_" not in relayed.get_data(as_text=True)


def test_with_a_token_metrics_ask_for_it_from_everywhere(settings, database, engine) -> None:  # type: ignore[no-untyped-def]
    client = app_with(settings, database, engine, METRICS_TOKEN=TOKEN).test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN + "x"}):
        response = client.get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    allowed = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": "10.0.0.5"},
                         environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert allowed.status_code == 200 and "aduan_" in allowed.get_data(as_text=True)
