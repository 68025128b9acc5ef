"""A realistic, clearly fake DSAR export document for tests (English and Japanese).

``sample_document()`` is a subject with a person record in two helpdesks, a ticket they asked,
a ticket they are copied on, and someone else's ticket that mentions them; ``empty_document()`` is
a search that found nothing. Every name, address and number is made up (example.com/.jp domains,
numbers from ranges kept for fiction or never assigned).
"""

from __future__ import annotations

from datetime import UTC, datetime

from gdprguard.dsar.models import (
    ConnectorRead,
    EmailSender,
    Evidence,
    ExportAttachment,
    ExportComment,
    ExportDocument,
    ExportPerson,
    ExportTicket,
    Identifier,
    Problem,
    RetentionRule,
)

__all__ = ["SAMPLE_ATTACHMENTS", "empty_document", "sample_document"]

GENERATED_AT = datetime(2024, 5, 20, 9, 30, tzinfo=UTC)

#: file contents for the sample's attachment ids (the ``attachments`` argument of write_export)
SAMPLE_ATTACHMENTS: dict[str, bytes] = {
    "9001": b"%PDF-1.4\n% fake invoice for tests\n",
    "9002": "領収書（テスト用のダミーです）\n".encode(),
}


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2024, 3, day, hour, 0, tzinfo=UTC)


def sample_document() -> ExportDocument:
    """A subject found in a Zendesk and a Freshdesk, with tickets, mentions and attachments."""
    person_link = Evidence(role="person", confidence="certain", via="person-record")
    return ExportDocument(
        request_id="dsar-2024-0042",
        generated_at=GENERATED_AT,
        controller="Example Trading K.K. (株式会社エグザンプル商事)",
        identifiers=[
            Identifier(kind="email", value="taro.yamada@example.jp"),
            Identifier(kind="phone", value="+81 90-0000-1234"),
            Identifier(kind="name", value="山田 太郎"),
        ],
        connectors=[
            ConnectorRead(name="support", type="zendesk", status="complete"),
            ConnectorRead(name="jp-desk", type="freshdesk", status="partial", error="rate-limited"),
        ],
        people=[
            ExportPerson(
                connector="support",
                id="361",
                name="Taro Yamada",
                emails=["taro.yamada@example.jp"],
                phones=["+81 90-0000-1234"],
                role="end-user",
                created_at=_at(1),
                updated_at=_at(2),
                organization_id="77",
                photo=ExportAttachment(
                    id="p-361", file_name="avatar.png", content_type="image/png", size=2048
                ),
                extra={"time_zone": "Asia/Tokyo", "locale": "ja"},
                evidence=[person_link],
            ),
            ExportPerson(
                connector="jp-desk",
                id="5000012",
                name="山田 太郎",
                emails=["taro.yamada@example.jp", "t.yamada@example.com"],
                phones=["090-0000-1234"],
                role="contact",
                created_at=_at(3),
                evidence=[person_link],
            ),
        ],
        tickets=[
            ExportTicket(
                connector="support",
                id="1201",
                scope="full",
                roles=["requester", "author"],
                subject_line="Invoice for order 12345 / 注文12345の請求書",
                status="solved",
                channel="email",
                tags=["billing", "請求"],
                created_at=_at(4),
                updated_at=_at(6),
                retention=["redact-solved-tickets"],
                evidence=[Evidence(role="requester", confidence="certain", via="person-record")],
                comments=[
                    ExportComment(
                        id="88001",
                        author_id="361",
                        by_subject=True,
                        created_at=_at(4),
                        body="請求書の宛名を「山田 太郎」に変更してください。\n電話: 090-0000-1234",
                        sender=EmailSender(address="taro.yamada@example.jp", name="山田 太郎"),
                        attachments=[
                            ExportAttachment(
                                id="9001",
                                file_name="invoice 12345.pdf",
                                content_type="application/pdf",
                                size=33,
                            )
                        ],
                    ),
                    ExportComment(
                        id="88002",
                        author_id="12",
                        by_subject=False,
                        created_at=_at(5),
                        body="Dear Mr Yamada, the corrected invoice is attached.\n"
                        '=HYPERLINK("http://evil.example","click")',
                        attachments=[
                            ExportAttachment(
                                id="9002",
                                file_name="領収書/../2024.txt",
                                content_type="text/plain",
                                size=46,
                            )
                        ],
                    ),
                    ExportComment(
                        id="88003",
                        author_id="12",
                        by_subject=False,
                        public=False,
                        kind="note",
                        created_at=_at(6),
                        body="<script>alert(1)</script> customer confirmed by phone",
                    ),
                ],
            ),
            ExportTicket(
                connector="jp-desk",
                id="42",
                scope="full",
                roles=["cc"],
                subject_line="配送状況について",
                status="open",
                channel="portal",
                created_at=_at(10),
                comments=[
                    ExportComment(
                        id="700",
                        author_id="5000099",
                        by_subject=False,
                        created_at=_at(10),
                        body="-1 個だけ届きました。@support 確認をお願いします。",
                    )
                ],
            ),
            ExportTicket(
                connector="support",
                id="1300",
                scope="mentions",
                roles=["mention"],
                subject_line="Complaint about delivery",
                status="closed",
                created_at=_at(12),
                evidence=[
                    Evidence(
                        role="mention",
                        confidence="high",
                        via="detection",
                        comment_id="88100",
                        entity_type="EMAIL_ADDRESS",
                    )
                ],
                comments=[
                    ExportComment(
                        id="88100",
                        author_id="400",
                        by_subject=False,
                        created_at=_at(12),
                        body="<PERSON> said taro.yamada@example.jp also had the problem; "
                        "call <PERSON> at <PHONE_NUMBER>.",
                        withheld=3,
                    )
                ],
            ),
        ],
        problems=[Problem(connector="jp-desk", record="jp-desk:ticket:43", code="not-found")],
        retention=[
            RetentionRule(
                policy="default",
                rule="redact-solved-tickets",
                description="Personal data in solved tickets is redacted",
                applies_to="ticket",
                action="redact",
                after="1y after solved",
            ),
            RetentionRule(
                policy="default",
                rule="delete-inactive-people",
                applies_to="person",
                action="delete",
                after="3y after last activity",
            ),
        ],
    )


def empty_document() -> ExportDocument:
    """A search of one helpdesk that found nothing about the subject."""
    return ExportDocument(
        request_id="dsar-2024-0043",
        generated_at=GENERATED_AT,
        identifiers=[Identifier(kind="email", value="nobody@example.com")],
        connectors=[ConnectorRead(name="support", type="zendesk", status="complete")],
    )
