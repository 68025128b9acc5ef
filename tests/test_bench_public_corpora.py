"""The public-corpus benchmark: provenance files, extractors, loader and overlap scorer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bench.detection.metrics import Pred
from bench.detection.model import ENTITY_TYPES
from bench.detection.public.build import to_jsonl
from bench.detection.public.corpora import (
    CORPORA,
    CorpusError,
    CorpusSpec,
    GoldSpan,
    PublicRecord,
    Source,
    data_dir,
    expected_checksums,
    load_records,
    sha256_file,
)
from bench.detection.public.docs import markers, write_block
from bench.detection.public.extract import (
    ExtractError,
    conllu_sentences,
    presidio_synth_subset,
    stockmark_subset,
)
from bench.detection.public.presidio_tests import extract_cases, merge_cases
from bench.detection.public.scoring import score_records

TOY = CorpusSpec(
    name="toy",
    title="toy",
    language="en",
    licence="none",
    source=Source("example/toy", "0" * 40, ("toy.json",)),
    subset="all",
    mapping={"PER": "PERSON", "LOC": "LOCATION"},
    neutral={"FAC": "LOCATION"},
    ignored={"ORG": "not scored"},
)
TOY_TEXT = "Alice met Bob in Paris at the Louvre for ACME."


def _toy_record(labels: tuple[str, ...] | None = None) -> PublicRecord:
    spans = [("PER", 0, 5), ("PER", 10, 13), ("LOC", 17, 22), ("FAC", 30, 36), ("ORG", 41, 45)]
    return PublicRecord(
        id="toy-1",
        text=TOY_TEXT,
        spans=tuple(GoldSpan(label=a, start=s, end=e) for a, s, e in spans),
        labels=labels,
    )


TOY_PREDS = [
    Pred("PERSON", 0, 3),  # "Ali": overlaps Alice
    Pred("PERSON", 3, 5),  # "ce": overlaps Alice too (right by overlap, not one-to-one)
    Pred("PERSON", 41, 45),  # ACME: an organisation, wrong
    Pred("LOCATION", 17, 22),  # Paris
    Pred("LOCATION", 30, 36),  # the Louvre: neutral, not counted
    Pred("EMAIL_ADDRESS", 0, 5),  # a type the corpus is not annotated for: not counted
]


# --------------------------------------------------------------------------- provenance


@pytest.mark.parametrize("spec", CORPORA, ids=lambda s: s.name)
def test_each_corpus_has_its_licence_and_checksum(spec: CorpusSpec) -> None:
    text = spec.licence_file.read_text(encoding="utf-8")
    assert spec.source.commit in text and spec.source.repo in text
    assert re.search(r"MIT|CC BY-SA", text)
    assert re.fullmatch(r"[0-9a-f]{64}", expected_checksums()[spec.file_name])


@pytest.mark.parametrize("spec", CORPORA, ids=lambda s: s.name)
def test_label_tables_are_consistent(spec: CorpusSpec) -> None:
    assert set(spec.mapping.values()) <= set(ENTITY_TYPES)
    assert set(spec.neutral.values()) <= set(spec.mapping.values())
    tables = [set(spec.mapping), set(spec.neutral), set(spec.ignored)]
    assert sum(len(t) for t in tables) == len(set().union(*tables))


@pytest.mark.parametrize("spec", CORPORA, ids=lambda s: s.name)
def test_built_subsets_load(spec: CorpusSpec) -> None:
    if not (data_dir() / spec.file_name).is_file():
        pytest.skip(f"{spec.file_name} not built (python -m bench.detection.public.build)")
    records = load_records(spec)
    assert len(records) == (500 if spec.name == "presidio-recognizer-tests" else 600)
    assert len({r.id for r in records}) == len(records)
    assert sum(1 for r in records for s in r.spans if s.label in spec.mapping) > 50


def test_loader_refuses_an_altered_file(tmp_path: Path) -> None:
    spec = CORPORA[0]
    with pytest.raises(CorpusError, match="does not exist"):
        load_records(spec, tmp_path)
    (tmp_path / spec.file_name).write_text(to_jsonl([_toy_record()]), encoding="utf-8")
    with pytest.raises(CorpusError, match="SHA-256"):
        load_records(spec, tmp_path)


def test_loader_refuses_a_label_missing_from_the_mapping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = CORPORA[0]
    path = tmp_path / spec.file_name
    path.write_text(to_jsonl([_toy_record()]), encoding="utf-8")
    sums = tmp_path / "checksums.json"
    sums.write_text(json.dumps({spec.file_name: sha256_file(path)}), encoding="utf-8")
    monkeypatch.setattr("bench.detection.public.corpora.CHECKSUMS_FILE", sums)
    with pytest.raises(CorpusError, match="PER"):
        load_records(spec, tmp_path)


def test_record_spans_must_lie_inside_the_text() -> None:
    with pytest.raises(ValueError, match="outside"):
        PublicRecord(id="x", text="abc", spans=(GoldSpan(label="PER", start=2, end=5),))


# --------------------------------------------------------------------------- scoring


def test_overlap_scorer_on_a_hand_made_example() -> None:
    totals, per_record = score_records(TOY, [_toy_record()], [TOY_PREDS])
    person, location = totals["PERSON"], totals["LOCATION"]
    assert (person.gold, person.found, person.predicted, person.correct) == (2, 1, 3, 2)
    assert person.precision == pytest.approx(2 / 3)
    assert person.recall == pytest.approx(1 / 2)
    assert person.f1 == pytest.approx(4 / 7)
    # one-to-one, half-covering: "Ali" matches Alice; "ce" and ACME are wrong, Bob is missed
    assert (person.strict_tp, person.strict_fp, person.strict_fn) == (1, 2, 1)
    assert person.strict_f1 == pytest.approx(0.4)
    assert (location.gold, location.found, location.predicted, location.correct) == (1, 1, 1, 1)
    assert location.f1 == 1.0
    assert [(g.label, g.start) for g in per_record[0].missed] == [("PER", 10)]
    assert per_record[0].wrong == [Pred("PERSON", 41, 45)]


def test_a_record_annotated_for_some_labels_scores_only_those() -> None:
    totals, _ = score_records(TOY, [_toy_record(labels=("PER",))], [TOY_PREDS])
    assert totals["PERSON"].gold == 2
    assert (totals["LOCATION"].gold, totals["LOCATION"].predicted) == (0, 0)


def test_a_neutral_span_does_not_hide_a_wrong_prediction_elsewhere() -> None:
    preds = [Pred("LOCATION", 26, 36)]  # "the Louvre": overlaps the neutral span only
    totals, _ = score_records(TOY, [_toy_record()], [preds])
    assert totals["LOCATION"].predicted == 0
    totals, _ = score_records(TOY, [_toy_record()], [[Pred("LOCATION", 4, 9)]])
    assert (totals["LOCATION"].predicted, totals["LOCATION"].correct) == (1, 0)


# --------------------------------------------------------------------------- extractors


CONLLU = """# sent_id = test-s1
# text = 山田太郎さんは東京に住む。
1\t山田\t山田\tPROPN\t_\t_\t0\troot\t_\tSpaceAfter=No|NE=B-PERSON
2\t太郎\t太郎\tPROPN\t_\t_\t1\tflat\t_\tSpaceAfter=No|NE=L-PERSON
3\tさん\tさん\tNOUN\t_\t_\t1\tflat\t_\tSpaceAfter=No|NE=U-TITLE_AFFIX
4\tは\tは\tADP\t_\t_\t1\tcase\t_\tSpaceAfter=No
5\t東京\t東京\tPROPN\t_\t_\t1\tobl\t_\tSpaceAfter=No|NE=U-GPE
6\tに\tに\tADP\t_\t_\t5\tcase\t_\tSpaceAfter=No|NE=O
7\t住む\t住む\tVERB\t_\t_\t1\tacl\t_\tSpaceAfter=No
8\t。\t。\tPUNCT\t_\t_\t1\tpunct\t_\tSpaceAfter=No

# sent_id = test-s2
# text = A B
1\tA\tA\tX\t_\t_\t0\troot\t_\tNE=B-ORG
2\tB\tB\tX\t_\t_\t1\tflat\t_\tSpaceAfter=No|NE=L-ORG

"""


def test_conllu_biluo_tags_become_character_spans() -> None:
    first, second = list(conllu_sentences(CONLLU))
    assert first.id == "test-s1"
    assert [(s.label, first.text[s.start : s.end]) for s in first.spans] == [
        ("PERSON", "山田太郎"),
        ("TITLE_AFFIX", "さん"),
        ("GPE", "東京"),
    ]
    assert [(s.label, s.start, s.end) for s in second.spans] == [("ORG", 0, 3)]


def test_conllu_with_an_unclosed_entity_is_an_error() -> None:
    broken = CONLLU.replace("NE=L-PERSON", "NE=O")
    with pytest.raises(ExtractError, match="not closed"):
        list(conllu_sentences(broken))


def test_json_extractors_copy_spans_and_check_them() -> None:
    synth = [
        {
            "full_text": "Call Ann",
            "spans": [
                {
                    "entity_type": "PERSON",
                    "entity_value": "Ann",
                    "start_position": 5,
                    "end_position": 8,
                }
            ],
        }
    ]
    (record,) = presidio_synth_subset(json.dumps(synth), size=5)
    assert (record.id, record.spans) == ("synth-0000", (GoldSpan(label="PERSON", start=5, end=8),))
    synth[0]["spans"][0]["entity_value"] = "Bob"  # type: ignore[index]
    with pytest.raises(ExtractError):
        presidio_synth_subset(json.dumps(synth))
    wiki = [
        {
            "curid": "7",
            "text": "東京都",
            "entities": [{"name": "東京", "span": [0, 2], "type": "地名"}],
        }
    ]
    (sentence,) = stockmark_subset(json.dumps(wiki))
    assert (sentence.id, sentence.spans) == (
        "wiki-0000-7",
        (GoldSpan(label="地名", start=0, end=2),),
    )


PRESIDIO_TEST_SOURCE = """
import pytest

@pytest.mark.parametrize(
    "text, expected_len, expected_positions",
    [
        ("mail a@b.io now", 1, ((5, 11),),),
        (f"no placeholders", 0, ()),
        ("two", 2, ()),
        ("mail a@b.io now", 1, ((5, 11),),),
    ],
)
def test_cases(text, expected_len, expected_positions):
    pass

@pytest.mark.parametrize(
    "text, expected_len, expected_positions, leniency",
    [("x", 1, ((0, 1),), 2)],
)
def test_with_setting(text, expected_len, expected_positions, leniency):
    pass
"""


def test_presidio_cases_are_read_as_data() -> None:
    cases = merge_cases([extract_cases(PRESIDIO_TEST_SOURCE, "EMAIL_ADDRESS", "test_email")])
    assert [(r.id, r.text, r.labels) for r in cases.records] == [
        ("test_email::test_cases[0]", "mail a@b.io now", ("EMAIL_ADDRESS",)),
        ("test_email::test_cases[1]", "no placeholders", ("EMAIL_ADDRESS",)),
    ]
    assert cases.records[0].spans == (GoldSpan(label="EMAIL_ADDRESS", start=5, end=11),)
    assert cases.skipped == {
        "count without offsets": 1,
        "repeated text": 1,
        "expectation depends on a recognizer setting": 1,
    }


# --------------------------------------------------------------------------- docs


def test_blocks_go_inside_the_detection_section_and_are_replaced(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "## Detection\n\n<!-- bench:detection:start -->\nmain\n"
        "<!-- bench:detection-notes:start -->\nnotes\n<!-- bench:detection-notes:end -->\n"
        "<!-- bench:detection:end -->\n\n## Vault\n",
        encoding="utf-8",
    )
    write_block("detection-public", "first", doc)
    write_block("detection-public", "second", doc)
    text = doc.read_text(encoding="utf-8")
    start, end = markers("detection-public")
    assert text.count(start) == 1 and "first" not in text
    assert text.index("main") < text.index("second") < text.index("notes")
    assert text.index(end) < text.index("<!-- bench:detection:end -->")
