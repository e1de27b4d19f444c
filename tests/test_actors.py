"""The ``actors`` stage through the whole pipeline: canonical identities, merging, linking.

Real spaCy models (French and English), degraded mode for German, Russian and
Korean, and the bundled actor table. Each article is analysed once per module.
"""

from __future__ import annotations

from typing import Any

import pytest

from veille import Pipeline

Record = dict[str, Any]

ARTICLES = {
    "fr": """Moscou et Pyongyang resserrent leurs liens

Le président russe Vladimir Poutine a promis mardi d'approfondir la coopération avec la Corée du Nord. Poutine a reçu à Moscou une délégation venue de Pyongyang.

L'OTAN s'inquiète de ce rapprochement. Le secrétaire général de l'ONU a appelé au respect des sanctions, et les Nations unies ont annoncé une réunion.

Un projet de résolution a été transmis au Conseil de sécurité de l'ONU, mais plusieurs membres du Conseil de sécurité de l’ONU y restent opposés.
""",
    "en": """Moscow and Pyongyang tighten ties
By Daniel Whitford
Russian President Vladimir Putin promised on Tuesday to deepen cooperation with North Korea. Putin received a delegation from Pyongyang in Moscow.

NATO is worried. "Let us not pretend this is new," one diplomat told us, adding that all of us had seen it coming. Daniel Whitford reported from Brussels.
""",
    "de": """Nordkorea feuert Raketen ab

Nordkorea hat am Montag zwei ballistische Raketen abgefeuert. Die NATO verurteilte die Tests scharf.
""",
    "ru": """Путин принял делегацию в Кремле

Президент России Владимир Путин во вторник принял в Москве делегацию Северной Кореи. Путин пообещал расширить военное сотрудничество.
""",
    "ko": """푸틴, 북한 대표단 접견

블라디미르 푸틴 러시아 대통령은 화요일 모스크바에서 북한 대표단을 만났다. 푸틴은 군사 협력 확대를 약속했다.
""",
    "kim": """Kim inspects missile factory

North Korean leader Kim Jong Un inspected a missile factory on Tuesday, state media said. Kim urged workers to raise output. His sister Kim Yo Jong later issued a statement criticising Seoul. The UN has banned such weapons.
""",
    "okafor": """Economist warns on debt

The economist Ruth Okafor warned on Monday that rising interest payments would squeeze public spending. Okafor said the government should renegotiate its loans.
""",
    "typo": """Talks in Washington

Secretary of State Antony Blinkin met his Japanese counterpart in Washington on Friday. Russian Foreign Minister Sergey Lavrovv called the meeting a provocation.
""",
    "nord_alone": """Tempête sur les côtes

Une violente tempête a frappé le Nord lundi, privant d'électricité des milliers de foyers, selon les pompiers. Dans le Nord, les écoles resteront fermées mardi.
""",
    "nord_named": """Pyongyang tire un missile

La Corée du Nord a tiré un missile lundi. Séoul a aussitôt dénoncé cette provocation du Nord, la troisième ce mois-ci.
""",
    "kim_un": """Kim Jong Un rejects UN demand

Kim Jong Un on Monday rejected a UN demand to halt missile tests. The UN Secretary-General said the UN would keep pressing Pyongyang. Kim Jong Un called the UN biased.
""",
}


@pytest.fixture(scope="module")
def records(pipeline: Pipeline) -> dict[str, Record]:
    return {name: pipeline.analyze(text) for name, text in ARTICLES.items()}


def named(record: Record, name: str) -> list[dict[str, Any]]:
    return [e for e in record["entities"] if e["name"] == name]


def one(record: Record, name: str) -> dict[str, Any]:
    found = named(record, name)
    assert len(found) == 1, (name, [(e["name"], [m["text"] for m in e["mentions"]]) for e in record["entities"]])
    return found[0]


def texts(entity: dict[str, Any]) -> list[str]:
    return [m["text"] for m in entity["mentions"]]


# -- one identity across languages ---------------------------------------------------------

@pytest.mark.parametrize(("article", "surface"), [("fr", "Poutine"), ("en", "Putin"), ("ru", "Путин"), ("ko", "푸틴")])
def test_putin_is_one_canonical_actor_in_every_language(records: dict[str, Record], article: str,
                                                        surface: str) -> None:
    record = records[article]
    assert record["language"] == article
    putin = one(record, "Vladimir Putin")
    assert putin["kb_id"] == "Q7747"
    assert putin["type"] == "PER"
    assert surface in texts(putin)
    assert len(putin["mentions"]) == 2  # the full name, then the surname alone


@pytest.mark.parametrize(("article", "surface"), [
    ("fr", "Corée du Nord"), ("en", "North Korea"), ("de", "Nordkorea"), ("ru", "Северной Кореи"), ("ko", "북한"),
])
def test_north_korea_is_one_canonical_actor_in_every_language(records: dict[str, Record], article: str,
                                                              surface: str) -> None:
    north = one(records[article], "North Korea")
    assert north["kb_id"] == "Q423"
    assert north["type"] == "GPE"
    assert surface in texts(north)


@pytest.mark.parametrize(("article", "surface"), [("fr", "OTAN"), ("en", "NATO"), ("de", "NATO")])
def test_nato_under_its_english_name(records: dict[str, Record], article: str, surface: str) -> None:
    nato = one(records[article], "NATO")
    assert texts(nato) == [surface]
    assert nato["kb_id"] == "Q7184"


def test_onu_and_nations_unies_are_one_united_nations(records: dict[str, Record]) -> None:
    un = one(records["fr"], "United Nations")
    assert un["kb_id"] == "Q1065"
    assert texts(un) == ["ONU", "Nations unies"]


def test_security_council_with_either_apostrophe(records: dict[str, Record]) -> None:
    council = one(records["fr"], "United Nations Security Council")
    assert council["kb_id"] == "Q37470"
    assert texts(council) == ["Conseil de sécurité de l'ONU", "Conseil de sécurité de l’ONU"]


def test_security_council_after_the_definite_article(pipeline: Pipeline) -> None:
    record = pipeline.analyze("Réunion à New York\n\nLe Conseil de sécurité de l’ONU se réunira jeudi à la "
                              "demande de la France pour examiner le dernier tir de missile.\n")
    council = one(record, "United Nations Security Council")
    assert texts(council) == ["Conseil de sécurité de l’ONU"]


# -- merging within an article -----------------------------------------------------------

def test_kim_alone_joins_kim_jong_un_and_kim_yo_jong_stays_apart(records: dict[str, Record]) -> None:
    record = records["kim"]
    kim = one(record, "Kim Jong Un")
    assert kim["kb_id"] == "Q56226"
    assert texts(kim) == ["Kim Jong Un", "Kim"]
    sister = one(record, "Kim Yo Jong")
    assert texts(sister) == ["Kim Yo Jong"]
    assert sister["id"] != kim["id"]


def test_kim_alone_goes_to_the_kim_named_before(pipeline: Pipeline) -> None:
    record = pipeline.analyze(
        "Kim visits factory\n\nNorth Korean leader Kim Jong Un inspected a missile factory on Tuesday. Kim urged "
        "workers to raise output. His sister Kim Yo Jong later criticised Seoul, and Kim Yo Jong warned of a "
        "firm response.\n")
    assert texts(one(record, "Kim Jong Un")) == ["Kim Jong Un", "Kim"]
    assert texts(one(record, "Kim Yo Jong")) == ["Kim Yo Jong", "Kim Yo Jong"]


def test_unknown_person_and_surname_are_one_unlinked_entity(records: dict[str, Record]) -> None:
    okafor = one(records["okafor"], "Ruth Okafor")
    assert okafor["kb_id"] is None
    assert okafor["type"] == "PER"
    assert texts(okafor) == ["Ruth Okafor", "Okafor"]
    assert named(records["okafor"], "Okafor") == []


def test_un_is_not_part_of_kim_jong_un(records: dict[str, Record]) -> None:
    record = records["kim_un"]
    kim = one(record, "Kim Jong Un")
    assert texts(kim) == ["Kim Jong Un", "Kim Jong Un"]
    un = one(record, "United Nations")
    assert texts(un) == ["UN"] * 4
    assert one(records["kim"], "United Nations")["mentions"][0]["text"] == "UN"


# -- linking -----------------------------------------------------------------------------

@pytest.mark.parametrize(("typo", "name"), [("Antony Blinkin", "Antony Blinken"), ("Sergey Lavrovv", "Sergey Lavrov")])
def test_one_letter_typo_of_a_known_person_links_to_the_table(records: dict[str, Record], typo: str,
                                                               name: str) -> None:
    person = one(records["typo"], name)
    assert person["type"] == "PER"
    assert texts(person) == [typo]
    assert named(records["typo"], typo) == []


@pytest.mark.xfail(strict=True, reason=(
    "a different person who shares a table person's surname is linked to the table person: the table finds "
    "the alias 'Lavrov' inside 'Boris Lavrov' and wins over the longer, unlinked NER span, so the chess "
    "player becomes 'Sergey Lavrov' with the mention 'Lavrov'"))
def test_namesake_with_another_first_name_is_not_linked(pipeline: Pipeline) -> None:
    record = pipeline.analyze(
        "Young grandmaster wins national chess final\n\nThe young grandmaster Boris Lavrov won the national "
        "chess final in Kazan on Sunday. Lavrov, 19, beat the defending champion in the last round.\n")
    assert named(record, "Sergey Lavrov") == []
    assert texts(one(record, "Boris Lavrov")) == ["Boris Lavrov", "Lavrov"]


def test_le_nord_alone_is_not_north_korea(records: dict[str, Record]) -> None:
    record = records["nord_alone"]
    assert "le Nord" in record["text"]
    assert named(record, "North Korea") == []
    assert all(e["kb_id"] != "Q423" for e in record["entities"])


def test_le_nord_is_north_korea_once_named_in_full(records: dict[str, Record]) -> None:
    north = one(records["nord_named"], "North Korea")
    assert texts(north) == ["Corée du Nord", "Nord"]


def test_lower_case_us_is_never_the_united_states(records: dict[str, Record]) -> None:
    record = records["en"]
    assert record["text"].count(" us") >= 3
    assert named(record, "United States") == []


def test_byline_author_is_not_an_entity(records: dict[str, Record]) -> None:
    record = records["en"]
    assert record["authors"] == ["Daniel Whitford"]
    assert "Daniel Whitford" in record["text"]  # also named in the body
    assert all("Whitford" not in m["text"] for e in record["entities"] for m in e["mentions"])


# -- record invariants -----------------------------------------------------------------

def test_every_mention_slices_the_text(records: dict[str, Record]) -> None:
    checked = 0
    for record in records.values():
        for entity in record["entities"]:
            for m in entity["mentions"]:
                assert record["text"][m["start"]:m["end"]] == m["text"], (entity["name"], m)
                checked += 1
    assert checked >= 40


def test_entity_ids_follow_first_mentions(records: dict[str, Record]) -> None:
    for record in records.values():
        entities = record["entities"]
        assert [e["id"] for e in entities] == [f"e{n}" for n in range(1, len(entities) + 1)]
        # actors named only in captions, or only by an adjective an event needed ("le veto
        # russe"), have no mention in the body: they come after the others
        named = [e for e in entities if e["mentions"]]
        assert entities[:len(named)] == named
        firsts = [min(m["start"] for m in e["mentions"]) for e in named]
        assert firsts == sorted(firsts) and len(set(firsts)) == len(firsts)
        for e in entities:
            assert [m["start"] for m in e["mentions"]] == sorted(m["start"] for m in e["mentions"])


# -- degraded languages ----------------------------------------------------------------

@pytest.mark.parametrize(("article", "package"), [("ru", "ru_core_news_md"), ("ko", "ko_core_news_md"),
                                                  ("de", "de_core_news_md")])
def test_degraded_language_finds_table_actors_and_says_what_to_install(records: dict[str, Record], article: str,
                                                                       package: str) -> None:
    record = records[article]
    warnings = [w for w in record["warnings"] if w["kind"] == "degraded_model"]
    assert len(warnings) == 1
    assert package in warnings[0]["text"] or package.replace("_", "-") in warnings[0]["text"]
    assert one(record, "North Korea")["kb_id"] == "Q423"


@pytest.mark.parametrize("article", ["fr", "en"])
def test_full_model_languages_carry_no_degraded_warning(records: dict[str, Record], article: str) -> None:
    assert [w for w in records[article]["warnings"] if w["kind"] == "degraded_model"] == []


def test_actors_named_only_in_a_caption_are_kept_apart_from_body_mentions(pipeline):
    text = ("Le Premier ministre japonais reçu à Séoul\n\n"
            "Le président sud-coréen a reçu mardi à Séoul le Premier ministre japonais pour parler de la "
            "sécurité régionale et des essais de missiles nord-coréens, selon la présidence.\n\n"
            "Vladimir Poutine et Xi Jinping lors d'un sommet à Pékin. © AFP\n\n"
            "Les deux dirigeants ont aussi évoqué les échanges commerciaux et le tourisme entre leurs pays.")
    rec = pipeline.analyze(text)
    assert rec["captions"] == ["Vladimir Poutine et Xi Jinping lors d'un sommet à Pékin. © AFP"]
    putin = next(e for e in rec["entities"] if e["name"] == "Vladimir Putin")
    assert putin["mentions"] == []  # not in the body
    assert [m["text"] for m in putin["caption_mentions"]] == ["Vladimir Poutine"]
    m = putin["caption_mentions"][0]
    assert rec["captions"][m["caption"]][m["start"]:m["end"]] == "Vladimir Poutine"
