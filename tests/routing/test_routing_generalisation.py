"""Issue 18 and issue 12's router side: what holds on complaints nobody tuned on.

Examples are written for this project (some adapted from the blind-written chat set's odd half,
which was written for the project); none is copied from the LAPOR! dev data.
"""

from __future__ import annotations

import pytest

from bot.routing import RegionRouting, RoutingTable, classify, load_table


def _top(text: str, table: RoutingTable) -> str | None:
    result = classify(text, table)
    top = result.top()
    return top.agency if top is not None and result.decision == "route" else result.decision


MISCONDUCT = [
    ("petugas disdukcapil minta uang pelicin 200 ribu buat bikin KTP", "DISDUKCAPIL"),
    ("ada pungli di puskesmas tiap minta surat keterangan sehat", "DINKES"),
    ("oknum guru minta uang 300 ribu supaya anak naik kelas di sd", "DISDIK"),
    ("staf dinsos minta potongan bantuan pkh 10 persen", "DINSOS"),
    ("Petugas Dishub narik duit dari sopir truk di terminal tanpa kuitansi", "DISHUB"),
    ("pegawai kantor camat kasar dan membentak warga yang antre", "KECAMATAN"),
    ("oknum BKPSDM minta 50 juta biar lulus PPPK", "BKPSDM"),
]


@pytest.mark.parametrize(("text", "accused"), MISCONDUCT)
def test_misconduct_goes_to_the_inspectorate_whatever_office_it_names(text: str, accused: str,
                                                                        table: RoutingTable) -> None:
    result = classify(text, table)
    assert result.decision == "route" and result.top() is not None
    assert result.top().agency == "INSPEKTORAT"  # type: ignore[union-attr]
    assert result.confidential
    assert result.subject == accused


NEAR_MISSES = [
    ("biaya jasa pengacara untuk sidang cerai mahal sekali", "INSPEKTORAT"),
    ("geng anak muda memeras pengendara motor di jalan raya tiap malam", "INSPEKTORAT"),
    ("karyawan toko swasta minta uang tambahan buat bungkus", "INSPEKTORAT"),
    ("pungli oleh oknum polisi di pos", "INSPEKTORAT"),
]


@pytest.mark.parametrize(("text", "not_expected"), NEAR_MISSES)
def test_near_misses_of_misconduct_do_not_go_to_the_inspectorate(text: str, not_expected: str,
                                                                   table: RoutingTable) -> None:
    result = classify(text, table)
    assert not (result.top() is not None and result.top().agency == not_expected), result.to_dict()  # type: ignore[union-attr]
    assert result.confidential is False


ADDRESSES = [
    ("lampu jalan mati sepanjang Jl. Irigasi, gelap gulita", "irigasi"),
    ("sampah numpuk di Jl. Pemuda dekat SD udah seminggu", "pemuda"),
    ("Kami warga RT 02 Kel. Sukamaju, sampah tidak diangkut", "kelurahan"),
    ("banjir setinggi lutut di desa Sungai Lumbah", "sungai"),
]


@pytest.mark.parametrize(("text", "place_word"), ADDRESSES)
def test_words_inside_an_address_never_vote_by_themselves(text: str, place_word: str, table: RoutingTable) -> None:
    result = classify(text, table)
    assert result.candidates
    assert all(place_word not in candidate.keywords for candidate in result.candidates), result.to_dict()


def test_the_same_word_outside_an_address_is_a_topic(table: RoutingTable) -> None:
    assert _top("saluran irigasi jebol, sawah kekeringan", table) in {"PUPR", "DISTAN"}
    assert _top("jalan desa rusak parah tidak pernah diperbaiki", table) == "PUPR"


def test_a_regions_place_names_are_landmarks() -> None:
    region = RegionRouting(extra_keywords={"PUPR": {"handil": 2.0}}, places=["Handil Bakti"])
    table = load_table(region=region)
    assert _top("sampah numpuk di handil bakti tidak diangkut", table) == "DLH"
    assert _top("handil dangkal perlu dikeruk", table) == "PUPR"


@pytest.mark.parametrize(("word", "keyword"), [("musim", "museum"), ("pembenahan", "pembunuhan"),
                                                ("mbok", "mabuk"), ("berserakan", "perserikatan")])
def test_a_real_word_is_never_corrected_into_a_keyword(word: str, keyword: str, table: RoutingTable) -> None:
    assert keyword not in table.resolve(word)


def test_typos_of_keywords_are_still_corrected(table: RoutingTable) -> None:
    assert "puskesmas" in table.resolve("puskesams")
    assert "jalan" in table.resolve("jalam")


REGIONAL = [
    ("kulo nyuwun perbaikan margi, sampun kathah tiyang dhawah", "PUPR"),  # Javanese
    ("regane lombok teng peken mundhak terus", "DISPERINDAG"),  # Javanese
    ("caah gede di lembur, imah abdi kakeueum", "BPBD"),  # Sundanese
    ("budak awewe umur 15 rek dikawinkeun ku kolotna", "DP3A"),  # Sundanese
    ("laki ulun rancak mamukul, anak-anak takutan", "DP3A"),  # Banjar
    ("lahan gambut di balakang kampung ulun tabakar, asap kandal", "BPBD"),  # Banjar
]


@pytest.mark.parametrize(("text", "expected"), REGIONAL)
def test_regional_speech_is_understood(text: str, expected: str, table: RoutingTable) -> None:
    assert _top(text, table) == expected


def test_a_region_adds_its_own_speech_in_config() -> None:
    table = load_table(region=RegionRouting(slang={"getek": "kapal"}))
    assert _top("getek penyeberangan tenggelam muatan penuh", table) in {"DISHUB", "BPBD", "SATPOLPP"}
    assert "kapal" in classify("getek", table).normalized


THANKS = ["Terima kasih pak, lampu jalan depan rumah sudah nyala lagi",
          "matur nuwun, laporan kulo sampun ditindaklanjuti",
          "makasih min, sampah sudah diangkut"]


@pytest.mark.parametrize("text", THANKS)
def test_thanks_and_confirmations_go_to_the_admin_queue(text: str, table: RoutingTable) -> None:
    assert classify(text, table).decision == "triage"


def test_a_report_that_ends_with_thanks_is_still_a_complaint(table: RoutingTable) -> None:
    text = ("Sampah di pasar sudah menumpuk dua minggu dan tidak diangkut petugas, baunya sampai ke rumah "
            "warga di sekitar pasar lama. Mohon segera ditangani. Terima kasih.")
    assert classify(text, table).decision == "route"
    assert _top("smph numpuk di pinggir jln udh seminggu gk diangkut", table) == "DLH"


def test_confidence_is_a_probability_and_asks_when_low(table: RoutingTable) -> None:
    assert table.calibration is not None
    for text in ("jalan rusak parah", "pkl jualan di trotoar dan parkir liar", "halo"):
        result = classify(text, table)
        assert 0.0 <= result.confidence <= 1.0
        if result.decision == "ask":
            assert result.confidence < table.calibration.route_threshold


@pytest.mark.parametrize("text", [
    "musim hujan jalan tergenang air di kec. gambut",
    "jalan bergelombang parah, banyak pengendara jatuh",
    "jalan berlubang dimana mana, motor sering jatuh",
])
def test_a_verb_after_jalan_is_the_complaint_not_a_street_name(text: str, table: RoutingTable) -> None:
    # Streets are named after nouns (Pemuda, Irigasi); nobody lives on "Jalan Tergenang".
    assert _top(text, table) == "PUPR"


@pytest.mark.parametrize(("text", "expected"), [
    ("jalan di handil bakti rusak banar, balubang ganal", "PUPR"),
    ("jalan ka pahumaan di Handil 12 rusak, gerobak padi kada kawa lewat", "PUPR"),
    ("lampu di gang mawar mati sudah seminggu", "PERKIM"),
    ("air di rumah kami mati tiga hari", "PDAM"),
])
def test_a_place_said_in_passing_does_not_split_the_problem(text: str, expected: str, table: RoutingTable) -> None:
    # "jalan [di handil bakti] rusak" is a broken road: the place between the thing and its state
    # is an aside, not a gap that breaks the phrase.
    assert _top(text, table) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("kulo ngurus KK teng kantor desa, dijaluki duit 100 ewu kalih perangkat desa", "INSPEKTORAT"),
    ("angin gedhe wingi sore, payon omah-omah nang RT 6 mabur kabeh", "BPBD"),
    ("jalan ka lembur abdi ruksak pisan, pinuh ku liang", "PUPR"),
    ("musim kemarau sumur kering barataan, banyu kadada", "BPBD"),
])
def test_everyday_regional_words_of_the_fourth_round(text: str, expected: str, table: RoutingTable) -> None:
    assert _top(text, table) == expected


def test_the_office_a_citizen_addresses_counts_like_the_opening_words(table: RoutingTable) -> None:
    text = ("Pohon besar di taman kota sudah miring dan rantingnya sering patah, kemarin hampir menimpa "
            "motor yang lewat. Mohon DLH pangkas sebelum musim hujan.")
    assert _top(text, table) == "DLH"


@pytest.mark.parametrize(("text", "expected"), [
    ("ada gepeng ibu2 bawa bayi minta2 di lampu merah jl. a yani tiap hari", "DINSOS"),
    ("lampu merah di simpang empat mati sejak kemarin, hampir tabrakan", "DISHUB"),
])
def test_a_kind_of_place_after_a_preposition_says_where_not_what(text: str, expected: str,
                                                                  table: RoutingTable) -> None:
    assert _top(text, table) == expected


@pytest.mark.parametrize("text", [
    "jembatan gantung ke sekolah di desa tambak sirang putus talinya sebelah",
    "jalan menuju puskesmas berlubang besar, ambulans susah lewat",
])
def test_where_a_road_or_bridge_leads_is_not_what_is_broken(text: str, table: RoutingTable) -> None:
    assert _top(text, table) == "PUPR"


@pytest.mark.parametrize("text", [
    "Pelayanan di kantor kecamatan cepat, surat selesai satu jam dan tidak dipungut biaya apa pun. Terima kasih",
    "alhamdulillah bikin kk di dukcapil sekarang tanpa pungli, petugasnya ramah",
])
def test_a_levy_the_citizen_says_was_not_asked_accuses_nobody(text: str, table: RoutingTable) -> None:
    result = classify(text, table)
    assert _top(text, table) != "INSPEKTORAT"
    assert not result.confidential


@pytest.mark.parametrize(("text", "expected"), [
    ("guru pns di sd kami jarang masuk, cuma datang senin kamis", "INSPEKTORAT"),
    ("jam 1 siang di kantor dinas meja kosong semua, pegawai pulang setelah absen", "INSPEKTORAT"),
    ("jalan neng rt 4 wis ancur ora karuan", "PUPR"),
    ("jalan ka kampung ulun rusak parah sudah lawas", "PUPR"),
])
def test_absent_officers_and_regional_function_words_of_the_eighth_round(text: str, expected: str,
                                                                         table: RoutingTable) -> None:
    assert _top(text, table) == expected


def test_a_street_and_a_village_named_in_one_address_are_not_a_village_road(table: RoutingTable) -> None:
    result = classify("lampu jalan mati sepanjang jalan pendidikan desa pasar lama, gelap total", table)
    top = result.top()
    assert top is not None and "jalan desa" not in top.keywords and top.agency != "PUPR"
