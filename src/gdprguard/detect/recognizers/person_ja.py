"""PERSON in Japanese text: SudachiPy's 人名 tags (姓/名), honorifics and self-introductions."""

from __future__ import annotations

import re
from typing import ClassVar

from ..language import has_japanese
from ._base import GuardRecognizer, RawMatch, ScanContext

__all__ = ["JaPersonRecognizer"]

HONORIFICS: tuple[str, ...] = (
    "様",
    "さま",
    "サマ",
    "さん",
    "サン",
    "殿",
    "どの",
    "氏",
    "君",
    "くん",
    "ちゃん",
    "先生",
    "御中",
)
_HONORIFIC_RE = re.compile("|".join(HONORIFICS))
_INTRO_AFTER_RE = re.compile(
    r"\s?(?:と申します|と申し|ともうします|です。|でございます|と言います|といいます)"
)
_BEFORE_RE = re.compile(
    r"(?:担当|担当者|担当の|宛|名前|氏名|お名前|名義|差出人|送信者|From|TO)[\s:：は]*$"
)
_KATAKANA_NAME_RE = re.compile(
    r"(?<![ァ-ヺー])[ァ-ヺ][ァ-ヺー]{1,9}(?:[ ・][ァ-ヺ][ァ-ヺー]{1,9})?(?=様|さま|さん|殿|氏)"
)
_LABEL_NAME_RE = re.compile(
    r"(?:氏名|お名前|名前|名義|ご契約者|契約者|ご依頼主|依頼主|受取人|お届け先氏名)\s*[:：]\s*"
    r"(?P<pii>[一-龥々ァ-ヺぁ-ゖー]{1,6}(?:[ ][一-龥々ァ-ヺぁ-ゖー]{1,6})?)"
)
_CJK_RE = re.compile(r"[一-龥々]")


class JaPersonRecognizer(GuardRecognizer):
    """``山田太郎様``, ``佐藤と申します``, ``担当の鈴木``, ``ヤマダ タロウ様``,
    ``氏名：田中 花子``."""

    ENTITIES: ClassVar[tuple[str, ...]] = ("PERSON",)
    LANGUAGES: ClassVar[tuple[str, ...]] = ("ja",)

    FULL_NAME_SCORE = 0.9
    WITH_CONTEXT_SCORE = 0.85
    SURNAME_ALONE_SCORE = 0.6
    GIVEN_ALONE_SCORE = 0.4

    def scan(self, ctx: ScanContext) -> list[RawMatch]:
        """Group adjacent 人名 morphemes into names and score them by their surroundings."""
        text = ctx.text
        if not has_japanese(text):
            return []
        out: list[RawMatch] = []
        morphs = ctx.name_morphemes
        i, n = 0, len(morphs)
        while i < n:
            parts = [morphs[i]]
            j = i + 1
            while j < n and len(parts) < 3:  # adjacent, or 田中 花子 (family, space, given)
                nxt, last = morphs[j], parts[-1]
                if (nxt.index == last.index + 1 and nxt.start == last.end) or (
                    nxt.index == last.index + 2
                    and nxt.start == last.end + 1
                    and text[last.end].isspace()
                    and last.kind == "姓"
                    and nxt.kind == "名"
                ):
                    parts.append(nxt)
                else:
                    break
                j += 1
            start, end = parts[0].start, parts[-1].end
            score = self._score(text, start, end, {p.kind for p in parts})
            if score > 0:
                out.append(RawMatch("PERSON", start, end, score, self.rec_name))
            i = j
        for rx in (_KATAKANA_NAME_RE,):
            for km in rx.finditer(text):
                out.append(RawMatch("PERSON", km.start(), km.end(), 0.88, self.rec_name))
        for lm in _LABEL_NAME_RE.finditer(text):
            out.append(RawMatch("PERSON", lm.start("pii"), lm.end("pii"), 0.85, self.rec_name))
        return out

    def _score(self, text: str, start: int, end: int, kinds: set[str]) -> float:
        surface = text[start:end]
        if not _CJK_RE.search(surface) and len(surface) < 2:
            return 0.0
        # latin-script "names" are left to the English recognizer
        if surface.isascii():
            return 0.0
        if "姓" in kinds and "名" in kinds:
            return self.FULL_NAME_SCORE
        after = text[end : end + 8]
        before = text[max(0, start - 8) : start]
        if _HONORIFIC_RE.match(after) or _INTRO_AFTER_RE.match(after) or _BEFORE_RE.search(before):
            return self.WITH_CONTEXT_SCORE
        if end - start < 2:
            return 0.0
        if "姓" in kinds:
            return self.SURNAME_ALONE_SCORE
        return self.GIVEN_ALONE_SCORE
