"""API authentication: a department system's Bearer key, or a staff session."""

from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from yiwang.core.services import authenticate_api_key, key_prefix


class DeferredKey:
    """A Bearer token of an API key's shape, not checked yet: the endpoint checks it in the same
    statement as what it reads (the gateway's lookup), and answers 401 when it is not usable."""

    __slots__ = ("secret",)

    def __init__(self, secret: str):
        self.secret = secret


class ApiKeyAuth(HttpBearer):
    """A department system's API key. `deferred`: hand the endpoint a `DeferredKey` to check itself."""

    openapi_description = "部门应用系统的 API 密钥（yw_ 开头）"

    def __init__(self, *, deferred: bool = False):
        super().__init__()
        self.deferred = deferred

    def authenticate(self, request, token):
        if self.deferred:
            return DeferredKey(token) if key_prefix(token) is not None else None
        client = authenticate_api_key(token)
        if client is not None:
            request.actor = client
        return client


class StaffSession(SessionAuth):
    """A signed-in user's session; CSRF is checked for unsafe methods."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            request.actor = user
        return user


api_key_auth = ApiKeyAuth()
deferred_key_auth = ApiKeyAuth(deferred=True)  # the gateway's lookup checks the key itself
session_auth = StaffSession()
AUTH = [api_key_auth, session_auth]


def optional_actor(request):
    """For public endpoints: the client of a Bearer key (a wrong key is 401), else the session user,
    who may be anonymous and then sees only public things."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        client = authenticate_api_key(header[7:].strip())
        if client is None:
            raise AuthenticationError()
        return client
    return request.user


def actor_of(request):
    return getattr(request, "actor", None) or request.user
