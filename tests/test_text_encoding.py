"""scan and redact read Shift_JIS (CP932), EUC-JP and ISO-2022-JP files with --encoding auto
and say which encoding they used; a UTF-8 reader meeting one says how to fix it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gdprguard._exceptions import InputError
from gdprguard.cli.main import main
from gdprguard.text.encoding import SAMPLE_BYTES, detect_encoding, open_lines

RECORDS = [
    {"id": 1, "text": "山田太郎です。電話は090-1234-5678です。"},
    {"id": 2, "text": "ご注文の件、ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ までご連絡ください。"},
    {"id": 3, "text": "Plain ASCII line with jane@example.com"},
]
TEXT = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS)


@pytest.mark.parametrize(
    ("codec", "expected"),
    [("utf-8", "utf-8"), ("cp932", "cp932"), ("euc_jp", "euc_jp"), ("iso2022_jp", "iso2022_jp")],
)
def test_the_encoding_is_detected(codec: str, expected: str) -> None:
    assert detect_encoding(TEXT.encode(codec)) == expected


def test_lines_are_whole_across_the_detection_sample() -> None:
    long_line = json.dumps({"id": 0, "text": "あ" * (SAMPLE_BYTES // 2 + 7)}, ensure_ascii=False)
    data = (long_line + "\n" + TEXT).encode("cp932")
    used, lines = open_lines(io.BytesIO(data), "auto", "test")
    decoded = [line for _n, line in lines]
    assert used == "cp932" and decoded[0] == long_line + "\n"
    assert [json.loads(line) for line in decoded[1:]] == RECORDS


@pytest.mark.parametrize("codec", ["cp932", "euc_jp", "iso2022_jp"])
def test_scan_reads_a_japanese_legacy_file_with_encoding_auto(
    codec: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(TEXT.encode(codec))
    assert main(["scan", str(path), "--encoding", "auto"]) == 0
    out, err = capsys.readouterr()
    found = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in found] == [1, 2, 3]
    types = {e["type"] for r in found for e in r["entities"]}
    assert {"PHONE_NUMBER", "EMAIL_ADDRESS"} <= types
    assert f"as {codec}" in err


def test_a_shift_jis_file_read_as_utf8_says_how_to_fix_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(TEXT.encode("cp932"))
    assert main(["redact", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "line 1: not valid UTF-8" in err and "--encoding auto" in err
    assert "山田" not in err
    assert main(["redact", str(path), "--encoding", "cp932"]) == 0
    assert "<PHONE_NUMBER>" in capsys.readouterr().out
    assert main(["scan", str(path), "--encoding", "klingon"]) == 2
    assert "not an encoding" in capsys.readouterr().err


def test_an_unknown_encoding_name_is_refused() -> None:
    with pytest.raises(InputError, match="not an encoding"):
        open_lines(io.BytesIO(b""), "klingon", "test")
