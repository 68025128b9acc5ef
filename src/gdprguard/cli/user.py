"""``gdprguard user``: accounts of the web console (officers and admins)."""

from __future__ import annotations

import os
from typing import Annotated, cast

import typer

from .._exceptions import InputError
from ._common import JsonOption, emit_json, info, open_store, result

__all__ = ["register"]

RoleOption = Annotated[
    str,
    typer.Option(
        "--role",
        metavar="ROLE",
        help="officer (handles requests, approves plans) or admin (also accounts, connectors, "
        "policies)",
    ),
]
PasswordEnvOption = Annotated[
    str | None,
    typer.Option(
        "--password-env",
        metavar="VAR",
        help="read the password from this environment variable instead of prompting",
    ),
]


def _password(env: str | None, *, required: bool) -> str | None:
    from ..console import MIN_PASSWORD_LENGTH

    if env is not None:
        value = os.environ.get(env)
        if not value:
            raise InputError(f"environment variable {env} is not set or empty")
        return value
    if not required:
        return None
    return str(
        typer.prompt(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
            err=True,
        )
    )


def register(app: typer.Typer) -> None:
    """Add the ``user`` command group to *app*."""
    user = typer.Typer(
        help="Accounts of the web console (`gdprguard console`): officers and admins.\n\n"
        "\b\nExample: gdprguard user add alice --role officer",
        no_args_is_help=True,
    )

    def audited(ctx: typer.Context, action: str, name: str, details: dict[str, str]) -> None:
        from ..audit import default_actor
        from ._common import open_vault

        with open_vault(ctx) as vault:
            vault.audit.append(default_actor(), action, [f"console-user:{name}"], "", details)

    @user.command("add")
    def add_command(
        ctx: typer.Context,
        name: str,
        role: RoleOption,
        password_env: PasswordEnvOption = None,
        oidc_subject: Annotated[
            str | None,
            typer.Option(
                "--oidc-subject",
                metavar="SUB",
                help="the identity provider's subject id of this person (signs in through "
                "the provider; a password is then optional)",
            ),
        ] = None,
    ) -> None:
        """Add a console account; the password is asked for twice (or --password-env).

        \b
        Example: gdprguard user add alice --role officer
        """
        from ..console import ROLES, Accounts, Role
        from ..console._accounts import check_user_name

        check_user_name(name)
        if role not in ROLES:
            raise InputError(f"--role {role!r}: use officer or admin")
        with open_store(ctx) as store:
            accounts = Accounts(store)
            if accounts.get(name) is not None:
                raise InputError(f"there is already an account {name!r}; `gdprguard user list`")
            password = _password(password_env, required=oidc_subject is None)
            accounts.add(name, cast(Role, role), password=password, oidc_subject=oidc_subject)
        audited(ctx, "console.user-add", name, {"role": role})
        result(f"{name}: {role} account added")

    @user.command("list")
    def list_command(ctx: typer.Context, json_output: JsonOption = False) -> None:
        """Every console account with its role and how it signs in.

        \b
        Example: gdprguard user list --json
        """
        from ..console import Accounts

        with open_store(ctx) as store:
            users = Accounts(store).all()
        if json_output:
            emit_json({"users": [u.model_dump(mode="json") for u in users]})
            return
        if not users:
            info("no accounts yet; add one with `gdprguard user add NAME --role admin`")
        for account in users:
            ways = [w for w, on in (("password", account.has_password),
                                    ("identity provider", account.oidc_linked)) if on]  # fmt: skip
            state = "disabled" if account.disabled else "enabled"
            result(f"{account.name}  {account.role:<8} {state:<9} {', '.join(ways)}")

    @user.command("password")
    def password_command(
        ctx: typer.Context, name: str, password_env: PasswordEnvOption = None
    ) -> None:
        """Set a new password (the account's open sessions end).

        \b
        Example: gdprguard user password alice
        """
        from ..console import Accounts

        with open_store(ctx) as store:
            accounts = Accounts(store)
            accounts.require(name)
            password = _password(password_env, required=True)
            assert password is not None
            accounts.set_password(name, password)
        audited(ctx, "console.user-password", name, {})
        result(f"{name}: password changed; open sessions ended")

    @user.command("disable")
    def disable_command(ctx: typer.Context, name: str) -> None:
        """Stop an account signing in (its open sessions end at once).

        \b
        Example: gdprguard user disable alice
        """
        from ..console import Accounts

        with open_store(ctx) as store:
            Accounts(store).disable(name)
        audited(ctx, "console.user-disable", name, {})
        result(f"{name}: disabled")

    @user.command("enable")
    def enable_command(ctx: typer.Context, name: str) -> None:
        """Let a disabled account sign in again.

        \b
        Example: gdprguard user enable alice
        """
        from ..console import Accounts

        with open_store(ctx) as store:
            Accounts(store).enable(name)
        audited(ctx, "console.user-enable", name, {})
        result(f"{name}: enabled")

    app.add_typer(user, name="user")
