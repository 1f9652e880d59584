"""Loading and validating roadmaps: the shipped roadmap.yaml once, the rest on the tests' own copy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.roadmap import RoadmapCatalogError, RoadmapError, load_catalog, load_roadmap, parse_roadmap
from bot.services.progress.journey import next_open
from tests.harness import ROOT, TEST_ROADMAP

SOURCE = yaml.safe_load(TEST_ROADMAP.read_text())


def errors_for(data, path=Path("rm.yaml")) -> list[str]:
    with pytest.raises(RoadmapError) as info:
        parse_roadmap(data, path)
    assert all(str(path) in line for line in str(info.value).splitlines())
    return info.value.errors


def copy():
    return yaml.safe_load(yaml.safe_dump(SOURCE))


def test_the_shipped_roadmap_follows_the_guide():
    # The one test of the shipped file (every other test reads the tests' own copy, TEST_ROADMAP).
    roadmap = load_roadmap(ROOT / "roadmap.yaml")
    assert [s.id for s in roadmap.stages] == [
        "how-the-web-works",
        "programming-language",
        "language-ecosystem",
        "version-control",
        "databases",
        "apis",
        "api-protocols",
        "authentication",
    ]
    weeks = {s.id: (s.weeks.min, s.weeks.max) for s in roadmap.stages}
    assert weeks["how-the-web-works"] == (1, 1) and weeks["programming-language"] == (4, 6)
    assert weeks["language-ecosystem"] == (2, 4) and weeks["version-control"] == (1, 2)
    assert weeks["apis"] == (3, 4) and weeks["api-protocols"] == (1, 1)
    assert roadmap.stage("authentication").weeks.estimate
    assert all(1 <= len(s.projects) <= 3 for s in roadmap.stages)
    # The guide repeats its first passage; the topics appear once.
    assert [t.id for t in roadmap.stages[0].topics] == ["dns", "http-https", "client-server", "web-servers"]


def test_duplicate_id_names_the_field_path():
    data = copy()
    data["stages"][3]["topics"][1]["id"] = "dns"
    assert errors_for(data) == ['stages[3].topics[1].id: duplicate id "dns" (first used at stages[0].topics[0].id)']


def test_stage_and_topic_ids_share_one_namespace():
    data = copy()
    data["stages"][1]["topics"][0]["id"] = "databases"
    assert errors_for(data)[0].startswith('stages[4].id: duplicate id "databases"')


def test_min_above_max_unknown_key_and_empty_topics_are_all_reported():
    data = copy()
    data["stages"][2]["weeks"] = {"min": 5, "max": 2}
    data["stages"][0]["topics"][0]["colour"] = "red"
    data["stages"][5]["topics"] = []
    errors = errors_for(data)
    assert any(e.startswith("stages[2].weeks: ") and "min (5) must not be greater than max (2)" in e for e in errors)
    assert any(e.startswith("stages[0].topics[0].colour: Extra inputs are not permitted") for e in errors)
    assert any(e.startswith("stages[5].topics: ") for e in errors)


def test_missing_field_and_bad_id():
    data = copy()
    del data["stages"][0]["title"]
    data["stages"][1]["topics"][0]["id"] = "Not A Slug"
    errors = errors_for(data)
    assert "stages[0].title: Field required" in errors
    assert any(e.startswith("stages[1].topics[0].id: String should match pattern") for e in errors)


def test_files_that_are_not_roadmaps(tmp_path):
    bad_yaml = tmp_path / "broken.yaml"
    bad_yaml.write_text("stages:\n  - id: [unclosed\n")
    with pytest.raises(RoadmapError) as info:
        load_roadmap(bad_yaml)
    assert "broken.yaml: line" in str(info.value) and "invalid YAML" in str(info.value)
    with pytest.raises(RoadmapError, match="cannot read the file"):
        load_roadmap(tmp_path / "missing.yaml")
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just text\n")
    with pytest.raises(RoadmapError, match="expected a mapping"):
        load_roadmap(scalar)


def test_lookups():
    roadmap = load_roadmap(TEST_ROADMAP)
    assert roadmap.first_topic.id == "dns"
    # What comes after a topic is the journey's rule now (tests/services/progress/test_journey.py covers the end).
    assert next_open(roadmap, set(), "web-servers").id == "choose-language"
    assert roadmap.topic("grpc").stage.id == "api-protocols"
    assert roadmap.topic("nope") is None


def write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def test_catalog_keys_come_from_file_names(tmp_path):
    write(tmp_path, "data-science.yaml", copy())
    write(tmp_path, "notes.txt", "not a roadmap")
    catalog = load_catalog(TEST_ROADMAP, tmp_path)
    assert catalog.keys() == ["default", "data-science"]
    assert catalog.get(None) is catalog.default and catalog.get("gone") is catalog.default


def test_catalog_reports_every_bad_file_at_once(tmp_path):
    broken = copy()
    broken["stages"][0]["weeks"] = {"min": 3, "max": 1}
    write(tmp_path, "broken.yaml", broken)
    write(tmp_path, "Bad Name.yaml", copy())
    write(tmp_path, "default.yml", copy())
    write(tmp_path, "unparsable.yaml", "title: [")
    with pytest.raises(RoadmapCatalogError) as info:
        load_catalog(TEST_ROADMAP, tmp_path)
    text = str(info.value)
    assert len(info.value.errors) == 4
    assert "broken.yaml: stages[0].weeks: Value error, min (3) must not be greater than max (1)" in text
    assert "Bad Name.yaml: the file name is the roadmap's key" in text
    assert "default.yml: the key 'default' is reserved" in text
    assert "unparsable.yaml: line 1" in text


def test_catalog_without_a_folder_or_with_a_missing_one(tmp_path):
    assert load_catalog(TEST_ROADMAP).keys() == ["default"]
    with pytest.raises(RoadmapCatalogError, match="ROADMAPS_DIR is not a directory"):
        load_catalog(TEST_ROADMAP, tmp_path / "nope")


def test_the_example_roadmap_is_valid():
    catalog = load_catalog(TEST_ROADMAP, ROOT / "examples" / "roadmaps")
    assert catalog["frontend"].title == "Frontend developer" and len(catalog["frontend"].topics) == 7


def test_the_summary_names_a_range_only_where_there_is_one():
    from bot.roadmap import summarize

    text = summarize(load_roadmap(TEST_ROADMAP))
    assert "1-1 weeks" not in text and "How the Web Works [how-the-web-works]: 4 topics, 1 week\n" in text
    assert "4-6 weeks" in text
