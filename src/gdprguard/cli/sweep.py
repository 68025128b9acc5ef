"""``gdprguard sweep``: plan a retention sweep, review it, apply it."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._exceptions import ConfigError, InputError
from ._common import emit_json, info, open_vault
from ._jobs import Progress, configured_connectors

if TYPE_CHECKING:
    from ..sweep import ApplyReport, PlanSummary

__all__ = ["register"]


def _print_summary(summary: PlanSummary) -> None:
    info(
        f"plan {summary.plan_id} ({summary.policy}): {summary.tickets} tickets read, "
        f"{summary.held} under a legal hold, {summary.actions} actions"
    )
    for rule, actions in summary.per_rule.items():
        parts = ", ".join(f"{action} {count}" for action, count in sorted(actions.items()))
        info(f"  {rule}: {parts}")
    for note, count in sorted(summary.notes.items(), key=lambda kv: -kv[1])[:10]:
        info(f"  note ({count} tickets): {note}")


def _print_report(report: ApplyReport) -> None:
    info(
        f"plan {report.plan_id}: {report.status}; {report.done} done ({report.unchanged} already "
        f"so), {report.skipped} skipped, {report.failed} failed"
    )
    for rule, actions in report.per_rule.items():
        for action, outcomes in sorted(actions.items()):
            parts = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
            info(f"  {rule}: {action}: {parts}")
    for reason, count in sorted(report.skipped_reasons.items()):
        info(f"  skipped ({reason}): {count}")
    for error, count in sorted(report.failures.items()):
        info(f"  failed ({error}): {count}; run the same command again to retry them")
    if report.originals_expired:
        info(f"  sealed originals past their time destroyed: {report.originals_expired}")


def register(app: typer.Typer) -> None:
    """Add the ``sweep`` command to *app*."""

    @app.command("sweep")
    def sweep_command(
        ctx: typer.Context,
        policy: Annotated[
            Path | None,
            typer.Option("--policy", metavar="FILE", help="the policy file (YAML) to apply"),
        ] = None,
        connector: Annotated[
            list[str] | None,
            typer.Option(
                "--connector", metavar="NAME", help="only this connector (repeatable); default all"
            ),
        ] = None,
        apply: Annotated[
            bool, typer.Option("--apply", help="change the helpdesk (without it: plan only)")
        ] = False,
        plan_id: Annotated[
            str | None,
            typer.Option("--plan", metavar="ID", help="with --apply: the saved plan to apply"),
        ] = None,
        incremental: Annotated[
            bool,
            typer.Option(
                "--incremental", help="read only tickets changed since the last incremental sweep"
            ),
        ] = False,
        json_output: Annotated[bool, typer.Option("--json", help="one JSON report on stdout")] = (
            False
        ),
    ) -> None:
        """Plan (and with --apply, carry out) what a retention policy asks of each helpdesk.

        Plan, review, then apply the plan by its id; after a crash, run the same command again.

        \b
        Example: gdprguard sweep --policy policies/default.yaml
        """
        from ..pipeline import LockBusyError
        from ..policy import load_policy, parse_policy
        from ..sweep import SweepEngine
        from ..sweep.decide import policy_decider

        if plan_id is not None and not apply:
            raise InputError("--plan applies a saved plan: add --apply")
        if plan_id is None and policy is None:
            raise InputError(
                "say which policy to apply: --policy FILE (e.g. policies/default.yaml), or "
                "--apply --plan ID for a saved plan"
            )
        with open_vault(ctx) as vault:
            if plan_id is not None:
                name, digest, text = SweepEngine.saved_policy(vault.store, plan_id)
                loaded = parse_policy(text, source=name)
            else:
                assert policy is not None
                if not policy.is_file():
                    raise ConfigError(f"policy file {policy} does not exist")
                text = policy.read_text(encoding="utf-8")
                loaded = load_policy(policy)
                name, digest = policy.name, hashlib.sha256(text.encode()).hexdigest()
            connectors = configured_connectors(ctx, list(connector or []))
            capabilities = {
                n: c.capabilities for n, c in connectors.items() if hasattr(c, "capabilities")
            }
            problems = [p for p in loaded.check(capabilities) if p.severity == "error"]
            if problems:
                raise ConfigError(f"{problems[0]}")
            progress = Progress()

            def engine_for(name: str, digest: str, text: str, policy_obj: Any) -> SweepEngine:
                return SweepEngine(
                    vault,
                    connectors,
                    policy_decider(policy_obj, capabilities),
                    policy_name=name,
                    policy_sha256=digest,
                    policy_text=text,
                    progress=progress,
                )

            engine = engine_for(name, digest, text, loaded)
            try:
                if plan_id is None and apply:
                    # Finish what a crash left in flight before planning anything new.
                    for earlier in SweepEngine.interrupted(vault.store, connectors):
                        info(f"finishing interrupted plan {earlier} first")
                        old = SweepEngine.saved_policy(vault.store, earlier)
                        engine_for(*old, parse_policy(old[2], source=old[0])).apply(earlier)
                if plan_id is None:
                    summary = engine.plan(incremental=incremental)
                    progress.done()
                    if not apply:
                        _emit_plan(summary, json_output)
                        return
                    plan_id = summary.plan_id
                    if not json_output:
                        _print_summary(summary)
                report = engine.apply(plan_id)
            except LockBusyError as exc:
                progress.done()
                info(f"gdprguard: {exc}")
                if json_output:
                    emit_json({"status": "already-running"})
                return
            finally:
                for instance in connectors.values():
                    instance.close()
            progress.done()
        if json_output:
            emit_json(report.model_dump(mode="json"))
        else:
            _print_report(report)
        if report.failed:
            raise typer.Exit(1)


def _emit_plan(summary: PlanSummary, json_output: bool) -> None:
    if json_output:
        emit_json(summary.model_dump(mode="json"))
        return
    _print_summary(summary)
    sys.stdout.write(summary.plan_id + "\n")
    info(f"review it, then apply it with: gdprguard sweep --apply --plan {summary.plan_id}")
