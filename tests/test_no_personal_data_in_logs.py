"""Personal data never reaches logs, even at DEBUG and including third-party loggers.

Runs the real flows (connector search, scan, redaction, detection) against the sandbox with
every logger at DEBUG, then looks for every planted value in what was logged.
"""

from __future__ import annotations

import logging

import pytest

from gdprguard import Detector
from gdprguard._config import ConnectorConfig
from gdprguard.connectors import build_connector
from gdprguard.sandbox import SandboxServer


@pytest.mark.parametrize("flavor", ["zendesk", "freshdesk"])
def test_debug_logs_of_real_flows_hold_no_planted_value(
    flavor: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with SandboxServer(flavor=flavor, seed=5, tickets=12, port=0, job_seconds=0.0) as sb:
        truth = sb.ground_truth()
        creds = sb.credentials
        config = ConnectorConfig(
            type=flavor,
            url=creds["url"],
            email=creds.get("email"),
            token=creds.get("token") or creds["api_key"],
        )
        connector = build_connector("support", config)
        people = [p for p in truth["people"] if p["email"] and p["phone"]][:3]
        for person in people:
            connector.find_people(email=person["email"])
            connector.find_people(phone=person["phone"])
            connector.find_people(name=person["name"])
        detector = Detector()
        for ticket in connector.iter_tickets():
            for comment in connector.iter_comments(ticket.id):
                findings = detector.analyze(comment.body)
                if findings and comment.redactable:
                    connector.redact_comment(comment, findings[:1])
                    break
        connector.close()

    secrets = {creds.get("token"), creds.get("api_key")} - {None}
    values = {p[k] for p in truth["people"] for k in ("name", "email", "phone") if p[k]}
    values |= {item["value"] for item in truth["planted"]}
    logged = caplog.text
    assert logged, "expected some DEBUG logging from the HTTP stack"
    leaked = sorted(v for v in values | secrets if len(v) >= 6 and v in logged)
    assert not leaked, f"{len(leaked)} personal values or secrets reached the logs"
