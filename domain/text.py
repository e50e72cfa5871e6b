"""Free text from users: printable characters only (no NUL, control or formatting characters)."""

from __future__ import annotations

import unicodedata

from domain.errors import InvalidInput

# Control, format (U+202E and other bidirectional overrides), surrogate, private-use and
# unassigned code points: they disguise text on screen and in documents, and PostgreSQL refuses
# NUL in text outright. Newlines and tabs are allowed where a text has several lines.
INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
LINE_BREAKS = frozenset("\n\r\t")


def check_printable(value: str, *, field: str, multiline: bool = False) -> str:
    allowed = LINE_BREAKS if multiline else frozenset()
    if any(c not in allowed and unicodedata.category(c) in INVISIBLE for c in value):
        raise InvalidInput("Text may not contain control or formatting characters.", field=field)
    return value
