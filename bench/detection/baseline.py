"""Stock Presidio ``AnalyzerEngine`` on a blank spaCy pipeline: the benchmark's baseline.

No model is downloaded and nothing touches the network: the NLP engine is ``spacy.blank("en")``
(so Presidio's own NER finds nothing) and tldextract, used by Presidio's email recognizer, is
pointed at its bundled public-suffix snapshot instead of fetching the list.
"""

from __future__ import annotations

import logging

import spacy
import tldextract.tldextract as _tld
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import SpacyNlpEngine

__all__ = ["BlankSpacyNlpEngine", "make_presidio_analyzer", "use_offline_tldextract"]


class BlankSpacyNlpEngine(SpacyNlpEngine):
    """A ``SpacyNlpEngine`` whose English pipeline is ``spacy.blank("en")`` (no model)."""

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": "blank:en"}])

    def load(self) -> None:
        """Build the blank pipeline instead of loading (or downloading) a trained model."""
        self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]


def use_offline_tldextract() -> None:
    """Make tldextract use its bundled suffix-list snapshot; never fetch, never write a cache."""
    if _tld.TLD_EXTRACTOR.suffix_list_urls or _tld.TLD_EXTRACTOR._cache.enabled:
        _tld.TLD_EXTRACTOR = _tld.TLDExtract(
            cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True
        )


def make_presidio_analyzer() -> AnalyzerEngine:
    """Return stock Presidio with its default English recognizers on a blank spaCy pipeline."""
    use_offline_tldextract()
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    return AnalyzerEngine(nlp_engine=BlankSpacyNlpEngine(), supported_languages=["en"])
