"""Linking actors to the knowledge base and screening them against sanctions lists, in the pipeline.

The sanctions list is ``tests/data/sanctions-sample.ftm.json`` (public facts, FtM JSON lines),
loaded into a fresh database with the same code ``veille kb load`` runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veille import Pipeline, PipelineConfig
from veille.kb.session import STARTER_DATASET, knowledge_base
from veille.linking import starter_id
from veille.store import open_store

SAMPLE = Path(__file__).resolve().parent / "data" / "sanctions-sample.ftm.json"
FLAGGED = {"Vladimir Putin": "test-sanc-putin", "Sergey Lavrov": "test-sanc-lavrov",
           "Andrei Belousov": "test-sanc-belousov", "Denis Manturov": "test-sanc-manturov",
           "Kim Jong Un": "test-sanc-kim-jong-un"}


@pytest.fixture(scope="module")
def sanctions_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("kb") / "veille.db"
    with open_store(path) as store:
        stats = store.knowledge_base().load_file(SAMPLE)
    assert stats.to_dict()["invalid"] == 0
    return str(path)


@pytest.fixture(scope="module")
def screened(sanctions_db, summit) -> dict:
    return Pipeline(PipelineConfig(kb=sanctions_db)).analyze(summit)


def entity(rec: dict, name: str) -> dict:
    return next(e for e in rec["entities"] if e["name"] == name)


def test_the_starter_knowledge_base_is_loaded_by_default(pipeline, summit):
    rec = pipeline.analyze(summit)
    for name in FLAGGED:
        assert entity(rec, name)["ftm_id"].startswith("veille-per-"), name
    assert entity(rec, "Russia")["ftm_id"] == starter_id("country:ru") == "veille-country-ru"
    assert all(e["screening"] == [] for e in rec["entities"])  # no sanctions list loaded


def test_the_example_s_officials_are_linked_and_flagged(screened):
    for name, listed in FLAGGED.items():
        e = entity(screened, name)
        assert e["ftm_id"] and e["screening"], name
        hit = e["screening"][0]
        assert hit["id"] == listed and "sanction" in hit["topics"] and hit["list"] == ["veille_test_sanctions"]
        assert 0.8 <= hit["score"] <= 1.0 and hit["why"]
    # the misspelt "Denis Mantrurov" of the article still matches the listed Manturov
    assert "Mantrurov" in {m["text"].split()[-1] for m in entity(screened, "Denis Manturov")["mentions"]}


def test_nobody_else_in_the_example_is_flagged(screened):
    flagged = {e["name"] for e in screened["entities"] if e["screening"]}
    assert flagged == set(FLAGGED)
    assert "Milos Schmidt" not in json.dumps(screened["entities"])  # the byline is no actor


def test_an_unknown_person_stays_unlinked_with_the_article_s_name(sanctions_db):
    rec = Pipeline(PipelineConfig(kb=sanctions_db)).analyze(
        "Le chercheur tchèque Milos Schmidt a rencontré mardi à Moscou le ministre russe des Affaires "
        "étrangères, Sergueï Lavrov, selon un communiqué publié par son institut de recherche.")
    schmidt = entity(rec, "Milos Schmidt")
    assert schmidt["ftm_id"] is None and schmidt["screening"] == []
    assert entity(rec, "Sergey Lavrov")["screening"][0]["id"] == "test-sanc-lavrov"


def test_a_person_the_actor_table_does_not_know_is_linked_by_the_knowledge_base(tmp_path):
    path = tmp_path / "veille.db"
    pep = {"id": "test-pep-orlova", "schema": "Person", "properties": {
        "name": ["Yevgenia Orlova"], "alias": ["Евгения Орлова"], "nationality": ["ru"], "topics": ["role.pep"]},
        "datasets": ["test_peps"]}
    with open_store(path) as store:
        store.knowledge_base().load([pep])
    rec = Pipeline(PipelineConfig(kb=str(path))).analyze(
        "La gouverneure russe Evguenia Orlova a visité Pékin mardi avec une délégation de sa région, "
        "selon les médias russes. Orlova a signé un accord de coopération avec les autorités chinoises.")
    orlova = next(e for e in rec["entities"] if "Orlova" in e["name"])
    assert orlova["ftm_id"] == "test-pep-orlova" and orlova["screening"] == []


def test_the_starter_is_loaded_once_into_a_database(tmp_path):
    path = str(tmp_path / "veille.db")
    kb = knowledge_base(path)
    assert STARTER_DATASET in kb.datasets() and kb.counts()["entities"] >= 600
    assert knowledge_base(path) is kb
