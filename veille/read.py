"""Read sources into documents: files, directories, standard input, strings.

Everything Veille analyses comes in through here. A source becomes
``RawDocument``s: plain text as it is, HTML reduced to its main text by
trafilatura, or one document per line of a JSON Lines file. A source that
cannot be used raises an ``InputError`` whose message starts with the source,
says what is wrong and what to do; ``read_paths`` turns those errors into
``Failure``s so that one bad file never stops a batch.

The format comes from the file extension (``EXTENSIONS``); standard input,
files with another or no extension, and strings are sniffed. Bytes are checked
for binary content (images, PDFs, archives...) before they are decoded.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import lxml.etree
import lxml.html
import trafilatura
from charset_normalizer import from_bytes
from trafilatura.settings import Document

from veille.document import Failure, RawDocument, Source
from veille.errors import (
    BinaryInput,
    EmptyInput,
    InputError,
    InputTooLarge,
    MalformedRecord,
    SourceNotFound,
    UndecodableInput,
)

__all__ = ["ReadOptions", "decode", "html_to_document", "read_bytes", "read_file", "read_paths", "read_text"]

#: the format of each extension Veille reads; in a directory, only these and files without extension are read
EXTENSIONS = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}
STDIN_URI = "<stdin>"
_FORMATS = ("text", "html", "jsonl")
_WHAT_WE_READ = "Veille reads plain text, HTML and JSON Lines"

# Binary files by magic number: what each signature at the start of a file looks like.
_MAGIC = tuple((re.compile(signature, re.DOTALL), what) for signature, what in (
    (rb"%PDF-", "a PDF document"),
    (rb"\x89PNG\r\n\x1a\n", "a PNG image"),
    (rb"\xff\xd8\xff", "a JPEG image"),
    (rb"GIF8[79]a", "a GIF image"),
    (rb"RIFF....WEBP", "a WebP image"),
    (rb"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx/.odt office document)"),
    (rb"\x1f\x8b", "a gzip archive"),
    (rb"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (rb"Rar!\x1a\x07", "a RAR archive"),
    (rb"\x7fELF", "an executable (ELF)"),
    (rb"SQLite format 3\x00", "an SQLite database"),
    (rb"ID3[\x02-\x04]\x00", "an MP3 audio file"),
    (rb"\x00\x00..ftyp", "an MP4/QuickTime video"),
))
_SAMPLE = 8192  # bytes (or characters) inspected for control characters
_TEXT_CONTROLS = frozenset(b"\t\n\r\f")
_MAX_CONTROL_SHARE = 0.10
# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]{0,200}?encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
# charset-normalizer cannot tell Western European text from Central European or
# Baltic code pages on short inputs ("Noël" comes out "Noėl"). When its guess is
# one of these and the Windows-1252 reading uses only common Western letters and
# punctuation, that reading wins. Letters that betray another language in a
# Windows-1252 reading (ø for Czech ř, ý for Turkish ı, ð þ æ ³ ¹...) are left out.
_LATIN_CODEPAGES = frozenset(
    "cp1250 cp1252 cp1254 cp1257 cp1258 latin_1 iso8859_2 iso8859_3 iso8859_4 iso8859_9 iso8859_10 "
    "iso8859_13 iso8859_14 iso8859_15 iso8859_16 mac_latin2 mac_roman mac_iceland mac_turkish cp850 cp858".split()
)
_WESTERN_CHARS = frozenset(
    "àâäáãåçéèêëíìîïñóòôöõœùúûüÿßÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕŒÙÚÛÜŸªº"
    "«»‹›‘’‚“”„–—…•·°€£¥§©®™¡¿\xa0\xad"
)

_HTML_START = ("<!doctype html", "<html")
_BLOCK_TAG = re.compile(r"<(?:p|div|body|head|title|br|h[1-6]|article|section|li|ul|table|span|a)[\s>/]", re.I)
_HTML_PARSER = lxml.html.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
)
# Characters lxml refuses in text (not allowed in XML): a control character in a page must not crash it.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANG_TAG = re.compile(r"([a-z]{2,3})(?:[-_]|$)", re.I)
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}
_RECORD_HELP = 'each line must be one JSON object with a "text" or "html" field'


@dataclass(frozen=True)
class ReadOptions:
    """How sources are read.

    ``max_bytes``: a larger input is refused with ``InputTooLarge`` (the CLI's
    ``--max-bytes``). ``extract_html``: reduce HTML to its main text with
    trafilatura; when off, the page's whole visible text is kept.
    """

    max_bytes: int = 20_000_000
    extract_html: bool = True


# --- sources ------------------------------------------------------------------------------


def read_paths(
    paths: Iterable[str | Path], options: ReadOptions = ReadOptions()
) -> Iterator[RawDocument | Failure]:
    """Read files, directories and ``"-"`` (standard input), in order.

    A directory is read recursively in sorted order, skipping hidden files and
    directories and files whose extension is not in ``EXTENSIONS`` (files
    without extension are read). A named file is read whatever its extension.
    Never raises for a bad document: it yields a ``Failure`` and goes on.
    """
    for item in paths:
        if str(item) == "-":
            yield from _guarded(STDIN_URI, partial(_read_stdin, options))
        elif Path(item).is_dir():
            yield from _read_directory(Path(item), options)
        else:
            yield from _guarded(str(item), partial(read_file, Path(item), options), _format_of(Path(item)))


def read_file(path: Path, options: ReadOptions = ReadOptions()) -> Iterator[RawDocument | Failure]:
    """Read one file; the size is checked before anything is read.

    Raises an ``InputError`` when the file cannot be used. A JSON Lines file
    yields one document per line, and a ``Failure`` for each unusable line.
    """
    path = Path(path)
    uri = str(path)
    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            raise _too_large(uri, size, options.max_bytes)
        with path.open("rb") as stream:
            data = _read_limited(stream, uri, options.max_bytes)
    except FileNotFoundError as exc:
        raise SourceNotFound(f"{uri}: no such file or directory; check the path") from exc
    except OSError as exc:
        raise InputError(f"{uri}: cannot be read ({exc.strerror}); check that it is a readable file") from exc
    return read_bytes(data, uri, options, _format_of(path))


def read_bytes(
    data: bytes, uri: str, options: ReadOptions = ReadOptions(), fmt: str | None = None
) -> Iterator[RawDocument | Failure]:
    """Read the content of a file: ``fmt`` is "text", "html", "jsonl" or None to sniff it.

    Raises an ``InputError`` when the content cannot be used. JSON Lines yields
    one document per line, and a ``Failure`` for each unusable line.
    """
    if fmt not in (None, *_FORMATS):
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(_FORMATS)}")
    if len(data) > options.max_bytes:
        raise _too_large(uri, len(data), options.max_bytes)
    if not data:
        raise EmptyInput(f"{uri}: the file is empty; there is nothing to analyse")
    text = decode(data, uri)
    _require_text(text, uri)
    fmt = fmt or ("jsonl" if _looks_like_jsonl(text) else "html" if _looks_like_html(text) else "text")
    if fmt == "jsonl":
        return _read_jsonl(text, uri, options)
    return iter([_one_document(text, Source(uri, fmt), options)])


def read_text(text: str, uri: str = "<string>", options: ReadOptions = ReadOptions()) -> RawDocument:
    """Read a string of plain text or HTML (sniffed) as one document."""
    size = len(text.encode("utf-8"))
    if size > options.max_bytes:
        raise _too_large(uri, size, options.max_bytes)
    text = _normalise(text)
    _require_text(text, uri)
    return _one_document(text, Source(uri, "html" if _looks_like_html(text) else "text"), options)


def _guarded(
    uri: str, read: Callable[[], Iterator[RawDocument | Failure]], fmt: str | None = None
) -> Iterator[RawDocument | Failure]:
    """The documents of one source, or the ``Failure`` its ``InputError`` becomes."""
    try:
        yield from read()
    except InputError as exc:
        yield _failure(Source(uri, fmt or "text"), exc)


def _failure(source: Source, exc: InputError) -> Failure:
    return Failure(source, reason=str(exc), code=exc.code)


def _read_stdin(options: ReadOptions) -> Iterator[RawDocument | Failure]:
    data = _read_limited(sys.stdin.buffer, STDIN_URI, options.max_bytes)
    return read_bytes(data, STDIN_URI, options)


def _read_directory(root: Path, options: ReadOptions) -> Iterator[RawDocument | Failure]:
    """Every readable file under ``root`` in sorted order, then a failure per unlistable directory."""
    unlistable: list[OSError] = []
    files = sorted(_directory_files(root, unlistable.append), key=lambda p: p.parts)
    if not files and not unlistable:
        known = ", ".join(EXTENSIONS)
        exc = EmptyInput(f"{root}: no file Veille can read in this directory (looked for {known} and "
                         "files without extension; hidden files are skipped)")
        yield _failure(Source(str(root), "text"), exc)
    for path in files:
        yield from _guarded(str(path), partial(read_file, path, options), _format_of(path))
    for err in unlistable:
        exc = InputError(f"{err.filename}: cannot list this directory ({err.strerror}); check its permissions")
        yield _failure(Source(str(err.filename), "text"), exc)


def _directory_files(root: Path, on_error: Callable[[OSError], None]) -> Iterator[Path]:
    """Files under ``root`` with a known or no extension, hidden ones (and hidden directories) left out."""
    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            path = Path(dirpath, name)
            if not name.startswith(".") and (path.suffix == "" or path.suffix.lower() in EXTENSIONS):
                yield path


def _format_of(path: Path) -> str | None:
    return EXTENSIONS.get(path.suffix.lower())


def _read_limited(stream: BinaryIO, uri: str, limit: int) -> bytes:
    """At most ``limit`` bytes of ``stream``; more is refused without being read."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(f"{uri}: the input is larger than the limit of {_mb(limit)}; "
                            "raise the limit with --max-bytes or split the input")
    return data


def _too_large(uri: str, size: int, limit: int) -> InputTooLarge:
    needed = math.ceil(size / 1_000_000) * 1_000_000
    return InputTooLarge(f"{uri}: the file is {_mb(size)}, over the limit of {_mb(limit)}; "
                         f"raise the limit with --max-bytes (e.g. --max-bytes {needed}) or split the file")


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _require_text(text: str, uri: str) -> None:
    if not text.strip():
        raise EmptyInput(f"{uri}: the file contains only whitespace; there is nothing to analyse")


def _one_document(text: str, source: Source, options: ReadOptions) -> RawDocument:
    if source.format == "html":
        return html_to_document(text, source, options)
    return RawDocument(source=source, text=text)


def _looks_like_jsonl(text: str) -> bool:
    """True when the first non-blank line is a JSON object with a "text" or "html" field."""
    first = text.lstrip().partition("\n")[0].strip()
    if not (first.startswith("{") and first.endswith("}")):
        return False
    try:
        record = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return isinstance(record, dict) and ("text" in record or "html" in record)


def _looks_like_html(text: str) -> bool:
    """True for a document starting like HTML, or text with several HTML block tags."""
    head = text[:2048].lstrip().lower()
    if head.startswith(_HTML_START) or (head.startswith("<") and "<html" in head):
        return True
    return len(_BLOCK_TAG.findall(text, 0, 65536)) >= 3


# --- bytes to text ------------------------------------------------------------------------


def decode(data: bytes, uri: str) -> str:
    """Decode the bytes of a text file, refusing binary content.

    Binary files are recognised by their magic number, NUL bytes or a high
    share of control characters (``BinaryInput``). Then: byte-order mark,
    strict UTF-8, the charset an HTML/XML document declares, and finally
    charset-normalizer's guess (``UndecodableInput`` when it has none).
    Newlines become "\\n" and a leading BOM is dropped; nothing else changes.
    """
    _refuse_magic(data, uri)
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = _decode_marked(data, uri, codec, name)
            _refuse_controls([ord(c) for c in text[:_SAMPLE]], uri)
            return _normalise(text)
    _refuse_controls(data[:_SAMPLE], uri)
    text = _try_decode(data, "utf-8") or _try_decode(data, _declared_charset(data)) or _guess(data)
    if text is None:
        raise UndecodableInput(f"{uri}: the text is not UTF-8 and its encoding could not be detected; "
                               "convert the file to UTF-8 (e.g. iconv -f ENCODING -t UTF-8)")
    return _normalise(text)


def _refuse_magic(data: bytes, uri: str) -> None:
    for signature, what in _MAGIC:
        if signature.match(data):
            raise BinaryInput(f"{uri}: looks like {what}, not text; {_WHAT_WE_READ}, so extract its text first")


def _refuse_controls(sample: Sequence[int], uri: str) -> None:
    """Refuse a sample (byte values or code points) with NULs or too many control characters."""
    if 0 in sample:
        raise BinaryInput(f"{uri}: contains NUL bytes, so it looks like a binary file, not text; {_WHAT_WE_READ} "
                          "(UTF-16 text needs a byte-order mark: convert it to UTF-8)")
    controls = sum(1 for c in sample if (c < 32 and c not in _TEXT_CONTROLS) or c == 127)
    if sample and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise BinaryInput(f"{uri}: {controls / len(sample):.0%} of its first characters are control characters, "
                          f"so it looks like a binary file, not text; {_WHAT_WE_READ}")


def _decode_marked(data: bytes, uri: str, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UndecodableInput(f"{uri}: starts with a {name} byte-order mark but is not valid {name} "
                               f"({exc.reason} at byte {exc.start}); convert the file to UTF-8") from exc


def _try_decode(data: bytes, codec: str | None) -> str | None:
    """``data`` decoded strictly with ``codec``, or None when it is not in that encoding."""
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _declared_charset(data: bytes) -> str | None:
    """The charset of a ``<meta charset>`` or XML declaration; Latin-1 and ASCII mean Windows-1252 (as browsers do)."""
    match = _DECLARED_CHARSET.search(data, 0, 4096)
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii")
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "cp1252" if name in ("iso8859-1", "ascii") else name


def _guess(data: bytes) -> str | None:
    """charset-normalizer's best reading of ``data``, Windows-1252 preferred as explained at ``_WESTERN_CHARS``."""
    best = from_bytes(data).best()
    if best is None:
        return None
    if best.encoding in _LATIN_CODEPAGES:
        western = _try_decode(data, "cp1252")
        if western is not None and all(c in _WESTERN_CHARS for c in set(western) if c > "\x7f"):
            return western
    return str(best)


def _normalise(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


# --- HTML ---------------------------------------------------------------------------------


def html_to_document(html: str, source: Source, options: ReadOptions = ReadOptions()) -> RawDocument:
    """One document of an HTML page: its main text (trafilatura) and metadata.

    Paragraphs are separated by blank lines. When trafilatura finds no main
    content (or ``extract_html`` is off), the page's visible text is kept and
    ``extracted`` stays False. Raises ``EmptyInput`` when the page has no text.
    """
    tree = _parse_html(html)
    captions = _figure_captions(tree)  # before trafilatura, which prunes the tree it is given
    found = (_extract(tree, source.uri) if options.extract_html else None) or Document()
    main_text = _paragraphs(found.text or "")
    text = main_text or _paragraphs(trafilatura.html2txt(tree))
    if not text:
        raise EmptyInput(f"{source.uri}: the HTML page has no visible text; there is nothing to analyse")
    return RawDocument(
        source=source,
        text=text,
        title=_one_line(found.title) or _page_title(tree),
        authors=_split_authors(found.author),
        published=_iso_date(found.date),
        language=found.language or _html_lang(tree),
        extracted=bool(main_text),
        captions=captions,
    )


def _figure_captions(tree: lxml.html.HtmlElement) -> list[str]:
    """The page's ``<figcaption>`` texts, which main-text extraction drops, once each."""
    out: list[str] = []
    for node in tree.iter("figcaption"):
        text = _one_line(node.text_content())
        if text and text not in out:
            out.append(text)
    return out


def _parse_html(html: str) -> lxml.html.HtmlElement:
    """The document tree of ``html``; an empty ``<html>`` element when there is no element at all.

    Control characters, which lxml cannot hold, become spaces.
    """
    try:
        return lxml.html.document_fromstring(_NOT_XML.sub(" ", html).encode("utf-8"), parser=_HTML_PARSER)
    except lxml.etree.ParserError:  # "Document is empty": nothing to parse, not an error of the page
        return lxml.html.Element("html")


def _extract(tree: lxml.html.HtmlElement, uri: str) -> Document | None:
    """trafilatura's ``Document`` (main text and metadata) of the page, or None when it finds no content."""
    url = uri if uri.startswith(("http://", "https://")) else None
    return trafilatura.bare_extraction(tree, url=url, with_metadata=True, include_comments=False)


def _paragraphs(text: str) -> str:
    """One paragraph per non-blank line, separated by blank lines."""
    return "\n\n".join(line.strip() for line in text.split("\n") if line.strip())


def _one_line(text: str | None) -> str | None:
    """``text`` with its whitespace collapsed, None when there is none."""
    return (" ".join(text.split()) or None) if text else None


def _page_title(tree: lxml.html.HtmlElement) -> str | None:
    title = tree.find(".//title")
    return _one_line(title.text_content()) if title is not None else None


def _html_lang(tree: lxml.html.HtmlElement) -> str | None:
    """The primary language subtag of ``<html lang>`` ("fr-FR" -> "fr")."""
    match = _LANG_TAG.match((tree.get("lang") or tree.get("xml:lang") or "").strip())
    return match.group(1).lower() if match else None


def _split_authors(value: str | list[str] | None) -> list[str]:
    """Authors as a list: "A; B" is split, duplicates and blanks dropped."""
    names = value.split(";") if isinstance(value, str) else value or []
    return list(dict.fromkeys(name for name in (_one_line(n) for n in names) if name))


def _iso_date(value: str | None) -> str | None:
    match = _ISO_DATE.match(value) if value else None
    return match.group(0) if match else None


# --- JSON Lines ---------------------------------------------------------------------------


def _read_jsonl(text: str, uri: str, options: ReadOptions) -> Iterator[RawDocument | Failure]:
    """One document per non-blank line; an unusable line becomes a ``Failure`` and the rest go on."""
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        line_uri = f"{uri}#L{lineno}"
        try:
            document = _record_document(line, line_uri, f"{line_uri}: line {lineno}", options)
        except InputError as exc:
            yield _failure(Source(line_uri, "jsonl"), exc)
        else:
            yield document


def _record_document(line: str, line_uri: str, where: str, options: ReadOptions) -> RawDocument:
    """The document of one JSON Lines record; its source is its "url", else ``path#Lline``.

    ``where`` ("data.jsonl#L2: line 2") starts every error message.
    """
    record = _parse_record(line, where)
    field = partial(_field, record, where)
    text, html = field("text"), field("html")
    if text is None and html is None:
        raise MalformedRecord(f'{where} has no "text" or "html" field; {_RECORD_HELP}')
    if text is not None and text.strip():
        document = RawDocument(source=Source(line_uri, "jsonl"), text=_normalise(text))
    elif html is not None and html.strip():
        document = html_to_document(html, Source(line_uri, "jsonl"), options)
    else:
        raise MalformedRecord(f"{where} has an empty article body; "
                              'fill in its "text" or "html" field or remove the line')
    return replace(
        document,
        source=Source(field("url") or line_uri, "jsonl"),
        title=_one_line(field("title")) or document.title,
        authors=_split_authors(field("authors")) or document.authors,
        published=field("published") or document.published,
        language=field("language") or document.language,
    )


def _parse_record(line: str, where: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        reason = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
        raise MalformedRecord(f"{where} is not valid JSON ({reason}); {_RECORD_HELP}") from exc
    except (ValueError, RecursionError) as exc:  # numbers too long, nesting too deep
        raise MalformedRecord(f"{where} cannot be read as JSON ({exc}); {_RECORD_HELP}") from exc
    if not isinstance(record, dict):
        kind = _JSON_TYPES.get(type(record), "not an object")
        raise MalformedRecord(f"{where} is {kind}, not an object; {_RECORD_HELP}")
    return record


def _field(record: dict[str, Any], where: str, name: str) -> Any:
    """A string field of a record (``authors`` may also be a list of strings), None when absent."""
    value = record.get(name)
    if value is None or isinstance(value, str):
        return value
    if name == "authors" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    expected = 'a string ("A; B") or a list of strings' if name == "authors" else "a string"
    raise MalformedRecord(f'{where}: "{name}" is {_JSON_TYPES.get(type(value), "not a string")}; it must be {expected}')
