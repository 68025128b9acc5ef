"""The DSAR export file: contents, checksums, tamper detection, encryption, atomic writing,
CSV safety, Japanese text, the subject's report and the committed JSON Schema."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import sys
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import pyzipper

from _dsar_sample import SAMPLE_ATTACHMENTS, empty_document, sample_document
from gdprguard._exceptions import UsageError
from gdprguard.dsar import package
from gdprguard.dsar.models import ExportComment, ExportDocument, ExportTicket
from gdprguard.dsar.package import (
    ExportWriteError,
    Manifest,
    VerifyReport,
    export_schema,
    generate_passphrase,
    safe_file_name,
    schema_text,
    verify_export,
    write_export,
)
from gdprguard.dsar.report import render_report

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "docs" / "dsar-export.schema.json"
PASSPHRASE = "tofu-mochi-river-7"
#: personal data of the sample that must never show in a problem, error or progress message
PERSONAL = ("taro", "yamada", "山田", "090-0000", "invoice", "領収書", "example.jp")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain export of the sample document with its two attachments (written once)."""
    out = tmp_path_factory.mktemp("export") / "request.zip"
    write_export(sample_document(), out, attachments=SAMPLE_ATTACHMENTS)
    return out


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(source: Path, target: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """Copy an export entry by entry, letting *change* edit the entries on the way."""
    entries = _entries(source)
    change(entries)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return target


def _codes(report: VerifyReport) -> set[str]:
    return {problem.code for problem in report.problems}


def _assert_no_personal_data(text: str) -> None:
    lowered = text.lower()
    assert not [word for word in PERSONAL if word.lower() in lowered], text


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV files start with a UTF-8 byte-order mark"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- contents and checksums ------------------------------------------------------------------


def test_export_holds_every_file_and_the_manifest_checksums_them(export: Path) -> None:
    entries = _entries(export)
    manifest = Manifest.model_validate_json(entries["manifest.json"])
    listed = {f.path: f for f in manifest.files}
    assert set(entries) - set(listed) == {"manifest.json"}
    assert {"data.json", "report.html", "people.csv", "tickets.csv", "comments.csv"} <= set(listed)
    for name, entry in listed.items():
        assert entry.sha256 == hashlib.sha256(entries[name]).hexdigest(), name
        assert entry.bytes == len(entries[name]), name
    assert manifest.request_id == "dsar-2024-0042"
    assert manifest.identifiers[0].value == "taro.yamada@example.jp"
    assert [c.name for c in manifest.connectors] == ["support", "jp-desk"]
    assert manifest.generated_at == sample_document().generated_at

    report = verify_export(export)
    assert report.ok and report.problems == []
    assert report.files_checked == len(listed)
    assert report.schema_checked and report.request_id == "dsar-2024-0042"


def test_data_json_is_the_document_with_attachments_placed(export: Path) -> None:
    entries = _entries(export)
    text = entries["data.json"].decode("utf-8")
    assert "山田 太郎" in text, "UTF-8, not \\u escapes"
    document = ExportDocument.model_validate_json(text)
    original = sample_document()
    attachments = [a for t in document.tickets for c in t.comments for a in c.attachments]
    assert [a.path for a in attachments] == [
        "attachments/support/1201/88001/9001-invoice 12345.pdf",
        "attachments/support/1201/88002/9002-領収書_.._2024.txt",  # a "/" cannot leave the folder
    ]
    for attachment in attachments:
        assert attachment.path is not None
        assert entries[attachment.path] == SAMPLE_ATTACHMENTS[attachment.id]
        assert attachment.sha256 == hashlib.sha256(SAMPLE_ATTACHMENTS[attachment.id]).hexdigest()
    # nothing else changed, and the caller's document was left alone
    for attachment in attachments:
        attachment.path = attachment.sha256 = None
    assert document == original
    assert sample_document() == original


def test_result_describes_what_was_written(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int | None]] = []
    out = tmp_path / "out.zip"
    result = write_export(
        sample_document(),
        out,
        attachments=SAMPLE_ATTACHMENTS,
        progress=lambda what, done, total: calls.append((what, done, total)),
    )
    entries = _entries(out)
    assert result.path == out and not result.encrypted
    assert result.bytes_written == out.stat().st_size
    assert [f.path for f in result.files][-1] == "manifest.json"
    assert {f.path: f.sha256 for f in result.files} == {
        name: hashlib.sha256(data).hexdigest() for name, data in entries.items()
    }
    assert calls[-1][1:] == (len(entries), len(entries))
    _assert_no_personal_data(repr(calls))
    assert out.stat().st_mode & 0o777 == 0o600, "an export holds personal data"


def test_attachments_can_be_keyed_by_connector_and_must_be_in_the_document(
    tmp_path: Path,
) -> None:
    result = write_export(sample_document(), tmp_path / "a.zip", attachments={"support:9001": b"x"})
    assert "attachments/support/1201/88001/9001-invoice 12345.pdf" in {f.path for f in result.files}
    with pytest.raises(ValueError, match="not in the export document"):
        write_export(sample_document(), tmp_path / "b.zip", attachments={"404": b"x"})
    with pytest.raises(ValueError, match="given twice"):
        write_export(
            sample_document(), tmp_path / "b.zip", attachments={"9001": b"x", "support:9001": b"x"}
        )
    assert not (tmp_path / "b.zip").exists()


def test_only_files_in_the_zip_have_a_path_in_data_json(tmp_path: Path) -> None:
    document = sample_document()
    stale = document.tickets[0].comments[0].attachments[0]
    stale.path, stale.sha256 = "attachments/elsewhere.pdf", "0" * 64
    write_export(document, tmp_path / "a.zip")
    assert verify_export(tmp_path / "a.zip").ok
    written = ExportDocument.model_validate_json(_entries(tmp_path / "a.zip")["data.json"])
    assert written.tickets[0].comments[0].attachments[0].path is None


def test_profile_photos_go_under_people(tmp_path: Path) -> None:
    result = write_export(sample_document(), tmp_path / "a.zip", attachments={"p-361": b"png"})
    assert "attachments/support/people/361/p-361-avatar.png" in {f.path for f in result.files}
    assert verify_export(tmp_path / "a.zip").ok


def test_empty_document_gives_a_valid_export(tmp_path: Path) -> None:
    out = tmp_path / "empty.zip"
    write_export(empty_document(), out)
    assert verify_export(out).ok
    entries = _entries(out)
    for name in ("people.csv", "tickets.csv", "comments.csv", "attachments.csv"):
        assert _csv_rows(entries[name]) == []
        assert entries[name].decode("utf-8-sig").count("\r\n") == 1  # the header row
    report = entries["report.html"].decode("utf-8")
    assert "no personal data" in report and "見つかりませんでした" in report
    assert not any(name.startswith("attachments/") for name in entries)


# --- tampering -------------------------------------------------------------------------------


TAMPERABLE = [
    "report.html",
    "data.json",
    "people.csv",
    "tickets.csv",
    "comments.csv",
    "attachments.csv",
    "attachments/support/1201/88001/9001-invoice 12345.pdf",
    "attachments/support/1201/88002/9002-領収書_.._2024.txt",
]


@pytest.mark.parametrize("name", TAMPERABLE)
def test_changing_any_file_is_caught(export: Path, tmp_path: Path, name: str) -> None:
    def flip_one_byte(entries: dict[str, bytes]) -> None:
        data = bytearray(entries[name])
        data[len(data) // 2] ^= 0x01
        entries[name] = bytes(data)

    report = verify_export(_rezip(export, tmp_path / "t.zip", flip_one_byte))
    assert not report.ok
    assert [p.code for p in report.problems] == ["checksum-mismatch"]
    _assert_no_personal_data(report.model_dump_json())
    if name.startswith("attachments/"):
        assert report.problems[0].file is not None
        assert report.problems[0].file.endswith(("/88001/9001…", "/88002/9002…"))


def test_added_removed_or_resized_files_are_caught(export: Path, tmp_path: Path) -> None:
    def add(entries: dict[str, bytes]) -> None:
        entries["attachments/support/1201/88001/9999-taro yamada.exe"] = b"MZ"
        entries["../../taro.txt"] = b"x"

    report = verify_export(_rezip(export, tmp_path / "add.zip", add))
    assert _codes(report) == {"unlisted-file", "unsafe-path"}
    _assert_no_personal_data(report.model_dump_json())

    report = verify_export(
        _rezip(export, tmp_path / "rm.zip", lambda e: e.pop("comments.csv") and None)
    )
    assert _codes(report) == {"file-missing"}
    assert report.problems[0].file == "comments.csv"

    def grow(entries: dict[str, bytes]) -> None:
        entries["people.csv"] += b"extra,row\r\n"

    assert _codes(verify_export(_rezip(export, tmp_path / "grow.zip", grow))) == {"size-mismatch"}


def test_a_rewritten_manifest_cannot_hide_a_broken_document(export: Path, tmp_path: Path) -> None:
    """Someone edits data.json and fixes up the manifest: the schema still catches it."""

    def edit(entries: dict[str, bytes]) -> None:
        data = json.loads(entries["data.json"])
        data["tickets"][0]["scope"] = "everything"
        data["tickets"][1]["comments"][0]["withheld"] = "taro.yamada@example.jp"
        entries["data.json"] = json.dumps(data, ensure_ascii=False).encode()
        manifest = Manifest.model_validate_json(entries["manifest.json"])
        for entry in manifest.files:
            if entry.path == "data.json":
                entry.sha256 = hashlib.sha256(entries["data.json"]).hexdigest()
                entry.bytes = len(entries["data.json"])
        entries["manifest.json"] = manifest.model_dump_json().encode()

    report = verify_export(_rezip(export, tmp_path / "t.zip", edit))
    assert _codes(report) == {"data-schema", "data-invalid"}
    details = [p.detail for p in report.problems if p.code == "data-schema"]
    assert details == [
        "does not match the JSON Schema at /tickets/0/scope",
        "does not match the JSON Schema at /tickets/1/comments/0/withheld",
    ]
    _assert_no_personal_data(report.model_dump_json())


def test_without_jsonschema_pydantic_still_validates(
    export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # import jsonschema -> ImportError
    package._schema_validator.cache_clear()
    try:
        assert verify_export(export).ok
        assert not verify_export(export).schema_checked

        def edit(entries: dict[str, bytes]) -> None:
            entries["data.json"] = entries["data.json"].replace(b'"full"', b'"all"', 1)
            manifest = json.loads(entries["manifest.json"])
            for entry in manifest["files"]:
                if entry["path"] == "data.json":
                    entry["sha256"] = hashlib.sha256(entries["data.json"]).hexdigest()
                    entry["bytes"] = len(entries["data.json"])
            entries["manifest.json"] = json.dumps(manifest).encode()

        report = verify_export(_rezip(export, tmp_path / "t.zip", edit))
        assert _codes(report) == {"data-invalid"}
        assert "tickets/0/scope" in report.problems[0].detail
    finally:
        package._schema_validator.cache_clear()


def test_not_an_export(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 this is not a zip")
    assert _codes(verify_export(junk)) == {"not-a-zip"}
    with zipfile.ZipFile(tmp_path / "bare.zip", "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert _codes(verify_export(tmp_path / "bare.zip")) == {"manifest-missing"}
    with pytest.raises(UsageError, match="no export file"):
        verify_export(tmp_path / "missing.zip")


# --- encryption ------------------------------------------------------------------------------


def test_encrypted_export_opens_only_with_the_passphrase(tmp_path: Path) -> None:
    out = tmp_path / "sealed.zip"
    result = write_export(
        sample_document(), out, attachments=SAMPLE_ATTACHMENTS, passphrase=PASSPHRASE
    )
    assert result.encrypted
    with pyzipper.AESZipFile(out) as archive:
        infos = archive.infolist()
        assert all(info.flag_bits & 0x1 for info in infos)
        assert {info.wz_aes_strength for info in infos} == {3}  # 256-bit
        assert {info.wz_aes_version for info in infos} == {2}  # AE-2
        with pytest.raises(RuntimeError):
            archive.read("data.json")  # no passphrase
        archive.setpassword(b"not-the-passphrase")
        with pytest.raises(RuntimeError):
            archive.read("data.json")
        archive.setpassword(PASSPHRASE.encode())
        document = ExportDocument.model_validate_json(archive.read("data.json"))
    assert document.request_id == "dsar-2024-0042"
    # entry names are not encrypted: attachments' file names stay inside
    names = " ".join(info.filename for info in infos)
    assert "attachments/support/1201/88001/9001.pdf" in names
    _assert_no_personal_data(names)

    assert verify_export(out, PASSPHRASE).ok
    assert _codes(verify_export(out)) == {"passphrase-needed"}
    assert _codes(verify_export(out, "wrong passphrase!")) == {"wrong-passphrase"}


def test_generated_passphrases_are_strong_and_typable() -> None:
    phrases = {generate_passphrase() for _ in range(50)}
    assert len(phrases) == 50
    for phrase in phrases:
        symbols = phrase.replace("-", "")
        assert len(symbols) >= 24
        assert set(symbols) <= set("abcdefghjkmnpqrstuvwxyz23456789")
    with pytest.raises(UsageError, match="at least 12"):
        write_export(empty_document(), Path("x.zip"), passphrase="short")
    assert not Path("x.zip").exists()


# --- writing atomically ----------------------------------------------------------------------


def test_a_full_disk_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = package._OutputFile.write

    def full_after_4k(self: package._OutputFile, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > 4096:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(package._OutputFile, "write", full_after_4k)
    out = tmp_path / "request.zip"
    with pytest.raises(ExportWriteError) as caught:
        write_export(sample_document(), out, attachments=SAMPLE_ATTACHMENTS)
    assert caught.value.exit_code == 2
    message = str(caught.value)
    assert "disk is full" in message and str(tmp_path) in message and "free some space" in message
    _assert_no_personal_data(message)
    assert list(tmp_path.iterdir()) == [], "neither the export nor a temporary file is left"


def test_an_unwritable_folder_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(package.tempfile, "mkstemp", denied)
    with pytest.raises(ExportWriteError, match=r"permission denied.*choose a folder"):
        write_export(sample_document(), tmp_path / "request.zip")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_leaves_nothing_behind(tmp_path: Path) -> None:
    def interrupt(_what: str, done: int, _total: int | None) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_export(sample_document(), tmp_path / "request.zip", progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_kept_unless_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "request.zip"
    out.write_bytes(b"earlier export")
    with pytest.raises(ExportWriteError, match="already exists"):
        write_export(sample_document(), out)
    assert out.read_bytes() == b"earlier export"
    write_export(sample_document(), out, overwrite=True)
    assert verify_export(out).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["request.zip"]

    with pytest.raises(ExportWriteError, match="is a folder"):
        write_export(sample_document(), tmp_path)
    with pytest.raises(ExportWriteError, match="does not exist"):
        write_export(sample_document(), tmp_path / "no" / "such" / "request.zip")


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_cannot_become_formulas(tmp_path: Path, start: str) -> None:
    document = empty_document()
    document.tickets = [
        ExportTicket(
            connector="support",
            id="1",
            scope="full",
            roles=["requester"],
            subject_line=f"{start}cmd|' /C calc'!A0",
            tags=[f"{start}SUM(A1:A9)"],
            comments=[ExportComment(id="2", by_subject=True, body=f"{start}1+1")],
        )
    ]
    out = tmp_path / "e.zip"
    write_export(document, out)
    entries = _entries(out)
    (ticket,) = _csv_rows(entries["tickets.csv"])
    (comment,) = _csv_rows(entries["comments.csv"])
    assert ticket["subject_line"] == f"'{start}cmd|' /C calc'!A0"
    assert ticket["tags"] == f"'{start}SUM(A1:A9)"
    assert comment["body"] == f"'{start}1+1"
    # data.json keeps the text exactly as the helpdesk had it
    assert ExportDocument.model_validate_json(entries["data.json"]).tickets[0].comments[0].body == (
        f"{start}1+1"
    )


def test_csv_tables_hold_one_row_per_record_in_japanese_too(export: Path) -> None:
    entries = _entries(export)
    people = _csv_rows(entries["people.csv"])
    assert [p["name"] for p in people] == ["Taro Yamada", "山田 太郎"]
    assert people[0]["phones"] == "'+81 90-0000-1234"  # guarded: a leading + is a formula
    assert people[1]["emails"] == "taro.yamada@example.jp; t.yamada@example.com"
    assert json.loads(people[0]["extra"]) == {"locale": "ja", "time_zone": "Asia/Tokyo"}
    tickets = _csv_rows(entries["tickets.csv"])
    assert [(t["id"], t["scope"], t["comments"]) for t in tickets] == [
        ("1201", "full", "3"),
        ("42", "full", "1"),
        ("1300", "mentions", "1"),
    ]
    assert tickets[0]["tags"] == "billing; 請求"
    comments = _csv_rows(entries["comments.csv"])
    assert len(comments) == 5
    assert (
        comments[0]["body"]
        == "請求書の宛名を「山田 太郎」に変更してください。\n電話: 090-0000-1234"
    )
    assert comments[0]["sender_name"] == "山田 太郎"
    assert comments[3]["body"].startswith("'-1 個だけ届きました")
    assert comments[4]["withheld"] == "3"
    attachments = _csv_rows(entries["attachments.csv"])
    assert [(a["id"], a["ticket_id"], a["person_id"]) for a in attachments] == [
        ("9001", "1201", ""),
        ("9002", "1201", ""),
        ("p-361", "", "361"),
    ]
    assert attachments[1]["file_name"] == "領収書/../2024.txt"


def test_safe_file_names() -> None:
    assert safe_file_name("../../etc/passwd") == "_.._etc_passwd"
    assert safe_file_name("résumé\u202egnp.exe") == "résumégnp.exe"  # no right-to-left override
    assert safe_file_name("CON.txt") == "_CON.txt"
    assert safe_file_name(" .. ") == "file"
    long = safe_file_name("報告書" * 100 + ".pdf")
    assert long.endswith(".pdf") and len(long.encode()) <= 120


# --- the report ------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects what the accessibility and safety checks look at."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables = self.captions = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.tables += tag == "table"
        self.captions += tag == "caption"


def test_report_escapes_helpdesk_text() -> None:
    document = sample_document()
    document.tickets[0].subject_line = '"><img src=x onerror=alert(2)>'
    html = render_report(document)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    page = _Page()
    page.feed(html)
    assert "script" not in {tag for tag, _ in page.tags}


def test_report_is_self_contained_and_accessible(export: Path) -> None:
    html = _entries(export)["report.html"].decode("utf-8")
    page = _Page()
    page.feed(html)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on") or a == "src"]
    assert "default-src 'none'" in html  # nothing can be loaded, even if escaping ever failed
    assert {"main", "nav", "header", "section", "h1", "h2", "caption"} <= tags
    assert page.tables == page.captions > 0
    sections = {attrs.get("id"): attrs.get("lang") for tag, attrs in page.tags if tag == "section"}
    assert sections["en"] == "en" and sections["ja"] == "ja"
    hrefs = {attrs.get("href") for tag, attrs in page.tags if tag == "a"}
    assert {"#en", "#ja"} <= hrefs
    assert "attachments/support/1201/88001/9001-invoice%2012345.pdf" in hrefs
    assert not [h for h in hrefs if h and h.startswith(("http:", "https:", "//"))]
    assert 'name="viewport"' in html


def test_report_tells_the_subject_what_why_how_long_and_their_rights() -> None:
    html = render_report(sample_document())
    # who, what, where
    assert "Example Trading K.K. (株式会社エグザンプル商事)" in html
    assert "<strong>2</strong> contact records" in html
    assert "we withheld 3 pieces of their personal data" in html
    assert "searched only in part" in html and "一部のみ検索できました" in html
    # why and how long
    assert "performance of a contract" in html and "legitimate interest" in html
    assert "契約の履行" in html and "正当な利益" in html
    assert "redact-solved-tickets" in html and "1 year after it was solved" in html
    assert "解決から1年後" in html and "3y after last activity" not in html
    assert "personal data in them is blacked out (redacted)" in html
    assert "個人データを伏せ字にします" in html
    # rights under the GDPR and the APPI
    for article in ("15", "16", "17", "18", "20", "21", "22", "77"):
        assert f"Article {article})" in html and f"第{article}条" in html
    for word in ("Rectification", "Erasure", "Restriction", "Portability", "Objection"):
        assert word in html
    assert "supervisory authority" in html and "Personal Information Protection Commission" in html
    for word in ("保有している個人データ", "開示", "訂正", "利用停止", "個人情報保護委員会"):
        assert word in html
    # the subject's own text, in Japanese, with the layout kept
    assert "請求書の宛名を「山田 太郎」に変更してください。\n電話: 090-0000-1234" in html


def test_report_without_controller_or_retention_rules() -> None:
    html = render_report(empty_document())
    assert "The organisation that sent you this file" in html
    assert "このファイルをお送りした事業者" in html
    assert "No automatic deletion rule applies" in html


# --- the JSON Schema -------------------------------------------------------------------------


def test_committed_schema_is_generated_from_the_model() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "regenerate: python -m gdprguard.dsar.package > docs/dsar-export.schema.json"
    )
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/docs/dsar-export.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == export_schema()


def test_real_documents_validate_against_the_committed_schema(export: Path) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    for document in (
        json.loads(_entries(export)["data.json"]),
        json.loads(empty_document().model_dump_json()),
        json.loads(sample_document().model_dump_json()),
    ):
        assert list(validator.iter_errors(document)) == []
    broken = json.loads(sample_document().model_dump_json())
    broken["people"][0]["surprise"] = True
    del broken["request_id"]
    assert {e.validator for e in validator.iter_errors(broken)} == {
        "required",
        "additionalProperties",
    }
