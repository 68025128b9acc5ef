"""Check digits for the synthetic identifiers the sandbox plants (card numbers, My Number)."""

from __future__ import annotations

__all__ = ["luhn_check_digit", "luhn_valid", "my_number_check_digit", "my_number_valid"]


def luhn_check_digit(partial: str) -> str:
    """The Luhn digit that makes ``partial + digit`` a valid card number."""
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:  # these positions are doubled once the check digit is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """Whether a string of digits passes the Luhn check."""
    return len(number) > 1 and number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


def my_number_check_digit(first_eleven: str) -> str:
    """The check digit of a Japanese individual number (My Number) from its first 11 digits."""
    total = 0
    for n, char in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(char) * weight
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


def my_number_valid(number: str) -> bool:
    """Whether a 12-digit string is a valid My Number."""
    return (
        len(number) == 12 and number.isdigit() and my_number_check_digit(number[:11]) == number[11]
    )
