"""LOCATION: postal addresses (English street addresses, Japanese 都道府県+市区町村+番地)."""

from __future__ import annotations

import re

from .._lazy import lazy_re
from ._base import GuardPattern, GuardPatternRecognizer, RawMatch, ScanContext
from .jp_ids import JP_PREFS_ROMAN as _JP_PREFS_ROMAN
from .jp_ids import prefectures
from .places import is_country, trie_alternation

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
    "Wharf|Quay|Embankment|Gate|Yard|Rise|Parade|Broadway|Cottages|Cottage|Mansions|Villas|Buildings|"
    "Chase|Green|Wynd|Vale|Approach|Drove|Fall|Grange|Circus|Esplanade|Promenade|Copse|Dell|"
    "Glade|Brae|Brow|Nook|Retreat|Strand|Courtyard|Circuit|Concourse|Crossway|Boulevarde|"
    "Ridgeway|Walkway|Pathway|Laneway|Byway|Fairway|Lookout|Outlook"
)  # USPS Publication 28 suffixes, common UK and Australian ones; a plural "s" is accepted
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|AS|GU|MP|PR|VI|UM|FM|MH|PW|AA|AE|AP"
)
_CAP = r"[A-Z][A-Za-z'.\-]*"
_CITY_STATE_ZIP = rf"{_CAP}(?:[ ]{_CAP}){{0,3}},[ ]?(?:{_STATES})[ ]\d{{5}}(?:-\d{{4}})?(?!\d)"
# UK postcodes: EH6 6JD, SW1A 1AA, M1 1AE
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}(?![A-Za-z0-9])"
# UK address lines are separated by commas or line breaks (a postal label: one part per line)
_UK_SEP = r"(?:,[ ]?|,?[ ]?\n[ ]?)"
# locality and post town ("Newcastle upon Tyne", "Stoke-on-Trent"), then the postcode
_UK_TOWN = rf"{_CAP}(?:[ ](?:(?:upon|on|under|in|by|le)[ ])?{_CAP}){{0,2}}"
_UK_TOWNS = rf"(?:{_UK_SEP}{_UK_TOWN}){{1,3}}(?:,?[ ]|{_UK_SEP}){_UK_POSTCODE}"
# Canadian "Toronto, ON M5V 3L9" and Australian "Sydney NSW 2000" / "Sydney, NSW, 2000" lines
_CA_PROVINCES = "AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT"
_CA_POSTCODE = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ ]?\d[ABCEGHJ-NPRSTV-Z]\d(?![A-Za-z0-9])"
_AU_STATES = "ACT|NSW|NT|QLD|SA|TAS|VIC|WA"
_CA_AU_TOWN = (
    rf"{_CAP}(?:[ ]{_CAP}){{0,3}}"
    rf"(?:,?[ ](?:{_CA_PROVINCES})[ ]{_CA_POSTCODE}|,?[ ](?:{_AU_STATES}),?[ ]\d{{4}}(?!\d))"
)
_UNIT = r"(?:,?[ ](?:(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Room|Rm)\b\.?|#)[ ]?[A-Za-z0-9\-]+)"
# what may stand before the house number: "Unit 3B, Riverside Business Park, ", "Flat 2, "
_PREFIX_WORDS = (
    r"(?:Unit|Flat|Apartment|Apt\.?|Suite|Studio|Floor|Level|Shop|Room|Block|Building|Bldg\.?)"
)
_SUB_PREMISES = rf"{_PREFIX_WORDS}[ ][A-Za-z0-9\-]{{1,5}}"
_PREFIX = (
    rf"{_PREFIX_WORDS}[ ][A-Za-z0-9\-]{{1,5}},?[ ]"
    r"(?:[A-Z][A-Za-z'\-]*(?:[ ][A-Z][A-Za-z'\-]*){0,4},[ ])?"
)
# a street name word: "Wharf", "8th", "St." (Saint)
_STREET_WORD = rf"(?:{_CAP}|\d{{1,3}}(?:st|nd|rd|th))"
# Irish Eircode: routing key and unique identifier ("D04 K7W2")
_EIRCODE = r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W)[ ]?[0-9AC-FHKNPRTV-Y]{4}(?![A-Za-z0-9])"
_IE_TOWNS = rf"(?:,[ ]?{_CAP}(?:[ ]{_CAP})?(?:[ ]\d{{1,2}})?){{1,3}},?[ ]{_EIRCODE}"
# continental street types written before the name: "9 Calle Mayor", "12 rue de Rivoli"
_EU_STREET_TYPES = (
    r"(?:Calle|C/|Avenida|Avda\.?|Paseo|Plaza|Carrer|Rue|rue|Avenue|Boulevard|Bd|Chemin|Place"
    r"|Via|via|Viale|Corso|Piazza|Rua|Avenida|Praça|Travessa|Largo)"
)
# Germanic, Nordic and Dutch street names end in their street type: Storgata, Hauptstraße
_EU_STREET_SUFFIXES = (
    r"(?:gata|gate|gatan|vej|vegen|veien|vägen|väg|straße|strasse|str\.|weg|laan|straat|gade"
    r"|gasse|allee|platz|damm|markt|torg|torget|plein|kade|gracht|dijk|katu|tie|utca)"
)
_EU_STREET_NAME = (
    r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ\u0100-\u017f\-]*(?:gata|gate|gatan|vej|vegen|veien|vägen|väg|straße"
    r"|strasse|str\.|weg|laan|straat|gade|gasse|allee|platz|ring|damm|markt|torg|torget|plein|kade"
    r"|gracht|dijk|katu|tie|utca)"
)
_EU_PARTICLES = r"(?:(?:de|du|des|la|le|del|della|di|da|do|dos|das|d'|l')[ ]?)"
_TOWN_WORD = r"[A-ZÀ-ÖØ-Þ\u0100-\u017f][A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u017f\-]*"
_EU_POSTCODE_CITY = rf",?[ ]?(?:[A-Z]{{1,2}}-)?\d{{4,5}}[ ]{_TOWN_WORD}(?:[ ]{_TOWN_WORD})?"
_FR_STREET_TYPES = (
    r"rue|boulevard|boul\.|bd|avenue|av\.|chemin|ch\.|route|rang|côte|montée|place|impasse"
    r"|allée|promenade|terrasse|croissant|carré|rue[ ]principale"
)
_CA_PROVINCE_NAMES = (
    r"Québec|Quebec|Ontario|Alberta|British[ ]Columbia|Colombie-Britannique|Manitoba"
    r"|New[ ]Brunswick|Nouveau-Brunswick|Nova[ ]Scotia|Nouvelle-Écosse|Saskatchewan|Yukon"
    r"|Nunavut|Newfoundland[ ]and[ ]Labrador|Prince[ ]Edward[ ]Island"
)
_MX_STREET_TYPES = (
    r"Calle|C\.|Av\.|Avenida|Blvd\.|Boulevard|Calz\.|Calzada|Privada|Priv\.|Prol\.|Andador"
    r"|Cerrada|Circuito|Carretera|Camino"
)
# Indian states and union territories, and large cities, that stand before a PIN code
_IN_PLACES = (
    r"Andhra[ ]Pradesh|Arunachal[ ]Pradesh|Assam|Bihar|Chhattisgarh|Goa|Gujarat|Haryana"
    r"|Himachal[ ]Pradesh|Jharkhand|Karnataka|Kerala|Madhya[ ]Pradesh|Maharashtra|Manipur"
    r"|Meghalaya|Mizoram|Nagaland|Odisha|Orissa|Punjab|Rajasthan|Sikkim|Tamil[ ]Nadu|Telangana"
    r"|Tripura|Uttar[ ]Pradesh|Uttarakhand|West[ ]Bengal|Delhi|New[ ]Delhi|Chandigarh|Puducherry"
    r"|Jammu[ ](?:and|&)[ ]Kashmir|Ladakh|Mumbai|Bombay|Bengaluru|Bangalore|Chennai|Madras"
    r"|Kolkata|Calcutta|Hyderabad|Pune|Ahmedabad|Jaipur|Lucknow|Surat|Kanpur|Nagpur|Indore"
    r"|Thane|Bhopal|Visakhapatnam|Patna|Vadodara|Ghaziabad|Ludhiana|Agra|Nashik|Noida"
    r"|Gurgaon|Gurugram|Kochi|Cochin|Coimbatore|Mysuru|Mysore|Thiruvananthapuram|Madurai"
)
_LETTER_RE = lazy_re(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_PIN_RE = lazy_re(r"(?<!\d)[1-9]\d{5}(?!\d)")
_IN_PLACE_BEFORE_RE = lazy_re(rf"(?:{_IN_PLACES})(?:,[ ]?|[ ])(?:-[ ]?)?\Z")
_JP_WARD = r"[A-Z][a-z]+-(?:ku|shi|cho|machi|gun|mura|Ku|Shi|Cho|Machi|Gun)"
# designated cities, written without "-shi" in romanised addresses ("Chuo-ku, Kobe")
_JP_CITY = (
    r"(?:Sapporo|Sendai|Yokohama|Kawasaki|Sagamihara|Nagoya|Kobe|Kitakyushu|Sakai|Hamamatsu"
    r"|Kumamoto|Fukuoka|Hiroshima|Okayama|Niigata|Shizuoka|Chiba|Saitama|Kyoto|Osaka|Kanazawa"
    r"|Nagasaki|Kagoshima|Naha|Matsuyama|Takamatsu|Utsunomiya|Himeji|Nara)"
)
_JP_PLACE = rf"(?:{_JP_WARD}|{_JP_CITY}|{_JP_PREFS_ROMAN})"
_JP_BLOCK = r"\d{1,4}(?:-\d{1,4}){1,2}(?![\d\-])"


# the street after the house number, an optional unit, and the town with its post code
_STREET = (
    rf"(?:(?:[NS][EW]|[NSEW])\.?[ ]|North[ ]|South[ ]|East[ ]|West[ ])?"
    rf"(?:{_STREET_WORD}[ ]){{1,4}}?(?:{_SUFFIXES})s?\b\.?"
    rf"(?:[ ](?:{_SUFFIXES})s?\b\.?)?{_UNIT}?"
    rf"(?:(?:,[ ]?|\n|[ ]){_CITY_STATE_ZIP}|{_UK_TOWNS}|{_IE_TOWNS}|{_EU_POSTCODE_CITY})?"
)
_EU_CODE_CITY_NEEDLE = r"\d{4,5}[ ][A-ZÄÖÜÅØÆÉ]"
# what the street types and names above contain, in lower case (a match needs one)
_EU_STREET_TYPE_NEEDLES = (
    "calle", "c/", "avenida", "avda", "paseo", "plaza", "carrer", "rue", "avenue", "boulevard",
    "bd", "chemin", "place", "via", "corso", "piazza", "rua", "praça", "travessa", "largo",
)  # fmt: skip
_EU_STREET_NAME_NEEDLES = (
    "gata", "gate", "vej", "vegen", "veien", "väg", "straße", "strasse", "str.", "weg", "laan",
    "straat", "gade", "gasse", "allee", "platz", "ring", "damm", "markt", "torg", "plein", "kade",
    "gracht", "dijk", "katu", "tie", "utca",
)  # fmt: skip


# a word of a street or town name in any Latin or Greek script ("Þverbraut", "Λ.", "Arenque")
_UWORD = r"[A-ZÀ-ÖØ-ÞĀ-ſΑ-ΩΆ-Ώ][^\W\d_]*(?:['\-][^\W\d_]+)*"
# an abbreviated word inside a street name ("Λ. Αλεξάνδρας", "Av. Paulista", "St. Mary's")
_UABBR = r"[A-ZÀ-ÖØ-ÞĀ-ſΑ-ΩΆ-Ώ][^\W\d_]{0,4}\."
# lower-case particles inside street names ("Rua do Arenque", "Avenue du Golf")
_LWORD = r"(?:de|do|da|dos|das|del|della|di|du|des|la|le|van|von|der|den|al|el|y|e|i)"
_STREET_PART = rf"(?:{_UABBR}|{_UWORD}|{_LWORD})"
_UNIT_WORDS = r"(?:Apt|Apartment|Suite|Ste|Unit|Flat)"
# street types written before the name, followed by a house number ("Rua Igreja 25")
_TYPE_FIRST = (
    r"(?:Rua|Avenida|Av\.|Avda\.|Calle|C/|Carrer|Via|Viale|Corso|Piazza|Vicolo|Largo|Travessa"
    r"|Praça|Rue|Chemin|Strada|Calea|Bulevardul|Ulica|ul\.|al\.|Aleja|Rruga|Odos|Leoforos)"
)
# Hungarian street types after the name ("Kálmán Imre u. 12.", "Belgrád rkp. 18.")
_HU_TYPES = (
    r"(?:u\.|utca|út|útja|tér|krt\.|körút|rkp\.|köz|sétány|sor|Strasse|Straße|Str\.|Gasse|Weg"
    r"|Allee|Platz|Damm|Gade|Vej|Katu|Gata|Straat|Laan)"
)
# words that start a "Word 12, 1234 Town"-shaped line without being a street
_NOT_STREET_RE = lazy_re(
    r"(?:Order|Invoice|Item|Items|Ticket|Room|Page|Step|Version|Chapter|Line|Size|Qty|Total|Year"
    r"|Week|Day|Model|Floor|Level|Gate|Table|Seat|Box|Case|Ref|No|Number|Part|Pack|Lot|Batch"
    r"|Section|Article|Unit|Flat|Suite|Apt|Block|Phase|Platform|Terminal|Row|Aisle|Bay)\b"
)


def _starts_with_street_name(
    rec: GuardPatternRecognizer, value: str, match: re.Match[str], ctx: ScanContext
) -> bool:
    """A ``Word 12, 1234 Town`` line must start with a street name, not ``Order 12``."""
    return _NOT_STREET_RE.match(value.lstrip("0123456789 ")) is None


# words that say an address follows ("my new address is", "lives at", "ship it to")
_ADDRESS_CUES = (
    r"(?i:address[ ]is|address[ ]to|address:|lives[ ]at|live[ ]at|living[ ]at|located[ ]at"
    r"|office[ ]is[ ]at|offices[ ]are[ ]at|ship(?:ped)?(?:[ ]it)?[ ]to|send(?:[ ]it)?[ ]to"
    r"|sent[ ]to"
    r"|deliver(?:ed)?(?:[ ]it)?[ ]to|mail(?:ed)?(?:[ ]it)?[ ]to|return(?:ed)?(?:[ ]it)?[ ]to"
    r"|post(?:ed)?(?:[ ]it)?[ ]to|forward(?:ed)?(?:[ ]it)?[ ]to|meet[ ]you[ ]at|arrived[ ]at"
    r"|moved[ ]to|off[ ]at|pick(?:ed)?[ ]up[ ]at)"
)
_CUE_VERBS = ("ship", "send", "deliver", "mail", "return", "post", "forward")
_CUE_STARTS = (
    "address is", "address to", "address:", "lives at", "live at", "living at", "located at",
    "office is at", "offices are at", "sent to", "meet you at", "arrived at", "moved to",
    "off at", "pick up at", "picked up at",
    *(f"{v}{ed}{it} to" for v in _CUE_VERBS for ed in ("", "ed", "ped") for it in ("", " it")),
)  # fmt: skip
# street types after a name and street-name endings, before a house number: one prefix-tree
# regex (an alternation of ~40 words tried at every position would cost more than the rest)
_NAMED_STREET_TYPES = (
    "u.", "utca", "út", "útja", "tér", "krt.", "körút", "rkp.", "köz", "sétány", "sor", "strasse",
    "straße", "str.", "gasse", "weg", "allee", "platz", "damm", "gade", "vej", "katu", "gata",
    "gate", "gatan", "straat", "laan", "vegen", "veien", "vägen", "väg", "markt", "torg",
    "torget", "plein", "kade", "gracht", "dijk", "tie",
)  # fmt: skip
# each match holds one of these (lower case): most texts are rejected by substring search
_NAMED_STREET_NEEDLES = tuple(
    f" {t} " if t in ("u.", "út", "köz", "sor", "tér") else f"{t} " for t in _NAMED_STREET_TYPES
)
_NAMED_STREET_PREFILTER = (
    "(?:"
    + trie_alternation([*_NAMED_STREET_TYPES, *(t.capitalize() for t in _NAMED_STREET_TYPES)])
    + r")[ ]\d{1,4}(?![\d:])"
)
# the cues of "after_cue" in the case they are written in (a cheap test before the regex)
_CUE_PREFILTER = (
    "(?:"
    + trie_alternation([*_CUE_STARTS, *(c.capitalize() for c in _CUE_STARTS)])
    + r")[ ]+(?:\d|[A-ZÀ-ÖØ-Þ])"
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
            rf"\d{{1,6}}[A-Za-z]?[ ]{_STREET}",
            0.7,
            not_after=r"[\w\-#]",
            prefilter=r"\d[A-Za-z]?[ ][A-Z\d]",
        ),
        GuardPattern(  # "Unit 3B, Riverside Business Park, 9 Wharf Road, ..."
            "prefixed_street_address",
            rf"{_PREFIX}\d{{1,6}}[A-Za-z]?[ ]{_STREET}",
            0.7,
            not_after=r"[\w\-#]",
            prefilter=_PREFIX_WORDS + r"[ ]",
        ),
        GuardPattern(  # "75 Henderson Ramble\nWest Joel, ACT, 2655": any street before a CA/AU town
            "ca_au_address",
            rf"(?:{_SUB_PREMISES}[ ,/]{{1,2}}|\d{{1,5}}/)?\d{{1,6}}[A-Za-z]?[ ]"
            rf"(?:{_CAP}[ ]){{0,3}}{_CAP}{_UNIT}?(?:,[ ]?|,?\n)(?:{_CA_AU_TOWN})",
            0.7,
            not_after=r"[\w\-#]",
            prefilter=rf"[ ](?:{_CA_PROVINCES}|{_AU_STATES}),?[ ][A-Z0-9]",
        ),
        GuardPattern(  # "Flat 37\nBennett Mall\nEast Harrietport\nN8 8HN": UK, no house number
            "uk_sub_premises",
            rf"{_SUB_PREMISES}{_UK_SEP}(?:\d{{1,4}}[A-Za-z]?[ ])?{_CAP}(?:[ ]{_CAP}){{0,3}}"
            rf"{_UK_TOWNS}",
            0.7,
            not_after=r"[\w\-#]",
            prefilter=_PREFIX_WORDS + r"[ ]",
        ),
        GuardPattern(  # "Storgata 41, 0182 Oslo", "Hauptstraße 5a, 10115 Berlin"
            "eu_name_number",
            rf"(?:{_CAP}[ ]){{0,2}}{_EU_STREET_NAME}[ ]\d{{1,4}}[A-Za-z]?"
            r"(?:[ ]?[/\-][ ]?\d{1,4})?"
            rf",[ ]?(?:[A-Z]{{1,2}}-)?\d{{4,5}}[ ]{_TOWN_WORD}(?:[ ]{_TOWN_WORD})?",
            0.7,
            not_after=r"[\w\-#]",
            prefilter=_EU_CODE_CITY_NEEDLE,
            needles=_EU_STREET_NAME_NEEDLES,
        ),
        GuardPattern(  # "9 Calle Mayor, 28013 Madrid", "12 rue de Rivoli, 75001 Paris"
            "eu_type_first",
            rf"(?:\d{{1,4}}[A-Za-z]?,?[ ])?{_EU_STREET_TYPES}[ ]{_EU_PARTICLES}{{0,2}}{_TOWN_WORD}"
            rf"(?:[ ]{_EU_PARTICLES}{{0,2}}{_TOWN_WORD}){{0,3}}(?:,?[ ]\d{{1,4}}[A-Za-z]?)?"
            rf"{_EU_POSTCODE_CITY}",
            0.7,
            not_after=r"[\w\-#]",
            prefilter=_EU_CODE_CITY_NEEDLE,
            needles=_EU_STREET_TYPE_NEEDLES,
        ),
        GuardPattern(  # "Dublin 4, D04 K7W2"
            "eircode_town",
            rf"{_CAP}(?:[ ]{_CAP})?(?:[ ]\d{{1,2}})?,?[ ]{_EIRCODE}",
            0.7,
            not_after=r"[\w\-#]",
            prefilter=_EIRCODE,
        ),
        GuardPattern(  # "Tokyo, Shibuya-ku, Jingumae 4-12-8", "Kobe-shi, Chuo-ku, Sannomiya 1-5-2"
            "jp_romanised",
            rf"(?:{_JP_PREFS_ROMAN},[ ]?)?{_JP_WARD}(?:,[ ]?{_JP_PLACE}){{0,2}},?[ ]"
            rf"(?:{_CAP}(?:-(?:cho|machi))?[ ,]{{1,2}})?{_JP_BLOCK}",
            0.75,
            not_after=r"[\w\-#]",
            needles=("-ku", "-shi", "-cho", "-machi", "-gun", "-mura"),
        ),
        GuardPattern(  # "4-12-8 Jingumae, Shibuya-ku, Tokyo", "1-2-3 Chuo, Aoba-ku, Sendai, Miyagi"
            "jp_romanised_block_first",
            rf"{_JP_BLOCK}[ ,]{{1,2}}(?:{_CAP}(?:-(?:cho|machi))?,[ ]?)?{_JP_WARD}"
            rf"(?:,[ ]?{_JP_PLACE}){{1,3}}",
            0.75,
            not_after=r"[\w\-#]",
            needles=("-ku", "-shi", "-cho", "-machi", "-gun", "-mura"),
        ),
        GuardPattern(
            "city_state_zip",
            _CITY_STATE_ZIP,
            0.6,
            not_after=r"\w",
            prefilter=r",[ ]?[A-Z]{2}[ ]\d{5}",
        ),
        GuardPattern(  # "PO Box 4821, Parramatta NSW 2124", "GPO Box 77, Hobart TAS 7001"
            "po_box",
            r"(?:P\.?[ ]?O\.?[ ]?Box|Post[ ]Office[ ]Box|GPO[ ]Box|Locked[ ]Bag|Private[ ]Bag)"
            rf"[ ]\d{{1,6}}(?:,[ ]?|,?\n|[ ])(?:{_CA_AU_TOWN}|{_CITY_STATE_ZIP}"
            rf"|{_TOWN_WORD}(?:[ ]{_TOWN_WORD}){{0,2}},?[ ]\d{{4,6}}(?!\d))",
            0.8,
            needles=("box", "bag"),
            prefilter=r"(?i:box|bag)[ ]\d",
        ),
        GuardPattern(  # "1234 rue Sainte-Catherine Ouest, Montréal (Québec) H3B 1A7"
            "ca_french",
            rf"\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?,?[ ](?i:{_FR_STREET_TYPES})[ ][^\n,]{{2,60}}?"
            rf",[ ]?{_TOWN_WORD}(?:[ \-]{_TOWN_WORD}){{0,3}}"
            rf"(?:[ ]\((?:{_CA_PROVINCE_NAMES}|{_CA_PROVINCES})\)|,[ ]?(?:{_CA_PROVINCE_NAMES}"
            rf"|{_CA_PROVINCES}))?,?[ ]{_CA_POSTCODE}",
            0.8,
            prefilter=r"\d[ABCEGHJ-NPRSTV-Z][ ]?\d[ABCEGHJ-NPRSTV-Z]\d",
        ),
        GuardPattern(  # "ul. Marszałkowska 10/12, 00-950 Warszawa"
            "pl_address",
            rf"(?:(?:ul\.|al\.|pl\.|os\.|ulica|aleja)[ ]?)?{_TOWN_WORD}(?:[ ]{_TOWN_WORD}){{0,3}}"
            r"[ ]\d{1,4}[A-Za-z]?(?:/\d{1,4})?(?:[ ](?:m\.|lok\.)[ ]?\d{1,4})?,[ ]?"
            rf"\d{{2}}-\d{{3}}[ ]{_TOWN_WORD}(?:[ \-]{_TOWN_WORD})?",
            0.8,
            not_after=r"[\w\-#]",
            prefilter=r"-\d{3}[ ][A-ZŁŚŻŹĆ]",
        ),
        GuardPattern(  # "Av. Insurgentes Sur 1602, Col. Roma, 03940 Ciudad de México"
            "mx_colonia",
            rf"(?:(?:{_MX_STREET_TYPES})[ ])?{_TOWN_WORD}(?:[ ](?:{_TOWN_WORD}|de|del|la|los"
            r"|las|\d{1,2})){0,5}[ ](?:No\.?[ ]?|\#[ ]?)?\d{1,5}[A-Za-z]?"
            r"(?:[ ](?:Int\.?|Depto\.?|Interior)[ ]?[\dA-Za-z\-]{1,5})?,[ ]?"
            rf"(?:Col\.|Colonia|Fracc\.|Fraccionamiento)[ ]?{_TOWN_WORD}(?:[ ](?:{_TOWN_WORD}"
            r"|de|del|la|los|las|\d{1,2})){0,4}",
            0.8,
            not_after=r"[\w\-#]",
            prefilter=r"(?:Col\.|Colonia|Fracc)[ ]?[A-ZÀ-Þ]",
        ),
        GuardPattern(  # "6750 Koskikatu 25 Apt. 864": a numbered street with a flat or suite
            "street_with_unit",
            rf"\d{{1,6}}[A-Za-z]?[ ](?:\d{{1,5}}[ ])?(?:{_STREET_PART}[ ]){{1,5}}"
            rf"(?:\d{{1,5}}[A-Za-z]?\.?(?:[ ]|[ ]*\n[ >]*))?{_UNIT_WORDS}\.?[ ]?"
            r"[A-Za-z0-9\-]{1,6}\b",
            0.7,
            not_after=r"[\w\-#]",
            prefilter=r"(?:Apt|Apartment|Suite|Ste|Unit|Flat)\.?[ ]?[A-Za-z0-9]",
        ),
        GuardPattern(  # "Mellemvej 9\n9000 Aalborg", "Puruntie 47, 53100 LAPPEENRANTA"
            "street_number_postcode",
            rf"(?:{_UWORD}[ ]){{0,3}}{_UWORD}[ ]\d{{1,4}}[A-Za-z]?\.?(?:[ ]?[/\-][ ]?\d{{1,4}})?"
            rf"(?:,[ ]?|[ ]*\n[ ]*)\d{{3,5}}[ ]{_UWORD}",
            0.7,
            accept=_starts_with_street_name,
            not_after=r"[\w\-#.]",
            prefilter=r"\d(?:,[ ]?|[ ]*\n[ ]*)\d{3,5}[ ][^\W\d_]",
        ),
        GuardPattern(  # "Rua Igreja 25", "Via dei Fiorentini 4", "ul. Miła 53"
            "type_first_number",
            rf"(?:\d{{1,6}}[ ])?{_TYPE_FIRST}[ ](?:{_STREET_PART}[ ]){{0,4}}{_UWORD}[ ]\d{{1,5}}"
            r"[A-Za-z]?\b",
            0.7,
            not_after=r"[\w\-#]",
            prefilter=rf"{_TYPE_FIRST}[ ]",
        ),
        GuardPattern(  # "Kálmán Imre u. 12.", "Hauptstraße 5", "Storgata 41": named streets
            "named_street_number",
            rf"(?:\d{{1,6}}[ ])?(?:(?:{_UWORD}[ ]){{1,3}}{_HU_TYPES}|(?:{_UWORD}[ ]){{0,2}}"
            rf"{_EU_STREET_NAME})"
            r"[ ]\d{1,4}[A-Za-z]?\b\.?",
            0.7,
            accept=_starts_with_street_name,
            not_after=r"[\w\-#]",
            needles=_NAMED_STREET_NEEDLES,
            prefilter=_NAMED_STREET_PREFILTER,
        ),
        GuardPattern(  # "lives at 86036 Rua do Arenque 1634", "send it to 12 Harbour View"
            "after_cue",
            rf"{_ADDRESS_CUES}[ ]+(?P<pii>\d{{1,6}}[A-Za-z]?[ ](?:\d{{1,5}}[ ])?"
            rf"(?:{_STREET_PART}[ ]?){{0,4}}{_UWORD}(?:[ ]\d{{1,5}}[A-Za-z]?\b\.?)?"
            rf"|(?:{_UWORD}[ ]){{1,4}}\d{{1,5}}[A-Za-z]?\b\.?)",
            0.75,
            accept=_starts_with_street_name,
            prefilter=_CUE_PREFILTER,
            starts_with=_CUE_STARTS,
        ),
        GuardPattern(  # "the corner of Dalbraut 99 and Frederikke Coves"
            "corner_of",
            rf"(?i:corner[ ]of)[ ](?P<pii>(?:{_STREET_PART}|\d{{1,5}}\.?)"
            rf"(?:[ ](?:{_STREET_PART}|\d{{1,5}}\.?)){{0,5}}[ ](?:and|&)[ ]"
            rf"(?:{_STREET_PART}|\d{{1,5}})(?:[ ](?:{_STREET_PART}|\d{{1,5}})){{0,4}})",
            0.7,
            needles=("corner of",),
            starts_with=("corner of",),
        ),
        GuardPattern(  # military addresses
            "military",
            r"(?:(?:PSC|Unit|CMR)[ ]\d{3,5},?[ ]Box[ ]\d{3,5}"
            r"|(?:USNS|USNV|USS|USCGC)[ ][A-Z][a-z]+)"
            r"(?:\n|,?[ ])(?:APO|FPO|DPO)[ ](?:AA|AE|AP)[ ]\d{5}",
            0.8,
            needles=("apo ", "fpo ", "dpo "),
        ),
    )
    CONTEXT = ("address", "ship to", "shipping", "deliver", "street", "live at", "reside")

    def scan(self, ctx: ScanContext) -> list[RawMatch]:
        """Matches, each extended over the locality and town lines that follow it
        (``15 Awolowo Road, Ikoyi, Lagos``) or, before a PIN code, that precede it
        (``12th Main Road, Indiranagar, Bengaluru, Karnataka 560038``), without the parts
        (``City, ST 12345``) of a longer address."""
        text = ctx.text
        out = []
        for m in [*super().scan(ctx), *self._indian_towns(ctx)]:
            start, end = m.start, extend_address(text, m.end)
            if _PIN_END_RE.search(text, m.start, m.end):
                start = extend_address_back(text, m.start)
            out.append(RawMatch(m.type, start, end, m.score, m.recognizer))
        return _outermost(out)

    def _indian_towns(self, ctx: ScanContext) -> list[RawMatch]:
        """``Bengaluru, Karnataka 560038``, ``Chennai - 600017``: an Indian state or city before
        a six-digit PIN code (found from the PIN back to the place name)."""
        text = ctx.text
        out = []
        for pin in _PIN_RE.finditer(text):
            place = _IN_PLACE_BEFORE_RE.search(text, max(0, pin.start() - 40), pin.start())
            if place is None or (place.start() and _LETTER_RE.match(text, place.start() - 1)):
                continue
            score = 0.9 if self.has_context(ctx, place.start(), pin.end()) else 0.7
            out.append(RawMatch(self.ENTITY, place.start(), pin.end(), score, self.rec_name))
        return out


# one more line of an address after a street: ", Ikoyi", ", Lagos 100001", ", C.P. 06000",
# ", 03940 Ciudad de México", " - 600017"
_TOWN_PART = rf"(?:{_TOWN_WORD}|\d{{1,3}}(?:st|nd|rd|th)|[A-Z]\.)"
_TOWN_LINE = (
    rf"(?:C\.?P\.?[ ]?\d{{5}}|(?:\d{{4,6}}[ ])?{_TOWN_PART}"
    rf"(?:[ ](?:{_TOWN_PART}|de|del|la|upon|on|\d{{1,2}})){{0,3}}(?:,?[ ]\d{{4,6}})?)"
)
# a part after a comma, or a whole line of its own after a line break
_NEXT_PART_RE = lazy_re(
    rf",[ ]?{_TOWN_LINE}(?![\w\-])|,?\n[ ]*{_TOWN_LINE}[ ]*(?=,?\n|\Z)"
    r"|[ ]?-[ ]?[1-9]\d{5}(?!\d)"
    r"|,?\n[ ]*(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor)\.?[ ]?[A-Za-z0-9\-]{1,6}[ ]*(?=,?\n|\Z)"
)
_PIN_END_RE = lazy_re(r"[1-9]\d{5}\Z")
# a line that ends an address: a country, the last line of an international address, is kept
# in the span; a line starting with a sign-off, a weekday or a label is not part of it
_COUNTRIES = frozenset(
    """USA|US|U.S.|United States|America|UK|United Kingdom|England|Scotland|Wales|Ireland
    |Canada|Australia|New Zealand|India|Nigeria|Mexico|México|Poland|Polska|Japan|Germany
    |France|Spain|Italy|Netherlands|South Africa|Kenya|Ghana|Singapore""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)
_NOT_ADDRESS_PART = frozenset(
    [
        "Thanks",
        "Thank",
        "Regards",
        "Cheers",
        "Best",
        "Kind",
        "Please",
        "Sincerely",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Tel",
        "Phone",
        "Mobile",
        "Email",
        "Order",
        "Ref",
        "Note",
        "Hi",
        "Hello",
        "Dear",
    ]
)
_MAX_EXTRA_PARTS = 5


def extend_address(text: str, end: int) -> int:
    """The end of an address that goes on after *end* with locality and town lines."""
    for _ in range(_MAX_EXTRA_PARTS):
        nxt = _NEXT_PART_RE.match(text, end)
        if nxt is None:
            break
        words = nxt.group().replace(",", " ").split()
        if not words or words[0] in _NOT_ADDRESS_PART:
            break
        end = nxt.end()
        if " ".join(words) in _COUNTRIES or is_country(" ".join(words)):
            return end  # the country closes the address
    country = _COUNTRY_LINE_RE.match(text, end)
    if country is not None and is_country(country.group("country")):
        end = country.end()
    return end


# the country line of an international address, after a blank line too ("Riisa\n\n Estonia")
_COUNTRY_LINE_RE = lazy_re(
    r",?[ ]*\n(?:[ ]*\n)?[ >]*(?P<country>[^\W\d_][^\n,\d]{1,38}?)(?:[ ]\d{3,6})?[ ]*(?=\n|\Z)"
)


# an address line before a PIN code's town: "Flat 4B", "Green Park Apartments", "12th Main Road"
_PART_BEFORE_RE = lazy_re(
    r"(?:(?:Flat|House|Plot|Door|No\.?|H\.?[ ]?No\.?|#)[ ]?)?[A-Z0-9][\w'./\-]*"
    r"(?:[ ][A-Za-z0-9][\w'./\-]*){0,5}(?:,[ ]?|,?\n)\Z"
)
_LOWER_WORD_RE = lazy_re(r"(?:^|[ ])[a-z]")


def extend_address_back(text: str, start: int) -> int:
    """The start of an address whose lines before *start* lead to a PIN code's town."""
    for _ in range(_MAX_EXTRA_PARTS + 1):
        window = text[max(0, start - 60) : start]
        prev = _PART_BEFORE_RE.search(window)
        if prev is None:
            break
        part = prev.group()
        lower = [m.end() for m in _LOWER_WORD_RE.finditer(part)]
        if lower:
            # "Please ship to Flat 4B, ": the address starts after the sentence's last word
            rest = part[lower[-1] :]
            part = rest.split(" ", 1)[1] if " " in rest else ""
            if part[:1].isupper() or part[:1].isdigit():
                start -= len(part)
            break
        if part.split()[0] in _NOT_ADDRESS_PART:
            break
        start -= len(part)
    return start


def _outermost(matches: list[RawMatch]) -> list[RawMatch]:
    """Drop matches that lie inside another, longer match of the same recognizer.

    One sort and one sweep (a text with thousands of addresses stays linear-logarithmic):
    by start, longest first, a match is inside an earlier one when an earlier match ends after
    it, or ends with it but starts before it.
    """
    order = sorted(range(len(matches)), key=lambda i: (matches[i].start, -matches[i].end))
    dropped = set()
    best_end, best_start = -1, -1
    for i in order:
        m = matches[i]
        if best_end > m.end or (best_end == m.end and best_start < m.start):
            dropped.add(i)
        elif m.end > best_end:
            best_end, best_start = m.end, m.start
    return [m for i, m in enumerate(matches) if i not in dropped]


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
_BUILDING = rf"(?:[ 　]?[{_KANJI_KANA}A-Za-z]{{1,20}}[ ]?\d{{1,4}}(?:号室|号|階|F|f)?(?![\d\-]))?"


def _holds_no_prefecture(
    rec: GuardPatternRecognizer, value: str, match: re.Match[str], ctx: ScanContext
) -> bool:
    """A match without a prefecture must not contain one: ``正しくは東京都…`` starts at
    ``東京都``, which the full pattern finds."""
    return _PREF_RE.search(value, 1) is None


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
            accept=_holds_no_prefecture,
        ),
        GuardPattern("jp_prefecture_city", rf"(?:{_PREFS})(?:{_MUNI}){{1,3}}{_TOWN}", 0.6),
    )
    CONTEXT = ("住所", "所在地", "お届け先", "送付先", "配送先", "届け先", "address")

    def scan(self, ctx: ScanContext) -> list[RawMatch]:
        """Matches; one that starts with the label before it (``お届け先神戸市…``, read as a
        town name when the prefecture is omitted) starts after the label."""
        out = []
        for m in super().scan(ctx):
            label = _JP_LABEL_HEAD_RE.match(ctx.text, m.start, m.end)
            if label is not None:
                m = RawMatch(m.type, label.end(), m.end, m.score, m.recognizer)
            out.append(m)
        return out


_PREF_RE = lazy_re("|".join(prefectures()))
# address labels that run into an address without a prefecture: (お)届け先, 送付先, 住所は
_JP_LABEL_HEAD_RE = lazy_re(
    r"(?:お?届け?先|送付先|配送先|発送先|送り先|宛先|現住所|新住所|旧住所|住所|所在地|勤務先|自宅)"
    r"(?:は|が|を|[:：])?[ ]?(?=[一-龥々ヶケァ-ヺ])"
)
