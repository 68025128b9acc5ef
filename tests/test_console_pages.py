"""Console pages over the register and the plans table: deadlines highlighted, rejecting plans
(which the engines then refuse to apply), extensions, the audit filter, job progress, both
languages complete, and no personal data in the server's logs."""

from __future__ import annotations

import json
import logging
import re
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import insert, select

from _console_helpers import ADMIN, OFFICER, Clock, csrf_of, sign_in
from _waitress_server import WaitressThread
from gdprguard._exceptions import InputError
from gdprguard.console import Console, create_app
from gdprguard.console._messages import EN, JA
from gdprguard.detect import KnownSubject
from gdprguard.dsar.erase import ErasureEngine, ErasurePlan
from gdprguard.dsar.models import Identifier
from gdprguard.dsar.register import DsarRegister
from gdprguard.store import plans
from gdprguard.sweep import PlanSummary, SweepEngine

pytest_plugins = ["_store_fixtures", "_console_fixtures"]

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "gdprguard" / "console" / "templates"
SUBJECT = {"email": "kenji.sato@example.jp", "phone": "+81 90-1234-5678", "name": "佐藤 健二"}


def _sweep_plan(console: Console, plan_id: str = "pl-20261201T030000Z-0a1b2c") -> str:
    summary = PlanSummary(
        plan_id=plan_id, created_at=console.clock(), policy="default.yaml",
        connectors=["support"], tickets=12, held=1, actions=3,
        per_rule={"delete-solved-after-3y": {"delete": 2}, "cards": {"redact": 1}},
        status="planned",
    )  # fmt: skip
    with console.store.session() as session:
        session.execute(insert(plans).values(
            plan_id=plan_id, created_at=console.clock(), policy_name="default.yaml",
            policy_sha256="f" * 64, policy_text="", connectors=json.dumps(["support"]),
            status="planned", summary=summary.model_dump_json(), kind="sweep",
        ))  # fmt: skip
    return plan_id


def _erasure_plan(console: Console) -> tuple[str, str]:
    register = DsarRegister(console.vault, clock=console.clock)
    record = register.create("erasure", [Identifier(kind="email", value=SUBJECT["email"])])
    plan_id = "er-20261201T030000Z-0a1b2c"
    plan = ErasurePlan(plan_id=plan_id, request_id=record.request_id, created_at=console.clock(),
                       connectors=[], actions={"purge": 2, "shred": 1})  # fmt: skip
    with console.store.session() as session:
        session.execute(insert(plans).values(
            plan_id=plan_id, created_at=console.clock(), policy_name="", policy_sha256="",
            policy_text="", connectors="[]", status="planned", summary=plan.model_dump_json(),
            kind="erasure", request_id=record.request_id,
        ))  # fmt: skip
    register.set_status(record.request_id, "planned", event="erasure-planned", plan_id=plan_id)
    return record.request_id, plan_id


def _status(console: Console, plan_id: str) -> str:
    with console.store.session(write=False) as session:
        return str(
            session.execute(select(plans.c.status).where(plans.c.plan_id == plan_id)).scalar_one()
        )


def test_overdue_and_due_soon_requests_are_highlighted(
    client: Any, console: Console, clock: Clock
) -> None:
    register = DsarRegister(console.vault, clock=clock)
    ids = {}
    for label, days_ago in (("overdue", 40), ("soon", 26), ("later", 2)):
        record = register.create("access", [Identifier(kind="email", value=f"{label}@ex.com")],
                                 received_at=clock() - timedelta(days=days_ago))  # fmt: skip
        ids[label] = record.request_id
    sign_in(client, *OFFICER)
    page = client.get("/requests").text
    rows = {m.group(2): m.group(1) for m in
            re.finditer(r'<tr class="([a-z-]*)">\s*<th scope="row"><a href="/requests/([^"]+)"',
                        page)}  # fmt: skip
    assert rows == {ids["overdue"]: "overdue", ids["soon"]: "due-soon", ids["later"]: ""}
    assert "1 overdue" in page and "1 due within 7 days" in page
    due = client.get("/requests?show=due").text
    assert ids["overdue"] in due and ids["soon"] in due and ids["later"] not in due
    assert all(f"{label}@ex.com" not in page for label in ids)


def test_rejecting_a_sweep_plan_means_it_is_never_applied(client: Any, console: Console) -> None:
    plan_id = _sweep_plan(console)
    sign_in(client, *ADMIN)
    waiting = client.get("/plans")
    assert plan_id in waiting.text and "Waiting for approval (1)" in waiting.text
    page = client.get(f"/plans/{plan_id}")
    assert "delete-solved-after-3y" in page.text and "Approve and apply" in page.text
    response = client.post(f"/plans/{plan_id}/reject", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 302 and _status(console, plan_id) == "rejected"
    after = client.get(f"/plans/{plan_id}")
    assert "Approve and apply" not in after.text and "rejected" in after.text
    again = client.post(f"/plans/{plan_id}/approve", data={"csrf_token": csrf_of(after.text)})
    assert again.status_code == 400 and _status(console, plan_id) == "rejected"
    engine = SweepEngine(console.vault, {}, lambda *_: None,  # type: ignore[arg-type,return-value]
                         policy_name="default.yaml", policy_sha256="f" * 64)  # fmt: skip
    with pytest.raises(InputError, match="rejected"):
        engine.apply(plan_id)  # the command line's `sweep --apply --plan` refuses it too
    entry = [e for e in console.vault.audit.entries() if e.action == "console.reject"][-1]
    assert entry.actor == "console:adam" and entry.target_ids == [plan_id]


def test_rejecting_an_erasure_plan_reopens_the_request(client: Any, console: Console) -> None:
    request_id, plan_id = _erasure_plan(console)
    sign_in(client, *OFFICER)
    page = client.get(f"/requests/{request_id}")
    assert "delete permanently" in page.text and "Approve and apply" in page.text
    token = csrf_of(page.text)
    wrong = client.post(f"/requests/{request_id}/reject",
                        data={"csrf_token": token, "plan_id": "er-other"})  # fmt: skip
    assert wrong.status_code == 400 and _status(console, plan_id) == "planned"
    response = client.post(f"/requests/{request_id}/reject",
                           data={"csrf_token": token, "plan_id": plan_id})  # fmt: skip
    assert response.status_code == 302 and _status(console, plan_id) == "rejected"
    record = DsarRegister(console.vault).get(request_id)
    assert record.status == "open"
    assert "Plan the erasure" in client.get(f"/requests/{request_id}").text
    engine = ErasureEngine(console.vault, {}, DsarRegister(console.vault).hasher)
    with pytest.raises(InputError, match="rejected"):
        engine.apply(plan_id, KnownSubject(), {})


def test_extending_a_deadline_needs_a_reason(client: Any, console: Console) -> None:
    register = DsarRegister(console.vault, clock=console.clock)
    record = register.create("access", [Identifier(kind="email", value=SUBJECT["email"])])
    sign_in(client, *OFFICER)
    token = csrf_of(client.get(f"/requests/{record.request_id}").text)
    refused = client.post(f"/requests/{record.request_id}/extend",
                          data={"csrf_token": token, "months": "1", "reason": " "})  # fmt: skip
    assert refused.status_code == 400 and "--reason is required" in refused.text
    form = {"csrf_token": token, "months": "2", "reason": "many helpdesks"}
    done = client.post(f"/requests/{record.request_id}/extend", data=form)
    assert done.status_code == 302
    after = register.get(record.request_id)
    assert after.extended_months == 2 and after.due_at > record.due_at
    assert "Extend the deadline" not in client.get(f"/requests/{record.request_id}").text


def test_the_audit_page_filters_and_verifies(client: Any, console: Console) -> None:
    console.vault.audit.append("cli:uid0", "keys.rotate", ["kek:2"], "", {})
    sign_in(client, *OFFICER)
    page = client.get("/audit?actor=console%3Aolivia")
    assert "console.sign-in" in page.text and "keys.rotate" not in page.text
    page = client.get("/audit?action=keys.")
    assert "keys.rotate" in page.text and "console.sign-in" not in page.text
    assert "Not checked since the console started" in page.text
    client.post("/audit/verify", data={"csrf_token": csrf_of(page.text)})
    assert "The log verifies" in client.get("/audit").text


def test_job_progress_is_served_as_json(client: Any, console: Console) -> None:
    release = threading.Event()

    def work(progress: Any) -> dict[str, Any]:
        progress("erasing", 3, 10)
        release.wait(10)
        return {"status": "completed", "done": 10}

    job = console.jobs.start("erasure", "req-20261201-0a1b2c", "olivia", work)
    sign_in(client, *OFFICER)
    running = client.get(f"/jobs/{job.job_id}.json").get_json()
    assert running["state"] == "running" and running["done"] == 3 and running["percent"] == 30
    page = client.get(f"/jobs/{job.job_id}")
    assert 'http-equiv="refresh"' in page.text and "3 / 10 steps" in page.text
    release.set()
    console.jobs.wait(10)
    done = client.get(f"/jobs/{job.job_id}.json").get_json()
    assert done["state"] == "done" and done["result"] == {"status": "completed", "done": 10}
    assert client.get("/jobs/0123456789abcdef.json").status_code == 404


def test_both_catalogues_hold_every_message_the_templates_use() -> None:
    assert set(EN) == set(JA)
    assert all(JA[key].strip() for key in JA)
    used = set()
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*'([a-z_]+\.[a-z0-9_.-]+)'\s*[,)]""", text))
    assert used, "no message keys found in the templates"
    assert used - set(EN) == set()
    fields = [set(re.findall(r"{(\w+)}", EN[key])) == set(re.findall(r"{(\w+)}", JA[key]))
              for key in EN]  # fmt: skip
    assert all(fields)


def test_no_personal_data_reaches_the_server_logs(
    console: Console,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    served = WaitressThread(create_app(console), threads=2)
    base = served.url
    try:
        browser = requests.Session()
        login = browser.get(f"{base}/login", timeout=10)
        account = {"name": OFFICER[0], "password": OFFICER[1]}
        browser.post(f"{base}/login", data={**account, "csrf_token": csrf_of(login.text)},
                     timeout=10)  # fmt: skip
        form = browser.get(f"{base}/requests/new", timeout=10)
        token = csrf_of(form.text)
        bad = browser.post(f"{base}/requests/new", data={"csrf_token": token, "kind": "access",
                           "email": "kenji.sato@"}, timeout=10)  # fmt: skip
        assert bad.status_code == 400
        fields = {"csrf_token": token, "kind": "access", "verification": "運転免許証 checked"}
        made = browser.post(f"{base}/requests/new", data={**fields, **SUBJECT}, timeout=10)
        request_id = made.url.rsplit("/", 1)[1].split("?")[0]
        shown = browser.get(f"{base}/requests/{request_id}/identifiers", timeout=10)
        assert SUBJECT["email"] in shown.text
        browser.post(f"{base}/requests/{request_id}/locate", data={"csrf_token": token},
                     timeout=10)  # fmt: skip
        exported = browser.post(f"{base}/requests/{request_id}/export",
                                data={"csrf_token": token}, timeout=30)  # fmt: skip
        assert exported.status_code == 200
        zipped = browser.get(f"{base}/requests/{request_id}/export.zip", timeout=10)
        assert zipped.headers["Content-Type"] == "application/zip"
        browser.post(f"{base}/requests/{request_id}/export", data={"csrf_token": "forged",
                     "email": SUBJECT["email"]}, timeout=10)  # fmt: skip
        browser.get(f"{base}/requests/{request_id}/nothing-here", timeout=10)
    finally:
        served.close()
    out, err = capfd.readouterr()
    logged = caplog.text + out + err
    assert caplog.records, "nothing was logged: the check would prove nothing"
    for value in [*SUBJECT.values(), "kenji.sato", "運転免許証", OFFICER[1]]:
        assert value not in logged, value
