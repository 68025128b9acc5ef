"""Read the test cases out of Presidio's recognizer test files, as data.

The files are parsed with :mod:`ast`, never imported or run. A case is one row of a
``@pytest.mark.parametrize`` table whose argument names include the text (``text`` or
``iban``), the expected number of results (``expected_len``) and their offsets
(``expected_positions`` or ``expected_res``). Rows whose count and offsets agree become
records; the others are counted in the ``skipped`` reasons.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.detection.public.corpora import GoldSpan, PublicRecord

__all__ = ["PresidioCases", "extract_cases", "merge_cases"]

TEXT_ARGS = ("text", "iban")
COUNT_ARG = "expected_len"
OFFSET_ARGS = ("expected_positions", "expected_res")
ENTITIES_ARG = "entities"
#: argument names whose value changes what the recognizer is expected to find
SETTING_ARGS = ("leniency",)


@dataclass
class PresidioCases:
    """Records extracted from one or more test files, and why other rows were left out."""

    records: list[PublicRecord] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def _literal(node: ast.expr) -> Any:
    """``ast.literal_eval`` that also accepts f-strings without placeholders."""
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if not (isinstance(v, ast.Constant) and isinstance(v.value, str)):
                raise ValueError("f-string with placeholders")
            parts.append(v.value)
        return "".join(parts)
    if isinstance(node, ast.Tuple | ast.List):
        values = [_literal(e) for e in node.elts]
        return tuple(values) if isinstance(node, ast.Tuple) else values
    return ast.literal_eval(node)


def _parametrize_tables(tree: ast.Module) -> list[tuple[str, list[str], ast.List]]:
    """``(function name, argument names, table)`` of every ``pytest.mark.parametrize``."""
    tables = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if not (
                isinstance(deco, ast.Call)
                and isinstance(deco.func, ast.Attribute)
                and deco.func.attr == "parametrize"
                and len(deco.args) >= 2
                and isinstance(deco.args[0], ast.Constant)
                and isinstance(deco.args[0].value, str)
                and isinstance(deco.args[1], ast.List)
            ):
                continue
            names = [n.strip() for n in deco.args[0].value.split(",")]
            tables.append((node.name, names, deco.args[1]))
    return tables


def extract_cases(source: str, entity: str, origin: str) -> PresidioCases:
    """The cases of one test file for ``entity``; ``origin`` prefixes the record ids."""
    out = PresidioCases()
    for func, names, table in _parametrize_tables(ast.parse(source)):
        text_arg = next((n for n in TEXT_ARGS if n in names), None)
        offset_arg = next((n for n in OFFSET_ARGS if n in names), None)
        if text_arg is None or offset_arg is None or COUNT_ARG not in names:
            out.skipped["table without text, count and offsets"] += len(table.elts)
            continue
        if any(n in names for n in SETTING_ARGS):
            out.skipped["expectation depends on a recognizer setting"] += len(table.elts)
            continue
        for i, row in enumerate(table.elts):
            try:
                values = _literal(row)
            except ValueError:
                out.skipped["row is not a literal"] += 1
                continue
            if not isinstance(values, tuple) or len(values) != len(names):
                out.skipped["row does not fit its argument names"] += 1
                continue
            case = dict(zip(names, values, strict=True))
            offsets = tuple(case[offset_arg])
            if ENTITIES_ARG in case and any(e != entity for e in case[ENTITIES_ARG]):
                out.skipped["row expects another entity type"] += 1
                continue
            if case[COUNT_ARG] != len(offsets):
                out.skipped["count without offsets"] += 1
                continue
            text = case[text_arg]
            spans = tuple(
                GoldSpan(label=entity, start=int(s), end=int(e)) for s, e in sorted(offsets)
            )
            out.records.append(
                PublicRecord(id=f"{origin}::{func}[{i}]", text=text, spans=spans, labels=(entity,))
            )
    return out


def merge_cases(parts: list[PresidioCases]) -> PresidioCases:
    """Concatenate the files' cases, keeping the first of records that repeat a text for
    the same type (with the same expectation; a differing one is counted as a conflict)."""
    out = PresidioCases()
    seen: dict[tuple[tuple[str, ...] | None, str], tuple[GoldSpan, ...]] = {}
    for part in parts:
        out.skipped.update(part.skipped)
        for record in part.records:
            key = (record.labels, record.text)
            if key in seen:
                reason = "repeated text" if seen[key] == record.spans else "conflicting repeat"
                out.skipped[reason] += 1
                continue
            seen[key] = record.spans
            out.records.append(record)
    return out
