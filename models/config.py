"""The deployment's configuration: parsed once from YAML into typed objects.

Every mistake is reported with the path of the key at fault
(``agencies[3].officials[0].whatsapp: '0812-xx' is not an E.164 number``) so an
operator can fix the file without reading code. Secrets never live here: they
come from environment variables (see README).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.roles import Role as Role  # re-exported: the roles were defined here first

REGIONAL_AGENCY_CODES: tuple[str, ...] = (
    "PUPR", "PERKIM", "DLH", "DISHUB", "DISDUKCAPIL", "DINKES", "DISDIK", "DINSOS", "DPMPTSP",
    "SATPOLPP", "BPBD", "DISNAKER", "DISTAN", "DISPERINDAG", "DISKOMINFO", "INSPEKTORAT", "DPMD",
    "BAPENDA", "BKPSDM", "DP3A", "KECAMATAN", "PDAM", "DISPARPORA",
)
EXTERNAL_AGENCY_CODES: tuple[str, ...] = (
    "EXT_BPJS_KESEHATAN", "EXT_BPJS_KETENAGAKERJAAN", "EXT_PLN", "EXT_POLRI", "EXT_PERTAMINA",
    "EXT_BPN", "EXT_IMIGRASI", "EXT_KEMENAG", "EXT_PROVINSI", "EXT_NASIONAL",
)
ALL_AGENCY_CODES: frozenset[str] = frozenset(REGIONAL_AGENCY_CODES + EXTERNAL_AGENCY_CODES)

# libyaml's parser when PyYAML was built with it (ten times faster: every command reads the config).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TELEGRAM_CHAT = re.compile(r"^-?\d{1,20}$")
OFFICIAL_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the key path."""


AGENCY_ROLES = frozenset({Role.ADMIN, Role.HEAD})
# The one list of roles that belong to the whole region rather than to an agency (they see every
# agency's complaints on the dashboard), and among them the region's leadership, who hear about
# what an agency left unanswered (escalation level 2, the monthly recap).
REGION_WIDE_ROLES = frozenset(Role) - AGENCY_ROLES
REGIONAL_LEADERSHIP = frozenset({Role.REGIONAL_HEAD, Role.SEKDA, Role.INSPECTORATE})
ContactChannel = Literal["whatsapp", "telegram", "email"]
CONTACT_CHANNELS: tuple[ContactChannel, ...] = ("whatsapp", "telegram", "email")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfficialConfig(_Strict):
    id: str
    name: str
    role: Role
    telegram: str | None = None
    whatsapp: str | None = None
    email: str | None = None
    # Order in which channels are tried when one fails; defaults to CONTACT_CHANNELS order.
    channel_order: tuple[ContactChannel, ...] = CONTACT_CHANNELS

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        if not OFFICIAL_ID.match(value):
            raise ValueError(f"{value!r} is not a valid id (lower-case letters, digits, '.', '_', '-')")
        return value

    @field_validator("whatsapp")
    @classmethod
    def _whatsapp_is_e164(cls, value: str | None) -> str | None:
        if value is not None and not E164.match(value):
            raise ValueError(f"{value!r} is not an E.164 number (e.g. '+6281234567890')")
        return value

    @field_validator("telegram")
    @classmethod
    def _telegram_is_chat_id(cls, value: str | int | None) -> str | None:
        if value is None:
            return None
        text = str(value)
        if not TELEGRAM_CHAT.match(text):
            raise ValueError(f"{value!r} is not a Telegram chat id (digits, negative for groups)")
        return text

    @field_validator("email")
    @classmethod
    def _email_is_address(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    def contacts(self) -> list[tuple[str, str]]:
        """(channel, address) pairs in the official's preferred order."""
        found = [(channel, getattr(self, channel)) for channel in self.channel_order]
        return [(channel, address) for channel, address in found if address]


class AgencyConfig(_Strict):
    code: str
    name: str
    kind: Literal["regional", "external"] = "regional"
    category: str = "Umum"
    # Where a citizen should take it themselves (external bodies), e.g. "Call center PLN 123".
    contact: str | None = None
    keywords: dict[str, float] = Field(default_factory=dict)
    officials: tuple[OfficialConfig, ...] = ()

    @field_validator("code")
    @classmethod
    def _code_is_known(cls, value: str) -> str:
        if value not in ALL_AGENCY_CODES:
            raise ValueError(f"{value!r} is not a known agency code")
        return value

    @field_validator("officials")
    @classmethod
    def _only_agency_roles(cls, value: tuple[OfficialConfig, ...]) -> tuple[OfficialConfig, ...]:
        for index, official in enumerate(value):
            if official.role in REGION_WIDE_ROLES:
                raise ValueError(
                    f"[{index}].role: {official.role.value!r} is region-wide; "
                    "put it under the top-level 'officials' list"
                )
        return value

    @model_validator(mode="after")
    def _kind_matches_code(self) -> AgencyConfig:
        expected = "external" if self.code.startswith("EXT_") else "regional"
        if self.kind != expected:
            raise ValueError(f"kind: {self.code} must be {expected!r}")
        if self.kind == "external" and not self.contact:
            raise ValueError("contact: an external body needs the channel a citizen should use")
        return self


class HolidayOverride(_Strict):
    date: date
    name: str


class CalendarConfig(_Strict):
    office_start: time = time(7, 30)
    office_end: time = time(16, 0)
    extra_holidays: tuple[HolidayOverride, ...] = ()
    # Dates made working again (e.g. a cuti bersama the Pemda cancelled).
    working_days: tuple[date, ...] = ()


class SlaOverride(_Strict):
    verify_days: int | None = Field(default=None, ge=1, le=60)
    ack_days: int | None = Field(default=None, ge=0, le=60)
    answer_days: int | None = Field(default=None, ge=0, le=60)
    emergency: bool = False


class SlaConfig(_Strict):
    verify_days: int = Field(default=3, ge=1, le=60)
    ack_days: int = Field(default=1, ge=0, le=60)
    answer_days: int = Field(default=5, ge=1, le=60)
    reply_window_days: int = Field(default=10, ge=1, le=60)
    reminder_every_days: int = Field(default=2, ge=1, le=30)
    reminder_cap: int = Field(default=3, ge=0, le=20)
    # Keyed by agency category (e.g. "Bencana") or agency code (e.g. "BPBD").
    overrides: dict[str, SlaOverride] = Field(default_factory=dict)


class IntakeConfig(_Strict):
    max_complaints_per_day: int = Field(default=5, ge=1, le=1000)
    max_text_chars: int = Field(default=4000, ge=200, le=100_000)
    session_idle_hours: int = Field(default=24, ge=1, le=24 * 30)
    # When the citizen confirms the suggested agency, dispatch at once (as ARCADUMAS does);
    # otherwise the complaint waits in the triage queue for an operator.
    auto_dispatch: bool = True
    media_dir: str = "var/media"
    max_media_bytes: int = Field(default=10_000_000, ge=10_000)


class PrivacyConfig(_Strict):
    # Chat sessions idle and inbound message records older than this are deleted (models/retention.py).
    retention_days: int = Field(default=180, ge=7, le=3650)


class SecurityConfig(_Strict):
    """Limits on the public doors of the web app (per client address, per process; nginx limits across them)."""

    public_requests_per_minute: int = Field(default=120, ge=1, le=100_000)
    chat_messages_per_minute: int = Field(default=30, ge=1, le=10_000)
    login_attempts_per_minute: int = Field(default=30, ge=1, le=10_000)
    # Complaints one client address may file through the web chat per local day (cookies do not reset it).
    web_filings_per_address_per_day: int = Field(default=10, ge=1, le=10_000)
    # Proof of work a browser solves before its first web-chat message (leading zero bits of a SHA-256).
    chat_challenge_bits: int = Field(default=12, ge=0, le=24)
    # /ringkasan and other public aggregates are recomputed at most this often.
    public_cache_seconds: int = Field(default=300, ge=0, le=86_400)
    # A dashboard session ends this long after sign-in, whatever the activity.
    session_hours: int = Field(default=8, ge=1, le=24 * 7)
    # How long the signed link in an official's alert opens the complaint page (sign-in still required).
    alert_link_days: int = Field(default=14, ge=1, le=365)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EMERGENCY_KINDS: tuple[str, ...] = ("fire", "flood", "collapse", "medical")
NumberKind = Literal["general", "fire", "ambulance", "police"]
NATIONAL_NUMBERS: dict[NumberKind, str] = {"general": "112", "fire": "113", "ambulance": "119", "police": "110"}


class DutyShift(_Strict):
    """One official on call for one agency: on these weekdays, from `start` to `end` local time.

    A shift whose end is not after its start runs past midnight (16:00-07:30); it belongs to the day it
    starts on. 00:00-00:00 is the whole day.
    """

    agency: str
    official: str
    days: tuple[Weekday, ...] = WEEKDAYS
    start: time = time(0, 0)
    end: time = time(0, 0)

    def covers(self, weekday: int, moment: time) -> bool:
        """Whether the shift holds at `moment` on the local day numbered `weekday` (Monday 0)."""
        today, yesterday = WEEKDAYS[weekday], WEEKDAYS[(weekday - 1) % 7]
        if self.start < self.end:
            return today in self.days and self.start <= moment < self.end
        return (today in self.days and moment >= self.start) or (yesterday in self.days and moment < self.end)


class EmergencyConfig(_Strict):
    """Fire, people trapped by a flood, a collapsed bridge with victims, a medical emergency.

    The first reply gives the national numbers and the region's own; the complaint goes at once to the
    agency for its kind, with an SLA in hours, and to whoever is on duty there (day, night or weekend).
    """

    # Said first, in this order: 112 (every emergency), fire 113, ambulance 119, police 110.
    national_numbers: dict[NumberKind, str] = Field(default_factory=lambda: dict(NATIONAL_NUMBERS))
    # The region's own emergency lines per agency code, e.g. {BPBD: "Pusdalops 0511-..."}; short enough
    # for the one-screen first reply.
    regional_numbers: dict[str, Annotated[str, Field(max_length=40)]] = Field(default_factory=dict)
    # Which agency takes each kind of emergency (fire: the Satpol PP's damkar; the rest: BPBD).
    routes: dict[str, str] = Field(default_factory=lambda: {
        "fire": "SATPOLPP", "flood": "BPBD", "collapse": "BPBD", "medical": "BPBD"})
    ack_hours: int = Field(default=1, ge=1, le=72)
    answer_hours: int = Field(default=24, ge=1, le=24 * 14)
    duty_roster: tuple[DutyShift, ...] = ()

    @field_validator("routes")
    @classmethod
    def _known_kinds(cls, value: dict[str, str]) -> dict[str, str]:
        for kind, agency in value.items():
            if kind not in EMERGENCY_KINDS:
                raise ValueError(f"{kind!r} is not an emergency kind ({', '.join(EMERGENCY_KINDS)})")
            if agency not in REGIONAL_AGENCY_CODES:
                raise ValueError(f"[{kind!r}]: {agency!r} is not a regional agency code")
        missing = [kind for kind in EMERGENCY_KINDS if kind not in value]
        if missing:
            raise ValueError(f"every emergency kind needs an agency; missing {', '.join(missing)}")
        return value

    @field_validator("regional_numbers")
    @classmethod
    def _numbers_of_known_agencies(cls, value: dict[str, str]) -> dict[str, str]:
        for agency in value:
            if agency not in REGIONAL_AGENCY_CODES:
                raise ValueError(f"[{agency!r}]: not a regional agency code")
        return value

    def on_duty(self, agency: str, weekday: int, moment: time) -> list[str]:
        """The official ids on call for `agency` at local `moment` of the day numbered `weekday`."""
        return [shift.official for shift in self.duty_roster
                if shift.agency == agency and shift.covers(weekday, moment)]


class RegionConfig(_Strict):
    name: str
    short_name: str
    code_prefix: str
    timezone: str
    dashboard_url: str = "http://127.0.0.1:8000"
    operations_contact: str | None = None

    @field_validator("code_prefix")
    @classmethod
    def _prefix_shape(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{2,5}", value):
            raise ValueError(f"{value!r} must be 2-5 upper-case letters, e.g. 'BTL'")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'Asia/Makassar')") from None
        return value


class RoutingConfig(_Strict):
    """What a region adds to the router's shipped table (bot/routing/routing.yaml).

    The shipped table comes with each upgrade; a region's knowledge lives here, so it survives them.
    """

    # Another table instead of the shipped one (tests, experiments); None means the shipped table.
    table: str | None = None
    # Who owns a shared keyword group in this region, e.g. {street_lighting: DISHUB}; the
    # routing table names the default owner and the groups that exist.
    owners: dict[str, str] = {}
    # The region's place names (kecamatan, desa, main streets, canals): words of a place name are
    # landmarks, never topics ("Handil Bakti" is a village, not a canal complaint).
    places: tuple[str, ...] = ()
    # Local speech and spellings, one word -> its standard form ({pambakal: kepala desa}).
    slang: dict[str, str] = {}
    # Keyword weights set by this region, per agency code: a phrase here replaces the shipped
    # weight for that agency (0 removes it). `python -m bot.classifier learn --write` adds to it.
    keywords: dict[str, dict[str, float]] = {}


class RateLimitConfig(_Strict):
    per_second: float = Field(gt=0, le=10_000)
    per_recipient_per_second: float | None = Field(default=None, gt=0)
    # Telegram groups (negative chat ids) have their own, slower limit.
    per_group_per_minute: float | None = Field(default=None, gt=0)


class NotifierConfig(_Strict):
    tick_seconds: float = Field(default=5.0, gt=0, le=3600)
    batch_size: int = Field(default=100, ge=1, le=10_000)
    max_attempts: int = Field(default=6, ge=1, le=50)
    lease_seconds: int = Field(default=120, ge=5, le=3600)
    # channel -> transport name; anything not listed goes to the log transport.
    transports: dict[str, str] = Field(default_factory=dict)
    # Token buckets per transport; a channel not listed keeps its provider's published limits, which
    # its wing knows (bot/telegram/errors.py, bot/whatsapp/errors.py).
    rate_limits: dict[str, RateLimitConfig] = Field(default_factory=dict)
    # How often an idle notifier peeks for new outbox rows ("reaksi cepat": alerts leave within seconds).
    wake_seconds: float = Field(default=1.0, gt=0, le=60)
    # How often the escalation sweep looks for due complaints.
    sweep_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Local time of the daily digests and the operators' summary (working days only).
    digest_time: time = time(7, 0)
    # "daily" (every working morning) or "weekly" (on digest_weekday, 0 = Monday, or the next working day).
    digest_frequency: Literal["daily", "weekly"] = "daily"
    digest_weekday: int = Field(default=0, ge=0, le=6)
    # /healthz says "degraded" when the oldest due outbox row waits longer than this.
    health_lag_seconds: int = Field(default=900, ge=10, le=7 * 24 * 3600)
    # Transport self-checks after start and then every so many minutes.
    self_check_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # A row still queued or sending after this long counts as stuck in the operators' summary.
    stuck_after_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Most sends of one channel in flight at once (notifier/lanes.py widens a slow provider's channel up
    # to this). It is also the most a notifier killed mid-send can re-send per channel: 1 keeps the
    # strict one-re-send-per-crash bound at the cost of throughput to slow providers.
    max_in_flight: int = Field(default=32, ge=1, le=64)


class DeputyConfig(_Strict):
    """A Plt. (pelaksana tugas): `deputy` receives the alerts meant for `holder` from `start` to `end`
    (local dates, both included) while the holder is away; the holder keeps receiving them too."""
    holder: str
    deputy: str
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> DeputyConfig:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.deputy == self.holder:
            raise ValueError("an official cannot deputise for themselves")
        return self


# --- SP4N-LAPOR! and the Ombudsman (docs/LAPOR.md) ------------------------------------------------

# What the desk can send to LAPOR!'s API; `lapor.api.fields` names each one's key in the region's contract.
LAPOR_FIELDS: tuple[str, ...] = ("reference", "title", "text", "category", "location", "agency", "confidential",
                                 "anonymous", "filed_at", "reporter_name", "reporter_phone", "latitude", "longitude")
LAPOR_STATUS_FIELDS: tuple[str, ...] = ("reference", "tracking_id", "status", "note", "at")


class LaporApiConfig(_Strict):
    """The integration contract of the region's LAPOR! developer account: where, how to sign in, which keys."""

    base_url: str | None = None
    # Paths under base_url; {tracking_id} is filled with the id LAPOR! returned for the report.
    create_path: str = "/laporan"
    status_path: str = "/laporan/{tracking_id}/tindak-lanjut"
    # The token comes from LAPOR_API_TOKEN; it is sent as "<auth_header>: <auth_scheme> <token>".
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    # Sent with every request so LAPOR! (or a proxy in front of it) drops a repeat after a crash.
    idempotency_header: str = "Idempotency-Key"
    # Dotted path of the tracking id in the answer to a create, e.g. "data.tracking_id".
    tracking_id_field: str = "tracking_id"
    fields: dict[str, str] = Field(default_factory=lambda: {
        "reference": "id_referensi", "title": "judul", "text": "isi", "category": "kategori",
        "location": "lokasi", "agency": "instansi", "confidential": "rahasia", "anonymous": "anonim",
        "filed_at": "tanggal_kejadian", "reporter_name": "nama_pelapor", "reporter_phone": "telepon_pelapor"})
    status_fields: dict[str, str] = Field(default_factory=lambda: {
        "reference": "id_referensi", "tracking_id": "tracking_id", "status": "status", "note": "tindak_lanjut",
        "at": "waktu"})
    # Our status -> the word LAPOR!'s contract expects; a status not listed is sent as it is.
    status_values: dict[str, str] = Field(default_factory=lambda: {
        "dispatched": "diteruskan", "in_progress": "diproses", "coordinating": "diproses",
        "answered": "ditindaklanjuti", "closed": "selesai", "reopened": "diproses", "rejected": "ditolak",
        "forwarded": "diteruskan", "received": "belum_diverifikasi"})
    timeout_seconds: float = Field(default=20.0, gt=0, le=300)

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        return _only_known(value, LAPOR_FIELDS)

    @field_validator("status_fields")
    @classmethod
    def _known_status_fields(cls, value: dict[str, str]) -> dict[str, str]:
        return _only_known(value, LAPOR_STATUS_FIELDS)


def _only_known(value: dict[str, str], known: tuple[str, ...]) -> dict[str, str]:
    for name in value:
        if name not in known:
            raise ValueError(f"{name!r} is not a field the desk sends (known: {', '.join(known)})")
    return value


class LaporConfig(_Strict):
    # off: nothing goes to LAPOR!; manual: a dashboard queue an operator copies into lapor.go.id;
    # api: the notifier sends through the region's LAPOR! integration API (lapor.api).
    connector: Literal["off", "manual", "api"] = "off"
    # The region's account name on LAPOR! (the "instansi" of every report handed over).
    instansi: str | None = None
    # Our categories (agencies[].category) -> LAPOR!'s topics; anything unmapped goes to default_topic.
    topics: dict[str, str] = Field(default_factory=dict)
    default_topic: str = "Topik Khusus"
    # The triage desk is reminded of the manual queue once its oldest entry waits this many working days.
    remind_after_working_days: int = Field(default=1, ge=1, le=30)
    api: LaporApiConfig = LaporApiConfig()
    # Labels in the text of LAPOR!'s notification e-mail, per field, for the paste box of the intake page.
    notification_labels: dict[str, tuple[str, ...]] = Field(default_factory=lambda: {
        "tracking_id": ("nomor tracking", "no. tracking", "tracking id", "id tracking", "nomor laporan"),
        "title": ("judul", "judul laporan"),
        "text": ("isi", "isi laporan", "laporan"),
        "category": ("kategori", "topik"),
        "agency": ("instansi", "instansi tujuan", "disposisi"),
        "filed_at": ("tanggal laporan", "tanggal", "dilaporkan"),
        "dispatched_at": ("tanggal disposisi", "didisposisikan", "diteruskan"),
        "location": ("lokasi",),
        "anonymous": ("anonim",),
        "confidential": ("rahasia",),
    })


class OmbudsmanOfficeConfig(_Strict):
    name: str
    email: str
    phone: str | None = None
    address: str | None = None
    website: str | None = None

    @field_validator("email")
    @classmethod
    def _email_is_address(cls, value: str) -> str:
        if not EMAIL.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value


class OmbudsmanConfig(_Strict):
    # The Ombudsman RI representative office of the region's province; without it no referral is offered.
    office: OmbudsmanOfficeConfig | None = None
    # An unanswered complaint is offered the Ombudsman this many working days after the regional head's alert.
    offer_after_working_days: int = Field(default=10, ge=1, le=120)


class Settings(_Strict):
    region: RegionConfig
    calendar: CalendarConfig = CalendarConfig()
    sla: SlaConfig = SlaConfig()
    intake: IntakeConfig = IntakeConfig()
    routing: RoutingConfig = RoutingConfig()
    notifier: NotifierConfig = NotifierConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    security: SecurityConfig = SecurityConfig()
    emergency: EmergencyConfig = EmergencyConfig()
    lapor: LaporConfig = LaporConfig()
    ombudsman: OmbudsmanConfig = OmbudsmanConfig()
    agencies: tuple[AgencyConfig, ...]
    officials: tuple[OfficialConfig, ...] = ()
    # Plt. while an official is away (leave, duty travel): see DeputyConfig.
    deputies: tuple[DeputyConfig, ...] = ()
    # Per-channel sections (telegram, whatsapp, email, web): each adapter or transport parses
    # its own with `parse_section`, so errors still name the full key path.
    channels: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Directory the config file was read from; relative paths in it are resolved against it.
    base_dir: Path = Path(".")

    @model_validator(mode="after")
    def _coherent(self) -> Settings:
        for problem in _coherence_problems(self):
            raise ValueError(problem)
        return self

    def agency(self, code: str) -> AgencyConfig:
        return self._agency_index()[code]

    def has_agency(self, code: str) -> bool:
        return code in self._agency_index()

    def _agency_index(self) -> dict[str, AgencyConfig]:
        return {agency.code: agency for agency in self.agencies}

    def all_officials(self) -> Iterator[tuple[OfficialConfig, str | None]]:
        """Every official with the agency code it belongs to (None for region-wide roles)."""
        for official in self.officials:
            yield official, None
        for agency in self.agencies:
            for official in agency.officials:
                yield official, agency.code

    def resolve(self, relative: str) -> Path:
        path = Path(relative)
        return path if path.is_absolute() else self.base_dir / path


def _coherence_problems(settings: Settings) -> Iterator[str]:
    codes = [agency.code for agency in settings.agencies]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        yield f"agencies: duplicated codes {', '.join(duplicates)}"
    missing = sorted(ALL_AGENCY_CODES - set(codes))
    if missing:
        yield f"agencies: missing agency codes {', '.join(missing)}"
    for index, official in enumerate(settings.officials):
        if official.role in AGENCY_ROLES:
            yield f"officials[{index}].role: {official.role.value!r} belongs under its agency's officials"
    ids = [official.id for official, _ in settings.all_officials()]
    repeated = sorted({official_id for official_id in ids if ids.count(official_id) > 1})
    if repeated:
        yield f"officials: duplicated official ids {', '.join(repeated)}"
    if not any(official.role == Role.TRIAGE for official in settings.officials):
        yield "officials: at least one official with role 'triage' (admin instansi) is required"
    for index, agency in enumerate(settings.agencies):
        if agency.kind == "regional" and not any(o.role == Role.ADMIN for o in agency.officials):
            yield f"agencies[{index}].officials: {agency.code} needs at least one 'admin' (admin penghubung)"
    for index, deputy in enumerate(settings.deputies):
        for field in ("holder", "deputy"):
            if getattr(deputy, field) not in ids:
                yield f"deputies[{index}].{field}: {getattr(deputy, field)!r} is not an official in this config"
    unknown = sorted(set(settings.sla.overrides) - set(codes) - {a.category for a in settings.agencies})
    if unknown:
        yield f"sla.overrides: {', '.join(unknown)} is neither an agency code nor a category"
    if settings.lapor.connector == "api" and not settings.lapor.api.base_url:
        yield "lapor.api.base_url: required when lapor.connector is 'api' (from your LAPOR! developer account)"
    categories = {agency.category for agency in settings.agencies}
    for category in sorted(set(settings.lapor.topics) - categories):
        yield f"lapor.topics[{category!r}]: not a category of any agency (agencies[].category)"
    yield from _duty_roster_problems(settings)


def _duty_roster_problems(settings: Settings) -> Iterator[str]:
    """Each shift names a known agency and one of that agency's officials (or a region-wide one)."""
    members = {official.id: agency for official, agency in settings.all_officials()}
    for index, shift in enumerate(settings.emergency.duty_roster):
        where = f"emergency.duty_roster[{index}]"
        if shift.agency not in REGIONAL_AGENCY_CODES:
            yield f"{where}.agency: {shift.agency!r} is not a regional agency code"
        elif shift.official not in members:
            yield f"{where}.official: {shift.official!r} is not an official in this config"
        elif members[shift.official] not in (None, shift.agency):
            yield f"{where}.official: {shift.official!r} belongs to {members[shift.official]}, not {shift.agency}"


def load_settings(path: Path | str) -> Settings:
    """Read and validate a config file; raises ConfigError naming the key at fault."""
    config_path = Path(path)
    try:
        raw = yaml.load(config_path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: file not found") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{config_path}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{config_path}: the top level must be a mapping")
    return parse_settings(raw, base_dir=config_path.resolve().parent, source=str(config_path))


def parse_settings(raw: Mapping[str, Any], base_dir: Path, source: str = "config") -> Settings:
    try:
        return Settings.model_validate({**raw, "base_dir": base_dir})
    except ValidationError as error:
        lines = [f"{source}: {_describe(item)}" for item in error.errors()]
        raise ConfigError("\n".join(lines)) from None


SectionT = TypeVar("SectionT", bound=BaseModel)


def parse_section(settings: Settings, channel: str, model: type[SectionT]) -> SectionT:
    """Validate `channels.<channel>` into the adapter's own model; errors name the key path."""
    raw = settings.channels.get(channel) or {}
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        lines = [f"config: channels.{channel}.{_describe(item)}" for item in error.errors()]
        raise ConfigError("\n".join(lines)) from None


def describe_error(item: Mapping[str, Any]) -> str:
    """One pydantic error as 'key.path[0]['odd key']: problem' (shared with routing.yaml)."""
    return _describe(item)


def _describe(item: Mapping[str, Any]) -> str:
    path = _key_path(item.get("loc", ()))
    message = str(item.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if message.startswith("[") and "]" in message:
        # Nested index reported by a list validator: glue it to the path.
        index, _, rest = message.partition(":")
        return f"{path}{index}:{rest}"
    if item.get("type") == "missing":
        return f"{path}: required key is missing"
    if item.get("type") == "extra_forbidden":
        return f"{path}: unknown key"
    return f"{path}: {message}" if path else message


def _key_path(loc: tuple[Any, ...] | list[Any]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":  # pydantic's marker for a bad mapping key: the key is already in the path
            continue
        elif not _PLAIN_KEY.match(str(part)):
            path += f"[{str(part)!r}]"  # keys with spaces or symbols: keywords['jalan rusak']
        else:
            path += f".{part}" if path else str(part)
    return path


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
