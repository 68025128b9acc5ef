"""Presidio integration: gdprguard's recognizers as Presidio recognizers, on demand.

gdprguard's recognizers do not depend on Presidio, so detection starts without importing it (or
spaCy). This module, imported only when Presidio objects are asked for, wraps them:

- :func:`to_presidio` turns one recognizer into a Presidio ``EntityRecognizer`` that any
  ``RecognizerRegistry`` or ``AnalyzerEngine`` runs (same patterns, validation and context rules;
  Presidio's entity names);
- :func:`presidio_recognizers` gives the default set, one per class and language;
- :func:`build_registry` and :func:`build_analyzer_engine` back ``Detector.registry`` and
  ``Detector.analyzer_engine()``.

::

    from presidio_analyzer import AnalyzerEngine
    from gdprguard.detect.presidio import presidio_recognizers

    engine = AnalyzerEngine(supported_languages=["en", "ja"], nlp_engine=...)
    for recognizer in presidio_recognizers():
        engine.registry.add_recognizer(recognizer)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from presidio_analyzer import LocalRecognizer, RecognizerRegistry, RecognizerResult

from .language import LANGUAGES
from .recognizers import DEFAULT_RECOGNIZERS, ScanContext

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer
    from presidio_analyzer.nlp_engine import NlpArtifacts

    from .recognizers._base import _Recognizer

__all__ = [
    "GuardPresidioRecognizer",
    "build_analyzer_engine",
    "build_registry",
    "presidio_recognizers",
    "to_presidio",
]


class GuardPresidioRecognizer(LocalRecognizer):
    """A gdprguard recognizer as a Presidio ``LocalRecognizer``.

    ``analyze()`` runs the wrapped recognizer's ``scan()`` on the text and returns Presidio
    ``RecognizerResult``s; context has been applied already, so Presidio does not add it again.
    The wrapped recognizer is :attr:`guard`.
    """

    def __init__(self, guard: _Recognizer) -> None:
        self.guard = guard
        super().__init__(
            supported_entities=list(guard.supported_entities),
            name=guard.rec_name,
            supported_language=guard.supported_language,
            context=list(guard.context),
        )

    def load(self) -> None:
        """Nothing to load: heavy resources load on first use."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """The wrapped recognizer's findings in *text*, limited to *entities* when given."""
        return results_for(self.guard, text, entities, str(self.id))


def results_for(
    guard: _Recognizer, text: str, entities: Sequence[str] | None, ident: str
) -> list[RecognizerResult]:
    """Presidio results of *guard* on *text*."""
    wanted = set(entities) if entities else None
    name = guard.rec_name
    out = []
    for m in guard.scan(ScanContext(text)):
        if wanted is not None and m.type not in wanted:
            continue
        out.append(
            RecognizerResult(
                m.type,
                m.start,
                m.end,
                m.score,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: ident,
                    # context was already applied by scan(); don't let Presidio add it twice
                    RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                },
            )
        )
    return out


def to_presidio(recognizer: _Recognizer) -> GuardPresidioRecognizer:
    """Wrap one gdprguard recognizer for Presidio."""
    return GuardPresidioRecognizer(recognizer)


def presidio_recognizers(languages: Iterable[str] = LANGUAGES) -> list[GuardPresidioRecognizer]:
    """gdprguard's default recognizers for Presidio, one per class and supported language."""
    wanted = set(languages)
    return [
        to_presidio(cls(supported_language=lang))
        for cls in DEFAULT_RECOGNIZERS
        for lang in cls.LANGUAGES
        if lang in wanted
    ]


def build_registry(recognizers: Iterable[_Recognizer]) -> RecognizerRegistry:
    """A Presidio registry over *recognizers* (wrapped, not copied)."""
    registry = RecognizerRegistry(supported_languages=list(LANGUAGES))
    for recognizer in recognizers:
        registry.add_recognizer(to_presidio(recognizer))
    return registry


def blank_nlp_engine(model: str | None = None) -> Any:
    """A Presidio ``SpacyNlpEngine`` on blank pipelines (or an installed English model)."""
    import spacy
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class _OfflineSpacyNlpEngine(SpacyNlpEngine):
        def load(self) -> None:
            self.nlp = {  # type: ignore[assignment]
                "en": spacy.load(model) if model else spacy.blank("en"),
                "ja": spacy.blank("xx"),
            }

    engine = _OfflineSpacyNlpEngine(
        models=[
            {"lang_code": "en", "model_name": model or "blank"},
            {"lang_code": "ja", "model_name": "blank"},
        ]
    )
    engine.load()
    return engine


def build_analyzer_engine(registry: RecognizerRegistry) -> AnalyzerEngine:
    """A Presidio ``AnalyzerEngine`` over *registry* on blank spaCy pipelines (offline)."""
    from presidio_analyzer import AnalyzerEngine

    return AnalyzerEngine(
        registry=registry, nlp_engine=blank_nlp_engine(), supported_languages=list(LANGUAGES)
    )


def unwrap(recognizer: EntityRecognizer) -> Any:
    """The gdprguard recognizer inside an adapter, or *recognizer* itself."""
    return (
        getattr(recognizer, "guard", recognizer)
        if isinstance(recognizer, GuardPresidioRecognizer)
        else recognizer
    )
