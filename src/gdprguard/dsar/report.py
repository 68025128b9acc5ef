"""``report.html`` of a DSAR export: the data subject's own explanation, in English and Japanese.

One self-contained page (inline CSS, no scripts, no external resources, a Content-Security-Policy
that forbids loading anything) saying who holds the data, what is held, where it came from, why,
how long it is kept and what the subject's rights are (GDPR and Japan's APPI), followed by the
data itself in readable form. Everything that came from a helpdesk is untrusted text: the
template is rendered with autoescaping on, always.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote

import jinja2

from .models import ExportDocument

__all__ = ["LABELS", "ReportSummary", "render_report", "summarize"]

#: plain-language words for the document's enumerations, per language
LABELS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "identifier": {"email": "Email address", "phone": "Phone number", "name": "Name"},
        "status": {
            "complete": "searched completely",
            "partial": "searched only in part",
            "failed": "could not be searched",
        },
        "applies_to": {
            "ticket": "Support tickets",
            "comment": "Messages in tickets",
            "attachment": "Attached files",
            "person": "Contact records",
        },
        "action": {
            "redact": "personal data in them is blacked out (redacted)",
            "redact_attachments": "attached files are removed",
            "anonymize_person": "the contact record is anonymised",
            "delete": "deleted",
            "purge": "permanently deleted (cannot be restored)",
            "keep": "kept",
        },
        "role": {
            "requester": "you asked",
            "submitter": "you submitted it",
            "cc": "you were copied",
            "follower": "you follow it",
            "author": "you wrote in it",
            "sender": "you sent the email",
            "mention": "you are mentioned",
            "person": "your contact record",
        },
    },
    "ja": {
        "identifier": {"email": "メールアドレス", "phone": "電話番号", "name": "氏名"},
        "status": {
            "complete": "すべて検索しました",
            "partial": "一部のみ検索できました",
            "failed": "検索できませんでした",
        },
        "applies_to": {
            "ticket": "お問い合わせ（チケット）",
            "comment": "お問い合わせ内のメッセージ",
            "attachment": "添付ファイル",
            "person": "連絡先情報",
        },
        "action": {
            "redact": "個人データを伏せ字にします",
            "redact_attachments": "添付ファイルを削除します",
            "anonymize_person": "連絡先情報を匿名化します",
            "delete": "削除します",
            "purge": "完全に削除します（復元できません）",
            "keep": "保存します",
        },
        "role": {
            "requester": "お問い合わせ者",
            "submitter": "起票者",
            "cc": "CC",
            "follower": "フォロワー",
            "author": "メッセージの投稿者",
            "sender": "メールの送信者",
            "mention": "言及",
            "person": "連絡先情報",
        },
    },
}


@dataclass(frozen=True)
class ReportSummary:
    """The counts the report states, computed once from the document."""

    people: int
    tickets: int
    comments: int
    comments_by_subject: int
    mention_tickets: int
    mention_comments: int
    withheld: int
    attachments: int
    attachments_included: int
    problems: int
    connectors_incomplete: int


def summarize(document: ExportDocument) -> ReportSummary:
    """Count what the document holds, as the report tells it."""
    full = [t for t in document.tickets if t.scope == "full"]
    mentions = [t for t in document.tickets if t.scope == "mentions"]
    comments = [c for t in document.tickets for c in t.comments]
    files = [a for c in comments for a in c.attachments]
    files += [p.photo for p in document.people if p.photo is not None]
    return ReportSummary(
        people=len(document.people),
        tickets=len(full),
        comments=sum(len(t.comments) for t in full),
        comments_by_subject=sum(c.by_subject for t in full for c in t.comments),
        mention_tickets=len(mentions),
        mention_comments=sum(len(t.comments) for t in mentions),
        withheld=sum(c.withheld for c in comments),
        attachments=len(files),
        attachments_included=sum(a.path is not None for a in files),
        problems=len(document.problems),
        connectors_incomplete=sum(c.status != "complete" for c in document.connectors),
    )


def render_report(document: ExportDocument) -> str:
    """Render ``report.html`` for *document* (autoescaped; safe for untrusted helpdesk text)."""
    template = _environment().get_template("report.html.j2")
    return template.render(doc=document, summary=summarize(document))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gdprguard.dsar", "templates"),
        autoescape=True,  # always, whatever the template's extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["when"] = _when
    env.filters["filesize"] = _filesize
    env.filters["href"] = _href
    env.filters["label"] = _label
    env.filters["after"] = _after
    return env


def _when(value: datetime | None) -> str:
    """``2024-03-04 10:00 UTC``: one unambiguous form for both languages."""
    if value is None:
        return "—"
    if value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value.strftime("%Y-%m-%d %H:%M")


def _filesize(value: int | None) -> str:
    if value is None:
        return "—"
    if value < 1024:
        return f"{value} B"
    size = value / 1024
    for unit in ("KB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _href(path: str) -> str:
    """A relative link to a file inside the export (each path segment percent-encoded)."""
    return quote(path, safe="/")


_AFTER = re.compile(r"^\s*(\d+)\s*([a-z]+)\s+after\s+(.+?)\s*$", re.IGNORECASE)
_UNIT = {"d": "d", "day": "d", "days": "d", "w": "w", "week": "w", "weeks": "w", "m": "m",
         "mo": "m", "month": "m", "months": "m", "y": "y", "year": "y", "years": "y"}  # fmt: skip
_UNIT_WORDS = {
    "en": {"d": ("day", "days"), "w": ("week", "weeks"), "m": ("month", "months"),
           "y": ("year", "years")},
    "ja": {"d": ("日",) * 2, "w": ("週間",) * 2, "m": ("か月",) * 2, "y": ("年",) * 2},
}  # fmt: skip
_EVENTS = {
    "en": {"created": "it was created", "updated": "it was last updated",
           "solved": "it was solved", "closed": "it was closed",
           "inactive": "the last activity", "last activity": "the last activity"},
    "ja": {"created": "作成", "updated": "最終更新", "solved": "解決", "closed": "クローズ",
           "inactive": "最後の利用", "last activity": "最後の利用"},
}  # fmt: skip


def _after(value: str | None, language: str) -> str:
    """``1y after solved`` in plain words (``1 year after it was solved``, ``解決から1年後``);
    anything else as it is."""
    if not value:
        return "—"
    match = _AFTER.match(value)
    unit = _UNIT.get(match.group(2).lower()) if match else None
    event = _EVENTS[language].get(match.group(3).lower()) if match else None
    if match is None or unit is None or event is None:
        return value
    count = int(match.group(1))
    word = _UNIT_WORDS[language][unit][count != 1]
    if language == "ja":
        return f"{event}から{count}{word}後"
    return f"{count} {word} after {event}"


def _label(value: str, language: str, group: str) -> str:
    """The plain-language word for an enumeration value, or the value itself if unknown."""
    return LABELS[language][group].get(value, value)
