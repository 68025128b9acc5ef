"""Build the public-corpus subsets from clones of their upstream repositories.

::

    python -m bench.detection.public.build \\
        --source presidio-research-synth=PATH --source presidio-recognizer-tests=PATH \\
        --source stockmark-ner-wikipedia=PATH --source ud-japanese-gsd-ne=PATH \\
        [--data-dir DIR] [--update-checksums]

``PATH`` is a git clone (or bare mirror) of the corpus's repository: files are read with
``git show <pinned commit>:<path>``, so the checkout's branch does not matter (for
``ud-japanese-gsd-ne`` the pinned commit is the head of the repository's pull request #24:
``git fetch origin pull/24/head``). A plain directory holding the files works too; the
checksum then tells whether they are the pinned version. Each subset is written as
``<corpus>.jsonl`` with its attribution beside it (``<corpus>.ATTRIBUTION.md``) and must match
the SHA-256 in ``checksums.json`` (``--update-checksums`` records new ones, for a deliberate
change of commit or subset rule). The subsets are deterministic: the same commit gives the same
bytes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.detection.public.corpora import (
    CHECKSUMS_FILE,
    CORPORA,
    CorpusError,
    CorpusSpec,
    PublicRecord,
    corpus,
    data_dir,
    expected_checksums,
    sha256_file,
)
from bench.detection.public.extract import (
    ExtractError,
    gsd_subset,
    presidio_synth_subset,
    stockmark_subset,
)
from bench.detection.public.presidio_tests import PresidioCases, extract_cases, merge_cases

__all__ = ["build_corpus", "main", "read_source", "to_jsonl"]

#: test file name -> the entity type its cases are about
PRESIDIO_TEST_TYPES = {
    "test_credit_card_recognizer.py": "CREDIT_CARD",
    "test_email_recognizer.py": "EMAIL_ADDRESS",
    "test_iban_recognizer.py": "IBAN_CODE",
    "test_ip_recognizer.py": "IP_ADDRESS",
    "test_phone_recognizer.py": "PHONE_NUMBER",
    "test_url_recognizer.py": "URL",
}


def _is_git_dir(path: Path) -> bool:
    return (path / ".git").exists() or ((path / "objects").is_dir() and (path / "HEAD").is_file())


def read_source(root: Path, commit: str, rel: str) -> str:
    """``rel`` at ``commit`` from the git repository ``root``, or ``root/rel`` from a plain
    directory."""
    if _is_git_dir(root):
        git_dir = root / ".git" if (root / ".git").exists() else root
        proc = subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"{commit}:{rel}"],
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            raise CorpusError(
                f"{root} has no {rel} at commit {commit[:12]}; fetch that commit into the "
                "clone (see the module docstring) or pass a directory holding the file"
            )
        return proc.stdout.decode("utf-8")
    path = root / rel
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror}") from None


def _presidio_cases(spec: CorpusSpec, read: Callable[[str], str]) -> list[PublicRecord]:
    parts: list[PresidioCases] = []
    for rel in spec.source.paths:
        name = rel.rsplit("/", 1)[-1]
        parts.append(extract_cases(read(rel), PRESIDIO_TEST_TYPES[name], name.removesuffix(".py")))
    merged = merge_cases(parts)
    left_out = ", ".join(f"{reason}: {n}" for reason, n in sorted(merged.skipped.items()))
    print(f"{spec.name}: {len(merged.records)} cases; left out: {left_out}", file=sys.stderr)
    return merged.records


def build_corpus(spec: CorpusSpec, root: Path) -> list[PublicRecord]:
    """The subset of ``spec`` read from the clone at ``root``."""

    def read(rel: str) -> str:
        return read_source(root, spec.source.commit, rel)

    paths = spec.source.paths
    try:
        if spec.name == "presidio-research-synth":
            return presidio_synth_subset(read(paths[0]))
        if spec.name == "stockmark-ner-wikipedia":
            return stockmark_subset(read(paths[0]))
        if spec.name == "ud-japanese-gsd-ne":
            return gsd_subset(read(paths[0]), read(paths[1]))
        if spec.name == "presidio-recognizer-tests":
            return _presidio_cases(spec, read)
    except (ExtractError, KeyError, ValueError) as exc:
        raise CorpusError(f"{spec.name}: the upstream file is not as expected ({exc})") from None
    raise CorpusError(f"no builder for {spec.name}")


def to_jsonl(records: Sequence[PublicRecord]) -> str:
    """One compact JSON object per line, keys in a fixed order, non-ASCII kept as is."""
    return "".join(
        json.dumps(r.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n"
        for r in records
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.detection.public.build", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="CORPUS=PATH",
        help="a clone of the corpus's repository (repeat per corpus)",
    )
    parser.add_argument("--data-dir", type=Path, help="where to write the subsets")
    parser.add_argument(
        "--update-checksums",
        action="store_true",
        help="record the new files' SHA-256 in checksums.json instead of checking them",
    )
    args = parser.parse_args(argv)
    if not args.source:
        parser.error("give at least one --source CORPUS=PATH")
    return args


def _run(args: argparse.Namespace) -> int:
    sources: list[tuple[CorpusSpec, Path]] = []
    for item in args.source:
        name, sep, path = item.partition("=")
        if not sep or not path:
            raise CorpusError(f"--source {item!r} is not CORPUS=PATH")
        sources.append((corpus(name), Path(path)))
    out_dir = data_dir(args.data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    checksums = expected_checksums() if CHECKSUMS_FILE.is_file() else {}
    mismatched = []
    for spec, root in sources:
        records = build_corpus(spec, root)
        target = out_dir / spec.file_name
        target.write_text(to_jsonl(records), encoding="utf-8")
        shutil.copyfile(spec.licence_file, out_dir / f"{spec.name}.ATTRIBUTION.md")
        digest = sha256_file(target)
        if args.update_checksums:
            checksums[spec.file_name] = digest
        elif checksums.get(spec.file_name) != digest:
            mismatched.append(spec.file_name)
        print(f"wrote {target} ({len(records)} records, sha256 {digest[:12]}…)", file=sys.stderr)
    if args.update_checksums:
        ordered = {s.file_name: checksums[s.file_name] for s in CORPORA if s.file_name in checksums}
        CHECKSUMS_FILE.write_text(json.dumps(ordered, indent=2) + "\n", encoding="utf-8")
        print(f"recorded checksums in {CHECKSUMS_FILE}", file=sys.stderr)
    if mismatched:
        print(
            f"error: {', '.join(mismatched)} differ from checksums.json: the source is not the "
            "pinned commit, or the subset rule changed (then rerun with --update-checksums)",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return _run(args)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
