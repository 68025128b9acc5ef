"""The web console's defences: sessions, CSRF, roles, throttling, expiry, headers, audit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from _console_helpers import ADMIN, OFFICER, Clock, csrf_of, sign_in
from gdprguard.console import SESSION_COOKIE, Console
from gdprguard.store import console_sessions, console_users

pytest_plugins = ["_store_fixtures", "_console_fixtures"]

PAGES = ["/requests", "/requests/new", "/plans", "/audit", "/admin/users", "/admin/connectors",
         "/admin/policies", "/requests/req-20261201-abcdef",
         "/requests/req-20261201-abcdef/identifiers", "/admin/connectors/support/remove",
         "/admin/policies/new", "/admin/policies/default.yaml/edit"]  # fmt: skip
FORMS = [
    "/requests/new",
    "/logout",
    "/audit/verify",
    "/admin/users",
    "/requests/req-20261201-abcdef/locate",
    "/requests/req-20261201-abcdef/export/delete",
    "/plans/pl-20261201T000000Z-abcdef/approve",
    "/admin/connectors",
    "/admin/connectors/support/remove",
    "/admin/policies/save",
    "/admin/policies/select",
]
ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/connectors", "/admin/policies",
               "/admin/policies/new"]  # fmt: skip
#: what admins change, and a form an officer might forge for each (with a valid CSRF token)
ADMIN_FORMS = {
    "/admin/connectors": {"name": "x", "type": "zendesk", "url": "https://x.example",
                          "token": "env:X"},
    "/admin/connectors/support/remove": {},
    "/admin/connectors/support/test": {},
    "/admin/policies/save": {"mode": "new", "name": "x.yaml", "text": "version: 1\nrules: []\n"},
    "/admin/policies/select": {"source": "shipped", "name": "default.yaml"},
}  # fmt: skip


def _session_cookie(client: Any) -> str | None:
    cookie = client.get_cookie(SESSION_COOKIE)
    return None if cookie is None else str(cookie.value)


def _new_request(client: Any, email: str = "jane.roe@example.com") -> str:
    page = client.get("/requests/new")
    response = client.post(
        "/requests/new",
        data={"kind": "access", "email": email, "verification": "passport checked at the desk",
              "csrf_token": csrf_of(page.text)},
    )  # fmt: skip
    assert response.status_code == 302, response.text
    found = re.search(r"/requests/(req-[0-9]{8}-[0-9a-f]{6})", response.headers["Location"])
    assert found
    return found.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_no_page_without_a_session(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", FORMS)
def test_no_form_without_a_session(client: Any, path: str) -> None:
    assert client.post(path, data={"csrf_token": "x"}).status_code == 401


def test_sign_in_sets_a_secure_httponly_samesite_cookie(console: Console, home: Path) -> None:
    from gdprguard.console import create_app
    from gdprguard.console._context import ConsoleConfig

    secure = Console(console.vault, {}, ConsoleConfig(exports_dir=home / "x"), clock=console.clock)
    client = create_app(secure).test_client()
    response = sign_in(client, *OFFICER)
    assert response.status_code == 302 and response.headers["Location"] == "/requests"
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE)]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite"} <= attributes
    assert "SameSite=Lax" in cookie and "Max-Age" not in cookie  # gone with the browser


def test_the_store_keeps_no_session_token_and_no_password(client: Any, console: Console) -> None:
    sign_in(client, *OFFICER)
    token = _session_cookie(client)
    assert token
    with console.store.session(write=False) as session:
        digests = session.execute(select(console_sessions.c.token_digest)).scalars().all()
        hashes = session.execute(select(console_users.c.password_hash)).scalars().all()
    assert token not in digests and len(digests) == 1
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(OFFICER[1] in h for h in hashes)


def test_a_wrong_password_signs_nobody_in(client: Any) -> None:
    response = sign_in(client, OFFICER[0], "not the passphrase")
    assert response.status_code == 401 and "wrong" in response.text
    assert _session_cookie(client) is None
    response = sign_in(client, "nobody", "not the passphrase")
    assert response.status_code == 401


def test_csrf_is_refused(client: Any) -> None:
    sign_in(client, *OFFICER)
    good = csrf_of(client.get("/requests/new").text)
    form = {"kind": "access", "email": "a@example.com"}
    assert client.post("/requests/new", data=form).status_code == 403
    assert client.post("/requests/new", data={**form, "csrf_token": "forged"}).status_code == 403
    cross = client.post("/requests/new", data={**form, "csrf_token": good},
                        headers={"Origin": "https://evil.example"})  # fmt: skip
    assert cross.status_code == 403 and "expired" in cross.text
    fetched = client.post("/requests/new", data={**form, "csrf_token": good},
                          headers={"Sec-Fetch-Site": "cross-site"})  # fmt: skip
    assert fetched.status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/requests").status_code == 200  # still signed in: the forgery failed
    same = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    ok = client.post("/requests/new", data={**form, "csrf_token": good}, headers=same)
    assert ok.status_code == 302


def test_the_sign_in_form_needs_its_own_csrf_cookie(client: Any) -> None:
    page = client.get("/login")
    token = csrf_of(page.text)
    client.delete_cookie("gg_login")
    response = client.post("/login", data={"name": OFFICER[0], "password": OFFICER[1],
                                           "csrf_token": token})  # fmt: skip
    assert response.status_code == 403
    assert _session_cookie(client) is None


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_an_officer_cannot_reach_admin_pages(client: Any, path: str) -> None:
    sign_in(client, *OFFICER)
    response = client.get(path)
    assert response.status_code == 403
    assert "role" in response.text


def test_an_officer_cannot_use_admin_forms(client: Any, console: Console) -> None:
    sign_in(client, *OFFICER)
    token = csrf_of(client.get("/requests").text)
    added = client.post("/admin/users", data={"name": "mallory", "role": "admin",
                                              "password": "x" * 20, "confirm": "x" * 20,
                                              "csrf_token": token})  # fmt: skip
    assert added.status_code == 403 and console.accounts.get("mallory") is None
    changed = client.post(f"/admin/users/{ADMIN[0]}", data={"action": "disable",
                                                           "csrf_token": token})  # fmt: skip
    assert changed.status_code == 403 and not console.accounts.require(ADMIN[0]).disabled


@pytest.mark.parametrize(
    "path", ["/admin/connectors/support/remove", "/admin/policies/default.yaml/edit"]
)
def test_an_officer_cannot_open_the_admin_forms(client: Any, path: str) -> None:
    sign_in(client, *OFFICER)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(("path", "form"), ADMIN_FORMS.items())
def test_an_officer_cannot_change_connectors_or_policies(
    client: Any, console: Console, home: Path, path: str, form: dict[str, str]
) -> None:
    from gdprguard._config import ConnectorConfig

    config = home / "gdprguard.toml"
    config.write_text('[connectors.support]\ntype = "zendesk"\nurl = "https://s.example"\n'
                      'token = "env:S"\n', encoding="utf-8")  # fmt: skip
    before = config.read_text(encoding="utf-8")
    console.use_connectors({"support": ConnectorConfig(type="zendesk", url="https://s.example",
                                                       token="env:S")})  # fmt: skip
    sign_in(client, *OFFICER)
    token = csrf_of(client.get("/requests").text)
    response = client.post(path, data={"csrf_token": token, **form})
    assert response.status_code == 403 and "role" in response.text
    assert config.read_text(encoding="utf-8") == before and not (home / "policies").exists()
    assert set(console.connector_configs) == {"support"} and console.policy is None
    assert not [e for e in console.vault.audit.entries() if e.action.startswith(
        ("console.connector", "console.policy"))]  # fmt: skip


def test_an_admin_reaches_admin_pages_and_adds_an_account(client: Any, console: Console) -> None:
    sign_in(client, *ADMIN)
    for path in ADMIN_PAGES:
        assert client.get(path, follow_redirects=True).status_code == 200, path
    page = client.get("/admin/users")
    response = client.post("/admin/users", data={"name": "oscar", "role": "officer",
                                                 "password": "a long passphrase",
                                                 "confirm": "a long passphrase",
                                                 "csrf_token": csrf_of(page.text)})  # fmt: skip
    assert response.status_code == 302
    assert console.accounts.require("oscar").role == "officer"


def test_a_session_cookie_is_not_accepted_after_logout(client: Any) -> None:
    sign_in(client, *OFFICER)
    token = _session_cookie(client)
    assert token
    page = client.get("/requests")
    assert client.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 302
    client.set_cookie(SESSION_COOKIE, token)  # a copy kept after signing out
    response = client.get("/requests")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_sessions_expire_when_idle_and_after_their_lifetime(client: Any, clock: Clock) -> None:
    sign_in(client, *OFFICER)
    clock.advance(minutes=29)
    assert client.get("/requests").status_code == 200  # use keeps it alive
    clock.advance(minutes=29)
    assert client.get("/requests").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/requests").status_code == 302  # idle too long
    sign_in(client, *OFFICER)
    for _ in range(25):  # in use all the time, yet it ends after 12 hours
        clock.advance(minutes=29)
        if client.get("/requests").status_code != 200:
            break
    assert clock.now and client.get("/requests").status_code == 302


def test_sign_in_is_throttled(client: Any, clock: Clock) -> None:
    for _ in range(5):
        assert sign_in(client, OFFICER[0], "guess guess guess").status_code == 401
    throttled = sign_in(client, *OFFICER)  # even the right password waits now
    assert throttled.status_code == 429 and "15 minute" in throttled.text
    assert _session_cookie(client) is None
    assert sign_in(client, *ADMIN).status_code == 302  # another account is not locked out
    clock.advance(minutes=16)
    assert sign_in(client, *OFFICER).status_code == 302


def test_a_disabled_account_loses_its_session(client: Any, console: Console) -> None:
    sign_in(client, *OFFICER)
    console.accounts.disable(OFFICER[0])
    assert client.get("/requests").status_code == 302
    assert sign_in(client, *OFFICER).status_code == 401


def test_pages_are_not_cached_and_allow_only_own_scripts(client: Any) -> None:
    sign_in(client, *OFFICER)
    response = client.get("/requests")
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.text and " style=" not in response.text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_sign_in_never_redirects_off_site(client: Any, target: str) -> None:
    page = client.get("/login")
    form = {"name": OFFICER[0], "password": OFFICER[1], "csrf_token": csrf_of(page.text)}
    response = client.post("/login", data={**form, "next": target})
    assert response.headers["Location"] == "/requests"
    assert client.get(f"/language/ja?next={target}").headers["Location"] == "/requests"


def test_viewing_personal_data_is_audited_with_the_users_name(
    client: Any, console: Console
) -> None:
    sign_in(client, *OFFICER)
    request_id = _new_request(client)
    page = client.get(f"/requests/{request_id}")
    assert page.status_code == 200 and "jane.roe" not in page.text  # not on the request page
    shown = client.get(f"/requests/{request_id}/identifiers")
    assert "jane.roe@example.com" in shown.text and "passport checked" in shown.text
    entries = list(console.vault.audit.entries())
    views = [e for e in entries if e.action == "console.view-identifiers"]
    assert [(e.actor, e.target_ids) for e in views] == [("console:olivia", [f"dsar:{request_id}"])]
    assert any(e.action == "dsar.register" and e.actor == "console:olivia" for e in entries)
    assert all("jane.roe" not in e.model_dump_json() for e in entries)
    assert console.vault.audit.verify().ok


def test_the_language_follows_the_browser_and_the_switch(client: Any) -> None:
    page = client.get("/login", headers={"Accept-Language": "ja,en;q=0.5"})
    assert 'lang="ja"' in page.text and "ログイン" in page.text
    page = client.get("/login", headers={"Accept-Language": "fr, en;q=0.8"})
    assert 'lang="en"' in page.text and "Sign in" in page.text
    client.get("/language/ja?next=/login")
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert 'lang="ja"' in page.text
    sign_in(client, *OFFICER)
    register = client.get("/requests")
    assert "本人からの請求" in register.text and "Data-subject" not in register.text
