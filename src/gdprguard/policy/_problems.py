"""Problems found in a policy, each with its place in the file, and the error that carries them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from .._exceptions import PolicyError
from ._vocab import did_you_mean
from ._yaml import Located, Path

__all__ = ["PolicyValidationError", "Problem", "dotted", "problems_from_validation"]

Severity = Literal["error", "warning"]


def dotted(path: Path) -> str:
    """``rules[2].when.status`` for ``("rules", 2, "when", "status")``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Problem(BaseModel):
    """One thing wrong (``error``) or worth a second look (``warning``) in a policy."""

    model_config = ConfigDict(frozen=True)

    severity: Severity
    message: str
    source: str = "<policy>"
    line: int | None = None
    column: int | None = None
    path: str | None = None
    rule: str | None = None
    connector: str | None = None

    @property
    def location(self) -> str:
        """``file:line:col`` (or just the file when the problem has no position)."""
        if self.line is None:
            return self.source
        return f"{self.source}:{self.line}:{self.column or 1}"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


class PolicyValidationError(PolicyError):
    """A policy file does not validate; ``problems`` lists every error found (exit code 2)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"] or self.problems
        if len(errors) == 1:
            text = f"{errors[0].location}: {errors[0].message}"
        else:
            lines = [f"{len(errors)} problems in {errors[0].source}:", *map(str, errors)]
            text = "\n  ".join(lines)
        super().__init__(text)


def _model_at(model: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    """The model class that holds the key at *loc* (for 'unknown key' messages)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """The model inside ``X | None``, ``list[X]``, ``dict[str, X]`` and ``Annotated[...]``."""
    for _ in range(6):
        origin = get_origin(annotation)
        if origin is None:
            return annotation
        args = [a for a in get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:
            return models[0]
        if not args:
            return annotation
        annotation = args[-1] if origin is dict else args[0]
    return annotation


def _keys_of(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def problems_from_validation(
    exc: ValidationError, root: type[BaseModel], located: Located, source: str
) -> list[Problem]:
    """Turn pydantic's errors into positioned, actionable problems (one per error)."""
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        loc: tuple[str | int, ...] = tuple(error["loc"])
        kind = error["type"]
        path = dotted(loc)
        position = located.where(loc)
        if kind == "extra_forbidden":
            key = str(loc[-1])
            position = located.where(loc, key=True)
            parent = _model_at(root, loc[:-1])
            allowed = _keys_of(parent) if parent else []
            hint = did_you_mean(key, allowed)
            where = f" in {dotted(loc[:-1])}" if loc[:-1] else ""
            message = f"unknown key {key!r}{where}"
            if allowed:
                message += f"; allowed keys: {', '.join(allowed)}"
            if hint:
                message += f"; {hint}"
        elif kind == "missing":
            parent_path = loc[:-1]
            position = located.where(parent_path)
            what = dotted(parent_path) or "the policy"
            message = f"{what} needs the key {str(loc[-1])!r}"
            message += _missing_hint(str(loc[-1]))
        elif kind in ("model_type", "dict_type"):
            message = f"{path or 'the policy'} must be a mapping of keys to values"
        elif kind == "list_type":
            message = f"{path} must be a list (one `- item` per line, or [a, b])"
        elif kind in ("bool_type", "bool_parsing"):
            message = f"{path} must be true or false"
        elif kind in ("int_type", "int_parsing"):
            message = f"{path} must be a whole number"
        elif kind in ("string_type", "str_type"):
            message = f"{path} must be text"
        elif kind == "too_short":
            message = f"{path} must not be empty"
        elif kind in ("less_than_equal", "greater_than_equal"):
            message = f"{path}: {error['msg'].lower()}"
            if path.startswith("rules") and ".keep_digits" in path:
                message += " (PCI DSS lets at most the first 6-8 and the last 4 digits show)"
        else:
            message = f"{path}: {error['msg']}" if path else error["msg"]
        problems.append(
            Problem(
                severity="error",
                message=message,
                source=source,
                line=position.line if position else None,
                column=position.column if position else None,
                path=path or None,
                rule=_rule_name(located.data, loc),
            )
        )
    return problems


def _missing_hint(key: str) -> str:
    hints = {
        "version": " (add `version: 1` at the top)",
        "rules": " (a list of rules, each with name, when and action)",
        "kind": ": one of ticket, comment, attachment, person",
        "action": ": one of redact, redact_attachments, anonymize_person, delete, purge, keep",
        "when": " (which records the rule selects, at least `kind:`)",
        "name": " (a short unique name such as delete-solved-after-3y)",
    }
    return hints.get(key, "")


def _rule_name(data: Any, loc: Sequence[Any]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(data, dict):
        rules = data.get("rules")
        if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            name = rules[loc[1]].get("name")
            return str(name) if name is not None else None
    return None
