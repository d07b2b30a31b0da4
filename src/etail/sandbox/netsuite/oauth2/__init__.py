"""OAuth 2.0 client credentials (M2M), the NetSuite side: token endpoint, bearer check, admin.

What a real account does (netsuite-oauth2-soap.md §1, §3, §6.1):

* ``POST /services/rest/auth/oauth2/v1/token`` takes ``grant_type=client_credentials`` and a JWT
  ``client_assertion`` signed with the private key of a certificate uploaded at *Setup >
  Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup*, mapped to one
  (integration record, entity, role). It answers ``{"access_token", "expires_in": 3600,
  "token_type": "Bearer"}`` or ``{"error": …}``; the precise reason goes only to the Login Audit
  Trail's Detail column (§1.7).
* REST web services and RESTlets accept ``Authorization: Bearer <access token>``; any failure is
  ``401`` with ``WWW-Authenticate: Bearer realm=…, error="invalid_token"`` (§3).

This package verifies the assertion with ``cryptography`` alone, in the order of §6.1, issues
access tokens shaped like NetSuite's (§1.8, signed PS256 with a per-account key), and resolves a
bearer token to a ``Caller``. It shares no code with the client (``etail.netsuite.oauth2``): it
stands in for NetSuite and must not share our assumptions.

Modules, each importing only the ones before it: ``common`` (constants, options, errors, the
audit row), ``jose`` (JWS parsing and signing), ``setup`` (feature, record boxes, certificates),
``issuer`` (the token endpoint's checks, NetSuite's signing key), ``bearer`` (access tokens on
web services), ``routes`` (HTTP routes, admin API, ``install``). Import from the package.
"""

from __future__ import annotations

from etail.sandbox.netsuite.oauth2.bearer import (
    BearerVerifier,
    bearer_caller,
    bearer_rejected_response,
    bearer_token,
    oauth2_rest_caller,
    oauth2_restlet_caller,
    realm_of_bearer,
)
from etail.sandbox.netsuite.oauth2.common import (
    KEYS_PATH,
    OAUTH2_LOGIN,
    OAUTH2_LOGIN_LABEL,
    TOKEN_PATH,
    BearerRejected,
    OAuth2Options,
    TokenRefused,
)
from etail.sandbox.netsuite.oauth2.issuer import (
    TokenIssuer,
    parse_scope,
)
from etail.sandbox.netsuite.oauth2.jose import (
    parse_jws,
)
from etail.sandbox.netsuite.oauth2.routes import (
    admin_router,
    install,
    is_bearer,
    router,
)
from etail.sandbox.netsuite.oauth2.setup import (
    certificate_id_of,
    configure_client,
    feature_enabled,
    list_certificates,
    register_certificate,
    revoke_certificate,
    set_feature,
)

__all__ = [
    "KEYS_PATH",
    "OAUTH2_LOGIN",
    "OAUTH2_LOGIN_LABEL",
    "TOKEN_PATH",
    "BearerRejected",
    "BearerVerifier",
    "OAuth2Options",
    "TokenIssuer",
    "TokenRefused",
    "admin_router",
    "bearer_caller",
    "bearer_rejected_response",
    "bearer_token",
    "certificate_id_of",
    "configure_client",
    "feature_enabled",
    "install",
    "is_bearer",
    "list_certificates",
    "oauth2_rest_caller",
    "oauth2_restlet_caller",
    "parse_jws",
    "parse_scope",
    "realm_of_bearer",
    "register_certificate",
    "revoke_certificate",
    "router",
    "set_feature",
]
