"""Configuration: both shipped files load; every mistake names the key at fault."""

from __future__ import annotations

import copy
import subprocess
import sys
from datetime import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from models.config import ALL_AGENCY_CODES, ConfigError, Role, load_settings, parse_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def broken(raw: dict[str, Any], change: Any) -> str:
    data = copy.deepcopy(raw)
    change(data)
    with pytest.raises(ConfigError) as error:
        parse_settings(data, base_dir=ROOT)
    return str(error.value)


def test_shipped_config_describes_barito_kuala_in_wita() -> None:
    settings = load_settings(ROOT / "config.yaml")
    assert settings.region.timezone == "Asia/Makassar"
    assert "Barito Kuala" in settings.region.name
    assert {agency.code for agency in settings.agencies} == ALL_AGENCY_CODES


def test_pringsewu_example_is_a_wib_region() -> None:
    settings = load_settings(ROOT / "examples" / "pringsewu.yaml")
    assert settings.region.timezone == "Asia/Jakarta"
    assert settings.region.code_prefix == "PSW"
    assert settings.routing.table is None  # the router's own table, shipped inside bot/routing/


def test_every_external_body_tells_the_citizen_where_to_go() -> None:
    settings = load_settings(ROOT / "config.yaml")
    pln = settings.agency("EXT_PLN")
    assert pln.kind == "external" and "123" in (pln.contact or "")
    assert "135" in (settings.agency("EXT_PERTAMINA").contact or "")


def test_every_regional_agency_has_an_admin_and_region_has_triage() -> None:
    settings = load_settings(ROOT / "config.yaml")
    roles = {official.role for official, _ in settings.all_officials()}
    assert {Role.TRIAGE, Role.REGIONAL_HEAD, Role.SEKDA, Role.INSPECTORATE} <= roles


def test_bad_whatsapp_number_names_its_key_path(raw: dict[str, Any]) -> None:
    def change(data: dict[str, Any]) -> None:
        data["agencies"][3]["officials"][0]["whatsapp"] = "0812-xx"

    message = broken(raw, change)
    assert "agencies[3].officials[0].whatsapp: '0812-xx' is not an E.164 number" in message


def test_unknown_agency_code_is_named(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["agencies"][0].update(code="DINAS_X"))
    assert "agencies[0].code: 'DINAS_X' is not a known agency code" in message


def test_missing_agency_is_reported(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["agencies"].pop(1))
    assert "missing agency codes PERKIM" in message


def test_unknown_key_is_reported_with_its_path(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["sla"].update(answer_dayz=5))
    assert "sla.answer_dayz: unknown key" in message


def test_bad_timezone_is_reported(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["region"].update(timezone="Asia/Banjarmasin"))
    assert "region.timezone: 'Asia/Banjarmasin' is not an IANA time zone" in message


def test_region_wide_role_inside_an_agency_is_refused(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["agencies"][0]["officials"][0].update(role="sekda"))
    assert "agencies[0].officials[0].role" in message


def test_regional_agency_without_admin_is_refused(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["agencies"][2].update(officials=[]))
    assert "agencies[2].officials: DLH needs at least one 'admin'" in message


def test_missing_required_key_is_reported(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["region"].pop("code_prefix"))
    assert "region.code_prefix: required key is missing" in message


def test_negative_sla_is_refused(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["sla"].update(answer_days=-1))
    assert message.startswith("config: sla.answer_days:")


def test_not_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("region: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path)


def test_config_check_command_exits_nonzero_naming_the_key(tmp_path: Path, raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["agencies"][3]["officials"][0]["whatsapp"] = "0812-xx"
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = subprocess.run([sys.executable, "manage.py", "--config", str(path), "config", "check"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "agencies[3].officials[0].whatsapp" in result.stderr


def test_config_check_command_accepts_both_shipped_files() -> None:
    for path in ("config.yaml", "examples/pringsewu.yaml"):
        result = subprocess.run([sys.executable, "manage.py", "--config", path, "config", "check"],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "OK" in result.stdout


def test_the_shipped_duty_roster_has_someone_on_call_for_bpbd_every_night_and_weekend() -> None:
    emergency = load_settings(ROOT / "config.yaml").emergency
    for weekday in range(7):
        for hour in (0, 3, 6, 17, 20, 23):
            assert emergency.on_duty("BPBD", weekday, time(hour, 0)), (weekday, hour)
    assert emergency.on_duty("BPBD", 6, time(2, 0)) == ["bpbd.head"]  # Sunday 02:00
    assert emergency.on_duty("SATPOLPP", 2, time(13, 0)) == ["satpolpp.admin"]
    assert {"112", "113", "119", "110"} <= set(emergency.national_numbers.values())


def test_a_duty_shift_naming_an_unknown_official_names_its_key_path(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["emergency"]["duty_roster"][1].update(official="bpbd.nobody"))
    assert "emergency.duty_roster[1].official: 'bpbd.nobody' is not an official in this config" in message


def test_a_duty_shift_of_another_agencys_official_is_refused(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["emergency"]["duty_roster"][0].update(official="pupr.admin"))
    assert "emergency.duty_roster[0].official: 'pupr.admin' belongs to PUPR, not BPBD" in message


def test_a_bad_weekday_in_the_duty_roster_names_its_key_path(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["emergency"]["duty_roster"][2].update(days=["senin"]))
    assert "emergency.duty_roster[2].days[0]:" in message


def test_an_emergency_routed_to_an_external_body_is_refused(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["emergency"]["routes"].update(fire="EXT_POLRI"))
    assert "emergency.routes['fire']: 'EXT_POLRI' is not a regional agency code" in message


def test_emergency_sla_hours_must_be_positive(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda data: data["emergency"].update(ack_hours=0))
    assert "emergency.ack_hours:" in message
