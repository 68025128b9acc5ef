"""The console's admin pages manage connectors and policies: each change is checked first
exactly as the command line checks it, written atomically to the configuration file or the
policy folder, followed by the running console, and audited without secrets."""

from __future__ import annotations

import hashlib
import logging
import threading
import tomllib
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from _console_helpers import ADMIN, csrf_of, sign_in
from gdprguard._config import ConnectorConfig
from gdprguard.connectors import registry
from gdprguard.connectors.zendesk import CAPABILITIES, ZendeskConnector
from gdprguard.console import Console
from gdprguard.policy import shipped_policies
from gdprguard.sandbox import SandboxServer

pytest_plugins = ["_store_fixtures", "_console_fixtures"]

TOKEN_VAR = "GG_CONSOLE_DESK_TOKEN"
CONFIG = (
    "# kept by hand\n[detection]\nmin_score = 0.6  # fewer false positives\n\n"
    '[dsar]\n# which policy\ncontroller = "ACME K.K."\n'
)
POLICY = """\
version: 1
name: console-made
rules:
  - name: delete-closed-after-2y
    when: {kind: ticket, status: [closed], solved_more_than: 2y}
    action: delete
"""


@pytest.fixture(scope="module")
def desk() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="zendesk", seed=3, tickets=2, port=0) as server:
        yield server


@pytest.fixture
def config_file(home: Path) -> Path:
    path = home / "gdprguard.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def admin(client: Any, config_file: Path) -> Any:
    assert sign_in(client, *ADMIN).status_code == 302
    return client


def _post(client: Any, page: str, path: str, **data: Any) -> Any:
    token = csrf_of(client.get(page).text)
    return client.post(path, data={"csrf_token": token, **data})


def _entries(console: Console, action: str) -> list[Any]:
    return [e for e in console.vault.audit.entries() if e.action == action]


def _form(desk: SandboxServer, **changes: str) -> dict[str, str]:
    creds = desk.credentials
    return {"name": "support", "type": "zendesk", "url": creds["url"], "email": creds["email"],
            "token": f"env:{TOKEN_VAR}", **changes}  # fmt: skip


# -- connectors ---------------------------------------------------------------------------------


def test_an_admin_adds_a_connector_that_passes_the_check(
    admin: Any,
    console: Console,
    desk: SandboxServer,
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = desk.credentials["token"]
    monkeypatch.setenv(TOKEN_VAR, secret)
    page = admin.get("/admin/connectors")
    assert 'for="connector-token"' in page.text and "env:ZENDESK_TOKEN" in page.text
    response = _post(admin, "/admin/connectors", "/admin/connectors", **_form(desk))
    assert response.status_code == 302, response.text
    assert response.headers["Location"].endswith("notice=connector-added")
    text = config_file.read_text(encoding="utf-8")
    assert text.startswith(CONFIG)  # appended: the hand-written part and its comments stay
    assert tomllib.loads(text)["connectors"]["support"] == {
        "type": "zendesk", "url": desk.credentials["url"], "email": desk.credentials["email"],
        "token": f"env:{TOKEN_VAR}",
    }  # fmt: skip
    assert set(console.connector_configs) == {"support"}  # followed without a restart
    listed = admin.get("/admin/connectors?notice=connector-added")
    assert "passed the check" in listed.text and f"env:{TOKEN_VAR}" in listed.text
    tested = _post(admin, "/admin/connectors", "/admin/connectors/support/test")
    assert "works (role admin)" in tested.text
    [entry] = _entries(console, "console.connector-add")
    assert entry.actor == "console:adam" and entry.target_ids == ["connector:support"]
    assert entry.details == {"name": "support", "type": "zendesk"}
    everything = "".join(e.model_dump_json() for e in console.vault.audit.entries())
    assert secret not in everything + text + listed.text + caplog.text
    assert desk.credentials["url"] not in entry.model_dump_json()


@pytest.mark.parametrize(
    ("changes", "status", "phrase"),
    [
        ({"token": "s3cret-literal-token"}, 400, "refusing to write a token in clear text"),
        ({"token": "env:GG_UNSET_VARIABLE"}, 400, "GG_UNSET_VARIABLE, which is not set"),
        ({"name": "bad name"}, 400, "connector name must be 1-64 letters"),
        ({"type": "helpscout"}, 400, "unknown connector type"),
        ({"url": "acme.zendesk.com"}, 400, "the url field: Value error, must start with https://"),
        ({"url": "http://desk.internal.example"}, 400, "not this machine&#39;s loopback"),
        ({"email": "agent@sandbox.example.com", "wrong_token": "1"}, 502,
         "rejected the credentials (401)"),
        ({"agent": "1"}, 502, "which lacks admin rights"),
    ],
)  # fmt: skip
def test_a_connector_that_fails_a_check_is_not_saved(
    admin: Any,
    console: Console,
    desk: SandboxServer,
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, str],
    status: int,
    phrase: str,
) -> None:
    creds = desk.credentials
    monkeypatch.setenv(TOKEN_VAR, creds["token"])
    if changes.pop("wrong_token", None):
        monkeypatch.setenv(TOKEN_VAR, "not-the-token")
    if changes.pop("agent", None):
        monkeypatch.setenv(TOKEN_VAR, creds["agent_token"])
        changes["email"] = creds["agent_email"]
    response = _post(admin, "/admin/connectors", "/admin/connectors", **_form(desk, **changes))
    assert response.status_code == status
    assert "The connector was not saved." in response.text and phrase in response.text
    assert "s3cret-literal-token" not in response.text  # a literal token is never sent back
    assert config_file.read_text(encoding="utf-8") == CONFIG
    assert console.connector_configs == {} and not _entries(console, "console.connector-add")


def test_a_duplicate_name_needs_replace(
    admin: Any,
    console: Console,
    desk: SandboxServer,
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(TOKEN_VAR, desk.credentials["token"])
    assert _post(admin, "/admin/connectors", "/admin/connectors", **_form(desk)).status_code == 302
    again = _post(admin, "/admin/connectors", "/admin/connectors", **_form(desk, email=""))
    assert again.status_code == 400 and "Replace the existing connector" in again.text
    replaced = _post(admin, "/admin/connectors", "/admin/connectors",
                     **_form(desk, email="", replace="on"))  # fmt: skip
    assert replaced.status_code == 302
    section = tomllib.loads(config_file.read_text(encoding="utf-8"))["connectors"]["support"]
    assert "email" not in section and console.connector_configs["support"].email is None
    assert len(_entries(console, "console.connector-add")) == 2


def test_removing_a_connector_asks_first_and_waits_for_its_jobs(
    admin: Any, console: Console, desk: SandboxServer, config_file: Path
) -> None:
    config_file.write_text(
        CONFIG + f'\n[connectors.support]\ntype = "zendesk"\nurl = "{desk.credentials["url"]}"\n'
        f'token = "env:{TOKEN_VAR}"\n\n# the second desk\n[connectors.other]\ntype = "zendesk"\n'
        'url = "https://other.zendesk.com"\ntoken = "env:OTHER"\n',
        encoding="utf-8",
    )
    console.use_connectors({
        "support": ConnectorConfig(type="zendesk", url=desk.credentials["url"],
                                   token=f"env:{TOKEN_VAR}"),
        "other": ConnectorConfig(type="zendesk", url="https://other.zendesk.com",
                                 token="env:OTHER"),
    })  # fmt: skip
    release = threading.Event()
    console.jobs.start("erasure", "req-20261201-0a1b2c", "olivia",
                       lambda _: {"ok": release.wait(10)}, connectors=["support"])  # fmt: skip
    confirm = admin.get("/admin/connectors/support/remove")
    assert confirm.status_code == 200 and "Remove the connector support?" in confirm.text
    assert "A job is running on this connector" in confirm.text and " disabled>" in confirm.text
    busy = admin.post("/admin/connectors/support/remove",
                      data={"csrf_token": csrf_of(confirm.text)})  # fmt: skip
    assert busy.status_code == 409 and "is in use" in busy.text
    assert "[connectors.support]" in config_file.read_text(encoding="utf-8")
    release.set()
    console.jobs.wait(10)
    confirm = admin.get("/admin/connectors/support/remove")
    assert " disabled>" not in confirm.text
    done = admin.post("/admin/connectors/support/remove",
                      data={"csrf_token": csrf_of(confirm.text)})  # fmt: skip
    assert done.status_code == 302 and done.headers["Location"].endswith("connector-removed")
    text = config_file.read_text(encoding="utf-8")
    assert "[connectors.support]" not in text and text.startswith(CONFIG)
    assert "# the second desk\n[connectors.other]" in text
    assert set(console.connector_configs) == {"other"}
    [entry] = _entries(console, "console.connector-remove")
    assert entry.details == {"name": "support", "type": "zendesk"}
    assert admin.get("/admin/connectors/support/remove").status_code == 404
    assert admin.get("/admin/connectors/..%2Fx/remove").status_code == 404


def test_a_console_without_a_configuration_file_only_shows_connectors(
    home: Path, console: Console
) -> None:
    from gdprguard.console import ConsoleConfig, create_app

    fixed = Console(console.vault, {}, ConsoleConfig(exports_dir=home / "x"),
                    clock=console.clock)  # fmt: skip
    client = create_app(fixed).test_client()
    sign_in(client, *ADMIN)
    page = client.get("/admin/connectors")
    assert "started without a configuration file" in page.text
    assert "connector-token" not in page.text
    refused = client.post("/admin/connectors", data={"csrf_token": csrf_of(page.text),
                                                     "name": "x", "type": "zendesk"})  # fmt: skip
    assert refused.status_code == 400 and "cannot change one" in refused.text


# -- policies -----------------------------------------------------------------------------------


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_an_admin_adds_a_policy_that_passes_the_check(
    admin: Any, console: Console, home: Path
) -> None:
    page = admin.get("/admin/policies/new")
    assert page.status_code == 200 and 'for="policy-text"' in page.text
    response = _post(admin, "/admin/policies/new", "/admin/policies/save", mode="new",
                     name="retention-2026.yaml", text=POLICY.replace("\n", "\r\n"))  # fmt: skip
    assert response.status_code == 302, response.text
    saved = home / "policies" / "retention-2026.yaml"
    assert saved.read_text(encoding="utf-8") == POLICY  # line ends as the loader reads them
    [entry] = _entries(console, "console.policy-save")
    assert entry.details == {"file": "retention-2026.yaml", "sha256": _sha(POLICY), "new": True}
    listed = admin.get("/admin/policies")
    assert "retention-2026.yaml" in listed.text and "delete-closed-after-2y" in listed.text
    taken = _post(admin, "/admin/policies/new", "/admin/policies/save", mode="new",
                  name="retention-2026.yaml", text=POLICY)  # fmt: skip
    assert taken.status_code == 400 and "already exists; edit it" in taken.text


@pytest.mark.parametrize(
    ("fields", "phrase"),
    [
        ({"text": POLICY.replace("action: delete", "acton: delete")},
         "retention-2026.yaml:6:5: error: unknown key &#39;acton&#39;"),
        ({"text": "rules: [\n"}, "retention-2026.yaml:"),
        ({"text": " "}, "the policy is empty"),
        ({"name": "../escape.yaml", "text": POLICY}, "a policy file name is 1-64 letters"),
        ({"upload": "shift_jis"}, "is not UTF-8 text (byte"),
    ],
)  # fmt: skip
def test_a_policy_with_a_problem_is_not_written(
    admin: Any, console: Console, home: Path, fields: dict[str, str], phrase: str
) -> None:
    data: dict[str, Any] = {"mode": "new", "name": "retention-2026.yaml", **fields}
    if data.pop("upload", None):
        body = ("# 保存期間\n" + POLICY).encode("shift_jis")
        data["upload"] = (__import__("io").BytesIO(body), "retention-2026.yaml")
        data["text"] = ""
    token = csrf_of(admin.get("/admin/policies/new").text)
    response = admin.post("/admin/policies/save", data={"csrf_token": token, **data},
                          content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400
    assert "The policy was not saved." in response.text and phrase in response.text
    assert not (home / "policies").exists() and not _entries(console, "console.policy-save")


def test_an_uploaded_utf8_policy_is_saved(admin: Any, home: Path) -> None:
    import io

    body = ("\ufeff# 保存期間ポリシー\n" + POLICY).encode("utf-8")
    token = csrf_of(admin.get("/admin/policies/new").text)
    response = admin.post("/admin/policies/save", content_type="multipart/form-data", data={
        "csrf_token": token, "mode": "new", "name": "jp.yaml", "text": "",
        "upload": (io.BytesIO(body), "whatever.yaml"),
    })  # fmt: skip
    assert response.status_code == 302
    assert (home / "policies" / "jp.yaml").read_text(encoding="utf-8").startswith("# 保存期間")


def test_the_capability_check_of_policy_check_applies(
    admin: Any, console: Console, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class NotesOnlyDesk(ZendeskConnector):
        capabilities = CAPABILITIES.model_copy(update={"redactable_comment_kinds": frozenset()})

    plugin = EntryPoint("notes-only", "acme_desk:NotesOnlyDesk", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [plugin])
    monkeypatch.setattr(registry, "_load", lambda target: NotesOnlyDesk)
    console.use_connectors({"legacy": ConnectorConfig(type="notes-only", url="https://l.example",
                                                      token="env:L")})  # fmt: skip
    cards = next(p for p in shipped_policies() if p.name == "pci-cards.yaml").read_text("utf-8")
    response = _post(admin, "/admin/policies/new", "/admin/policies/save", mode="new",
                     name="cards.yaml", text=cards)  # fmt: skip
    assert response.status_code == 400 and "Checked against: legacy" in response.text
    assert "connector legacy: rule &#39;redact-card-numbers&#39; redacts comments" in response.text
    assert not (home / "policies" / "cards.yaml").exists()
    refused = _post(admin, "/admin/policies", "/admin/policies/select", source="shipped",
                    name="pci-cards.yaml")  # fmt: skip
    assert refused.status_code == 400 and "Nothing was changed." in refused.text
    assert not (home / "policies").exists() and console.policy is None


def test_choosing_a_policy_rewrites_dsar_policy_and_the_console_follows(
    admin: Any, console: Console, home: Path, config_file: Path
) -> None:
    page = admin.get("/admin/policies")
    assert "No policy is in use" in page.text and "jp-appi.yaml" in page.text
    response = _post(admin, "/admin/policies", "/admin/policies/select", source="shipped",
                     name="jp-appi.yaml")  # fmt: skip
    assert response.status_code == 302, response.text
    copied = home / "policies" / "jp-appi.yaml"
    shipped = next(p for p in shipped_policies() if p.name == "jp-appi.yaml").read_text("utf-8")
    assert copied.read_text(encoding="utf-8") == shipped
    text = config_file.read_text(encoding="utf-8")
    assert tomllib.loads(text)["dsar"] == {"policy": "policies/jp-appi.yaml",
                                           "controller": "ACME K.K."}  # fmt: skip
    assert "# kept by hand" in text and "# which policy" in text
    assert console.policy is not None and console.policy_source == str(copied)
    [entry] = _entries(console, "console.policy-select")
    assert entry.details == {"file": "jp-appi.yaml", "sha256": _sha(shipped)}
    listed = admin.get("/admin/policies")
    assert listed.text.count(">In use<") == 1

    # editing the policy in use: the console honours the new text at once
    edit = admin.get("/admin/policies/jp-appi.yaml/edit")
    assert edit.status_code == 200 and "jp-appi" in edit.text
    changed = shipped.replace("name: jp-appi", "name: jp-appi-edited", 1)
    assert changed != shipped
    saved = admin.post("/admin/policies/save", data={"csrf_token": csrf_of(edit.text),
                       "mode": "edit", "name": "jp-appi.yaml", "text": changed})  # fmt: skip
    assert saved.status_code == 302 and console.policy.name == "jp-appi-edited"
    assert _entries(console, "console.policy-save")[0].details["sha256"] == _sha(changed)

    # the shipped file differs now from the folder's copy: choosing the shipped one is refused
    _post(admin, "/admin/policies", "/admin/policies/select", source="shipped", name="default.yaml")
    again = _post(admin, "/admin/policies", "/admin/policies/select", source="shipped",
                  name="jp-appi.yaml")  # fmt: skip
    assert again.status_code == 400 and "differs from the shipped jp-appi.yaml" in again.text
    assert console.policy.name == "default"
    assert admin.get("/admin/policies/missing.yaml/edit").status_code == 404


def test_the_admin_pages_speak_japanese(admin: Any, config_file: Path) -> None:
    admin.get("/language/ja?next=/admin/connectors")
    for path, phrase in (("/admin/connectors", "コネクタを追加"),
                         ("/admin/policies", "gdprguard 同梱"),
                         ("/admin/policies/new", "新しいポリシー")):  # fmt: skip
        page = admin.get(path)
        assert page.status_code == 200 and 'lang="ja"' in page.text and phrase in page.text
