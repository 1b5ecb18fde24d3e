"""Wall time and peak memory of `rulealign check` on the shipped corpora, stage by stage.

Run by hand:  python benchmarks/bench_check.py [--repeat 3]
It runs the same pipeline as the CLI (checker.pipeline.run, then the result and the renderers)
in a fresh interpreter per repeat, so spaCy's load time is counted as a user would see it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, time, tempfile
from pathlib import Path
t0 = time.perf_counter()
from checker.config import load_config
from checker.crosswalk import counterparts
from checker.pipeline import run
from checker.result import build_result
from checker.render import write_outputs
t_import = time.perf_counter() - t0
cfg = load_config()
r = run(cfg)
t = time.perf_counter()
cps = counterparts(r)
r.timings["crosswalk"] = time.perf_counter() - t
t = time.perf_counter()
result = build_result(r, counterparts=cps)
write_outputs(result, Path(tempfile.mkdtemp()))
r.timings["render"] = time.perf_counter() - t
r.timings["import"] = t_import
r.timings["total"] = time.perf_counter() - t0
print(json.dumps({"timings": r.timings,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "measures": len(r.matrix.measure_ids), "clauses": len(r.matrix.clause_ids),
                  "articles": len(r.matrix.article_ids)}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    first = runs[0]
    print(f"corpus: {first['measures']} measures x {first['clauses']} clauses ({first['articles']} articles)")
    print(f"{'stage':10} {'median s':>9} {'min s':>7}")
    for stage in first["timings"]:
        values = [r["timings"][stage] for r in runs]
        print(f"{stage:10} {statistics.median(values):9.3f} {min(values):7.3f}")
    print(f"peak RSS: {max(r['peak_mb'] for r in runs):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
