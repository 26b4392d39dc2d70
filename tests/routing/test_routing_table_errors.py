"""A broken routing table is rejected with a message naming the key path and the problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.routing import RoutingTableError, build_table, classify, load_table

MINIMAL: dict[str, Any] = {
    "slang": {"jln": "jalan"},
    "agencies": {
        "PUPR": {"keywords": {"jalan rusak": 3}},
        "DISHUB": {"keywords": {"lampu jalan": 3}},
    },
    "rules": [{"name": "demo", "duty": "Dishub keeps the street lights in this test table.",
               "any": ["lampu jalan"], "add": {"DISHUB": 1}}],
}


def _with(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with(["agencies", "PUPR", "keywords", "jalan rusak"], "x"),
         "routing.yaml: agencies.PUPR.keywords['jalan rusak']: weight must be a positive number, got 'x'"),
        (_with(["agencies", "PUPR", "keywords", "jalan rusak"], -1),
         "agencies.PUPR.keywords['jalan rusak']: weight must be a positive number, got -1"),
        (_with(["agencies", "PUPR", "keywords", "jalan rusak"], True),
         "agencies.PUPR.keywords['jalan rusak']: weight must be a positive number"),
        (_with(["agencies", "PUPR", "keywords", "!!!"], 2), "agencies.PUPR.keywords['!!!']: '!!!' contains no letters"),
        (_with(["agencies", "DINAS_FIKTIF"], {"keywords": {"x": 1}}),
         "agencies.DINAS_FIKTIF: unknown agency code 'DINAS_FIKTIF'"),
        (_with(["agencies", "PUPR", "kata"], {}), "agencies.PUPR.kata: unknown key"),
        (_with(["agencies", "PUPR", "keywords"], ["jalan"]),
         "agencies.PUPR.keywords: Input should be a valid dictionary"),
        (_with(["settings"], {"min_score": "tinggi"}), "settings.min_score: must be a number >= 0, got 'tinggi'"),
        (_with(["settings"], {"max_gap": 1.5}), "settings.max_gap: Input should be a valid integer"),
        (_with(["settings"], {"speed": 3}), "settings.speed: unknown key"),
        (_with(["slang"], {"jalan raya": "jalan"}), "slang['jalan raya']: must be a single word"),
        (_with(["slang"], {"jln": 5}), "slang.jln: must be a non-empty text, got 5"),
        (_with(["rules", 0, "add"], {"DISHUB": "banyak"}),
         "rules[0].add.DISHUB: weight must be a positive number, got 'banyak'"),
        (_with(["rules", 0, "add"], {"POLISI": 1}), "rules[0].add.POLISI: unknown agency code 'POLISI'"),
        (_with(["rules", 0, "any"], []), "rules[0]: needs at least one phrase under 'all' or 'any'"),
        (_with(["rules", 0, "name"], ""), "rules[0].name: String should have at least 1 character"),
        (_with(["stopwords"], ["dua kata"]), "stopwords[0]: must be a single word"),
        (_with(["bonus"], 1), "bonus: unknown key"),
        ({"slang": {}}, "agencies: required key is missing"),
        ([1, 2], "the top level must be a mapping"),
        (_with(["shared"], {"lights": {"owner": "DINAS_LAMPU", "keywords": {"pju": 3}}}),
         "shared.lights.owner: unknown agency code 'DINAS_LAMPU'"),
        (_with(["shared"], {"lights": {"keywords": {"pju": 3}}}), "shared.lights.owner: required key is missing"),
        (_with(["shared"], {"lights": {"owner": "PUPR", "others": {"DISHUB": 2}, "keywords": {"pju": 3}}}),
         "shared.lights.others.DISHUB: must be a share between 0 and 1, got 2"),
        (_with(["shared"], {"lights": {"owner": "PUPR", "colour": "red"}}), "shared.lights.colour: unknown key"),
    ],
)
def test_broken_table_names_key_path_and_problem(data: Any, message: str) -> None:
    with pytest.raises(RoutingTableError) as caught:
        build_table(data)
    assert message in str(caught.value)


def test_a_rule_without_the_duty_it_encodes_is_refused() -> None:
    data = copy.deepcopy(MINIMAL)
    del data["rules"][0]["duty"]
    with pytest.raises(RoutingTableError, match=r"rules\[0\]\.duty: required key is missing"):
        build_table(data)


def test_agency_codes_restrict_the_file() -> None:
    with pytest.raises(RoutingTableError, match=r"agencies\.DISHUB: agency code 'DISHUB' is not among"):
        build_table(MINIMAL, agency_codes={"PUPR"})


def test_codes_absent_from_the_file_are_unroutable() -> None:
    table = build_table(MINIMAL, agency_codes={"PUPR", "DISHUB", "DLH"})
    assert table.agencies == ("DISHUB", "PUPR")


def test_extra_keywords_from_config_are_merged(tmp_path: Path) -> None:
    path = tmp_path / "routing.yaml"
    path.write_text(yaml.safe_dump(MINIMAL), encoding="utf-8")
    table = load_table(path, extra_keywords={"PUPR": {"handil": 2.0}, "DLH": {"sampah": 3.0}})
    assert classify("handil dangkal", table).top().agency == "PUPR"  # type: ignore[union-attr]
    assert classify("sampah numpuk", table).top().agency == "DLH"  # type: ignore[union-attr]


def test_extra_keyword_with_bad_weight_is_named(tmp_path: Path) -> None:
    path = tmp_path / "routing.yaml"
    path.write_text(yaml.safe_dump(MINIMAL), encoding="utf-8")
    with pytest.raises(RoutingTableError, match=r"extra keywords of PUPR\['handil'\]: weight must be"):
        load_table(path, extra_keywords={"PUPR": {"handil": 0}})


SHARED_LIGHTS: dict[str, Any] = {
    **MINIMAL,
    "shared": {"lights": {"owner": "DISHUB", "others": {"PUPR": 0.5}, "keywords": {"pju": 3}}},
}


def test_a_shared_group_scores_its_owner_fully_and_the_others_by_their_share() -> None:
    ranked = classify("pju mati", build_table(SHARED_LIGHTS)).candidates
    assert [(c.agency, c.score) for c in ranked] == [("DISHUB", pytest.approx(2 * ranked[1].score)),
                                                      ("PUPR", ranked[1].score)]


def test_config_names_another_owner_for_a_shared_group() -> None:
    table = build_table(SHARED_LIGHTS, owners={"lights": "PUPR"})
    assert classify("pju mati", table).top().agency == "PUPR"  # type: ignore[union-attr]


@pytest.mark.parametrize(("owners", "message"), [
    ({"lampu": "PUPR"}, "config: routing.owners.lampu: no such shared keyword group in routing.yaml"),
    ({"lights": "POLISI"}, "config: routing.owners.lights: unknown agency code 'POLISI'"),
])
def test_a_wrong_owner_in_config_is_named(owners: dict[str, str], message: str) -> None:
    with pytest.raises(RoutingTableError) as caught:
        build_table(SHARED_LIGHTS, owners=owners)
    assert message in str(caught.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RoutingTableError, match="cannot read file"):
        load_table(tmp_path / "nope.yaml")


def test_invalid_yaml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "routing.yaml"
    path.write_text("agencies: [unclosed", encoding="utf-8")
    with pytest.raises(RoutingTableError, match="routing.yaml: not valid YAML"):
        load_table(path)


def test_shipped_table_loads_with_all_configured_codes() -> None:
    from bot.routing import ALL_CODES

    shipped = Path(__file__).resolve().parents[2] / "bot" / "routing" / "routing.yaml"
    table = load_table(shipped, agency_codes=ALL_CODES)
    assert set(table.agencies) == set(ALL_CODES)


# --- rule conditions and phrase masking (added with the 'also' rule key) ---------------------

ALSO_TABLE: dict[str, Any] = {
    "agencies": {
        "DINKES": {"keywords": {"rumah sakit": 2}},
        "EXT_BPJS_KESEHATAN": {"keywords": {"bpjs": 2}},
        "BKPSDM": {"keywords": {"pns": 2}},
        "DINSOS": {"keywords": {"kks": 3}},
        "EXT_BPJS_KETENAGAKERJAAN": {"keywords": {"kartu kis": 3}},
    },
    "rules": [
        {"name": "both-groups", "duty": "BPJS decides coverage at a hospital.", "any": ["bpjs"],
         "also": ["rumah sakit"], "add": {"EXT_BPJS_KESEHATAN": 5}},
        {"name": "rule-only-phrase", "duty": "BKPSDM keeps regional civil servants.", "any": ["pns daerah"],
         "add": {"BKPSDM": 1}},
    ],
}


def test_rule_with_also_needs_one_phrase_of_each_group() -> None:
    table = build_table(copy.deepcopy(ALSO_TABLE))
    with_both = classify("bpjs ditolak rumah sakit", table).top()
    assert with_both is not None and with_both.agency == "EXT_BPJS_KESEHATAN" and with_both.score >= 5
    only_one = [c for c in classify("bpjs ditolak", table).candidates if c.agency == "EXT_BPJS_KESEHATAN"]
    assert only_one and only_one[0].score < 5


def test_also_must_be_a_list_of_phrases() -> None:
    data = copy.deepcopy(ALSO_TABLE)
    data["rules"][0]["also"] = "rumah sakit"
    with pytest.raises(RoutingTableError, match=r"rules\[0\]\.also: Input should be a valid list"):
        build_table(data)


def test_phrase_used_only_by_a_rule_does_not_hide_its_words() -> None:
    table = build_table(copy.deepcopy(ALSO_TABLE))
    top = classify("kenaikan pangkat pns daerah", table).top()
    assert top is not None and top.agency == "BKPSDM" and "pns" in top.keywords


def test_words_in_the_gap_of_a_phrase_still_count() -> None:
    # "kartu kis" is matched across "kks"; "kks" itself must still count
    table = build_table(copy.deepcopy(ALSO_TABLE))
    agencies = {c.agency for c in classify("kartu kks kis", table).candidates}
    assert {"DINSOS", "EXT_BPJS_KETENAGAKERJAAN"} <= agencies


def test_the_shipped_table_never_lists_a_key_twice_in_one_mapping() -> None:
    # YAML keeps the last of two equal keys without a word: a second "odol" would silently
    # override the first weight.
    import collections

    import yaml

    from bot.routing.loader import SHIPPED_TABLE

    repeated: list[tuple[int, list[object]]] = []

    class _Checking(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[object, object]:
        keys = [loader.construct_object(key) for key, _ in node.value]
        twice = [key for key, count in collections.Counter(keys).items() if count > 1]
        if twice:
            repeated.append((node.start_mark.line + 1, twice))
        return yaml.SafeLoader.construct_mapping(loader, node)

    _Checking.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    yaml.load(SHIPPED_TABLE.read_text(encoding="utf-8"), Loader=_Checking)  # noqa: S506 - a SafeLoader
    assert repeated == []
