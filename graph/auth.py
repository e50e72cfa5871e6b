"""Who is asking: the bearer access token of a request or socket, verified, as an Actor."""

from __future__ import annotations

from domain.accounts import Actor
from graph.context import Context
from graph.errors import UNAUTHENTICATED, PublicError
from services import sessions
from services.keyring import AccessClaims, InvalidAccessToken

SIGN_IN_MESSAGE = "Sign in first: send a valid access token (Authorization: Bearer ...)."


def bearer_token(context: Context) -> str | None:
    """The token of `Authorization: Bearer ...`, from the HTTP header or the socket's init.

    None when no Authorization was sent; "" when one was sent that carries no bearer token.
    """
    if context.connection_params is not None:
        # connection_init is JSON, not HTTP: accept the key in any case, as headers are.
        found = [v for k, v in context.connection_params.items() if k.lower() == "authorization"]
        if not found:
            return None
        if not isinstance(found[0], str):
            return ""
        header: str | None = found[0]
    else:
        header = context.request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def claims_of(context: Context) -> AccessClaims | None:
    """Verified claims of the presented token; None when there is none or it is not valid."""
    token = bearer_token(context)
    if not token or context.keys is None:
        return None
    try:
        return context.keys.decode_access(token)
    except InvalidAccessToken:
        return None


async def current_actor(context: Context) -> Actor | None:
    """The signed-in actor: once per HTTP request, and afresh for each check on a socket.

    A socket lives longer than a sign-out or a role change: looking the session and roles up
    again on every check makes both take effect on open sockets at once, as over HTTP.
    """
    if context.connection_params is not None or not context.auth_checked:
        claims = await claims_of(context)
        context.actor = await sessions.actor(claims) if claims else None
        context.auth_checked = True
    return context.actor


async def require_actor(context: Context) -> Actor:
    actor = await current_actor(context)
    if actor is None:
        raise PublicError(SIGN_IN_MESSAGE, code=UNAUTHENTICATED)
    return actor
