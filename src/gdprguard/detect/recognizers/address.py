"""LOCATION: postal addresses (English street addresses, Japanese 都道府県+市区町村+番地)."""

from __future__ import annotations

from ._base import GuardPattern, GuardPatternRecognizer, RawMatch, ScanContext
from .jp_ids import prefectures

__all__ = ["EnAddressRecognizer", "JpAddressRecognizer"]

_SUFFIXES = (
    "Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    "Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Crescent|Cres|Close|"
    "Loop|Run|Path|Pike|Row|Alley|Aly|Plaza|Plz|Ridge|Rdg|Heights|Hts|Hill|Hills|Park|Point|Pt|"
    "Port|Crossing|Xing|Expressway|Expy|Freeway|Fwy|Grove|Grv|Harbor|Hbr|Junction|Jct|Landing|"
    "Lndg|Manor|Mnr|Meadow|Meadows|Mews|Mill|Mills|Mount|Mountain|Mtn|Orchard|Oval|Pass|Pines|"
    "Ranch|Shore|Shores|Spring|Springs|Station|Sta|Stream|Summit|Turnpike|Tpke|Valley|Vly|View|"
    "Views|Village|Vlg|Ville|Vista|Walk|Walks|Wall|Well|Wells|Brook|Brooks|Bridge|Brg|Burg|"
    "Bypass|Byp|Camp|Canyon|Cape|Causeway|Center|Ctr|Centre|Cliff|Cliffs|Club|Common|Commons|"
    "Corner|Corners|Cove|Creek|Crest|Dale|Dam|Divide|Estate|Estates|Extension|Falls|Ferry|"
    "Field|Fields|Flat|Flats|Ford|Forest|Forge|Fork|Forks|Fort|Garden|Gardens|Gateway|Glen|"
    "Green|Haven|Hollow|Inlet|Island|Islands|Isle|Key|Keys|Knoll|Knolls|Lake|Lakes|Light|"
    "Lights|Lock|Locks|Lodge|Motorway|Neck|Pine|Plain|Plains|Prairie|Radial|Ramp|Rapid|Rapids|"
    "Rest|Route|Shoal|Shoals|Skyway|Spur|Squares|Stravenue|Track|Trafficway|Trace|Tunnel|"
    "Underpass|Union|Unions|Via|Viaduct|Vista|Wy|River|Curve|Course|Mission|Branch|Throughway|"
    "Annex|Arcade|Bayou|Beach|Bend|Bluff|Bottom|Crossroad|Land|Loaf|Mall|Overpass|Passage|Rue|"
    "Wharf|Quay|Embankment|Gate|Yard|Rise|Parade|Broadway"
)  # USPS Publication 28 suffixes and common UK ones; a plural "s" is accepted (Harbors, Roads)
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|AS|GU|MP|PR|VI|UM|FM|MH|PW|AA|AE|AP"
)
_CAP = r"[A-Z][A-Za-z'.\-]*"
_CITY_STATE_ZIP = rf"{_CAP}(?:[ ]{_CAP}){{0,3}},[ ]?(?:{_STATES})[ ]\d{{5}}(?:-\d{{4}})?(?!\d)"
# UK postcodes: EH6 6JD, SW1A 1AA, M1 1AE
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}(?![A-Za-z0-9])"
_UK_TOWNS = rf"(?:,[ ]?{_CAP}(?:[ ]{_CAP}){{0,2}}){{1,3}},?[ ]{_UK_POSTCODE}"
_UNIT = (
    r"(?:,?[ ](?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Fl\.?|Floor|Room|Rm\.?|#)[ ]?[A-Za-z0-9\-]+)"
)


class EnAddressRecognizer(GuardPatternRecognizer):
    """``123 Main Street, Apt. 4, Springfield, IL 62704``; ``Springfield, IL 62704``."""

    ENTITY = "LOCATION"
    FLAGS = 0
    LANGUAGES = ("en",)
    PREFILTER = r"\d"
    PATTERNS = (
        GuardPattern(
            "street_address",
            rf"\d{{1,6}}[A-Za-z]?[ ](?:[NSEW]\.?[ ]|North[ ]|South[ ]|East[ ]|West[ ])?"
            rf"(?:{_CAP}[ ]){{1,4}}?(?:{_SUFFIXES})s?\b\.?{_UNIT}?"
            rf"(?:(?:,[ ]?|\n|[ ]){_CITY_STATE_ZIP}|{_UK_TOWNS})?",
            0.7,
            not_after=r"[\w\-#]",
        ),
        GuardPattern("city_state_zip", _CITY_STATE_ZIP, 0.6, not_after=r"\w"),
        GuardPattern(  # military addresses
            "military",
            r"(?:(?:PSC|Unit|CMR)[ ]\d{3,5},?[ ]Box[ ]\d{3,5}"
            r"|(?:USNS|USNV|USS|USCGC)[ ][A-Z][a-z]+)"
            r"(?:\n|,?[ ])(?:APO|FPO|DPO)[ ](?:AA|AE|AP)[ ]\d{5}",
            0.8,
        ),
    )
    CONTEXT = ("address", "ship to", "shipping", "deliver", "street", "live at", "reside")

    def scan(self, ctx: ScanContext) -> list[RawMatch]:
        """Matches, without the parts (``City, ST 12345``) of a longer address."""
        return _outermost(super().scan(ctx))


def _outermost(matches: list[RawMatch]) -> list[RawMatch]:
    """Drop matches that lie inside another, longer match of the same recognizer."""
    return [
        m
        for m in matches
        if not any(
            o is not m
            and o.start <= m.start
            and m.end <= o.end
            and o.end - o.start > m.end - m.start
            for o in matches
        )
    ]


_PREFS = "|".join(prefectures())
_KANJI_KANA = r"一-龥々〆ヶケぁ-ゖァ-ヺー"
_MUNI = rf"[一-龥々ヶケァ-ヺ][{_KANJI_KANA}]{{0,9}}?[市区町村郡]"
# town and building names (虎ノ門ヒルズ森タワー, JPタワー) and Hokkaido grid blocks (北1条西)
_TOWN = rf"[{_KANJI_KANA}A-Za-z]{{0,20}}?(?:\d{{1,3}}条[東西南北]?)?"
_KANSUJI = "一二三四五六七八九十"
_BLOCK = (
    rf"(?:(?:\d{{1,4}}|[{_KANSUJI}]{{1,3}})丁目[\s]?\d{{1,4}}(?:番地?|-)?(?:\d{{1,4}}号?)?"
    r"|\d{1,4}番地?(?:\d{1,4}号?|-\d{1,4})?"
    r"|\d{1,4}-\d{1,4}(?:-\d{1,4})?)(?![\d\-])"
)
_BUILDING = rf"(?:[ 　]?[{_KANJI_KANA}A-Za-z]{{1,20}}[ ]?\d{{1,4}}(?:号室)?(?![\d\-]))?"


class JpAddressRecognizer(GuardPatternRecognizer):
    """``東京都港区芝公園1丁目2番3号 ハイツ芝201``, ``大阪府大阪市北区梅田3-1-1``,
    ``港区芝公園4-2-8``."""

    ENTITY = "LOCATION"
    FLAGS = 0
    LANGUAGES = ("ja",)
    PREFILTER = r"[市区町村郡]"
    PATTERNS = (
        GuardPattern(
            "jp_address_full",
            rf"(?:{_PREFS})(?:{_MUNI}){{1,3}}{_TOWN}{_BLOCK}{_BUILDING}",
            0.85,
        ),
        GuardPattern(
            "jp_address_no_prefecture",
            rf"(?<![一-龥々ヶケァ-ヺー])(?:{_MUNI}){{1,3}}{_TOWN}{_BLOCK}{_BUILDING}",
            0.7,
        ),
        GuardPattern("jp_prefecture_city", rf"(?:{_PREFS})(?:{_MUNI}){{1,3}}{_TOWN}", 0.6),
    )
    CONTEXT = ("住所", "所在地", "お届け先", "送付先", "配送先", "届け先", "address")
