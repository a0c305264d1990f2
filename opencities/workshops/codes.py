"""Join codes: short enough to read out in a room, long enough not to be guessed.

A code is eight characters from an alphabet without the look-alikes 0/O and 1/I/L, so one read
from a projector or spoken aloud is typed right the first time. It is stored without the dash
and shown as two groups of four (``KX7M-Q2PA``); people may type it in either case, with or
without the dash or spaces. 31 characters to the power 8 is about 850 billion codes, against a
few open workshops at a time and a rate limit on wrong guesses (see `join.py`).
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
GROUP = 4


def random_code() -> str:
    """A fresh code from the operating system's secure random source."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """The code as stored, from what someone typed: capitals, without dashes or spaces."""
    return re.sub(r"[\s\-\u2010-\u2015]+", "", typed).upper()


def is_well_formed(code: str) -> bool:
    """Whether a normalised code could be one we hand out (saves a query on typos)."""
    return len(code) == LENGTH and all(character in ALPHABET for character in code)


def display(code: str) -> str:
    """The code as people read it: ``KX7M-Q2PA``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
