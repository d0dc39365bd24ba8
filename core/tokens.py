"""API tokens: django-rest-knox, wrapped once.

knox stores only a token's hash, gives each an expiry (``REST_KNOX["TOKEN_TTL"]``, 8 hours for
staff unless ``API_TOKEN_HOURS`` says otherwise) and lets an account hold several (one per
client; a client rotates by asking for a new one). On top of knox, a token carries the account's
credentials fingerprint (``User._get_session_auth_hash``: password, role, status, lockout lifts)
from when it was issued, so the same events that end a browser session end every token too.
"""

from __future__ import annotations

from hmac import compare_digest

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from core.models import ApiToken, User


def token_issue(*, user: User) -> tuple[ApiToken, str]:
    """A new token for ``user``: the stored row and the token itself (shown once, never stored)."""
    return ApiToken.objects.create(user=user, fingerprint=user.get_session_auth_hash())


class PortalTokenAuthentication(TokenAuthentication):
    """knox's ``Authorization: Token …``, refusing a token whose account changed since it was issued."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if not compare_digest(token.fingerprint, user.get_session_auth_hash()):
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("This token has ended: the account's password, role or status changed. Ask for a new token.")
            )
        return user, token


class PortalTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema: ``Authorization: Token <token>``, as api.md writes it."""

    target_class = PortalTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )
