"""Turkish-aware normalisation: folding, tokens, query words and the Turkish sort key."""

import pytest

from domain import search


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("İSTANBUL", "istanbul"),
        ("IŞIK", "isik"),
        ("ışık", "isik"),
        ("Çay", "cay"),
        ("ĞÜŞÖÇİI", "gusocii"),
        ("Kâğıt Havlu", "kagit havlu"),
        ("Yazıcı", "yazici"),
    ],
)
def test_fold_lowercases_the_turkish_way_and_strips_diacritics(text: str, folded: str) -> None:
    assert search.fold(text) == folded


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("SİYAH", "siyah"),
        ("Siyah", "siyah"),
        ("Işık", "ışık"),
        ("IŞIK", "ışık"),
        ("SIYAH", "sıyah"),  # a dotless capital I is a dotless ı in Turkish
        ("Çam", "çam"),  # diacritics stay: "Çam" (pine) is not "cam" (glass)
        ("I\u0307NCI\u0307", "inci"),  # decomposed İ (NFC first)
    ],
)
def test_fold_case_lowercases_the_turkish_way_and_keeps_diacritics(text: str, folded: str) -> None:
    assert search.fold_case(text) == folded


def test_python_lower_alone_would_be_wrong() -> None:
    # The reason for turkish_lower: str.lower() keeps a combining dot and maps I to i.
    assert "İ".lower() == "i̇"
    assert search.turkish_lower("İI") == "iı"


def test_document_is_space_delimited_tokens_with_symbols_kept() -> None:
    assert search.document("HP 50% İndirim", None, "A4 (80 gr)") == " hp 50 % indirim a4 ( 80 gr ) "
    assert search.document(None, "") == " "


def test_query_words_deduplicate_and_keep_symbols_and_emoji() -> None:
    assert search.query_words("Yazıcı yazici  TONER") == ["yazici", "toner"]
    assert search.query_words("100% _ \\ 'x' 😀") == ["100", "%", "_", "\\", "'", "x", "😀"]
    assert search.query_words("   ") == []


def test_query_words_are_capped() -> None:
    words = search.query_words(" ".join(f"w{i}" for i in range(30)))
    assert len(words) == search.MAX_SEARCH_WORDS


def test_sort_key_follows_the_turkish_alphabet() -> None:
    names = ["Zımba", "Çay", "Cam", "Işık", "İlaç", "Defter", "Öğrenci", "Ozon", "şeker", "Su"]
    ordered = sorted(names, key=search.sort_key)
    assert ordered == [
        "Cam",
        "Çay",
        "Defter",
        "Işık",
        "İlaç",
        "Ozon",
        "Öğrenci",
        "Su",
        "şeker",
        "Zımba",
    ]


def test_sort_key_is_digits_only_and_bounded() -> None:
    key = search.sort_key("Ürün 12 — çok uzun " * 20)
    assert key.isdigit()
    assert len(key) == search.SORT_KEY_LENGTH


def test_hyphenated_words_are_also_stored_joined() -> None:
    assert search.document("Wi-Fi 6 Erişim Noktası") == " wi - fi 6 erisim noktasi wifi "


@pytest.mark.parametrize(
    ("word", "prefix"),
    [
        ("koltuk", "koltu"),
        ("kitap", "kita"),
        ("kagit", "kagi"),
        ("agac", "agac"),
        ("tek", "tek"),
        ("masa", "masa"),
        ("a4k", "a4k"),
    ],
)
def test_prefix_stem_allows_turkish_consonant_softening(word: str, prefix: str) -> None:
    assert search.prefix_stem(word) == prefix
