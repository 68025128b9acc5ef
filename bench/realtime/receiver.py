"""``gdprguard serve`` as the benchmark runs it: a home set up by ``gdprguard init``, the webhook
secret sealed in its vault, the receiver in its own process, and what can be read from outside
(``/metrics``, the queue table in the home's SQLite file, read-only, and the process's CPU time).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

__all__ = [
    "CONNECTOR",
    "EventRow",
    "MetricsPoller",
    "ReceiverProcess",
    "add_connector",
    "prepare_home",
    "read_events",
    "run_queue_seconds",
    "run_receiver",
]

CONNECTOR = "support"
TOKEN_VAR = "GDPRGUARD_BENCH_HELPDESK_TOKEN"
_LISTENING = re.compile(r"receiving webhooks on (http://\S+)/webhooks/")
_LOG_LINE = re.compile(r"^\S+ \S+ (?:WARNING|ERROR|CRITICAL) ([\w.]+):", re.M)
_DEPTH = re.compile(r"^gdprguard_webhook_queue_depth (\S+)$", re.M)
_BATCH = re.compile(r"^gdprguard_webhook_commit_batch_size_(count|sum) (\S+)$", re.M)
_SEAL = (
    "import sys; from gdprguard._config import load_settings; from gdprguard.vault import Vault; "
    "from gdprguard.realtime.secrets import save_webhook_secret; "
    "vault = Vault.from_settings(load_settings()); "
    "save_webhook_secret(vault, sys.argv[1], sys.stdin.read(), actor='benchmark'); vault.close()"
)


def prepare_home(workdir: Path, secret: str) -> dict[str, str]:
    """``gdprguard init --non-interactive`` in *workdir* and the webhook *secret* of connector
    ``support`` sealed in the new vault. Returns the environment to run ``gdprguard`` in."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GDPRGUARD_HOME": str(workdir / ".gdprguard")}
    env.pop("GDPRGUARD_CONFIG", None)
    _run([sys.executable, "-m", "gdprguard", "init", "--non-interactive"], workdir, env)
    _run([sys.executable, "-c", _SEAL, CONNECTOR], workdir, env, stdin=secret)
    return env


def add_connector(workdir: Path, env: dict[str, str], creds: dict[str, str]) -> None:
    """The sandbox as connector ``support`` in the home's configuration (its token in an
    environment variable, set in *env*)."""
    env[TOKEN_VAR] = creds["token"]
    with (workdir / "gdprguard.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            f'\n[connectors.{CONNECTOR}]\ntype = "zendesk"\nurl = "{creds["url"]}"\n'
            f'email = "{creds["email"]}"\ntoken = "env:{TOKEN_VAR}"\n'
        )


def _run(command: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None) -> None:
    done = subprocess.run(
        command, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise SystemExit(f"`{' '.join(command[:4])}` failed ({done.returncode}):\n{done.stderr}")


@dataclass
class ReceiverProcess:
    """A running ``gdprguard serve``."""

    process: subprocess.Popen[bytes]
    url: str
    workdir: Path

    @property
    def database(self) -> Path:
        """The home's SQLite file (``gdprguard init``'s default store)."""
        return self.workdir / ".gdprguard" / "gdprguard.db"

    def cpu_seconds(self) -> float:
        """User + system CPU time of the receiver process so far (Linux ``/proc``)."""
        return process_cpu_seconds(self.process.pid)

    def worker_pids(self) -> list[int]:
        """The receiver's child processes (its worker processes, if any)."""
        return children(self.process.pid)

    def workers_cpu_seconds(self) -> float:
        """CPU time of the worker processes so far (0 without)."""
        return sum(process_cpu_seconds(pid) for pid in self.worker_pids())

    def log_warnings(self) -> dict[str, int]:
        """Warning and error lines in the receiver's stderr so far, by logger."""
        counts: dict[str, int] = {}
        text = (self.workdir / "serve.log").read_text(encoding="utf-8", errors="replace")
        for found in _LOG_LINE.finditer(text):
            counts[found.group(1)] = counts.get(found.group(1), 0) + 1
        return counts

    def run_queue_seconds(self) -> float:
        """Time the receiver's threads, and its worker processes', have spent ready to run but
        waiting for a free core."""
        pids = [self.process.pid, *self.worker_pids()]
        return sum(run_queue_seconds(Path(f"/proc/{pid}/task")) for pid in pids)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of process *pid* so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The live child processes of *pid* (Linux ``/proc/PID/task/*/children``)."""
    found: list[int] = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        with suppress(OSError, ValueError):
            found += [int(child) for child in listing.read_text().split()]
    return found


def run_queue_seconds(tasks: Path = Path("/proc/self/task")) -> float:
    """Summed over the threads in *tasks*: time spent runnable, waiting for a core (Linux
    ``schedstat``; 0 where it is not available)."""
    total = 0
    for stat in tasks.glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


@contextmanager
def run_receiver(
    workdir: Path, env: dict[str, str], *, workers: int, queue_limit: int, worker_processes: int = 0
) -> Iterator[ReceiverProcess]:
    """Start ``gdprguard serve`` (the home's starter policy, a free port) and wait until it
    is ready (``/readyz``: its worker processes too); stopped with SIGTERM at the end (SIGKILL
    if it has not exited 10 s later)."""
    log = workdir / "serve.log"
    command = [
        sys.executable,
        "-m",
        "gdprguard",
        "serve",
        "--policy",
        "policies/default.yaml",
        "--port",
        "0",
        "--workers",
        str(workers),
        "--worker-processes",
        str(worker_processes),
        "--queue-limit",
        str(queue_limit),
    ]
    with log.open("wb") as errors:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
    try:
        url = _wait_listening(process, log)
        yield ReceiverProcess(process, url, workdir)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)  # it may miss a SIGTERM that lands inside waitress
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_listening(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = _LISTENING.search(log.read_text(encoding="utf-8", errors="replace"))
        if found:
            url = found.group(1)
            try:
                if requests.get(f"{url}/readyz", timeout=5).ok:
                    return url
            except requests.ConnectionError:
                pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gdprguard serve did not start:\n{log.read_text(errors='replace')}")


@dataclass(frozen=True)
class EventRow:
    """One row of the receiver's queue table (times as ``time.time()`` values)."""

    id: int
    ticket_id: str
    status: str
    attempts: int
    received: float
    finished: float | None


def _epoch(text: str | None) -> float | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def read_events(database: Path) -> dict[int, EventRow]:
    """Every event in the queue table, read through a read-only connection."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        rows = connection.execute(
            "SELECT id, ticket_id, status, attempts, received_at, finished_at FROM webhook_events"
        ).fetchall()
    finally:
        connection.close()
    return {
        int(r[0]): EventRow(
            int(r[0]), str(r[1]), str(r[2]), int(r[3]), _epoch(r[4]) or 0.0, _epoch(r[5])
        )
        for r in rows
    }


class MetricsPoller:
    """Polls ``/metrics`` in a thread for the queue depth; keeps the largest seen."""

    def __init__(self, url: str, every: float = 0.2) -> None:
        self.url = f"{url}/metrics"
        self.every = every
        self.max_depth = 0
        self.depth = 0
        self.polls = 0
        self.commits = 0  # group commits of the queue so far, and the webhooks in them
        self.committed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-metrics", daemon=True)
        self._session = requests.Session()

    def __enter__(self) -> MetricsPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)
        self._session.close()

    def poll(self) -> int:
        """Read the depth once."""
        text = self._session.get(self.url, timeout=30).text
        found = _DEPTH.search(text)
        self.depth = int(float(found.group(1))) if found else 0
        batches = {kind: int(float(value)) for kind, value in _BATCH.findall(text)}
        self.commits, self.committed = batches.get("count", 0), batches.get("sum", 0)
        self.max_depth = max(self.max_depth, self.depth)
        self.polls += 1
        return self.depth

    def _loop(self) -> None:
        while not self._stop.is_set():
            with suppress(requests.RequestException):
                self.poll()
            self._stop.wait(self.every)
