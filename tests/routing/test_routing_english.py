"""English and mixed English/Indonesian complaints reach the agency an Indonesian one would, and
misconduct told in English, Javanese, Banjar or Sundanese reaches the Inspectorate, confidentially.

Sentences are written for this project from the agencies' duties; none comes from a data set.
"""

from __future__ import annotations

import pytest

from bot.routing import RoutingTable, classify
from bot.routing.bench import unseen_messages
from bot.routing.dictionary import indonesian
from bot.routing.english import GLOSSARY_FILE, build_glossary, english_glossary, glossary_words, to_indonesian
from bot.routing.lexicon import package_slang
from bot.routing.schema import RoutingTableError
from bot.routing.similarity import DUPLICATE_THRESHOLD, text_similarity


def _routed_to(text: str, table: RoutingTable) -> str | None:
    result = classify(text, table)
    top = result.top()
    return top.agency if top is not None and result.decision == "route" else result.decision


# (complaint, the office it belongs to): every agency's everyday topics, in plain English
ENGLISH = [
    ("there is a huge pothole on the main road near the market, two motorbikes fell yesterday", "PUPR"),
    ("the drain in front of our house has been clogged for weeks and the street floods when it rains", "PUPR"),
    ("the bridge to the village is cracked and one side has collapsed", "PUPR"),
    ("the streetlight in our alley has been broken for a month, it is pitch dark at night", "PERKIM"),
    ("the public cemetery is overgrown and some graves are damaged", "PERKIM"),
    ("garbage has not been collected for two weeks and it stinks", "DLH"),
    ("a factory is dumping waste water into the river, the fish are dying", "DLH"),
    ("the traffic light at the big intersection is dead and there is a traffic jam every morning", "DISHUB"),
    ("illegal parking on both sides of the street blocks the public transport", "DISHUB"),
    ("I applied for my ID card three months ago and it still has not been printed", "DISDUKCAPIL"),
    ("how long does it take to get a birth certificate for my baby? the civil registry keeps saying wait",
     "DISDUKCAPIL"),
    ("the health center ran out of medicine and the doctor is never there", "DINKES"),
    ("many kids in our street have dengue fever, please do fogging against the mosquitoes", "DINKES"),
    ("the roof of my son's elementary school classroom is leaking and about to collapse", "DISDIK"),
    ("our elderly neighbour lives alone and has never received any social assistance", "DINSOS"),
    ("my building permit application has been stuck at the licensing office for months", "DPMPTSP"),
    ("street vendors occupy the whole sidewalk so pedestrians have to walk on the road", "SATPOLPP"),
    ("there is a snake nest behind the house, please send someone to catch it", "SATPOLPP"),
    ("a landslide buried part of the village road and people have been evacuated", "BPBD"),
    ("my company has not paid our salary for three months and refuses to pay overtime", "DISNAKER"),
    ("the subsidized fertilizer is always out of stock at the kiosk, farmers cannot plant", "DISTAN"),
    ("the price of cooking oil at the traditional market went up again", "DISPERINDAG"),
    ("the public wifi at the park has not worked for weeks", "DISKOMINFO"),
    ("the village head used the village fund to build his own house", "DPMD"),
    ("my property tax bill is wrong, the land area is double what I own", "BAPENDA"),
    ("the water from the tap is brown and smells bad since last week", "PDAM"),
    ("no running water in our neighbourhood for three days", "PDAM"),
    ("the football field is flooded and the stadium toilets are broken", "DISPARPORA"),
    ("my husband beats me and I am afraid for my children", "DP3A"),
    ("the power has been out since last night and the electricity meter shows an error", "EXT_PLN"),
    ("someone stole my motorbike in front of the mosque, I need a police report", "EXT_POLRI"),
    ("the kelurahan still has not issued my domicile letter after two weeks", "KECAMATAN"),
    ("the honorary staff at the regional office have not been paid for months", "BKPSDM"),
    ("my bpjs card was rejected at the hospital even though I pay every month", "EXT_BPJS_KESEHATAN"),
    ("the gas station ran out of diesel again", "EXT_PERTAMINA"),
    ("my land certificate has been in process at the land office for two years", "EXT_BPN"),
    ("the immigration office is asking for documents that are not on the list for my passport", "EXT_IMIGRASI"),
    ("the road to the harbour is full of holes and very dangerous for motorcycles", "PUPR"),
    ("someone broke into my house last night", "EXT_POLRI"),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH)
def test_an_english_complaint_reaches_the_agency_an_indonesian_one_would(text: str, expected: str,
                                                                         table: RoutingTable) -> None:
    assert _routed_to(text, table) == expected, classify(text, table).to_dict()


MIXED = [
    ("pak, the streetlight di gang mawar is dead since last week", "PERKIM"),
    ("sampah numpuk depan pasar, nobody collects it, it really stinks", "DLH"),
    ("jalan ke sekolah full of potholes, please fix asap", "PUPR"),
    ("air pdam mati, we have had no water since friday", "PDAM"),
]


@pytest.mark.parametrize(("text", "expected"), MIXED)
def test_a_mixed_english_and_indonesian_complaint_is_read_as_a_whole(text: str, expected: str,
                                                                       table: RoutingTable) -> None:
    assert _routed_to(text, table) == expected, classify(text, table).to_dict()


# (misconduct, the office it accuses)
MISCONDUCT = [
    ("an officer at the dukcapil office asked me for 200k to speed up my ID card", "DISDUKCAPIL"),
    ("dishub officers at the terminal take cash from bus drivers without a receipt", "DISHUB"),
    ("the school principal asked us to pay 500k before handing out the diploma", "DISDIK"),
    ("staff at the kelurahan office are never there during office hours", "KECAMATAN"),
    ("the nurse at the health center demanded extra money before treating my mother", "DINKES"),
    ("I had to bribe the clerk at the licensing office to get my business permit", "DPMPTSP"),
    ("the staff at the social office cut 100k from every family's cash assistance", "DINSOS"),
    ("the officer at the counter of the kecamatan office was rude and shouted at my mother", "KECAMATAN"),
]


@pytest.mark.parametrize(("text", "accused"), MISCONDUCT)
def test_misconduct_told_in_english_goes_to_the_inspectorate_confidentially(text: str, accused: str,
                                                                           table: RoutingTable) -> None:
    result = classify(text, table)
    assert result.decision == "route" and result.top() is not None, result.to_dict()
    assert result.top().agency == "INSPEKTORAT", result.to_dict()  # type: ignore[union-attr]
    assert result.confidential
    assert result.subject == accused


REGIONAL_MISCONDUCT = [
    ("kanggo ngurus surat domisili nang kantor kecamatan dijaluki duit 300 ewu", "KECAMATAN"),  # Javanese
    ("petugas kelurahan njaluk dhuwit kanggo nggawe KK", "DISDUKCAPIL"),  # Javanese
    ("pegawene kecamatan ora nate ono nang kantor, warga ngenteni suwe", "KECAMATAN"),  # Javanese
    ("kepala sekolah dikon mbayar 1 juta kanggo seragam", "DISDIK"),  # Javanese
    ("anak ulun disuruh mambayar 300 ribu lawan sakulah gasan ijazah", "DISDIK"),  # Banjar
    ("pagawai kacamatan kada suah ada di kantor", "KECAMATAN"),  # Banjar
    ("abdi dipenta artos 200 rebu ku petugas kelurahan pikeun KTP", "KECAMATAN"),  # Sundanese
    ("pagawe puskesmas teu kantos aya di tempat", "DINKES"),  # Sundanese
    ("guru di sakolah manarik duit gasan study tour, padahal kada wajib", "DISDIK"),  # Banjar
    ("petugas puskesmas teu aya di tempat unggal isuk", "DINKES"),  # Sundanese
]


@pytest.mark.parametrize(("text", "accused"), REGIONAL_MISCONDUCT)
def test_misconduct_told_in_regional_speech_goes_to_the_inspectorate(text: str, accused: str,
                                                                     table: RoutingTable) -> None:
    result = classify(text, table)
    assert result.top() is not None and result.top().agency == "INSPEKTORAT", result.to_dict()  # type: ignore[union-attr]
    assert result.confidential
    assert result.subject == accused


INDONESIAN = [
    "air pdam mati sejak kemarin",
    "sekolah MAN 2 atapnya bocor",
    "lampu jalan di Jl. Cut Meutia no 12 mati",
    "traffic light di simpang empat mati",
    "jalan rusak parah depan SD, mohon diperbaiki",
    "pemuda karang taruna minta lapangan diperbaiki",
    "petugas kelurahan minta uang 50 ribu buat surat pengantar",
    "sorry min, jalan depan rumah rusak parah, thanks",  # chat's English politeness is not English
    "hi kak, sampah belum diangkut, pls dicek ya, thanks",
    "kabut asap tebal banget, please help",
]


@pytest.mark.parametrize("text", INDONESIAN)
def test_an_indonesian_message_is_never_rewritten_even_with_words_english_shares(text: str) -> None:
    assert to_indonesian(text) == text


def test_generated_indonesian_traffic_is_never_read_as_english(table: RoutingTable) -> None:
    # The bench's unseen messages: the table's words, dictionary words, places and typos. The table's
    # slang holds a few English words of its own ("trash", "bridge", "passport"), and a message that
    # draws two of them is English enough: at most one in a thousand.
    messages = unseen_messages(table, 2_000, seed=7)
    assert len([text for text in messages if to_indonesian(text) != text]) <= 2


@pytest.mark.parametrize(("text", "meaning", "not_meaning"), [
    ("the air smells terrible near the factory", "udara", "air"),
    ("no water in the whole street since monday", "mati", "nomor"),
    ("a man asked me for money at the counter", "orang", "man"),
])
def test_a_word_both_languages_share_takes_its_english_meaning_beside_english(text: str, meaning: str,
                                                                            not_meaning: str) -> None:
    words = to_indonesian(text).split()
    assert meaning in words and not_meaning not in words


def test_asap_is_smoke_in_indonesian_and_soon_only_in_english_phrases(table: RoutingTable) -> None:
    assert "asap" not in to_indonesian("the road is broken, please fix asap").split()
    assert "asap" in to_indonesian("thick asap from the factory every night, the smell is terrible").split()
    assert _routed_to("there is asap from burning garbage near my house every night", table) == "DLH"


def test_an_address_number_in_an_english_message_stays_an_address(table: RoutingTable) -> None:
    words = to_indonesian("the light at gang mawar no 3 has been dead for a month").split()
    assert words[words.index("mawar") + 1:words.index("mawar") + 3] == ["no", "3"]
    words = to_indonesian("the drain in front of my house no 12 is blocked").split()
    assert words[words.index("rumah") + 1:words.index("rumah") + 3] == ["no", "12"]


def test_english_inflections_find_their_base_word() -> None:
    assert to_indonesian("potholes everywhere on these roads").split()[:2] == ["jalan", "berlubang"]
    assert "kebanjiran" in to_indonesian("our house was flooded again").split()
    assert "bocor" in to_indonesian("the pipe is leaking near my house").split()


def test_function_words_between_a_phrase_do_not_break_it_but_a_negation_does() -> None:
    assert "lampu jalan mati" in to_indonesian("the street light has been broken for weeks")
    assert "minta" in to_indonesian("the officer asked us for money").split()
    assert "mati" not in to_indonesian("the light is not broken").split()


def test_money_after_a_number_reads_as_rupiah() -> None:
    assert to_indonesian("they asked me for 200k to speed it up").split()[:3] == ["minta", "200", "ribu"]


def test_a_one_word_english_complaint_is_read(table: RoutingTable) -> None:
    assert _routed_to("Pothole!!", table) == "PUPR"
    assert _routed_to("blackout", table) == "EXT_PLN"


def test_a_greeting_alone_is_not_a_complaint(table: RoutingTable) -> None:
    assert classify("good morning", table).decision == "triage"
    assert classify("thank you so much, the road has been fixed already", table).decision == "triage"


# --- the glossary as data ------------------------------------------------------------------------

def test_every_indonesian_word_the_glossary_writes_is_one_the_router_knows(table: RoutingTable) -> None:
    known = (table.vocabulary | table.stopwords | table.known_words | table.landmarks | set(table.address_markers)
             | set(table.slang) | indonesian().roots)
    assert sorted({word for word in glossary_words(english_glossary()) if word not in known}) == []


def test_no_marker_of_english_is_a_word_of_the_routing_table(table: RoutingTable) -> None:
    table_words = table.vocabulary | table.stopwords | table.known_words | table.landmarks | set(table.address_markers)
    assert sorted(english_glossary().markers & table_words) == []


def test_markers_indonesian_chat_also_writes_are_only_the_short_function_words() -> None:
    # indoNLP's chat lexicon reads these as Indonesian shorthand ("to" tapi, "in" ini, "it" itu); they
    # stay markers because English needs them, and a message needs two markers and a fifth of its
    # words to be read as English.
    chat = set(package_slang()) & english_glossary().markers
    assert all(len(word) <= 4 for word in chat), sorted(chat)


def test_a_glossary_word_written_twice_or_a_bare_yes_is_refused() -> None:
    with pytest.raises(RoutingTableError, match=r"glossary\[True\]"):
        build_glossary({"glossary": {True: "ya"}})
    with pytest.raises(RoutingTableError, match=r"shared\['air'\]: not a one-word glossary entry"):
        build_glossary({"shared": ["air"], "glossary": {"water": "air"}})
    with pytest.raises(RoutingTableError, match="detect.min_share"):
        build_glossary({"detect": {"min_share": 2}})
    assert GLOSSARY_FILE.name == "english.yaml"


def test_an_english_report_and_its_indonesian_twin_are_duplicates(table: RoutingTable) -> None:
    english = "the streetlight at gang mawar has been dead for a week"
    assert text_similarity(english, "lampu jalan di gang mawar mati seminggu", table) >= DUPLICATE_THRESHOLD
    assert text_similarity(english, "sampah di pasar lama tidak diangkut", table) < DUPLICATE_THRESHOLD
