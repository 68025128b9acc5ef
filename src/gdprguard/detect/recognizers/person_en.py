"""PERSON in English text without an NER model: titles, greetings, introductions, sign-offs,
display names before an email address, labelled fields and known given names."""

from __future__ import annotations

import re
from functools import cache

from .._lazy import lazy_re
from ..lexicon import (
    FORMS_OF_ADDRESS,
    ROMAJI_HONORIFICS,
    TITLES,
    business_words,
    english_places,
    is_romaji,
    load_words,
    stop_words,
    titles_re,
    wordlike_given_names,
)
from ._base import (
    GuardPattern,
    GuardPatternRecognizer,
    RawMatch,
    ScanContext,
    line_matches,
    word_matches,
)
from ._trie import trie_alternation

__all__ = ["EnPersonRecognizer", "given_names", "is_non_surname_word", "surnames"]


def given_names() -> frozenset[str]:
    """Given names of many cultures (``gdprguard/data/given_names.txt``, built from Faker's
    person providers by ``scripts/build_name_lists.py``; common English words removed)."""
    return load_words("given_names.txt")


def surnames() -> frozenset[str]:
    """Family names of many cultures (``gdprguard/data/surnames.txt``, same source)."""
    return load_words("surnames.txt")


def ambiguous_given_names() -> frozenset[str]:
    """Given names that are also words or places (``Will``, ``Victoria``): accepted only where
    the context names a person (``gdprguard/data/given_names_ambiguous.txt``)."""
    return load_words("given_names_ambiguous.txt")


@cache
def _all_given_names() -> frozenset[str]:
    return given_names() | ambiguous_given_names()


def is_given_name(token: str) -> bool:
    """True for a known given name, written in Title Case or (``jenna``) in lower case."""
    names = _all_given_names()
    return token in names or (token.islower() and token.capitalize() in names)


def is_surname(token: str) -> bool:
    """True for a known family name of three letters or more (``Do``, ``He`` are words)."""
    return len(token) >= 3 and (token in surnames() or token.capitalize() in surnames())


# The word lists of gdprguard/data/ that only this module reads (see its README.md).


def _not_surnames() -> frozenset[str]:
    """Second words that make "Given Word" a product, a place or a company (``Earl Grey``)."""
    return load_words("en_not_surnames.txt")


@cache
def _brand_names() -> frozenset[tuple[str, str]]:
    """Brands and firms named after people (``Morgan Stanley``) as (first, second) words."""
    pairs = (tuple(line.split(" ", 1)) for line in load_words("en_brand_names.txt"))
    return frozenset((p[0], p[1]) for p in pairs if len(p) == 2)


def _wordlike_surnames() -> frozenset[str]:
    """Family names that are common English words (``Brown``, ``Park``)."""
    return load_words("en_wordlike_surnames.txt")


def _common_capitalised() -> frozenset[str]:
    """Capitalised words of support text that the name lists also hold (``Order``, ``Card``)."""
    return load_words("en_common_capitalised.txt")


def _person_before() -> frozenset[str]:
    """Words before a given name that say a person is meant (``spoke to Kofi``)."""
    return load_words("en_person_words_before.txt")


def _person_after() -> frozenset[str]:
    """Words after a given name that say a person is meant (``Priyanka said``)."""
    return load_words("en_person_words_after.txt")


def _lower_stop() -> frozenset[str]:
    """Lower-case words that are never a name in the lower-case patterns (``will do``)."""
    return load_words("en_lower_case_stop_words.txt")


def _not_speakers() -> frozenset[str]:
    """Speaker-label words that are not speakers (``Note:``, ``Subject:``)."""
    return load_words("en_not_speakers.txt")


@cache
def _never_alone() -> frozenset[str]:
    """Given names that are never a person without a cue (words, months, titles)."""
    return stop_words() | business_words() | wordlike_given_names()


@cache
def _stop_and_business() -> frozenset[str]:
    """Stop words and words of shop and company names: never part of a person's name."""
    return stop_words() | business_words()


_MONTH_NAMES = frozenset(["April", "May", "June", "August"])
_DAY_AFTER_RE = lazy_re(r"[ ]?\d")

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŸŹŻŽ"
_LOW = "a-zß-öø-ÿ\u0100-\u017f"
_WORD = rf"[{_UP}](?:[{_LOW}]+(?:[A-Z][{_LOW}]+)?|'[A-Z][{_LOW}]+)(?:-[A-Z][{_LOW}]+)?"
# name particles: "van der Berg", "de la Cruz", "O'Neil" is a word of its own
_PARTICLE = r"(?:van|von|de|der|den|du|da|di|del|della|le|la|ter|ten|bin|al|el|dos|das)"
_SURNAME = rf"(?:{_PARTICLE}[ ]){{0,2}}{_WORD}"
_INITIALS = r"(?:[A-Z]\.[ ]?){1,3}"
_NAME = (
    rf"(?:{_INITIALS}{_SURNAME}"
    rf"|{_WORD}(?:[ ][A-Z]\.){{0,2}}(?:[ ]{_SURNAME}){{0,2}})"
)
_FULL_NAME = (
    rf"(?:{_INITIALS}{_SURNAME}"
    rf"|{_WORD}(?:[ ][A-Z]\.){{0,2}}(?:[ ]{_SURNAME}){{1,2}})"
)
# a name in lower case ("customer: jenna marlowe", "- tamika"): accepted only for known names
_LOWER_NAME = rf"[a-z][{_LOW}'\-]+(?:[ ][a-z][{_LOW}'\-]+)?"
# a name in capitals: "KOFI MENSAH", "SEUNG-HO PARK", "JOHN Q SMITH"
_CAPS_NAME = r"[A-Z]{2,}(?:-[A-Z]{2,})?(?:[ ][A-Z]\.?)?(?:[ ][A-Z][A-Z'\-]+){1,2}"
_SUFFIX = r"(?:,?[ ](?:Jr\.?|Sr\.?|II|III|IV|MD|PhD|DDS|DVM))?"
_TITLES = titles_re((*TITLES, *FORMS_OF_ADDRESS))
_SIGNOFF = (
    r"(?i:best[ ]regards|kind[ ]regards|warm[ ]regards|regards|best[ ]wishes|best|thanks[ ]again"
    r"|thanks|thank[ ]you|many[ ]thanks|cheers|sincerely|yours[ ]sincerely|yours[ ]truly"
    r"|respectfully|take[ ]care|warmly|all[ ]the[ ]best|talk[ ]soon|speak[ ]soon|thx|ta|love"
    r"|warmest|with[ ]thanks|with[ ]best[ ]wishes|(?:viele|beste|liebe|freundliche)[ ]grüße"
    r"|mit[ ]freundlichen[ ]grüßen|grüße|gruß|cordialement|bien[ ]à[ ]vous|saludos"
    r"|un[ ]saludo|atentamente|cordiali[ ]saluti|saluti|met[ ]vriendelijke[ ]groet|groetjes"
    r"|hälsningar|med[ ]vänlig[ ]hälsning|mvh|abraços|atenciosamente|-|--|—)"
)
_TOKEN_RE = lazy_re(rf"[A-Za-z'{_UP}{_LOW}][A-Za-z'\-{_UP}{_LOW}]*")
_NOT_LETTER = rf"[A-Za-z{_UP}{_LOW}]"
_CLAUSE_END = r"(?=[ ]*(?:[,.;:!?)|\n]|$|[ ](?:from|at|of|here|in|on|and|for)\b))"
# A chat or transcript speaker label, a timestamp or an e-mail quote marker before a line's text.
_LINE_PREFIX = (
    r"^[ \t>]*(?:\[[^\]\n]{1,40}\][ ]*)?(?:[A-Z][a-z]+(?:[ ]\([^()\n]{1,30}\))?[ ]?:[ ]*)?"
)
_ROLES = (
    r"(?:agent|rep|representative|operator|advisor|adviser|support|staff|associate|specialist"
    r"|caller|customer|client|tech|technician|driver|courier|manager|supervisor|engineer|host"
    r"|guest|user|member|buyer|seller|requester|moderator|admin|cust|cx|csr|cs)"
)


def _trie(words: str) -> str:
    """A regex alternation of the ``|``-separated *words* grouped by common prefixes
    (:func:`trie_alternation`), case-insensitive at its first character and starting at a
    word boundary."""
    alternatives = words.split("|")
    firsts = sorted({w[0].lower() for w in alternatives} | {w[0].upper() for w in alternatives})
    return rf"(?:\b(?=[{''.join(firsts)}])" + trie_alternation(alternatives) + ")"


def _start_words(*alternations: str) -> tuple[str, ...]:
    """The shortest words of ``|``-separated alternations that every alternative starts with
    (lower case): a regex beginning with one of the alternations can only match where one of
    them occurs (``GuardPattern(starts_with=...)``)."""
    words = sorted({w.lower() for text in alternations for w in text.split("|")})
    out: list[str] = []
    for word in words:  # sorted: a word's prefixes come before it
        if not any(word.startswith(kept) for kept in out):
            out.append(word)
    return tuple(out)


# field labels followed by a person's name (ticket metadata, forms, bank details)
_LABEL_TEXT = (
    "name|full name|customer name|customer|contact|contact person|requester|requestor"
    "|from|to|cc|ccs|bcc|signed|cardholder|card holder|account holder|account name"
    "|holder|recipient|attn|sender|buyer|client|patient|employee|assignee|assigned to"
    "|agent|owner|author|reporter|reported by|submitted by|created by|updated by"
    "|requested by|opened by|closed by|handled by|approved by|reviewer|approver"
    "|beneficiary|payee|consignee|addressee|caller|guest|driver|courier|technician"
    "|kontoinhaber|kontoinhaberin|inhaber|inhaberin|titulaire|titulaire du compte|titular"
    "|intestatario|rekeninghouder|empfänger|destinataire|nom|nombre|name on card"
    "|name on the card|name on account|name on the account|cust|cx|cust name|cx name"
    "|caller name|client name"
)
_LABELS = _trie(_LABEL_TEXT)
# a label word is not a name ("CC: Assignee")
_LABEL_WORDS = frozenset(w.capitalize() for label in _LABEL_TEXT.split("|") for w in label.split())
_GREETINGS = _trie(
    "dear|hi|hello|hey|hiya|heya|howdy|yo|good morning|good afternoon|good evening|morning"
    "|greetings|hi again|hello again|hi there|hello there|hey there"
    "|hallo|guten tag|liebe|lieber|sehr geehrte|sehr geehrter|bonjour|bonsoir|salut|cher"
    "|chère|hola|buenos días|buenas tardes|estimado|estimada|querido|querida|ciao|buongiorno"
    "|gentile|hej|hei|goedemorgen|goedemiddag|beste|olá|oi|prezado|prezada"
)
_INTRO_TEXT = "my name is|my name's|name is|this is|i am|i'm|im|it's|regards from|yours,"
_INTROS = _trie(_INTRO_TEXT)
_HOLDER_TEXT = (
    "registered to|account holder|card holder|cardholder|holder|in the name of|addressed to"
    "|is named|was named|is called|was called|account name|name on the card|name on card"
    "|name on the account|name on account|kontoinhaber|kontoinhaberin|inhaber|inhaberin"
    "|titulaire|titulaire du compte|titular|intestatario|rekeninghouder|assigned to"
    "|submitted by|reported by|requested by|signed by|beneficiary|payee|beneficiary name"
    "|holder name|account holder name|payee name|recipient name|name of the account holder"
    "|signed for by|received by|ordered by|picked up by|collected by|left with|handed to"
    "|customer name|cust name|cx name|caller name|client name|contact name"
)
_HOLDERS = _trie(_HOLDER_TEXT)
_FAMILY = (
    r"(?:wife|husband|partner|spouse|son|daughter|mother|father|mom|mum|mommy|mummy|dad|daddy"
    r"|brother|sister|child|kid|baby|friend|colleague|coworker|co-worker|boss|grandson"
    r"|granddaughter|grandmother|grandfather|grandma|grandpa|granny|fiancée?|boyfriend"
    r"|girlfriend|niece|nephew|aunt|uncle|cousin|neighbou?r|flatmate|roommate|housemate"
    r"|stepson|stepdaughter|mother-in-law|father-in-law|assistant|landlord|landlady|carer)"
)
_STREET_SUFFIX_RE = lazy_re(
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    r"|Terrace|Close|Crescent|Grove|Hill|Row|Mews|Gardens|Square|Parkway|Highway|Walk|Union|Pass"
    r"|Cove|Extension|Park|Loop|Bypass|Trail|Crossing|Junction|Heights|Manor|Meadow|Plaza"
    r"|Alley|Circle|Pike|Spur|Turnpike|Fort|Harbor|Harbour|Ramble|Prairie|Ranch|Overpass)s?\.?\Z"
)


class EnPersonRecognizer(GuardPatternRecognizer):
    """``Dear Ms. Johnson``, ``Hi Sarah,``, ``my name is John Smith``, ``Regards,\\nJohn``,
    ``Agent Kofi:``, ``Assignee: Deirdre Walsh``, ``my wife Anna``, ``Kontoinhaber Jürgen Weiß``."""

    ENTITY = "PERSON"
    FLAGS = re.MULTILINE
    LANGUAGES = ("en",)
    # a capitalised word, or a lower-case name after a label or a dash ("customer: jenna")
    PREFILTER = (
        r"[A-Z][a-z]|(?m:^[ \t]*[a-z]+[ ]?:[ ]*[a-z]|[-—–~][ ]?[a-z]+[ \t]*$)"
        r"|\b(?i:hi|hey|hello|dear|thanks|thank you|cheers|this is|i'm|i am|it's|my)[ ,]+[a-z]"
    )
    PATTERNS = (
        GuardPattern(
            "title",
            rf"{_TITLES}\.?[ ](?P<pii>(?:{_PARTICLE}[ ]){{0,2}}{_NAME}{_SUFFIX})",
            0.85,
            not_after=_NOT_LETTER,
            strong=True,
        ),
        GuardPattern(  # "Hi Sarah,", also after "Caller: " or "> " in chats and quoted mail
            "greeting",
            rf"{_LINE_PREFIX}(?i:{_GREETINGS})[ ]*,?[ ]+(?P<pii>{_NAME}|{_LOWER_NAME})"
            r"[ ]*(?=[,!:.\n]|$)",
            0.8,
            line_start=True,
            strong=True,
        ),
        GuardPattern(
            "introduction",
            rf"(?i:{_INTROS})[ ]+(?P<pii>{_NAME}|{_LOWER_NAME})",
            0.8,
            not_after=_NOT_LETTER,
            needles=("name", "this is", "i am", "i'm", "im ", "it's", "regards from", "yours,"),
            starts_with=_start_words(_INTRO_TEXT),
        ),
        GuardPattern(  # "Gloria here —", "Hi all, Kofi here."
            "here",
            rf"(?:^|[.!?,;:][ ]+)(?P<pii>{_NAME})[ ]here(?![A-Za-z])",
            0.8,
            needles=(" here",),
            known_only=True,
        ),
        GuardPattern(
            "labelled",
            rf"(?i:{_LABELS})[ ]?:[ ]*[\"']?(?P<pii>{_NAME}{_SUFFIX}"
            rf"|{_LOWER_NAME}(?=[ ]*(?:[,.;!?\n]|$)))",
            0.8,
            not_after=r"[^\s(\[|,;]",
            needles=(":",),
            starts_with=_start_words(_LABEL_TEXT),
            strong=True,
        ),
        GuardPattern(  # "registered to Grant Jackson,", "(holder Jürgen Weiß)", "account name X Y"
            "holder",
            rf"(?i:{_HOLDERS})"
            rf"[ ]+(?P<pii>{_FULL_NAME})(?=[ ]*(?:[,.;:!?)\n]|$))",
            0.8,
            not_after=_NOT_LETTER,
            needles=(
                "registered",
                "holder",
                "name of",
                "addressed",
                "named",
                "called",
                "account name",
                "name on",
                "inhaber",
                "titula",
                "intestatario",
                "rekeninghouder",
                " by ",
                "assigned",
                "beneficiary",
                "payee",
            ),
            starts_with=_start_words(_HOLDER_TEXT),
            strong=True,
        ),
        GuardPattern(  # "Agent (Jane):", "Rep (Jane Doe):"
            "speaker",
            rf"^[ \t]*(?:\[[^\]\n]{{1,40}}\][ ]*)?(?i:{_ROLES})[ ]?\("
            rf"(?P<pii>{_NAME})\)[ ]?:",
            0.85,
            needles=("(",),
            line_start=True,
            strong=True,
        ),
        GuardPattern(  # "Agent Kofi:", "[10:02] Priyanka:", "Customer Jenna M.:"
            "speaker_label",
            rf"^[ \t>]*(?:\[[^\]\n]{{1,40}}\][ ]*|\(?\d{{1,2}}:\d{{2}}(?::\d{{2}})?"
            rf"(?:[ ]?[AaPp][Mm])?\)?[ ]+)?(?P<role>(?i:{_ROLES})[ ]+)?"
            rf"(?P<pii>{_NAME}|{_LOWER_NAME})[ ]?:(?![/\d])",
            0.8,
            needles=(":",),
            line_start=True,
        ),
        GuardPattern(  # "[Hunter]: hi", "<Mia> thanks"
            "bracket_speaker",
            rf"^[ \t]*(?:\[|<)(?P<pii>{_NAME})(?:\]|>)[ ]?:?[ ]",
            0.8,
            needles=("[", "<"),
            line_start=True,
            known_only=True,
        ),
        GuardPattern(  # "Maple & Co., Amy speaking.", "Agent: Jane speaking"
            "speaking",
            rf"(?:^|[,:][ ]|\bthis[ ]is[ ])(?P<pii>{_NAME})[ ]speaking(?![A-Za-z])",
            0.8,
            needles=(" speaking",),
            strong=True,
        ),
        GuardPattern(  # agent shorthand: "Spoke w/ Renata Oakes", "cb to Sergio"
            "spoke_with",
            r"(?i:spoke|spk|spoken|talked|chatted|cb|called[ ]back|rang|phoned)[ ]+(?i:w/|with|to)"
            rf"[ ]*(?P<pii>{_NAME}|{_LOWER_NAME})",
            0.8,
            not_after=_NOT_LETTER,
            starts_with=(
                "spoke",
                "spk",
                "talked",
                "chatted",
                "cb",
                "called back",
                "rang",
                "phoned",
            ),
        ),
        GuardPattern(  # "you're chatting with Annette from", "Am I speaking with Kelli Todd?"
            "with",
            rf"(?i:chatting|speaking|talking|connected)[ ]with[ ]+(?P<pii>{_NAME})"
            r"(?=[ ]*(?:[,.;:!?)\n]|$|[ ](?:from|at|of|here|in|on)\b))",
            0.8,
            not_after=_NOT_LETTER,
            needles=(" with ",),
            starts_with=("chatting with", "speaking with", "talking with", "connected with"),
            strong=True,
        ),
        GuardPattern(  # "my wife Anna", "our son's name is Leo", "my colleague, Dana Ruiz,"
            "relative",
            rf"(?i:my|our|his|her|their)[ ]{_FAMILY}(?:'s[ ]name[ ]is|[ ]is[ ]called"
            rf"|[ ]named|[ ]called|,)?[ ]+(?P<pii>{_NAME})",
            0.8,
            not_after=_NOT_LETTER,
            needles=("my ", "our ", "his ", "her ", "their "),
            starts_with=("my ", "our ", "his ", "her ", "their "),
            strong=True,
        ),
        GuardPattern(  # "the driver, Tunde, said", "your courier Maksim" (known names only)
            "role_apposition",
            rf"(?i:the|your|our|a)[ ](?:{_FAMILY}|{_ROLES}|postman|postwoman|delivery[ ]guy)"
            rf",?[ ]+(?P<pii>{_NAME})",
            0.75,
            not_after=_NOT_LETTER,
            needles=("the ", "your ", "our ", "a "),
            starts_with=("the ", "your ", "our ", "a "),
            known_only=True,
        ),
        GuardPattern(
            "signoff",
            rf"^[ \t]*{_SIGNOFF}[ ]*[,!.]?[ ]*\n[ \t]*"
            rf"(?P<pii>{_NAME}{_SUFFIX}|{_LOWER_NAME})[ \t]*$",
            0.8,
            needles=("\n",),
            line_start=True,
            strong=True,
        ),
        GuardPattern(  # "...call me at 555-0132? - Michael" at the end of a message or line
            "dash_signoff",
            rf"[.!?)][ ]+(?:-|--|—|–)[ ]?(?P<pii>{_NAME})[ \t]*$",
            0.8,
            needles=("-", "—", "–"),
            strong=True,
        ),
        GuardPattern(  # "- tamika", "thanks — mia", "~Kofi" closing a line (known names only)
            "dash_name",
            rf"(?:^[ \t]*|[ ])(?:-|--|—|–|~)[ ]?(?P<pii>{_NAME}|{_LOWER_NAME})[ \t]*$",
            0.75,
            needles=("-", "—", "–", "~"),
            known_only=True,
        ),
        GuardPattern(
            "signoff_inline",
            r"(?i:thanks|thank[ ]you|regards|cheers|best)[ ]*,[ ]*"
            rf"(?P<pii>{_NAME}|{_LOWER_NAME})[ ]*(?=[.!\n]|$)",
            0.75,
            not_after=_NOT_LETTER,
            needles=("thank", "regards", "cheers", "best"),
            starts_with=("thanks", "thank you", "regards", "cheers", "best"),
            strong=True,
        ),
        GuardPattern(  # "Agent: Thanks Glenda, I see ...", "Thanks Ada." (known names only)
            "thanks_name",
            rf"(?i:thanks|thank[ ]you|cheers|ta)[ ]+(?P<pii>{_WORD}|[a-z][{_LOW}]+)"
            r"(?=[,!.:;]|[ ]*$|[ ]+(?:for|so)\b)",
            0.65,
            not_after=_NOT_LETTER,
            needles=("thank", "cheers", "ta "),
            starts_with=("thanks", "thank you", "cheers", "ta"),
        ),
        GuardPattern(  # "Deirdre Walsh | Office Manager", "Kofi Mensah, Support Lead"
            "signature",
            rf"^[ \t]*(?P<pii>{_FULL_NAME})[ ]*(?:\||,|–|—|-)[ ]*[A-Z][A-Za-z&]*"
            r"(?:[ ][A-Z][A-Za-z&]*){0,3}[ ]*$",
            0.75,
            needles=("|", ",", "-", "–", "—"),
            line_start=True,
            known_only=True,
        ),
        GuardPattern(  # a full name alone on the last line of a message
            "last_line",
            rf"^[ \t]*(?P<pii>{_FULL_NAME}|{_CAPS_NAME})[ \t]*\n?\Z",
            0.75,
            line_start=True,
            known_only=True,
        ),
        GuardPattern(  # "Regards,\nKOFI MENSAH" (known names only)
            "signoff_caps",
            rf"^[ \t]*{_SIGNOFF}[ ]*[,!.]?[ ]*\n[ \t]*(?P<pii>{_CAPS_NAME})[ \t]*$",
            0.8,
            needles=("\n",),
            line_start=True,
        ),
        GuardPattern(  # "On Mon, 3 Jun 2024, Kofi Mensah wrote:", "Kofi Mensah <k@x.com> wrote:"
            "wrote",
            rf"(?P<pii>{_FULL_NAME})[ ]*(?:<[^<>\s]{{3,80}}>[ ]*)?wrote:",
            0.8,
            not_after=_NOT_LETTER,
            needles=("wrote:",),
        ),
        GuardPattern(  # "@Kofi can you check", "@priyanka"
            "mention",
            rf"@(?P<pii>{_NAME}|{_LOWER_NAME})(?![A-Za-z@.\-])",
            0.75,
            not_after=r"[\w.]",
            needles=("@",),
            known_only=True,
        ),
        GuardPattern(  # "Kofi (customer):", "Mia (Agent)"
            "name_role",
            rf"(?P<pii>{_NAME})[ ]?\((?i:{_ROLES})\)",
            0.8,
            not_after=_NOT_LETTER,
            needles=("(",),
        ),
        GuardPattern(  # "Name: KOFI MENSAH", "cardholder PRIYANKA RAMAN" (known names only)
            "caps_name",
            rf"(?i:{_LABELS}|{_HOLDERS})[ ]?:?[ ]*(?:(?i:is|reads|says)[ ]+)?"
            r"(?P<pii>[A-Z]{2,}(?:-[A-Z]{2,})?"
            r"(?:[ ][A-Z]\.?)?(?:[ ][A-Z][A-Z'\-]+){1,2})(?![A-Za-z])",
            0.8,
            prefilter=r"(?<![A-Z])[A-Z]{2,}[ ][A-Z]",
            starts_with=_start_words(_LABEL_TEXT, _HOLDER_TEXT),
        ),
        GuardPattern(
            "display_name",
            rf"(?P<pii>{_NAME})[\"']?[ ]*<[^<>@\s]+@",
            0.8,
            not_after=r"[^\s\"'(:]",
            needles=("<",),
            strong=True,
        ),
    )
    CONTEXT = ("name", "customer", "contact", "called", "named", "signed", "regards", "thanks")
    WINDOW_BEFORE = 25
    WINDOW_AFTER = 0
    CONTEXT_BOOST = 0.2

    def scan(self, ctx: ScanContext) -> list[RawMatch]:
        """Pattern matches, known names without a cue (given names, family names after an
        unknown first name or with a verb of speech, answers to a name question), every name
        of a ``CC: A B, C D`` list and a full name on the line above a job title; a lower-case
        second word that is not a known surname is cut (``hi kofi again`` → ``kofi``).
        Cue-less candidates next to a house number (streets) or inside a firm's name made of
        family names are dropped."""
        text = ctx.text
        out: list[RawMatch] = []
        for m in super().scan(ctx):
            value = text[m.start : m.end]
            if (
                value.islower()
                and " " in value
                and not _AFTER_LABEL_RE.search(text, max(0, m.start - 10), m.start)
            ):
                first, second = value.split(" ", 1)
                if not is_surname(second):
                    m = RawMatch(m.type, m.start, m.start + len(first), m.score, m.recognizer)
            out.append(m)
        out.extend(self._given_name_words(ctx))
        out.extend(self._surname_pairs(ctx))
        out.extend(self._speech_surnames(ctx))
        out.extend(self._romaji_honorific(ctx))
        out.extend(self._name_answers(ctx))
        out = _drop_street_and_firm_names(ctx, out)
        if ":" in text:
            out.extend(self._list_names(ctx))
        if "\n" in text:
            out.extend(self._above_job_title(ctx))
            out.extend(self._closing_name(ctx))
        return out

    def _romaji_honorific(self, ctx: ScanContext) -> list[RawMatch]:
        """Romanised Japanese names with an honorific: ``Tanaka-san``, ``YAMADA-sama``,
        ``suzuki san`` (the word before the honorific must read as romaji; ``Amazon-san`` and
        other stop words are not names)."""
        text = ctx.text
        out = []
        for m in word_matches(_ROMAJI_HONORIFIC_RE, ctx, _HONORIFIC_STARTS):
            word = _WORD_BEFORE_RE.search(text, max(0, m.start() - 30), m.start())
            if word is None:
                continue
            value = word.group()
            if (
                is_romaji(value)
                and value.capitalize() not in _never_alone()
                and not is_non_surname_word(value.capitalize())
            ):
                out.append(RawMatch("PERSON", word.start(), word.end(), 0.85, self.rec_name))
        return out

    def _closing_name(self, ctx: ScanContext) -> list[RawMatch]:
        """A bare name alone on the last line (contact lines may follow) after a line that
        ends like a closing: ``Appreciate the help,⏎Marta``, ``Talk later!⏎Kemal``.

        A known given name after a line ending in ``,``, ``.`` or ``!`` scores 0.8; an unlisted
        capitalised word only after a short line ending in a comma (0.75).
        """
        text = ctx.text
        starts = ctx.line_starts
        i = len(starts) - 1
        while i > 0 and _skippable_last_line(text[starts[i] : ctx.line_end(starts[i])]):
            i -= 1
        j = i - 1
        while j >= 0 and not text[starts[j] : ctx.line_end(starts[j])].strip():
            j -= 1
        if j < 0:
            return []
        m = _BARE_NAME_RE.fullmatch(text, starts[i], ctx.line_end(starts[i]))
        prev = text[starts[j] : ctx.line_end(starts[j])].strip()
        if m is None or not prev or prev[-1] not in ",.!":
            return []
        word = m.group("pii")
        if word.capitalize() in _never_alone() or word.capitalize() in _LABEL_WORDS:
            return []
        if is_given_name(word) and word.lower() not in _lower_stop():
            score = 0.8
        elif word[0].isupper() and prev[-1] == "," and len(prev) <= 40 and len(word) >= 3:
            score = 0.75
        else:
            return []
        return [RawMatch("PERSON", m.start("pii"), m.end("pii"), score, self.rec_name)]

    def _given_name_words(self, ctx: ScanContext) -> list[RawMatch]:
        """Known given names without a cue (one pass over the capitalised words):

        - followed by a capitalised word that can be a surname: ``Sarah Connor`` (0.7), not
          ``Earl Grey``, ``Dale Road`` or ``Harper Electronics``;
        - next to a word that points to a person: ``I spoke to Kofi``, ``Priyanka said`` (0.6);
        - alone (0.35, below the default threshold unless a context word is near).
        """
        text = ctx.text
        names = given_names()
        ambiguous = ambiguous_given_names()
        out = []
        for m in _CAP_WORD_RE.finditer(text):
            word = m.group()
            plain = word in names
            if (not plain and word not in ambiguous) or word in _never_alone():
                continue
            start, end = m.span()
            if start and _LETTER_RE.match(text, start - 1):
                continue
            if _shop_after(text, end):
                continue  # "Maggie's Kitchen", "Lily Rose Florist", "Marina Fort Street"
            score = 0.0
            surname = _SURNAME_AHEAD_RE.match(text, end)
            if surname is not None:
                tokens = _TOKEN_RE.findall(text, start, surname.end())
                if (
                    not any(t in _stop_and_business() for t in tokens)
                    and not (
                        tokens[-1] in _MONTH_NAMES and _DAY_AFTER_RE.match(text, surname.end())
                    )
                    and _plausible_surname(tokens[1:])
                    and (tokens[0], tokens[-1]) not in _brand_names()
                    # Chelsea Carroll, not Chelsea Harbour: a word-like name needs a surname
                    and (plain or is_surname(tokens[-1]))
                ):
                    score, end = 0.7, surname.end()
            if not score:
                if not plain or _is_country(word):
                    continue  # "France is moving in that direction"
                if word in _MONTH_NAMES and _DAY_AFTER_RE.match(text, end):
                    continue
                mid = (
                    word.lower() not in _lower_stop()
                    and _MID_AFTER_RE.match(text, end) is not None
                    and _mid_sentence(text, start, end)
                )
                score = 0.6 if mid else 0.35
            if self.has_context(ctx, start, end):
                score = min(1.0, score + self.CONTEXT_BOOST)
            out.append(RawMatch("PERSON", start, end, round(score, 2), self.rec_name))
        return out

    def _name_answers(self, ctx: ScanContext) -> list[RawMatch]:
        """The answer to a question for a name (``What's your last name? Boyle``) and a known
        given name called by its owner (``Remember me, Mary?``, ``Leif, can I …``)."""
        text = ctx.text
        out = []
        if "name" in ctx.lower:
            for m in _NAME_QUESTION_RE.finditer(text):
                tokens = _TOKEN_RE.findall(m.group("pii"))
                if tokens and not any(t in _never_alone() or t in _LABEL_WORDS for t in tokens):
                    out.append(RawMatch("PERSON", *m.span("pii"), 0.8, self.rec_name))
        matches: list[re.Match[str]] = []
        if "?" in text or "!" in text:
            matches.extend(_VOCATIVE_RE.finditer(text))
        if "," in text:
            matches.extend(_VOCATIVE_START_RE.finditer(text))
        for m in matches:
            start, end = m.span("pii")
            word = m.group("pii")
            if word in given_names() and word not in _never_alone() and not is_place_or_word(word):
                out.append(RawMatch("PERSON", start, end, 0.75, self.rec_name))
        return out

    def _surname_pairs(self, ctx: ScanContext) -> list[RawMatch]:
        """``Tomomi Nishiyama``, ``Weronika Martinsen``: a capitalised word that is not a known
        given name, a middle initial maybe, and a known family name that is not also a word
        of a place, product or company (0.55; a context word raises it)."""
        text = ctx.text
        out = []
        for m in _SURNAME_PAIR_RE.finditer(text):
            first, last = m.group("first"), m.group("last")
            start, end = m.span()
            if start and _LETTER_RE.match(text, start - 1):
                continue
            if (
                first in _all_given_names()
                or not _foreign_surname(last)
                or _not_a_name_word(first)
                or (first, last) in _brand_names()
                or _shop_after(text, m.end("first"))
            ):
                continue
            nxt = _CAP_AFTER_RE.match(text, end)
            if nxt is not None and (
                nxt.group(1) in business_words() or is_non_surname_word(nxt.group(1))
            ):
                continue
            score = 0.55
            if self.has_context(ctx, start, end):
                score = min(1.0, score + self.CONTEXT_BOOST)
            out.append(RawMatch("PERSON", start, end, round(score, 2), self.rec_name))
        return out

    def _speech_surnames(self, ctx: ScanContext) -> list[RawMatch]:
        """A known family name with a verb of speech: ``says Hartvigsson.``,
        ``Kaczmarek said``, ``according to Lindqvist`` (0.6)."""
        text = ctx.text
        out = []
        for verb in _SPEECH_NEEDLE_RE.finditer(ctx.lower):
            m = _SPEECH_AFTER_RE.match(text, verb.end())
            if m is not None and (
                verb.group().startswith("according")
                or _QUOTE_BEFORE_RE.search(text, max(0, verb.start() - 3), verb.start())
            ):
                start, end = m.span("pii")
            else:
                m = _SPEECH_BEFORE_RE.search(text, max(0, verb.start() - 40), verb.start())
                if m is None:
                    continue
                start, end = m.span("pii")
            name = text[start:end]
            if start and _LETTER_RE.match(text, start - 1):
                continue
            if (
                name in _never_alone()
                or name in _LABEL_WORDS
                or not (is_surname(name) or is_given_name(name))
            ):
                continue
            if is_place_or_word(name):
                continue
            out.append(RawMatch("PERSON", start, end, 0.6, self.rec_name))
        return out

    def _list_names(self, ctx: ScanContext) -> list[RawMatch]:
        out = []
        for m in line_matches(_LIST_RE, ctx):
            base = m.start("list")
            for item in _ITEM_RE.finditer(m.group("list")):
                value = item.group("name")
                tokens = _TOKEN_RE.findall(value)
                if any(t in _stop_and_business() for t in tokens):
                    continue
                if len(tokens) == 1 and tokens[0].capitalize() in _LABEL_WORDS:
                    continue
                if value.islower() and not is_given_name(tokens[0]):
                    continue
                start = base + item.start("name")
                out.append(RawMatch("PERSON", start, start + len(value), 0.8, self.rec_name))
        return out

    def _above_job_title(self, ctx: ScanContext) -> list[RawMatch]:
        out = []
        for m in line_matches(_ABOVE_TITLE_RE, ctx):
            tokens = _TOKEN_RE.findall(m.group("pii"))
            if any(t in _stop_and_business() for t in tokens):
                continue
            if _plausible_surname(tokens[1:]):
                out.append(RawMatch("PERSON", m.start("pii"), m.end("pii"), 0.8, self.rec_name))
        return out

    def accept(
        self, pattern: GuardPattern, value: str, match: re.Match[str], ctx: ScanContext
    ) -> bool:
        tokens = _TOKEN_RE.findall(_INITIAL_RE.sub("", value)) or _TOKEN_RE.findall(value)
        if not tokens or any(t in _stop_and_business() for t in tokens):
            return False
        if tokens[0] in _LABEL_WORDS and len(tokens) == 1:
            return False
        name = pattern.name
        text = match.string
        start = match.start("pii") if "pii" in match.re.groupindex else match.start()
        value_end = start + len(value)
        if name == "romaji_honorific":
            # "Tanaka-san": the word must read as romanised Japanese, not "Amazon-san"
            return is_romaji(value) and value.capitalize() not in _not_surnames()
        if tokens[-1] in _MONTH_NAMES and _DAY_AFTER_RE.match(text, value_end):
            return False  # "Customer: April 25, 1978" is a date
        # a name that is also a word ("Will", "Bill", "Summer") needs a context that leaves no
        # doubt: a strong pattern, or an introduction/"… here" that the name ends
        word_like = tokens[0] in wordlike_given_names() and (
            len(tokens) == 1 or not is_surname(tokens[-1])
        )
        cleared = pattern.strong or _introduces(name, tokens, match, value_end)
        if word_like and not cleared:
            return False
        given = is_given_name(tokens[0])
        if name in ("caps_name", "signoff_caps") or (name == "last_line" and value.isupper()):
            words = [t.capitalize() for t in tokens]
            return is_given_name(words[0]) or is_surname(words[-1]) or _romaji_full_name(tokens)
        if value.islower():
            # "hi kofi", "thanks, mia", "jenna:": lower-case names only when known
            return given and tokens[0] not in _lower_stop() and name != "title"
        if pattern.known_only:
            if name in ("signature", "last_line"):
                return (given or is_surname(tokens[-1])) and _plausible_surname(tokens[1:])
            return given and (cleared or all(t.lower() not in _lower_stop() for t in tokens))
        if text.startswith((" &", "&", " and Co", " & Co"), value_end):
            return False  # "Maple & Co."
        if name == "spoke_with":
            # "Spoke w/ Renata Oakes": a known name, or a full name that ends the clause
            return (
                given
                or is_surname(tokens[-1])
                or (
                    len(tokens) >= 2
                    and _plausible_surname(tokens[1:])
                    and _ends_clause(text, value_end)
                )
            )
        if name == "speaker_label":
            return _accept_speaker(tokens, given, match)
        if name == "labelled" and _SPEECH_LABEL_RE.search(match.group(0), 0, 24):
            # "Agent: Sure." is speech, "Agent: Kofi Mensah" a name
            after = text[value_end : value_end + 1]
            return (given and _plausible_surname(tokens[1:])) or (
                len(tokens) >= 2 and is_surname(tokens[-1]) and after in ("", "\n", ",")
            )
        if name == "thanks_name":
            return given or text[value_end : value_end + 1] in (",", "!")
        if name == "introduction":
            trigger = match.group(0)[: match.start("pii") - match.start()].lower()
            if re.match(r"\s*(my name|name is|my name's)", trigger):
                return True
            if given or word_like:
                return True
            # "this is Jaime Duffy.", "I'm Stefanie Martin (order 123), ...": an unlisted first
            # name is accepted as part of a full name that ends the clause
            return len(tokens) >= 2 and _ends_clause(text, value_end)
        return True


# "CC: Lena Fischer, Tom Okoro and Mia", "Participants: ..."
_LIST_RE = lazy_re(
    r"^[ \t]*(?i:ccs?|bcc|cc'd|copied|participants|followers|watchers|collaborators|attendees"
    r"|assignees|agents)[ ]?:[ ]*(?P<list>[^\n]{1,300})",
    re.MULTILINE,
)
_ITEM_RE = lazy_re(
    rf"(?:^|[,;&][ ]*|[ ]and[ ]+)(?P<name>{_NAME}|{_LOWER_NAME})(?=[ ]*(?:[,;&<(]|[ ]and[ ]|$))"
)
_JOB_WORDS = (
    r"(?:Manager|Director|Lead|Head|Officer|Coordinator|Specialist|Assistant|Engineer|Consultant"
    r"|Founder|Co-founder|CEO|CFO|COO|CTO|Owner|Administrator|Advisor|Adviser|Analyst"
    r"|Associate|Representative|Agent|Supervisor|Executive|Secretary|Accountant|Buyer|Partner"
    r"|President|Vice|VP|Team|Customer|Support|Sales|Account|Operations|Office|Accounts)"
)
# a full name alone on its line, above a job title line ("Deirdre Walsh\nOffice Manager")
_ABOVE_TITLE_RE = lazy_re(
    rf"^[ \t]*(?P<pii>{_FULL_NAME})[ \t]*\n[ \t]*(?:[A-Z][A-Za-z&\-]*[ ]){{0,3}}{_JOB_WORDS}\b",
    re.MULTILINE,
)
_SPEECH_LABEL_RE = lazy_re(
    r"^(?i:agent|caller|customer|client|guest|driver|courier|technician|buyer|cust|cx|rep)[ ]?:"
)


_CAP_WORD_RE = lazy_re(_WORD)
_INITIAL_RE = lazy_re(r"(?<![A-Za-z])[A-Z]\.")
_AFTER_LABEL_RE = lazy_re(r":[ ]*\Z")
_LETTER_RE = lazy_re(_NOT_LETTER)
_SURNAME_AHEAD_RE = lazy_re(rf"(?:[ ][A-Z]\.?)?[ ]{_SURNAME}")
_MID_AFTER_RE = lazy_re(r"[ ]+[a-z]|[ ]*[,.!?;:)]|[ ]*$|'s\b", re.MULTILINE)
_PREV_WORD_RE = lazy_re(r"([A-Za-z']+)[ ]\Z")
_POSSESSIVE_RE = lazy_re(r"'s[ ][a-z]")
_AT_PERSON_RE = lazy_re(
    r"\b(?:shouted|yelled|screamed|looked|smiled|waved|laughed|pointed|stared|glanced|winked"
    r"|nodded)[ ]at[ ]\Z"
)
_NEXT_WORD_RE = lazy_re(r"[ ]([a-z]+)")


# a capitalised word, maybe a middle initial, and a second capitalised word
_SURNAME_PAIR_RE = lazy_re(
    rf"(?P<first>[{_UP}][{_LOW}]{{2,}})(?:[ ][A-Z]\.?)?[ ](?P<last>[{_UP}][{_LOW}]{{2,}}"
    rf"(?:-[{_UP}][{_LOW}]+)?)(?![{_LOW}{_UP}'\-])"
)
_CAP_AFTER_RE = lazy_re(r"[ ]([A-Z][A-Za-z]+)")
_SPEECH_VERBS = r"(?:says|said|asks|asked|replied|explains|explained|adds|added|writes|wrote)"
_SPEECH_NEEDLE_RE = lazy_re(rf"\b{_SPEECH_VERBS}\b|\baccording[ ]to\b")
_SPEECH_AFTER_RE = lazy_re(rf"[ ](?P<pii>{_WORD})(?=[ ]*[.,;!?\n]|[ ]*\Z)")
_SPEECH_BEFORE_RE = lazy_re(rf"(?<![A-Za-z])(?P<pii>{_WORD})[ ]\Z")
_QUOTE_BEFORE_RE = lazy_re(r"[,\"”][ ]\Z")


# an answer to a question for a name, on the same line or the next
_NAME_QUESTION_RE = lazy_re(
    r"(?i:your[ ](?:first[ ]|last[ ]|full[ ]|family[ ]|given[ ]|sur|maiden[ ])?name)[ ]?\?"
    rf"[ ]*(?:\n[ \t]*(?:[A-Za-z]+[ ]?:[ ]*)?)?(?P<pii>{_NAME})(?=[ ]*(?:[.,!\n]|$))",
    re.MULTILINE,
)
# a name called by its owner: "Remember me, Mary?", "Leif, can I …"
_VOCATIVE_RE = lazy_re(rf",[ ](?P<pii>{_WORD})[ ]?[?!]")
_VOCATIVE_START_RE = lazy_re(
    rf"(?:^|(?<=[.!?][ ]))(?P<pii>{_WORD}),[ ](?=(?:can|could|would|will|please|I|we)\b)",
    re.MULTILINE,
)
# a name next to a house number is a street ("Joaquin Suarez 2906", "03751 Gerrit Achterberghove")
_NUMBER_AFTER_RE = lazy_re(r"[ ]\d{1,5}[A-Za-z]?(?:[ ,.\n]|$)")
_NUMBER_BEFORE_RE = lazy_re(r"\d{1,6}[ ]\Z")
_STRONG = 0.8


def _drop_street_and_firm_names(ctx: ScanContext, matches: list[RawMatch]) -> list[RawMatch]:
    """Drop cue-less candidates that are street names (next to a house number) or parts of a
    firm's name made of family names (``Hawkins, Richardson and Santana``)."""
    text = ctx.text
    firms = firm_name_spans(ctx)
    out = []
    for m in matches:
        if m.score < _STRONG:
            if _NUMBER_AFTER_RE.match(text, m.end) or _NUMBER_BEFORE_RE.search(
                text, max(0, m.start - 8), m.start
            ):
                continue
            if any(a <= m.start and m.end <= b for a, b in firms):
                continue
        out.append(m)
    return out


_FIRM_ITEM = rf"[{_UP}][{_LOW}]+"
_FIRM_PREFILTER_RE = lazy_re(r"[a-z],[ ][A-Z][a-z]+,?[ ](?:and|&)[ ][A-Z]")
_FIRM_RE = lazy_re(rf"{_FIRM_ITEM}(?:,[ ]{_FIRM_ITEM})+,?[ ](?:and|&)[ ]{_FIRM_ITEM}(?![{_LOW}])")


def firm_name_spans(ctx: ScanContext) -> list[tuple[int, int]]:
    """``Hawkins, Richardson and Santana``, ``Owens, Duran & Oneal``: three or more family
    names and no given name in a comma list, the way law firms and agencies are named."""
    text = ctx.text
    if _FIRM_PREFILTER_RE.search(text) is None:
        return []
    out = []
    for m in _FIRM_RE.finditer(text):
        tokens = [t for t in re.split(r",[ ]|,?[ ](?:and|&)[ ]", m.group()) if t]
        given = sum(t in _all_given_names() for t in tokens)
        if len(tokens) >= 3 and all(is_surname(t) for t in tokens) and 2 * given < len(tokens):
            out.append(m.span())
    return out


def _foreign_surname(token: str) -> bool:
    """A known family name that is not also a common English word or a place (``Brown``,
    ``Hall``, ``Park`` and ``Bell`` are words too; the lists keep only names)."""
    return is_surname(token) and not _not_a_name_word(token) and token not in _wordlike_surnames()


def _not_a_name_word(token: str) -> bool:
    """A capitalised word that is never the first word of a person's name here."""
    return (
        token in _stop_and_business()
        or token in _not_surnames()
        or token in _LABEL_WORDS
        or token in _not_speakers()
        or is_place_or_word(token)
        or _STREET_SUFFIX_RE.match(token) is not None
    )


def _is_country(token: str) -> bool:
    return english_places().get(token) == "country"


def is_place_or_word(token: str) -> bool:
    """A known place name (``Paris``, ``Texas``) or a capitalised common word of support text."""
    return token in english_places() or token in _common_capitalised()


def _mid_sentence(text: str, start: int, end: int) -> bool:
    """A given name after a word that points to a person, or before a verb of speech."""
    prev = _PREV_WORD_RE.search(text, max(0, start - 20), start)
    if prev is not None and prev.group(1) in _person_before():
        return True
    if _AT_PERSON_RE.search(text, max(0, start - 24), start):
        return True  # "shouted at Gary", "waved at Mia"
    if _POSSESSIVE_RE.match(text, end):
        return True  # "Matej's address", "Sarah's order"
    nxt = _NEXT_WORD_RE.match(text, end)
    return nxt is not None and nxt.group(1) in _person_after()


# what may follow a name that ends its clause: punctuation, a line end, a bracket
# ("I'm Jane Doe (order 123)") or a word that goes on about the person ("Jane Doe from …")
_CLAUSE_END_AFTER_RE = lazy_re(
    r"[ ]*(?:[,.;:!?()\n—–]|-[ ]|\Z|[ ]?(?:here|from|again|speaking|calling|writing|at|of|with)\b)"
)
# "Bill here again", "Will here, …": the name of a "… here" line ends its clause
_HERE_END_RE = lazy_re(r"[ ]here(?:[ ]again\b|[ ]*[,.!:;—–\-]|[ ]*(?:\n|\Z))")
_NAME_TRIGGER_RE = lazy_re(r"\s*(?:my[ ]name|name[ ]is|my[ ]name's|this[ ]is|i'm|i[ ]am)\b")


def _ends_clause(text: str, end: int) -> bool:
    """The name ending at *end* ends its clause (see :data:`_CLAUSE_END_AFTER_RE`)."""
    return _CLAUSE_END_AFTER_RE.match(text, end) is not None


def _introduces(name: str, tokens: list[str], match: re.Match[str], value_end: int) -> bool:
    """An introduction or a "… here" line that leaves no doubt a name is meant: a full name,
    ``my name is Will``, ``this is Bill, …``, ``Summer here again`` (not ``it's May, …``)."""
    text = match.string
    if name == "introduction":
        if len(tokens) >= 2:
            return True
        trigger = match.group(0)[: match.start("pii") - match.start()].lower()
        if "name" in trigger:
            return True
        return (
            tokens[0] not in _MONTH_NAMES
            and _NAME_TRIGGER_RE.match(trigger) is not None
            and _ends_clause(text, value_end)
        )
    if name == "here":
        return _HERE_END_RE.match(text, value_end) is not None
    return False


def _romaji_full_name(tokens: list[str]) -> bool:
    """``TARO YAMADA``: two or three words in capitals that all read as romanised Japanese."""
    return 2 <= len(tokens) <= 3 and all(t.isupper() and is_romaji(t) for t in tokens)


# a Japanese honorific after a romanised name, and the name before it
# (after a space only the unmistakable ones: "suzuki san", not "Ken chan")
_SPACED_HONORIFICS = ("san", "sama", "sensei")
_ROMAJI_HONORIFIC_RE = lazy_re(
    rf"(?:-(?i:{'|'.join(ROMAJI_HONORIFICS)})|[ ](?:{'|'.join(_SPACED_HONORIFICS)}))\b"
)
_HONORIFIC_STARTS = (
    *(f"-{h}" for h in ROMAJI_HONORIFICS),
    *(f" {h}" for h in _SPACED_HONORIFICS),
)
_WORD_BEFORE_RE = lazy_re(r"(?<![A-Za-z])(?:[A-Z][a-z]+|[A-Z]{2,}|[a-z]{3,})\Z")
# a bare name on a line of its own; lines after a closing name that carry only contact details
_BARE_NAME_RE = lazy_re(rf"[ \t]*(?P<pii>{_WORD}|[a-z][{_LOW}]{{2,}})[ \t]*[.!]?[ \t]*")
_CONTACT_ONLY_RE = lazy_re(
    r"[ \t]*(?:[+(\d][\d ()+\-.]{6,}|\S+@\S+|https?://\S+"
    r"|(?i:tel|phone|mobile|cell|email|e-mail|sent[ ]from)\b[^\n]*)[ \t]*"
)


def _skippable_last_line(line: str) -> bool:
    """A blank line, or one with only a phone, e-mail or URL, after a closing name."""
    return not line.strip() or _CONTACT_ONLY_RE.fullmatch(line) is not None


def _accept_speaker(tokens: list[str], given: bool, match: re.Match[str]) -> bool:
    """``Agent Kofi:`` (a role word before the name), or ``Priyanka:`` (a known given name)."""
    if any(t in _not_speakers() for t in tokens):
        return False
    if match.group("role"):
        return True
    return given and _plausible_surname(tokens[1:])


# the words after a given name (a possessive, a second name) and the word that follows them
_SHOP_AFTER_RE = lazy_re(r"(?:'s|[ ][A-Z][a-z]+)?[ ]([A-Z][A-Za-z]+)")


def _shop_after(text: str, end: int) -> bool:
    """A given name that starts a shop or company name: ``Maggie's Kitchen``,
    ``Lily Rose Florist``, ``Harper Electronics``."""
    nxt = _SHOP_AFTER_RE.match(text, end)
    return nxt is not None and (
        nxt.group(1) in business_words()
        or nxt.group(1) in _not_surnames()
        or _STREET_SUFFIX_RE.match(nxt.group(1)) is not None
    )


def is_non_surname_word(token: str) -> bool:
    """A capitalised word that makes a preceding given name a product, place or company
    (``Grey``, ``Bakery``, ``Street``)."""
    return token in _not_surnames() or _STREET_SUFFIX_RE.match(token) is not None


def _plausible_surname(rest: list[str]) -> bool:
    """The words after a given name look like a family name, not a product, place or shop."""
    for token in rest:
        if token in _not_surnames() or token in _stop_and_business():
            return False
        if _STREET_SUFFIX_RE.match(token):
            return False
    return True
