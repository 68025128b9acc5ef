"""The :class:`Detector`: gdprguard's recognizers, run through a fast path.

A ``Detector`` holds gdprguard's recognizers for English and Japanese.  ``analyze()`` normalises the
text (HTML, NFKC), picks the languages by script, calls each selected recognizer's ``scan()`` on the
normalised text, adds the known-subject recognizer and, when configured, an installed spaCy model's
PERSON/LOCATION entities, then resolves overlaps and maps every span back to the original string.

Presidio is the integration surface, loaded only when asked for: ``Detector.registry`` is a
Presidio ``RecognizerRegistry`` over the same recognizers (recognizers added to it are run by
``analyze()`` too), and ``Detector.analyzer_engine()`` a Presidio ``AnalyzerEngine`` over that
registry on a blank spaCy pipeline; nothing is downloaded either way.
"""

from __future__ import annotations

import logging
import threading
from bisect import bisect_right
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from .._config import DetectionConfig
from .._exceptions import ConfigError, UsageError
from ._findings import ENTITY_TYPES, Finding, resolve_overlaps
from .known_subject import KnownSubject, recognizer_for
from .language import LANGUAGES, detect_languages
from .normalize import normalize
from .recognizers import DEFAULT_RECOGNIZERS, PlaceRecognizer, RawMatch, ScanContext
from .recognizers.propagate import propagate_names

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

__all__ = ["Detector"]

log = logging.getLogger(__name__)

_SPACY_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
}
_SPACY_SCORE = 0.85


def _drop_person_inside_location(raw: list[RawMatch]) -> list[RawMatch]:
    """Drop pattern PERSON candidates that lie inside a LOCATION (``0877 Andrew Harbors``).

    Street and town names are often made of personal names; inside a postal address they are
    part of the address.  The known-subject recognizer's matches are kept.  One sort and a
    binary search per candidate: a long text with thousands of names and addresses stays
    linear-logarithmic.
    """
    # a place name alone (PlaceRecognizer) does not veto: "Sydney" may be a person
    spans = sorted(
        (m.start, m.end) for m in raw if m.type == "LOCATION" and m.recognizer != "PlaceRecognizer"
    )
    if not spans:
        return raw
    starts: list[int] = []
    reach: list[int] = []  # the furthest end among the spans starting at or before starts[i]
    for start, end in spans:
        starts.append(start)
        reach.append(max(end, reach[-1]) if reach else end)

    def inside(m: RawMatch) -> bool:
        i = bisect_right(starts, m.start)
        return i > 0 and reach[i - 1] >= m.end

    return [
        m
        for m in raw
        if m.type != "PERSON" or m.recognizer == "KnownSubjectRecognizer" or not inside(m)
    ]


class Detector:
    """Finds personal data in English and Japanese text.

    Construct once and reuse: the registry is built here (offline, milliseconds); the SudachiPy
    dictionary and an optional spaCy model load on first use and are shared.
    """

    def __init__(self, config: DetectionConfig | None = None) -> None:
        self.config = config or DetectionConfig()
        self._recognizers: list[Any] = [
            cls(supported_language=lang) for cls in DEFAULT_RECOGNIZERS for lang in cls.LANGUAGES
        ]
        self._selection_cache: dict[tuple[frozenset[str], frozenset[str] | None, int], list[Any]]
        self._selection_cache = {}
        self._lock = threading.RLock()
        self._spacy_nlp: Any = None
        self._registry: RecognizerRegistry | None = None
        self._analyzer: AnalyzerEngine | None = None

    @property
    def recognizers(self) -> list[Any]:
        """gdprguard's recognizers of this detector (one per class and language)."""
        return list(self._recognizers)

    @property
    def registry(self) -> RecognizerRegistry:
        """A Presidio ``RecognizerRegistry`` over this detector's recognizers (built on first
        access, which imports Presidio); recognizers added to it are run by :meth:`analyze`."""
        with self._lock:
            if self._registry is None:
                from .presidio import build_registry

                self._registry = build_registry(self._recognizers)
                self._selection_cache = {}
            return self._registry

    # -- public API ----------------------------------------------------------------------------
    def analyze(
        self,
        text: str,
        language: str = "auto",
        *,
        entities: Collection[str] | None = None,
        min_score: float | None = None,
        known_subject: KnownSubject | None = None,
    ) -> list[Finding]:
        """Find personal data in *text*.

        ``language`` is ``"auto"`` (by script; mixed text runs both), ``"en"`` or ``"ja"``.
        ``entities`` limits the types reported; ``min_score`` defaults to the configured value.
        ``known_subject`` adds the requester's own names, emails and phones.
        Findings are sorted, non-overlapping, with offsets into *text* as given.
        """
        wanted = self.validate_entities(entities)
        if language not in ("auto", *LANGUAGES):
            raise UsageError(f"unknown language {language!r}; use auto, {', '.join(LANGUAGES)}")
        threshold = self.config.min_score if min_score is None else min_score
        if not 0.0 <= threshold <= 1.0:
            raise UsageError(f"min_score must be between 0 and 1, got {threshold}")
        if not text:
            return []

        norm = normalize(text)
        langs = detect_languages(norm.text) if language == "auto" else frozenset({language})
        ctx = ScanContext(norm.text, langs)
        raw: list[RawMatch] = []
        for recognizer in self._select(langs, wanted):
            raw.extend(self._run(recognizer, ctx, wanted))
        if known_subject is not None and not known_subject.is_empty:
            raw.extend(recognizer_for(known_subject).scan(ctx))
        if self.config.spacy_model and "en" in langs:
            raw.extend(self._spacy_matches(norm.text))

        raw = _drop_person_inside_location(raw)
        if wanted is None or "PERSON" in wanted:
            # a name confirmed once is found where it recurs without a cue
            raw = _drop_person_inside_location(raw + propagate_names(ctx, raw))
        findings = []
        for m in raw:
            if m.score < threshold or (wanted is not None and m.type not in wanted):
                continue
            start, end = norm.to_original(m.start, m.end)
            findings.append(Finding(start, end, m.type, m.score, m.recognizer))
        return resolve_overlaps(findings)

    @staticmethod
    def clear_caches() -> None:
        """Forget what detection caches about texts seen so far (tokenised Japanese runs, word
        and number look-ups; all bounded). Results never depend on them; benchmarks clear them
        so that a text analysed twice is timed as new both times."""
        from ._sudachi import clear_cache
        from .recognizers.phone import clear_cache as clear_phone_cache

        clear_cache()
        clear_phone_cache()

    @staticmethod
    def validate_entities(entities: Collection[str] | None) -> frozenset[str] | None:
        """Check entity type names; raises :class:`UsageError` listing the valid ones."""
        if entities is None:
            return None
        if isinstance(entities, str):
            entities = [entities]
        wanted = frozenset(e.strip().upper() for e in entities if e.strip())
        unknown = sorted(wanted - set(ENTITY_TYPES))
        if unknown:
            raise UsageError(
                f"unknown entity type(s) {', '.join(unknown)}; "
                f"valid types: {', '.join(ENTITY_TYPES)}"
            )
        return wanted

    def analyzer_engine(self) -> AnalyzerEngine:
        """A Presidio ``AnalyzerEngine`` over this detector's registry (blank spaCy, offline)."""
        with self._lock:
            if self._analyzer is None:
                from .presidio import build_analyzer_engine

                self._analyzer = build_analyzer_engine(self.registry)
            return self._analyzer

    # -- internals -------------------------------------------------------------------------------
    def _select(self, langs: frozenset[str], wanted: frozenset[str] | None) -> list[Any]:
        """The recognizers to run: gdprguard's own (their ``scan()``), or, once the Presidio
        registry exists, its recognizers (unwrapped where they wrap one of ours)."""
        registry = self._registry
        key = (langs, wanted, -1 if registry is None else len(list(registry.recognizers)))
        selected = self._selection_cache.get(key)
        if selected is None:
            if registry is None:
                source: list[Any] = self._recognizers
            else:
                from .presidio import unwrap

                source = [unwrap(r) for r in registry.recognizers]
            selected, seen = [], set()
            for rec in source:
                if rec.supported_language not in langs:
                    continue
                # addresses are still needed to veto street names read as PERSON (place
                # names alone veto nothing)
                if (
                    wanted is not None
                    and not wanted.intersection(rec.supported_entities)
                    and not (
                        "PERSON" in wanted
                        and "LOCATION" in rec.supported_entities
                        and not isinstance(rec, PlaceRecognizer)
                    )
                ):
                    continue
                ident = type(rec) if hasattr(rec, "scan") else id(rec)
                if ident not in seen:
                    seen.add(ident)
                    selected.append(rec)
            self._selection_cache[key] = selected
        return selected

    @staticmethod
    def _run(recognizer: Any, ctx: ScanContext, wanted: frozenset[str] | None) -> list[RawMatch]:
        scan = getattr(recognizer, "scan", None)
        if scan is not None:
            return scan(ctx)
        # a plain Presidio recognizer someone added to the registry: run it without NLP artifacts
        entities = sorted(wanted) if wanted else recognizer.supported_entities
        results = recognizer.analyze(ctx.text, entities, None)
        return [
            RawMatch(r.entity_type, r.start, r.end, r.score, str(getattr(recognizer, "name", "")))
            for r in results or []
        ]

    def _spacy_matches(self, text: str) -> list[RawMatch]:
        nlp = self._load_spacy()
        doc = nlp(text)
        return [
            RawMatch(
                _SPACY_LABELS[ent.label_],
                ent.start_char,
                ent.end_char,
                _SPACY_SCORE,
                "SpacyRecognizer",
            )
            for ent in doc.ents
            if ent.label_ in _SPACY_LABELS
        ]

    def _load_spacy(self) -> Any:
        with self._lock:
            if self._spacy_nlp is None:
                import spacy

                name = self.config.spacy_model
                try:
                    self._spacy_nlp = spacy.load(name)  # type: ignore[arg-type]
                except OSError:
                    raise ConfigError(
                        f"[detection] spacy_model = {name!r} is not an installed spaCy model or "
                        "model directory; install it or remove the setting"
                    ) from None
            return self._spacy_nlp
