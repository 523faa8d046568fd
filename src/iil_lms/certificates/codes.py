"""Certificate codes: 26 random Crockford base32 symbols (130 bits from secrets) and
Crockford's mod-37 check symbol, shown in groups of four (`7K3M-...`). Codes whose
check symbol would be one of the five extra symbols (`*~$=U`) are drawn again, so a
code is letters and digits only and still holds more than 129 bits of randomness.
Reading a code back forgives what people get wrong when they copy one: case, dashes
and spaces, O for 0, I and L for 1."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"
BODY_LENGTH = 26
RANDOM_BITS = BODY_LENGTH * 5
LENGTH = BODY_LENGTH + 1
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _check_symbol(body: str) -> str:
    value = 0
    for char in body:
        value = value * 32 + ALPHABET.index(char)
    return CHECK_SYMBOLS[value % 37]


def new_code() -> str:
    """A fresh code (stored form: 27 symbols, no dashes)."""
    while True:
        number = secrets.randbits(RANDOM_BITS)
        body = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(BODY_LENGTH)))
        check = _check_symbol(body)
        if check in ALPHABET:
            return body + check


def grouped(code: str) -> str:
    """The code as people read it: groups of four joined by dashes."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize(text: str) -> str:
    """What someone typed, in stored form: upper case, without separators, with the
    letters that look like digits read as those digits."""
    kept = "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())
    return kept.translate(_CONFUSABLE)


def well_formed(code: str) -> bool:
    """Whether a normalized code has the right length, alphabet and check symbol (a
    typo in one symbol, or two symbols swapped, is caught here)."""
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return False
    return _check_symbol(code[:-1]) == code[-1]
