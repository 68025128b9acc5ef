"""``gdprguard console``: the compliance officers' web console."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .._config import resolve_secret
from .._exceptions import ConfigError, UsageError
from ._common import info, open_vault, settings_from, warn

__all__ = ["register"]

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def register(app: typer.Typer) -> None:
    """Add the ``console`` command to *app*."""

    @app.command("console")
    def console_command(
        ctx: typer.Context,
        host: Annotated[
            str, typer.Option("--host", metavar="ADDRESS", help="address to listen on")
        ] = "127.0.0.1",
        port: Annotated[
            int, typer.Option("--port", min=0, max=65535, metavar="PORT", help="port to listen on")
        ] = 8081,
        policy: Annotated[
            Path | None,
            typer.Option(
                "--policy",
                metavar="FILE",
                help="retention policy whose legal holds erasures honour (default: [dsar] "
                "policy in the config)",
            ),
        ] = None,
        idle_minutes: Annotated[
            int,
            typer.Option(
                "--idle-minutes",
                min=1,
                max=1440,
                metavar="N",
                help="a session ends after N minutes unused",
            ),
        ] = 30,
        session_hours: Annotated[
            int,
            typer.Option(
                "--session-hours",
                min=1,
                max=168,
                metavar="N",
                help="a session ends N hours after sign-in, used or not",
            ),
        ] = 12,
        oidc_issuer: Annotated[
            str | None,
            typer.Option(
                "--oidc-issuer",
                metavar="URL",
                help="sign in through this OpenID Connect provider as well",
            ),
        ] = None,
        oidc_client_id: Annotated[
            str | None, typer.Option("--oidc-client-id", metavar="ID", help="the console's id")
        ] = None,
        oidc_client_secret: Annotated[
            str | None,
            typer.Option(
                "--oidc-client-secret",
                metavar="SECRET",
                help="for a confidential client; write env:VAR to read it from VAR",
            ),
        ] = None,
        public_url: Annotated[
            str | None,
            typer.Option(
                "--public-url",
                metavar="URL",
                help="the console's URL as browsers reach it (for the provider's "
                "redirect; default http://HOST:PORT)",
            ),
        ] = None,
    ) -> None:
        """Serve the web console: DSAR register, plan approvals and the audit trail.

        Accounts come from `gdprguard user add`. It is internal: keep it on loopback or a
        private network, behind a TLS-terminating reverse proxy; see docs/console.md.

        \b
        Example: gdprguard console --port 8081
        """
        from waitress import create_server

        from ..connectors import build_connector
        from ..console import Console, ConsoleConfig, OidcConfig, SessionPolicy, create_app
        from ..policy import load_policy

        settings = settings_from(ctx)
        chosen = policy or (Path(settings.dsar.policy) if settings.dsar.policy else None)
        if chosen is not None and not chosen.is_file():
            raise ConfigError(
                f"policy file {chosen} does not exist; pass --policy FILE or fix [dsar] policy"
            )
        loaded = load_policy(chosen) if chosen is not None else None
        if loaded is None:
            warn("no retention policy given, so erasures check no legal hold; pass --policy FILE")
        for name, section in settings.connectors.items():
            build_connector(name, section).close()  # a bad section fails now, not on a page
        oidc = None
        if oidc_issuer or oidc_client_id:
            if not (oidc_issuer and oidc_client_id):
                raise UsageError("--oidc-issuer and --oidc-client-id go together")
            base = (public_url or f"http://{host}:{port}").rstrip("/")
            secret = (
                resolve_secret(oidc_client_secret, where="--oidc-client-secret")
                if oidc_client_secret
                else None
            )
            try:
                oidc = OidcConfig(
                    issuer=oidc_issuer,
                    client_id=oidc_client_id,
                    client_secret=secret,
                    redirect_url=f"{base}/oidc/callback",
                )
            except ValueError as exc:
                raise UsageError(f"OpenID Connect settings: {exc}") from None
        with open_vault(ctx) as vault:
            home = Path(vault.audit.checkpoint_dir)
            config = ConsoleConfig(
                exports_dir=home / "console-exports",
                secure_cookies=True,
                sessions=SessionPolicy(idle_minutes=idle_minutes, absolute_hours=session_hours),
                oidc=oidc,
                policy_name=str(chosen) if chosen is not None else None,
                controller=settings.dsar.controller,
            )
            console = Console(vault, settings.connectors, config, policy=loaded)
            if not console.accounts.all():
                warn("no console account yet: add one with `gdprguard user add NAME --role admin`")
            server = create_server(create_app(console), host=host, port=port, threads=8)
            address = f"http://{host}:{getattr(server, 'effective_port', port)}"
            if host not in _LOOPBACK:
                warn(
                    "the console listens beyond loopback; put it behind HTTPS (cookies are "
                    "Secure, so browsers send them over https:// and loopback only)"
                )
            info(f"console on {address}/ (Ctrl-C stops)")
            try:
                server.run()
            finally:
                server.close()
                console.jobs.wait(30)
