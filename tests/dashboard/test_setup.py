"""App-level setup happens once per app; the dev secret key is generated once and kept private."""

from __future__ import annotations

import pytest
from flask import Flask

from models.exports import Table, to_csv, to_xlsx
from web.dashboard import init_dashboard, make_blueprints
from web.dashboard.security import _dev_secret


def test_the_dashboard_cannot_be_initialised_twice_on_one_app(settings, database, engine, environment) -> None:
    app = Flask("twice")
    init_dashboard(app, settings, environment)
    with pytest.raises(RuntimeError):
        init_dashboard(app, settings, environment)
    for blueprint in make_blueprints(settings, database, engine, environment):
        app.register_blueprint(blueprint)
    with pytest.raises(ValueError):
        app.register_blueprint(make_blueprints(settings, database, engine, environment)[0])


def test_without_secret_key_a_private_dev_key_is_generated_once(tmp_path) -> None:
    path = tmp_path / "var" / "dashboard_secret_key"
    first = _dev_secret(path)
    assert len(first) == 64 and _dev_secret(path) == first
    assert path.stat().st_mode & 0o077 == 0


def test_exports_never_carry_spreadsheet_formulas() -> None:
    table = Table("SLA", ["agency"], [{"agency": "=HYPERLINK(\"http://x\")"}])
    assert to_csv(table).splitlines()[1].startswith("\"'=")
    assert to_csv(table, preamble=["@SUM(A1)"]).startswith("'@SUM")


def test_xlsx_exports_never_carry_spreadsheet_formulas(tmp_path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "x.xlsx"
    path.write_bytes(to_xlsx(Table("SLA", ["agency"], [{"agency": "+cmd|' /C calc'!A0"}, {"agency": None}])))
    sheet = load_workbook(path).active
    assert sheet.title == "SLA" and sheet["A2"].value == "'+cmd|' /C calc'!A0" and sheet["A2"].data_type == "s"
