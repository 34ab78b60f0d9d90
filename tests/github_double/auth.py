"""Authentication like GitHub's: App JWTs, installation tokens, permissions per endpoint."""

from __future__ import annotations

import base64
import secrets
import string
from dataclasses import dataclass

import jwt

from .errors import bad_credentials, error, forbidden_integration, not_found, validation_failed
from .model import Installation, Repo, Token, World

LEVELS = {"none": 0, "read": 1, "write": 2, "admin": 3}
MAX_JWT_LIFETIME = 600
CLOCK_SKEW = 60


@dataclass(frozen=True)
class Identity:
    kind: str  # anonymous | app | installation
    token: Token | None = None

    @property
    def rate_key(self) -> str:
        if self.token is not None:
            return f"installation:{self.token.installation.id}"
        return self.kind


def identify(world: World, authorization: str | None) -> Identity:
    """Who is calling; a present but bad credential is a 401."""
    if not authorization:
        return Identity("anonymous")
    scheme, _, credential = authorization.strip().partition(" ")
    scheme, credential = scheme.lower(), credential.strip()
    if scheme == "basic":
        decoded = base64.b64decode(credential + "===").decode(errors="replace")
        credential = decoded.partition(":")[2]
    elif scheme == "bearer" and credential.count(".") == 2:
        verify_jwt(world, credential)
        return Identity("app")
    elif scheme not in ("token", "bearer"):
        raise bad_credentials()
    return Identity("installation", live_token(world, credential))


def live_token(world: World, value: str) -> Token:
    token = world.tokens.get(value)
    if token is None or token.expires_at <= world.now():
        raise bad_credentials()
    return token


def verify_jwt(world: World, raw: str) -> None:
    """RS256 signed by the App key, iss = App id (or client id), a lifetime of at most 10 min."""
    app = world.app
    try:
        claims = jwt.decode(
            raw, app.public_key_pem, algorithms=["RS256"],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                     "require": ["iat", "exp", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise error(401, "A JSON web token could not be decoded") from exc
    now = world.now()
    iat, exp = claims["iat"], claims["exp"]
    if not isinstance(iat, int | float) or iat > now + CLOCK_SKEW:
        raise error(401, "'Issued at' claim ('iat') must be an Integer representing the time "
                         "that the assertion was issued")
    if not isinstance(exp, int | float) or exp <= now:
        raise error(401, "'Expiration time' claim ('exp') must be a numeric value representing "
                         "the future time at which the assertion expires")
    if exp - iat > MAX_JWT_LIFETIME:
        raise error(401, "'Expiration time' claim ('exp') is too far in the future")
    if str(claims["iss"]) not in (str(app.id), app.client_id):
        raise error(401, "A JSON web token could not be decoded")


def mint_token(world: World, installation: Installation, permissions: dict[str, str] | None = None,
               repositories: list[str] | None = None) -> Token:
    """A new installation token, optionally narrowed (422 when asking for more)."""
    granted = installation.permissions
    wanted = dict(permissions) if permissions else dict(granted)
    for name, level in wanted.items():
        if LEVELS.get(level, 9) > LEVELS.get(granted.get(name, "none"), 0):
            raise validation_failed(message="The permissions requested are not granted to "
                                            "this installation.")
    repo_ids = None
    if repositories is not None:
        repo_ids = set()
        for name in repositories:
            repo = world.repos.get(f"{installation.account.login}/{name}".lower())
            if repo is None or not installation.covers(repo):
                raise validation_failed(message="There is at least one repository that does "
                                                "not exist or is not accessible to the parent "
                                                "installation.")
            repo_ids.add(repo.id)
    alphabet = string.ascii_letters + string.digits
    value = "ghs_" + "".join(secrets.choice(alphabet) for _ in range(36))
    token = Token(value, installation, world.now() + world.token_lifetime, wanted, repo_ids)
    world.tokens[value] = token
    return token


def has_permission(granted: dict[str, str], needs: tuple[str, ...]) -> bool:
    """`needs` lists alternatives like "issues:write"; any one of them suffices."""
    if not needs:
        return True
    for need in needs:
        name, _, level = need.partition(":")
        if LEVELS.get(granted.get(name, "none"), 0) >= LEVELS[level]:
            return True
    return False


def check_repo_access(identity: Identity, repo: Repo, needs: tuple[str, ...]) -> None:
    """401 without credentials, 404 for a repository the token cannot see, 403 without rights."""
    writes = any(need.endswith((":write", ":admin")) for need in needs)
    if identity.kind == "anonymous":
        raise error(401, "Requires authentication")
    if identity.kind == "app":
        raise forbidden_integration()
    token = identity.token
    if not token.covers(repo):
        if repo.private:
            raise not_found()
        if writes:
            raise forbidden_integration()
        return
    if not has_permission(token.permissions, needs):
        raise forbidden_integration()


def require_app(identity: Identity) -> None:
    if identity.kind != "app":
        raise error(401, "A JSON web token could not be decoded")
