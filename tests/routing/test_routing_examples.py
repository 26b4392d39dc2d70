"""Hand-written chat-style complaints and the agency each must be routed to.

Written for this project (not taken from any dataset): slang, typos, elongations, Banjar words,
ambiguous words from the ambiguity matrix and bodies outside the regional government.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.routing import ALL_CODES, RoutingTable, classify, load_table

EXAMPLES: list[tuple[str, str]] = [
    # PUPR - roads, bridges, drainage, irrigation
    ("jln rsk parah dpn sdn 2", "PUPR"),
    ("jalan berlubang besar di jalan ahmad yani", "PUPR"),
    ("jalam berlubang banyak motor jatuh", "PUPR"),
    ("aspal mengelupas sepanjang jalan poros desa", "PUPR"),
    ("jembatan kayu di handil bakti putus", "PUPR"),
    ("gorong2 tersumbat, air meluap ke jalan", "PUPR"),
    ("drainase mampet tiap hujan", "PUPR"),
    ("selokan depan rumah buntu penuh lumpur", "PUPR"),
    ("tanggul jebol air masuk kampung", "PUPR"),
    ("talud sungai ambrol", "PUPR"),
    ("anjir serapat dangkal perlu galian waled", "PUPR"),
    ("tabat di handil rusak air sawah tidak terkendali", "PUPR"),
    ("jalan rusakkk parahhh", "PUPR"),
    ("trotoar rusak banyak lubang", "PUPR"),
    ("irigasi tidak mengalir ke sawah warga", "PUPR"),
    ("proyek perbaikan jalan mangkrak berbulan bulan", "PUPR"),
    # PERKIM - housing, settlements, estate lighting, cemeteries
    ("bantuan bedah rumah tidak sampai ke warga", "PERKIM"),
    ("program rtlh untuk rumah reyot tetangga saya", "PERKIM"),
    ("lampu jalan di gang mawar mati", "PERKIM"),
    ("pju di perumahan griya indah padam seminggu", "PERKIM"),
    ("makam umum tpu penuh dan tidak terawat", "PERKIM"),
    ("septic tank komunal meluber", "PERKIM"),
    ("rusunawa bocor atapnya", "PERKIM"),
    ("pemangkasan pohon di taman kota belum dilakukan", "PERKIM"),
    ("kawasan kumuh di bantaran sungai perlu ditata", "PERKIM"),
    # DLH - waste, pollution
    ("sampah numpuk tidak diangkut seminggu", "DLH"),
    ("smph berserakan di tps pasar lama", "DLH"),
    ("sampahh menumpuk bau busuk", "DLH"),
    ("truk sampah tidak datang sudah 5 hari", "DLH"),
    ("limbah pabrik mencemari sungai, ikan mati", "DLH"),
    ("asap pabrik bikin sesak napas warga", "DLH"),
    ("pembakaran sampah tiap malam di lahan kosong", "DLH"),
    ("air sungai hitam tercemar limbah", "DLH"),
    ("lampu pju mati", "PERKIM"),  # street lights: the shipped default owner (shared.street_lighting)
    ("lpju depan kantor camat mati total", "PERKIM"),
    # DISHUB - traffic lights and signs, parking, transport
    ("lampu merah di simpang empat error", "DISHUB"),
    ("bangjo mati bikin macet", "DISHUB"),
    ("rambu lalu lintas roboh ditabrak truk", "DISHUB"),
    ("marka jalan pudar tidak kelihatan malam", "DISHUB"),
    ("jukir liar minta tarif parkir mahal", "DISHUB"),
    ("parkir liar di badan jalan depan ruko", "DISHUB"),
    ("angkot ngetem sembarangan bikin macet", "DISHUB"),
    ("halte bus rusak kacanya pecah", "DISHUB"),
    ("kelotok penumpang tanpa pelampung di dermaga", "DISHUB"),
    ("truk odol merusak jalan tiap malam", "DISHUB"),
    # DISDUKCAPIL - civil registry
    ("blangko ktp habis", "DISDUKCAPIL"),
    ("ektp sdh 3 bln blm jadi", "DISDUKCAPIL"),
    ("e-ktp saya belum dicetak", "DISDUKCAPIL"),
    ("akte kelahiran anak belum keluar", "DISDUKCAPIL"),
    ("mau update kk setelah menikah", "DISDUKCAPIL"),
    ("surat pindah domisili lama sekali", "DISDUKCAPIL"),
    ("antri di dukcapil dari subuh", "DISDUKCAPIL"),
    ("nik saya tidak terdaftar di data kependudukan", "DISDUKCAPIL"),
    ("akta kematian ayah belum selesai", "DISDUKCAPIL"),
    # DINKES - health services
    ("puskesams tutup jam 10 pagi", "DINKES"),
    ("pkm tidak ada dokter", "DINKES"),
    ("obat habis di pustu", "DINKES"),
    ("posyandu tidak buka bulan ini", "DINKES"),
    ("banyak kasus dbd minta fogging", "DINKES"),
    ("jentik nyamuk di mana mana, minta foging", "DINKES"),
    ("ambulans desa rusak tidak bisa antar pasien", "DINKES"),
    ("pelayanan igd rsud lambat sekali", "DINKES"),
    ("bidan desa jarang di tempat", "DINKES"),
    ("anak stunting tidak dapat makanan tambahan", "DINKES"),
    # DISDIK - PAUD, SD, SMP
    ("sklh kami atap kelas bocor", "DISDIK"),
    ("guru sd sering tidak masuk", "DISDIK"),
    ("ppdb zonasi smp tidak adil", "DISDIK"),
    ("ijazah smp anak saya ditahan sekolah", "DISDIK"),
    ("seragam sekolah dijual mahal oleh sekolah", "DISDIK"),
    ("dana bos tidak jelas penggunaannya di smp", "DISDIK"),
    ("paud di desa tidak punya guru", "DISDIK"),
    ("buku lks wajib dibeli siswa sd", "DISDIK"),
    # DINSOS - social assistance
    ("bansos tidak cair", "DINSOS"),
    ("pkh salah sasaran, yang mampu dapat", "DINSOS"),
    ("bpnt bulan ini belum masuk", "DINSOS"),
    ("nama saya tidak terdata dtks padahal miskin", "DINSOS"),
    ("lansia sebatang kara terlantar", "DINSOS"),
    ("ada gelandangan tidur di emperan toko", "DINSOS"),
    ("anak jalanan makin banyak di perempatan", "DINSOS"),
    ("bantuan sosial untuk disabilitas tidak pernah sampai", "DINSOS"),
    # DPMPTSP - licences
    ("ijin usaha saya 2 bulan blm keluar", "DPMPTSP"),
    ("perizinan pbg lama sekali prosesnya", "DPMPTSP"),
    ("imb rumah tidak diproses", "DPMPTSP"),
    ("nib di oss error terus", "DPMPTSP"),
    ("siup dan tdp belum terbit", "DPMPTSP"),
    # SATPOLPP - public order (+ damkar)
    ("pkl tutup trotoar", "SATPOLPP"),
    ("pedagang kaki lima jualan di badan jalan", "SATPOLPP"),
    ("warung jual miras dekat sekolah", "SATPOLPP"),
    ("karaoke buka sampai subuh berisik", "SATPOLPP"),
    ("sound horeg tiap malam minggu", "SATPOLPP"),
    ("anak punk mangkal di taman", "SATPOLPP"),
    ("bangunan liar di sempadan sungai", "SATPOLPP"),
    ("ada sarang tawon besar di atap rumah", "SATPOLPP"),
    ("ular masuk rumah warga tolong evakuasi", "SATPOLPP"),
    ("spanduk liar di tiang tiang", "SATPOLPP"),
    # BPBD - disasters
    ("longsor menutup jalan desa", "BPBD"),
    ("puting beliung merusak rumah warga", "BPBD"),
    ("pohon tumbang tutup jalan", "BPBD"),
    ("banjir bandang, warga perlu evakuasi", "BPBD"),
    ("kekeringan, warga butuh air bersih darurat", "BPBD"),
    ("kebakaran lahan gambut asapnya tebal", "BPBD"),
    ("gempa bikin dinding retak", "BPBD"),
    # DISNAKER - labour
    ("gaji tidak dibayar perusahaan 3 bulan", "DISNAKER"),
    ("di phk tanpa pesangon", "DISNAKER"),
    ("upah di bawah umk", "DISNAKER"),
    ("thr tidak cair dari pabrik", "DISNAKER"),
    ("lembur tidak dibayar oleh perusahaan", "DISNAKER"),
    ("kartu kuning ak1 lama jadinya", "DISNAKER"),
    ("agen penyalur tki menahan paspor? tidak, menahan ijazah", "DISNAKER"),
    # DISTAN - agriculture
    ("pupuk subsidi langka", "DISTAN"),
    ("kios pupuk jual di atas het", "DISTAN"),
    ("hama wereng serang sawah", "DISTAN"),
    ("tikus sawah merajalela gagal panen", "DISTAN"),
    ("kartu tani belum dapat", "DISTAN"),
    ("sapi warga sakit pmk", "DISTAN"),
    ("penyuluh pertanian tidak pernah datang", "DISTAN"),
    # DISPERINDAG - trade, markets, LPG at the pangkalan
    ("gas melon langka di pangkalan", "DISPERINDAG"),
    ("elpiji 3 kg dijual di atas het", "DISPERINDAG"),
    ("los pasar bocor dan becek", "DISPERINDAG"),
    ("harga sembako naik terus", "DISPERINDAG"),
    ("minyak goreng langka di pasar", "DISPERINDAG"),
    ("timbangan pedagang pasar curang", "DISPERINDAG"),
    # DISKOMINFO - public wifi, websites, hoaxes
    ("wifi taman kota mati", "DISKOMINFO"),
    ("website pemkab error tidak bisa dibuka", "DISKOMINFO"),
    ("kabel fiber optik semrawut menjuntai", "DISKOMINFO"),
    ("banyak hoax soal bansos di grup wa", "DISKOMINFO"),
    ("videotron di alun alun mati", "DISKOMINFO"),
    # INSPEKTORAT - misconduct (confidential)
    ("ada pungli di kantor camat", "INSPEKTORAT"),
    ("petugas minta uang pelicin biar cepat", "INSPEKTORAT"),
    ("pungutan liar saat mengurus izin", "INSPEKTORAT"),
    ("kepala dinas terima suap proyek", "INSPEKTORAT"),
    ("gratifikasi dalam pengadaan barang", "INSPEKTORAT"),
    ("asn bolos kerja main hp saat jam kantor", "INSPEKTORAT"),
    ("pungli sekolah untuk perpisahan", "INSPEKTORAT"),
    # DPMD - villages
    ("dana desa tidak transparan", "DPMD"),
    ("kades tidak pernah ngantor", "DPMD"),
    ("pambakal kada transparan dana desa", "DPMD"),
    ("bumdes bangkrut uangnya kemana", "DPMD"),
    ("pilkades curang", "DPMD"),
    ("perangkat desa diangkat tanpa seleksi", "DPMD"),
    # BAPENDA - regional taxes
    ("sppt pbb belum datang", "BAPENDA"),
    ("tagihan pbb naik dua kali lipat", "BAPENDA"),
    ("njop tanah saya tidak wajar", "BAPENDA"),
    ("bphtb mahal sekali", "BAPENDA"),
    ("restoran besar tidak bayar pajak restoran", "BAPENDA"),
    # BKPSDM - regional civil service
    ("sk pppk belum terima", "BKPSDM"),
    ("mutasi pegawai tidak sesuai aturan", "BKPSDM"),
    ("kenaikan pangkat pns daerah tertunda", "BKPSDM"),
    ("tpp asn belum dibayar bkd", "BKPSDM"),
    # DP3A - women and children, family planning
    ("kdrt di rumah tetangga", "DP3A"),
    ("ada kekerasan anak oleh ayah tirinya", "DP3A"),
    ("pernikahan dini di kampung kami", "DP3A"),
    ("tetangga menikahkan anaknya yang baru lulus sd", "DP3A"),
    ("anak kelas 2 smp dinikahkan di bawah umur", "DP3A"),
    ("alat kontrasepsi kb habis", "DP3A"),
    ("perundungan siswa sampai trauma", "DP3A"),
    # KECAMATAN - front office
    ("sktm di kelurahan lama sekali", "KECAMATAN"),
    ("surat keterangan usaha dari kelurahan belum jadi", "KECAMATAN"),
    ("surat pengantar dari camat dipersulit", "KECAMATAN"),
    ("surat keterangan domisili ditolak", "KECAMATAN"),
    ("minta legalisir di kecamatan harus bayar? tidak, cuma lambat", "KECAMATAN"),
    # PDAM - water utility
    ("air pdam gk ngalir", "PDAM"),
    ("air ledeng keruh dan bau", "PDAM"),
    ("pipa bocor air terbuang", "PDAM"),
    ("tagihan air naik padahal air mati", "PDAM"),
    ("meteran air rusak", "PDAM"),
    ("air pam cuma ngalir tengah malam", "PDAM"),
    ("banyu pdam kada mengalir", "PDAM"),
    # DISPARPORA - tourism, culture, sport
    ("objek wisata kotor tidak terawat", "DISPARPORA"),
    ("lapangan bola rusak tidak bisa dipakai", "DISPARPORA"),
    ("stadion tidak pernah dirawat", "DISPARPORA"),
    ("cagar budaya dibongkar", "DISPARPORA"),
    ("kolam renang umum kotor", "DISPARPORA"),
    # EXT_BPJS_KESEHATAN
    ("kartu bpjs tidak aktif", "EXT_BPJS_KESEHATAN"),
    ("iuran bpjs kesehatan naik", "EXT_BPJS_KESEHATAN"),
    ("mau pindah faskes tingkat pertama", "EXT_BPJS_KESEHATAN"),
    ("kis saya tidak bisa dipakai berobat", "EXT_BPJS_KESEHATAN"),
    ("jkn mobile tidak bisa login", "EXT_BPJS_KESEHATAN"),
    # EXT_BPJS_KETENAGAKERJAAN
    ("pencairan jht lama", "EXT_BPJS_KETENAGAKERJAAN"),
    ("klaim bpjs tk ditolak", "EXT_BPJS_KETENAGAKERJAAN"),
    ("saldo jamsostek tidak sesuai", "EXT_BPJS_KETENAGAKERJAAN"),
    ("bpjs ketenagakerjaan perusahaan tidak dibayarkan", "EXT_BPJS_KETENAGAKERJAAN"),
    # EXT_PLN
    ("listrik padam terus", "EXT_PLN"),
    ("lampu di rumah mati token sudah diisi", "EXT_PLN"),
    ("lampu sering mati, pln tidak ada info", "EXT_PLN"),
    ("tagihan listrik bulan ini melonjak", "EXT_PLN"),
    ("tiang listrik miring mau roboh", "EXT_PLN"),
    ("meteran listrik rusak angkanya loncat", "EXT_PLN"),
    ("mati lampu dari sore belum nyala", "EXT_PLN"),
    # EXT_POLRI
    ("motor saya dicuri di parkiran masjid", "EXT_POLRI"),
    ("bikin skck lama sekali", "EXT_POLRI"),
    ("tilang di jalan tanpa surat", "EXT_POLRI"),
    ("peredaran narkoba di kampung", "EXT_POLRI"),
    ("saya kena penipuan online shop", "EXT_POLRI"),
    ("ujian sim dipersulit", "EXT_POLRI"),
    ("pungli oleh oknum polisi di pos", "EXT_POLRI"),
    # EXT_PERTAMINA
    ("solar langka di spbu", "EXT_PERTAMINA"),
    ("antrean bbm mengular", "EXT_PERTAMINA"),
    ("spbu curang takaran pertalite kurang", "EXT_PERTAMINA"),
    ("pom bensin tutup padahal stok ada", "EXT_PERTAMINA"),
    # EXT_BPN
    ("sertifikat tanah belum jadi 2 tahun", "EXT_BPN"),
    ("ptsl dipungut biaya", "EXT_BPN"),
    ("sengketa tanah dengan tetangga", "EXT_BPN"),
    ("pengukuran tanah oleh bpn tidak datang", "EXT_BPN"),
    # EXT_IMIGRASI
    ("paspor lama jadi", "EXT_IMIGRASI"),
    ("antrean paspor online penuh terus", "EXT_IMIGRASI"),
    ("kantor imigrasi tutup di jam kerja", "EXT_IMIGRASI"),
    # EXT_KEMENAG
    ("madrasah kami rusak parah atapnya", "EXT_KEMENAG"),
    ("pendaftaran nikah di kua dipersulit", "EXT_KEMENAG"),
    ("setoran haji belum ada kabar", "EXT_KEMENAG"),
    ("guru mts belum dapat tunjangan", "EXT_KEMENAG"),
    # EXT_PROVINSI
    ("sekolah sma menarik pungutan ke siswa baru", "EXT_PROVINSI"),
    ("guru smk negeri jarang masuk kelas", "EXT_PROVINSI"),
    ("jalan provinsi berlubang parah", "EXT_PROVINSI"),
    ("pajak kendaraan di samsat mahal", "EXT_PROVINSI"),
    ("slb kekurangan guru", "EXT_PROVINSI"),
    # EXT_NASIONAL
    ("jalan nasional berlubang di km 12", "EXT_NASIONAL"),
    ("gerbang tol macet parah", "EXT_NASIONAL"),
    ("paket kiriman pos indonesia hilang", "EXT_NASIONAL"),
    ("beasiswa kuliah dari dikti belum cair", "EXT_NASIONAL"),
    ("npwp online tidak bisa didaftarkan", "EXT_NASIONAL"),
    ("pinjol meneror keluarga saya", "EXT_NASIONAL"),
    ("jalan trans kalimantan rusak berat", "EXT_NASIONAL"),
    # Rules added when tuning on half of the LAPOR! 2017 dev set (wording our own)
    ("pasien bpjs disuruh bayar sendiri di rumah sakit", "EXT_BPJS_KESEHATAN"),  # bpjs-di-fasilitas
    ("anak sudah 22 tahun apakah masih jadi tanggungan bpjs saya", "EXT_BPJS_KESEHATAN"),  # kepesertaan
    ("pengumuman hasil seleksi cpns ditunda terus", "EXT_NASIONAL"),  # karier-asn-nasional
    ("nip belum terbit padahal sk cpns sudah keluar", "EXT_NASIONAL"),
    ("tunjangan profesi dan nuptk saya bermasalah", "EXT_NASIONAL"),
    ("proposal ke kementerian pertanian tidak ada jawaban", "EXT_NASIONAL"),  # kementerian-disebut
    ("dirjen tidak membalas surat kami soal bantuan", "EXT_NASIONAL"),
    ("lampu jalan di rt 04 kelurahan kami mati seminggu", "PERKIM"),  # pju-lingkungan-perkim
    ("cara mengurus kks kis dan kip untuk keluarga miskin", "DINSOS"),  # kartu-program-sosial
    ("tabung gas 3 kg langka di semua warung", "EXT_PERTAMINA"),  # elpiji-langka-pasokan
    ("pendaftaran pkm mahasiswa di laman dikti gagal", "EXT_NASIONAL"),  # pkm-mahasiswa
    ("saldo bpjs mau dicairkan setelah berhenti kerja", "EXT_BPJS_KETENAGAKERJAAN"),
    ("dana sosial kematian untuk ayah belum keluar", "DINSOS"),
    ("jalan ke dusun kami tidak layak dilewati", "PUPR"),
    ("jalan desa rusak berat tidak pernah diperbaiki", "PUPR"),
    ("kartu saya tidak bisa digunakan untuk berobat di luar domisili", "EXT_BPJS_KESEHATAN"),  # kartu-berobat
    ("tiap jam pulang sekolah jalan ahmad yani macet total", "DISHUB"),  # macet-jam-sekolah
    ("lowongan kerja pt antam itu asli atau penipuan", "EXT_NASIONAL"),  # rekrutmen-bumn
    ("mau daftar bayi dalam kandungan ke jkn bagaimana caranya", "EXT_BPJS_KESEHATAN"),
    ("pemasangan tiang lampu jalan baru merusak trotoar", "PUPR"),  # pju-proyek-pupr
    ("perahu ambil pasir di bawah jembatan tiap malam", "SATPOLPP"),
    # Vowel-less chat shorthand stands for the one keyword with those consonants
    ("smph numpuk di pnggir jln", "DLH"),
    ("jmbtn ambrol", "PUPR"),
    ("sklh rusak atapnya bocor", "DISDIK"),
]


def test_every_agency_code_has_examples() -> None:
    assert {code for _, code in EXAMPLES} == set(ALL_CODES)


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_complaint_is_routed_to_the_responsible_agency(text: str, expected: str, table: RoutingTable) -> None:
    result = classify(text, table)
    top = result.top()
    assert top is not None, f"{text!r}: nothing matched"
    assert (result.decision, top.agency) == ("route", expected), result.to_dict()


NO_AGENCY = [
    "",
    "   ",
    "halo",
    "selamat pagi admin",
    "asdfghjkl qwerty",
    "🙂🙂🙂",
    "??? !!! ...",
    "1234567890",
    "ok terima kasih",
]


@pytest.mark.parametrize("text", NO_AGENCY)
def test_empty_or_meaningless_text_goes_to_triage(text: str, table: RoutingTable) -> None:
    result = classify(text, table)
    assert result.decision == "triage"
    assert result.candidates == ()


TABLE_PATH = Path(__file__).resolve().parents[2] / "bot" / "routing" / "routing.yaml"
STREET_LIGHTS = ["lampu pju mati", "lampu jalan padam di jalan raya utama", "lpju depan kantor camat mati total"]


@pytest.mark.parametrize("text", STREET_LIGHTS)
def test_street_lights_go_to_the_regions_owner_with_the_other_offices_still_offered(
        text: str, table: RoutingTable) -> None:
    result = classify(text, table)
    assert result.decision == "route"
    assert [c.agency for c in result.candidates[:3]] == ["PERKIM", "DISHUB", "PUPR"]


@pytest.mark.parametrize("owner", ["DISHUB", "PUPR"])
def test_a_region_that_gives_street_lights_to_another_office_says_so_in_config(owner: str) -> None:
    table = load_table(TABLE_PATH, owners={"street_lighting": owner})
    for text in STREET_LIGHTS:
        top = classify(text, table).top()
        assert top is not None and top.agency == owner, text


def test_lamp_with_house_power_words_goes_to_pln(table: RoutingTable) -> None:
    top = classify("lampu mati semua, token listrik baru diisi", table).top()
    assert top is not None and top.agency == "EXT_PLN"


def test_pungli_report_is_confidential_and_goes_to_inspectorate(table: RoutingTable) -> None:
    result = classify("ada pungli di kantor kelurahan", table)
    assert result.decision == "route"
    assert result.confidential is True
    assert result.top() is not None and result.top().agency == "INSPEKTORAT"  # type: ignore[union-attr]


def test_ordinary_report_is_not_confidential(table: RoutingTable) -> None:
    assert classify("jalan rusak parah", table).confidential is False


def test_short_words_match_only_exactly(table: RoutingTable) -> None:
    # "gas" (LPG) must not be found inside "petugas"
    result = classify("petugas kelurahan ramah", table)
    assert all("gas" not in candidate.keywords for candidate in result.candidates)


def test_close_call_asks_the_citizen(table: RoutingTable) -> None:
    result = classify("pkl jualan di trotoar dan parkir liar", table)
    assert result.decision in {"ask", "route"}
    assert len(result.candidates) >= 2


def test_candidates_are_ranked_and_capped(table: RoutingTable) -> None:
    text = "jalan rusak sampah numpuk lampu pju mati air pdam mati ktp belum jadi puskesmas tutup"
    result = classify(text, table)
    scores = [candidate.score for candidate in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert 1 < len(result.candidates) <= 5
    assert all(score > 0 for score in scores)


def test_result_serialises_to_plain_json_types(table: RoutingTable) -> None:
    import json

    payload = classify("air pdam keruh", table).to_dict()
    assert json.loads(json.dumps(payload)) == payload
    assert set(payload) == {"decision", "confidential", "subject", "confidence", "candidates"}
    assert set(payload["candidates"][0]) == {"agency", "score", "keywords"}


def test_a_misconduct_report_names_the_office_it_accuses_as_its_subject(table: RoutingTable) -> None:
    result = classify("petugas disdukcapil minta uang pelicin 200 ribu buat bikin KTP", table)
    assert result.top() is not None and result.top().agency == "INSPEKTORAT"
    assert result.confidential
    assert result.subject == "DISDUKCAPIL"
    assert classify("air pdam keruh", table).subject is None


def test_classification_is_deterministic(table: RoutingTable) -> None:
    text = "jln rsk dkt pasar, sampah numpuk, lampu mati"
    assert classify(text, table) == classify(text, table)


@pytest.mark.parametrize(("text", "expected"), [
    ("guru ngaji tpa di langgar kampung kami sudah 2 tahun tidak dapat insentif", "EXT_KEMENAG"),
    ("sampah di tpa menumpuk dan dibakar tiap malam", "DLH"),
    ("sapi peliharaan warga lepas di jalan raya tiap malam, motor nabrak sapi", "SATPOLPP"),
    ("sapi saya kena penyakit mulut dan kuku", "DISTAN"),
])
def test_a_word_two_offices_use_is_read_by_what_surrounds_it(text: str, expected: str, table: RoutingTable) -> None:
    top = classify(text, table).top()
    assert top is not None and top.agency == expected
