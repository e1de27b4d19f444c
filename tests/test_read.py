"""Tests of veille.read: real files in tmp_path, real trafilatura, no mocks."""

from __future__ import annotations

import io
import json
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from veille.document import Failure, RawDocument, Source
from veille.errors import BinaryInput, EmptyInput, InputTooLarge, MalformedRecord, UndecodableInput
from veille.read import ReadOptions, decode, html_to_document, read_bytes, read_file, read_paths, read_text

PARAGRAPHS = [
    "Les dirigeants européens se sont réunis mercredi à Bruxelles pour discuter de l'avenir de l'Union "
    "et des nominations aux postes clés des institutions, dans un climat de forte tension politique.",
    "Selon plusieurs diplomates, les discussions ont duré plus de six heures et se sont achevées tard "
    "dans la nuit sans accord définitif sur la présidence de la Commission européenne.",
    "Le président du Conseil a déclaré que les négociations reprendraient la semaine prochaine, avec "
    "l'espoir d'aboutir avant la fin du mois de juin, a-t-il précisé devant la presse.",
]
NEWS_PAGE = f"""<!DOCTYPE html>
<html lang="fr-FR">
<head>
  <title>Sommet européen à Bruxelles</title>
  <meta name="author" content="Marie Dupont; Jean Martin">
  <meta property="article:published_time" content="2024-06-19T10:00:00Z">
</head>
<body>
  <nav><ul><li><a href="/">Accueil</a></li><li><a href="/monde">Monde</a></li>
  <li><a href="/economie">Économie</a></li></ul></nav>
  <article>
    <h1>Sommet européen à Bruxelles</h1>
    {"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
  </article>
  <footer><p>Nous utilisons des cookies pour améliorer votre expérience. Accepter les cookies.</p></footer>
</body>
</html>
"""
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def read_all(*paths: str | Path, options: ReadOptions | None = None) -> list[RawDocument | Failure]:
    return list(read_paths(paths, options or ReadOptions()))


def only(items: list[RawDocument | Failure]) -> RawDocument | Failure:
    assert len(items) == 1, items
    return items[0]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def use_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(data)))


# --- plain text and decoding --------------------------------------------------------------


def test_plain_utf8_file(tmp_path: Path) -> None:
    path = write(tmp_path / "article.txt", "Titre\r\n\r\nLe président a parlé à Noël.\r\n")
    doc = only(read_all(path))
    assert isinstance(doc, RawDocument)
    assert doc.source == Source(str(path), "text")
    assert doc.text == "Titre\n\nLe président a parlé à Noël.\n"
    assert doc.extracted is False


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_file_decodes_accents(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "vieux.txt", "Élysée, Noël, déjà, à".encode(encoding))
    doc = only(read_all(path))
    assert isinstance(doc, RawDocument)
    assert doc.text == "Élysée, Noël, déjà, à"


def test_western_preference_leaves_cyrillic_alone() -> None:
    text = "Президент России заявил в среду, что переговоры продолжатся."
    assert decode(text.encode("cp1251"), "ru.txt") == text


def test_declared_html_charset_is_used(tmp_path: Path) -> None:
    html = '<html><head><meta charset="windows-1250"></head><body><p>Prezident řekl, že jednání budou pokračovat.</p></body></html>'
    path = write(tmp_path / "cz.html", html.encode("cp1250"))
    doc = only(read_all(path))
    assert isinstance(doc, RawDocument)
    assert "Prezident řekl, že jednání budou pokračovat." in doc.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_text_with_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    data = "Déjà vu à l'Élysée.\r\nDeuxième ligne.".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    doc = only(read_all(write(tmp_path / "bom.txt", data)))
    assert isinstance(doc, RawDocument)
    assert doc.text == "Déjà vu à l'Élysée.\nDeuxième ligne."


def test_utf16_without_bom_is_refused_with_advice() -> None:
    with pytest.raises(BinaryInput, match="UTF-16"):
        decode("Bonjour".encode("utf-16-le"), "nobom.txt")


def test_undecodable_bytes() -> None:
    with pytest.raises(UndecodableInput, match=r"^weird\.txt: .*UTF-8"):
        decode(bytes(range(128, 256)) * 10, "weird.txt")


# --- refusals ------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.txt", b"")
    with pytest.raises(EmptyInput, match=r"the file is empty"):
        list(read_file(path))
    failure = only(read_all(path))
    assert isinstance(failure, Failure)
    assert failure.code == "empty"
    assert failure.reason.startswith(str(path))


def test_whitespace_only_file(tmp_path: Path) -> None:
    failure = only(read_all(write(tmp_path / "blank.md", " \n\t\r\n  \n")))
    assert isinstance(failure, Failure)
    assert failure.code == "empty"
    assert "whitespace" in failure.reason


def test_png_is_refused_as_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "photo.png", PNG)
    with pytest.raises(BinaryInput, match=r"looks like a PNG image, not text"):
        read_file(path)
    failure = only(read_all(path))
    assert isinstance(failure, Failure)
    assert failure.code == "binary"
    assert failure.reason.startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP"),
        (b"\x00\x00\x00\x18ftypmp42", "MP4"),
        (b"SQLite format 3\x00\x10\x00", "SQLite"),
    ],
)
def test_magic_numbers(data: bytes, what: str) -> None:
    with pytest.raises(BinaryInput, match=what):
        decode(data + b"\x00" * 64, "file.bin")


def test_random_binary_with_nul_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "blob", os.urandom(4096) + b"\x00\x00")
    failure = only(read_all(path))
    assert isinstance(failure, Failure)
    assert failure.code == "binary"
    assert "binary" in failure.reason


def test_many_control_characters_are_binary() -> None:
    with pytest.raises(BinaryInput, match="control characters"):
        decode(b"abc\x01\x02\x03\x04\x05\x06" * 100, "ctl.txt")


def test_text_that_starts_like_a_signature_is_still_text() -> None:
    assert decode(b"ID3 tags describe MP3 files.", "id3.txt") == "ID3 tags describe MP3 files."


def test_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50_000_000)  # sparse: nothing written
    start = time.perf_counter()
    failure = only(read_all(path))
    assert time.perf_counter() - start < 0.5
    assert isinstance(failure, Failure)
    assert failure.code == "too_large"
    assert "50.0 MB" in failure.reason and "20.0 MB" in failure.reason and "--max-bytes" in failure.reason


def test_max_bytes_option(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "x" * 101)
    with pytest.raises(InputTooLarge):
        read_file(path, ReadOptions(max_bytes=100))
    assert only(list(read_file(path, ReadOptions(max_bytes=101)))).text == "x" * 101


def test_large_stdin_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    use_stdin(monkeypatch, b"y" * 1001)
    failure = only(read_all("-", options=ReadOptions(max_bytes=1000)))
    assert isinstance(failure, Failure)
    assert failure.code == "too_large"
    assert failure.reason.startswith("<stdin>: ")


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    failure = only(read_all(missing))
    assert isinstance(failure, Failure)
    assert failure.code == "not_found"
    assert failure.reason.startswith(str(missing))


# --- HTML ----------------------------------------------------------------------------------


def test_news_page(tmp_path: Path) -> None:
    doc = only(read_all(write(tmp_path / "sommet.html", NEWS_PAGE)))
    assert isinstance(doc, RawDocument)
    assert doc.source.format == "html"
    assert doc.extracted is True
    for paragraph in PARAGRAPHS:
        assert paragraph in doc.text
    assert f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}" in doc.text
    assert "cookies" not in doc.text
    assert "Accueil" not in doc.text
    assert doc.title == "Sommet européen à Bruxelles"
    assert doc.authors == ["Marie Dupont", "Jean Martin"]
    assert doc.published == "2024-06-19"
    assert doc.language == "fr"


def test_html_without_extraction_keeps_visible_text() -> None:
    doc = html_to_document(NEWS_PAGE, Source("page.html", "html"), ReadOptions(extract_html=False))
    assert doc.extracted is False
    assert "Accueil" in doc.text and PARAGRAPHS[2] in doc.text
    assert doc.title == "Sommet européen à Bruxelles"


def test_html_without_main_content_falls_back_to_visible_text() -> None:
    html = "<html><body><div><span>Bref.</span></div><script>var x = 1;</script></body></html>"
    doc = html_to_document(html, Source("short.html", "html"))
    assert "Bref." in doc.text
    assert "var x" not in doc.text


@pytest.mark.parametrize(
    "html",
    [
        "<p>unclosed <div><b>bold <i>and <table><tr><td>cell",
        "<<<>>>&&& </p></div></html> <p>x",
        "<html><body><p>\x0b\ufffd &bogus; &#xZZZ; <a href='",
        "<html><head><title>Seulement un titre</title></head></html>",
        "<!-- only a comment -->",
        "<html><body><script>alert(1)</script><style>p {}</style></body></html>",
        "<" + "div>" * 5000 + "profond",
        "</>" * 100,
    ],
)
def test_malformed_html_never_crashes(tmp_path: Path, html: str) -> None:
    item = only(read_all(write(tmp_path / "broken.html", html)))
    if isinstance(item, Failure):
        assert item.code == "empty"
        assert item.reason.startswith(str(tmp_path / "broken.html"))
    else:
        assert item.text.strip()


def test_html_with_no_text_is_empty() -> None:
    with pytest.raises(EmptyInput, match=r"^page\.html: .*no visible text"):
        html_to_document("<html><body><img src='a.png'></body></html>", Source("page.html", "html"))


def test_read_text_sniffs_html_and_plain_text() -> None:
    html = read_text(NEWS_PAGE, "https://example.org/sommet")
    assert html.source == Source("https://example.org/sommet", "html")
    assert PARAGRAPHS[0] in html.text and "<p>" not in html.text
    plain = read_text("Un texte simple.\r\nSur deux lignes.")
    assert plain.source == Source("<string>", "text")
    assert plain.text == "Un texte simple.\nSur deux lignes."
    fragment = read_text("<div><p>Premier paragraphe.</p><p>Second paragraphe.</p></div>")
    assert fragment.source.format == "html"
    assert "Premier paragraphe." in fragment.text and "<p>" not in fragment.text


def test_read_text_refuses_empty() -> None:
    with pytest.raises(EmptyInput, match=r"^<string>: "):
        read_text("  \n ")


def test_file_without_extension_is_sniffed(tmp_path: Path) -> None:
    doc = only(read_all(write(tmp_path / "page", NEWS_PAGE)))
    assert isinstance(doc, RawDocument)
    assert doc.source.format == "html"
    assert doc.title == "Sommet européen à Bruxelles"


# --- JSON Lines ----------------------------------------------------------------------------


def test_jsonl_broken_line_does_not_stop_the_file(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "Premier article.", "title": "Un"}),
        '{"text": "coupé',
        json.dumps({"text": "Troisième article."}),
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    items = read_all(path)
    assert [type(i) for i in items] == [RawDocument, Failure, RawDocument]
    first, failure, third = items
    assert first.text == "Premier article." and first.title == "Un"
    assert first.source == Source(f"{path}#L1", "jsonl")
    assert third.source == Source(f"{path}#L3", "jsonl")
    assert failure.code == "malformed"
    assert failure.source == Source(f"{path}#L2", "jsonl")
    assert "line 2" in failure.reason and failure.reason.startswith(f"{path}#L2: ")


def test_jsonl_record_fields(tmp_path: Path) -> None:
    records = [
        {"text": "Corps.", "url": "https://example.org/a", "authors": "A. Un; B. Deux",
         "published": "2024-06-19", "language": "fr", "title": "Titre"},
        {"html": NEWS_PAGE, "authors": ["C. Trois"]},
    ]
    path = write(tmp_path / "rich.ndjson", "\n\n".join(json.dumps(r) for r in records))
    first, second = read_all(path)
    assert first == RawDocument(Source("https://example.org/a", "jsonl"), "Corps.", title="Titre",
                                authors=["A. Un", "B. Deux"], published="2024-06-19", language="fr")
    assert second.source == Source(f"{path}#L3", "jsonl")
    assert second.extracted is True and PARAGRAPHS[1] in second.text
    assert second.authors == ["C. Trois"]
    assert second.published == "2024-06-19" and second.title == "Sommet européen à Bruxelles"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[1, 2]", "is an array, not an object"),
        ('{"title": "sans corps"}', 'no "text" or "html"'),
        ('{"text": "   "}', "empty article body"),
        ('{"text": 42}', '"text" is a number'),
        ('{"text": "ok", "authors": [1]}', '"authors" is an array'),
        ("[" * 100_000, "JSON"),
    ],
)
def test_jsonl_malformed_records(line: str, message: str) -> None:
    failure = only(list(read_bytes(line.encode(), "in.jsonl", fmt="jsonl")))
    assert isinstance(failure, Failure)
    assert failure.code == "malformed"
    assert message in failure.reason
    assert failure.reason.startswith("in.jsonl#L1: line 1")


def test_jsonl_html_record_without_text_fails_alone() -> None:
    data = "\n".join([json.dumps({"html": "<html><body></body></html>"}), json.dumps({"text": "Bon."})])
    failure, doc = read_bytes(data.encode(), "mix.jsonl", fmt="jsonl")
    assert isinstance(failure, Failure) and failure.code == "empty"
    assert failure.source == Source("mix.jsonl#L1", "jsonl")
    assert isinstance(doc, RawDocument) and doc.text == "Bon."


# --- directories and standard input --------------------------------------------------------


def test_directory(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "b.txt", "Texte B.")
    write(root / "a.html", NEWS_PAGE)
    write(root / "sub" / "c.jsonl", json.dumps({"text": "Texte C."}))
    write(root / "sub" / "NOTES", "Sans extension.")
    write(root / ".cache.txt", "caché")
    write(root / ".git" / "d.txt", "caché aussi")
    write(root / "photo.png", PNG)
    write(root / "empty.txt", "")
    items = read_all(root)
    uris = [i.source.uri for i in items]
    assert uris == [
        str(root / "a.html"), str(root / "b.txt"), str(root / "empty.txt"),
        f"{root / 'sub' / 'NOTES'}", f"{root / 'sub' / 'c.jsonl'}#L1",
    ]
    assert [type(i) for i in items] == [RawDocument, RawDocument, Failure, RawDocument, RawDocument]
    assert items[2].code == "empty"


def test_directory_with_nothing_readable(tmp_path: Path) -> None:
    write(tmp_path / "only" / "photo.png", PNG)
    failure = only(read_all(tmp_path / "only"))
    assert isinstance(failure, Failure)
    assert failure.code == "empty"
    assert failure.reason.startswith(str(tmp_path / "only"))


def test_explicit_png_in_a_batch_fails_alone(tmp_path: Path) -> None:
    text = write(tmp_path / "ok.txt", "Bonjour.")
    image = write(tmp_path / "photo.png", PNG)
    items = read_all(image, tmp_path / "missing.txt", text)
    assert [getattr(i, "code", "doc") for i in items] == ["binary", "not_found", "doc"]


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    use_stdin(monkeypatch, "Lu sur l'entrée standard, à Noël.".encode("cp1252"))
    doc = only(read_all("-"))
    assert isinstance(doc, RawDocument)
    assert doc.source == Source("<stdin>", "text")
    assert doc.text == "Lu sur l'entrée standard, à Noël."


def test_stdin_jsonl_is_sniffed(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [json.dumps({"text": "Un."}), "pas du json", json.dumps({"text": "Deux."})]
    use_stdin(monkeypatch, "\n".join(lines).encode())
    items = read_all("-")
    assert [getattr(i, "code", "doc") for i in items] == ["doc", "malformed", "doc"]
    assert items[1].source.uri == "<stdin>#L2"


def test_read_bytes_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        read_bytes(b"x", "x", fmt="pdf")


def test_malformed_record_is_an_input_error() -> None:
    failure = only(list(read_bytes(b"{}", "x.jsonl", fmt="jsonl")))
    assert failure.code == MalformedRecord.code
