"""``gdprguard scan`` / ``gdprguard redact`` per the contract, including bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gdprguard.cli.main import main

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GDPRGUARD_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GDPRGUARD_CONFIG", raising=False)


def write(tmp_path: Path, lines: list[str | bytes]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b"".join((ln if isinstance(ln, bytes) else ln.encode()) + b"\n" for ln in lines)
    )
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict], str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


RECORDS = [
    json.dumps({"id": 1, "text": "mail taro@example.jp, tel 090-1234-5678"}),
    json.dumps({"id": "b", "text": "山田太郎様", "language": "ja"}),
    json.dumps({"id": 3, "text": ""}),
    "",
    json.dumps({"id": 4, "text": "nothing to see"}),
]


def test_scan_outputs_one_line_per_record_in_order(tmp_path: Path, capsys) -> None:
    code, out, err = run(["scan", str(write(tmp_path, RECORDS))], capsys)
    assert code == 0, err
    assert [r["id"] for r in out] == [1, "b", 3, 4]
    assert out[0]["entities"] == [
        {"type": "EMAIL_ADDRESS", "start": 5, "end": 20, "score": 1.0},
        {"type": "PHONE_NUMBER", "start": 26, "end": 39, "score": 1.0},
    ]
    assert out[1]["entities"][0]["type"] == "PERSON"
    assert out[2]["entities"] == [] and out[3]["entities"] == []
    assert "text" not in out[0]
    assert "taro" not in err


def test_scan_entities_and_min_score(tmp_path: Path, capsys) -> None:
    path = str(write(tmp_path, RECORDS[:1]))
    _, out, _ = run(["scan", path, "--entities", "PHONE_NUMBER"], capsys)
    assert [e["type"] for e in out[0]["entities"]] == ["PHONE_NUMBER"]
    code, _, err = run(["scan", path, "--entities", "PHONE_NUMBER,SSN"], capsys)
    assert code == 2 and "SSN" in err and "EMAIL_ADDRESS" in err
    code, _, err = run(["scan", path, "--min-score", "3"], capsys)
    assert code == 2 and "min-score" in err
    code, _, err = run(["scan", path, "--language", "fr"], capsys)
    assert code == 2 and "language" in err


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("placeholder", "mail <EMAIL_ADDRESS>, tel <PHONE_NUMBER>"),
        ("mask", "mail " + "█" * 15 + ", tel " + "█" * 13),
    ],
)
def test_redact_operators(tmp_path: Path, capsys, operator: str, expected: str) -> None:
    code, out, _ = run(
        ["redact", str(write(tmp_path, RECORDS[:1])), "--operator", operator], capsys
    )
    assert code == 0 and out[0]["text"] == expected and len(out[0]["entities"]) == 2


def test_redact_pseudonym_uses_the_key_file_init_made(tmp_path: Path, capsys) -> None:
    path = str(write(tmp_path, RECORDS[:1]))
    code, _, err = run(["redact", path, "--operator", "pseudonym"], capsys)
    assert code == 2 and "gdprguard init" in err
    assert not (tmp_path / "home").exists()
    assert main(["init", "--non-interactive"]) == 0
    capsys.readouterr()
    _, first, _ = run(["redact", path, "--operator", "pseudonym"], capsys)
    _, second, _ = run(["redact", path, "--operator", "pseudonym"], capsys)
    key_file = tmp_path / "home" / "pseudonym.key"
    assert key_file.exists() and (key_file.stat().st_mode & 0o077) == 0
    assert first[0]["text"] == second[0]["text"]
    assert first[0]["text"].startswith("mail <EMAIL_ADDRESS_")


def test_redact_pseudonym_key_from_config(tmp_path: Path, capsys, monkeypatch) -> None:
    path = str(write(tmp_path, RECORDS[:1]))
    (tmp_path / "gdprguard.toml").write_text('[detection]\npseudonym_key = "env:GG_PSEUDO"\n')
    code, _, err = run(["redact", path, "--operator", "pseudonym"], capsys)
    assert code == 2 and "GG_PSEUDO" in err
    monkeypatch.setenv("GG_PSEUDO", "one")
    _, a, _ = run(["redact", path, "--operator", "pseudonym"], capsys)
    monkeypatch.setenv("GG_PSEUDO", "two")
    _, b, _ = run(["redact", path, "--operator", "pseudonym"], capsys)
    assert a[0]["text"] != b[0]["text"]
    assert not (tmp_path / "home" / "pseudonym.key").exists()


def test_invalid_operator(tmp_path: Path, capsys) -> None:
    code, _, err = run(["redact", str(write(tmp_path, RECORDS[:1])), "--operator", "x"], capsys)
    assert code == 2 and "placeholder" in err


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ('{"id": 2, "text": "unterminated', "not valid JSON"),
        ('{"id": 2}', '"text" must be a string'),
        ('{"id": 2, "text": 5}', '"text" must be a string'),
        ('{"text": "x"}', '"id"'),
        ('{"id": [1], "text": "x"}', '"id"'),
        ('{"id": 2, "text": "x", "language": "fr"}', '"language"'),
        ("[1, 2]", "JSON object"),
        (b"\xff\xfe\x00garbage", "not valid UTF-8"),
        (b"\x00\x01\x02binary", "not valid JSON"),
    ],
)
def test_bad_line_stops_with_exit_2_naming_the_line(
    tmp_path: Path, capsys, bad: str | bytes, needle: str
) -> None:
    path = write(tmp_path, [RECORDS[0], bad, RECORDS[4]])
    code, out, err = run(["scan", str(path)], capsys)
    assert code == 2
    assert "line 2" in err and needle in err
    assert "Traceback" not in err
    assert [r["id"] for r in out] == [1]  # the records before the bad line, complete


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ('{"id": "jane.roe@example.com", "text": null}', '"text" must be a string, it is null'),
        ('{"id": "jane.roe@example.com", "text": {"a": 1}}', "it is an object"),
        ('{"id": "jane.roe@example.com", "text": "x", "language": "fr"}', '"language"'),
        ('{"id": null, "text": "x"}', '"id" must be a string or an integer, it is null'),
        ('{"id": 1.5, "text": "x"}', "it is a number"),
        ('["jane.roe@example.com"]', "got an array"),
    ],
)
def test_bad_line_is_named_by_number_never_by_its_id_nor_in_python_terms(
    tmp_path: Path, capsys, bad: str, needle: str
) -> None:
    code, _, err = run(["scan", str(write(tmp_path, [RECORDS[0], bad]))], capsys)
    assert code == 2 and "line 2" in err and needle in err
    assert "jane.roe" not in err
    for python_word in ("NoneType", "dict", "list", "float", "str"):
        assert python_word not in err.split(":", 2)[-1].split(), python_word


def test_missing_input_file(tmp_path: Path, capsys) -> None:
    code, _, err = run(["scan", str(tmp_path / "nope.jsonl")], capsys)
    assert code == 2 and "does not exist" in err


def test_one_megabyte_text_and_lone_surrogates(tmp_path: Path, capsys) -> None:
    big = ("x" * 99 + " ") * 10_000 + "taro@example.jp"
    lines = [json.dumps({"id": 1, "text": big}), '{"id": 2, "text": "\\ud800 a@example.com"}']
    code, out, err = run(["scan", str(write(tmp_path, lines))], capsys)
    assert code == 0, err
    assert out[0]["entities"] == [
        {"type": "EMAIL_ADDRESS", "start": len(big) - 15, "end": len(big), "score": 1.0}
    ]
    assert out[1]["entities"][0]["start"] == 2


@pytest.mark.slow
def test_stdin_via_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "GDPRGUARD_HOME": str(tmp_path / "home")}
    data = "\n".join(RECORDS[:2]) + "\n"
    proc = subprocess.run(
        [sys.executable, "-m", "gdprguard.cli.main", "redact", "-"],
        input=data.encode(),
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert out[1]["text"] == "<PERSON>様"
    bad = subprocess.run(
        [sys.executable, "-m", "gdprguard.cli.main", "scan"],
        input=b'{"id": 1, "text": "a"}\nnot json\n',
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert bad.returncode == 2
    assert b"stdin line 2" in bad.stderr and b"Traceback" not in bad.stderr


def test_bundled_sample_scans(capsys) -> None:
    code, out, err = run(["scan", str(REPO / "examples" / "sample-tickets.jsonl")], capsys)
    assert code == 0, err
    assert len(out) == 10
    by_id = {r["id"]: {e["type"] for e in r["entities"]} for r in out}
    assert by_id[5] == set()  # SKU, price and a date: nothing personal
    assert "JP_MY_NUMBER" in by_id[7] and "JP_BANK_ACCOUNT" in by_id[9]
