"""The :class:`Policy` a sweep, the webhook receiver and erasure work with, and how to load one."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._capabilities import ConnectorCapabilities
from ._checks import capability_problems, policy_problems
from ._decision import PersonDecision, TicketDecision
from ._engine import decide_person, decide_ticket, deletion_due
from ._facts import PersonFacts, TicketFacts
from ._problems import PolicyValidationError, Problem, problems_from_validation
from ._rules import hold_for
from ._schema import Defaults, Hold, PolicyDocument, Rule
from ._yaml import Located, YamlProblem, load_yaml

__all__ = ["Policy", "load_policy", "parse_policy"]


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


class Policy:
    """A validated retention policy: rules, legal holds and defaults, plus where they came from.

    Build one with :func:`load_policy` (a file) or :func:`parse_policy` (text). It is immutable
    and safe to share between threads.
    """

    def __init__(
        self,
        document: PolicyDocument,
        *,
        source: str = "<policy>",
        located: Located | None = None,
        warnings: list[Problem] | None = None,
    ) -> None:
        self.document = document
        self.source = source
        self._located = located or Located(None)
        self._warnings = list(warnings or [])

    def __repr__(self) -> str:
        return f"Policy({self.name!r}, rules={len(self.rules)}, holds={len(self.holds)})"

    @property
    def name(self) -> str:
        """The policy's ``name``, else the file's stem."""
        return self.document.name or Path(self.source).stem

    @property
    def rules(self) -> list[Rule]:
        """The rules, in file order."""
        return list(self.document.rules)

    @property
    def holds(self) -> list[Hold]:
        """The legal holds."""
        return list(self.document.holds)

    @property
    def defaults(self) -> Defaults:
        """What rules inherit."""
        return self.document.defaults

    def rule(self, name: str) -> Rule:
        """The rule called *name* (KeyError if none)."""
        for rule in self.document.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)

    def check(
        self, capabilities_by_connector: Mapping[str, ConnectorCapabilities] | None = None
    ) -> list[Problem]:
        """Warnings about the policy, plus what each connector's helpdesk cannot do.

        Errors in the policy itself never get here (loading raised); errors in the result are
        rules a connector cannot carry out at all.
        """
        found = list(self._warnings)
        if capabilities_by_connector:
            found += capability_problems(
                self.document, capabilities_by_connector, self._located, self.source
            )
        return found

    def hold_for(self, facts: TicketFacts) -> Hold | None:
        """The legal hold that applies to this ticket, if any (erasure checks this too)."""
        held = hold_for(self.document, facts)
        return held[0] if held else None

    def decide(
        self,
        facts: TicketFacts,
        now: datetime,
        *,
        capabilities: ConnectorCapabilities | None = None,
    ) -> TicketDecision:
        """What the policy does to this ticket, its comments, attachments and requester at *now*.

        With *capabilities* (the ticket's connector's), actions the helpdesk cannot carry out
        become notes or fall back (a purge becomes a deletion where purging is impossible);
        without, Zendesk's limits are assumed for closed tickets.
        """
        return decide_ticket(self.document, facts, _aware(now), capabilities)

    def decide_person(
        self,
        connector: str,
        person: PersonFacts,
        now: datetime,
        *,
        capabilities: ConnectorCapabilities | None = None,
    ) -> PersonDecision:
        """The person rules for a person on their own (see :func:`consolidate`)."""
        return decide_person(self.document, connector, person, _aware(now), capabilities)

    def deletion_due(self, facts: TicketFacts, now: datetime) -> tuple[datetime, str] | None:
        """When (and by which rule) the ticket will be deleted if nothing changes; None: never."""
        return deletion_due(self.document, facts, _aware(now))

    def realtime_rules(self) -> list[Rule]:
        """The rules marked ``realtime: true`` (for the webhook receiver)."""
        return [r for r in self.document.rules if r.realtime]

    def realtime(self) -> Policy:
        """This policy reduced to its realtime rules, with the same holds and defaults.

        The webhook receiver calls ``policy.realtime().decide(facts, now)`` on a new comment.
        Raises PolicyValidationError when the policy has no realtime rules.
        """
        rules = self.realtime_rules()
        if not rules:
            raise PolicyValidationError(
                [Problem(severity="error", source=self.source,
                         message="the policy has no rules with `realtime: true`; add one (e.g. "
                         "redacting CREDIT_CARD in comments) or use a policy that has")]
            )  # fmt: skip
        document = self.document.model_copy(update={"rules": rules})
        return Policy(document, source=self.source, located=self._located)


def _read(path: str | os.PathLike[str] | Traversable) -> tuple[str, str]:
    try:
        source = str(path)
    except TypeError:  # a Traversable inside an in-memory archive
        source = getattr(path, "name", "<policy>")
    target: Any = path if isinstance(path, Traversable) else Path(path)
    problem = None
    try:
        if isinstance(target, Path) and target.is_dir():
            problem = f"{source} is a directory; pass a policy file such as {source}/default.yaml"
        else:
            data = target.read_bytes()
    except FileNotFoundError:
        problem = (
            f"policy file {source} does not exist; check the path (shipped policies: policies/)"
        )
    except OSError as exc:
        problem = f"cannot read policy file {source}: {exc.strerror or type(exc).__name__}"
    if problem is not None:
        raise PolicyValidationError([Problem(severity="error", message=problem, source=source)])
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise PolicyValidationError(
            [Problem(severity="error", source=source,
                     message=f"not UTF-8 text (byte {exc.start + 1}); save the file as UTF-8")]
        ) from None  # fmt: skip
    return text, source


def load_policy(path: str | os.PathLike[str] | Traversable) -> Policy:
    """Read and validate a policy file.

    Raises :class:`PolicyValidationError` (a ``PolicyError``, exit code 2) listing every error as
    ``file:line:col: error: what; how to fix; did you mean X?``.
    """
    text, source = _read(path)
    return parse_policy(text, source)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Validate policy *text*; *source* names it in messages. Raises PolicyValidationError."""
    try:
        located = load_yaml(text)
    except YamlProblem as exc:
        pos = exc.position
        raise PolicyValidationError(
            [Problem(severity="error", message=exc.message, source=source,
                     line=pos.line if pos else None, column=pos.column if pos else None)]
        ) from None  # fmt: skip
    if not isinstance(located.data, dict):
        pos = located.where(())
        raise PolicyValidationError(
            [Problem(severity="error", source=source, line=pos.line if pos else None,
                     column=pos.column if pos else None,
                     message="a policy is a mapping of keys (version, holds, defaults, rules), "
                     "not a list or a single value")]
        )  # fmt: skip
    try:
        document = PolicyDocument.model_validate(located.data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, PolicyDocument, located, source)
        raise PolicyValidationError(_sorted(problems)) from None
    found = policy_problems(document, located, source)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        raise PolicyValidationError(_sorted(errors))
    return Policy(document, source=source, located=located, warnings=_sorted(found))


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
