"""Screening at list scale: load a synthetic list of FollowTheMoney entities, then screen names.

    .venv/bin/python bench/screening.py                 # 1,000,000 entities, 10,000 queries
    .venv/bin/python bench/screening.py --n 100000      # a quicker run

1. *Generate* ``--n`` FtM entities (persons 80%, companies 20%) as JSON lines in a temporary
   folder. Names follow realistic distributions: given names and surnames of several naming
   traditions (Slavic, Arabic, Korean, Chinese, Spanish, English, German, French), drawn with
   Zipf weights from lists plus a long tail of generated surnames, some with aliases in
   another script or transliteration, middle names, and companies with legal forms.
2. *Load* them with ``KnowledgeBase.load`` into a fresh Veille database (the same code
   ``veille kb load`` runs), timing it and recording the peak resident memory.
3. *Screen* ``--queries`` names with ``KnowledgeBase.screen_many`` (what ``veille screen``
   runs), one process: half are planted variants of listed entities (a typo, reordered
   names, a dropped middle name, upper case), half are names of nobody on the list (a
   listed given name and surname, or a new surname, with a surname more). It prints
   names/s, recall on the planted variants and hits per 1,000 unlisted names, and one JSON
   line of the figures last. ``veille.kb``'s search modules run compiled by mypyc when
   installed so (``setup.py``); the baseline is the same names screened by their Python source
   in a child process (``VEILLE_PURE_PYTHON=1``), which must find the same hits: the ratio of
   the two speeds is printed too.

   A planted variant is *found* when the entity it was made from is among the hits, or an
   entity with the same name (the synthetic list repeats common names: "Igor Ivanov" is
   hundreds of people), or when the hits fill ``--limit`` and all score at least as high as
   the planted entity's own name would (it was outranked by closer names: a query "Igor
   Ivanov" for "Igor Sergei Ivanov" returns the listed "Igor Ivanov"s first). The exact-id
   share is printed too.

Targets (issue 5): load <= 10 min and <= 4 GB peak; >= 2,000 names/s; recall >= 0.98.

Memory: the peak resident memory of the load, and of the whole run. A search reads the
database through memory mapping (``veille.kb.search.MAP_BYTES``): the pages it maps are the
system's file cache, which reading them by system calls fills as much, but they count in a
process's resident memory; the database pages this process has mapped at the end are printed
beside the peak.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from veille.store import open_store  # noqa: E402

GIVEN = {
    "slavic": ["Sergei", "Vladimir", "Alexei", "Dmitri", "Andrei", "Nikolai", "Ivan", "Mikhail", "Yuri", "Oleg",
               "Igor", "Pavel", "Boris", "Viktor", "Anna", "Olga", "Elena", "Natalia", "Irina", "Svetlana",
               "Tatiana", "Maria", "Ekaterina", "Denis", "Roman", "Maxim", "Artem", "Konstantin", "Gennady"],
    "arabic": ["Mohammed", "Ahmed", "Ali", "Omar", "Hassan", "Hussein", "Abdullah", "Khalid", "Youssef", "Ibrahim",
               "Mustafa", "Hamza", "Tariq", "Walid", "Fatima", "Aisha", "Mariam", "Zainab", "Salim", "Nasser",
               "Karim", "Bilal", "Faisal", "Jamal", "Abdul Rahman", "Abdel Aziz", "Said", "Rashid"],
    "korean": ["Jong Un", "Yo Jong", "Song Hui", "Chol", "Myong Ho", "Tae Song", "Min Jun", "Seo Yeon", "Ji Ho",
               "Hyun Woo", "Eun Ji", "Sung Min", "Young Ho", "Kyung Soo", "Hye Jin", "Dong Hyun"],
    "chinese": ["Wei", "Fang", "Lei", "Jun", "Ming", "Hua", "Jian", "Li", "Xiaoming", "Yan", "Hong", "Ping",
                "Qiang", "Jing", "Hao", "Yong", "Xin", "Bo", "Tao", "Gang"],
    "spanish": ["José", "Juan", "Carlos", "Luis", "Miguel", "Jorge", "Alejandro", "Diego", "Pedro", "María",
                "Carmen", "Ana", "Lucía", "Sofía", "Rafael", "Fernando", "Ricardo", "Andrés"],
    "english": ["John", "James", "Robert", "Michael", "William", "David", "Richard", "Mary", "Patricia",
                "Jennifer", "Linda", "Elizabeth", "Thomas", "Charles", "Daniel", "Paul", "Mark", "Susan"],
    "german": ["Hans", "Klaus", "Jürgen", "Wolfgang", "Stefan", "Andreas", "Thomas", "Michael", "Ursula",
               "Monika", "Petra", "Sabine", "Frank", "Uwe", "Dieter", "Karl"],
    "french": ["Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "François", "Marie", "Nathalie",
               "Isabelle", "Sylvie", "Catherine", "Christophe", "Laurent", "Éric", "Olivier"],
}
SURNAMES = {
    "slavic": ["Ivanov", "Petrov", "Smirnov", "Kuznetsov", "Popov", "Sokolov", "Lebedev", "Kozlov", "Novikov",
               "Morozov", "Volkov", "Solovyov", "Vasiliev", "Zaitsev", "Pavlov", "Semenov", "Golubev", "Vinogradov"],
    "arabic": ["Al-Rashid", "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Hamdan", "Qureshi", "Al-Amin",
               "Farouk", "Hakimi", "Aziz", "Al-Masri", "Yousef", "Hussaini", "Karimi", "Abbas", "Darwish"],
    "korean": ["Kim", "Ri", "Pak", "Choe", "Jang", "Han", "O", "Kang", "Yun", "Jo", "Song", "Hwang"],
    "chinese": ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma"],
    "spanish": ["García", "Rodríguez", "Martínez", "López", "González", "Hernández", "Pérez", "Sánchez",
                "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales", "Ortiz"],
    "english": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
                "Taylor", "Thomas", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker"],
    "german": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
               "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann"],
    "french": ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
               "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Fournier"],
}
#: surname endings by tradition, for the long tail of generated surnames
ENDINGS = {"slavic": ["ov", "ev", "in", "enko", "sky", "ovich"], "arabic": ["i", "a", "ani", "awi", "oun"],
           "korean": [""], "chinese": [""], "spanish": ["ez", "es", "ado", "ero"], "english": ["son", "ton", "ley", "er"],
           "german": ["mann", "er", "berg", "stein"], "french": ["eau", "ier", "ard", "on"]}
SYLLABLES = ["ka", "ro", "mi", "sa", "ta", "ne", "lo", "vi", "da", "ri", "ko", "ma", "ze", "ba", "nu", "te", "ga",
             "li", "fo", "su", "ha", "je", "pe", "do", "ra", "ki", "mo", "shi", "tsu", "bor", "vel", "dan", "gor"]
CYRILLIC = str.maketrans({"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "k": "к",
                          "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у",
                          "f": "ф", "h": "х", "y": "ы"})
COMPANY_WORDS = ["Trading", "Logistics", "Shipping", "Energy", "Petroleum", "Holdings", "Industrial", "Maritime",
                 "Technologies", "Import Export", "General", "International", "Investment", "Mining", "Finance"]
LEGAL_FORMS = ["LLC", "Ltd", "OOO", "JSC", "Co., Ltd.", "GmbH", "SA", "FZE", "Inc."]
TRADITIONS = list(GIVEN)


def zipf_choice(rng: random.Random, items: list[str], s: float = 1.1) -> str:
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights=weights)[0]


def tail_surname(rng: random.Random, tradition: str) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return (word + rng.choice(ENDINGS[tradition])).capitalize()


def person_name(rng: random.Random) -> tuple[str, str, str]:
    tradition = rng.choice(TRADITIONS)
    given = zipf_choice(rng, GIVEN[tradition])
    surname = zipf_choice(rng, SURNAMES[tradition]) if rng.random() < 0.4 else tail_surname(rng, tradition)
    middle = zipf_choice(rng, GIVEN[tradition]) if rng.random() < 0.3 and tradition not in ("korean", "chinese") else ""
    return tradition, f"{given} {middle} {surname}".replace("  ", " "), surname


def company_name(rng: random.Random) -> str:
    stem = tail_surname(rng, rng.choice(TRADITIONS))
    return f"{stem} {rng.choice(COMPANY_WORDS)} {rng.choice(LEGAL_FORMS)}"


def entities(n: int, seed: int) -> Iterator[dict]:
    rng = random.Random(seed)
    for i in range(n):
        if rng.random() < 0.8:
            tradition, name, surname = person_name(rng)
            names = [name]
            aliases = []
            if tradition == "slavic" and rng.random() < 0.5:
                aliases.append(name.lower().translate(CYRILLIC).title())
            if rng.random() < 0.2:
                parts = name.split()
                aliases.append(f"{parts[-1].upper()}, {' '.join(parts[:-1])}")
            props = {"name": names, "alias": aliases, "nationality": [rng.choice(["ru", "ir", "kp", "sy", "cn", "ve"])]}
            schema = "Person"
        else:
            props = {"name": [company_name(rng)], "country": [rng.choice(["ae", "hk", "ru", "ir", "tr", "cy"])]}
            schema = "Company"
        yield {"id": f"bench-{i:07d}", "schema": schema, "properties": props, "datasets": ["bench_sanctions"],
               "topics": ["sanction"]}


def variant(rng: random.Random, name: str, schema: str = "Person") -> str:
    """A planted query: the listed name with one change a real query might have (a person's
    middle name dropped, names in another order, upper case, or a typo in the longest word)."""
    parts = name.split()
    kinds = ["typo", "order", "drop_middle", "case", "typo"] if schema == "Person" else ["typo", "case", "typo"]
    kind = rng.choice(kinds)
    if kind == "order" and len(parts) > 1:
        return " ".join([parts[-1], *parts[:-1]])
    if kind == "drop_middle" and len(parts) > 2:
        return f"{parts[0]} {parts[-1]}"
    if kind == "case":
        return name.upper()
    longest = max(range(len(parts)), key=lambda i: len(parts[i]))
    word = parts[longest]
    if len(word) > 4:
        j = rng.randrange(1, len(word) - 1)
        word = word[:j] + word[j + 1:] if rng.random() < 0.5 else word[:j] + word[j] + word[j:]
    parts[longest] = word
    return " ".join(parts)


def peak_rss_mb() -> float:
    """Peak resident memory of this process plus that of its largest worker process (loader and
    screening workers run beside it: an upper bound of what they held together)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers) / 1024


def mapped_mb(path: Path) -> float:
    """Resident pages of this process's memory mappings of the file ``path`` (0 where the
    system does not say: /proc is Linux's). Read from /proc by hand: psutil, which reads the
    same file, is no dependency of Veille."""
    try:
        lines = Path("/proc/self/smaps").read_text().splitlines()
    except OSError:
        return 0.0
    target, mine, kb = str(path.resolve()), False, 0
    for line in lines:
        field = line.split()
        if field and "-" in field[0] and not field[0].endswith(":"):  # a mapping's header line
            mine = len(field) >= 6 and field[-1] == target
        elif mine and field and field[0] == "Rss:":
            kb += int(field[1])
    return kb / 1024


def screen(kb, queries: list[tuple[str, dict | None, str]], limit: int, workers: int) -> tuple[dict[int, list], float]:
    """Screen the queries (persons, then companies), each run cold: no name read, token compared
    or key counted before (forked workers would otherwise inherit what an earlier run cached),
    and the workers an earlier run kept stopped (new ones are started, in the time taken).
    The packed index stays read (as in any process that searches more than once: see
    ``Searcher.reset``); the first run of a process reads it. This process's own memory is in
    place after a first run (its pages faulted in), as in any process that searched before."""
    from veille.kb.names import clear_caches

    clear_caches()
    kb._searcher.reset()  # (with the candidates' names it read from the packed index)
    kb.close()
    t0 = time.perf_counter()
    hits: dict[int, list] = {}
    for schema in ("Person", "Company"):
        asked = [i for i, (_, _, s) in enumerate(queries) if s == schema]
        for i, found in zip(asked, kb.screen_many([queries[i][0] for i in asked], schema=schema, limit=limit,
                                                  workers=workers), strict=True):
            hits[i] = found
    return hits, time.perf_counter() - t0


def _hit_list(hits: dict[int, list]) -> list[list[list]]:
    return [[[c.id, c.score] for c in hits[i]] for i in range(len(hits))]


def screen_only(queries_path: Path, db_path: Path, limit: int) -> None:
    """The source baseline's child: screen the queries in one process, print one JSON line."""
    from veille.kb import native

    queries = [(name, None, schema) for name, schema in json.loads(queries_path.read_text())]
    with open_store(db_path) as store:
        hits, seconds = screen(store.knowledge_base(), queries, limit, 1)
    print(json.dumps({"compiled": native.compiled(), "seconds": seconds, "hits": _hit_list(hits)}))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="entities on the synthetic list (default 1,000,000)")
    ap.add_argument("--queries", type=int, default=10_000, help="names to screen (default 10,000; half planted)")
    ap.add_argument("--limit", type=int, default=10, help="hits asked per name (default 10)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="processes screening (default: one per core); a 1-process run is timed too")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", help="keep the list and the database here (default: a temporary folder)")
    ap.add_argument("--no-source-baseline", dest="source_baseline", action="store_false",
                    help="do not also screen the names with veille.kb's Python source (in a child process)")
    ap.add_argument("--screen-only", metavar="FILE", help=argparse.SUPPRESS)  # (the baseline's child process)
    args = ap.parse_args(argv)
    if args.screen_only:
        return screen_only(Path(args.screen_only), Path(args.workdir) / "bench.db", args.limit)

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="veille-screening-"))
    work.mkdir(parents=True, exist_ok=True)
    list_path, db_path = work / "list.ftm.json", work / "bench.db"
    for p in (db_path, db_path.with_suffix(".db-wal"), db_path.with_suffix(".db-shm")):
        p.unlink(missing_ok=True)

    t0 = time.perf_counter()
    planted: list[dict] = []
    rng = random.Random(args.seed + 1)
    keep_every = max(1, args.n // (args.queries // 2 or 1))
    with list_path.open("w", encoding="utf-8") as f:
        for i, ent in enumerate(entities(args.n, args.seed)):
            f.write(json.dumps(ent, ensure_ascii=False) + "\n")
            if i % keep_every == 0 and len(planted) < args.queries // 2:
                planted.append(ent)
    generate_s = time.perf_counter() - t0
    print(f"generated {args.n:,} entities in {generate_s:.1f} s ({list_path.stat().st_size / 1e6:.0f} MB)", flush=True)

    from veille.kb.ftm import read_ftm

    t0 = time.perf_counter()
    with open_store(db_path) as store:
        stats = store.knowledge_base().load(read_ftm(list_path), dataset="bench_sanctions")
    load_s = time.perf_counter() - t0
    load_rss = peak_rss_mb()
    print(f"loaded in {load_s:.1f} s ({args.n / load_s:,.0f} entities/s), peak RSS {load_rss:.0f} MB: {stats}",
          flush=True)

    queries: list[tuple[str, dict | None, str]] = []
    for ent in planted:
        queries.append((variant(rng, ent["properties"]["name"][0], ent["schema"]), ent, ent["schema"]))
    others = random.Random(args.seed + 2)
    while len(queries) < args.queries:
        tradition, name, _ = person_name(others)
        name = f"{name} {tail_surname(others, tradition)}"  # a two-surname person nobody listed
        queries.append((name, None, "Person"))

    from veille.kb import native
    from veille.kb.names import match, normalise

    with open_store(db_path) as store:
        kb = store.knowledge_base()
        hits, one_s = screen(kb, queries, args.limit, 1)
        screen_s = one_s
        if args.workers > 1:
            parallel, screen_s = screen(kb, queries, args.limit, args.workers)
            assert parallel == hits, "screening in several processes gave other hits"
        mapped = mapped_mb(db_path)  # (while the connection is open)
    from veille.kb import _join_pools

    _join_pools()  # (the store closed, its workers stopped: wait for them to exit, their peak memory counted)
    compiled = native.compiled()
    print(f"one process: {len(queries) / one_s:,.0f} names/s "
          f"({'veille.kb compiled by mypyc' if compiled else 'veille.kb Python source'})", flush=True)
    peak_mb = peak_rss_mb()  # (before the baseline's child process)
    source_s = None
    if args.source_baseline and compiled:
        # the baseline: the same names screened by veille.kb's Python source (the reference), in
        # one process; it must find the same
        queries_path = work / "queries.json"
        queries_path.write_text(json.dumps([[name, schema] for name, _, schema in queries], ensure_ascii=False))
        child = subprocess.run([sys.executable, __file__, "--screen-only", str(queries_path), "--workdir", str(work),
                                "--limit", str(args.limit)], capture_output=True, text=True, check=True,
                               env={**os.environ, "VEILLE_PURE_PYTHON": "1"})
        baseline = json.loads(child.stdout.splitlines()[-1])
        assert not baseline["compiled"], "the baseline ran compiled code"
        assert baseline["hits"] == _hit_list(hits), "the Python source found other hits than the compiled modules"
        source_s = baseline["seconds"]
        print(f"Python source, one process: {len(queries) / source_s:,.0f} names/s, the same hits "
              f"(compiled: {source_s / one_s:.2f}x as fast)", flush=True)
    found = exact = misses = false_hits = 0
    for i, (name, wanted, schema) in enumerate(queries):
        mine = hits[i]
        if wanted is None:
            false_hits += bool(mine)
            continue
        names = [*wanted["properties"]["name"], *wanted["properties"].get("alias", [])]
        same = {normalise(n) for n in names}
        own = match(name, names, schema).score
        if any(h.id == wanted["id"] for h in mine):
            exact += 1
            found += 1
        elif any(normalise(h.name) in same for h in mine) or (
                len(mine) == args.limit and min(h.score for h in mine) >= own - 1e-4):
            found += 1
        else:
            misses += 1
    n_planted = found + misses
    result = {
        "entities": args.n, "queries": len(queries), "load_s": round(load_s, 1), "peak_rss_mb": round(peak_mb),
        "load_peak_rss_mb": round(load_rss), "database_mapped_mb": round(mapped),
        "names_per_s": round(len(queries) / screen_s),
        "names_per_s_one_process": round(len(queries) / one_s), "workers": args.workers, "compiled": compiled,
        "names_per_s_source_one_process": round(len(queries) / source_s) if source_s else None,
        "compiled_speedup": round(source_s / one_s, 2) if source_s else None,
        "recall_planted": round(found / n_planted, 4) if n_planted else None,
        "exact_id_share": round(exact / n_planted, 4) if n_planted else None,
        "hits_per_1000_unlisted": round(1000 * false_hits / max(1, len(queries) - n_planted), 1),
        "targets": {"load_s_max": 600, "peak_rss_mb_max": 4096, "names_per_s_min": 2000, "recall_min": 0.98},
    }
    print(f"screened {len(queries):,} names in {screen_s:.1f} s with {args.workers} process(es): {result['names_per_s']:,} names/s; "
          f"recall on planted variants {result['recall_planted']} (the very entity: {result['exact_id_share']}); "
          f"hits per 1,000 unlisted names {result['hits_per_1000_unlisted']}")
    print(f"peak RSS: load {load_rss:,.0f} MB, whole run {peak_mb:,.0f} MB (this process and its largest worker; "
          f"of this process, {mapped:,.0f} MB are database pages mapped for searching)")
    ok = {"load": load_s <= 600, "load memory": load_rss <= 4096, "speed": result["names_per_s"] >= 2000,
          "recall": (result["recall_planted"] or 0) >= 0.98}
    print("targets: " + ", ".join(f"{k} {'OK' if v else 'MISSED'}" for k, v in ok.items()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
