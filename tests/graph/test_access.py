"""Authorisation: the role of every operation, and institution isolation for every object type."""

from __future__ import annotations

import uuid
from typing import Any

from db.models import Institution, SpendingUnit, User, UserRole
from domain.accounts import DMO_ROLES, INSTITUTION_ROLES, Role
from graph import ids
from graph.permissions import declared_roles
from graph.schema.root import schema
from tests.graph.conftest import People

PUBLIC = None
SIGNED_IN: frozenset[Role] = frozenset()
ADMINS = frozenset({Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN})
BUYER = frozenset({Role.BUYER})
INSTITUTION_ADMIN = frozenset({Role.INSTITUTION_ADMIN})
BUDGET_READERS = frozenset(
    {
        Role.INSTITUTION_ADMIN,
        Role.BUYER,
        Role.REALISATION_OFFICER,
        Role.SPENDING_AUTHORITY,
        Role.INSTITUTION_ACCOUNTANT,
    }
)
APPROVERS = frozenset({Role.REALISATION_OFFICER, Role.SPENDING_AUTHORITY})
ORDER_READERS = INSTITUTION_ROLES | {Role.ORDER_DESK, Role.DMO_ACCOUNTING, Role.PLATFORM_ADMIN}

# Every root field with the roles allowed to call it and a document that calls it. A field
# added to the schema without a row here fails test_every_operation_is_in_the_table.
EXPECTED: dict[str, tuple[frozenset[Role] | None, str]] = {
    "Query.products": (PUBLIC, "{ products(first: 1) { totalCount } }"),
    "Query.product": (PUBLIC, '{ product(sku: "X") { id } }'),
    "Query.node": (
        PUBLIC,
        '{ node(id: "UHJvZHVjdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA=") { id } }',
    ),
    "Query.categories": (PUBLIC, "{ categories { edges { cursor } } }"),
    "Query.category": (PUBLIC, '{ category(code: "30213100-6") { id } }'),
    "Query.brands": (PUBLIC, "{ brands { edges { cursor } } }"),
    "Query.compareProducts": (PUBLIC, None),  # needs products; its errors are tested elsewhere
    "Query.me": (SIGNED_IN, "{ me { username } }"),
    "Query.institutions": (
        frozenset({Role.PLATFORM_ADMIN, Role.ORDER_DESK, Role.DMO_ACCOUNTING}),
        "{ institutions { edges { node { name } } } }",
    ),
    "Query.users": (ADMINS, "{ users { edges { node { username } } } }"),
    "Query.spendingUnits": (INSTITUTION_ROLES, "{ spendingUnits { edges { node { name } } } }"),
    "Query.cart": (BUYER, "{ cart { id } }"),
    "Query.addresses": (INSTITUTION_ROLES, "{ addresses { edges { cursor } } }"),
    "Query.budgetLines": (BUDGET_READERS, "{ budgetLines { edges { cursor } } }"),
    "Mutation.cartLinesAdd": (
        BUYER,
        "mutation { cartLinesAdd(input: {lines: []}) { errors { code field } } }",
    ),
    "Mutation.cartLinesUpdate": (
        BUYER,
        "mutation { cartLinesUpdate(input: {lines: []}) { errors { code field } } }",
    ),
    "Mutation.cartLinesRemove": (
        BUYER,
        "mutation { cartLinesRemove(input: {lineIds: []}) { errors { code field } } }",
    ),
    "Mutation.addressCreate": (
        INSTITUTION_ADMIN,
        'mutation { addressCreate(input: {label: "", provinceCode: 0, district: "", line: ""})'
        " { errors { code field } } }",
    ),
    "Mutation.budgetLineCreate": (
        INSTITUTION_ADMIN,
        'mutation { budgetLineCreate(input: {unitId: "x", fiscalYear: 1, economicCode: "x",'
        ' name: "x", appropriation: "1"}) { errors { code field } } }',
    ),
    "Mutation.invitationAccept": (
        PUBLIC,
        'mutation { invitationAccept(input: {token: "x", username: "abc", password: "x"})'
        " { errors { code } } }",
    ),
    "Mutation.totpEnrolConfirm": (
        PUBLIC,
        'mutation { totpEnrolConfirm(input: {username: "a", password: "b", otp: "1"})'
        " { errors { code } } }",
    ),
    "Mutation.tokenCreate": (
        PUBLIC,
        'mutation { tokenCreate(input: {username: "a", password: "b", otp: "1"})'
        " { errors { code } } }",
    ),
    "Mutation.tokenRefresh": (
        PUBLIC,
        'mutation { tokenRefresh(input: {refreshToken: "x"}) { errors { code } } }',
    ),
    "Mutation.tokenRevoke": (
        PUBLIC,
        'mutation { tokenRevoke(input: {refreshToken: "x"}) { revoked } }',
    ),
    "Mutation.institutionCreate": (
        frozenset({Role.PLATFORM_ADMIN}),
        'mutation { institutionCreate(input: {name: "K", type: OTHER, vkn: "1", provinceCode: 6,'
        ' adminEmail: "a@b.example", adminName: "A"}) { errors { code field } } }',
    ),
    "Mutation.spendingUnitCreate": (
        frozenset({Role.INSTITUTION_ADMIN}),
        'mutation { spendingUnitCreate(input: {name: ""}) { errors { code field } } }',
    ),
    "Mutation.userInvite": (
        ADMINS,
        'mutation { userInvite(input: {email: "x", displayName: "X", roles: []})'
        " { errors { code field } } }",
    ),
    "Mutation.userRolesSet": (
        ADMINS,
        'mutation { userRolesSet(input: {userId: "x", roles: []}) { errors { code field } } }',
    ),
    # Purchase requests, approvals and orders.
    "Query.purchaseRequests": (INSTITUTION_ROLES, "{ purchaseRequests { edges { cursor } } }"),
    "Query.purchaseRequest": (INSTITUTION_ROLES, '{ purchaseRequest(id: "x") { id } }'),
    "Query.approvalInbox": (INSTITUTION_ROLES, "{ approvalInbox { edges { cursor } } }"),
    "Query.approvalPolicy": (INSTITUTION_ROLES, "{ approvalPolicy { scope } }"),
    "Query.orders": (ORDER_READERS, "{ orders { edges { cursor } } }"),
    "Query.order": (ORDER_READERS, '{ order(id: "x") { id } }'),
    "Mutation.purchaseRequestCreate": (
        BUYER,
        'mutation { purchaseRequestCreate(input: {unitId: "x", budgetLineId: "x", addressId: "x",'
        ' justification: ""}) { errors { code field } } }',
    ),
    "Mutation.purchaseRequestUpdate": (
        BUYER,
        'mutation { purchaseRequestUpdate(input: {requestId: "x"}) { errors { code field } } }',
    ),
    "Mutation.purchaseRequestSubmit": (
        BUYER,
        'mutation { purchaseRequestSubmit(input: {requestId: "x"}) { errors { code field } } }',
    ),
    "Mutation.purchaseRequestCancel": (
        BUYER,
        'mutation { purchaseRequestCancel(input: {requestId: "x"}) { errors { code field } } }',
    ),
    "Mutation.purchaseRequestApprove": (
        INSTITUTION_ROLES,
        'mutation { purchaseRequestApprove(input: {requestId: "x"}) { errors { code field } } }',
    ),
    "Mutation.purchaseRequestReject": (
        INSTITUTION_ROLES,
        'mutation { purchaseRequestReject(input: {requestId: "x", note: "n"})'
        " { errors { code field } } }",
    ),
    "Mutation.purchaseRequestReturn": (
        INSTITUTION_ROLES,
        'mutation { purchaseRequestReturn(input: {requestId: "x", note: "n"})'
        " { errors { code field } } }",
    ),
    "Mutation.approvalPolicySet": (
        INSTITUTION_ADMIN,
        "mutation { approvalPolicySet(input: {steps: []}) { errors { code field } } }",
    ),
    "Mutation.delegationCreate": (
        APPROVERS,
        'mutation { delegationCreate(input: {delegateId: "x", role: SPENDING_AUTHORITY,'
        ' startsOn: "2026-01-01", endsOn: "2026-01-02"}) { errors { code field } } }',
    ),
    "Mutation.orderConfirm": (
        frozenset({Role.ORDER_DESK}),
        'mutation { orderConfirm(input: {orderId: "x"}) { errors { code field } } }',
    ),
    "Mutation.orderCancel": (
        frozenset({Role.BUYER, Role.INSTITUTION_ADMIN, Role.ORDER_DESK}),
        'mutation { orderCancel(input: {orderId: "x"}) { errors { code field } } }',
    ),
    # Subscriptions run over WebSocket: tests/graph/test_purchase_requests.py tests their roles.
    "Subscription.purchaseRequestUpdated": (INSTITUTION_ROLES, None),
    "Subscription.approvalInboxUpdated": (INSTITUTION_ROLES, None),
}

# One demo account per role (institution roles from the hospital).
ACCOUNT_OF_ROLE = {
    Role.PLATFORM_ADMIN: "dmo.admin",
    Role.CATALOGUE_MANAGER: "dmo.katalog",
    Role.ORDER_DESK: "dmo.siparis",
    Role.CARRIER: "dmo.kargo",
    Role.DMO_ACCOUNTING: "dmo.muhasebe",
    Role.INSTITUTION_ADMIN: "hastane.admin",
    Role.BUYER: "hastane.alici",
    Role.REALISATION_OFFICER: "hastane.gerceklestirme",
    Role.SPENDING_AUTHORITY: "hastane.harcama",
    Role.INSPECTOR: "hastane.muayene",
    Role.INSTITUTION_ACCOUNTANT: "hastane.muhasebe",
}


def _root_fields() -> dict[str, frozenset[Role] | None]:
    found: dict[str, frozenset[Role] | None] = {}
    graphql_schema = schema._schema
    roots = [
        graphql_schema.query_type,
        graphql_schema.mutation_type,
        graphql_schema.subscription_type,
    ]
    for root in roots:
        if root is None:
            continue
        for name, field in root.fields.items():
            definition = field.extensions["strawberry-definition"]
            found[f"{root.name}.{name}"] = declared_roles(definition.permission_classes)
    return found


def test_every_operation_is_in_the_table() -> None:
    declared = _root_fields()
    assert sorted(declared) == sorted(EXPECTED)
    assert {name: roles for name, (roles, _) in EXPECTED.items()} == declared


def _codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


async def test_each_role_is_allowed_or_refused_as_declared(people: People) -> None:
    assert set(ACCOUNT_OF_ROLE) == set(Role)
    for name, (roles, document) in EXPECTED.items():
        if document is None:
            continue
        anonymous = await people.api(document)
        if roles is PUBLIC:
            assert "UNAUTHENTICATED" not in _codes(anonymous), name
            assert "FORBIDDEN" not in _codes(anonymous), name
            continue
        assert _codes(anonymous) == ["UNAUTHENTICATED"], name
        # No data: null throughout (a nullable root field is null rather than the whole data).
        assert not any((anonymous["data"] or {}).values()), name
        for role, username in ACCOUNT_OF_ROLE.items():
            body = await (await people.as_(username))(document)
            if not roles or role in roles:
                assert body.get("errors") is None, (name, role, body)
            else:
                assert _codes(body) == ["FORBIDDEN"], (name, role)
                assert body["errors"][0]["message"] == "Your roles do not allow this operation."


# --- Institution isolation ------------------------------------------------------------------

NODE = """
query($id: ID!) {
  node(id: $id) {
    id
    ... on User { username }
    ... on SpendingUnit { name }
    ... on Institution { name }
  }
}"""

ROLES_SET = """
mutation($id: ID!) {
  userRolesSet(input: {userId: $id, roles: [BUYER]}) {
    user { username } errors { code field message }
  }
}"""

INVITE_TO_UNIT = """
mutation($unit: ID!) {
  userInvite(input: {email: "a@b.example", displayName: "A", roles: [BUYER], unitId: $unit}) {
    invitationToken errors { code field message }
  }
}"""


async def _ids_of(institution_vkn: str) -> dict[str, str]:
    institution = await Institution.get(vkn=institution_vkn)
    unit = await SpendingUnit.filter(institution=institution).order_by("name").first()
    user = await User.filter(institution=institution, username__endswith=".alici").get()
    assert unit is not None
    return {
        "Institution": ids.encode("Institution", str(institution.id)),
        "SpendingUnit": ids.encode("SpendingUnit", str(unit.id)),
        "User": ids.encode("User", str(user.id)),
    }


def _unknown(type_name: str) -> str:
    return ids.encode(type_name, str(uuid.uuid4()))


async def test_another_institutions_objects_look_like_unknown_ids(people: People) -> None:
    own = await _ids_of("4740132157")  # the hospital
    other = await _ids_of("7350286495")  # the municipality
    for username in ["hastane.admin", "hastane.alici", "hastane.muhasebe"]:
        api = await people.as_(username)
        for type_name, global_id in other.items():
            theirs = await api(NODE, id=global_id)
            unknown = await api(NODE, id=_unknown(type_name))
            assert theirs == unknown == {"data": {"node": None}}, (username, type_name)
        mine = await api(NODE, id=own["Institution"])
        assert mine == {
            "data": {"node": {"id": own["Institution"], "name": "Ankara Şehir Hastanesi"}}
        }
    # DMO's platform administrator sees both institutions, but no institution's users or units.
    platform = await people.as_("dmo.admin")
    assert (await platform(NODE, id=other["Institution"]))["data"]["node"]["name"] == (
        "İzmir Büyükşehir Belediyesi"
    )
    for type_name in ("User", "SpendingUnit"):
        assert (await platform(NODE, id=other[type_name])) == {"data": {"node": None}}


async def test_writes_to_another_institution_fail_like_unknown_ids(people: People) -> None:
    other = await _ids_of("7350286495")
    admin = await people.as_("hastane.admin")
    before = sorted(await UserRole.all().values_list("user_id", "role"))
    theirs = await admin(ROLES_SET, id=other["User"])
    unknown = await admin(ROLES_SET, id=_unknown("User"))
    not_found = [{"code": "NOT_FOUND", "field": "userId", "message": "No such user."}]
    assert theirs == unknown == {"data": {"userRolesSet": {"user": None, "errors": not_found}}}
    invite_theirs = await admin(INVITE_TO_UNIT, unit=other["SpendingUnit"])
    invite_unknown = await admin(INVITE_TO_UNIT, unit=_unknown("SpendingUnit"))
    unit_missing = [{"code": "NOT_FOUND", "field": "unitId", "message": "No such spending unit."}]
    assert invite_theirs == invite_unknown
    assert invite_theirs["data"]["userInvite"] == {"invitationToken": None, "errors": unit_missing}
    assert sorted(await UserRole.all().values_list("user_id", "role")) == before


async def test_lists_hold_only_the_actors_institution(people: People) -> None:
    admin = await people.as_("belediye.admin")
    users = await admin("{ users(first: 100) { edges { node { username } } } }")
    names = [e["node"]["username"] for e in users["data"]["users"]["edges"]]
    assert names == sorted(u for u in people.users if u.startswith("belediye."))
    units = await admin("{ spendingUnits { edges { node { name } } } }")
    assert [e["node"]["name"] for e in units["data"]["spendingUnits"]["edges"]] == [
        "Destek Hizmetleri Daire Başkanlığı",
        "Fen İşleri Daire Başkanlığı",
    ]
    platform = await people.as_("dmo.admin")
    staff = await platform("{ users(first: 100) { edges { node { username roles } } } }")
    assert [e["node"]["username"] for e in staff["data"]["users"]["edges"]] == sorted(
        u for u in people.users if u.startswith("dmo.")
    )
    assert {r for e in staff["data"]["users"]["edges"] for r in e["node"]["roles"]} == set(
        DMO_ROLES
    )


async def test_user_pages_follow_their_cursors(people: People) -> None:
    admin = await people.as_("hastane.admin")
    query = """query($after: String) { users(first: 4, after: $after) {
      edges { node { username } } pageInfo { hasNextPage endCursor } } }"""
    first = (await admin(query))["data"]["users"]
    second = (await admin(query, after=first["pageInfo"]["endCursor"]))["data"]["users"]
    names = [e["node"]["username"] for e in first["edges"] + second["edges"]]
    assert names == sorted(u for u in people.users if u.startswith("hastane."))
    assert (first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"]) == (True, False)
    forged = await admin(query, after="bm90LWEtY3Vyc29y")
    assert forged["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
