"""No wrong door, by table: complaints for PLN, BPJS, the police, Pertamina and Telkom name the body and where
to go; the local government's own work names none."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialog.wrongdoor import external_body, load_bodies
from bot.routing import classify
from bot.setup import load_routing_table
from models.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = load_settings(ROOT / "config.yaml")
TABLE = load_routing_table(SETTINGS)

OUTSIDE = [
    ("listrik padam sejak kemarin di desa kami", "PLN", "123"),
    ("token listrik gak masuk2 padahal sdh bayar", "PLN", "123"),
    ("tiang listrik PLN miring mau roboh depan rumah", "PLN", "123"),
    ("kartu bpjs kesehatan saya ditolak di puskesmas", "BPJS Kesehatan", "165"),
    ("ada pencurian motor di depan rumah tadi malam", "Kepolisian", "110"),
    ("solar langka di spbu anjir pasar", "Pertamina", "135"),
    ("internet indihome mati seminggu", "Telkom", "147"),
]
INSIDE = ["lampu jalan mati di depan SDN 2 Marabahan", "jalan berlubang parah di RT 02 RW 07",
          "sampah menumpuk di pasar tidak diangkut"]


@pytest.mark.parametrize(("text", "body", "number"), OUTSIDE)
def test_a_complaint_for_an_outside_body_names_it_and_its_contact(text: str, body: str, number: str) -> None:
    found = external_body(text, classify(text, TABLE), SETTINGS)
    assert found is not None and body in found.name and number in found.contact


@pytest.mark.parametrize("text", INSIDE)
def test_the_local_governments_own_work_names_no_outside_body(text: str) -> None:
    assert external_body(text, classify(text, TABLE), SETTINGS) is None


def test_a_body_forwarded_to_a_regional_office_is_refused_naming_its_key(tmp_path: Path) -> None:
    broken = tmp_path / "external.yaml"
    broken.write_text("bodies:\n  x: {agency: PUPR, name: X, contact: Y}\nmeanings:\n  x: {id: [x]}\n")
    with pytest.raises(ConfigError, match=r"bodies.x.agency: 'PUPR' is not an external agency code"):
        load_bodies(broken)
