"""Shared fixtures: the repository root, the `chiso` command line (the reference the
Python results must equal), generated staffing data and a local Spark session."""

from __future__ import annotations

import decimal
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PYTHON = Path(__file__).resolve().parent.parent
ROOT = PYTHON.parent
sys.path.insert(0, str(PYTHON / "bench"))


def load_json(path) -> object:
    """A JSON file as the CLI reads it: every decimal exact."""
    with open(path, encoding="utf-8-sig") as f:
        return json.load(f, parse_float=decimal.Decimal)


def records(path) -> list:
    """The records of a data file: an array, or an object whose `units` is one."""
    data = load_json(path)
    return data["units"] if isinstance(data, dict) else data


def find_cli() -> str:
    """`CHISO_CLI`, else the release or debug build of the checkout (built if absent)."""
    given = os.environ.get("CHISO_CLI")
    if given:
        return given
    for profile in ("release", "debug"):
        candidate = ROOT / "target" / profile / "chiso"
        if candidate.exists():
            return str(candidate)
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("no chiso binary and no cargo to build one (set CHISO_CLI)")
    subprocess.run([cargo, "build", "--quiet"], cwd=ROOT, check=True)
    return str(ROOT / "target" / "debug" / "chiso")


@pytest.fixture(scope="session")
def cli():
    """Runs `chiso ARGS…` in the repository root: (exit code, stdout, stderr)."""
    binary = find_cli()

    def run(*args: str):
        done = subprocess.run(
            [binary, *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8"
        )
        return done.returncode, done.stdout, done.stderr

    return run


@pytest.fixture(scope="session")
def spark():
    """A local Spark session on two cores (skipped when pyspark or Java is missing and
    CHISO_REQUIRE_SPARK is not set)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if os.environ.get("CHISO_REQUIRE_SPARK"):
            raise
        pytest.skip("pyspark is not installed")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if os.environ.get("CHISO_REQUIRE_SPARK"):
            raise RuntimeError("Spark needs Java (JAVA_HOME or java on PATH)")
        pytest.skip("no Java for Spark")
    # Spark's Python workers run this interpreter (the one with chiso installed).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("chiso-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
