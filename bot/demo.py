"""`manage.py demo`: a realistic week of complaints, so a newcomer sees a living desk."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.turn import infer_kind
from bot.routing import RoutingTable, classify
from models.config import Role, Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.directory import officials_with_roles
from models.lifecycle import Status
from models.permissions import Actor

# Hand-written examples in the voice of Barito Kuala's citizens (no real people or reports).
DEMO_REPORTS: tuple[tuple[str, str | None], ...] = (
    ("jln rusak parah dpn SDN 2 Marabahan, lubang besar udh 3 bln", "Jl. Panglima Batur, Marabahan"),
    ("Lampu PJU di jalan Anjir Pasar mati sudah seminggu, gelap sekali malam hari", "Anjir Pasar"),
    ("Sampah numpuk di TPS pasar Marabahan tidak diangkut 4 hari, bau busuk", "Pasar Marabahan"),
    ("air pdam gk ngalir sejak kemarin pagi di komplek kami", "Alalak"),
    ("Blangko KTP habis di Disdukcapil, sudah 2 bulan menunggu e-KTP belum jadi", None),
    ("Puskesmas Wanaraya obat habis dan dokter tidak ada waktu jam pelayanan", "Wanaraya"),
    ("Handil di desa kami tersumbat gulma, sawah terendam setiap hujan", "Tabunganen"),
    ("Ada pungli saat mengurus surat di kantor desa, diminta uang 200 ribu", None),
    ("Bansos PKH ibu saya tidak cair padahal terdata, mohon dicek", "Belawang"),
    ("Listrik padam terus tiap malam di kampung kami, token juga sering error", "Mandastana"),
    ("Parkir liar di depan pasar bikin macet setiap pagi", "Pasar Marabahan"),
    ("Jembatan kayu antar desa sudah lapuk dan berbahaya untuk anak sekolah", "Kuripan"),
    ("Banjir setinggi lutut di permukiman setelah hujan deras, warga butuh bantuan", "Alalak"),
    ("Guru SD sering tidak masuk, murid dipulangkan lebih awal", "Rantau Badauh"),
    ("Kartu BPJS Kesehatan saya tidak aktif padahal iuran sudah dibayar", None),
    ("Pedagang kaki lima menutup trotoar di depan kantor kecamatan", "Marabahan"),
    ("Pupuk subsidi langka di kios, harga di atas HET", "Cerbon"),
    ("Bagaimana syarat membuat akta kelahiran untuk anak yang lahir di rumah?", None),
    ("Saran: mohon dibangun halte di depan RSUD agar pasien tidak kepanasan", "Marabahan"),
    ("Gaji karyawan toko tidak dibayar 2 bulan dan tidak ada kontrak kerja", None),
)

ANSWERS = (
    "Tim sudah meninjau lokasi; perbaikan dijadwalkan minggu ini.",
    "Terima kasih, petugas sudah menindaklanjuti di lapangan.",
    "Permasalahan sudah diselesaikan, mohon konfirmasi.",
)


def seed_demo_week(settings: Settings, sessions: sessionmaker[Session], table: RoutingTable,
                   now: datetime, seed: int = 7) -> int:
    """File the demo reports over the last seven days and let officials act on some."""
    rng = random.Random(seed)
    calendar = calendar_for(settings)
    start = now - timedelta(days=7)
    for index, (text, place) in enumerate(DEMO_REPORTS):
        moment = start + timedelta(hours=8 * index + rng.randint(0, 5))
        with transaction(sessions) as session:
            desk = Desk(session, settings, calendar, moment)
            _file_one(desk, session, table, text, place, index, rng, now)
    return len(DEMO_REPORTS)


def _file_one(desk: Desk, session: Session, table: RoutingTable, text: str, place: str | None,
              index: int, rng: random.Random, now: datetime) -> None:
    reporter = desk.reporter_for("console", f"demo-warga-{index:02d}", f"Warga Demo {index:02d}")
    result = classify(text, table)
    top = result.top()
    agency = top.agency if top and result.decision == "route" else None
    complaint = desk.file(
        NewComplaint(reporter=reporter, text=text, channel=rng.choice(["whatsapp", "telegram", "console"]),
                     kind=infer_kind(text), agency_code=agency, routing=result.to_dict(),
                     anonymous=index % 5 == 0, location_text=place),
        dispatch=True,
    )
    if complaint.status != Status.DISPATCHED or complaint.agency_code is None:
        return
    admins = officials_with_roles(session, {Role.ADMIN.value}, complaint.agency_code)
    if not admins or index % 3 == 2:
        return
    admin = Actor("official", admins[0].id, Role.ADMIN, complaint.agency_code)
    desk.now = min(now, desk.now + timedelta(hours=rng.randint(2, 20)))
    desk.acknowledge(complaint, admin)
    if index % 2 == 0:
        desk.now = min(now, desk.now + timedelta(hours=rng.randint(4, 30)))
        desk.answer(complaint, admin, rng.choice(ANSWERS))
