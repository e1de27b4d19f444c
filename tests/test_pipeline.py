"""The Python API: Pipeline().analyze / analyze_many, stable ids, batching, failures, exports."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import veille
from veille import ConfigError, EmptyInput, Failure, Pipeline, PipelineConfig, RawDocument, Source
from veille.nlp import load_model

ARTICLE = """Kim Jong Un reçoit une délégation russe à Pyongyang

Le dirigeant nord-coréen Kim Jong Un a reçu mardi à Pyongyang le ministre russe de la Défense, Andrei Belousov, selon l'agence officielle KCNA.

« Nos deux pays sont unis face aux menaces », a déclaré Kim, cité par l'agence.
"""

HTML = """<html><head><title>Seoul summons envoy</title></head><body><article><h1>Seoul summons envoy</h1>
<p>South Korea summoned the Russian ambassador on Monday after reports that North Korean troops were deployed near Kursk.</p>
<p>“This is a grave threat to our security,” Foreign Minister Cho Tae-yul told reporters in Seoul on Monday afternoon.</p>
</article></body></html>"""


def test_analyze_text_gives_the_record_of_the_spec(pipeline):
    rec = pipeline.analyze(ARTICLE)
    assert set(rec) >= {"id", "source", "language", "title", "authors", "published", "text", "captions",
                        "removed", "warnings", "entities", "quotes", "events"}
    assert rec["language"] == "fr"
    assert rec["title"].startswith("Kim Jong Un reçoit")
    assert rec["source"] == {"uri": "<string>", "format": "text"}
    names = {e["name"] for e in rec["entities"]}
    assert {"Kim Jong Un", "Andrei Belousov", "Pyongyang"} <= names


def test_analyze_html_string_and_path_agree(pipeline, tmp_path):
    from_string = pipeline.analyze(HTML)
    page = tmp_path / "page.html"
    page.write_text(HTML, encoding="utf-8")
    from_path = pipeline.analyze(page)
    assert from_string["source"]["format"] == from_path["source"]["format"] == "html"
    assert from_string["id"] == from_path["id"]
    assert from_path["title"] == "Seoul summons envoy"
    speakers = {q["speaker"] for q in from_path["quotes"]}
    cho = next(e for e in from_path["entities"] if e["name"] == "Cho Tae-yul")
    assert cho["id"] in speakers


def test_ids_are_stable_and_records_reproducible(pipeline):
    first, second = pipeline.analyze(ARTICLE), pipeline.analyze(ARTICLE)
    assert first == second
    # the id hashes the cleaned body: the same article with other junk around it keeps its id
    noisy = "Accept all cookies\n" + ARTICLE + "\nLeave a comment\nseven + 3 ="
    assert pipeline.analyze(noisy)["id"] == first["id"]


def test_analyze_many_streams_in_order_and_keeps_going_past_failures(pipeline):
    docs = [RawDocument(Source(f"doc{i}"), ARTICLE.replace("mardi", day))
            for i, day in enumerate(["lundi", "mardi", "mercredi"])]
    bad = RawDocument(Source("bad"), "Accept all cookies\nShare on Facebook")
    results = list(pipeline.analyze_many([docs[0], bad, docs[1], docs[2]], batch_size=2))
    assert [r.source.uri if isinstance(r, Failure) else r["source"]["uri"] for r in results] == [
        "doc0", "bad", "doc1", "doc2"]
    assert isinstance(results[1], Failure) and results[1].code == "empty"
    assert len({r["id"] for r in results if not isinstance(r, Failure)}) == 3


def test_analyze_many_can_raise_instead(pipeline):
    bad = RawDocument(Source("bad"), "Share on Facebook\nAccept all cookies")
    with pytest.raises(EmptyInput, match="bad"):
        list(pipeline.analyze_many([bad], on_error="raise"))


def test_analyze_rejects_what_it_cannot_read(pipeline):
    with pytest.raises(TypeError, match="pathlib.Path"):
        pipeline.analyze(42)  # type: ignore[arg-type]


def test_config_is_validated():
    with pytest.raises(ConfigError, match="batch_size"):
        PipelineConfig(batch_size=0)
    with pytest.raises(ConfigError, match="unknown stage"):
        PipelineConfig(stages=("clean", "teleport"))


def test_a_pipeline_without_nlp_still_cleans():
    rec = Pipeline(PipelineConfig(stages=("clean", "language"))).analyze(ARTICLE)
    assert rec["language"] == "fr" and rec["entities"] == [] and "Belousov" in rec["text"]


def test_models_load_once_per_process(pipeline):
    pipeline.analyze(ARTICLE)
    assert load_model("fr") is load_model("fr")
    assert load_model("fr").package == "fr_core_news_md"


def test_public_api_is_explicit():
    assert sorted(veille.__all__) == veille.__all__ or sorted(veille.__all__) == sorted(set(veille.__all__))
    for name in veille.__all__:
        assert hasattr(veille, name), name
    public = {n for n in dir(veille) if not n.startswith("_")} - set(veille.__all__)
    modules = {n for n in public if isinstance(getattr(veille, n), type(importlib))}
    assert public == modules, f"exported but not in __all__: {public - modules}"


def test_examples_are_bundled(examples: Path):
    kinds = {p.suffix for p in examples.iterdir()}
    assert {".txt", ".html"} <= kinds
    assert len(list(examples.iterdir())) >= 6


@pytest.mark.parametrize("text,language,actor", [
    ("Путин прибыл в Пхеньян на переговоры с Ким Чен Ыном", "ru", "Vladimir Putin"),
    ("Le président Emmanuel Macron reçoit le chancelier allemand à l'Élysée", "fr", "Emmanuel Macron"),
])
def test_a_one_line_excerpt_is_analysed_not_refused(pipeline, text, language, actor):
    rec = pipeline.analyze(text)
    assert rec["text"] == text and rec["language"] == language
    assert actor in {e["name"] for e in rec["entities"]}
