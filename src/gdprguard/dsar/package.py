"""The DSAR export file: one ZIP with the subject's data, as JSON, tables and a readable report.

Layout (format version 1)::

    manifest.json     format, format_version, request_id, generated_at, identifiers, connectors,
                      generator and files: [{path, sha256, bytes}] for every other file
    data.json         the ExportDocument, UTF-8 (JSON Schema: docs/dsar-export.schema.json)
    report.html       the explanation for the subject, in English and Japanese
    people.csv        connector, id, name, emails, phones, role, active, created_at, updated_at,
                      organization_id, photo, extra, found_by
    tickets.csv       connector, id, scope, roles, subject_line, status, channel, archived, tags,
                      created_at, updated_at, comments, attachments, retention, found_by
    comments.csv      connector, ticket_id, id, author_id, by_subject, sender_name, sender_address,
                      created_at, public, kind, body, withheld, attachments
    attachments.csv   connector, ticket_id, comment_id, person_id, id, file_name, content_type,
                      size, path, sha256
    attachments/<connector>/<ticket>/<comment>/<id>-<file name>      files, when given
    attachments/<connector>/people/<person>/<id>-<file name>         profile photos, when given

CSV files are UTF-8 with a byte-order mark (so Excel, Japanese editions included, reads them as
UTF-8), CRLF line ends, a header row and one row per record. Lists are joined with ``"; "``,
``extra`` is a JSON object, times are ISO 8601, booleans ``true``/``false``, empty cells mean
"not known". A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is prefixed with ``'`` so that a spreadsheet shows it as text and never runs it as a formula.

The file is written atomically: into a temporary file beside *out*, fsynced, then renamed, so
*out* is either a whole export or absent. It is created with mode 0600 (it holds personal data).
With a passphrase it is an AES-256 encrypted ZIP (WinZip AE-2, which 7-Zip, WinZip, Keka and The
Unarchiver open). ZIP encryption hides contents, not entry names, so an encrypted export names
attachments ``<id><extension>`` instead of ``<id>-<file name>``; the file names are in
``data.json`` and ``attachments.csv``.

Run ``python -m gdprguard.dsar.package > docs/dsar-export.schema.json`` to regenerate the schema.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import secrets
import sys
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal

import pyzipper
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import __version__
from .._exceptions import InputError, UsageError
from .._home import fsync_dir
from .models import (
    ConnectorRead,
    ExportAttachment,
    ExportDocument,
    Identifier,
)
from .report import render_report

__all__ = [
    "DATA_FILE",
    "MANIFEST_FILE",
    "MIN_PASSPHRASE_LENGTH",
    "REPORT_FILE",
    "REQUIRED_FILES",
    "SCHEMA_ID",
    "ExportFile",
    "ExportResult",
    "ExportWriteError",
    "Manifest",
    "ProgressCallback",
    "VerifyProblem",
    "VerifyReport",
    "export_schema",
    "generate_passphrase",
    "safe_file_name",
    "schema_text",
    "verify_export",
    "write_export",
]

MANIFEST_FILE = "manifest.json"
DATA_FILE = "data.json"
REPORT_FILE = "report.html"
CSV_FILES = ("people.csv", "tickets.csv", "comments.csv", "attachments.csv")
#: files every export holds, besides the manifest
REQUIRED_FILES = (DATA_FILE, REPORT_FILE, *CSV_FILES)
ATTACHMENTS_DIR = "attachments"

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = (
    "https://raw.githubusercontent.com/gdprguard/gdprguard/main/docs/dsar-export.schema.json"
)
MIN_PASSPHRASE_LENGTH = 12

#: ``progress(what, done, total or None)``, as the sweep reports it; *what* is never personal
ProgressCallback = Callable[[str, int, int | None], None]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: no 0/o, 1/l/i: easy to read aloud and type on a phone
_PASSPHRASE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CHUNK = 1 << 16


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExportFile(_Model):
    """One file inside the export."""

    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)


class Manifest(_Model):
    """``manifest.json``: what the export is and a checksum of every other file in it."""

    format: Literal["gdprguard-dsar-export"] = "gdprguard-dsar-export"
    format_version: Literal["1"] = "1"
    request_id: str
    generated_at: datetime
    identifiers: list[Identifier]
    connectors: list[ConnectorRead]
    generator: str
    files: list[ExportFile]


class ExportResult(_Model):
    """What :func:`write_export` wrote: every file in the ZIP (the manifest last)."""

    path: Path
    files: list[ExportFile]
    bytes_written: int = Field(description="size of the ZIP file")
    encrypted: bool


class VerifyProblem(_Model):
    """One thing wrong with an export; never holds personal data (attachments by id only)."""

    code: str = Field(description="not-a-zip, checksum-mismatch, unlisted-file, …")
    file: str | None = None
    detail: str


class VerifyReport(_Model):
    """What :func:`verify_export` found. ``ok`` is True when there are no problems."""

    ok: bool
    encrypted: bool
    request_id: str | None = None
    files_checked: int = 0
    schema_checked: bool = Field(
        default=False, description="data.json was checked against the JSON Schema (jsonschema)"
    )
    problems: list[VerifyProblem] = Field(default_factory=list)


class ExportWriteError(UsageError):
    """The export file could not be written where asked (full disk, no permission, exists)."""


# ---------------------------------------------------------------------------------------------
# writing


def write_export(
    document: ExportDocument,
    out: Path,
    *,
    attachments: Mapping[str, bytes] | None = None,
    passphrase: str | None = None,
    progress: ProgressCallback | None = None,
    overwrite: bool = False,
) -> ExportResult:
    """Write *document* as an export ZIP at *out*, all or nothing.

    *attachments* maps attachment ids of the document (or ``connector:id`` where the same id is
    in two helpdesks) to the files' bytes; their ``path`` and ``sha256`` are set in ``data.json``
    (*document* itself is not changed). With *passphrase* the ZIP is AES-256 encrypted.
    Raises :class:`ExportWriteError` if *out* exists (unless *overwrite*) or cannot be written,
    ``ValueError`` for an attachment key that is not in the document.
    """
    out = Path(out)
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise UsageError(
            f"the export passphrase is too short: use at least {MIN_PASSPHRASE_LENGTH} "
            "characters, or let gdprguard generate one"
        )
    _check_target(out, overwrite)
    entries = _build_entries(document, attachments or {}, encrypted=passphrase is not None)
    manifest = Manifest(
        request_id=document.request_id,
        generated_at=document.generated_at,
        identifiers=document.identifiers,
        connectors=document.connectors,
        generator=f"gdprguard {__version__}",
        files=[_describe(name, data) for name, data in entries],
    )
    manifest_bytes = manifest.model_dump_json(indent=2).encode("utf-8") + b"\n"
    entries.insert(0, (MANIFEST_FILE, manifest_bytes))
    size = _write_atomically(
        out,
        entries,
        passphrase=passphrase,
        when=_zip_time(document.generated_at),
        overwrite=overwrite,
        progress=progress or (lambda _what, _done, _total: None),
    )
    return ExportResult(
        path=out,
        files=[*manifest.files, _describe(MANIFEST_FILE, manifest_bytes)],
        bytes_written=size,
        encrypted=passphrase is not None,
    )


def generate_passphrase(groups: int = 6, group_size: int = 5) -> str:
    """A strong passphrase that is easy to type: ``k7mq2-xv9td-…`` (30 symbols, ~148 bits).

    Lower-case letters and digits without look-alikes (0/o, 1/l/i), in dash-separated groups,
    drawn with :mod:`secrets`.
    """
    if groups * group_size < 24:
        raise ValueError("a passphrase needs at least 24 random characters")
    return "-".join(
        "".join(secrets.choice(_PASSPHRASE_ALPHABET) for _ in range(group_size))
        for _ in range(groups)
    )


def _check_target(out: Path, overwrite: bool) -> None:
    where = out.parent.resolve()
    if out.is_dir():
        raise ExportWriteError(
            f"the export path in {where} is a folder; give a file name ending in .zip"
        )
    if not where.is_dir():
        raise ExportWriteError(
            f"cannot write the export: the folder {where} does not exist; create it or choose "
            "another output path"
        )
    if out.exists() and not overwrite:
        raise ExportWriteError(
            f"an export file already exists at that path in {where}; choose another file name "
            "or remove the old file first"
        )


def _write_atomically(
    out: Path,
    entries: Sequence[tuple[str, bytes]],
    *,
    passphrase: str | None,
    when: tuple[int, int, int, int, int, int],
    overwrite: bool,
    progress: ProgressCallback,
) -> int:
    where = out.parent.resolve()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=where)
    except OSError as exc:
        raise _write_error(exc, where) from None
    try:
        with io.BufferedWriter(_OutputFile(fd, "wb")) as handle:
            _write_zip(handle, entries, passphrase=passphrase, when=when, progress=progress)
            handle.flush()
            os.fsync(handle.fileno())
            size = handle.tell()
        _publish(Path(tmp), out, overwrite=overwrite)
        fsync_dir(where)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _write_error(exc, where) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return size


class _OutputFile(io.FileIO):
    """The temporary file under the ZIP writer (its own class so tests can fill the disk)."""


def _write_zip(
    handle: IO[bytes],
    entries: Sequence[tuple[str, bytes]],
    *,
    passphrase: str | None,
    when: tuple[int, int, int, int, int, int],
    progress: ProgressCallback,
) -> None:
    archive: zipfile.ZipFile
    if passphrase is None:
        archive = zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED)
    else:
        archive = pyzipper.AESZipFile(
            handle,
            "w",
            compression=pyzipper.ZIP_DEFLATED,
            encryption=pyzipper.WZ_AES,
            encryption_kwargs={"nbits": 256, "force_wz_aes_version": 2},  # AE-2
        )
    with archive:
        if passphrase is not None:
            archive.setpassword(passphrase.encode("utf-8"))
        info_cls: type[zipfile.ZipInfo] = getattr(archive, "zipinfo_cls", zipfile.ZipInfo)
        for done, (name, data) in enumerate(entries, start=1):
            info = info_cls(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
            progress("writing export", done, len(entries))


def _publish(tmp: Path, out: Path, *, overwrite: bool) -> None:
    """Move the finished file into place; without *overwrite*, never clobber a file that
    appeared meanwhile (a hard link fails if *out* exists)."""
    if overwrite:
        os.replace(tmp, out)
        return
    try:
        os.link(tmp, out)
    except FileExistsError:
        raise ExportWriteError(
            f"an export file appeared at that path in {out.parent.resolve()} while writing; "
            "choose another file name"
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if out.exists():  # no hard links on this file system (FAT, some shares)
            raise ExportWriteError(
                f"an export file appeared at that path in {out.parent.resolve()} while "
                "writing; choose another file name"
            ) from None
        os.replace(tmp, out)
        return
    tmp.unlink()


def _write_error(exc: OSError, where: Path) -> ExportWriteError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ExportWriteError(
            f"cannot write the export file in {where}: the disk is full (or over quota); "
            "free some space or choose another folder, then run the export again"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ExportWriteError(
            f"cannot write the export file in {where}: permission denied or read-only; "
            "choose a folder you can write to"
        )
    reason = exc.strerror or "write failed"
    return ExportWriteError(
        f"cannot write the export file in {where}: {reason}; check the folder and try again"
    )


def _describe(name: str, data: bytes) -> ExportFile:
    return ExportFile(path=name, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """The entries' timestamp: the document's time in UTC (ZIP times start in 1980)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    if moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


# ---------------------------------------------------------------------------------------------
# contents


def _build_entries(
    document: ExportDocument, attachments: Mapping[str, bytes], *, encrypted: bool
) -> list[tuple[str, bytes]]:
    """Every file but the manifest, in ZIP order; attachments' path and sha256 filled in."""
    doc = document.model_copy(deep=True)
    files = _place_attachments(doc, attachments, encrypted=encrypted)
    data = doc.model_dump_json(indent=2).encode("utf-8") + b"\n"
    return [
        (REPORT_FILE, render_report(doc).encode("utf-8")),
        (DATA_FILE, data),
        ("people.csv", _people_csv(doc)),
        ("tickets.csv", _tickets_csv(doc)),
        ("comments.csv", _comments_csv(doc)),
        ("attachments.csv", _attachments_csv(doc)),
        *files,
    ]


def _place_attachments(
    doc: ExportDocument, given: Mapping[str, bytes], *, encrypted: bool
) -> list[tuple[str, bytes]]:
    slots: dict[str, list[tuple[str, ExportAttachment, str]]] = {}
    for connector, folder, attachment in _all_attachments(doc):
        attachment.path = attachment.sha256 = None  # only what is in this ZIP gets a path
        for key in (attachment.id, f"{connector}:{attachment.id}"):
            slots.setdefault(key, []).append((connector, attachment, folder))
    used: set[str] = set()
    placed: set[int] = set()
    files: list[tuple[str, bytes]] = []
    for key, data in given.items():
        found = slots.get(key)
        if not found:
            raise ValueError(f"attachment {key!r} is not in the export document")
        if len({connector for connector, _, _ in found}) > 1:
            raise ValueError(
                f"attachment id {key!r} is in more than one helpdesk; key it as 'connector:id'"
            )
        if placed & {id(attachment) for _, attachment, _ in found}:
            raise ValueError(f"attachment {key!r} is given twice (by id and by connector:id)")
        digest = hashlib.sha256(data).hexdigest()
        for _, attachment, folder in found:
            placed.add(id(attachment))
            path = _unique(f"{folder}/{_attachment_name(attachment, encrypted)}", used)
            attachment.path, attachment.sha256 = path, digest
            files.append((path, data))
    return files


def _all_attachments(doc: ExportDocument) -> Iterable[tuple[str, str, ExportAttachment]]:
    """``(connector, folder, attachment)`` for every attachment and photo in the document."""
    for ticket in doc.tickets:
        for comment in ticket.comments:
            folder = "/".join(
                (ATTACHMENTS_DIR, *(_segment(s) for s in (ticket.connector, ticket.id, comment.id)))
            )
            for attachment in comment.attachments:
                yield ticket.connector, folder, attachment
    for person in doc.people:
        if person.photo is not None:
            segments = (_segment(person.connector), "people", _segment(person.id))
            yield person.connector, "/".join((ATTACHMENTS_DIR, *segments)), person.photo


def _attachment_name(attachment: ExportAttachment, encrypted: bool) -> str:
    ident = _segment(attachment.id)
    name = safe_file_name(attachment.file_name)
    if encrypted:  # entry names are not encrypted: keep the file's name out of them
        suffix = PurePosixPath(name).suffix
        return ident + (suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix) else "")
    return f"{ident}-{name}"


def _unique(path: str, used: set[str]) -> str:
    candidate, n = path, 1
    while candidate in used:
        n += 1
        stem, dot, ext = path.rpartition(".")
        candidate = f"{stem}-{n}.{ext}" if dot and "/" not in ext else f"{path}-{n}"
    used.add(candidate)
    return candidate


_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


def safe_file_name(name: str, *, limit: int = 120) -> str:
    """A file name that is safe on Windows, macOS and Linux and cannot leave its folder.

    NFC-normalised; separators, control and invisible formatting characters (e.g. right-to-left
    overrides that disguise an extension) replaced or dropped; reserved Windows names avoided;
    at most *limit* UTF-8 bytes, keeping the extension.
    """
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    name = _UNSAFE_CHARS.sub("_", name).strip(" .")
    if not name:
        name = "file"
    if _RESERVED.match(name):
        name = f"_{name}"
    if len(name.encode("utf-8")) > limit:
        suffix = PurePosixPath(name).suffix
        suffix = suffix if len(suffix.encode("utf-8")) <= 16 else ""
        stem = name[: len(name) - len(suffix)] if suffix else name
        while len((stem + suffix).encode("utf-8")) > limit:
            stem = stem[:-1]
        name = stem.rstrip(" .") + suffix
    return name


def _segment(value: str) -> str:
    return safe_file_name(value, limit=64)


def _cell(value: object) -> str:
    """One CSV cell; text that a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, bool | int | float):
        return _text(value)  # a number is never a formula
    text = _text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value)
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _found_by(evidence: Iterable[Any]) -> list[str]:
    return [f"{e.role} ({e.confidence}, {e.via})" for e in evidence]


def _people_csv(doc: ExportDocument) -> bytes:
    plain = ("connector", "id", "name", "emails", "phones", "role", "active", "created_at",
             "updated_at", "organization_id")  # fmt: skip
    rows = (
        [
            *(getattr(p, c) for c in plain),
            p.photo.file_name if p.photo else None,
            p.extra or None,
            _found_by(p.evidence),
        ]
        for p in doc.people
    )
    return _csv((*plain, "photo", "extra", "found_by"), rows)


def _tickets_csv(doc: ExportDocument) -> bytes:
    plain = ("connector", "id", "scope", "roles", "subject_line", "status", "channel",
             "archived", "tags", "created_at", "updated_at")  # fmt: skip
    rows = (
        [
            *(getattr(t, c) for c in plain),
            len(t.comments),
            sum(len(c.attachments) for c in t.comments),
            t.retention,
            _found_by(t.evidence),
        ]
        for t in doc.tickets
    )
    return _csv((*plain, "comments", "attachments", "retention", "found_by"), rows)


def _comments_csv(doc: ExportDocument) -> bytes:
    header = ("connector", "ticket_id", "id", "author_id", "by_subject", "sender_name",
              "sender_address", "created_at", "public", "kind", "body", "withheld",
              "attachments")  # fmt: skip
    rows = (
        [
            t.connector,
            t.id,
            c.id,
            c.author_id,
            c.by_subject,
            c.sender.name if c.sender else None,
            c.sender.address if c.sender else None,
            c.created_at,
            c.public,
            c.kind,
            c.body,
            c.withheld,
            [a.file_name for a in c.attachments],
        ]
        for t in doc.tickets
        for c in t.comments
    )
    return _csv(header, rows)


def _attachments_csv(doc: ExportDocument) -> bytes:
    header = ("connector", "ticket_id", "comment_id", "person_id", "id", "file_name",
              "content_type", "size", "path", "sha256")  # fmt: skip
    owned: list[tuple[str, str | None, str | None, str | None, ExportAttachment]]
    owned = [(t.connector, t.id, c.id, None, a) for t in doc.tickets for c in t.comments
             for a in c.attachments]  # fmt: skip
    owned += [(p.connector, None, None, p.id, p.photo) for p in doc.people if p.photo]
    rows = (
        [*owner, a.id, a.file_name, a.content_type, a.size, a.path, a.sha256] for *owner, a in owned
    )
    return _csv(header, rows)


# ---------------------------------------------------------------------------------------------
# schema


def export_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``data.json``, generated from :class:`ExportDocument`."""
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **ExportDocument.model_json_schema()}


def schema_text() -> str:
    """:func:`export_schema` as committed in ``docs/dsar-export.schema.json``."""
    return json.dumps(export_schema(), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------
# verifying


_UNSAFE_ENTRY = re.compile(r"^/|^[A-Za-z]:|\\")
_READ_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    pyzipper.BadZipFile,
    RuntimeError,  # a wrong password (pyzipper, zipfile)
    zlib.error,
    EOFError,
    NotImplementedError,  # a compression or encryption method not supported
)
_DATA_ERRORS: tuple[type[BaseException], ...] = (*_READ_ERRORS, UnicodeDecodeError, ValueError)


def verify_export(path: Path, passphrase: str | None = None) -> VerifyReport:
    """Re-open an export and check it against its manifest.

    Every listed file must exist with the listed size and SHA-256, no file may be unlisted
    (besides ``manifest.json``), and ``data.json`` must validate against the JSON Schema (when
    ``jsonschema`` is installed) and as an :class:`ExportDocument`. Problems name files, and
    attachments by id only: never personal data. Raises :class:`InputError` if *path* is not a
    file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"no export file at that path in {path.parent.resolve()}; check the path and try again"
        )
    checker = _Verifier()
    try:
        with pyzipper.AESZipFile(path) as archive:
            checker.run(archive, passphrase)
    except (zipfile.BadZipFile, pyzipper.BadZipFile, zlib.error, EOFError):
        checker.problem("not-a-zip", None, "the file is not a readable ZIP archive")
    return checker.report()


class _Verifier:
    def __init__(self) -> None:
        self.problems: list[VerifyProblem] = []
        self.encrypted = False
        self.request_id: str | None = None
        self.files_checked = 0
        self.schema_checked = False
        self.listed: dict[str, ExportFile] = {}
        #: entry name -> attachment id, from data.json: how problems name attachments
        self.attachment_ids: dict[str, str] = {}

    def problem(self, code: str, name: str | None, detail: str) -> None:
        shown = None if name is None else self._shown(name)
        self.problems.append(VerifyProblem(code=code, file=shown, detail=detail))

    def _shown(self, name: str) -> str:
        """An entry name safe to show: attachments by folder and id, never by file name."""
        if name in REQUIRED_FILES or name == MANIFEST_FILE:
            return name
        ident = self.attachment_ids.get(name)
        if ident is None:
            return "(an entry whose name is not shown)"
        return f"{name.rsplit('/', 1)[0]}/{_segment(ident)}…"

    def report(self) -> VerifyReport:
        return VerifyReport(
            ok=not self.problems,
            encrypted=self.encrypted,
            request_id=self.request_id,
            files_checked=self.files_checked,
            schema_checked=self.schema_checked,
            problems=self.problems,
        )

    def run(self, archive: Any, passphrase: str | None) -> None:
        infos: list[zipfile.ZipInfo] = archive.infolist()
        self.encrypted = any(info.flag_bits & 0x1 for info in infos)
        if self.encrypted:
            if passphrase is None:
                self.problem(
                    "passphrase-needed", None, "the export is encrypted; give its passphrase"
                )
                return
            archive.setpassword(passphrase.encode("utf-8"))
        names = self._names(infos)
        manifest = self._manifest(archive, names)
        if manifest is None:
            return
        self.request_id = manifest.request_id
        data = self._load_data(archive, names)
        for entry in manifest.files:
            self._check_file(archive, names, entry)
        for required in REQUIRED_FILES:
            if required not in self.listed:
                self.problem("file-missing", required, "a file every export holds is not listed")
        for name in names:
            if name != MANIFEST_FILE and name not in self.listed:
                self.problem("unlisted-file", name, "a file in the archive is not in the manifest")
        if data is not None:
            self._check_data(data, manifest)

    def _names(self, infos: Sequence[zipfile.ZipInfo]) -> list[str]:
        names: list[str] = []
        for info in infos:
            name = info.filename
            if _UNSAFE_ENTRY.search(name) or ".." in PurePosixPath(name).parts:
                self.problem("unsafe-path", name, "an entry name points outside the archive")
            if name in names:
                self.problem("duplicate-entry", name, "two entries in the archive have that name")
                continue
            names.append(name)
        return names

    def _manifest(self, archive: Any, names: Sequence[str]) -> Manifest | None:
        if MANIFEST_FILE not in names:
            self.problem("manifest-missing", MANIFEST_FILE, "the archive has no manifest")
            return None
        try:
            raw = archive.read(MANIFEST_FILE)
        except RuntimeError:
            self.problem("wrong-passphrase", None, "the passphrase does not open the export")
            return None
        except _READ_ERRORS:
            self.problem("unreadable", MANIFEST_FILE, "the manifest is damaged")
            return None
        try:
            manifest = Manifest.model_validate_json(raw)
        except ValidationError as exc:
            self.problem("manifest-invalid", MANIFEST_FILE, _where(exc))
            return None
        for entry in manifest.files:
            if entry.path in self.listed or entry.path == MANIFEST_FILE:
                self.problem("manifest-invalid", entry.path, "the manifest lists this file twice")
            self.listed[entry.path] = entry
        return manifest

    def _check_file(self, archive: Any, names: Sequence[str], entry: ExportFile) -> None:
        if entry.path not in names:
            self.problem("file-missing", entry.path, "a file in the manifest is not in the archive")
            return
        digest, size = hashlib.sha256(), 0
        try:
            with archive.open(entry.path) as handle:
                while chunk := handle.read(min(_CHUNK, entry.bytes + 1 - size)):
                    digest.update(chunk)
                    size += len(chunk)
                    if size > entry.bytes:
                        break
        except _READ_ERRORS:
            self.problem("unreadable", entry.path, "the file is damaged inside the archive")
            return
        self.files_checked += 1
        if size != entry.bytes:
            self.problem("size-mismatch", entry.path, "the file's size differs from the manifest")
        elif digest.hexdigest() != entry.sha256:
            self.problem("checksum-mismatch", entry.path, "its SHA-256 differs from the manifest")

    def _load_data(self, archive: Any, names: Sequence[str]) -> object | None:
        if DATA_FILE not in names:
            return None
        try:
            data = json.loads(archive.read(DATA_FILE).decode("utf-8"))
        except _DATA_ERRORS:
            self.problem("data-invalid", DATA_FILE, "data.json is not readable UTF-8 JSON")
            return None
        self.attachment_ids = dict(_attachment_paths(data))
        return data

    def _check_data(self, data: object, manifest: Manifest) -> None:
        schema_errors = _schema_errors(data)
        self.schema_checked = schema_errors is not None
        for where in schema_errors or ():
            self.problem("data-schema", DATA_FILE, f"does not match the JSON Schema at {where}")
        try:
            document = ExportDocument.model_validate(data)
        except ValidationError as exc:
            self.problem("data-invalid", DATA_FILE, _where(exc))
            return
        if document.request_id != manifest.request_id:
            self.problem("manifest-mismatch", DATA_FILE, "request_id differs from the manifest")
        for _, _, attachment in _all_attachments(document):
            if attachment.path is None:
                continue
            listed = self.listed.get(attachment.path)
            if listed is None or listed.sha256 != attachment.sha256:
                self.problem(
                    "attachment-mismatch",
                    attachment.path,
                    f"attachment {attachment.id} in data.json does not match the manifest",
                )


def _attachment_paths(node: object) -> Iterable[tuple[str, str]]:
    """``(path, id)`` of every attachment in parsed data.json, however malformed it is."""
    if isinstance(node, dict):
        path, ident = node.get("path"), node.get("id")
        if "file_name" in node and isinstance(path, str) and isinstance(ident, str):
            yield path, ident
        for value in node.values():
            yield from _attachment_paths(value)
    elif isinstance(node, list):
        for value in node:
            yield from _attachment_paths(value)


def _where(exc: ValidationError) -> str:
    """Where validation failed and why, without the offending values."""
    first = exc.errors(include_input=False, include_url=False)[0]
    location = "/".join(str(part) for part in first["loc"]) or "(top)"
    return f"invalid at {location} ({first['type']}); {exc.error_count()} error(s) in all"


def _schema_errors(data: object) -> list[str] | None:
    """JSON pointers where *data* breaks the schema (at most 20; the messages would quote
    values); None when ``jsonschema`` is not installed (pydantic still validates)."""
    validator = _schema_validator()
    if validator is None:
        return None
    pointers = sorted(
        {
            "/" + "/".join(str(part) for part in error.absolute_path)
            for error in validator.iter_errors(data)
        }
    )
    return pointers[:20]


@lru_cache(maxsize=1)
def _schema_validator() -> Any:
    try:
        import jsonschema
    except ImportError:  # an optional dependency, installed with the test extra
        return None
    return jsonschema.Draft202012Validator(export_schema())


if __name__ == "__main__":  # python -m gdprguard.dsar.package > docs/dsar-export.schema.json
    sys.stdout.write(schema_text())
