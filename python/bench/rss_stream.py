"""Validates a large Arrow table from Python with the streaming path and reports the
peak resident memory of the whole process (Python, pyarrow and chiso), `VmHWM`.

    python python/bench/rss_stream.py [ROWS] [BATCH_ROWS]

Prints one JSON line: rows, batches, findings kept, seconds, records per second and
peak RSS in MB (``VmHWM``). The table is generated in memory first (it is part of
the measured peak); the findings batches are counted and dropped as they come, as a
validation step does.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chiso  # noqa: E402
import staffing  # noqa: E402

def peak_rss_mb() -> float:
    """The peak resident memory of this process: `VmHWM` on Linux (`ru_maxrss` would
    include the parent's peak, which Linux carries across `exec`), else `ru_maxrss`."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    batch_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 4_096
    rules = chiso.RuleSet.load(os.path.join(ROOT, "rules", "it-staffing"))
    table = staffing.table(rows)
    rss_table = peak_rss_mb()
    start = time.perf_counter()
    kept = batches = 0
    validator = rules.validate_batches(table.to_batches(max_chunksize=batch_rows))
    for findings in validator:
        batches += 1
        kept += findings.num_rows
    seconds = time.perf_counter() - start
    summary = validator.summary
    assert summary["units"] == rows, summary
    assert kept == rows * len(rules.rules), (kept, rows)
    peak = peak_rss_mb()
    print(
        json.dumps(
            {
                "rows": rows,
                "batch_rows": batch_rows,
                "batches": batches,
                "findings": kept,
                "summary": summary,
                "seconds": round(seconds, 2),
                "records_per_second": round(rows / seconds),
                "rss_after_table_mb": round(rss_table),
                "peak_rss_mb": round(peak),
            }
        )
    )


if __name__ == "__main__":
    main()
