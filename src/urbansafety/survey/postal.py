"""Canadian postal codes: check one and keep only its first three characters (the FSA).

A postal code is ``A1A 1A1``: letter, digit, letter, space, digit, letter, digit. The
letters D, F, I, O, Q and U never appear, and W and Z never start a code. The first three
characters, the *forward sortation area* (FSA), name an area of a few thousand to a few
tens of thousands of residents; the last three narrow it to a block face, so a survey
stores only the FSA.

References
----------
Canada Post, *Addressing Guidelines*, "Postal code" (format and letters not used).
Statistics Canada, *Forward Sortation Area Boundary File, Reference Guide*, 92-179-G
(first letters by province: G, H, J for Québec).
"""

from __future__ import annotations

import re

# Letters never used anywhere in a postal code, and the extra ones never used first.
UNUSED = "DFIOQU"
FIRST_LETTERS = "ABCEGHJKLMNPRSTVXY"
_LETTER = f"[{''.join(c for c in 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' if c not in UNUSED)}]"
_CODE = re.compile(rf"([{FIRST_LETTERS}][0-9]{_LETTER})(?:[ -]?([0-9]{_LETTER}[0-9]))?\Z")

PROVINCES = {
    "A": "NL", "B": "NS", "C": "PE", "E": "NB", "G": "QC", "H": "QC", "J": "QC",
    "K": "ON", "L": "ON", "M": "ON", "N": "ON", "P": "ON", "R": "MB", "S": "SK",
    "T": "AB", "V": "BC", "X": "NT", "Y": "YT",
}  # fmt: skip


def fsa(text: str) -> str | None:
    """Return the FSA (e.g. 'H2X') of a postal code or FSA, any case and spacing; None if invalid.

    Accepts ``h2x 1y4``, ``H2X1Y4``, ``H2X-1Y4`` and the FSA alone (``h2x``).
    """
    if not isinstance(text, str) or len(text) > 20:
        return None
    m = _CODE.match(re.sub(r"\s+", " ", text.strip()).upper())
    return m.group(1) if m else None


def province(code: str) -> str | None:
    """Return the province or territory of an FSA from its first letter (X is NT or NU)."""
    return PROVINCES.get(code[:1].upper()) if code else None
