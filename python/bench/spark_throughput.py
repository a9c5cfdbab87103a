"""Throughput of chiso on Spark in local mode: generated staffing records (rules/it-staffing)
read from Parquet, every finding decided with ``mapInArrow`` and written to Spark's
``noop`` sink (so the whole job runs, nothing is collected).

    python python/bench/spark_throughput.py [ROWS] [CORES]

Prints one JSON line: rows, cores, seconds of the job (the Parquet file written and the
session started beforehand), records per second, and core-microseconds per record.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pyarrow.parquet as pq  # noqa: E402

import staffing  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    cores = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    from chiso import spark as chiso_spark

    folder = tempfile.mkdtemp(prefix="chiso-spark-")
    path = os.path.join(folder, "staffing.parquet")
    pq.write_table(staffing.table(rows), path, row_group_size=100_000)
    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("chiso-throughput")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    rules = os.path.join(ROOT, "rules", "it-staffing")
    df = spark.read.parquet(path)
    results = {}
    for name, keep in (("all findings", "all"), ("failing findings", "failing")):
        start = time.perf_counter()
        chiso_spark.findings(df, rules, findings=keep).write.format("noop").mode("overwrite").save()
        seconds = time.perf_counter() - start
        results[name] = {
            "seconds": round(seconds, 1),
            "records_per_second": round(rows / seconds),
            "core_microseconds_per_record": round(cores * seconds / rows * 1e6, 1),
        }
    spark.stop()
    print(json.dumps({"rows": rows, "cores": cores, **results}))


if __name__ == "__main__":
    main()
