"""App-level setup happens once per app; the dev secret key is generated once and kept private."""

from __future__ import annotations

import pytest
from flask import Flask

from web.dashboard import init_dashboard, make_blueprints
from web.dashboard.exports import to_csv
from web.dashboard.security import _dev_secret


def test_the_dashboard_cannot_be_initialised_twice_on_one_app(settings, database, engine) -> None:
    app = Flask("twice")
    init_dashboard(app, settings, database, engine)
    with pytest.raises(RuntimeError):
        init_dashboard(app, settings, database, engine)
    for blueprint in make_blueprints(settings, database, engine):
        app.register_blueprint(blueprint)
    with pytest.raises(ValueError):
        app.register_blueprint(make_blueprints(settings, database, engine)[0])


def test_without_secret_key_a_private_dev_key_is_generated_once(tmp_path) -> None:
    path = tmp_path / "var" / "dashboard_secret_key"
    first = _dev_secret(path)
    assert len(first) == 64 and _dev_secret(path) == first
    assert path.stat().st_mode & 0o077 == 0


def test_exports_never_carry_spreadsheet_formulas() -> None:
    assert to_csv(["agency"], [{"agency": "=HYPERLINK(\"http://x\")"}]).splitlines()[1].startswith("\"'=")
