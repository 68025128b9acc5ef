"""PERSON in English text without an NER model: titles, greetings, introductions, sign-offs,
display names before an email address, labelled fields and known given names."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from ._base import GuardPattern, GuardPatternRecognizer

__all__ = ["EnPersonRecognizer", "first_names"]


@cache
def first_names() -> frozenset[str]:
    """Common English given names shipped in ``gdprguard/data/en_first_names.txt``."""
    raw = resources.files("gdprguard.data").joinpath("en_first_names.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")
    )


# Capitalised words that follow greetings or titles but are not names.
STOP_WORDS = frozenset(
    [
        "A",
        "All",
        "Also",
        "An",
        "And",
        "Any",
        "Anyone",
        "Are",
        "As",
        "At",
        "Best",
        "Bill",
        "Billing",
        "Brand",
        "But",
        "By",
        "Can",
        "Cheers",
        "Company",
        "Could",
        "Customer",
        "Customers",
        "Day",
        "Dear",
        "Delivery",
        "Department",
        "Desk",
        "Do",
        "Does",
        "Everyone",
        "Evening",
        "Folks",
        "For",
        "Friday",
        "From",
        "Friend",
        "Friends",
        "Good",
        "Greetings",
        "Guys",
        "Happy",
        "Hello",
        "Help",
        "Helpdesk",
        "Hey",
        "Hi",
        "I",
        "If",
        "In",
        "Inc",
        "Is",
        "It",
        "January",
        "February",
        "March",
        "July",
        "September",
        "October",
        "November",
        "December",
        "Just",
        "Kind",
        "Let",
        "Ltd",
        "Madam",
        "Management",
        "Manager",
        "Many",
        "Me",
        "Monday",
        "Morning",
        "My",
        "No",
        "Not",
        "Of",
        "Ok",
        "Okay",
        "On",
        "Or",
        "Order",
        "Our",
        "Please",
        "Regards",
        "Return",
        "Returns",
        "Sales",
        "Saturday",
        "Service",
        "Services",
        "Shop",
        "Sir",
        "Sirs",
        "So",
        "Some",
        "Sorry",
        "Store",
        "Sunday",
        "Support",
        "Team",
        "Thank",
        "Thanks",
        "That",
        "The",
        "There",
        "This",
        "Thursday",
        "To",
        "Today",
        "Tuesday",
        "Us",
        "We",
        "Wednesday",
        "Welcome",
        "What",
        "When",
        "Where",
        "Yes",
        "You",
        "Your",
        "Yours",
        "Amazon",
        "Apple",
        "Google",
        "Microsoft",
        "Japan",
        "Tokyo",
        "Osaka",
        "USA",
        "UK",
        "Online",
        "Shipping",
        "Account",
        "Admin",
        "Agent",
        "Again",
        "Afternoon",
        "Night",
        "Everybody",
        "Mr",
        "Mrs",
        "Ms",
        "Miss",
        "Mx",
        "Dr",
        "Prof",
        "Sir",
        "Madam",
        "Mme",
        "Mlle",
    ]
)

# Given names that are also months or common words: rejected unless the context is strong.
AMBIGUOUS_WORDS = frozenset(["April", "May", "June", "August", "Will", "Grant", "Summer"])

# Words of shop and company names ("Hey Northwind Outfitters,", "this is Acme Gadgets").
BUSINESS_WORDS = frozenset(
    [
        "Bank",
        "Books",
        "Boutique",
        "Center",
        "Centre",
        "Co",
        "Company",
        "Corp",
        "Corporation",
        "Delivery",
        "Desk",
        "Direct",
        "Electronics",
        "Express",
        "Foods",
        "Gadgets",
        "Goods",
        "Group",
        "Home",
        "Inc",
        "Labs",
        "LLC",
        "Logistics",
        "Ltd",
        "Mart",
        "Market",
        "Online",
        "Outfitters",
        "Services",
        "Shop",
        "Shops",
        "Solutions",
        "Store",
        "Stores",
        "Studio",
        "Supplies",
        "Supply",
        "Support",
        "Systems",
        "Team",
        "Tech",
        "Technologies",
        "Trading",
    ]
)

_MONTH_NAMES = frozenset(["April", "May", "June", "August"])
_DAY_AFTER_RE = re.compile(r"[ ]?\d")

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ\u0100-\u017f"
_WORD = rf"[{_UP}](?:[{_LOW}]+(?:[A-Z][{_LOW}]+)?|'[A-Z][{_LOW}]+)(?:-[A-Z][{_LOW}]+)?"
_NAME = rf"{_WORD}(?:[ ][A-Z]\.)?(?:[ ](?:de[ ]|van[ ]|von[ ]|del[ ]|da[ ])?{_WORD}){{0,2}}"
_FULL_NAME = rf"{_WORD}(?:[ ][A-Z]\.)?(?:[ ](?:de[ ]|van[ ]|von[ ]|del[ ]|da[ ])?{_WORD}){{1,2}}"
_SUFFIX = r"(?:,?[ ](?:Jr\.?|Sr\.?|II|III|IV|MD|PhD|DDS|DVM))?"
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Mme|Mlle)"
_SIGNOFF = (
    r"(?i:best[ ]regards|kind[ ]regards|warm[ ]regards|regards|best[ ]wishes|best|thanks[ ]again"
    r"|thanks|thank[ ]you|many[ ]thanks|cheers|sincerely|yours[ ]sincerely|yours[ ]truly"
    r"|respectfully|take[ ]care|warmly|all[ ]the[ ]best|-|--|—)"
)
_TOKEN_RE = re.compile(rf"[A-Za-z'{_UP}{_LOW}][A-Za-z'\-{_UP}{_LOW}]*")
_NOT_LETTER = rf"[A-Za-z{_UP}{_LOW}]"
# A chat or transcript speaker label, a timestamp or an e-mail quote marker before a line's text.
_LINE_PREFIX = (
    r"^[ \t>]*(?:\[[^\]\n]{1,40}\][ ]*)?(?:[A-Z][a-z]+(?:[ ]\([^()\n]{1,30}\))?[ ]?:[ ]*)?"
)


class EnPersonRecognizer(GuardPatternRecognizer):
    """``Dear Ms. Johnson``, ``Hi Sarah,``, ``my name is John Smith``, ``Regards,\\nJohn``."""

    ENTITY = "PERSON"
    FLAGS = re.MULTILINE
    LANGUAGES = ("en",)
    PREFILTER = r"[A-Z][a-z]"
    PATTERNS = (
        GuardPattern(
            "title", rf"{_TITLES}\.?[ ](?P<pii>{_NAME}{_SUFFIX})", 0.85, not_after=_NOT_LETTER
        ),
        GuardPattern(  # "Hi Sarah,", also after "Caller: " or "> " in chats and quoted mail
            "greeting",
            rf"{_LINE_PREFIX}(?i:dear|hi|hello|hey|hiya|good[ ]morning|good[ ]afternoon"
            rf"|good[ ]evening|greetings)[ ]*,?[ ]+(?P<pii>{_NAME})[ ]*(?=[,!:.\n]|$)",
            0.8,
        ),
        GuardPattern(
            "introduction",
            r"(?i:my[ ]name[ ]is|my[ ]name's|name[ ]is|this[ ]is|i[ ]am|i'm|im|it's"
            rf"|regards[ ]from|yours,)[ ]+(?P<pii>{_NAME})",
            0.8,
            not_after=_NOT_LETTER,
            needles=("name", "this is", "i am", "i'm", "im ", "it's", "regards from", "yours,"),
        ),
        GuardPattern(
            "labelled",
            r"(?i:name|full[ ]name|customer[ ]name|customer|contact|requester|from|to|cc|signed"
            r"|cardholder|card[ ]holder|account[ ]holder|recipient|attn|sender|buyer|client"
            rf"|patient|employee)[ ]?:[ ]*(?P<pii>{_NAME}{_SUFFIX})",
            0.8,
            not_after=r"[^\s(]",
            needles=(":",),
        ),
        GuardPattern(  # "registered to Grant Jackson,", "account holder Alejandro Wells."
            "holder",
            r"(?i:registered[ ]to|account[ ]holder|card[ ]?holder|in[ ]the[ ]name[ ]of"
            rf"|addressed[ ]to|(?:is|was)[ ]named|(?:is|was)[ ]called)[ ]+(?P<pii>{_FULL_NAME})"
            r"(?=[ ]*(?:[,.;:!?)\n]|$))",
            0.8,
            not_after=_NOT_LETTER,
            needles=("registered", "holder", "name of", "addressed", "named", "called"),
        ),
        GuardPattern(  # "Agent (Jane):", "Rep (Jane Doe):"
            "speaker",
            r"^[ \t]*(?:\[[^\]\n]{1,40}\][ ]*)?(?i:agent|rep|representative|operator|advisor"
            r"|adviser|support|staff|associate|specialist|caller|customer)[ ]?\("
            rf"(?P<pii>{_NAME})\)[ ]?:",
            0.85,
            needles=("(",),
        ),
        GuardPattern(  # "Maple & Co., Amy speaking.", "Agent: Jane speaking"
            "speaking",
            rf"(?:^|[,:][ ]|\bthis[ ]is[ ])(?P<pii>{_NAME})[ ]speaking(?![A-Za-z])",
            0.8,
            needles=(" speaking",),
        ),
        GuardPattern(  # "you're chatting with Annette from", "Am I speaking with Kelli Todd?"
            "with",
            rf"(?i:chatting|speaking|talking|connected)[ ]with[ ]+(?P<pii>{_NAME})"
            r"(?=[ ]*(?:[,.;:!?)\n]|$|[ ](?:from|at|of|here|in|on)\b))",
            0.8,
            not_after=_NOT_LETTER,
            needles=(" with ",),
        ),
        GuardPattern(
            "signoff",
            rf"^[ \t]*{_SIGNOFF}[ ]*[,!.]?[ ]*\n[ \t]*(?P<pii>{_NAME}{_SUFFIX})[ \t]*$",
            0.8,
            needles=("\n",),
        ),
        GuardPattern(  # "...call me at 555-0132? - Michael" at the end of a message or line
            "dash_signoff",
            rf"[.!?)][ ]+(?:-|--|—|–)[ ]?(?P<pii>{_NAME})[ \t]*$",
            0.8,
            needles=("-", "—", "–"),
        ),
        GuardPattern(
            "signoff_inline",
            r"(?i:thanks|thank[ ]you|regards|cheers|best)[ ]*,[ ]*"
            rf"(?P<pii>{_NAME})[ ]*(?=[.!\n]|$)",
            0.75,
            not_after=_NOT_LETTER,
            needles=("thank", "regards", "cheers", "best"),
        ),
        GuardPattern(  # "Agent: Thanks Glenda, I see ...": thanks + one name + comma
            "thanks_name",
            rf"(?i:thanks|thank[ ]you)[ ]+(?P<pii>{_WORD})(?=[,!])",
            0.65,
            not_after=_NOT_LETTER,
            needles=("thank",),
        ),
        GuardPattern(
            "display_name",
            rf"(?P<pii>{_NAME})[ ]*<[^<>@\s]+@",
            0.8,
            not_after=r"[^\s\"'(:]",
            needles=("<",),
        ),
        GuardPattern(  # a known given name followed by a capitalised word: "Sarah Connor"
            "known_first_name",
            rf"(?P<pii>[A-Z][a-z]+)(?=(?P<pii_end>(?:[ ][A-Z]\.)?[ ]{_WORD}))",
            0.7,
            not_after=_NOT_LETTER,
        ),
        GuardPattern("lone_first_name", r"[A-Z][a-z]+(?![A-Za-z])", 0.35, not_after=_NOT_LETTER),
    )
    CONTEXT = ("name", "customer", "contact", "called", "named", "signed", "regards", "thanks")
    WINDOW_BEFORE = 25
    WINDOW_AFTER = 0
    CONTEXT_BOOST = 0.2

    # patterns whose context says "this is a person" so strongly that month-like given names
    # (April, May, June) and unlisted single names are accepted
    _STRONG = frozenset(
        [
            "title",
            "greeting",
            "labelled",
            "holder",
            "speaker",
            "speaking",
            "with",
            "signoff",
            "dash_signoff",
            "signoff_inline",
            "display_name",
        ]
    )

    def accept(self, pattern: GuardPattern, value: str, match: re.Match[str]) -> bool:
        tokens = _TOKEN_RE.findall(value)
        if not tokens or any(t in STOP_WORDS or t in BUSINESS_WORDS for t in tokens):
            return False
        name = pattern.name
        value_end = match.string.find(value, match.start()) + len(value)
        if tokens[-1] in _MONTH_NAMES and _DAY_AFTER_RE.match(match.string, value_end):
            return False  # "Customer: April 25, 1978" is a date
        weak = name not in self._STRONG and (name != "introduction" or len(tokens) < 2)
        if tokens[0] in AMBIGUOUS_WORDS and weak:
            return False
        if name in ("known_first_name", "lone_first_name"):
            return tokens[0] in first_names()
        if name == "introduction":
            trigger = match.group(0)[: match.start("pii") - match.start()].lower()
            if re.match(r"\s*(my name|name is|my name's)", trigger):
                return True
            if tokens[0] in first_names():
                return True
            # "this is Jaime Duffy.", "I'm Stefanie Martin, ...": an unlisted first name is
            # accepted as part of a full name that ends the clause
            after = match.string[value_end : value_end + 1]
            return len(tokens) >= 2 and (after in ",.;!?)\n" or after == "")
        return True
