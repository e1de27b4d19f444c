"""The knowledge base of FollowTheMoney entities: loading (FtM JSON lines, the UN XML list),
searching and screening by name, and the `veille kb` / `veille screen` commands."""

from __future__ import annotations

import gc
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import veille.kb as kb_module
import veille.kb.search as search_module
from veille.errors import InputError, SourceNotFound
from veille.kb import SANCTION_TOPICS, CleanEntity, KnowledgeBase, entity_names, native
from veille.kb.ftm import detect_format, read_ftm
from veille.kb.un_xml import DATASET, country_codes, read_un_xml
from veille.store import open_store

DATA = Path(__file__).resolve().parent / "data"
ENTITIES = DATA / "kb-entities.ftm.json"
UN_XML = DATA / "un-consolidated-sample.xml"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "kb.db") as s:
        yield s


@pytest.fixture
def kb(store) -> KnowledgeBase:
    knowledge = store.knowledge_base()
    knowledge.load_file(ENTITIES)
    knowledge.load_file(UN_XML)
    return knowledge


def _ids(candidates) -> list[str]:
    return [c.id for c in candidates]


def _lines() -> list[str]:
    return ENTITIES.read_text(encoding="utf-8").splitlines()


# -- loading -------------------------------------------------------------------------


def test_loading_a_file_twice_changes_nothing(store):
    knowledge = store.knowledge_base()
    first = knowledge.load_file(ENTITIES)
    assert (first.new, first.updated, first.unchanged, first.invalid) == (10, 0, 0, 0)
    assert dict(first.skipped) == {"Sanction": 1}  # not an actor
    counts = knowledge.counts()
    rows = {table: store._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("kb_entities", "kb_names", "kb_keys", "kb_key_counts")}
    packed = store._db.execute("SELECT value FROM kb_meta WHERE name = 'packed'").fetchone()[0]
    second = knowledge.load_file(ENTITIES)
    assert (second.new, second.updated, second.unchanged, second.invalid) == (0, 0, 10, 0)
    assert store._db.execute("SELECT value FROM kb_meta WHERE name = 'packed'").fetchone()[0] == packed
    assert knowledge.counts() == counts
    assert rows == {table: store._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in rows}
    assert counts["entities"] == 10 and counts["sanctioned"] == 6
    assert counts["names"] >= 25 and counts["keys"] > counts["names"]


def test_an_entity_keeps_its_properties_names_and_provenance(kb):
    lavrov = kb.get("kbtest-lavrov")
    assert lavrov["schema"] == "Person" and lavrov["caption"] == "Sergey Viktorovich Lavrov"
    assert lavrov["datasets"] == ["kbtest_sanctions"] and lavrov["qid"] == "Q157544"
    assert set(lavrov["topics"]) == {"sanction", "role.pep"} and lavrov["countries"] == ["ru"]
    assert lavrov["properties"]["birthDate"] == ["1950-03-21"]
    assert lavrov["first_seen"] == "2024-01-01T00:00:00"
    names = {n["name"]: n["weak"] for n in lavrov["names"]}
    assert names["Сергей Викторович Лавров"] is False and "LAVROV, Sergey Viktorovich" in names
    assert kb.get("kbtest-komid")["names"][-1] == {"name": "KOMID", "weak": True}  # weakAlias
    assert kb.get("kbtest-sanction-lavrov") is None and kb.get("nobody") is None


def test_names_of_an_entity():
    props = {"name": ["Kim Jong Un"], "alias": ["KIM JONG UN", "김정은"], "weakAlias": ["Marshal"],
             "previousName": ["Kim Jong-woon"]}
    assert entity_names("Person", props) == [("Kim Jong Un", False), ("김정은", False), ("Kim Jong-woon", False),
                                             ("Marshal", True)]
    # a person without a full name: first and last names, with a middle name when there is one
    assert entity_names("Person", {"firstName": ["Angela"], "lastName": ["Merkel"]}) == [("Angela Merkel", False)]
    assert ("John Fitzgerald Kennedy", False) in entity_names(
        "Person", {"firstName": ["John"], "middleName": ["Fitzgerald"], "lastName": ["Kennedy"]})
    assert entity_names("Company", {"firstName": ["Angela"], "lastName": ["Merkel"]}) == []


def test_invalid_lines_are_counted_with_their_numbers_and_do_not_stop_the_load(store, tmp_path):
    lines = _lines()
    bad = [lines[0], "{not json", "[1, 2]", '{"schema": "Person", "properties": {}}',
           '{"id": "x1", "schema": "Wizard", "properties": {}}',
           '{"id": "x2", "schema": "Person", "properties": {"name": "not a list"}}',
           "", lines[1], "ÿþ broken", lines[2]]
    path = tmp_path / "mixed.ftm.json"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    with path.open("ab") as f:
        f.write(b'{"id": "x3", "schema": "Person", "properties": {"name": ["\xff"]}}\n')
    stats = store.knowledge_base().load_file(path)
    assert (stats.new, stats.invalid) == (3, 7)
    reasons = "\n".join(stats.problems)
    assert f"{path}:2: not JSON" in reasons
    assert f"{path}:3: not an entity" in reasons
    assert f"{path}:4: no 'id'" in reasons
    assert f"{path}:5: x1: unknown schema 'Wizard'" in reasons
    assert f"{path}:6: x2: property 'name' is not a list of strings" in reasons
    assert f"{path}:9: not JSON" in reasons
    assert f"{path}:11: not UTF-8 text" in reasons


def test_gzip_files_are_read_as_they_are(store, tmp_path):
    path = tmp_path / "entities.ftm.json.gz"
    path.write_bytes(gzip.compress(ENTITIES.read_bytes()))
    assert detect_format(path) == "ftm"
    assert len(list(read_ftm(path))) == 11
    assert store.knowledge_base().load_file(path).new == 10


def test_missing_or_unreadable_files_raise_input_errors(tmp_path):
    with pytest.raises(SourceNotFound):
        list(read_ftm(tmp_path / "nope.json"))
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(gzip.compress(ENTITIES.read_bytes())[:300])
    with pytest.raises(InputError, match="damaged gzip"):
        list(read_ftm(broken))
    html = tmp_path / "page.txt"
    html.write_text("Hello", encoding="utf-8")
    with pytest.raises(InputError, match="neither FollowTheMoney"):
        detect_format(html)


def test_the_same_entity_from_another_dataset_is_merged(kb):
    extra = {"id": "kbtest-lavrov", "schema": "Person", "datasets": ["kbtest_peps"],
             "properties": {"name": ["Sergej Lawrow"], "topics": ["role.pep", "gov.national"]}}
    stats = kb.load([extra])
    assert (stats.updated, stats.new) == (1, 0)
    lavrov = kb.get("kbtest-lavrov")
    assert lavrov["datasets"] == ["kbtest_sanctions", "kbtest_peps"]
    assert lavrov["topics"] == ["sanction", "role.pep", "gov.national"]
    assert "Sergej Lawrow" in lavrov["properties"]["name"] and "Sergei Lavrov" in lavrov["properties"]["alias"]
    assert kb.load([extra]).unchanged == 1  # merging it again changes nothing
    # a Person cannot become a Company
    stats = kb.load([{"id": "kbtest-lavrov", "schema": "Company", "datasets": ["other"],
                      "properties": {"name": ["Lavrov LLC"]}}])
    assert stats.invalid == 1 and "is a Company in other but a Person already" in stats.problems[0]


def test_a_newer_export_of_the_same_dataset_replaces_the_entity_and_its_keys(kb, store):
    before = kb.get("kbtest-wagner")
    newer = {**json.loads(_lines()[7]), "properties": {"name": ["Africa Corps"], "topics": ["sanction"]}}
    assert newer["id"] == "kbtest-wagner"
    assert kb.load([newer]).updated == 1
    after = kb.get("kbtest-wagner")
    assert [n["name"] for n in after["names"]] == ["Africa Corps"] and after["names"] != before["names"]
    assert _ids(kb.search("Africa Corps")) == ["kbtest-wagner"]
    assert kb.search("PMC Wagner") == []
    # the keys of the names it lost are gone from the index and from the key counts
    seq = store._db.execute("SELECT seq FROM kb_entities WHERE id = 'kbtest-wagner'").fetchone()[0]
    keys = {k for (k,) in store._db.execute("SELECT key FROM kb_keys WHERE entity = ?", (seq,))}
    assert "wagner" not in keys and "africa" in keys
    assert store._db.execute("SELECT n FROM kb_key_counts WHERE key = 'wagner'").fetchone() is None


def test_load_takes_plain_dicts_validates_them_and_adds_the_dataset(store):
    knowledge = store.knowledge_base()
    stats = knowledge.load([
        {"id": "p1", "schema": "Person", "properties": {"name": ["Ada Lovelace"], "country": ["gb"]},
         "topics": ["poi"]},
        {"id": "p2", "schema": "Nope", "properties": {}},
        "not a dict",
        {"id": "s1", "schema": "Address", "properties": {"full": ["1 Main St"]}},
    ], dataset="manual")
    assert (stats.new, stats.invalid, dict(stats.skipped)) == (1, 2, {"Address": 1})
    ada = knowledge.get("p1")
    assert ada["datasets"] == ["manual"] and ada["topics"] == ["poi"] and ada["countries"] == ["gb"]
    assert ada["caption"] == "Ada Lovelace"
    assert str(stats) == "1 new, 0 updated, 0 unchanged, 2 invalid, 1 skipped (Address 1)"


def test_loading_reports_progress(store):
    seen: list[int] = []
    store.knowledge_base().load(read_ftm(ENTITIES), progress=seen.append)
    assert sum(seen) == 11


# -- the UN XML list -------------------------------------------------------------------


def test_the_un_list_becomes_persons_and_organizations_under_sanction():
    entities = {e["id"]: e for e in read_un_xml(UN_XML)}
    assert set(entities) == {"un-sc-KPi.901", "un-sc-QDi.901", "un-sc-KPe.901"}
    assert all(isinstance(e, CleanEntity) and e["datasets"] == [DATASET] for e in entities.values())
    alpha = entities["un-sc-KPi.901"]
    props = alpha["properties"]
    assert alpha["schema"] == "Person" and alpha["caption"] == "TESTPERSON ALPHA EXAMPLEOV"
    assert props["name"] == ["TESTPERSON ALPHA EXAMPLEOV"] and props["topics"] == ["sanction"]
    assert props["alias"] == ["Тестперсон Альфа Экзамплов", "Testperson Alfa Examplov"]  # original script, Good
    assert props["weakAlias"] == ["Alpha the Example"]  # Low
    assert props["previousName"] == ["Testperson Alpha Formerov"]  # f.k.a.
    assert props["nationality"] == ["kp", "ir"] and props["birthCountry"] == ["ir"] and props["country"] == ["kp"]
    assert props["program"] == ["DPRK"] and props["birthDate"] == ["1970-01-31"]
    assert props["passportNumber"] == ["900000001"]
    bravo = entities["un-sc-QDi.901"]["properties"]
    assert bravo["name"] == ["SAMPLE BRAVO FICTITIOUS PLACEHOLDER"] and bravo["alias"] == ["Sample Bravo"]
    assert bravo["nationality"] == ["dz"] and bravo["birthDate"] == ["1960", "1962"] and bravo["gender"] == ["male"]
    org = entities["un-sc-KPe.901"]
    assert org["schema"] == "Organization" and org["properties"]["alias"] == ["ETCT", "Example Trading General Company"]
    assert org["properties"]["address"] == ["1 Test Street, Pyongyang, Democratic People's Republic of Korea"]


def test_loading_the_un_list(store):
    knowledge = store.knowledge_base()
    assert knowledge.load_file(UN_XML).new == 3
    assert knowledge.load_file(UN_XML, format="un-xml").unchanged == 3
    assert knowledge.datasets() == {DATASET: 3}
    assert _ids(knowledge.screen("Testperson Alpha Examplov", schema="person")) == ["un-sc-KPi.901"]
    hit = knowledge.screen("Тестперсон Экзамплов")[0]
    assert hit.id == "un-sc-KPi.901" and hit.topics == ["sanction"] and hit.datasets == [DATASET]


def test_un_records_without_names_are_reported_and_broken_xml_raises(tmp_path):
    text = UN_XML.read_text(encoding="utf-8").replace(
        "<FIRST_NAME>SAMPLE</FIRST_NAME><SECOND_NAME>BRAVO</SECOND_NAME><THIRD_NAME>FICTITIOUS</THIRD_NAME>"
        "<FOURTH_NAME>PLACEHOLDER</FOURTH_NAME>", "<FIRST_NAME/>").replace(
        "<ALIAS_NAME>Sample Bravo</ALIAS_NAME>", "<ALIAS_NAME/>")
    path = tmp_path / "un.xml"
    path.write_text(text, encoding="utf-8")
    invalid = []
    assert len(list(read_un_xml(path, on_invalid=invalid.append))) == 2
    assert [(i.line, i.reason) for i in invalid] == [(4, "un-sc-QDi.901: no name")]
    path.write_text(text[:2000], encoding="utf-8")
    with pytest.raises(InputError, match="not well-formed XML"):
        list(read_un_xml(path))
    assert detect_format(UN_XML) == "un-xml"


def test_un_country_texts_map_to_codes():
    assert country_codes("Iran (Islamic Republic of)") == ["ir"]
    assert country_codes("Democratic People's Republic of Korea ") == ["kp"]
    assert country_codes("United Kingdom of Great Britain and Northern Ireland") == ["gb"]
    assert country_codes("United States. Also believed to hold Syrian nationality") == ["us", "sy"]
    assert country_codes("Sudan/South Sudan") == ["sd", "ss"]
    assert country_codes("Algerian") == ["dz"]
    assert country_codes("Niger") == ["ne"] and country_codes("Nigeria") == ["ng"]
    assert country_codes("") == [] and country_codes("Atlantis") == []


# -- searching ---------------------------------------------------------------------------


@pytest.mark.parametrize("query, wanted", [
    ("Sergey Lavrov", "kbtest-lavrov"),
    ("Сергей Лавров", "kbtest-lavrov"),  # another script
    ("LAVROV, Sergei", "kbtest-lavrov"),  # another order and spelling
    ("Sergey Lavorv", "kbtest-lavrov"),  # a typo
    ("Sergey Lvarov", "kbtest-lavrov"),  # a typo near the start
    ("Emanuel Macron", "kbtest-macron"),
    ("Vladimir Putin", "kbtest-putin"),
    ("Kim Jong-un", "kbtest-kim-jong-un"),
    ("Emmanuel Macron", "kbtest-macron"),
    ("Angela Merkel", "kbtest-merkel"),  # first and last name only
    ("Rosneft", "kbtest-rosneft"),
    ("Роснефть", "kbtest-rosneft"),
    ("Wagner Group", "kbtest-wagner"),
    ("Russian Foreign Ministry", "kbtest-mid-rf"),
    ("Russia", "kbtest-russia"),
])
def test_search_finds_names_across_scripts_orders_and_typos(kb, query, wanted):
    found = kb.search(query)
    assert found and found[0].id == wanted, [(c.id, c.score, c.matched_name) for c in found]
    assert found[0].score >= kb_module.LINK_THRESHOLD


def test_candidates_carry_what_the_entity_is(kb):
    (kim,) = kb.search("Kim Jong Un", limit=1)
    assert kim.name == "Kim Jong Un" and kim.schema == "Person" and kim.qid == "Q56226"
    assert kim.datasets == ["kbtest_sanctions"] and kim.countries == ["kp"] and "sanction" in kim.topics
    assert kim.matched_name and kim.why and 0.8 <= kim.score <= 1.0
    assert set(kim.to_dict()) == {"id", "name", "schema", "score", "matched_name", "why", "datasets", "topics",
                                  "countries", "qid"}


def test_search_results_are_best_first_above_the_threshold(kb):
    found = kb.search("Vladimir Vladimirovich Putin", threshold=0.0, limit=50)
    assert found[0].id == "kbtest-putin"
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert all(c.score >= kb_module.LINK_THRESHOLD for c in kb.search("Vladimir Vladimirovich Putin"))
    assert kb.search("Zyxwvut Qwertyuiop") == [] and kb.search("") == [] and kb.search("   ") == []
    assert kb.search("Vladimir Putin", limit=0) == []
    with pytest.raises(ValueError):
        kb.search("Vladimir Putin", limit=-1)


def test_schema_filters_keep_people_and_organisations_apart(kb):
    assert _ids(kb.search("Vladimir Putin", schema="person")) == ["kbtest-putin"]
    assert kb.search("Vladimir Putin", schema="organization") == []
    assert kb.search("Rosneft", schema="person") == []
    assert _ids(kb.search("Rosneft", schema="organization")) == ["kbtest-rosneft"]  # a Company is an Organization
    assert _ids(kb.search("Russian Foreign Ministry", schema="Organization")) == ["kbtest-mid-rf"]  # PublicBody
    assert _ids(kb.search("Rosneft Oil Company", schema="Company")) == ["kbtest-rosneft"]
    # a generic Organization may be a Company: kept for a Company query (FtM's matching does the same)
    assert _ids(kb.search("Wagner Group", schema="company")) == ["kbtest-wagner"]
    assert kb.search("Wagner Group", schema="person") == []
    with pytest.raises(ValueError, match="unknown schema"):
        kb.search("Rosneft", schema="spaceship")


def test_weak_aliases_count_less(kb):
    (komid,) = kb.search("KOMID", schema="organization", threshold=0.5)
    assert komid.id == "kbtest-komid" and komid.matched_name == "KOMID" and "weak alias" in komid.why
    assert komid.score == pytest.approx(search_module.WEAK_FACTOR, abs=0.01)


def test_screening_returns_sanctioned_entities_only(kb):
    assert kb.search("Emmanuel Macron")[0].id == "kbtest-macron"
    assert kb.screen("Emmanuel Macron") == []  # a PEP, not sanctioned
    assert kb.screen("Russian Foreign Ministry") == []
    hits = kb.screen("Sergei Lavrov")
    assert _ids(hits) == ["kbtest-lavrov"] and set(hits[0].topics) & set(SANCTION_TOPICS)
    assert _ids(kb.screen("Testperson Alpha Examplov")) == ["un-sc-KPi.901"]
    assert _ids(kb.screen("Example Trading Corporation for Tests", schema="organization")) == ["un-sc-KPe.901"]
    assert kb.screen("Example Trading Corporation for Tests", schema="person") == []
    assert kb.has_sanctions()


def test_a_common_word_does_not_flood_the_candidates(store, monkeypatch):
    knowledge = store.knowledge_base()
    people = [{"id": f"m{i:03d}", "schema": "Person", "properties": {"name": [f"Mohammad Testname{i:03d}"]}}
              for i in range(60)]
    people.append({"id": "target", "schema": "Person", "properties": {"name": ["Mohammad Qorbanzadeh"]}})
    knowledge.load(people, dataset="many")
    monkeypatch.setattr(search_module, "POSTING_CAP", 10)
    monkeypatch.setattr(search_module, "CANDIDATES", 20)
    assert _ids(knowledge.search("Mohammad Qorbanzadeh"))[:1] == ["target"]

    def candidates(name):
        query = search_module._Query(name)
        searcher = knowledge._searcher
        searcher._read([query], ["Person"])
        searcher._weigh([query])
        searcher._find([query])
        return query.weights

    assert len(candidates("Mohammad Qorbanzadeh")) <= 20  # "mohammad" only ranks them
    assert len(candidates("Mohammad")) <= 20
    assert knowledge.search("Mohammad Testname042")[0].id == "m042"


def test_entities_of_one_name_are_each_found_with_their_own_spelling(store):
    # a name is scored once per query for all the entities that have it: each hit still
    # shows the entity's own spelling of it
    knowledge = store.knowledge_base()
    spellings = ["Igor Sergeevich Ivanov", "IGOR SERGEEVICH IVANOV", "Ivanov, Igor Sergeevich", "igor sergeevich ivanov"]
    knowledge.load([{"id": f"ivanov-{i}", "schema": "Person", "properties": {"name": [name]}}
                    for i, name in enumerate(spellings)], dataset="namesakes")
    found = knowledge.search("Igor Ivanov", limit=10)
    assert sorted(_ids(found)) == [f"ivanov-{i}" for i in range(4)]
    assert {c.id: c.matched_name for c in found} == {f"ivanov-{i}": name for i, name in enumerate(spellings)}
    assert len({(c.score, c.why) for c in found}) == 1


def test_searches_and_loads_pause_the_garbage_collector_and_turn_it_back_on(kb, request):
    from veille.kb import collector

    seen = []

    def trace(sql):  # the statements the search runs: is the collector on when it reads its hits?
        if "JOIN kb_entities" in sql:
            seen.append(gc.isenabled())

    kb._db.set_trace_callback(trace)
    request.addfinalizer(lambda: kb._db.set_trace_callback(None))
    assert gc.isenabled()
    assert kb.search("Sergei Lavrov") and seen == [False] and gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that turned it off keeps it off
        kb.search("Sergei Lavrov")
        assert not gc.isenabled()
    finally:
        gc.enable()
    # blocks in several threads: off while any runs, back on when the last one ends
    import threading

    inside, leave = threading.Event(), threading.Event()

    def other_thread() -> None:
        with collector.paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other_thread)
    thread.start()
    assert inside.wait(10)
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's block still runs
    leave.set()
    thread.join(10)
    assert gc.isenabled()
    # the objects a search kept go to the oldest generation, none stays frozen...
    assert gc.get_freeze_count() == 0
    kb.search("Sergei Lavrov")
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    # ... and what a caller froze stays frozen
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        kb.search("Sergei Lavrov")
        assert gc.get_freeze_count() == frozen > 0
    finally:
        gc.unfreeze()


def test_every_rare_key_of_a_name_part_finds_candidates(store):
    # "想" reads "xiang": its name id is Sang Wei's, its sound ("~XNK") Shang Wei's, one entity
    # each. Both lists are read (one of them was once skipped as "the same list read again",
    # which one depending on the order of a set: on the process's hash seed)
    knowledge = store.knowledge_base()
    knowledge.load([{"id": "sang", "schema": "Person", "properties": {"name": ["Sang Wei"]}},
                    {"id": "shang", "schema": "Person", "properties": {"name": ["Shang Wei"]}},
                    {"id": "other", "schema": "Person", "properties": {"name": ["Olga Petrova"]}}], dataset="t")
    query = search_module._Query("想 健")
    searcher = knowledge._searcher
    searcher.sync()
    searcher._read([query], ["Person"])
    searcher._weigh([query])
    own = {key: n for key, (n, _, _) in query.groups[0].items() if key in query.own[0]}
    assert own == {"NAME:Q27350540": 1, "~XNK": 1}  # the case: two rare keys of one part, as common
    searcher._find([query])
    seqs = dict(store._db.execute("SELECT id, seq FROM kb_entities"))
    assert {seqs["sang"], seqs["shang"]} <= set(query.candidates.tolist())


def test_search_results_do_not_depend_on_the_hash_seed(veille, db):
    veille("kb", "load", ENTITIES)
    veille("kb", "load", UN_XML)
    # (names the knowledge base's vocabulary reads: no process builds rigour's tagger)
    names = ["Sergey Lavorv", "Kim Jong-un", "Rosneft", "Roseneft", "Testperson Examplov", "Alfa Examplov",
             "Wagner", "Igor Sechin", "Vladimir Poutine", "Samplle Bravo"]
    outputs = set()
    for seed in ("0", "2", "5"):
        result = subprocess.run([sys.executable, "-m", "veille", "--db", str(db), "kb", "search", *names, "--json"],
                                capture_output=True, text=True, cwd=ROOT, timeout=300,
                                env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1 and "kbtest-lavrov" in outputs.pop()


def test_the_compiled_modules_find_what_their_source_finds(veille, db):
    # veille.kb's search modules run compiled by mypyc (setup.py); their Python source is the
    # reference, and VEILLE_PURE_PYTHON=1 runs it
    veille("kb", "load", ENTITIES)
    veille("kb", "load", UN_XML)
    names = ["Sergey Lavorv", "Kim Jong-un", "Сергей Лавров", "Rosneft", "Roseneft", "Testperson Examplov",
             "Alfa Examplov", "Wagner", "Igor Sechin", "Vladimir Poutine", "Samplle Bravo", "Milos Schmidt"]
    outputs = {}
    for pure in ("", "1"):
        env = {**os.environ, "VEILLE_PURE_PYTHON": pure}
        which = subprocess.run([sys.executable, "-c", "import veille.kb, veille.kb.native as n; print(n.compiled())"],
                               capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)
        assert which.stdout.strip() == str(native.built() and not pure), which.stderr
        outputs[pure] = [subprocess.run([sys.executable, "-m", "veille", "--db", str(db), *command, *names, "--json"],
                                        capture_output=True, text=True, cwd=ROOT, timeout=300, env=env).stdout
                         for command in (("kb", "search"), ("screen",))]
    assert outputs[""] == outputs["1"]
    assert "kbtest-lavrov" in outputs[""][0] and outputs[""][1].count("\n") == len(names)


def test_an_empty_knowledge_base_finds_nothing(store):
    knowledge = store.knowledge_base()
    assert knowledge.search("Vladimir Putin") == [] and knowledge.screen("Vladimir Putin") == []
    assert not knowledge.has_sanctions() and knowledge.index_is_current()
    assert knowledge.counts() == {"entities": 0, "names": 0, "keys": 0, "sanctioned": 0, "datasets": 0}


def test_reindex_rebuilds_the_same_index(kb, store):
    def snapshot():
        return (sorted(map(tuple, store._db.execute("SELECT key, entity FROM kb_keys"))),
                sorted(map(tuple, store._db.execute("SELECT key, n FROM kb_key_counts"))),
                sorted(map(tuple, store._db.execute("SELECT variant, key FROM kb_key_deletions"))))

    before = snapshot()
    store._db.execute("DELETE FROM kb_keys")
    store._db.execute("DELETE FROM kb_key_deletions")
    store._db.execute("UPDATE kb_meta SET value = 'stale' WHERE name = 'blocking_keys'")
    assert not kb.index_is_current()
    assert kb.reindex() == kb.counts()["entities"]
    assert snapshot() == before and kb.index_is_current()


def _index(store) -> tuple[list, list]:
    ids = dict(store._db.execute("SELECT seq, id FROM kb_entities").fetchall())
    return (sorted((key, ids[entity]) for key, entity in store._db.execute("SELECT key, entity FROM kb_keys")),
            sorted(map(tuple, store._db.execute("SELECT key, n FROM kb_key_counts"))),
            sorted(map(tuple, store._db.execute("SELECT variant, key FROM kb_key_deletions"))))


def test_big_loads_build_the_index_at_the_end_as_batch_by_batch_loads_would(tmp_path, monkeypatch):
    lines = _lines()
    with open_store(tmp_path / "bulk.db") as bulk, open_store(tmp_path / "step.db") as step, \
            open_store(tmp_path / "switch.db") as switch:
        bulk.knowledge_base().load_file(ENTITIES)  # empty: index built once, at the end
        step.knowledge_base().load([json.loads(lines[0])])  # then batch by batch
        step.knowledge_base().load(json.loads(line) for line in lines[1:])
        switch.knowledge_base().load([json.loads(lines[0])])
        monkeypatch.setattr(kb_module, "BATCH_SIZE", 2)
        monkeypatch.setattr(kb_module, "BULK_AFTER", 4)  # batch by batch, then names only and a rebuild
        stats = switch.knowledge_base().load(json.loads(line) for line in lines[1:])
        assert stats.new == 9 and switch.knowledge_base().index_is_current()
        assert _index(bulk) == _index(step) == _index(switch) and _index(bulk)[0]


def test_an_interrupted_first_load_keeps_what_it_loaded_indexed(store, monkeypatch):
    monkeypatch.setattr(kb_module, "BATCH_SIZE", 3)

    def entities():
        yield from read_ftm(ENTITIES)
        raise KeyboardInterrupt

    knowledge = store.knowledge_base()
    with pytest.raises(KeyboardInterrupt):
        knowledge.load(entities())
    assert knowledge.counts()["entities"] == 9  # three batches of three were written...
    assert knowledge.index_is_current() and _ids(knowledge.search("Rosneft Oil Company")) == ["kbtest-rosneft"]


def test_the_knowledge_base_lives_beside_the_articles(store):
    assert store.counts() == {"articles": 0, "entities": 0, "quotes": 0, "events": 0, "failures": 0}
    assert repr(store.knowledge_base()).startswith("KnowledgeBase(")
    assert len(list(store.knowledge_base().entities())) == 0


# -- the command line ----------------------------------------------------------------------


def test_cli_kb_load_prints_counts_and_is_idempotent(veille, tmp_path):
    result = veille("kb", "load", ENTITIES, UN_XML)
    assert result.exit_code == 0, result.output
    assert f"{ENTITIES}: 10 new, 0 updated, 0 unchanged, 0 invalid, 1 skipped (Sanction 1)" in result.stderr
    assert f"{UN_XML}: 3 new" in result.stderr
    assert "knowledge base: 13 entities, 9 on sanctions lists, 4 datasets" in result.stderr
    again = veille("kb", "load", ENTITIES, "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["unchanged"] == 10 and json.loads(again.stdout)["new"] == 0


def test_cli_kb_load_reports_invalid_lines_and_goes_on(veille, tmp_path):
    path = tmp_path / "mixed.json"
    path.write_text("\n".join(["{oops", *_lines()[:3], "[]"] + ["{}"] * 6) + "\n", encoding="utf-8")
    result = veille("kb", "load", path, "--dataset", "mine")
    assert result.exit_code == 0, result.output
    assert "3 new, 0 updated, 0 unchanged, 8 invalid" in result.stderr
    assert f"{path}:1: not JSON" in result.stderr and "... and 3 more invalid" in result.stderr
    assert veille("kb", "load", tmp_path / "missing.json").exit_code == 2  # a usage error: nothing loaded


def test_cli_kb_search_json(veille):
    veille("kb", "load", ENTITIES)
    result = veille("kb", "search", "Сергей Лавров", "Rosneft", "Nobody Atall", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["Сергей Лавров", "Rosneft", "Nobody Atall"]
    first = lines[0]["candidates"][0]
    assert {"id", "name", "schema", "score"} <= set(first)
    assert first["id"] == "kbtest-lavrov" and first["schema"] == "Person" and first["score"] >= 0.8
    assert lines[1]["candidates"][0]["id"] == "kbtest-rosneft" and lines[2]["candidates"] == []
    person = json.loads(veille("kb", "search", "Rosneft", "--schema", "person", "--json").stdout)
    assert person == {"query": "Rosneft", "candidates": []}


def test_cli_kb_search_table_show_and_info(veille):
    veille("kb", "load", ENTITIES)
    result = veille("kb", "search", "Kim Jong Un", "Zyxwvut Qwertyuiop")
    assert result.exit_code == 0 and "kbtest-kim-jong-un" in result.stdout
    assert "Zyxwvut Qwertyuiop: no match" in result.stderr
    shown = veille("kb", "show", "kbtest-kim-jong-un")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["properties"]["alias"] == ["김정은", "Kim Jong-un"]
    assert veille("kb", "show", "nobody").exit_code == 1
    info = json.loads(veille("kb", "info", "--json").stdout)
    assert info["entities"] == 10 and info["per_dataset"]["kbtest_sanctions"] == 6


def test_cli_kb_search_on_an_empty_knowledge_base_says_how_to_load(veille):
    result = veille("kb", "search", "Vladimir Putin")
    assert result.exit_code == 0 and "is empty: load one with `veille kb load FILE`" in result.stderr


def test_cli_screen_json(veille):
    veille("kb", "load", ENTITIES, UN_XML)
    result = veille("screen", "Sergei Lavrov", "Emmanuel Macron", "Testperson Examplov", "--json")
    assert result.exit_code == 0, result.output
    lavrov, macron, alpha = (json.loads(line) for line in result.stdout.splitlines())
    hit = lavrov["candidates"][0]
    assert {"id", "name", "schema", "score", "list", "topics", "why"} <= set(hit)
    assert hit["id"] == "kbtest-lavrov" and hit["list"] == ["kbtest_sanctions"] and "sanction" in hit["topics"]
    assert macron == {"query": "Emmanuel Macron", "candidates": []}
    assert alpha["candidates"][0]["list"] == [DATASET]
    assert json.loads(veille("screen", "Rosneft", "--type", "person", "--json").stdout)["candidates"] == []
    table = veille("screen", "Wagner Group")
    assert table.exit_code == 0 and "kbtest-wagner" in table.stdout


def test_cli_screen_without_a_sanctions_list_says_how_to_load_one(veille):
    result = veille("screen", "Vladimir Putin")
    assert result.exit_code == 1
    assert "no sanctions list" in result.stderr and "veille kb load" in result.stderr


def test_kb_commands_do_not_import_spacy(veille, db):
    veille("kb", "load", ENTITIES)
    code = (
        "import sys\n"
        "from veille.cli import main\n"
        f"sys.argv = ['veille', '--db', {str(db)!r}, 'kb', 'search', 'Sergei Lavrov', '--json']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "assert 'spacy' not in sys.modules, 'spacy imported'\n"
        "assert 'followthemoney' not in sys.modules, 'followthemoney imported'\n"
        "print('clean')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "kbtest-lavrov" in result.stdout and result.stdout.rstrip().endswith("clean")


def test_searching_many_names_gives_what_searching_each_gives(kb):
    queries = ["Сергей Лавров", "Sergey Lavorv", "", "Rosneft", "Nobody Atall", "Kim Jong-un", "Wagner Group"]
    many = kb.search_many(queries)
    assert many == [kb.search(q) for q in queries]
    assert many[2] == [] and _ids(many[0])[:1] == ["kbtest-lavrov"]
    assert kb.screen_many(queries) == [kb.screen(q) for q in queries]


def test_search_reads_person_queries_without_rigours_tagger(kb, monkeypatch):
    # the tagger of given and family names takes seconds to build per process: a query takes
    # the symbols of its parts from the knowledge base's vocabulary instead
    from veille.kb import names as names_module

    tagged = []
    real = names_module.analyze_names

    def spy(tag, names, **options):
        if options.get("symbols") and tag == names_module.NameTypeTag.PER:
            tagged.append(names)
        return real(tag, names, **options)

    names_module._analyse.cache_clear()
    monkeypatch.setattr(names_module, "analyze_names", spy)
    assert _ids(kb.search("Сергей Лавров", schema="person"))[:1] == ["kbtest-lavrov"]
    assert _ids(kb.search("Sergueï Lavrov"))[:1] == ["kbtest-lavrov"]
    assert tagged == []
    vocabulary = kb._searcher._vocabulary
    assert vocabulary.get("сергей")  # the symbols the stored names gave the part


def test_long_lists_can_be_searched_by_several_processes(tmp_path):
    with open_store(tmp_path / "many.db") as store:
        knowledge = store.knowledge_base()
        knowledge.load_file(ENTITIES)
        queries = [f"{first} {last}" for first in ("Sergey", "Vladimir", "Emmanuel", "Testperson", "Kim")
                   for last in ("Lavrov", "Putin", "Macron", "Examplov", "Jong Un", "Merkel")] * 12
        assert len(queries) > search_module.BATCH
        alone = knowledge.search_many(queries)
        assert _ids(alone[0])[:1] == ["kbtest-lavrov"]
        shared = store.knowledge_base()
        assert shared.search_many(queries, workers=2) == alone
        assert shared._searcher._counts  # this process searched its share (its own caches)
        processes, _, pool = shared._pool
        assert processes == 1  # and started one other, kept for the next search
        started = set(pool._processes)
        workers = list(pool._processes.values())
        assert shared.screen_many(queries, workers=2) == knowledge.screen_many(queries)
        assert shared._pool[2] is pool and set(pool._processes) == started
    # closed with the store: shut down without waiting for its worker to exit, which this process
    # waits for when it exits, before the exit hook of concurrent.futures (Python 3.11's can race
    # with a pool closing its pipe: "Bad file descriptor" at exit)
    import concurrent.futures.process as futures_process
    import threading

    assert shared._pool is None and pool not in kb_module._LIVE and kb_module._LEAVING
    hooks = [getattr(hook, "func", hook) for hook in threading._threading_atexits]  # (run last first)
    assert hooks.index(kb_module._join_pools) > hooks.index(futures_process._python_exit)
    kb_module._join_pools()
    assert not kb_module._LEAVING
    assert all(worker.exitcode is not None for worker in workers)  # (exited and waited for)


def test_searches_of_several_threads_on_one_knowledge_base_take_turns(kb, monkeypatch):
    # a store may be shared by threads (an API serving several requests): the searcher's caches
    # are filled and emptied batch by batch, so one knowledge base searches for one at a time
    import threading
    import time

    searcher = kb._searcher
    inside, most = [0], [0]

    class Watched:  # the searcher, counting the searches running in it at once
        def __getattr__(self, name):
            return getattr(searcher, name)

        def search(self, *args):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            time.sleep(0.05)  # (long enough for another thread to come in, were it let in)
            try:
                return searcher.search(*args)
            finally:
                inside[0] -= 1

    names = ["Sergei Lavrov", "Rosneft", "Testperson Examplov", "Kim Jong Un"]
    wanted = kb.search_many(names)
    monkeypatch.setattr(kb, "_searcher", Watched())
    found, errors = [], []

    def search():
        try:
            found.append(kb.search_many(names))
        except Exception as error:  # (reported below: an exception in a thread fails nothing)
            errors.append(error)

    threads = [threading.Thread(target=search) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and found == [wanted] * 4
    assert most[0] == 1


def test_the_workers_kept_for_parallel_searches_see_what_is_loaded_since(tmp_path):
    with open_store(tmp_path / "kept.db") as store:
        knowledge = store.knowledge_base()
        knowledge.load_file(ENTITIES)
        queries = ["Sergey Lavrov", "Otto Newcomer"] * search_module.BATCH
        first = knowledge.search_many(queries, workers=2)
        assert _ids(first[0])[:1] == ["kbtest-lavrov"] and first[1] == []
        pool = knowledge._pool[2]
        knowledge.load([{"id": "late-newcomer", "schema": "Person", "properties": {"name": ["Otto Newcomer"]}}],
                       dataset="late")
        # every chunk, this process's and the worker's, finds the entity loaded since
        again = knowledge.search_many(queries, workers=2)
        assert knowledge._pool[2] is pool
        assert all(_ids(found)[:1] == ["late-newcomer"] for found in again[1::2])
        assert all(_ids(found)[:1] == ["kbtest-lavrov"] for found in again[0::2])
        # asked for more processes, it starts as many anew
        assert knowledge.search_many(queries, workers=3) == again
        assert knowledge._pool[0] == 2 and knowledge._pool[2] is not pool
        # a worker killed since the last search (out of memory?): the next one starts others
        import time

        pool = knowledge._pool[2]
        for process in list(pool._processes.values()):
            process.kill()
        deadline = time.monotonic() + 30
        while not pool._broken and time.monotonic() < deadline:  # (as its pool finds out)
            time.sleep(0.01)
        assert pool._broken
        assert knowledge.search_many(queries, workers=3) == again
        assert knowledge._pool[2] is not pool


def test_a_search_reads_the_database_through_memory_mapping(kb, store):
    # a search reads rows scattered over the database: mapped, each costs no system call (see
    # veille.kb.search.MAP_BYTES); a mapping the connection has already is kept, and a
    # connection that maps next to nothing finds the same
    db = kb._db
    db.execute("PRAGMA mmap_size = 0")
    kb._searcher.reset()
    assert _ids(kb.search("Sergei Lavrov"))[:1] == ["kbtest-lavrov"]
    (mapped,) = db.execute("PRAGMA mmap_size").fetchone()
    assert mapped >= min(search_module.MAP_BYTES, 1 << 30)
    with open_store(store.location) as other:
        plain = other.knowledge_base()
        plain._db.execute("PRAGMA mmap_size = 4096")
        names = ["Sergei Lavrov", "Сергей Лавров", "Testperson Examplov", "Wagner Group"]
        assert plain.search_many(names) == kb.search_many(names)
        assert plain._db.execute("PRAGMA mmap_size").fetchone()[0] == 4096
    with open_store(":memory:") as memory:  # (nothing to map)
        in_memory = memory.knowledge_base()
        in_memory.load_file(ENTITIES)
        assert _ids(in_memory.search("Sergei Lavrov"))[:1] == ["kbtest-lavrov"]


def test_cli_screen_reads_names_from_a_file(veille, tmp_path):
    veille("kb", "load", ENTITIES, UN_XML)
    names = tmp_path / "names.txt"
    names.write_text("Sergei Lavrov\n\n  Testperson Examplov  \n", encoding="utf-8")
    result = veille("screen", "--file", str(names), "Wagner Group", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["Wagner Group", "Sergei Lavrov", "Testperson Examplov"]
    assert lines[1]["candidates"][0]["id"] == "kbtest-lavrov"
    assert veille("kb", "search", "--file", str(names), "--json").stdout.count("\n") == 2
    missing = veille("screen")
    assert missing.exit_code == 2 and "--file" in missing.stderr


def test_a_long_load_reads_names_in_worker_processes_to_the_same_result(tmp_path, monkeypatch):
    def stored(store):
        db = store._db
        ids = dict(db.execute("SELECT seq, id FROM kb_entities").fetchall())
        names = sorted((ids[e], name, weak, keys, parsed)
                       for e, name, weak, keys, parsed in db.execute("SELECT entity, name, weak, keys, parsed FROM kb_names"))
        return names, sorted(map(tuple, db.execute("SELECT form, symbols FROM kb_vocabulary"))), _index(store)

    with open_store(tmp_path / "one.db") as one, open_store(tmp_path / "two.db") as two:
        one.knowledge_base().load_file(ENTITIES, workers=1)
        monkeypatch.setattr(kb_module, "BATCH_SIZE", 3)
        monkeypatch.setattr(kb_module, "PARALLEL_AFTER", 3)  # the first batch here, the others in workers
        seen = []
        stats = two.knowledge_base().load_file(ENTITIES, workers=2, progress=seen.append)
        assert stats.new == 10 and sum(seen) == stats.read + sum(stats.skipped.values())
        assert stored(one) == stored(two) and stored(one)[0] and stored(one)[1]


def test_a_query_in_another_script_than_the_list_is_read_with_rigours_symbols(tmp_path):
    # the list has Latin names only: "Ким Чен Ын" shares no letters' reading with "Kim Jong
    # Un" ("kim chen yn"); rigour's name symbols relate them
    with open_store(tmp_path / "latin.db") as store:
        knowledge = store.knowledge_base()
        knowledge.load([{"id": "kju", "schema": "Person", "properties": {"name": ["Kim Jong Un"]},
                         "topics": ["sanction"]},
                        {"id": "other", "schema": "Person", "properties": {"name": ["Kim Yo Jong"]}}])
        assert _ids(knowledge.screen("Ким Чен Ын", schema="person")) == ["kju"]
        assert _ids(knowledge.search("Kim Jong-un")) == ["kju"]


# -- the packed index -------------------------------------------------------------------


def test_the_packed_index_holds_every_posting_list_and_filter(kb, store):
    from veille.kb.packed import packed_meta, read_packed

    db = store._db
    packed = read_packed(db, packed_meta(db))
    lists: dict[str, list[int]] = {}
    for key, entity in db.execute("SELECT key, entity FROM kb_keys ORDER BY key, entity"):
        lists.setdefault(key, []).append(entity)
    counts = {key: (n, start) for key, n, start in db.execute("SELECT key, n, start FROM kb_key_counts")}
    assert set(counts) == set(lists) and lists
    for key, entities in lists.items():
        n, start = counts[key]
        assert n == len(entities) and packed.slice(start, n).tolist() == entities
    sanctioned = {seq for (seq,) in db.execute(
        "SELECT seq FROM kb_entities, json_each(kb_entities.topics) t WHERE t.value = 'sanction'")}
    people = {seq for (seq,) in db.execute("SELECT seq FROM kb_entities WHERE schema = 'Person'")}
    mask = packed.mask(["Person"], ["sanction"])
    assert set(mask.nonzero()[0].tolist()) == sanctioned & people and sanctioned & people
    assert packed.mask(None, None) is None


def test_a_search_sees_what_another_connection_loaded(tmp_path):
    with open_store(tmp_path / "shared.db") as first, open_store(tmp_path / "shared.db") as second:
        reader = first.knowledge_base()
        reader.load_file(ENTITIES)
        assert reader.screen("Testperson Alpha Examplov") == []
        second.knowledge_base().load_file(UN_XML)  # another process could have done this
        assert _ids(reader.screen("Testperson Alpha Examplov")) == ["un-sc-KPi.901"]


def test_a_knowledge_base_never_packed_or_packed_badly_is_packed_by_its_first_search(kb, store):
    wanted = kb.search_many(["Sergei Lavrov", "Rosneft", "Testperson Examplov"])
    assert wanted[0] and wanted[1]
    with store._transaction() as db:  # as a Veille of before the packed index left it
        db.execute("DELETE FROM kb_packed")
        db.execute("DELETE FROM kb_meta WHERE name = 'packed'")
        db.execute("UPDATE kb_key_counts SET start = NULL")
    with open_store(store.location) as other:
        assert other.knowledge_base().search_many(["Sergei Lavrov", "Rosneft", "Testperson Examplov"]) == wanted
    with store._transaction() as db:  # a copy cut short
        db.execute("DELETE FROM kb_packed WHERE part = (SELECT max(part) FROM kb_packed)")
    with open_store(store.location) as other:
        assert other.knowledge_base().search_many(["Sergei Lavrov", "Rosneft", "Testperson Examplov"]) == wanted
    with store._transaction() as db:  # packed by a Veille whose packed index had no names
        db.execute("UPDATE kb_meta SET value = json_set(value, '$.version', 2) WHERE name = 'packed'")
    with open_store(store.location) as other:
        assert other.knowledge_base().search_many(["Sergei Lavrov", "Rosneft", "Testperson Examplov"]) == wanted
        (version,) = other._db.execute("SELECT json_extract(value, '$.version') FROM kb_meta WHERE name = 'packed'").fetchone()
        assert version == 3


def test_a_forked_search_worker_adopts_the_packed_index_its_parent_read(kb, store, monkeypatch):
    kb.search("Sergei Lavrov")  # reads the packed index
    packed = kb._searcher.packed_index()
    monkeypatch.setattr(kb_module, "_INHERITED", packed)
    monkeypatch.setattr(kb_module, "_WORKER_KB", None)
    try:
        kb_module._open_worker(store.location)  # what a forked worker runs first
    finally:
        gc.enable()  # (a worker runs without the garbage collector; this test process does not)
    worker = kb_module._WORKER_KB
    assert worker is not None and worker._searcher.packed_index() is packed
    assert worker.search("Sergei Lavrov") == kb.search("Sergei Lavrov")
    assert worker._searcher.packed_index() is packed  # same generation: not read again
    worker.store.close()


def test_a_reset_searcher_reads_the_packed_index_again_only_once_it_is_packed_again(kb, store):
    read = []
    kb._db.set_trace_callback(lambda sql: read.append(sql) if "FROM kb_packed" in sql else None)
    try:
        found = kb.search("Sergei Lavrov")
        packed = kb._searcher.packed_index()
        assert packed is not None
        kb._searcher.reset()  # caches emptied; the index is the database's still
        read.clear()
        assert kb.search("Sergei Lavrov") == found and kb._searcher.packed_index() is packed and not read
        kb.pack()  # a new generation: its index is read
        assert kb.search("Sergei Lavrov") == found and read
        assert kb._searcher.packed_index() is not packed
        assert kb._searcher.packed_index().generation != packed.generation
        with store._transaction() as db:  # emptied: no index to search, none kept
            db.execute("DELETE FROM kb_names")
            db.execute("DELETE FROM kb_entities")
            db.execute("DELETE FROM kb_packed")
            db.execute("DELETE FROM kb_meta WHERE name = 'packed'")
        kb._searcher.reset()
        assert kb.search("Sergei Lavrov") == [] and kb._searcher.packed_index() is None
    finally:
        kb._db.set_trace_callback(None)


def test_a_search_during_a_load_reads_the_index_as_last_packed(kb, store):
    from veille.kb import LoadStats

    # what a load in another process has written before packing: kb_keys is ahead of the pack
    stats, batch = LoadStats(), {}
    kb._take({"id": "late", "schema": "Person", "properties": {"name": ["Testperson Latecomer"]},
              "topics": ["sanction"]}, "late", batch, stats)
    kb._write(batch, stats)
    assert not kb.index_is_current()  # a load is running, or stopped before packing
    with open_store(store.location) as other:
        searcher = other.knowledge_base()
        assert searcher.screen("Testperson Latecomer") == []  # not packed yet: not found, no error
        assert _ids(searcher.screen("Sergei Lavrov")) == ["kbtest-lavrov"]
    kb.load([])  # the next load packs what the stopped one wrote
    assert kb.index_is_current()
    assert _ids(kb.screen("Testperson Latecomer")) == ["late"]


def test_cli_kb_search_warns_when_the_index_is_out_of_date(veille, db):
    veille("kb", "load", ENTITIES)
    assert "out of date" not in veille("kb", "search", "Sergei Lavrov").stderr
    with open_store(db) as store, store._transaction() as tx:  # a load stopped before packing
        tx.execute("INSERT INTO kb_meta (name, value) VALUES ('packed_stale', '1')")
    result = veille("kb", "search", "Sergei Lavrov")
    assert result.exit_code == 0 and "out of date" in result.stderr and "veille kb reindex" in result.stderr
    veille("kb", "reindex")
    assert "out of date" not in veille("kb", "search", "Sergei Lavrov").stderr


def test_a_long_misspelt_word_is_looked_up_two_edits_away_among_the_words_it_starts_like(store):
    # a word of 8 letters or more with no index word one edit away is compared with the index
    # words of its first 3 letters and about its length (read as one row: on a long list they
    # are thousands): the neighbours are those two edits away, closest first
    from rapidfuzz.distance import OSA

    from veille.kb import names as names_module

    # two edits from the query: Abdurakhmanov, Abdurahmonov, Abdurakhmonova; three or more: the others
    surnames = ["Abdurakhmanov", "Abdurakhimov", "Abdulkhalikov", "Abdurashidov", "Abdulazizov", "Abdrakhmanova",
                "Abduraxmanov", "Abdullaev", "Abdurahmanli", "Abramovich", "Abdurahmonov", "Abdurakhmonova",
                "Abdurakhmanova"]
    knowledge = store.knowledge_base()
    knowledge.load([{"id": f"kbtest-abd-{i}", "schema": "Person", "properties": {"name": [f"Dmitri {surname}"]}}
                    for i, surname in enumerate(surnames)], dataset="kbtest")
    word = "abdurakhmonav"  # two letters changed
    found = knowledge.search(f"Dmitri {word.title()}", schema="person")
    assert _ids(found)[0] in {"kbtest-abd-0", "kbtest-abd-10", "kbtest-abd-11"} and "kbtest-abd-0" in _ids(found)
    keys = [key for (key,) in knowledge._db.execute("SELECT key FROM kb_key_counts")]
    close = [key for key in keys if key[:3] == word[:3] and abs(len(key) - len(word)) <= 2
             and 0 < OSA.distance(word, key) <= 2]
    wanted = sorted(((key, names_module.spelling_similarity(word, key)) for key in close), key=lambda x: (-x[1], x[0]))
    assert set(close) == {"abdurakhmanov", "abdurahmonov", "abdurakhmonova"}
    assert knowledge._searcher._near[word] == wanted[:search_module.FUZZY_KEYS]


def test_row_sums_are_numpys_to_the_bit():
    # candidates are ranked by these sums, ties by entity: summed in another order, a last bit
    # could change which candidate is kept
    import numpy as np

    rng = np.random.default_rng(7)
    for width in range(12):
        weights = rng.random((50, width)) * rng.integers(0, 2, (50, width)) * 7.3
        for part in (weights, weights[:, :width // 2]):
            assert np.array_equal(search_module._row_sums(part), part.sum(axis=1))


def test_a_candidate_made_from_its_fields_is_the_candidate():
    import pickle

    fields = {"id": "x", "name": "X", "schema": "Person", "score": 0.9, "matched_name": "X Y", "why": "exact",
              "datasets": ["d"], "topics": ["sanction"], "countries": ["ru"], "qid": None}
    made = kb_module.Candidate.of(fields)
    assert made == kb_module.Candidate(**fields)
    assert pickle.loads(pickle.dumps(made)) == made and made.to_dict() == fields
    with pytest.raises(AttributeError):
        made.score = 1.0  # (still frozen)
    with pytest.raises(TypeError):
        kb_module.Candidate.of({**fields, "extra": 1})


def test_a_candidates_dictionary_is_what_asdict_makes_of_it():
    from dataclasses import asdict

    made = kb_module.Candidate.of({"qid": "Q1", "countries": ["kp"], "topics": ["sanction", "role.pep"],
                                   "datasets": ["un_sc"], "why": "same name", "matched_name": "Kim", "score": 1.0,
                                   "schema": "Person", "name": "Kim Jong Un", "id": "kim"})
    mine = made.to_dict()
    assert mine == asdict(made) and list(mine) == list(asdict(made))  # (the fields' order too)
    mine["topics"].append("crime")  # (lists of its own)
    assert made.topics == ["sanction", "role.pep"]


def test_round4_is_pythons_round_to_the_bit():
    # scores are rounded to 4 places many times per name: ``round4`` must give what ``round``
    # gives, last bit and sign of zero included, ties (to even) and near-ties too
    import math
    import random
    import struct

    rng = random.Random(3)
    values = [rng.random() for _ in range(100_000)] + [rng.random() * 1000 for _ in range(20_000)]
    values += [k / 20_000 for k in range(20_001)]  # every tie of [0, 1]...
    values += [k / 20_000 + d for k in range(20_001) for d in (1e-17, -1e-17, 5e-13, -5e-13)]  # ...and its neighbours
    values += [0.0, -0.0, 1.0, 0.99995, 0.00005, 2.675, 1e-300, -0.3, -0.00004, 1e12, math.inf, -math.inf]
    for x in values:
        assert struct.pack("<d", search_module.round4(x)) == struct.pack("<d", round(x, 4)), x
    assert math.isnan(search_module.round4(math.nan))


def _read_fields(parsed):
    return (parsed.kind, parsed.spans, parsed.key, parsed.scripts, parsed.symbols, parsed.legal, parsed.singles,
            parsed.syllabic, [(t.text, t.form, t.syms, t.kind, t.weight, t.phon, t.script, t.loose) for t in parsed.toks])


def test_the_packed_index_holds_every_entitys_names_as_stored(kb, store):
    # a search takes candidates' names from the packed index, not from kb_names: each entity's
    # names in the order of their texts, weak or not, each read as load_name reads it stored,
    # with the keys stored beside it
    from veille.kb import names as names_module
    from veille.kb.packed import packed_meta, read_packed

    db = store._db
    packed = read_packed(db, packed_meta(db))
    searcher = kb._searcher
    searcher.adopt(packed)
    stored: dict[int, list[tuple]] = {}
    for entity, name, weak, keys, parsed in db.execute(
            "SELECT entity, name, weak, keys, parsed FROM kb_names ORDER BY entity, name"):
        stored.setdefault(entity, []).append((name, weak, keys, parsed))
    (last,) = db.execute("SELECT max(seq) FROM kb_entities").fetchone()
    assert len(stored) >= 10 and any(len(mine) > 1 for mine in stored.values())
    for seq in range(last + 2):
        numbers = packed.names.of(seq)
        mine = stored.get(seq, [])
        assert [(packed.names.text(i), packed.names.weak[i]) for i in numbers] == [(n, w) for n, w, _, _ in mine]
        assert packed.names.entity(seq) == [(i, packed.names.weak[i], packed.names.reading[i]) for i in numbers]
        for i, (_, _, keys, parsed) in zip(numbers, mine, strict=True):
            read = searcher._reading(packed.names.reading[i])
            assert _read_fields(read) == _read_fields(names_module.load_name(parsed))
            assert names_module.name_keys(read) == frozenset(json.loads(keys))
    assert not packed.names.of(-1) and not packed.names.of(last + 5)


def test_namesakes_share_one_reading_of_their_name(store):
    # "Igor Ivanov" is hundreds of people on a long list: the packed index reads his name once,
    # and a search scores it once for all of them
    knowledge = store.knowledge_base()
    knowledge.load([{"id": f"ivanov-{i}", "schema": "Person", "properties": {"name": ["Igor Ivanov"]},
                     "topics": ["sanction"]} for i in range(3)]
                   + [{"id": "other", "schema": "Person", "properties": {"name": ["Igor Ivanovich"]}}])
    knowledge.search("Igor Ivanov")
    packed = knowledge._searcher.packed_index()
    seqs = [seq for (seq,) in store._db.execute("SELECT seq FROM kb_entities ORDER BY id")]
    readings = [[packed.names.reading[i] for i in packed.names.of(seq)] for seq in seqs]
    assert readings[0] == readings[1] == readings[2] and len(readings[0]) == 1
    assert readings[3] != readings[0]
    assert sorted(_ids(knowledge.screen("Igor Ivanov", schema="person"))) == ["ivanov-0", "ivanov-1", "ivanov-2"]


def test_names_stored_as_json_before_names_version_5_are_packed_as_names_are_stored_now(kb, store):
    from veille.kb import names as names_module

    queries = ["Sergei Lavrov", "Rosneft", "Testperson Examplov", "Kim Jong Un"]
    wanted = kb.search_many(queries)
    assert all(wanted)
    with store._transaction() as db:
        rows = db.execute("SELECT entity, name, parsed FROM kb_names").fetchall()
        for entity, name, parsed in rows:
            read = names_module.load_name(parsed)
            old = json.dumps([read.kind, [[t.text, t.form, sorted(t.syms), t.kind, t.weight, t.script] for t in read.toks],
                              [[a, b, sorted(x)] for a, b, x in read.spans]], ensure_ascii=False, separators=(",", ":"))
            db.execute("UPDATE kb_names SET parsed = ? WHERE entity = ? AND name = ?", (old, entity, name))
    kb.pack()
    with open_store(store.location) as other:
        again = other.knowledge_base()
        assert again.search_many(queries) == wanted
        names = again._searcher.packed_index().names
        # (each part with its sound and loose spellings, as dump_name stores it now)
        assert all(len(json.loads(names.part(i))) == 8 for i in range(len(names.part_ends) - 1))


def test_the_last_chunks_of_a_long_list_are_smaller_and_keep_every_name_in_order():
    names = [f"name {i}" for i in range(9_000)]
    for workers in (2, 3):
        chunks = kb_module._chunks(names, workers)
        assert [n for chunk in chunks for n in chunk] == names
        sizes = [len(chunk) for chunk in chunks]
        assert max(sizes) == search_module.BATCH and min(sizes[:-1]) == search_module.BATCH // 8
        assert sizes == sorted(sizes, reverse=True)  # (largest first: the smallest fill the end)
    assert [len(c) for c in kb_module._chunks(names[:10], 2)] == [10]


def test_entity_numbers_are_written_as_json_writes_them():
    for numbers in ([], [0], [3, 17, 1_000_000, 2**31 - 1]):
        assert search_module._numbers(numbers) == json.dumps(numbers, separators=(",", ":"))


def test_the_entities_two_common_keys_share_are_cached_and_the_cache_kept_small(store, monkeypatch):
    knowledge = store.knowledge_base()
    people = [{"id": f"mh{i:02d}", "schema": "Person", "properties": {"name": ["Mohammad Hassan"]}} for i in range(30)]
    people += [{"id": f"m{i:02d}", "schema": "Person", "properties": {"name": [f"Mohammad Testname{i:02d}"]}}
               for i in range(30)]
    people += [{"id": f"h{i:02d}", "schema": "Person", "properties": {"name": [f"Hassan Othername{i:02d}"]}}
               for i in range(30)]
    knowledge.load(people, dataset="many")
    monkeypatch.setattr(search_module, "POSTING_CAP", 10)  # (both words are common: no rare key to start from)
    searcher = knowledge._searcher
    first = knowledge.search("Mohammad Hassan", limit=40)
    assert {c.id for c in first} >= {f"mh{i:02d}" for i in range(30)}
    cached = dict(searcher._commons)
    assert cached and all(len(found) for found in cached.values())
    assert knowledge.search("Mohammad Hassan", limit=40) == first  # (from the cache)
    monkeypatch.setattr(search_module, "COMMONS_CACHE_SIZE", 0)
    searcher._trim_caches()  # (between batches: past its size, the cache is emptied)
    assert not searcher._commons
    assert knowledge.search("Mohammad Hassan", limit=40) == first
