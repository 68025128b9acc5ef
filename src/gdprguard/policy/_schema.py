"""The pydantic models of a policy file: what each key means and which values it takes.

Shape checks live here (types, vocabularies with "did you mean", durations); checks that relate
keys to each other (an action that does not fit the kind of record, contradictory ages, shadowed
rules) live in :mod:`._checks`, so each can point at the key it is about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ._duration import Duration
from ._vocab import (
    ACTIONS,
    ENTITY_TYPES,
    KINDS,
    OPERATORS,
    STATUS_ALIASES,
    STATUSES,
    Action,
    Kind,
    Operator,
    canonical_status,
    did_you_mean,
)

__all__ = [
    "AGE_KEYS",
    "Defaults",
    "Hold",
    "KeepDigits",
    "PolicyDocument",
    "Rule",
    "Scalar",
    "Selector",
    "TagMatch",
]

Scalar = str | int | float | bool | None
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")

#: the age conditions: (key, which time it measures)
AGE_KEYS: tuple[str, ...] = (
    "created_more_than",
    "created_less_than",
    "updated_more_than",
    "updated_less_than",
    "solved_more_than",
    "solved_less_than",
    "inactive_more_than",
    "inactive_less_than",
)


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _choice(value: object, options: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str):
        raise _fail("choice", f"{what} must be one of {', '.join(options)}; got {value!r}")
    if value in options:
        return value
    hint = did_you_mean(value, options)
    raise _fail(
        "choice",
        f"unknown {what} {value!r}; use one of {', '.join(options)}"
        + (f"; {hint}" if hint else ""),
    )


def _as_list(value: object) -> object:
    """A single value stands for a list of one."""
    if value is None or isinstance(value, list):
        return value
    return [value]


def _id_text(value: object) -> str:
    """Helpdesk ids and names may be written as numbers; they are compared as text."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _fail("type", f"expected a name or an id, got {value!r}")
    return str(value)


def _one_status(value: object) -> str:
    status = canonical_status(_choice(value, (*STATUSES, *STATUS_ALIASES), "ticket status"))
    assert status is not None
    return status


def _one_entity(value: object) -> str:
    if not isinstance(value, str):
        raise _fail("choice", f"entity types are names such as EMAIL_ADDRESS; got {value!r}")
    name = value.strip().upper()
    if name not in ENTITY_TYPES:
        hint = did_you_mean(name, ENTITY_TYPES)
        raise _fail(
            "choice",
            f"unknown entity type {value!r}; known types: {', '.join(ENTITY_TYPES)}"
            + (f"; {hint}" if hint else ""),
        )
    return name


def _list_of(item: Callable[[object], str], what: str, words: Mapping[str, str] = {}) -> Any:
    """A wrap validator: a value or a list of them, each checked by *item* at its own position.

    *words* are whole-value keywords (``any``, ``all``) that stand instead of a list.
    """
    adapter: TypeAdapter[list[str]] = TypeAdapter(list[Annotated[str, BeforeValidator(item)]])

    def validate(value: object, handler: Any) -> object:
        if value is None:
            return None
        if isinstance(value, str) and value.strip().lower() in words:
            return words[value.strip().lower()]
        listed = _as_list(value)
        if isinstance(listed, list) and not listed:
            raise _fail("empty", f"an empty list matches nothing; list at least one {what}")
        return adapter.validate_python(listed)

    return WrapValidator(validate)


def _kind(value: object) -> str:
    return _choice(value, KINDS, "record kind")


def _action(value: object) -> str:
    return _choice(value, ACTIONS, "action")


def _operator(value: object) -> str:
    return _choice(value, OPERATORS, "operator")


_ANY_TYPE = {"any": "any", "all": "any"}
_ALL_TYPES = {"all": "all", "any": "all"}


def _tags(value: object) -> object:
    if isinstance(value, str | list):
        return {"any": _as_list(value)}
    return value


def _scalar_values(value: object) -> object:
    if isinstance(value, dict):
        raise _fail("type", "a field's value is a plain value or a list of them")
    listed = _as_list(value) if value is not None else [None]
    if isinstance(listed, list) and not listed:
        raise _fail("empty", "an empty list matches nothing; list at least one value")
    return listed


Ids = Annotated[list[str], _list_of(_id_text, "value")]
FieldValues = Annotated[list[Scalar], BeforeValidator(_scalar_values)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TagMatch(_Strict):
    """Tags: ``[a, b]`` (any of them), or ``{any: [...], all: [...], none: [...]}``."""

    any: Ids | None = None
    all: Ids | None = None
    none: Ids | None = None


class KeepDigits(_Strict):
    """Digits left readable at each end of a redacted card number (PCI DSS: 6 and 4 at most)."""

    first: int = Field(default=0, ge=0, le=8)
    last: int = Field(default=0, ge=0, le=4)


class Selector(_Strict):
    """``when:``: which records a rule applies to. Every condition given must hold."""

    kind: Annotated[Kind, BeforeValidator(_kind)]
    connector: Ids | None = None
    status: Annotated[list[str] | None, _list_of(_one_status, "status")] = None
    tags: Annotated[TagMatch | None, BeforeValidator(_tags)] = None
    group: Ids | None = None
    brand: Ids | None = None
    channel: Ids | None = None
    organization: Ids | None = None
    custom_fields: dict[str, FieldValues] | None = None
    created_more_than: Duration | None = None
    created_less_than: Duration | None = None
    updated_more_than: Duration | None = None
    updated_less_than: Duration | None = None
    solved_more_than: Duration | None = None
    solved_less_than: Duration | None = None
    inactive_more_than: Duration | None = None
    inactive_less_than: Duration | None = None
    entities: Annotated[
        Literal["any"] | list[str] | None, _list_of(_one_entity, "entity type", _ANY_TYPE)
    ] = None
    public: bool | None = None
    deleted: bool = False

    @field_validator("custom_fields", mode="before")
    @classmethod
    def _field_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value

    def given(self) -> list[str]:
        """The condition keys written in the file (besides ``kind``)."""
        return [k for k in self.model_fields_set if k != "kind"]


class Rule(_Strict):
    """One rule: a selection (``when``), an action and the action's parameters."""

    name: str
    description: str | None = None
    realtime: bool = False
    when: Selector
    action: Annotated[Action, BeforeValidator(_action)]
    entities: Annotated[
        Literal["all"] | list[str] | None, _list_of(_one_entity, "entity type", _ALL_TYPES)
    ] = None
    operator: Annotated[Operator | None, BeforeValidator(_operator)] = None
    keep_digits: KeepDigits | None = None
    keep_original_for: Duration | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _slug(cls, value: Any) -> Any:
        if isinstance(value, str) and not _NAME.match(value.strip()):
            raise _fail(
                "name",
                f"rule name {value!r} must be 1-80 lower-case letters, digits, '.', '_' or '-' "
                "(it appears in plans and the audit log), e.g. delete-solved-after-3y",
            )
        return value


class Hold(_Strict):
    """A legal hold: tickets with any of these tags or field values are left untouched."""

    name: str
    description: str | None = None
    tags: Ids | None = None
    custom_fields: dict[str, FieldValues] | None = None

    @field_validator("custom_fields", mode="before")
    @classmethod
    def _field_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value

    @field_validator("name", mode="before")
    @classmethod
    def _slug(cls, value: Any) -> Any:
        if isinstance(value, str) and not _NAME.match(value.strip()):
            raise _fail(
                "name",
                f"hold name {value!r} must be 1-80 lower-case letters, digits, '.', '_' or '-', "
                "e.g. litigation-2025",
            )
        return value


class Defaults(_Strict):
    """Values rules inherit when they do not set their own."""

    operator: Annotated[Operator, BeforeValidator(_operator)] = "mask"
    keep_original_for: Duration | None = None


class PolicyDocument(_Strict):
    """A whole policy file."""

    version: Literal[1] = Field(description="the policy language version; 1")
    name: str | None = None
    description: str | None = None
    holds: list[Hold] = Field(default_factory=list)
    defaults: Defaults = Field(default_factory=Defaults)
    rules: list[Rule] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if value != 1:
            raise _fail(
                "version", f"unsupported policy version {value!r}; this gdprguard reads version: 1"
            )
        return value
