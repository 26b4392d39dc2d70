"""A citizen's consent to the Ombudsman path: "OMBUDSMAN <kode>" (without identity) or
"OMBUDSMAN <kode> IDENTITAS" (with it), after the desk offered it (models/ombudsman.py).

Only the reporter of that complaint can give it; anyone else is told the code is not theirs, exactly as
for a code that does not exist.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialog.messages import Reply
from models.codes import code_shaped, normalize_code
from models.desk import Desk
from models.lifecycle import DomainError
from models.ombudsman import CONSENT_WORD, WITH_IDENTITY
from models.permissions import Actor
from models.tables import Complaint, Reporter

_CONSENT = re.compile(rf"^\s*{CONSENT_WORD}\b[\s:]*(.+?)(?:\s+({WITH_IDENTITY}|IDENTITY))?\s*$", re.I | re.S)


def answer_consent(db: Session, desk: Desk, reporter: Reporter, text: str, english: bool) -> list[Reply] | None:
    """Replies when the message is a consent to the Ombudsman referral; None for anything else."""
    match = _CONSENT.match(text or "")
    if match is None or code_shaped(match.group(1), desk.settings.region.code_prefix) is None:
        return None  # "ombudsman tidak membantu ..." is a citizen's words for the dialog, not a consent
    code = normalize_code(match.group(1), desk.settings.region.code_prefix)
    complaint = db.scalars(select(Complaint).where(Complaint.code == code)).first() if code else None
    if complaint is None or complaint.reporter_id != reporter.id:
        return [Reply(_say("unknown", english, code=match.group(1)))]
    try:
        with db.begin_nested():
            referred = desk.refer_to_ombudsman(complaint, Actor("reporter", str(reporter.id)),
                                               with_identity=match.group(2) is not None)
    except DomainError:
        return [Reply(_say("not_offered", english, code=complaint.code), data={"code": complaint.code})]
    key = "sent" if referred else "already"
    return [Reply(_say(key, english, code=complaint.code, office=complaint.ombudsman_office or "-"),
                  data={"code": complaint.code})]


TEXTS = {
    "unknown": ("Laporan {code} tidak ditemukan di antara laporan Anda.", "Complaint {code} is not one of yours."),
    "not_offered": ("Laporan {code} belum dapat dirujuk ke Ombudsman: instansi masih dalam batas waktu menanganinya.",
                    "{code} cannot go to the Ombudsman yet: the office is still within its deadline."),
    "sent": ("Baik. Laporan {code} kami rujuk ke {office}; rinciannya kami kirim sebentar lagi.",
             "Done. {code} is referred to {office}; details follow shortly."),
    "already": ("Laporan {code} sudah dirujuk ke {office}.", "{code} was already referred to {office}."),
}


def _say(key: str, english: bool, **values: str) -> str:
    indonesian, in_english = TEXTS[key]
    return (in_english if english else indonesian).format(**values)
