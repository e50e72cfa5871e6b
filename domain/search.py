"""Turkish-aware text normalisation for catalogue search and sorting.

Python's str.lower() maps "I" to "i" and "İ" to "i" + U+0307, both wrong for Turkish. We lower
Turkish letters first (I -> ı, İ -> i), then fold ç ğ ı ö ş ü and other diacritics to ASCII so
that "cay" finds "Çay" and "istanbul" finds "İSTANBUL" on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
import unicodedata

MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 10

_TURKISH_UPPER = str.maketrans({"I": "ı", "İ": "i"})
_TURKISH_FOLD = str.maketrans({"ç": "c", "ğ": "g", "ı": "i", "ö": "o", "ş": "s", "ü": "u"})
# A token is a run of letters/digits, or one symbol on its own (so "%" or an emoji is searchable).
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_", re.UNICODE)
# Turkish alphabetical order; letters outside it (q, w, x) sort after z.
_ALPHABET = "abcçdefgğhıijklmnoöprsştuüvyzqwx"
_SORT_CODES = {ch: f"{i + 20:02d}" for i, ch in enumerate(_ALPHABET)}
_SORT_CODES.update({str(d): f"{d + 10:02d}" for d in range(10)})
SORT_KEY_LENGTH = 120


def turkish_lower(text: str) -> str:
    return text.translate(_TURKISH_UPPER).lower()


def fold(text: str) -> str:
    """Turkish lower-case, then strip diacritics: 'IŞIK Çayı' -> 'isik cayi'."""
    lowered = turkish_lower(text).translate(_TURKISH_FOLD)
    if lowered.isascii():  # the common case once Turkish letters are folded
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_case(text: str) -> str:
    """Turkish lower-case only, after NFC: 'SİYAH' and 'Siyah' -> 'siyah', 'Işık' -> 'ışık'.

    For exact values (specification texts) that may differ in case alone; diacritics stay, so
    "Çam" (pine) and "cam" (glass) remain different, unlike fold().
    """
    return turkish_lower(unicodedata.normalize("NFC", text))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


_HYPHENATED = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
# Turkish softens a final p, t, k before a vowel (kitap -> kitabı, kağıt -> kağıdı,
# koltuk -> koltuğu); ç -> c folds to itself.
_SOFTENED_ENDINGS = frozenset("ptk")


def document(*parts: str | None) -> str:
    """The stored search text: folded tokens separated and surrounded by single spaces.

    Hyphenated words are also stored joined ("Wi-Fi" is found by "wifi" and "wi-fi").
    """
    words: list[str] = []
    for part in parts:
        if not part:
            continue
        words += tokens(part)
        words += [m.replace("-", "") for m in _HYPHENATED.findall(fold(part))]
    return f" {' '.join(words)} " if words else " "


def prefix_stem(word: str) -> str:
    """The prefix a last search word matches: "koltuk" also finds "koltuğu"."""
    if len(word) >= 4 and word[-1] in _SOFTENED_ENDINGS and word.isalpha():
        return word[:-1]
    return word


def query_words(search: str) -> list[str]:
    """The words a search must match, deduplicated in order; the last one is a prefix."""
    seen: dict[str, None] = {}
    for tok in tokens(search):
        seen.setdefault(tok, None)
    return list(seen)[:MAX_SEARCH_WORDS]


def sort_key(text: str) -> str:
    """A collation-proof key (two digits a character) in Turkish alphabetical order."""
    out: list[str] = []
    for ch in turkish_lower(text):
        if ch.isspace():
            if out and out[-1] != "00":
                out.append("00")
            continue
        code = _SORT_CODES.get(ch)
        if code is None:
            base = unicodedata.normalize("NFKD", ch)[:1]
            code = _SORT_CODES.get(base, "99")
        out.append(code)
    return "".join(out)[:SORT_KEY_LENGTH]
