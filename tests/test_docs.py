"""The README tells the truth: its quickstart matches CI and its Python example runs."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_quickstart_is_two_commands_and_ci_runs_the_second() -> None:
    quickstart = README.split("## Quickstart", 1)[1]
    first_block = re.search(r"```bash\n(.*?)```", quickstart, flags=re.DOTALL)
    assert first_block is not None
    lines = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert len(lines) == 2
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert lines[1] in ci_script.splitlines()
    sample = re.search(r"gdprguard scan (\S+)", lines[0])
    assert sample is None or (ROOT / sample.group(1)).is_file()


def test_python_example_prints_what_its_comment_says() -> None:
    (example,) = [block for block in _blocks("python") if "redact_text" in block]
    expected = re.search(r"print\(.*\)\s+# (.+)", example)
    assert expected is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example, "README.md", "exec"), {})
    assert out.getvalue().strip() == expected.group(1).strip()


def test_every_linked_doc_exists() -> None:
    for target in re.findall(r"\]\((docs/[^)]+)\)", README):
        assert (ROOT / target).is_file(), target
