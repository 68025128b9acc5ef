"""Turn the upstream corpus files into :class:`~.corpora.PublicRecord` subsets.

Each function takes the upstream file's text and returns the records of the subset described
in :data:`~.corpora.CORPORA`; offsets are code points into the record's text. A span whose
text does not match the annotation, or a token that cannot be found in its sentence, is an
error: nothing is repaired silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from bench.detection.public.corpora import GoldSpan, PublicRecord

__all__ = [
    "GSD_SENTENCES",
    "SUBSET_SIZE",
    "ExtractError",
    "conllu_sentences",
    "gsd_subset",
    "presidio_synth_subset",
    "stockmark_subset",
]

SUBSET_SIZE = 600
GSD_SENTENCES = 600


class ExtractError(ValueError):
    """An upstream file does not have the shape its extractor expects."""


def _records(payload: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(payload, list) or not all(isinstance(r, dict) for r in payload):
        raise ExtractError(f"{what}: expected a JSON list of objects")
    return payload


def presidio_synth_subset(text: str, size: int = SUBSET_SIZE) -> list[PublicRecord]:
    """The first ``size`` records of presidio-research's ``synth_dataset_v2.json``."""
    out: list[PublicRecord] = []
    for i, rec in enumerate(_records(json.loads(text), "synth_dataset_v2.json")[:size]):
        full = rec["full_text"]
        spans = []
        for s in rec["spans"]:
            start, end = int(s["start_position"]), int(s["end_position"])
            if full[start:end] != s["entity_value"]:
                raise ExtractError(f"synth record {i}: span {start}-{end} does not match")
            spans.append(GoldSpan(label=s["entity_type"], start=start, end=end))
        out.append(PublicRecord(id=f"synth-{i:04d}", text=full, spans=_sorted(spans)))
    return out


def stockmark_subset(text: str, size: int = SUBSET_SIZE) -> list[PublicRecord]:
    """The first ``size`` sentences of Stockmark's ``ner.json``."""
    out: list[PublicRecord] = []
    for i, rec in enumerate(_records(json.loads(text), "ner.json")[:size]):
        sentence = rec["text"]
        spans = []
        for e in rec["entities"]:
            start, end = (int(x) for x in e["span"])
            if sentence[start:end] != e["name"]:
                raise ExtractError(f"ner.json record {i}: span {start}-{end} does not match")
            spans.append(GoldSpan(label=e["type"], start=start, end=end))
        out.append(
            PublicRecord(id=f"wiki-{i:04d}-{rec['curid']}", text=sentence, spans=_sorted(spans))
        )
    return out


def _sorted(spans: list[GoldSpan]) -> tuple[GoldSpan, ...]:
    return tuple(sorted(spans, key=lambda s: (s.start, s.end, s.label)))


def _misc_ne(misc: str) -> str | None:
    for item in misc.split("|"):
        if item.startswith("NE="):
            return item[3:]
    return None


def conllu_sentences(text: str) -> Iterator[PublicRecord]:
    """Sentences of a CoNLL-U file whose MISC column carries BILUO tags (``NE=B-PERSON``,
    ``NE=I-…``, ``NE=L-…``, ``NE=U-…``), as records with character offsets into ``# text``."""
    sent_id: str | None = None
    sentence: str | None = None
    tokens: list[list[str]] = []

    def finish() -> PublicRecord:
        if sent_id is None or sentence is None:
            raise ExtractError("a sentence lacks its '# sent_id' or '# text' line")
        return _sentence_record(sent_id, sentence, tokens)

    for line in text.splitlines():
        if not line.strip():
            if tokens:
                yield finish()
            sent_id, sentence, tokens = None, None, []
        elif line.startswith("# sent_id = "):
            sent_id = line[len("# sent_id = ") :]
        elif line.startswith("# text = "):
            sentence = line[len("# text = ") :]
        elif not line.startswith("#"):
            cols = line.split("\t")
            if len(cols) != 10:
                raise ExtractError(f"sentence {sent_id}: a token line has {len(cols)} columns")
            if "-" in cols[0] or "." in cols[0]:
                continue  # multiword-token ranges and empty nodes: no surface text of their own
            tokens.append(cols)
    if tokens:
        yield finish()


def _sentence_record(sent_id: str, sentence: str, tokens: Sequence[list[str]]) -> PublicRecord:
    spans: list[GoldSpan] = []
    pos = 0
    open_label: str | None = None
    open_start = 0
    for cols in tokens:
        form = cols[1]
        start = sentence.find(form, pos)
        if start < 0:
            raise ExtractError(f"sentence {sent_id}: token {cols[0]} is not in its text")
        end = pos = start + len(form)
        tag = _misc_ne(cols[9])
        if tag is None or tag == "O":
            if open_label is not None:
                raise ExtractError(f"sentence {sent_id}: entity not closed before token {cols[0]}")
            continue
        prefix, _, label = tag.partition("-")
        if prefix == "U" and open_label is None:
            spans.append(GoldSpan(label=label, start=start, end=end))
        elif prefix == "B" and open_label is None:
            open_label, open_start = label, start
        elif prefix == "I" and open_label == label:
            pass
        elif prefix == "L" and open_label == label:
            spans.append(GoldSpan(label=label, start=open_start, end=end))
            open_label = None
        else:
            raise ExtractError(f"sentence {sent_id}: unexpected tag {tag} at token {cols[0]}")
    if open_label is not None:
        raise ExtractError(f"sentence {sent_id}: entity not closed at the end")
    return PublicRecord(id=sent_id, text=sentence, spans=_sorted(spans))


def gsd_subset(test: str, dev: str, size: int = GSD_SENTENCES) -> list[PublicRecord]:
    """All sentences of the test split, then dev sentences until there are ``size``."""
    out = list(conllu_sentences(test))[:size]
    for record in conllu_sentences(dev):
        if len(out) >= size:
            break
        out.append(record)
    return out
