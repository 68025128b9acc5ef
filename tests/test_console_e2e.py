"""The web console end to end in a real headless browser (Debian's chromium and chromedriver)
against the sandbox helpdesk: an officer signs in, registers a request, reviews the matches,
exports and downloads the ZIP, plans and approves an erasure, and the sandbox's ground truth
shows the subject gone; an admin approves a sweep plan. Every page is photographed in English
and Japanese (set GDPRGUARD_CONSOLE_SCREENSHOTS=docs/console to refresh the documentation's)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from _cli_helpdesk import TOKEN_VAR, add_connector, run_cli
from _waitress_server import WaitressThread
from gdprguard._config import load_settings
from gdprguard.console import Console, ConsoleConfig, create_app
from gdprguard.dsar.package import verify_export
from gdprguard.policy import default_policy_path, load_policy
from gdprguard.store import plans
from gdprguard.vault import Vault

pytest_plugins = ["_store_fixtures"]

sandbox = pytest.importorskip("gdprguard.sandbox")
webdriver = pytest.importorskip("selenium.webdriver")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US"]  # fmt: skip
OFFICER = ("olivia", "officer passphrase one")
ADMIN = ("adam", "admin passphrase number two")
WAIT = 180  # seconds the browser may take for a page that works on a helpdesk

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
        "chromium-driver); .ci/run installs them",
    ),
]


@pytest.fixture
def helpdesk() -> Iterator[Any]:
    server = sandbox.SandboxServer(
        flavor="zendesk", seed=11, port=0, tickets=40, job_seconds=0.0
    ).start()
    yield server
    server.stop()


class Served(WaitressThread):
    """The console served by waitress on a free loopback port."""

    def __init__(self, console: Console) -> None:
        self.console = console
        super().__init__(create_app(console), threads=6)

    def close(self) -> None:
        super().close()
        self.console.jobs.wait(60)


@pytest.fixture
def served(
    initialised_home: Path,
    helpdesk: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Served]:
    """An initialised home with the sandbox as connector `support`, two accounts made with
    `gdprguard user add`, a sweep plan waiting, and the console over them."""
    add_connector(initialised_home / "gdprguard.toml", helpdesk, monkeypatch)
    for (name, password), role in ((OFFICER, "officer"), (ADMIN, "admin")):
        monkeypatch.setenv("GG_CONSOLE_PASSWORD", password)
        code, _, err = run_cli(capsys, "user", "add", name, "--role", role,
                               "--password-env", "GG_CONSOLE_PASSWORD")  # fmt: skip
        assert code == 0, err
    settings = load_settings()
    vault = Vault.from_settings(settings)
    config = ConsoleConfig(
        exports_dir=initialised_home / "console-exports",
        config_path=initialised_home / "gdprguard.toml",
        policy_dir=initialised_home / "policies",
        policy_name=str(default_policy_path()),
    )
    console = Console(vault, settings.connectors, config, policy=load_policy(default_policy_path()))
    running = Served(console)
    yield running
    running.close()
    vault.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="gg-chromium-")
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "intl.accept_languages": "en-US,en",
    })  # fmt: skip
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _screenshots(tmp_path: Path) -> Path:
    chosen = os.environ.get("GDPRGUARD_CONSOLE_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Officer:
    """What a person does in the browser, in a few words each."""

    def __init__(self, driver: Any, base: str, shots: Path) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.d, self.base, self.shots, self.by = driver, base, shots, By
        self.wait = WebDriverWait(driver, WAIT)
        self.taken: list[str] = []

    def go(self, path: str) -> None:
        self.d.get(self.base + path)

    def el(self, css: str) -> Any:
        return self.d.find_element(self.by.CSS_SELECTOR, css)

    def click(self, css: str, *, confirm: bool = False) -> None:
        self.el(css).click()
        if confirm:
            from selenium.webdriver.support import expected_conditions

            self.wait.until(expected_conditions.alert_is_present())
            self.d.switch_to.alert.accept()

    def press(self, label: str) -> None:
        """Click the button or link whose text is *label*."""
        xpath = f"//button[normalize-space()='{label}'] | //a[normalize-space()='{label}']"
        self.d.find_element(self.by.XPATH, xpath).click()

    def fill(self, field: str, text: str) -> None:
        element = self.el(f"#{field}")
        element.clear()
        element.send_keys(text)

    def until(self, check: Callable[[], bool]) -> None:
        self.wait.until(lambda _driver: check())

    def text(self) -> str:
        from selenium.common import exceptions

        try:  # the page may be between two loads
            return str(self.el("main").text)
        except (exceptions.NoSuchElementException, exceptions.StaleElementReferenceException):
            return ""

    def lang(self) -> str:
        return str(self.el("html").get_attribute("lang"))

    def language(self, code: str) -> None:
        label = {"en": "English", "ja": "日本語"}[code]
        links = self.d.find_elements(self.by.XPATH, f"//p[@class='langs']/a[.='{label}']")
        if links:
            links[0].click()
        assert self.lang() == code

    def shoot(self, name: str) -> None:
        height = self.d.execute_script("return document.documentElement.scrollHeight")
        self.d.set_window_size(1280, max(720, min(int(height) + 20, 4000)))
        path = self.shots / f"{name}-{self.lang()}.png"
        assert self.d.save_screenshot(str(path)), path
        self.d.set_window_size(1280, 900)
        self.taken.append(path.name)

    def sign_in(self, name: str, password: str) -> None:
        self.go("/requests")
        self.until(lambda: "/login" in self.d.current_url)
        self.fill("name", name)
        self.fill("password", password)
        self.click("form.stack button[type=submit]")
        self.until(lambda: "/requests" in self.d.current_url)

    def sign_out(self) -> None:
        self.click("form.signout button")
        self.until(lambda: "/login" in self.d.current_url)


def _subject(truth: dict[str, Any]) -> dict[str, Any]:
    ranked = sorted(
        (p for p in truth["people"] if p.get("email")),
        key=lambda p: -len(p.get("requested", [])),
    )
    return ranked[0]


def _solve_tickets_of(server: Any, person_id: Any) -> None:
    with server.state.lock:
        for ticket in server.state.data.tickets.values():
            if ticket.requester_id == person_id and ticket.status not in ("closed", "solved"):
                ticket.status = "solved"


def _register(user: Officer, kind: str, email: str, verification: str) -> str:
    user.go("/requests")
    user.click(".heading a.button")  # New request
    user.click(f"input[name=kind][value={kind}]")
    user.fill("email", email)
    user.fill("verification", verification)
    user.click("form.stack button.primary")
    user.until(lambda: "notice=created" in user.d.current_url)
    return str(user.d.current_url.split("/requests/")[1].split("?")[0])


def test_an_officer_answers_an_access_and_an_erasure_request_and_an_admin_a_sweep(
    served: Served,
    browser: Any,
    helpdesk: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, the server's and the helpdesk client's too
    shots = _screenshots(tmp_path)
    user = Officer(browser, served.url, shots)
    truth = helpdesk.ground_truth()
    person = _subject(truth)
    email = person["email"]

    # an officer signs in (the browser asks in English)
    user.go("/requests")
    assert "/login" in browser.current_url and user.lang() == "en"
    user.shoot("login")
    user.sign_in(*OFFICER)
    user.shoot("register")

    # registers an access request; the request page shows no personal data
    user.go("/requests/new")
    user.shoot("new-request")
    access_id = _register(user, "access", email, "passport seen at the desk")
    page = user.text()
    assert access_id in page and email not in page and person["name"] not in page
    user.shoot("request-access")

    # the identifiers, and the matches with how each was found (audited)
    user.go(f"/requests/{access_id}/identifiers")
    assert email in user.text() and "passport seen" in user.text()
    user.shoot("identifiers")
    user.go(f"/requests/{access_id}")
    user.press("Locate and review matches")
    user.until(lambda: "Person records (1)" in user.text())
    assert email in user.text() and "ticket field" in user.text()
    user.shoot("matches")

    # exports, and downloads the ZIP through the browser
    user.go(f"/requests/{access_id}")
    user.press("Export now")
    user.until(lambda: "Export written" in user.text())
    user.shoot("export")
    user.press("Download the export")
    downloaded = browser.downloads / f"{access_id}.zip"
    user.until(lambda: downloaded.is_file() and not list(browser.downloads.glob("*.crdownload")))
    assert verify_export(downloaded).ok
    with zipfile.ZipFile(downloaded) as archive:
        data = json.loads(archive.read("data.json"))
    assert [p["id"] for p in data["people"]] == [str(person["id"])]
    assert {str(t) for t in person["requested"]} <= {t["id"] for t in data["tickets"]}

    # the same pages in Japanese, chosen with the switch
    user.language("ja")
    for path, name in (("/requests", "register"), ("/requests/new", "new-request"),
                       (f"/requests/{access_id}", "request-access"),
                       (f"/requests/{access_id}/identifiers", "identifiers")):  # fmt: skip
        user.go(path)
        assert user.lang() == "ja"
        user.shoot(name)
    user.go(f"/requests/{access_id}")
    user.click("form.inline button")  # 該当箇所を検索して確認
    user.until(lambda: "人物レコード(1 件)" in user.text())
    user.shoot("matches")
    user.go(f"/requests/{access_id}")
    user.click("form.stack button.primary")  # 今すぐ作成
    user.until(lambda: "開示データを作成しました" in user.text())
    user.shoot("export")
    user.language("en")

    # an erasure: planned (nothing changes), reviewed, approved, applied with progress
    _solve_tickets_of(helpdesk, person["id"])
    erasure_id = _register(user, "erasure", email, "signed letter, ID checked")
    before = helpdesk.ground_truth()
    user.press("Plan the erasure")
    user.until(lambda: "Approve and apply" in user.text())
    assert helpdesk.ground_truth() == before  # planning changes nothing
    user.shoot("plan-erasure")
    user.language("ja")
    user.shoot("plan-erasure")
    user.click("button.danger", confirm=True)  # 承認して適用
    user.until(lambda: "/jobs/" in browser.current_url)
    user.until(lambda: "完了しました" in user.text() or "失敗しました" in user.text())
    assert user.d.find_elements(user.by.CSS_SELECTOR, ".job-result"), user.text()
    assert "完了" in user.el(".job-result").text, user.text()
    user.shoot("progress")
    user.language("en")
    user.until(lambda: "Finished." in user.text())
    assert "completed" in user.el(".job-result").text
    user.shoot("progress")
    user.go(f"/requests/{erasure_id}")
    assert "completed" in user.text()
    user.shoot("request-erasure")
    user.language("ja")
    user.shoot("request-erasure")
    user.language("en")

    # the sandbox's ground truth: the subject is gone
    after = helpdesk.ground_truth()
    assert all(str(p["id"]) != str(person["id"]) for p in after["people"])
    theirs = [p for p in after["planted"]
              if p.get("person_id") == person["id"] and not p.get("deleted")]  # fmt: skip
    assert theirs == []

    # the audit trail names the officer for every view, download and approval
    user.go("/audit?actor=console%3Aolivia")
    user.press("Verify now")
    user.until(lambda: "The log verifies" in user.text())
    user.shoot("audit")
    user.language("ja")
    user.shoot("audit")
    user.language("en")
    entries = list(served.console.vault.audit.entries())
    by_officer = {e.action for e in entries if e.actor == "console:olivia"}
    assert {"console.sign-in", "console.view-identifiers", "console.view-matches",
            "console.export", "console.download", "console.approve",
            "dsar.register", "dsar.erasure-completed"} <= by_officer  # fmt: skip
    assert all(email not in e.model_dump_json() for e in entries)
    user.sign_out()
    user.language("ja")
    user.shoot("login")
    user.language("en")

    # an admin approves the sweep plan that `gdprguard sweep` made
    code, stdout, err = run_cli(capsys, "sweep", "--policy", str(default_policy_path()))
    assert code == 0, err
    plan_id = stdout.strip().splitlines()[-1]
    user.sign_in(*ADMIN)
    user.go("/plans")
    assert plan_id in user.text()
    user.shoot("plans")
    user.go(f"/plans/{plan_id}")
    user.shoot("plan-sweep")
    user.language("ja")
    user.go("/plans")
    user.shoot("plans")
    user.go(f"/plans/{plan_id}")
    user.shoot("plan-sweep")
    user.language("en")
    user.click("button.danger", confirm=True)
    user.until(lambda: "/jobs/" in browser.current_url)
    user.until(lambda: "Finished." in user.text() or "Failed." in user.text())
    assert "applied" in user.el(".job-result").text, user.text()
    with served.console.store.session(write=False) as session:
        status = session.execute(
            select(plans.c.status).where(plans.c.plan_id == plan_id)
        ).scalar_one()
    assert status == "applied"
    assert any(e.actor == "console:adam" and e.action == "console.approve" and plan_id in
               e.target_ids for e in served.console.vault.audit.entries())  # fmt: skip

    # the admin adds a second helpdesk account through the form: checked, then saved
    user.go("/admin/connectors")
    user.fill("connector-name", "backup")
    user.fill("connector-url", helpdesk.credentials["url"])
    user.fill("connector-email", helpdesk.credentials["email"])
    user.fill("connector-token", f"env:{TOKEN_VAR}")
    user.press("Check and save")
    user.until(lambda: "passed the check" in user.text())
    assert set(served.console.connector_configs) == {"support", "backup"}
    config_file = served.console.config.config_path
    assert config_file is not None and "[connectors.backup]" in config_file.read_text("utf-8")
    for path, name in (("/admin/users", "admin-users"), ("/admin/connectors", "admin-connectors"),
                       ("/admin/connectors/backup/remove", "admin-connector-remove"),
                       ("/admin/policies", "admin-policies"),
                       ("/admin/policies/default.yaml/edit", "admin-policy-edit")):  # fmt: skip
        for code_ in ("en", "ja"):
            user.language(code_)
            user.go(path)
            user.shoot(name)
    user.language("en")

    # ... removes it again, after a confirmation
    user.go("/admin/connectors/backup/remove")
    user.click("button.danger", confirm=True)
    user.until(lambda: "was removed from the configuration file" in user.text())
    assert "[connectors.backup]" not in config_file.read_text("utf-8")
    assert set(served.console.connector_configs) == {"support"}

    # ... and makes the folder's copy of the default policy the one [dsar] policy names
    user.go("/admin/policies")
    user.press("Use this policy default.yaml")
    user.until(lambda: "is now the one in use" in user.text())
    assert 'policy = "policies/default.yaml"' in config_file.read_text("utf-8")
    actions = {e.action for e in served.console.vault.audit.entries() if e.actor == "console:adam"}
    assert {"console.connector-add", "console.connector-remove", "console.policy-select"} <= actions
    expected = {f"{n}-{lang}.png" for n in ("login", "register", "new-request", "request-access",
                "identifiers", "matches", "export", "plan-erasure", "progress",
                "request-erasure", "audit", "plans", "plan-sweep", "admin-users",
                "admin-connectors", "admin-connector-remove", "admin-policies",
                "admin-policy-edit") for lang in ("en", "ja")}  # fmt: skip
    assert expected <= set(user.taken), expected - set(user.taken)
    # what the console, gdprguard and the helpdesk client logged (not the test's own driver,
    # which logs what it types)
    logged = "\n".join(
        f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith("selenium")
    )
    desk = helpdesk.credentials["url"].split("://", 1)[1]
    assert desk in logged, "the helpdesk calls were not logged: the check would prove nothing"
    for value in (email, person["name"], person.get("phone") or email):
        assert value not in logged
