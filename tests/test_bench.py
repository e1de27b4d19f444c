"""The benches run: they are how speed and memory are measured (never in a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_screening_bench_runs_at_a_small_scale(tmp_path):
    # a small list, screened in two processes: what the full run does, at a tenth of a minute
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "screening.py"), "--n", "2000", "--queries", "100",
                          "--workers", "2", "--no-source-baseline", "--workdir", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["entities"] == 2000 and result["queries"] == 100 and result["workers"] == 2
    assert result["recall_planted"] >= 0.9 and result["names_per_s"] > 0 and result["load_peak_rss_mb"] > 0
    assert "one process:" in run.stdout and "targets:" in run.stdout
