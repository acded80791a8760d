"""Throughput and memory benchmark: bare spaCy vs `Analyser.pipe` vs `analyser batch`.

    python benchmarks/throughput.py                       # 1k and 10k reviews, both corpora
    python benchmarks/throughput.py --sizes 1000,10000,100000 --json results.json
    python benchmarks/throughput.py --corpus imdb --sizes 5000

Two corpora: ``generated`` reviews (paragraphs of sentences drawn from the shipped examples
and, when ``../shared/data`` is present, real review sentences; some with headings and page
chrome) and ``imdb``, real IMDb user reviews from ``../shared/data/sentiment/`` (repeated in
order when more are asked for than there are). For each, it measures in one run, on the same
texts:

* bare spaCy: ``spacy.blank("en")`` + ``sentencizer`` over ``nlp.pipe`` (the baseline);
* ``Analyser.pipe`` (whole pipeline, in-process), alternating with the baseline
  ``--repeats`` times (up to 20k reviews) and keeping the best time of each;
* ``analyser batch`` end to end (JSONL table in, Parquet out) with 1 and 2 jobs, each in a
  fresh process whose peak RSS (own + workers) is recorded; 1 and 2 jobs alternate
  ``--batch-repeats`` times and the best time of each is kept (the scaling is their ratio),
  while the peak RSS reported is the largest of the repeats;
* start-up: import + ``Analyser()`` (loading and verifying the shipped models) in a fresh
  process, which every batch worker and every ``analyser annotate`` pays once;
* the fast and accurate profiles side by side on the same real IMDb reviews
  (``--profiles N``): sentences/s, start-up and peak RSS, each in a fresh process.

Every speed is also given as a ratio to the bare-spaCy words/s of the same run.
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WARM_UP = 200  # reviews run before timing, for both the baseline and the analyser
SHARED = REPO.parent / "shared" / "data"
HEADINGS = ["The Plot:", "Synopsis", "My opinion:", "Verdict", "Final thoughts", "The Story"]
CHROME = ["Share this:", "Twitter", "Facebook", "Like this:", "Leave a Reply",
          "Follow Blog via Email", "Categories: Reviews", "March 2019"]


def sentence_pool() -> list[str]:
    """Sentences to build reviews from: shipped examples plus real review sentences."""
    import re

    pool: list[str] = []
    for f in (REPO / "data" / "examples").glob("*.txt"):
        for para in f.read_text(encoding="utf-8").split("\n"):
            pool.extend(s for s in re.split(r"(?<=[.!?])\s+", para) if len(s.split()) > 4)
    for rel, key in (("spoilers/train.jsonl", "sentence"), ("sections/train.jsonl", "text")):
        path = SHARED / rel
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    pool.append(json.loads(line)[key])
    return pool


def make_corpus(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    pool = sentence_pool()
    texts = []
    for _ in range(n):
        parts = []
        headed = rng.random() < 0.4
        for p in range(rng.randint(2, 5)):
            if headed:
                parts.append(HEADINGS[(p + rng.randint(0, 1)) % len(HEADINGS)])
            parts.append(" ".join(rng.choice(pool) for _ in range(rng.randint(2, 6))))
        if rng.random() < 0.3:
            parts.append("\n".join(rng.sample(CHROME, 4)))
        texts.append("\n\n".join(parts))
    return texts


def imdb_corpus(n: int) -> list[str]:
    """`n` real IMDb user reviews (the sentiment corpus' train split), cycled if needed."""
    path = SHARED / "sentiment" / "train.jsonl"
    if not path.exists():
        raise SystemExit(f"the imdb corpus needs {path}")
    with open(path, encoding="utf-8") as fh:
        reviews = [r["text"] for r in map(json.loads, fh) if r["source"] == "imdb_maas2011"]
    return [reviews[i % len(reviews)] for i in range(n)]


CORPORA = {"generated": make_corpus, "imdb": imdb_corpus}


def words_of(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def bench_bare(texts: list[str]) -> float:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    for doc in nlp.pipe(texts[:WARM_UP]):  # same warm-up as the analyser gets
        list(doc.sents)
    t = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=64):
        list(doc.sents)
    return time.perf_counter() - t


def bench_pipe(texts: list[str]) -> float:
    from analyser import Analyser

    a = Analyser()
    list(a.pipe(texts[:WARM_UP]))  # warm up (vocabularies, caches)
    t = time.perf_counter()
    for _ in a.pipe(texts, batch_size=64):
        pass
    return time.perf_counter() - t


# The batch's own peak RSS is read from /proc/self/status (VmHWM, the high-water mark of this
# process's memory since it started). ru_maxrss would not do: Linux carries it over an exec,
# and subprocess starts children with vfork, so a child's ru_maxrss is at least the RSS of
# this benchmark process (which holds the corpus): it made the 100k batch look ~90 MB bigger.
_CHILD = """
import json, resource, sys, time
from analyser.batch import run_batch
t = time.perf_counter()
s = run_batch(sys.argv[1], sys.argv[2], jobs=int(sys.argv[3]), chunk_size=500)
dt = time.perf_counter() - t
try:
    with open("/proc/self/status") as fh:
        own = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# forked workers: their RSS counts the model pages they share with this process
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": dt, "reviews": s.reviews, "rss_mb": own / 1024,
                  "worker_rss_mb": kids / 1024}))
"""


_STARTUP = """
import time
t = time.perf_counter()
from analyser import Analyser
a = Analyser()
t1 = time.perf_counter()
a.analyse("It was wonderful. Hiro dies at the end.")
print(t1 - t)
"""


_PROFILE = """
import json, sys, time
from analyser import Analyser
texts = json.load(open(sys.argv[1]))
t = time.perf_counter()
a = Analyser(profile=sys.argv[2])
startup = time.perf_counter() - t
list(a.pipe(texts[:20]))  # warm up
t = time.perf_counter()
n = sum(len(r.sentences) for r in a.pipe(texts))
dt = time.perf_counter() - t
with open("/proc/self/status") as fh:
    rss = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
print(json.dumps({"profile": sys.argv[2], "sentences": n, "seconds": dt,
                  "sentences_per_s": n / dt, "startup_s": startup, "peak_rss_mb": rss}))
"""


def bench_profiles(texts: list[str]) -> list[dict]:
    """Each profile over the same texts in a fresh process: sentences/s (the accurate
    profile's encoder reads every sentence with its context), start-up, peak RSS."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "texts.json"
        path.write_text(json.dumps(texts), encoding="utf-8")
        for profile in ("fast", "accurate"):
            res = subprocess.run([sys.executable, "-c", _PROFILE, str(path), profile],
                                 capture_output=True, text=True, cwd=REPO)
            if res.returncode:
                out.append({"profile": profile, "error": res.stderr.strip()[-300:]})
            else:
                out.append(json.loads(res.stdout.strip().splitlines()[-1]))
    return out


_SPIN = "import time; t = time.perf_counter(); sum(i * i for i in range(12_000_000)); " \
        "print(time.perf_counter() - t)"


def machine_scaling(repeats: int = 3) -> float:
    """What this machine itself gives two processes: throughput of two concurrent copies of a
    pure-Python loop over one copy alone (2.0 on two idle physical cores; less when the
    cores are shared hyperthreads or the host is busy). Best of `repeats`."""
    best = 0.0
    for _ in range(repeats):
        one = float(subprocess.run([sys.executable, "-c", _SPIN], capture_output=True,
                                   text=True, check=True).stdout)
        procs = [subprocess.Popen([sys.executable, "-c", _SPIN], stdout=subprocess.PIPE,
                                  text=True) for _ in range(2)]
        two = max(float(p.communicate()[0]) for p in procs)
        best = max(best, 2 * one / two)
    return best


def bench_startup(repeats: int = 3) -> float:
    """Best of `repeats` fresh-process start-ups (import + load models), in seconds."""
    times = []
    for _ in range(repeats):
        res = subprocess.run([sys.executable, "-c", _STARTUP], capture_output=True, text=True,
                             check=True)
        times.append(float(res.stdout.strip().splitlines()[-1]))
    return min(times)


def bench_batch(path: Path, jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        res = subprocess.run([sys.executable, "-c", _CHILD, str(path), out + "/o", str(jobs)],
                             capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--corpus", default="generated,imdb",
                    help="comma-separated: generated, imdb (real IMDb user reviews)")
    ap.add_argument("--json", help="write the results here too")
    ap.add_argument("--repeats", type=int, default=3,
                    help="bare/pipe timings per size up to 20k reviews (best is kept)")
    ap.add_argument("--profiles", type=int, default=500, metavar="N",
                    help="also compare the fast and accurate profiles on N real IMDb "
                         "reviews (0: skip)")
    ap.add_argument("--batch-repeats", type=int, default=2,
                    help="alternating 1-job / 2-job batch runs per size (best time is kept)")
    args = ap.parse_args()
    rows = []
    runs = [(c, int(n)) for c in args.corpus.split(",") for n in args.sizes.split(",")]
    for corpus, n in runs:
        texts = CORPORA[corpus](n)
        words = words_of(texts)
        # bare spaCy and the analyser alternate; the best of each is kept (the machine's
        # speed drifts, and the fastest run is the one least disturbed by other work)
        repeats = args.repeats if n <= 20_000 else 1
        bare = pipe = float("inf")
        for _ in range(repeats):
            bare = min(bare, bench_bare(texts))
            pipe = min(pipe, bench_pipe(texts))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "reviews.jsonl"
            with open(path, "w", encoding="utf-8") as fh:
                for i, t in enumerate(texts):
                    fh.write(json.dumps({"id": i, "text": t}) + "\n")
            runs1, runs2 = [], []
            for _ in range(max(1, args.batch_repeats)):
                runs1.append(bench_batch(path, 1))
                runs2.append(bench_batch(path, 2))
        b1 = min(runs1, key=lambda r: r["seconds"])
        b2 = min(runs2, key=lambda r: r["seconds"])
        rss1 = [max(r["rss_mb"], r["worker_rss_mb"]) for r in runs1]
        bare_wps = words / bare
        row = {
            "corpus": corpus, "reviews": n, "words": words,
            "bare_words_per_s": round(bare_wps), "bare_reviews_per_s": round(n / bare, 1),
            "pipe_words_per_s": round(words / pipe), "pipe_reviews_per_s": round(n / pipe, 1),
            "pipe_vs_bare": round((words / pipe) / bare_wps, 3),
            "batch1_reviews_per_s": round(n / b1["seconds"], 1),
            "batch1_vs_bare": round((words / b1["seconds"]) / bare_wps, 3),
            "batch1_peak_rss_mb": round(max(rss1), 1),
            "batch1_peak_rss_runs_mb": [round(x, 1) for x in rss1],
            "batch1_seconds_runs": [round(r["seconds"], 2) for r in runs1],
            "batch2_seconds_runs": [round(r["seconds"], 2) for r in runs2],
            "batch2_reviews_per_s": round(n / b2["seconds"], 1),
            "batch2_peak_rss_mb": round(max(r["rss_mb"] + 2 * r["worker_rss_mb"]
                                            for r in runs2), 1),
            "scaling_2_vs_1_jobs": round(b1["seconds"] / b2["seconds"], 2),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print("| corpus | reviews | words | bare spaCy words/s | Analyser.pipe words/s (ratio) | "
          "batch 1 job reviews/s (ratio) | batch peak RSS MB | 2 jobs reviews/s (x) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['corpus']} | {r['reviews']:,} | {r['words']:,} | {r['bare_words_per_s']:,} | "
              f"{r['pipe_words_per_s']:,} ({r['pipe_vs_bare']}) | "
              f"{r['batch1_reviews_per_s']} ({r['batch1_vs_bare']}) | "
              f"{r['batch1_peak_rss_mb']} | {r['batch2_reviews_per_s']} "
              f"({r['scaling_2_vs_1_jobs']}x) |")
    print(f"\nstart-up (import + Analyser(), fresh process, best of 3): "
          f"{bench_startup():.2f} s")
    print(f"machine scaling (2 concurrent pure-Python loops vs 1, best of 3): "
          f"{machine_scaling():.2f}x")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
          f"max RSS here {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    profiles = bench_profiles(imdb_corpus(args.profiles)) if args.profiles else []
    for p in profiles:
        print("profile " + json.dumps(p))
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": rows, "profiles": profiles}, indent=2),
                                   encoding="utf-8")


if __name__ == "__main__":
    main()
