"""Officials act from their chat: TERIMA / JAWAB / SELESAI / BUKAN / ALIHKAN / INFO <kode> ...

An official is recognised by a registered contact (`official_contacts`: WhatsApp E.164 number or
Telegram chat id). Every change goes through `Desk.act`, so the permission table and the audit
trail are the same as on the command line and the dashboard. A command with a valid code from an
unregistered sender gets a clear refusal; anything else (e.g. "terima kasih") is left to the citizen
dialog.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialog.messages import Inbound, Reply
from models.codes import normalize_code
from models.config import Settings
from models.desk import Desk
from models.directory import official_actor, official_by_contact
from models.lifecycle import DomainError, NotAllowed, Status, label
from models.notices import local_date_text, reporter_line, summary
from models.permissions import Action, allowed, authorize
from models.privacy import shown_text
from models.tables import Complaint, Official, OfficialContact

log = logging.getLogger("aduan.officials")

_COMMAND = re.compile(r"^\s*(TERIMA|JAWAB|SELESAI|BUKAN|ALIHKAN|INFO)\b[\s:]*(\S*)\s*(.*)$", re.I | re.S)
_ACTIONS = {"TERIMA": Action.ACKNOWLEDGE, "JAWAB": Action.ANSWER, "SELESAI": Action.CLOSE,
            "BUKAN": Action.NOT_OUR_AUTHORITY, "INFO": Action.VIEW}
HELP = "Perintah: TERIMA <kode> | JAWAB <kode> <teks> | SELESAI <kode> | BUKAN <kode> <alasan> | " \
       "ALIHKAN <kode> <KODE_INSTANSI> | INFO <kode>"


@dataclass(frozen=True)
class OfficialCommand:
    verb: str
    code: str | None
    typed_code: str
    rest: str


def parse_command(text: str, prefix: str) -> OfficialCommand | None:
    match = _COMMAND.match(text or "")
    if match is None:
        return None
    verb, typed, rest = match.group(1).upper(), match.group(2), match.group(3).strip()
    return OfficialCommand(verb, normalize_code(typed, prefix) if typed else None, typed, rest)


def answer_official(db: Session, settings: Settings, desk: Desk, inbound: Inbound) -> list[Reply] | None:
    """Replies when this message is an official's command (or a command from a stranger); else None."""
    command = parse_command(inbound.text, settings.region.code_prefix)
    if command is None:
        return None
    official, contact = _sender(db, inbound)
    if official is None or contact is None:
        if command.code is None:
            return None  # "terima kasih" and friends belong to the citizen dialog
        log.warning("official command refused: unknown sender channel=%s code=%s", inbound.channel, command.code)
        return [Reply("Maaf, nomor/akun ini tidak terdaftar sebagai petugas. Perintah tidak dijalankan.")]
    contact.last_inbound_at = desk.now
    return [OfficialTurn(db, settings, desk, official).run(command)]


def _by_lapor_id(db: Session, typed: str) -> str | None:
    if not typed:
        return None
    return db.scalars(select(Complaint.code).where(Complaint.lapor_tracking_id == typed.strip())).first()


def _sender(db: Session, inbound: Inbound) -> tuple[Official | None, OfficialContact | None]:
    for address in dict.fromkeys((inbound.sender_id, inbound.chat_id)):
        official = official_by_contact(db, inbound.channel, address)
        if official is not None:
            contact = db.scalars(select(OfficialContact).where(
                OfficialContact.official_id == official.id, OfficialContact.channel == inbound.channel)).first()
            return official, contact
    return None, None


class OfficialTurn:
    def __init__(self, db: Session, settings: Settings, desk: Desk, official: Official) -> None:
        self.db = db
        self.settings = settings
        self.desk = desk
        self.official = official

    def run(self, command: OfficialCommand) -> Reply:
        by_lapor = _by_lapor_id(self.db, command.typed_code) if command.code is None else None
        if by_lapor is not None:  # a SP4N-LAPOR! tracking id works wherever a code does
            command = OfficialCommand(command.verb, by_lapor, command.typed_code, command.rest)
        if command.code is None:
            return Reply(f"Kode laporan {command.typed_code or '(kosong)'} tidak dikenali.\n{HELP}")
        complaint = self.db.scalars(select(Complaint).where(Complaint.code == command.code)).first()
        if complaint is None or not allowed(official_actor(self.db, self.official.id), Action.VIEW, complaint):
            # Another office's complaint answers exactly like one that does not exist.
            return Reply(f"Laporan {command.code} tidak ditemukan.")
        try:
            # A savepoint: a refused action leaves nothing behind, the reply is still remembered.
            with self.db.begin_nested():
                reply = self._perform(command, complaint)
        except NotAllowed:
            log.warning("official command refused code=%s official=%s verb=%s", complaint.code,
                        self.official.id, command.verb)
            return Reply(f"Maaf, Anda tidak berwenang menjalankan {command.verb} untuk {complaint.code}.")
        except DomainError as error:
            log.info("official command rejected code=%s official=%s verb=%s error=%s", complaint.code,
                     self.official.id, command.verb, error)
            return Reply(f"Tidak dapat menjalankan {command.verb} untuk {complaint.code}: {error}")
        log.info("official command code=%s official=%s verb=%s status=%s", complaint.code, self.official.id,
                 command.verb, complaint.status)
        return reply

    def _perform(self, command: OfficialCommand, complaint: Complaint) -> Reply:
        actor = official_actor(self.db, self.official.id)
        if command.verb == "INFO":
            authorize(actor, Action.VIEW, complaint)
            return Reply(self._info(complaint), data={"code": complaint.code})
        if command.verb == "ALIHKAN":
            target = command.rest.split()[0].upper() if command.rest else None
            if target is None:
                raise DomainError("tulis kode instansi tujuan, mis. ALIHKAN <kode> PUPR.")
            action = Action.DISPATCH if complaint.status == Status.RECEIVED.value else Action.REROUTE
            self.desk.act(complaint, actor, action, to_agency=target)
        else:
            note = command.rest or None
            if command.verb == "JAWAB" and not note:
                raise DomainError("tulis jawabannya setelah kode, mis. JAWAB <kode> Jalan sudah ditambal.")
            self.desk.act(complaint, actor, _ACTIONS[command.verb], note=note)
        return Reply(f"{complaint.code}: {label(complaint.status)}. Tercatat atas nama {self.official.name}.",
                     data={"code": complaint.code})

    def _info(self, complaint: Complaint) -> str:
        zone = self.desk.calendar.zone
        agency = self.settings.agency(complaint.agency_code).name if complaint.agency_code else "(triase)"
        age = self.desk.calendar.working_days_elapsed(complaint.created_at, self.desk.now)
        return "\n".join([
            f"{complaint.code}: {label(complaint.status)}",
            f"Instansi: {agency}",
            f"Isi: {summary(shown_text(complaint))}",
            reporter_line(complaint),
            f"Umur: {age} hari kerja; eskalasi tingkat {complaint.escalation_level}",
            f"Batas jawaban: {local_date_text(complaint.answer_due_at, zone)}",
            *([f"SP4N-LAPOR!: {complaint.lapor_tracking_id}"] if complaint.lapor_tracking_id else []),
        ])
