"""Budget lines: kuruş conversion, conditional reservation and release, creation and listing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tortoise.transactions import in_transaction

from db.models import BudgetLine, Institution, SpendingUnit
from domain.accounts import Actor, InstitutionType, Role
from domain.errors import InvalidInput, NotFound
from services import budgets
from services.conflicts import AlreadyExists

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _line(appropriation_kurus: int, *, reserved: int = 0, spent: int = 0) -> BudgetLine:
    institution = await Institution.create(
        name="Ankara Şehir Hastanesi",
        type=InstitutionType.HOSPITAL,
        vkn="4740132157",
        province_code=6,
        created_at=NOW,
    )
    unit = await SpendingUnit.create(institution=institution, name="Eczane", created_at=NOW)
    return await BudgetLine.create(
        institution=institution,
        unit=unit,
        fiscal_year=2026,
        economic_code="03.2.1.01",
        name="Kırtasiye alımları",
        appropriation_kurus=appropriation_kurus,
        reserved_kurus=reserved,
        spent_kurus=spent,
        available_kurus=appropriation_kurus - reserved - spent,
        created_at=NOW,
    )


async def _amounts(line: BudgetLine) -> tuple[int, int, int, int]:
    row = await BudgetLine.get(id=line.id)
    return row.appropriation_kurus, row.reserved_kurus, row.spent_kurus, row.available_kurus


@pytest.mark.parametrize(
    ("amount", "kurus"),
    [
        (Decimal("0"), 0),
        (Decimal("0.01"), 1),
        (Decimal("71.71"), 7171),
        (Decimal("100.00"), 10000),
        (Decimal("100.1"), 10010),
        (Decimal("999999999999.99"), 99999999999999),
        (Decimal("-5.25"), -525),
    ],
)
def test_to_and_from_kurus_are_exact_inverses(amount: Decimal, kurus: int) -> None:
    assert budgets.to_kurus(amount) == kurus
    assert budgets.from_kurus(kurus) == amount
    assert str(budgets.from_kurus(kurus)) == f"{amount:.2f}"


@pytest.mark.parametrize("amount", [Decimal("0.001"), Decimal("1.005"), Decimal("NaN")])
def test_to_kurus_refuses_fractions_of_a_kurus(amount: Decimal) -> None:
    with pytest.raises(ValueError):
        budgets.to_kurus(amount)


async def test_reserve_takes_from_available_into_reserved(db: str) -> None:
    line = await _line(50000, spent=10000)
    async with in_transaction() as conn:
        assert await budgets.reserve(line.id, Decimal("150.25"), conn=conn) is True
    assert await _amounts(line) == (50000, 15025, 10000, 24975)


async def test_reserve_of_exactly_what_is_available_empties_it(db: str) -> None:
    line = await _line(50000, reserved=20000)
    async with in_transaction() as conn:
        assert await budgets.reserve(line.id, Decimal("300.00"), conn=conn) is True
    assert await _amounts(line) == (50000, 50000, 0, 0)


async def test_reserve_beyond_available_changes_nothing(db: str) -> None:
    line = await _line(50000, reserved=20000)
    async with in_transaction() as conn:
        assert await budgets.reserve(line.id, Decimal("300.01"), conn=conn) is False
    assert await _amounts(line) == (50000, 20000, 0, 30000)


async def test_reserve_on_an_unknown_line_is_false(db: str) -> None:
    async with in_transaction() as conn:
        assert await budgets.reserve(uuid.uuid4(), Decimal("1.00"), conn=conn) is False


async def test_reserve_is_undone_with_the_callers_transaction(db: str) -> None:
    line = await _line(50000)
    with pytest.raises(RuntimeError, match="approval failed later"):
        async with in_transaction() as conn:
            assert await budgets.reserve(line.id, Decimal("100.00"), conn=conn) is True
            raise RuntimeError("approval failed later")
    assert await _amounts(line) == (50000, 0, 0, 50000)


async def test_release_gives_back_a_reservation(db: str) -> None:
    line = await _line(50000, reserved=30000, spent=5000)
    async with in_transaction() as conn:
        await budgets.release(line.id, Decimal("120.50"), conn=conn)
    assert await _amounts(line) == (50000, 17950, 5000, 27050)


async def test_release_of_more_than_is_reserved_raises_and_changes_nothing(db: str) -> None:
    line = await _line(50000, reserved=10000)
    with pytest.raises(RuntimeError):
        async with in_transaction() as conn:
            await budgets.release(line.id, Decimal("100.01"), conn=conn)
    assert await _amounts(line) == (50000, 10000, 0, 40000)


async def test_negative_amounts_are_refused(db: str) -> None:
    line = await _line(50000, reserved=10000)
    async with in_transaction() as conn:
        with pytest.raises(ValueError):
            await budgets.reserve(line.id, Decimal("-1.00"), conn=conn)
        with pytest.raises(ValueError):
            await budgets.release(line.id, Decimal("-1.00"), conn=conn)
    assert await _amounts(line) == (50000, 10000, 0, 40000)


async def test_concurrent_reservations_never_overdraw(db: str) -> None:
    """20 reservations of 100.00 race for 500.00: exactly 5 win, nothing is left over."""
    line = await _line(50000)

    async def one() -> bool:
        async with in_transaction() as conn:
            return await budgets.reserve(line.id, Decimal("100.00"), conn=conn)

    outcomes = await asyncio.gather(*(one() for _ in range(20)))
    assert outcomes.count(True) == 5
    assert outcomes.count(False) == 15
    assert await _amounts(line) == (50000, 50000, 0, 0)


def _admin(line: BudgetLine) -> Actor:
    return Actor(
        uuid.uuid4(),
        "hastane.admin",
        frozenset({Role.INSTITUTION_ADMIN}),
        line.institution_id,  # type: ignore[attr-defined]
    )


async def test_concurrent_creates_of_one_line_give_one_line(db: str) -> None:
    line = await _line(10000)
    admin = _admin(line)
    unit_id = str(line.unit_id)  # type: ignore[attr-defined]
    outcomes = await asyncio.gather(
        *(
            budgets.create(
                unit_id, 2027, "03.2.1.02", "Büro malzemesi", Decimal("1.00"), actor=admin, now=NOW
            )
            for _ in range(5)
        ),
        return_exceptions=True,
    )
    created = [o for o in outcomes if isinstance(o, BudgetLine)]
    refused = [o for o in outcomes if isinstance(o, AlreadyExists)]
    assert (len(created), len(refused)) == (1, 4)
    assert {(e.code, e.field) for e in refused} == {("ALREADY_EXISTS", "economicCode")}
    assert await BudgetLine.filter(economic_code="03.2.1.02").count() == 1


async def test_the_fiscal_year_is_judged_by_the_date_in_turkiye(db: str) -> None:
    line = await _line(10000)
    admin = _admin(line)
    unit_id = str(line.unit_id)  # type: ignore[attr-defined]
    new_year_in_ankara = datetime(2026, 12, 31, 21, 0, tzinfo=UTC)  # 1 January 2027, 00:00
    with pytest.raises(InvalidInput) as refused:
        await budgets.create(
            unit_id, 2025, "03.2.1.02", "Eski yıl", Decimal("1.00"), actor=admin,
            now=new_year_in_ankara,
        )  # fmt: skip
    assert (refused.value.field, refused.value.message) == (
        "fiscalYear",
        "A fiscal year is between 2026 and 2028.",
    )


async def test_another_institutions_line_and_unit_look_unknown(db: str) -> None:
    line = await _line(10000)
    stranger = Actor(
        uuid.uuid4(), "belediye.admin", frozenset({Role.INSTITUTION_ADMIN}), uuid.uuid4()
    )
    for line_id in (str(line.id), str(uuid.uuid4())):
        with pytest.raises(NotFound) as missing:
            await budgets.get(line_id, actor=stranger)
        assert (missing.value.field, missing.value.message) == ("id", "No such budget line.")
    for unit_id in (str(line.unit_id), str(uuid.uuid4())):  # type: ignore[attr-defined]
        with pytest.raises(NotFound) as missing:
            await budgets.create(
                unit_id, 2026, "03.2.1.09", "X", Decimal("1.00"), actor=stranger, now=NOW
            )
        assert (missing.value.field, missing.value.message) == ("unitId", "No such spending unit.")
    page = await budgets.list_lines(
        actor=stranger,
        fiscal_year=None,
        unit_id=str(line.unit_id),
        after=None,
        size=20,  # type: ignore[attr-defined]
    )
    assert page.rows == []
    assert await BudgetLine.all().count() == 1
