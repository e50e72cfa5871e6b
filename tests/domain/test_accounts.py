"""Accounts rules: the VKN check digit, usernames, passwords, roles and the sign-in policy."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain import accounts
from domain.accounts import Role
from domain.errors import InvalidInput

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _refused(error: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, str | None, str]:
    return (error.value.code, error.value.field, error.value.message)


# --- VKN ------------------------------------------------------------------------------------


def _gib_check_digit(first_nine: str) -> int:
    """GİB's algorithm written out again, right to left as python-stdnum does it."""
    total = 0
    for weight, char in enumerate(reversed(first_nine), start=1):
        shifted = (int(char) + weight) % 10
        if shifted:
            total += (shifted * 2**weight) % 9 or 9
    return (10 - total % 10) % 10


@pytest.mark.parametrize(
    "vkn",
    [
        # By hand: digit i plus (10 - i) is 0 mod 10 for every i, so all nine terms are 0.
        "1234567890",
        # By hand: shifted digits 9,8,...,1 give 9 + 5 + 5 + 6 + 7 + 1 + 6 + 8 + 2 = 49 -> 1.
        "0000000001",
        # By hand: 0 + 9 + 7 + 7 + 3 + 8 + 5 + 3 + 4 = 46 -> 4.
        "1111111114",
        # Published as valid (python-stdnum's doctests, numbers found online).
        "4540536920",
        "0010213576",
        "3130285045",
        "6080300655",
        "9990112519",
    ],
)
def test_known_valid_vkns_are_accepted(vkn: str) -> None:
    assert accounts.check_vkn(vkn) == vkn
    assert accounts.vkn_check_digit(vkn[:9]) == int(vkn[9])


def test_check_digit_agrees_with_a_second_reading_of_the_algorithm() -> None:
    prefixes = [f"{n:09d}" for n in random.Random(20260302).sample(range(10**9), 3000)]
    prefixes += ["000000000", "999999999", "900000000", "000000009"]
    for prefix in prefixes:
        assert accounts.vkn_check_digit(prefix) == _gib_check_digit(prefix), prefix


@pytest.mark.parametrize("prefix", ["454053692", "000000000", "999999999", "313028504"])
def test_exactly_one_check_digit_is_accepted(prefix: str) -> None:
    accepted, refused = [], set()
    for digit in "0123456789":
        try:
            accepted.append(accounts.check_vkn(prefix + digit))
        except InvalidInput as error:
            refused.add((error.code, error.field, error.message))
    assert accepted == [prefix + str(_gib_check_digit(prefix))]
    assert refused == {
        ("BAD_USER_INPUT", "vkn", "This VKN's check digit is wrong; check the number.")
    }


def test_surrounding_spaces_are_trimmed() -> None:
    assert accounts.check_vkn(" 4540536920\n") == "4540536920"


def test_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        accounts.check_vkn("4540536921")
    assert _refused(error) == (
        "BAD_USER_INPUT",
        "vkn",
        "This VKN's check digit is wrong; check the number.",
    )


@pytest.mark.parametrize(
    "vkn",
    [
        "454053692",  # 9 digits
        "45405369201",  # 11 digits
        "45405369A0",
        "4540 536920",
        "",
        "٤٥٤٠٥٣٦٩٢٠",  # Arabic-Indic digits: str.isdigit() would say yes
        "４５４０５３６９２０",  # full-width digits
        "-454053692",
    ],
)
def test_anything_but_ten_ascii_digits_is_refused(vkn: str) -> None:
    with pytest.raises(InvalidInput) as error:
        accounts.check_vkn(vkn)
    assert _refused(error) == ("BAD_USER_INPUT", "vkn", "A VKN is exactly 10 digits.")


def test_the_field_is_the_callers() -> None:
    with pytest.raises(InvalidInput) as error:
        accounts.check_vkn("123", field="supplier.vkn")
    assert error.value.field == "supplier.vkn"


# --- Usernames and e-mail -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  Ayse.Yilmaz ", "ayse.yilmaz"),
        ("ＡＹＳＥ", "ayse"),  # full-width letters fold under NFKC
        ("\u212aemal", "kemal"),  # KELVIN SIGN is K under NFKC
        ("mehmet_oz-2", "mehmet_oz-2"),
    ],
)
def test_usernames_are_normalised(raw: str, normal: str) -> None:
    assert accounts.normalise_username(raw) == normal
    assert accounts.check_username(raw) == normal


def test_normalised_names_are_cut_at_64_characters() -> None:
    assert accounts.normalise_username("A" * 100) == "a" * 64


@pytest.mark.parametrize("name", ["abc", "a" * 32, "a.b", "a_-9", "z" + "9" * 31])
def test_usernames_within_bounds_are_accepted(name: str) -> None:
    assert accounts.check_username(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "ab",  # 2 characters
        "a" * 33,  # 33 characters
        "1abc",  # starts with a digit
        "_abc",
        ".abc",
        "ayşe",  # not ASCII
        "ırmak",  # dotless ı stays ı when lower-cased
        "İlker",  # İ lower-cases to i + combining dot
        "ay se",
        "ayse@dmo",
        "",
        "   ",
    ],
)
def test_usernames_out_of_bounds_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as error:
        accounts.check_username(name)
    assert _refused(error) == (
        "BAD_USER_INPUT",
        "username",
        "3 to 32 characters: ASCII letters, digits, '.', '_' or '-', starting with a letter.",
    )


def test_username_field_is_the_callers() -> None:
    with pytest.raises(InvalidInput) as error:
        accounts.check_username("x", field="input.username")
    assert error.value.field == "input.username"


def test_email() -> None:
    assert accounts.check_email(" ayse@saglik.gov.tr ") == "ayse@saglik.gov.tr"
    for bad in ["ayse", "ayse@", "@saglik.gov.tr", "ayse@saglik", "a b@x.tr", "a@b@c.tr"]:
        with pytest.raises(InvalidInput) as error:
            accounts.check_email(bad)
        assert _refused(error) == ("BAD_USER_INPUT", "email", "Not an e-mail address."), bad
    longest = "a" * 64 + "@" + "b" * 186 + ".tr"
    assert len(longest) == 254
    assert accounts.check_email(longest) == longest
    for too_long in ["a" * 64 + "@" + "b" * 187 + ".tr", "a" * 65 + "@saglik.gov.tr"]:
        with pytest.raises(InvalidInput) as error:
            accounts.check_email(too_long)
        assert error.value.field == "email"


# --- Passwords --------------------------------------------------------------------------------


def test_password_length_bounds() -> None:
    assert accounts.check_password("x7#Kq9!mLp2w", "ayse") == "x7#Kq9!mLp2w"  # 12
    assert accounts.check_password("k" * 256, "ayse") == "k" * 256
    with pytest.raises(InvalidInput) as error:
        accounts.check_password("x7#Kq9!mLp2", "ayse")  # 11
    assert _refused(error) == (
        "BAD_USER_INPUT",
        "password",
        "A password has at least 12 characters.",
    )
    with pytest.raises(InvalidInput) as error:
        accounts.check_password("k" * 257, "ayse")
    assert _refused(error) == (
        "BAD_USER_INPUT",
        "password",
        "A password has at most 256 characters.",
    )


@pytest.mark.parametrize(
    "password",
    [
        "ayse.yilmaz-2026!",
        "Kış-AYSE.YILMAZ-geldi",  # whatever the case
        "x" * 70 + "ayse.yilmaz",  # past the 64th character too
    ],
)
def test_a_password_must_not_contain_the_username(password: str) -> None:
    with pytest.raises(InvalidInput) as error:
        accounts.check_password(password, "Ayse.Yilmaz", field="newPassword")
    assert _refused(error) == (
        "BAD_USER_INPUT",
        "newPassword",
        "A password must not contain the username.",
    )


def test_a_password_with_part_of_the_username_is_fine() -> None:
    assert accounts.check_password("ayse-yilmaz-2026", "ayse.yilmaz") == "ayse-yilmaz-2026"
    # No username yet (nothing to compare with) is no reason to refuse.
    assert accounts.check_password("ayse-yilmaz-2026", "") == "ayse-yilmaz-2026"


# --- Roles ------------------------------------------------------------------------------------


def test_the_two_sides_split_the_roles() -> None:
    assert sorted(accounts.DMO_ROLES) == [
        "CARRIER",
        "CATALOGUE_MANAGER",
        "DMO_ACCOUNTING",
        "ORDER_DESK",
        "PLATFORM_ADMIN",
    ]
    assert sorted(accounts.INSTITUTION_ROLES) == [
        "BUYER",
        "INSPECTOR",
        "INSTITUTION_ACCOUNTANT",
        "INSTITUTION_ADMIN",
        "REALISATION_OFFICER",
        "SPENDING_AUTHORITY",
    ]


def test_institution_users_take_institution_roles() -> None:
    roles = [Role.BUYER, Role.SPENDING_AUTHORITY, Role.BUYER]
    granted = accounts.check_roles(roles, institution=True)
    assert granted == frozenset({Role.BUYER, Role.SPENDING_AUTHORITY})


def test_dmo_staff_take_dmo_roles() -> None:
    granted = accounts.check_roles([Role.ORDER_DESK, Role.CARRIER], institution=False)
    assert granted == frozenset({Role.ORDER_DESK, Role.CARRIER})


def test_a_dmo_role_for_an_institution_user_is_refused_at_its_index() -> None:
    with pytest.raises(InvalidInput) as error:
        accounts.check_roles([Role.BUYER, Role.INSPECTOR, Role.PLATFORM_ADMIN], institution=True)
    assert _refused(error) == (
        "BAD_USER_INPUT",
        "roles.2",
        "PLATFORM_ADMIN is not a role for an institution.",
    )


def test_an_institution_role_for_dmo_staff_is_refused_at_its_index() -> None:
    with pytest.raises(InvalidInput) as error:
        accounts.check_roles([Role.BUYER], institution=False, field="input.roles")
    assert _refused(error) == (
        "BAD_USER_INPUT",
        "input.roles.0",
        "BUYER is not a role for DMO staff.",
    )


@pytest.mark.parametrize("institution", [True, False])
def test_at_least_one_role(institution: bool) -> None:
    with pytest.raises(InvalidInput) as error:
        accounts.check_roles([], institution=institution)
    assert _refused(error) == ("BAD_USER_INPUT", "roles", "At least one role is required.")


# --- Sign-in policy -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [
        (0, 0),
        (1, 0),
        (2, 0),
        (3, 1),
        (4, 2),
        (5, 4),
        (6, 8),
        (9, 64),
        (10, 128),
        (11, 256),
        (12, 300),
        (13, 300),
        (200, 300),  # a burst must not overflow timedelta
        (10**6, 300),
    ],
)
def test_failure_delay(failures: int, seconds: int) -> None:
    assert accounts.failure_delay(failures) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("failures", "seconds"), [(19, 0), (20, 1), (21, 2), (28, 256), (29, 300), (5000, 300)]
)
def test_failure_delay_per_address(failures: int, seconds: int) -> None:
    assert accounts.failure_delay(failures, free=20) == timedelta(seconds=seconds)


def _wait(
    username_failures: int = 0,
    last_username_failure: datetime | None = None,
    address_failures: int = 0,
    last_address_failure: datetime | None = None,
    now: datetime = NOW,
) -> timedelta:
    return accounts.sign_in_wait(
        username_failures=username_failures,
        last_username_failure=last_username_failure,
        address_failures=address_failures,
        last_address_failure=last_address_failure,
        now=now,
    )


def test_no_failures_no_wait() -> None:
    assert _wait() == timedelta(0)


def test_the_first_failures_cost_nothing() -> None:
    assert _wait(2, NOW) == timedelta(0)
    assert _wait(19, None, 19, NOW) == timedelta(0)


def test_wait_counts_from_the_last_failure() -> None:
    assert _wait(3, NOW) == timedelta(seconds=1)
    assert _wait(3, NOW - timedelta(milliseconds=400)) == timedelta(milliseconds=600)
    assert _wait(3, NOW - timedelta(seconds=1)) == timedelta(0)
    assert _wait(9, NOW - timedelta(seconds=4)) == timedelta(seconds=60)
    assert _wait(9, NOW - timedelta(hours=1)) == timedelta(0)


def test_lock_after_exactly_ten_failures_for_fifteen_minutes() -> None:
    assert _wait(9, NOW) == timedelta(seconds=64)
    assert _wait(10, NOW) == timedelta(minutes=15)
    assert _wait(10, NOW - timedelta(minutes=14, seconds=59)) == timedelta(seconds=1)
    assert _wait(10, NOW - timedelta(minutes=15)) == timedelta(0)
    assert _wait(11, NOW - timedelta(minutes=5)) == timedelta(minutes=10)


def test_per_address_wait() -> None:
    assert _wait(0, None, 20, NOW) == timedelta(seconds=1)
    assert _wait(0, None, 24, NOW - timedelta(seconds=10)) == timedelta(seconds=6)


def test_the_longer_wait_wins() -> None:
    assert _wait(4, NOW, 22, NOW) == timedelta(seconds=4)
    assert _wait(6, NOW, 22, NOW) == timedelta(seconds=8)
    assert _wait(10, NOW - timedelta(minutes=20), 21, NOW) == timedelta(seconds=2)


def test_a_totp_step_is_good_once() -> None:
    assert accounts.totp_step_accepted(100, None) is True
    assert accounts.totp_step_accepted(101, 100) is True
    assert accounts.totp_step_accepted(100, 100) is False
    assert accounts.totp_step_accepted(99, 100) is False


def test_actor_sides() -> None:
    staff = accounts.Actor(UUID(int=1), "dmo.admin", frozenset({Role.PLATFORM_ADMIN}), None)
    buyer = accounts.Actor(UUID(int=2), "ayse", frozenset({Role.BUYER}), UUID(int=3))
    assert (staff.is_dmo_staff, buyer.is_dmo_staff) == (True, False)
    assert buyer.has_any(frozenset({Role.BUYER, Role.INSPECTOR})) is True
    assert buyer.has_any(frozenset({Role.INSPECTOR})) is False
