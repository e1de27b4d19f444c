"""Throughput of the Veille pipeline against bare spaCy, in one process.

For each language, the benchmark builds N distinct ~600-word articles from the
bundled examples (scraped junk included, so the cleaner does real work), then

* **baseline**: a fresh ``spacy.load(package)`` of the very package Veille loads
  for that language (without Veille's ``veille_paragraph_breaks`` component)
  runs ``nlp.pipe`` over the cleaned bodies, i.e. the exact texts the pipeline
  hands spaCy (the ``text`` of its records: the output of its clean and
  language stages);
* **pipeline**: ``Pipeline(PipelineConfig(batch_size=...)).analyze_many`` runs
  over the raw articles, every record consumed, each stage timed.

Both are warmed up first; model loading is reported apart. The two alternate
over slices of the articles (``--rounds``) so that a change of machine load
hits both alike. The ratio
``pipeline time / baseline time`` isolates what Veille adds to spaCy (cleaning,
language detection, actors, quotes, records). Targets (see bench/README.md):
ratio <= 1.3 and >= 15 articles/s per core on 600-word articles.

    .venv/bin/python bench/throughput.py                 # both languages, 200 articles each
    .venv/bin/python bench/throughput.py --language fr --n 50 --profile 25
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import platform
import pstats
import random
import re
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import spacy

from veille import pipeline as pipeline_module
from veille.document import Article, Failure, RawDocument, Source
from veille.nlp import load_model, paragraph_breaks
from veille.pipeline import Pipeline, PipelineConfig

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: which bundled examples feed each language (the files' own language, checked at start-up)
EXAMPLE_GLOBS = {"fr": ["fr-*.txt", "pyongyang-summit-fr.txt"], "en": ["en-*.txt"]}
#: a block of one line with at least this many words is running text; the blocks before the
#: first one (title, byline, cookie banner...) and after the last one (comment form...) frame the article
BODY_BLOCK_WORDS = 25
TARGET_RATIO = 1.3
TARGET_ARTICLES_PER_S = 15.0
#: below this share of a core (CPU s / wall s), the machine was busy and wall times are inflated
BUSY_CPU_SHARE = 0.9
STAGE_NAMES = (*PipelineConfig().stages, "record")


# -- articles ----------------------------------------------------------------------
@dataclass
class Example:
    name: str
    head: list[str]  # blocks before the first body paragraph
    middle: list[str]  # body paragraphs and the junk between them (captions, "Subscribe", "Read more")
    tail: list[str]  # blocks after the last body paragraph


def _blocks(text: str) -> list[str]:
    return [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]


def _is_body(block: str) -> bool:
    return "\n" not in block and len(block.split()) >= BODY_BLOCK_WORDS


def read_examples(language: str) -> list[Example]:
    paths = sorted({p for pattern in EXAMPLE_GLOBS[language] for p in EXAMPLES.glob(pattern)})
    if not paths:
        sys.exit(f"no {language} examples found in {EXAMPLES}")
    examples = []
    for path in paths:
        blocks = _blocks(path.read_text(encoding="utf-8"))
        body = [i for i, b in enumerate(blocks) if _is_body(b)]
        if not body:
            continue
        first, last = body[0], body[-1]
        examples.append(Example(path.name, blocks[:first], blocks[first:last + 1], blocks[last + 1:]))
    return examples


def build_articles(language: str, n: int, words: int, seed: int) -> list[str]:
    """``n`` distinct articles of about ``words`` words of body each.

    Article ``i`` takes the head and tail junk of example ``i mod len(examples)`` (cookie
    banner, breadcrumbs, title, byline, date / comment form, captcha) and fills the body with
    the middle blocks of all the language's examples (paragraphs and in-body junk), in an order
    shuffled with a seed of its own, until the body holds ``words`` words.
    """
    examples = read_examples(language)
    pool = [b for ex in examples for b in ex.middle]
    pool_words = sum(len(b.split()) for b in pool)
    if pool_words < words:
        sys.exit(f"the {language} examples hold {pool_words} words of body, fewer than --words {words}")
    articles: list[str] = []
    seen: set[str] = set()
    attempt = 0
    while len(articles) < n:
        frame = examples[len(articles) % len(examples)]
        rng = random.Random(f"{seed}:{language}:{attempt}")
        attempt += 1
        order = pool[:]
        rng.shuffle(order)
        body: list[str] = []
        count = 0
        for block in order:
            if count >= words:
                break
            body.append(block)
            count += len(block.split())
        text = "\n\n".join(frame.head + body + frame.tail) + "\n"
        if text in seen:
            continue
        seen.add(text)
        articles.append(text)
    return articles


def raw_documents(language: str, texts: list[str], tag: str = "bench") -> list[RawDocument]:
    return [RawDocument(Source(f"{tag}://{language}/{i:04d}", "text"), text) for i, text in enumerate(texts)]


# -- measuring ---------------------------------------------------------------------
def peak_rss_mb() -> float:
    """The process's peak resident set size so far (ru_maxrss: KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float | None:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * resource.getpagesize() / (1024 * 1024)


@dataclass
class Timing:
    wall_s: float = 0.0
    cpu_s: float = 0.0
    tracemalloc_peak_mb: float | None = None
    peak_rss_mb: float = 0.0

    def add(self, other: Timing) -> None:
        self.wall_s += other.wall_s
        self.cpu_s += other.cpu_s
        self.peak_rss_mb = max(self.peak_rss_mb, other.peak_rss_mb)
        if other.tracemalloc_peak_mb is not None:
            self.tracemalloc_peak_mb = max(self.tracemalloc_peak_mb or 0.0, other.tracemalloc_peak_mb)


@contextmanager
def measured(use_tracemalloc: bool) -> Iterator[Timing]:
    timing = Timing()
    gc.collect()
    if use_tracemalloc:
        tracemalloc.start()
        tracemalloc.reset_peak()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    try:
        yield timing
    finally:
        timing.wall_s = time.perf_counter() - wall0
        timing.cpu_s = time.process_time() - cpu0
        if use_tracemalloc:
            timing.tracemalloc_peak_mb = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
            tracemalloc.stop()
        timing.peak_rss_mb = peak_rss_mb()


class Clock:
    """Wall and CPU seconds spent in each pipeline stage."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = dict.fromkeys(STAGE_NAMES, 0.0)
        self.cpu: dict[str, float] = dict.fromkeys(STAGE_NAMES, 0.0)

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    @contextmanager
    def timing(self, name: str) -> Iterator[None]:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        try:
            yield
        finally:
            self.wall[name] += time.perf_counter() - wall0
            self.cpu[name] += time.process_time() - cpu0


class TimedStage:
    """A pipeline stage that adds the time of each call (and of ``pipe`` for the nlp stage) to a clock."""

    def __init__(self, stage: Any, clock: Clock, name: str):
        self._stage, self._clock, self._name = stage, clock, name

    def __call__(self, article: Article) -> Article:
        with self._clock.timing(self._name):
            return self._stage(article)

    def pipe(self, articles: Any) -> Any:
        with self._clock.timing(self._name):
            return self._stage.pipe(articles)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stage, name)


@contextmanager
def stage_clocks(clock: Clock) -> Iterator[None]:
    """Pipelines built inside this block time each stage (and ``to_record``) into ``clock``.

    It wraps the factories of ``veille.pipeline.STAGES`` and the module's ``to_record``; Veille's
    code is not changed, and both are restored on exit.
    """
    factories = dict(pipeline_module.STAGES)
    to_record = pipeline_module.to_record

    def timed_factory(name: str, factory: Callable[[PipelineConfig], Any]) -> Callable[[PipelineConfig], Any]:
        return lambda config: TimedStage(factory(config), clock, name)

    def timed_record(article: Article) -> dict[str, Any]:
        with clock.timing("record"):
            return to_record(article)

    for name, factory in factories.items():
        pipeline_module.STAGES[name] = timed_factory(name, factory)
    pipeline_module.to_record = timed_record
    try:
        yield
    finally:
        pipeline_module.STAGES.update(factories)
        pipeline_module.to_record = to_record


# -- one language ------------------------------------------------------------------
@dataclass
class Result:
    language: str
    package: str | None
    articles: int
    raw_words: float
    body_words: float
    batch_size: int
    load_s: dict[str, float]
    baseline: Timing
    pipeline: Timing
    stages_s: dict[str, float]
    stages_cpu_s: dict[str, float]
    component_s: float  # CPU seconds
    rss_after_load_mb: float | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.pipeline.wall_s / self.baseline.wall_s

    def rate(self, timing: Timing) -> float:
        return self.articles / timing.wall_s

    def summary(self) -> dict[str, Any]:
        r2 = lambda x: round(x, 2)  # noqa: E731
        r4 = lambda x: round(x, 4)  # noqa: E731
        pipeline_rate = self.rate(self.pipeline)
        return {
            "language": self.language,
            "spacy_package": self.package,
            "articles": self.articles,
            "words_per_article": r2(self.body_words),
            "raw_words_per_article": r2(self.raw_words),
            "batch_size": self.batch_size,
            "baseline_s": r4(self.baseline.wall_s),
            "pipeline_s": r4(self.pipeline.wall_s),
            "baseline_articles_per_s": r2(self.rate(self.baseline)),
            "pipeline_articles_per_s": r2(pipeline_rate),
            "baseline_words_per_s": round(self.articles * self.body_words / self.baseline.wall_s),
            "pipeline_words_per_s": round(self.articles * self.body_words / self.pipeline.wall_s),
            "ratio": round(self.ratio, 3),
            "ratio_cpu": round(self.pipeline.cpu_s / self.baseline.cpu_s, 3) if self.baseline.cpu_s else None,
            "baseline_cpu_s": r4(self.baseline.cpu_s),
            "pipeline_cpu_s": r4(self.pipeline.cpu_s),
            "pipeline_articles_per_cpu_s": r2(self.articles / self.pipeline.cpu_s) if self.pipeline.cpu_s else None,
            "peak_rss_mb": round(self.pipeline.peak_rss_mb, 1),
            "rss_after_load_mb": round(self.rss_after_load_mb, 1) if self.rss_after_load_mb else None,
            "tracemalloc_peak_mb": {
                "baseline": r2(self.baseline.tracemalloc_peak_mb) if self.baseline.tracemalloc_peak_mb else None,
                "pipeline": r2(self.pipeline.tracemalloc_peak_mb) if self.pipeline.tracemalloc_peak_mb else None,
            },
            "load_s": {k: r4(v) for k, v in self.load_s.items()},
            "stages_s": {k: r4(v) for k, v in self.stages_s.items()},
            "stages_cpu_s": {k: r4(v) for k, v in self.stages_cpu_s.items()},
            "paragraph_breaks_component_cpu_s": r4(self.component_s),
            "targets": {
                "ratio_max": TARGET_RATIO,
                "ratio_ok": self.ratio <= TARGET_RATIO,
                "articles_per_s_per_core_min": TARGET_ARTICLES_PER_S,
                "articles_per_s_per_core_ok": pipeline_rate >= TARGET_ARTICLES_PER_S,
            },
        }


def bodies_of(records: list[Any], language: str) -> list[str]:
    """The texts the pipeline gave spaCy: the cleaned bodies of its records (which are exactly the
    output of its clean and language stages). Any failure or other language stops the benchmark."""
    texts = []
    for record in records:
        if isinstance(record, Failure):
            sys.exit(f"the pipeline failed on {record.source.uri}: {record.reason}")
        if record["language"] != language:
            sys.exit(f"{record['source']['uri']}: detected as {record['language']!r}, not {language!r}; "
                     "the benchmark would time another model")
        texts.append(record["text"])
    return texts


def run_language(language: str, args: argparse.Namespace) -> Result:
    texts = build_articles(language, args.n, args.words, args.seed)
    # the warm-up sees every example's head and tail at least once (a date line imports dateparser...)
    n_warm = max(args.warmup, len(read_examples(language))) if args.warmup else 0
    warm_texts = build_articles(language, n_warm, args.words, args.seed + 1)
    docs = raw_documents(language, texts)
    warm_docs = raw_documents(language, warm_texts, tag="warmup")

    # -- loading (not timed with the runs) --
    load_s: dict[str, float] = {}
    t0 = time.perf_counter()
    model = load_model(language, PipelineConfig().max_chars)
    load_s["veille_load_model"] = time.perf_counter() - t0
    if model.package is None:
        sys.exit(f"no spaCy package installed for {language!r}: the benchmark needs a real model")
    t0 = time.perf_counter()
    bare = spacy.load(model.package)
    load_s["baseline_spacy_load"] = time.perf_counter() - t0
    assert "veille_paragraph_breaks" not in bare.pipe_names
    bare.max_length = max(bare.max_length, model.nlp.max_length)

    clock = Clock()
    with stage_clocks(clock):
        t0 = time.perf_counter()
        pipe = Pipeline(PipelineConfig(batch_size=args.batch_size))
        assert all(isinstance(s, TimedStage) for _, s in pipe.stages), "stage timing wrappers not installed"
        load_s["pipeline_build"] = time.perf_counter() - t0

        # -- warm-up: lingua, dateparser, actor table, spaCy's first batches --
        t0 = time.perf_counter()
        warm_bodies = bodies_of(list(pipe.analyze_many(warm_docs)), language)
        for _ in bare.pipe(warm_bodies, batch_size=args.batch_size):
            pass
        load_s["warmup"] = time.perf_counter() - t0
        rss_after_load = current_rss_mb()

        # -- timed runs, slice by slice: the pipeline over the raw articles, then bare spaCy over the
        #    bodies the pipeline gave spaCy (its records' "text"). Alternating the two spreads a change
        #    of machine load over both alike --
        clock.reset()
        baseline, timed = Timing(), Timing()
        bodies: list[str] = []
        rounds = min(args.rounds, len(docs))
        for r in range(rounds):
            lo, hi = r * len(docs) // rounds, (r + 1) * len(docs) // rounds
            records = []
            with measured(args.tracemalloc) as t:
                for record in pipe.analyze_many(docs[lo:hi]):
                    records.append(record)
            timed.add(t)
            texts_r = bodies_of(records, language)
            bodies += texts_r
            del records
            with measured(args.tracemalloc) as t:
                for _ in bare.pipe(texts_r, batch_size=args.batch_size):
                    pass
            baseline.add(t)
        stages_s, stages_cpu_s = dict(clock.wall), dict(clock.cpu)
        stages_s["other"] = max(0.0, timed.wall_s - sum(clock.wall.values()))
        stages_cpu_s["other"] = max(0.0, timed.cpu_s - sum(clock.cpu.values()))
        profile = profile_pipeline(pipe, docs, args.profile) if args.profile else None

    # -- Veille's spaCy component alone (it runs inside the nlp stage), on tokenized bodies --
    tokenized = [bare.make_doc(t) for t in bodies]
    t0 = time.process_time()
    for doc in tokenized:
        paragraph_breaks(doc)
    component_s = time.process_time() - t0

    result = Result(
        language=language, package=model.package, articles=len(docs),
        raw_words=sum(len(t.split()) for t in texts) / len(texts),
        body_words=sum(len(t.split()) for t in bodies) / len(bodies),
        batch_size=args.batch_size, load_s=load_s, baseline=baseline, pipeline=timed,
        stages_s=stages_s, stages_cpu_s=stages_cpu_s, component_s=component_s, rss_after_load_mb=rss_after_load,
    )
    if profile:
        result.extra["profile"] = profile
    return result


def profile_pipeline(pipe: Pipeline, docs: list[RawDocument], top: int) -> str:
    """cProfile of one more pipeline run (not timed): Veille's own functions, by total time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in pipe.analyze_many(docs):
        pass
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    out.write(f"-- top {top} functions by own time (whole run, spaCy included) --\n")
    stats.print_stats(top)
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative")
    out.write(f"-- top {top} Veille functions by cumulative time --\n")
    stats.print_stats(r"veille[/\\](?!nlp\.py)", top)
    return out.getvalue()


# -- report ------------------------------------------------------------------------
def print_table(r: Result) -> None:
    s = r.summary()
    print(f"\n== {r.language}: {r.articles} articles, {r.body_words:.0f} words of body each "
          f"({r.raw_words:.0f} with junk), spaCy package {r.package}, batch size {r.batch_size}")
    print(f"   load: Veille model {r.load_s['veille_load_model']:.2f}s, baseline model "
          f"{r.load_s['baseline_spacy_load']:.2f}s, pipeline {r.load_s['pipeline_build']:.2f}s, "
          f"warm-up {r.load_s['warmup']:.2f}s (not counted)")
    header = f"   {'':<22}{'wall s':>9}{'CPU s':>9}{'art/s':>9}{'words/s':>10}{'peak RSS MB':>13}"
    if r.baseline.tracemalloc_peak_mb is not None:
        header += f"{'tracemalloc MB':>16}"
        print("   NOTE: --tracemalloc is on: the times below include its overhead, which slows Veille's "
              "Python stages far more than spaCy; take the ratio from a run without it")
    print(header)
    for label, t in (("bare spaCy nlp.pipe", r.baseline), ("Veille pipeline", r.pipeline)):
        line = (f"   {label:<22}{t.wall_s:>9.2f}{t.cpu_s:>9.2f}{r.articles / t.wall_s:>9.1f}"
                f"{r.articles * r.body_words / t.wall_s:>10.0f}{t.peak_rss_mb:>13.0f}")
        if t.tracemalloc_peak_mb is not None:
            line += f"{t.tracemalloc_peak_mb:>16.1f}"
        print(line)
    ok = lambda flag: "OK" if flag else "MISSED"  # noqa: E731
    targets = s["targets"]
    print(f"   ratio pipeline/baseline: {r.ratio:.2f} wall, {s['ratio_cpu']:.2f} CPU "
          f"(target <= {TARGET_RATIO}: {ok(targets['ratio_ok'])})")
    print(f"   pipeline: {r.rate(r.pipeline):.1f} articles/s in one process, i.e. per core "
          f"(target >= {TARGET_ARTICLES_PER_S:g}: {ok(targets['articles_per_s_per_core_ok'])}); "
          f"{s['pipeline_articles_per_cpu_s']:.1f} articles per CPU second")
    share = min(r.pipeline.cpu_s / r.pipeline.wall_s, r.baseline.cpu_s / r.baseline.wall_s)
    if share < BUSY_CPU_SHARE:
        print(f"   NOTE: the process got only {share:.0%} of a core (other processes were running): wall "
              "figures are inflated and noisier; the CPU-time ratio is the steadier one")
    print(f"   pipeline time by stage:{'wall s':>11}{'share':>8}{'CPU s':>9}{'CPU ms/article':>16}")
    for name, secs in r.stages_s.items():
        cpu = r.stages_cpu_s[name]
        note = ""
        if name == "nlp":
            note = (f"   (bare spaCy {r.baseline.cpu_s:.2f} CPU s; veille_paragraph_breaks alone "
                    f"{r.component_s:.2f} CPU s)")
        print(f"     {name:<22}{secs:>11.2f}{100 * secs / r.pipeline.wall_s:>7.1f}%{cpu:>9.2f}"
              f"{1000 * cpu / r.articles:>16.2f}{note}")
    beyond = r.pipeline.cpu_s - r.stages_cpu_s["nlp"] + r.component_s
    print(f"     Veille's own work (all but nlp, plus its spaCy component): {beyond:.2f} CPU s = "
          f"{100 * beyond / r.baseline.cpu_s:.0f}% of bare spaCy's CPU time "
          f"({1000 * beyond / r.articles:.1f} ms/article)")
    if "profile" in r.extra:
        print(r.extra["profile"])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Benchmark the full Veille pipeline against bare spaCy nlp.pipe (same package, same cleaned "
            "texts) in one process. Prints articles/s, words/s, CPU time, peak memory, the ratio "
            "pipeline time / spaCy time and the pipeline's time by stage, then one JSON line per language. "
            f"Targets: ratio <= {TARGET_RATIO}, >= {TARGET_ARTICLES_PER_S:g} articles/s per core."),
        epilog="Articles are built from the bundled examples/ (fr-*.txt + pyongyang-summit-fr.txt, en-*.txt): "
               "each takes the head/tail junk of one example and a seeded shuffle of all the language's "
               "paragraphs, so every article is distinct. See bench/README.md.",
    )
    defaults = PipelineConfig()
    parser.add_argument("--n", type=int, default=200,
                        help="articles per language (default 200: about 2.5 minutes for both languages on an "
                             "idle 2-core machine; use --n 100 for a quicker run)")
    parser.add_argument("--language", choices=("fr", "en", "both"), default="both",
                        help="language(s) to benchmark (default both)")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size,
                        help=f"batch size of the pipeline and of nlp.pipe (default {defaults.batch_size}, "
                             "Veille's default)")
    parser.add_argument("--words", type=int, default=600,
                        help="target words of body per article, junk lines not counted (default 600)")
    parser.add_argument("--warmup", type=int, default=8,
                        help="articles run through both before timing, not counted; at least one per example "
                             "when not 0 (default 8)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="split the articles into this many slices; baseline and pipeline alternate slice "
                             "by slice so that a change of machine load hits both alike (default 4)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the paragraph shuffles (default 1)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also report tracemalloc's peak of Python allocations in each timed section "
                             "(slows both runs down; off by default)")
    parser.add_argument("--profile", type=int, metavar="TOP", default=0,
                        help="after timing, run the pipeline once more under cProfile and print the TOP "
                             "functions (not counted in the figures)")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON lines")
    args = parser.parse_args(argv)
    if min(args.n, args.words, args.batch_size, args.rounds) < 1 or args.warmup < 0:
        parser.error("--n, --words, --batch-size and --rounds must be positive, --warmup not negative")
    return args


def veille_version() -> str:
    try:
        return metadata.version("veille")
    except metadata.PackageNotFoundError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    languages = ["fr", "en"] if args.language == "both" else [args.language]
    if not args.json_only:
        print(f"Veille {veille_version()} benchmark: spaCy {spacy.__version__}, "
              f"Python {platform.python_version()}, {platform.machine()}; {args.n} articles per language, "
              f"~{args.words} words each")
    results = []
    for language in languages:
        result = run_language(language, args)
        results.append(result)
        if not args.json_only:
            print_table(result)
    for result in results:
        print(json.dumps(result.summary(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
