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
        "April",
        "May",
        "June",
        "July",
        "August",
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

_WORD = r"[A-Z](?:[a-z]+(?:[A-Z][a-z]+)?|'[A-Z][a-z]+)(?:-[A-Z][a-z]+)?"
_NAME = rf"{_WORD}(?:[ ][A-Z]\.)?(?:[ ](?:de[ ]|van[ ]|von[ ])?{_WORD}){{0,2}}"
_SUFFIX = r"(?:,?[ ](?:Jr\.?|Sr\.?|II|III|IV|MD|PhD|DDS|DVM))?"
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Mme|Mlle)"
_SIGNOFF = (
    r"(?i:best[ ]regards|kind[ ]regards|warm[ ]regards|regards|best[ ]wishes|best|thanks[ ]again"
    r"|thanks|thank[ ]you|many[ ]thanks|cheers|sincerely|yours[ ]sincerely|yours[ ]truly"
    r"|respectfully|take[ ]care|warmly|all[ ]the[ ]best|-|--|—)"
)
_NOT_LETTER = r"[A-Za-z]"


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
        GuardPattern(
            "greeting",
            r"^[ \t]*(?i:dear|hi|hello|hey|hiya|good[ ]morning|good[ ]afternoon|good[ ]evening"
            rf"|greetings)[ ]*,?[ ]+(?P<pii>{_NAME})[ ]*(?=[,!:.\n]|$)",
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
        GuardPattern(
            "signoff",
            rf"^[ \t]*{_SIGNOFF}[ ]*[,!.]?[ ]*\n[ \t]*(?P<pii>{_NAME}{_SUFFIX})[ \t]*$",
            0.8,
            needles=("\n",),
        ),
        GuardPattern(
            "signoff_inline",
            r"(?i:thanks|thank[ ]you|regards|cheers|best)[ ]*,[ ]*"
            rf"(?P<pii>{_NAME})[ ]*(?=[.!\n]|$)",
            0.75,
            not_after=_NOT_LETTER,
            needles=("thank", "regards", "cheers", "best"),
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

    def accept(self, pattern: GuardPattern, value: str, match: re.Match[str]) -> bool:
        tokens = re.findall(r"[A-Za-z'][A-Za-z'\-]*", value)
        if not tokens or any(t in STOP_WORDS for t in tokens):
            return False
        name = pattern.name
        if name in ("known_first_name", "lone_first_name"):
            return tokens[0] in first_names()
        if name == "introduction":
            trigger = match.group(0)[: match.start("pii") - match.start()].lower()
            if not re.match(r"\s*(my name|name is|my name's)", trigger):
                return tokens[0] in first_names()
        return True
