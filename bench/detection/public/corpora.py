"""The public, independently annotated corpora: where each comes from, how its gold labels map
onto gdprguard's entity types, and loading the subsets that :mod:`.build` writes.

A subset file is JSON lines of :class:`PublicRecord` (text and gold spans with the corpus's own
labels). Labels are mapped at scoring time, so the files keep what the annotators wrote. Every
label found in a file must be listed in its corpus's ``mapping``, ``neutral`` or ``ignored``
table: an unknown label is an error, so the tables below (and the docs built from them) are
complete.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

__all__ = [
    "CHECKSUMS_FILE",
    "CORPORA",
    "DATA_DIR_ENV",
    "DEFAULT_DATA_DIR",
    "LICENSES_DIR",
    "CorpusError",
    "CorpusSpec",
    "GoldSpan",
    "PublicRecord",
    "Source",
    "corpus",
    "data_dir",
    "expected_checksums",
    "load_records",
    "sha256_file",
]

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[2]
CHECKSUMS_FILE = PACKAGE_DIR / "checksums.json"
LICENSES_DIR = PACKAGE_DIR / "licenses"
#: where :mod:`.build` writes the subsets unless told otherwise (git-ignored)
DEFAULT_DATA_DIR = REPO_ROOT / "bench" / ".cache" / "public-corpora"
DATA_DIR_ENV = "GDPRGUARD_PUBLIC_CORPORA"


class CorpusError(Exception):
    """A subset file is missing, altered or malformed (the message says how to fix it)."""


class GoldSpan(BaseModel):
    """One annotated span, labelled as in the source corpus."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    start: int
    end: int


class PublicRecord(BaseModel):
    """One text of a subset. ``labels`` lists the labels annotated in this record when the
    record is annotated for some labels only (Presidio's test cases: one type per case);
    ``None`` means every label of the corpus."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    text: str
    spans: tuple[GoldSpan, ...]
    labels: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _spans_inside_text(self) -> PublicRecord:
        for span in self.spans:
            if not 0 <= span.start < span.end <= len(self.text):
                raise ValueError(
                    f"span {span.start}-{span.end} is outside the text ({len(self.text)} chars)"
                )
        return self


@dataclass(frozen=True)
class Source:
    """An upstream repository file (or files) at a pinned commit."""

    repo: str
    commit: str
    paths: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repo}"


@dataclass(frozen=True)
class CorpusSpec:
    """A public corpus: provenance, licence, subset rule and label mapping."""

    name: str
    title: str
    language: str
    licence: str
    source: Source
    subset: str
    #: gold label -> gdprguard entity type that is scored
    mapping: Mapping[str, str]
    #: gold label -> entity type whose predictions on such a span are neither right nor wrong
    neutral: Mapping[str, str] = field(default_factory=dict)
    #: gold label -> why it is not scored
    ignored: Mapping[str, str] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return f"{self.name}.jsonl"

    @property
    def licence_file(self) -> Path:
        return LICENSES_DIR / f"{self.name}.md"

    @property
    def entity_types(self) -> tuple[str, ...]:
        """The gdprguard types scored on this corpus, in a stable order."""
        return tuple(dict.fromkeys(self.mapping.values()))

    def known_labels(self) -> set[str]:
        return set(self.mapping) | set(self.neutral) | set(self.ignored)


_NOT_CONTRACT = "not a type of the detection contract"

CORPORA: tuple[CorpusSpec, ...] = (
    CorpusSpec(
        name="presidio-research-synth",
        title="Presidio-research synthetic set (English)",
        language="en",
        licence="MIT (Microsoft); Fake Name Generator identities CC BY-SA 3.0 US",
        source=Source(
            "microsoft/presidio-research",
            "7622dec1e5f7d25dc60b57c28c39f4c4af197018",
            ("data/synth_dataset_v2.json",),
        ),
        subset="the first 600 of the 1,500 records, in file order",
        mapping={
            "PERSON": "PERSON",
            "GPE": "LOCATION",
            "STREET_ADDRESS": "LOCATION",
            "EMAIL_ADDRESS": "EMAIL_ADDRESS",
            "PHONE_NUMBER": "PHONE_NUMBER",
            "CREDIT_CARD": "CREDIT_CARD",
            "IBAN_CODE": "IBAN_CODE",
            "IP_ADDRESS": "IP_ADDRESS",
            "DOMAIN_NAME": "URL",
        },
        neutral={
            "TITLE": "PERSON",
            "ZIP_CODE": "LOCATION",
        },
        ignored={
            "DATE_TIME": "every date and time is labelled; gdprguard flags dates of birth only",
            "ORGANIZATION": _NOT_CONTRACT,
            "NRP": _NOT_CONTRACT,
            "AGE": _NOT_CONTRACT,
            "US_SSN": _NOT_CONTRACT,
            "US_DRIVER_LICENSE": _NOT_CONTRACT,
        },
    ),
    CorpusSpec(
        name="presidio-recognizer-tests",
        title="Presidio's recognizer test cases (English)",
        language="en",
        licence="MIT (Presidio contributors)",
        source=Source(
            "microsoft/presidio",
            "0aa9f8e44275cb52c00fbbebe19168e934e1f076",
            (
                "presidio-analyzer/tests/test_credit_card_recognizer.py",
                "presidio-analyzer/tests/test_email_recognizer.py",
                "presidio-analyzer/tests/test_iban_recognizer.py",
                "presidio-analyzer/tests/test_ip_recognizer.py",
                "presidio-analyzer/tests/test_phone_recognizer.py",
                "presidio-analyzer/tests/test_url_recognizer.py",
            ),
        ),
        subset=(
            "every literal `(text, expected count, expected offsets)` case of the files' "
            "`pytest.mark.parametrize` tables whose count matches its offsets; cases whose "
            "expectation depends on a recognizer setting (`leniency`) or that give a count "
            "without offsets are left out; repeated texts are kept once"
        ),
        mapping={
            "CREDIT_CARD": "CREDIT_CARD",
            "EMAIL_ADDRESS": "EMAIL_ADDRESS",
            "IBAN_CODE": "IBAN_CODE",
            "IP_ADDRESS": "IP_ADDRESS",
            "PHONE_NUMBER": "PHONE_NUMBER",
            "URL": "URL",
        },
    ),
    CorpusSpec(
        name="stockmark-ner-wikipedia",
        title="Stockmark Japanese Wikipedia NER",
        language="ja",
        licence="CC BY-SA 3.0 (Stockmark Inc.; text from Japanese Wikipedia)",
        source=Source(
            "stockmarkteam/ner-wikipedia-dataset",
            "5e525c2132c0e87cce890b8b92639a0cf357c1f3",
            ("ner.json",),
        ),
        subset="the first 600 of the 5,343 sentences, in file order",
        mapping={"人名": "PERSON", "地名": "LOCATION"},
        neutral={"施設名": "LOCATION"},
        ignored={
            "法人名": _NOT_CONTRACT,
            "政治的組織名": _NOT_CONTRACT,
            "その他の組織名": _NOT_CONTRACT,
            "製品名": _NOT_CONTRACT,
            "イベント名": _NOT_CONTRACT,
        },
    ),
    CorpusSpec(
        name="ud-japanese-gsd-ne",
        title="UD Japanese GSD with Megagon Labs' named-entity layer",
        language="ja",
        licence="CC BY-SA 4.0 (UD Japanese GSD contributors; NE layer by Megagon Labs Tokyo)",
        source=Source(
            "UniversalDependencies/UD_Japanese-GSD",
            "fad3ce63a0746a484ca0dbad9ff85eb2ee734fb7",
            ("spacy/ja_gsd-ud-test.ne.conllu", "spacy/ja_gsd-ud-dev.ne.conllu"),
        ),
        subset=(
            "all 543 sentences of the test split, then the first 57 of the dev split "
            "(600 sentences); NE labels from the BILUO tags in the MISC column"
        ),
        mapping={"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION"},
        neutral={"TITLE_AFFIX": "PERSON", "FAC": "LOCATION"},
        ignored={
            label: _NOT_CONTRACT
            for label in (
                "ORG",
                "NORP",
                "DATE",
                "TIME",
                "QUANTITY",
                "ORDINAL",
                "PERCENT",
                "MONEY",
                "EVENT",
                "PRODUCT",
                "WORK_OF_ART",
                "LAW",
                "LANGUAGE",
                "MOVEMENT",
                "CARDINAL",
            )
        },
    ),
)


def corpus(name: str) -> CorpusSpec:
    """The corpus called ``name``; :class:`CorpusError` lists the valid names."""
    for spec in CORPORA:
        if spec.name == name:
            return spec
    raise CorpusError(f"unknown corpus {name!r}; choose from {', '.join(s.name for s in CORPORA)}")


def data_dir(override: Path | None = None) -> Path:
    """Where the subset files are: ``override``, else ``$GDPRGUARD_PUBLIC_CORPORA``, else
    :data:`DEFAULT_DATA_DIR`."""
    if override is not None:
        return override
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env) if env else DEFAULT_DATA_DIR


def expected_checksums(path: Path | None = None) -> dict[str, str]:
    """SHA-256 of each subset file, as recorded when the subsets were built."""
    data = json.loads((path or CHECKSUMS_FILE).read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _build_hint(spec: CorpusSpec) -> str:
    return (
        "build it with `python -m bench.detection.public.build --source "
        f"{spec.name}=<clone of {spec.source.url}>` (see bench/detection/public/README.md)"
    )


def load_records(spec: CorpusSpec, directory: Path | None = None) -> list[PublicRecord]:
    """The records of ``spec``'s subset, after checking its SHA-256 and its labels."""
    path = data_dir(directory) / spec.file_name
    if not path.is_file():
        raise CorpusError(f"{path} does not exist; {_build_hint(spec)}")
    want = expected_checksums().get(spec.file_name)
    if want is None:
        raise CorpusError(f"checksums.json has no checksum for {spec.file_name}")
    if sha256_file(path) != want:
        raise CorpusError(
            f"{path} does not match its recorded SHA-256 (altered or built from another "
            f"commit); {_build_hint(spec)}"
        )
    records: list[PublicRecord] = []
    known = spec.known_labels()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            record = PublicRecord.model_validate_json(line)
        except ValidationError as exc:
            raise CorpusError(
                f"{path}:{lineno}: not a valid record ({exc.error_count()} error(s))"
            ) from None
        unknown = {s.label for s in record.spans} - known
        if unknown:
            raise CorpusError(
                f"{path}:{lineno}: label(s) {', '.join(sorted(unknown))} are not in the "
                f"{spec.name} mapping; add them to bench/detection/public/corpora.py"
            )
        records.append(record)
    return records
