"""The deployment files (deploy/, docs/DEPLOYMENT.md) against the code they deploy.

What can be checked without a server: gunicorn loads its config and the app, the preparation script opens
a database, the backup script backs one up, every environment variable the code reads is documented and
read in one place only, the systemd units name files that exist, nginx and gunicorn agree on limits, and
the README links the guide.
"""

from __future__ import annotations

import os
import re
import runpy
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
GUIDE = ROOT / "docs" / "DEPLOYMENT.md"
ENV_EXAMPLE = DEPLOY / "env.example"
RELEASE = "/opt/aduan/current/"
APP = "web:app_from_environment()"

# The product's code: only models/environment.py may read the process environment.
CODE_DIRS = ("models", "bot", "notifier", "web")
ENVIRONMENT_MODULE = "models/environment.py"
SHELL_READ = re.compile(r"\$\{([A-Z][A-Z0-9_]{2,})[:}]")                # ${X}, ${X:-default}, ${X:?msg}
SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "KEY")


def variables_read() -> dict[str, set[str]]:
    """Environment variable -> what reads it: the desk's one environment object, and the backup script."""
    from models.environment import Environment

    found: dict[str, set[str]] = {name: {ENVIRONMENT_MODULE} for name in Environment.variables()}
    for script in (DEPLOY / "backup.sh",):
        for name in SHELL_READ.findall(script.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(str(script.relative_to(ROOT)))
    return found


def temp_config(tmp_path: Path) -> Path:
    """The shipped config with the paths a server would set: media outside the repo."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["intake"]["media_dir"] = str(tmp_path / "media")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def server_env(tmp_path: Path, database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TWILIO_", "TELEGRAM_", "SMTP_")) and key not in {"TRUST_PROXY", "WEB_CONCURRENCY"}}
    env.update(DATABASE_URL=f"sqlite:///{database}", ADUAN_CONFIG=str(temp_config(tmp_path)),
               SECRET_KEY="test-secret-key-not-for-production", PYTHONDONTWRITEBYTECODE="1")
    return env


def unit_lines(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, value = line.split("=", 1)
            pairs.append((key.strip(), value.strip()))
    return pairs


# --- gunicorn -------------------------------------------------------------------------------------


def test_gunicorn_checks_the_config_and_loads_the_app_on_a_prepared_database_only(tmp_path: Path) -> None:
    database = tmp_path / "aduan.db"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "--check-config", "--chdir", str(ROOT), "-c", str(DEPLOY / "gunicorn.conf.py"), APP]
    env = server_env(tmp_path, database)
    # --check-config imports the app: the factory refuses a database nobody prepared, and creates nothing.
    refused = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert refused.returncode != 0 and "aduan db upgrade" in refused.stdout + refused.stderr
    assert not {row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    from models.config import load_settings
    from models.environment import Environment
    from models.runtime import prepare_database

    prepare_database(load_settings(env["ADUAN_CONFIG"]), Environment.of(env)).engine.dispose()
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_settings_fit_the_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("ADUAN_BIND", raising=False)
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["bind"].startswith("127.0.0.1:")  # only the reverse proxy reaches gunicorn
    assert settings["workers"] >= 2
    assert settings["preload_app"] is False  # each worker opens its own pool after the fork
    assert settings["timeout"] > 15  # Twilio waits 15 s for a webhook
    stop = dict(unit_lines(UNITS / "aduan-web@.service"))["TimeoutStopSec"]
    assert 5 < settings["graceful_timeout"] < int(stop)  # systemd must not kill a worker that is finishing
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["workers"] == 7


def test_nginx_and_the_app_agree_on_limits() -> None:
    from web import MAX_FORM_BYTES

    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    size = re.search(r"client_max_body_size\s+(\d+)k;", nginx)
    assert size and int(size.group(1)) * 1024 == MAX_FORM_BYTES
    read_timeout = re.search(r"proxy_read_timeout\s+(\d+)s;", nginx)
    gunicorn_timeout = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["timeout"]
    assert read_timeout and int(read_timeout.group(1)) > gunicorn_timeout
    ports = {int(port) for port in re.findall(r"server\s+127\.0\.0\.1:(\d+)", nginx)}
    assert ports and (UNITS / "aduan-web@.service").exists()  # one instance per upstream port
    assert "proxy_next_upstream error;" in nginx  # never re-send a request gunicorn has seen


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None,
                    reason="nginx or openssl not installed")
def test_nginx_accepts_the_sample_site(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=lapor.example.go.id"], capture_output=True, check=True)
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{ access_log off; include {tmp_path}/site.conf; }}\n", encoding="utf-8")
    result = subprocess.run(["nginx", "-t", "-c", str(main), "-e", str(tmp_path / "error.log")],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr


# --- scripts the units run ------------------------------------------------------------------------


def test_prepare_database_upgrades_and_syncs_then_backup_copies_it(tmp_path: Path) -> None:
    database = tmp_path / "aduan.db"
    env = server_env(tmp_path, database)
    prepared = subprocess.run([sys.executable, str(DEPLOY / "prepare_database.py")], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=180, check=False)
    assert prepared.returncode == 0, prepared.stderr
    assert "schema up to date, directory synced (sqlite)" in prepared.stdout
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM officials").fetchone()[0] > 0

    if shutil.which("sqlite3") is None:
        pytest.skip("sqlite3 command-line tool not installed (backup.sh needs it for SQLite)")
    media = tmp_path / "media"
    (media / "BTL-TEST").mkdir(parents=True)
    (media / "BTL-TEST" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    backups = tmp_path / "backups"
    env.update(BACKUP_DIR=str(backups), BACKUP_MEDIA_DIR=str(media), BACKUP_KEEP_DAYS="14")
    backed_up = subprocess.run(["bash", str(DEPLOY / "backup.sh")], env=env, capture_output=True, text=True,
                               timeout=120, check=False)
    assert backed_up.returncode == 0, backed_up.stderr
    copies = sorted(backups.glob("aduan-*.db"))
    assert len(copies) == 1 and sorted(backups.glob("media-*.tar.gz"))
    with sqlite3.connect(copies[0]) as connection:
        assert connection.execute("SELECT count(*) FROM officials").fetchone()[0] > 0

    prepared_bad = subprocess.run([sys.executable, str(DEPLOY / "prepare_database.py"), "--config",
                                   str(tmp_path / "missing.yaml")], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=120, check=False)
    assert prepared_bad.returncode == 2


def test_backup_refuses_an_unknown_database(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "mysql://nobody@localhost/aduan", "BACKUP_DIR": str(tmp_path)}
    result = subprocess.run(["bash", str(DEPLOY / "backup.sh")], env=env, capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode != 0 and "unsupported" in result.stderr


# --- systemd units --------------------------------------------------------------------------------


def test_units_run_files_that_exist_in_the_repository() -> None:
    units = sorted(UNITS.glob("*.service"))
    assert {path.name for path in units} >= {"aduan-web@.service", "aduan-notifier.service", "aduan-bot.service",
                                             "aduan-prepare.service", "aduan-backup.service"}
    for unit in units:
        pairs = unit_lines(unit)
        keys = dict(pairs)
        assert keys.get("User") == "aduan", unit.name
        assert keys.get("EnvironmentFile") == "/etc/aduan/aduan.env", unit.name
        commands = [value for key, value in pairs if key.startswith("Exec")]
        assert commands, unit.name
        for command in commands:
            words = shlex.split(command.lstrip("-@:+!"))
            program = words[0]
            assert program.startswith(RELEASE), (unit.name, program)
            relative = program.removeprefix(RELEASE)
            if relative.startswith(".venv/bin/"):
                assert relative.removeprefix(".venv/bin/") in {"python", "gunicorn", "aduan"}, (unit.name, program)
            else:
                assert (ROOT / relative).is_file() and os.access(ROOT / relative, os.X_OK), (unit.name, program)
            for word in words[1:]:
                if word.startswith(RELEASE):
                    assert (ROOT / word.removeprefix(RELEASE)).is_file(), (unit.name, word)
            if relative == ".venv/bin/gunicorn":
                assert APP in words, unit.name
            if relative == ".venv/bin/aduan" or any(word.endswith(".py") and "gunicorn" not in word
                                                    for word in words[1:]):
                assert "--config" in words and "/etc/aduan/config.yaml" in words, (unit.name, command)
        for dependency in re.findall(r"[\w@-]+\.service", keys.get("Requires", "")):
            assert (UNITS / dependency).exists(), (unit.name, dependency)
    timer = dict(unit_lines(UNITS / "aduan-backup.timer"))
    assert "OnCalendar" in timer


def test_the_gunicorn_factory_named_by_the_unit_exists() -> None:
    import web

    module, call = APP.split(":")
    assert module == "web" and callable(getattr(web, call.removesuffix("()")))


def test_entry_scripts_accept_the_config_option() -> None:
    for script in ("run_bot.py", "run_notifier.py", "manage.py", "deploy/prepare_database.py"):
        shown = subprocess.run([sys.executable, str(ROOT / script), "--help"], capture_output=True, text=True,
                               timeout=60, check=False)
        assert shown.returncode == 0 and "--config" in shown.stdout, script


# --- documentation --------------------------------------------------------------------------------


def test_every_environment_variable_the_code_reads_is_documented() -> None:
    found = variables_read()
    # The scan must see the variables we know about, or it is silently looking at nothing.
    assert {"DATABASE_URL", "TELEGRAM_BOT_TOKEN", "TWILIO_AUTH_TOKEN", "SECRET_KEY", "OPEN311_API_KEYS",
            "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR", "BACKUP_DIR"} <= set(found)
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    guide = GUIDE.read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, readers in sorted(found.items()):
        assert re.search(rf"^#?\s*{name}\b", example, re.MULTILINE), f"{name} ({readers}) missing in env.example"
        assert f"`{name}`" in guide, f"{name} ({readers}) missing in docs/DEPLOYMENT.md"
        if ENVIRONMENT_MODULE in readers:
            assert f"`{name}`" in readme, f"{name} missing in the README's environment table"


def test_only_the_environment_object_reads_the_process_environment() -> None:
    readers = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"os\.environ|os\.getenv|getenv\(", text):
                readers.add(str(path.relative_to(ROOT)))
    assert readers == {ENVIRONMENT_MODULE}


def test_env_example_holds_placeholders_only() -> None:
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", name), line
        if any(word in name for word in SECRET_WORDS) or ("@" in value and ":" in value.split("@")[0]):
            assert "CHANGE-ME" in value, f"{name} looks like a real secret"


def test_readme_links_the_deployment_guide() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/DEPLOYMENT.md" in readme


def test_the_guide_names_the_real_webhook_paths_and_templates() -> None:
    from bot.whatsapp.config import NEEDED_PURPOSES

    guide = GUIDE.read_text(encoding="utf-8")
    twilio = (ROOT / "bot" / "whatsapp" / "webhook.py").read_text(encoding="utf-8")
    assert 'url_prefix="/webhooks/twilio"' in twilio and '.post("/whatsapp")' in twilio
    assert "/webhooks/twilio/whatsapp" in guide and "/webhooks/twilio/status/<token>" in guide
    assert "/telegram/webhook" in guide
    for purpose in NEEDED_PURPOSES:
        assert f"| `{purpose}` | yes |" in guide, purpose
