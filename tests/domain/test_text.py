"""Free text: printable characters only, newlines where a text has several lines."""

from __future__ import annotations

import pytest

from domain import addresses, approvals, purchase_requests, text
from domain.approvals import Decision
from domain.errors import InvalidInput

REFUSED = ["a\u0000b", "ters\u202eyazı", "zil\u0007", "gizli\u200b", "\ue000özel"]


@pytest.mark.parametrize("value", REFUSED)
def test_invisible_characters_are_refused_everywhere(value: str) -> None:
    checks = [
        lambda: purchase_requests.check_justification(value),
        lambda: approvals.check_note(Decision.REJECT, value),
        lambda: addresses.check_line(value),
        lambda: text.check_printable(value, field="x"),
    ]
    for check in checks:
        with pytest.raises(InvalidInput) as refused:
            check()
        assert refused.value.message == "Text may not contain control or formatting characters."


def test_line_breaks_only_where_a_text_has_lines() -> None:
    assert purchase_requests.check_justification("Birinci satır\nİkinci\tsatır") == (
        "Birinci satır\nİkinci\tsatır"
    )
    with pytest.raises(InvalidInput) as refused:
        text.check_printable("a\nb", field="name")
    assert refused.value.field == "name"
    assert text.check_printable("Çağrı Öğüt İŞ 😀", field="name") == "Çağrı Öğüt İŞ 😀"
