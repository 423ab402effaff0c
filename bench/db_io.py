"""Benchmark db-in and db-out of N generated tasks, against the raw floor of each backend.

    python bench/db_io.py --n 1000000 --backends sqlite     # 100k and 1M on SQLite
    python bench/db_io.py --n 200000 --backends postgres    # 20k and 200k on PostgreSQL

Each phase runs in its own process so its peak memory (ru_maxrss) is its own.
Phases: 'raw' (the floor: parse, hash and serialise the same rows and insert
them into the same schema's example table in one transaction, with sqlite3's
executemany or psycopg's COPY; no links, no checks), 'in' (mentor's
core.importing.import_file, which is `mentor db-in` less the process start:
loader checks, staging, publishing), 'out' (Database.iter_raw_examples written
to a file, as `mentor db-out` does). Memory flatness is shown by running a
tenth of N too. Targets (issue 16): >= 50k tasks/s in on SQLite at 1M,
in/raw >= 0.8, >= 500k tasks/s out, peak memory the same for N/10 and N.
Run it alone: on a shared machine the rates move with the load, the ratio less.
Each phase also reports its process's CPU seconds (user + system): on a
machine other jobs keep busy, raw's CPU over db-in's ("cpu ratio") moves far
less from run to run than the ratio of rates, which a change of load between
the two phases moves (SQLite: 0.58 to 0.80 for the same code within minutes).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PG_ADMIN = os.environ.get("MENTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def generate(path: Path, n: int) -> None:
    with path.open("w", encoding="utf8") as handle:
        for i in range(n):
            task = {
                "text": f"Task number {i}: a sentence of ordinary length about shares, weather and sport.",
                "label": "POSITIVE" if i % 3 else "NEGATIVE",
                "meta": {"source": "bench", "i": i},
                "answer": "accept" if i % 4 else "reject",
                "_session_id": "bench-default",
            }
            handle.write(json.dumps(task) + "\n")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """This process's user and system time: unlike the wall clock, barely moved by other jobs on the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def phase_raw(source: Path, url: str) -> dict:
    """Floor: parse, hash and insert the same rows with sqlite3 executemany, one transaction."""
    import srsly

    from mentor.db import Database
    from mentor.tasks import set_hashes

    Database(url).close()  # same schema as mentor's
    if not url.startswith("sqlite"):
        return _raw_copy(source, url)
    path = url.split("sqlite:///", 1)[1]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    start, cpu = time.perf_counter(), cpu_seconds()
    n = 0

    def rows():
        nonlocal n
        with source.open("rb") as handle:
            for line in handle:
                task = set_hashes(srsly.json_loads(line))
                n += 1
                yield (task["_input_hash"], task["_task_hash"], srsly.json_dumps(task))

    with conn:
        conn.executemany("INSERT INTO example (input_hash, task_hash, content) VALUES (?, ?, ?)", rows())
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    conn.close()
    return {"n": n, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb()}


def _raw_copy(source: Path, url: str) -> dict:
    """PostgreSQL's floor: the same rows with psycopg's COPY into example, one transaction."""
    import psycopg
    import sqlalchemy as sa
    import srsly

    from mentor.tasks import set_hashes

    parsed = sa.engine.make_url(url)
    conn = psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password, dbname=parsed.database)
    start, cpu = time.perf_counter(), cpu_seconds()
    n = 0
    with conn.transaction(), conn.cursor() as cursor:
        with cursor.copy("COPY example (input_hash, task_hash, content) FROM STDIN") as copy, source.open("rb") as handle:
            for line in handle:
                task = set_hashes(srsly.json_loads(line))
                copy.write_row((task["_input_hash"], task["_task_hash"], srsly.json_dumps(task)))
                n += 1
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    conn.close()
    return {"n": n, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb()}


def phase_in(source: Path, url: str) -> dict:
    """What `mentor db-in bench SOURCE` does, less the process start: read, check, hash, stage, publish."""
    from mentor.core.importing import import_file
    from mentor.db import Database

    db = Database(url)
    start, cpu = time.perf_counter(), cpu_seconds()
    result = import_file(db, "bench", str(source))
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return {"n": result.added, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb()}


def phase_out(_source: Path, url: str) -> dict:
    from mentor.db import Database

    db = Database(url)
    out = Path(tempfile.mkdtemp()) / "out.jsonl"
    start = time.perf_counter()
    n = 0
    with out.open("w", encoding="utf8") as handle:
        for line in db.iter_raw_examples("bench"):
            handle.write(line)
            handle.write("\n")
            n += 1
    seconds = time.perf_counter() - start
    out.unlink()
    return {"n": n, "seconds": seconds, "peak_mb": peak_mb()}


PHASES = {"raw": phase_raw, "in": phase_in, "out": phase_out}


def run_phase(phase: str, source: Path, url: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--source", str(source), "--url", url],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def temp_postgres() -> tuple:
    import sqlalchemy as sa

    name = f"mentor_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = sa.engine.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    return url, drop


def bench(n: int, backends: list, workdir: Path) -> list:
    source = workdir / f"tasks-{n}.jsonl"
    if not source.exists():
        generate(source, n)
    rows = []
    for backend in backends:
        if backend == "sqlite":
            raw_url = f"sqlite:///{workdir / f'raw-{n}.db'}"
            raw = run_phase("raw", source, raw_url)
            url, drop = f"sqlite:///{workdir / f'mentor-{n}.db'}", lambda: None
        else:
            raw_url, drop_raw = temp_postgres()
            try:
                raw = run_phase("raw", source, raw_url)
            finally:
                drop_raw()
            url, drop = temp_postgres()
        try:
            imported = run_phase("in", source, url)
            exported = run_phase("out", source, url)
        finally:
            drop()
        rows.append((backend, n, raw, imported, exported))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--source")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](Path(args.source), args.url)))
        return
    backends = args.backends.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results = bench(args.n // 10, backends, workdir) + bench(args.n, backends, workdir)
    print(
        f"{'backend':<9}{'tasks':>10}{'in/s':>10}{'out/s':>10}{'raw in/s':>10}{'in/raw':>8}"
        f"{'in cpu s':>10}{'raw cpu s':>11}{'cpu ratio':>11}{'peak in MB':>12}{'peak out MB':>12}"
    )
    for backend, n, raw, imported, exported in results:
        rate_in = imported["n"] / imported["seconds"]
        rate_out = exported["n"] / exported["seconds"]
        raw_rate = raw["n"] / raw["seconds"] if raw else float("nan")
        ratio = rate_in / raw_rate if raw else float("nan")
        cpu_ratio = raw["cpu"] / imported["cpu"]  # as in/raw: above 1 would be cheaper than the floor
        print(
            f"{backend:<9}{n:>10,}{rate_in:>10,.0f}{rate_out:>10,.0f}{raw_rate:>10,.0f}{ratio:>8.2f}"
            f"{imported['cpu']:>10.1f}{raw['cpu']:>11.1f}{cpu_ratio:>11.2f}{imported['peak_mb']:>12.0f}{exported['peak_mb']:>12.0f}"
        )
    print("targets: in >= 50,000/s (SQLite, 1M), in/raw >= 0.8, out >= 500,000/s, peak memory the same for N/10 and N")
    print("cpu ratio: raw's CPU seconds over db-in's, a steadier reading of in/raw on a shared machine (the database server's own CPU is not in it)")


if __name__ == "__main__":
    main()
