"""Vault benchmark: envelope seal/open against raw AESGCM, and rotation of many data keys.

    python -m bench.vault.run [--keys 100000] [--write-docs]

* Crypto overhead: ``DataKey.seal/open`` (format header, associated data binding record id, kind
  and subject) against raw ``AESGCM.encrypt(os.urandom(12), data, None)`` / ``decrypt`` from
  cryptography: same key and data, interleaved rounds, best round of each. Target <= 1.3x (4 KiB).
* End to end: ``Vault.seal``/``Vault.open`` on SQLite (one transaction per record), for context.
* Rotation: ``Vault.rotate`` re-wrapping N data keys on SQLite (data is not re-encrypted).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gdprguard.store import Store, data_keys
from gdprguard.vault import DataKey, FileKeyProvider, Vault
from gdprguard.vault._keyring import wrap_context

DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
START, END = "<!-- bench:vault:start -->", "<!-- bench:vault:end -->"
RECORD = {
    "record_id": "zendesk:support:comment:1234567",
    "kind": "original",
    "subject_ref": "a" * 64,
}


def _best(fn: Callable[[], object], number: int, rounds: int) -> float:
    """Best seconds per call over *rounds* rounds of *number* calls."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def crypto_overhead(size: int, number: int, rounds: int) -> dict[str, float]:
    material = os.urandom(32)
    raw = AESGCM(material)
    key = DataKey(secrets.token_hex(16), material)
    data = os.urandom(size)
    nonce = os.urandom(12)
    raw_ct = raw.encrypt(nonce, data, None)
    blob = key.seal(data, **RECORD)
    rid, kind, sub = RECORD["record_id"], RECORD["kind"], RECORD["subject_ref"]
    results = {
        "raw_seal": float("inf"),
        "seal": float("inf"),
        "raw_open": float("inf"),
        "open": float("inf"),
    }
    for _ in range(rounds):  # interleave so machine noise hits both sides alike
        results["raw_seal"] = min(
            results["raw_seal"], _best(lambda: raw.encrypt(os.urandom(12), data, None), number, 1)
        )
        results["seal"] = min(
            results["seal"],
            _best(lambda: key.seal(data, record_id=rid, kind=kind, subject_ref=sub), number, 1),
        )
        results["raw_open"] = min(
            results["raw_open"], _best(lambda: raw.decrypt(nonce, raw_ct, None), number, 1)
        )
        results["open"] = min(
            results["open"],
            _best(lambda: key.open(blob, record_id=rid, kind=kind, subject_ref=sub), number, 1),
        )
    return results


def end_to_end(tmp: Path, count: int) -> dict[str, float]:
    store = Store(f"sqlite:///{tmp / 'e2e.db'}")
    vault = Vault(store, FileKeyProvider(tmp / "e2e.key"), checkpoint_dir=tmp)
    data = os.urandom(4096)
    start = time.perf_counter()
    for n in range(count):
        vault.seal(f"r:{n}", data, kind="original", subject_id=f"s:{n % 50}")
    seal = (time.perf_counter() - start) / count
    start = time.perf_counter()
    for n in range(count):
        vault.open(f"r:{n}")
    opened = (time.perf_counter() - start) / count
    vault.close()
    return {"seal": seal, "open": opened}


def rotation(tmp: Path, keys: int) -> dict[str, float]:
    store = Store(f"sqlite:///{tmp / 'rotate.db'}")
    provider = FileKeyProvider(tmp / "rotate.key")
    vault = Vault(store, provider, checkpoint_dir=tmp)
    vault.seal("r:probe", b"probe", kind="original", subject_id="s:probe")
    now = datetime.now(UTC)
    start = time.perf_counter()
    with store.session() as session:
        vault.keyring.register_master_key(session, provider.primary_key_id())
        batch = []
        for _ in range(keys):
            key_id = secrets.token_hex(16)
            scope = f"subject:{secrets.token_hex(32)}"
            kek_id, wrapped = provider.wrap(os.urandom(32), wrap_context(key_id, scope))
            batch.append(
                {
                    "key_id": key_id,
                    "scope": scope,
                    "kek_id": kek_id,
                    "wrapped": wrapped,
                    "created_at": now,
                }
            )
            if len(batch) == 5000:
                session.execute(data_keys.insert(), batch)
                batch = []
        if batch:
            session.execute(data_keys.insert(), batch)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    report = vault.rotate(actor="bench", batch_size=1000)
    seconds = time.perf_counter() - start
    assert vault.open("r:probe") == b"probe"
    vault.close()
    return {"keys": report.rewrapped, "seconds": seconds, "setup": setup}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=100_000, help="data keys to rotate")
    parser.add_argument("--records", type=int, default=2000, help="records for the e2e run")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--write-docs", action="store_true", help=f"rewrite the section in {DOCS}")
    args = parser.parse_args(argv)

    rows = []
    for size, number in ((4096, 2000), (65536, 300)):
        r = crypto_overhead(size, number, args.rounds)
        rows.append((size, r))
        print(
            f"{size // 1024:>3} KiB  seal {r['seal'] * 1e6:7.2f} us vs raw"
            f" {r['raw_seal'] * 1e6:7.2f} us ({r['seal'] / r['raw_seal']:.2f}x)"
            f"   open {r['open'] * 1e6:7.2f} us vs raw"
            f" {r['raw_open'] * 1e6:7.2f} us ({r['open'] / r['raw_open']:.2f}x)",
            file=sys.stderr,
        )
    with tempfile.TemporaryDirectory() as tmp:
        e2e = end_to_end(Path(tmp), args.records)
        print(
            f"Vault.seal {1 / e2e['seal']:.0f}/s, Vault.open {1 / e2e['open']:.0f}/s"
            " (4 KiB, SQLite)",
            file=sys.stderr,
        )
        rot = rotation(Path(tmp), args.keys)
        print(
            f"rotation: {rot['keys']} data keys re-wrapped in {rot['seconds']:.1f} s "
            f"({rot['keys'] / rot['seconds']:.0f} keys/s)",
            file=sys.stderr,
        )

    if args.write_docs:
        four = rows[0][1]
        ok = max(four["seal"] / four["raw_seal"], four["open"] / four["raw_open"]) <= 1.3
        verdict = "met" if ok else "not met"
        command = "python -m bench.vault.run --write-docs"
        if args.keys != 100_000:
            command = f"python -m bench.vault.run --keys {args.keys} --write-docs"
        lines = [
            START,
            f"Command: `{command}` ({platform.python_implementation()} "
            f"{platform.python_version()}, {os.cpu_count()} CPUs). Baseline: raw `AESGCM` from "
            "cryptography with a fresh `os.urandom(12)` nonce and no associated data, same key and "
            "data, rounds interleaved, best round of each.",
            "",
            "| record | seal | raw encrypt | overhead | open | raw decrypt | overhead |",
            "|---|---|---|---|---|---|---|",
        ]
        for size, r in rows:
            lines.append(
                f"| {size // 1024} KiB | {r['seal'] * 1e6:.2f} µs | {r['raw_seal'] * 1e6:.2f} µs | "
                f"{r['seal'] / r['raw_seal']:.2f}× | {r['open'] * 1e6:.2f} µs | "
                f"{r['raw_open'] * 1e6:.2f} µs | {r['open'] / r['raw_open']:.2f}× |"
            )
        lines += [
            "",
            f"Target: ≤ 1.3× raw AESGCM for 4 KiB records: {verdict} in this run. The overhead "
            "is a fixed ~1-2 µs per call (associated data, header, one copy), so it shows at "
            "4 KiB and vanishes at 64 KiB; on a shared, loaded machine the 4 KiB ratio varies "
            "from run to run.",
            "",
            "| end to end (SQLite, 4 KiB, one transaction per record) | per second |",
            "|---|---|",
            f"| `Vault.seal` | {1 / e2e['seal']:.0f} |",
            f"| `Vault.open` | {1 / e2e['open']:.0f} |",
            "",
            "| rotation (SQLite, file key provider, batches of 1000) | time |",
            "|---|---|",
            f"| re-wrap {rot['keys']:,} data keys (data not re-encrypted) | {rot['seconds']:.1f} s "
            f"({rot['keys'] / rot['seconds']:,.0f} keys/s) |",
            END,
        ]
        text = DOCS.read_text(encoding="utf-8")
        if START not in text or END not in text:
            print(f"markers {START} / {END} not found in {DOCS}", file=sys.stderr)
            return 2
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        DOCS.write_text(head + "\n".join(lines) + tail, encoding="utf-8")
        print(f"wrote the vault section of {DOCS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
