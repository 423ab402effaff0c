"""Load benchmark of the annotation server (targets P4 and R1 in targets.md).

N simulated annotators (threads, one keep-alive HTTP connection each) fetch a
batch with /get_session_questions and send it back with /give_answers, as fast
as the server lets them, for T seconds, against SQLite and PostgreSQL. The
server is the real one: ``python -m mentor textcat.manual`` in a subprocess on
a free port. Prints answers/s and the p50/p95/p99 latency of give_answers,
then reads the database and checks every acknowledged answer is stored
exactly once.

--kill sends SIGKILL to the server half-way, restarts it, and has the
annotators retry their unacknowledged batch as the web app does.
--instant-submit sends one answer per request.
--restart-postgres restarts the local PostgreSQL server half-way (Debian's
pg_ctlcluster, fast mode: open connections are cut) while the mentor server
keeps running; it must recover by itself (R9), answering 503 meanwhile.
--processes N (issue 13) spreads the annotators over N server processes on one
database (annotator i on server i mod N), after a run of the same length with one
process, and prints both side by side: distinct tasks answered, tasks answered
more than once (goal 0: the servers share the dataset through claims), acknowledged
answers lost (goal 0), and the throughput ratio (goal >= 1.5x for 2). With --kill,
the first server is SIGKILLed half-way and restarted in both runs. --per-task N
sets ``annotations_per_task``: each task then goes to N different sessions, and the
count to read is the tasks answered by more than N sessions or twice by one (goal 0).
--db-in-during (issue 12) measures give_answers for --seconds without an import,
then while ``python -m mentor db-in`` loads --db-in-lines lines (default 1M) into
another dataset of the same database, and prints both side by side with the
import's wall time; the target is p99 <= 250 ms during the import. SQLite unless
--backend or --db-url says otherwise. --db-in-dataset bench imports into the
dataset the server is writing instead (publishing then re-points every staged
row in one transaction, which a server on SQLite waits for).

    python bench/server_load.py                      # both backends, 20 annotators, 15 s
    python bench/server_load.py --processes 2 --backend postgres -t 60   # 2 servers on one database vs 1
    python bench/server_load.py --processes 2 --per-task 2 --kill -t 60  # each task to 2 sessions, across servers
    python bench/server_load.py --backend sqlite --kill
    python bench/server_load.py --instant-submit
    python bench/server_load.py --rate 1000          # latency at an offered 1,000 answers/s
    python bench/server_load.py --backend postgres --restart-postgres
    python bench/server_load.py --db-in-during --rate 200      # 1M-line import beside the server
    python bench/server_load.py --db-in-during --db-in-lines 100000 --db-url postgresql+psycopg://...

Run by hand; never part of the test suite.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATASET = "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``python -m mentor textcat.manual`` as a subprocess."""

    def __init__(
        self, source: Path, home: Path, db_url: str, port: int, batch_size: int, log: Path, per_task: int = 1,
    ) -> None:
        self.port = port
        self.log = log
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
        self.env.update(
            {
                "MENTOR_HOME": str(home),
                "MENTOR_PORT": str(port),
                "MENTOR_DB_URL": db_url,
                "MENTOR_BATCH_SIZE": str(batch_size),
            }
        )
        if per_task > 1:
            self.env["MENTOR_CONFIG_OVERRIDES"] = json.dumps({"annotations_per_task": per_task})
        self.args = [sys.executable, "-m", "mentor", "textcat.manual", DATASET, str(source), "--label", "POS,NEG"]
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> float:
        """Start and wait for /health; return the seconds it took."""
        began = time.perf_counter()
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.args, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    conn.close()
                    return time.perf_counter() - began
            except OSError:
                time.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Results:
    latencies: List[float] = field(default_factory=list)
    sent_at: List[float] = field(default_factory=list)  # wall time each timed request began
    acknowledged: List[Tuple[str, int]] = field(default_factory=list)
    failed_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Annotator(threading.Thread):
    """One simulated annotator: fetch, answer, send; retry a batch until it is acknowledged."""

    def __init__(
        self, name: str, port: int, deadline: float, instant: bool, results: Results, interval: float = 0.0
    ) -> None:
        super().__init__(daemon=True)
        self.interval = interval  # seconds between batches (0: as fast as the server answers)
        self.session = name
        self.port = port
        self.deadline = deadline
        self.instant = instant
        self.results = results
        self.conn: Optional[http.client.HTTPConnection] = None

    def post(self, path: str, body: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        payload = json.dumps(body)
        self.conn.request("POST", path, payload, {"Content-Type": "application/json"})
        response = self.conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}

    def post_until_acknowledged(self, path: str, body: Dict[str, Any], grace: float) -> Optional[Dict[str, Any]]:
        """Send until a 200 comes back (the server may be restarting); None if it never does."""
        while time.time() < grace:
            try:
                sent_at, began = time.time(), time.perf_counter()
                status, data = self.post(path, body)
                elapsed = time.perf_counter() - began
                if status == 200:
                    if path == "/give_answers":
                        with self.results.lock:
                            self.results.latencies.append(elapsed)
                            self.results.sent_at.append(sent_at)
                    return data
            except (OSError, http.client.HTTPException, json.JSONDecodeError):
                pass
            with self.results.lock:
                self.results.failed_requests += 1
            if self.conn is not None:
                self.conn.close()
                self.conn = None
            time.sleep(0.05)
        return None

    def run(self) -> None:
        # the deadline may move (--db-in-during ends when the import does); a batch in
        # flight at the deadline is still sent, for a minute, as the app would
        next_slot = time.time() + random.uniform(0, self.interval)
        while time.time() < self.deadline:
            if self.interval:
                time.sleep(max(0.0, next_slot - time.time()))
                next_slot += self.interval
            questions = self.post_until_acknowledged("/get_session_questions", {"session_id": self.session}, self.deadline)
            if not questions or not questions["tasks"]:
                return
            answers = [{**task, "answer": "accept", "accept": ["POS"], "_timestamp": int(time.time())} for task in questions["tasks"]]
            batches = [[a] for a in answers] if self.instant else [answers]
            for batch in batches:
                body = {"answers": batch, "session_id": self.session}
                if self.post_until_acknowledged("/give_answers", body, self.deadline + 60) is None:
                    return
                with self.results.lock:
                    self.results.acknowledged.extend((f"{DATASET}-{self.session}", a["_task_hash"]) for a in batch)


def percentile(values: List[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def make_source(path: Path, n: int) -> None:
    with path.open("w", encoding="utf8") as out:
        for i in range(n):
            out.write(json.dumps({"text": f"Benchmark message {i}: the quick brown fox jumps over the lazy dog."}) + "\n")


def make_database(backend: str, workdir: Path) -> Tuple[str, Any]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", lambda: None
    import sqlalchemy as sa

    name = f"mentor_bench_{uuid.uuid4().hex[:8]}"
    # no pool: a connection kept from before --restart-postgres would be dead by the time we drop
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return url, drop


def check_stored(db_url: str, acknowledged: List[Tuple[str, int]], per_task: int = 1) -> Dict[str, int]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from mentor.db import Database

    db = Database(db_url)
    try:
        # answers only: --db-in-during --db-in-dataset bench imports tasks without a session
        stored = Counter(
            (e["_session_id"], e["_task_hash"]) for e in db.get_dataset_examples(DATASET) if e.get("_session_id")
        )
    finally:
        db.close()
    acked = set(acknowledged)
    tasks_by_sessions = Counter(h for _, h in stored)
    return {
        "acknowledged": len(acknowledged),
        "acknowledged_distinct": len(acked),
        "stored": sum(stored.values()),
        "lost": len(acked - set(stored)),
        "duplicates": sum(c - 1 for c in stored.values() if c > 1),
        "tasks_over_per_task": sum(1 for c in tasks_by_sessions.values() if c > per_task),
        "tasks_at_per_task": sum(1 for c in tasks_by_sessions.values() if c == per_task),
    }


def restart_postgres() -> float:
    """Restart the local PostgreSQL cluster, cutting open connections; return the seconds it took."""
    try:
        listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError) as err:
        raise SystemExit(f"--restart-postgres needs Debian's pg_lsclusters/pg_ctlcluster: {err}")
    version, cluster = listed[0], listed[1]
    began = time.perf_counter()
    subprocess.run(["pg_ctlcluster", version, cluster, "restart", "-m", "fast"], check=True)
    return time.perf_counter() - began


@contextmanager
def served(backend: str, args: argparse.Namespace, count: int = 1) -> Iterator[Tuple[Path, str, List[Server]]]:
    """A fresh database and ``count`` running servers on a generated source (one home: one signing key)."""
    with tempfile.TemporaryDirectory(prefix="mentor-bench-") as tmp:
        workdir = Path(tmp)
        source = workdir / "tasks.jsonl"
        make_source(source, args.tasks)
        home = workdir / "home"
        home.mkdir()
        db_url, drop = (args.db_url, lambda: None) if args.db_url else make_database(backend, workdir)
        servers = [
            Server(source, home, db_url, free_port(), args.batch_size, workdir / f"server{i or ''}.log", args.per_task)
            for i in range(count)
        ]
        try:
            for server in servers:
                server.start()
            yield workdir, db_url, servers
        finally:
            for server in servers:
                server.stop()
            drop()


def start_annotators(port: int, args: argparse.Namespace, results: Results, deadline: float) -> List[Annotator]:
    # --rate: each annotator sends its share of the answers per second, evenly spaced
    interval = args.annotators * args.batch_size / args.rate if args.rate else 0.0
    annotators = [
        Annotator(f"a{i}", port, deadline, args.instant_submit, results, interval) for i in range(args.annotators)
    ]
    for annotator in annotators:
        annotator.start()
    return annotators


def latency_figures(latencies_ms: List[float]) -> Dict[str, Any]:
    return {
        "give_answers_requests": len(latencies_ms),
        "p50_ms": round(percentile(latencies_ms, 50), 1),
        "p95_ms": round(percentile(latencies_ms, 95), 1),
        "p99_ms": round(percentile(latencies_ms, 99), 1),
        "max_ms": round(max(latencies_ms), 1) if latencies_ms else None,
        "mean_ms": round(statistics.fmean(latencies_ms), 1) if latencies_ms else None,
    }


def describe_load(args: argparse.Namespace) -> Dict[str, Any]:
    return {
        "annotators": args.annotators,
        "mode": "instant_submit" if args.instant_submit else f"batches of {args.batch_size}",
        "offered_rate": f"{args.rate:g} answers/s" if args.rate else "as fast as answered (closed loop)",
        "per_task": args.per_task,
    }


def run_backend(backend: str, args: argparse.Namespace) -> Dict[str, Any]:
    with served(backend, args) as (_, db_url, (server,)):
        results = Results()
        began = time.time()
        annotators = start_annotators(server.port, args, results, began + args.seconds)
        restart_seconds = None
        if args.kill:
            time.sleep(args.seconds / 2)
            server.kill()
            restart_seconds = server.start()
        db_restart_seconds = None
        if args.restart_postgres and backend == "postgres":
            time.sleep(args.seconds / 2)
            db_restart_seconds = restart_postgres()
        for annotator in annotators:
            annotator.join()
        elapsed = time.time() - began
        server.stop()
        check = check_stored(db_url, results.acknowledged, args.per_task)
    lat = [x * 1000 for x in results.latencies]
    figures = latency_figures(lat)
    figures.pop("max_ms")
    return {
        "backend": backend,
        **describe_load(args),
        "seconds": round(elapsed, 1),
        "answers_per_s": round(len(results.acknowledged) / elapsed, 1),
        **figures,
        "failed_attempts": results.failed_requests,
        "killed_and_restarted_in_s": round(restart_seconds, 1) if restart_seconds is not None else None,
        "postgres_restarted_in_s": round(db_restart_seconds, 1) if db_restart_seconds is not None else None,
        **check,
    }


def run_spread(backend: str, args: argparse.Namespace, count: int) -> Dict[str, Any]:
    """The annotators spread over ``count`` servers on one fresh database (one home: one signing key)."""
    with served(backend, args, count) as (_, db_url, servers):
        results = Results()
        began = time.time()
        annotators = [
            Annotator(f"a{i}", servers[i % count].port, began + args.seconds, args.instant_submit, results)
            for i in range(args.annotators)
        ]
        for annotator in annotators:
            annotator.start()
        if args.kill:
            time.sleep(args.seconds / 2)
            servers[0].kill()
            servers[0].start()
        for annotator in annotators:
            annotator.join()
        elapsed = time.time() - began
        for server in servers:
            server.stop()
        check = check_stored(db_url, results.acknowledged, args.per_task)
    figures = latency_figures([x * 1000 for x in results.latencies])
    return {
        "servers": count,
        "seconds": round(elapsed, 1),
        "answers_per_s": round(len(results.acknowledged) / elapsed, 1),
        "tasks_answered": check["stored"] - check["duplicates"],
        # with --per-task N: by more than N sessions, or twice by one
        "tasks_answered_twice": check["tasks_over_per_task"] + check["duplicates"],
        "tasks_with_all_annotators": check["tasks_at_per_task"],
        "lost": check["lost"],
        "p50_ms": figures["p50_ms"],
        "p95_ms": figures["p95_ms"],
        "failed_attempts": results.failed_requests,
    }


def run_processes(backend: str, args: argparse.Namespace) -> Dict[str, Any]:
    """One server, then --processes servers, on fresh databases of one backend, with the same load."""
    alone = run_spread(backend, args, 1)
    shared = run_spread(backend, args, args.processes)
    return {
        "backend": backend,
        **describe_load(args),
        "one_process": alone,
        "processes": shared,
        "throughput_ratio": round(shared["answers_per_s"] / alone["answers_per_s"], 2) if alone["answers_per_s"] else None,
        "lost": alone["lost"] + shared["lost"],
        "duplicates": alone["tasks_answered_twice"] + shared["tasks_answered_twice"],
    }


def args_per_task(result: Dict[str, Any]) -> int:
    return int(result.get("per_task", 1))


def print_processes(result: Dict[str, Any], count: int) -> None:
    print(f"\n== {result['backend']}: {result['annotators']} annotators over {count} server processes on one "
          f"database vs one process, {result['mode']}, {result['offered_rate']}")
    alone, shared = result["one_process"], result["processes"]
    print_columns(("1 process", f"{count} processes"), alone, shared, width=24)
    print(f"  {'throughput ratio':24} {result['throughput_ratio']}x (goal >= 1.5x)")
    too_often = "tasks answered twice" if args_per_task(result) <= 1 else f"tasks over {args_per_task(result)} sessions"
    print(f"  {too_often:24} {shared['tasks_answered_twice']} (goal 0)")
    print(f"  {'answers lost':24} {shared['lost']} (goal 0)")


def make_import_source(path: Path, n: int) -> None:
    with path.open("w", encoding="utf8") as out:
        for i in range(n):
            out.write(json.dumps({"text": f"Imported record {i}: {i % 97} lazy dogs watched {i % 13} quick foxes.",
                                  "meta": {"row": i}}) + "\n")


def run_db_in_during(backend: str, args: argparse.Namespace) -> Dict[str, Any]:
    """give_answers latency for --seconds without an import, then while ``mentor db-in`` runs."""
    with served(backend, args) as (workdir, db_url, (server,)):
        bulk = workdir / "bulk.jsonl"
        make_import_source(bulk, args.db_in_lines)
        results = Results()
        annotators = start_annotators(server.port, args, results, time.time() + 24 * 3600)
        began = time.time()
        time.sleep(args.seconds)
        import_began = time.time()
        imported = subprocess.run(
            [sys.executable, "-m", "mentor", "db-in", args.db_in_dataset, str(bulk)],
            env=server.env, capture_output=True, text=True,
        )
        import_ended = time.time()
        for annotator in annotators:
            annotator.deadline = time.time()
        for annotator in annotators:
            annotator.join()
        server.stop()
        check = check_stored(db_url, results.acknowledged)
        stored = count_dataset(db_url, args.db_in_dataset) if imported.returncode == 0 else 0
        if args.db_in_dataset == DATASET:
            stored -= check["stored"]  # the annotators' answers are in it too
    before = [lat * 1000 for lat, at in zip(results.latencies, results.sent_at) if began <= at < import_began]
    during = [lat * 1000 for lat, at in zip(results.latencies, results.sent_at) if import_began <= at < import_ended]
    return {
        "backend": backend,
        **describe_load(args),
        "without_import": {"seconds": round(import_began - began, 1), **latency_figures(before)},
        "during_import": {"seconds": round(import_ended - import_began, 1), **latency_figures(during)},
        "db_in_lines": args.db_in_lines,
        "db_in_dataset": args.db_in_dataset + (" (the served one)" if args.db_in_dataset == DATASET else " (new)"),
        "db_in_wall_s": round(import_ended - import_began, 1),
        "db_in_exit": imported.returncode,
        "db_in_said": re.sub(r"\x1b\[[0-9;]*m", "", (imported.stdout + imported.stderr).strip()).splitlines()[-1:],
        "db_in_stored": stored,
        "failed_attempts": results.failed_requests,
        **check,
    }


def count_dataset(db_url: str, name: str) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from mentor.db import Database

    db = Database(db_url)
    try:
        return db.count_dataset(name)
    finally:
        db.close()


def print_columns(names: Tuple[str, str], left: Dict[str, Any], right: Dict[str, Any], width: int) -> None:
    """Two runs' figures side by side, one line a figure."""
    print(f"  {'':{width}} {names[0]:>15} {names[1]:>15}")
    for key in left:
        print(f"  {key:{width}} {left[key]!s:>15} {right[key]!s:>15}")


def print_db_in_during(result: Dict[str, Any]) -> None:
    print(f"\n== {result['backend']}: give_answers beside a {result['db_in_lines']:,}-line db-in, "
          f"{result['annotators']} annotators, {result['mode']}, {result['offered_rate']}")
    print_columns(("without import", "during import"), result["without_import"], result["during_import"], width=32)
    for key, value in result.items():
        if key not in ("backend", "without_import", "during_import", "annotators", "mode", "offered_rate"):
            print(f"  {key:32} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotators", "-n", type=int, default=20)
    parser.add_argument("--seconds", "-t", type=float, default=15.0)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default=None,
                        help="default: both, or sqlite with --db-in-during")
    parser.add_argument("--kill", action="store_true", help="SIGKILL the server half-way and restart it")
    parser.add_argument("--restart-postgres", action="store_true", help="restart PostgreSQL half-way (postgres backend)")
    parser.add_argument("--instant-submit", action="store_true", help="one answer per give_answers request")
    parser.add_argument("--rate", type=float, default=None, help="offered load in answers/s (default: closed loop)")
    parser.add_argument("--tasks", type=int, default=200_000, help="tasks in the generated source")
    parser.add_argument("--db-in-during", action="store_true", help="time give_answers while a db-in runs (issue 12)")
    parser.add_argument("--db-in-lines", type=int, default=1_000_000, help="lines the --db-in-during import loads")
    parser.add_argument("--db-in-dataset", default="imported", help="dataset the --db-in-during import goes to")
    parser.add_argument("--db-url", default=None, help="an empty database to use instead of a new one (its backend)")
    parser.add_argument("--processes", type=int, default=None,
                        help="spread the annotators over N servers on one database, beside one server (issue 13)")
    parser.add_argument("--per-task", type=int, default=1,
                        help="annotations_per_task: each task to N different sessions (with --processes: across servers)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per backend")
    args = parser.parse_args()
    backend = args.backend or ("sqlite" if args.db_in_during else "both")
    backends = ["sqlite", "postgres"] if backend == "both" else [backend]
    if args.db_url:
        backends = ["postgres" if args.db_url.startswith("postgres") else args.db_url.split(":")[0].split("+")[0]]
    failed = False
    for backend in backends:
        run = run_processes if args.processes else run_db_in_during if args.db_in_during else run_backend
        result = run(backend, args)
        if args.json:
            print(json.dumps(result))
        elif args.processes:
            print_processes(result, args.processes)
        elif args.db_in_during:
            print_db_in_during(result)
        else:
            print(f"\n== {backend}: {result['annotators']} annotators, {result['mode']}, {result['seconds']} s"
                  + (", SIGKILL + restart half-way" if args.kill else ""))
            for key, value in result.items():
                print(f"  {key:32} {value}")
        failed = failed or result["lost"] > 0 or result["duplicates"] > 0
        if args.db_in_during and (result["db_in_exit"] != 0 or result["db_in_stored"] != args.db_in_lines):
            raise SystemExit(f"FAILED: the import did not store its {args.db_in_lines} lines: {result['db_in_said']}")
    if failed:
        raise SystemExit("FAILED: acknowledged answers were lost or stored twice")


if __name__ == "__main__":
    main()
