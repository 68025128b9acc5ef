"""Regex alternations built as prefix trees.

``re`` tries a flat alternation branch by branch at every position of the text; an alternation
grouped by common prefixes (``New(?:[ ]York|castle)``) rejects most positions at the first
character, so one regex over hundreds of words stays linear and fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["trie_alternation"]

_Node = dict[str, "_Node"]


def trie_alternation(words: Iterable[str]) -> str:
    """A regex alternation of *words* as a prefix tree: every word matches, and at a position
    the longest word wins (``trie_alternation(["ab", "abc"])`` is ``ab(?:c)?``). Characters are
    escaped; the result is not wrapped in a group when there is one branch."""
    tree: _Node = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(tree)


def _emit(node: _Node) -> str:
    alts = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if not alts:
        return ""
    end = "" in node
    body = alts[0] if len(alts) == 1 and not end else "(?:" + "|".join(alts) + ")"
    return body + "?" if end else body
