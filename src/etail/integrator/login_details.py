"""NetSuite Login Audit Trail "Detail" values and the plain fix for each (netsuite-tba.md §3.4).

NetSuite answers every failed TBA login with the same 401 INVALID_LOGIN; only the Login Audit
Trail (Setup > Users/Roles > User Management > View Login Audit Trail, column Detail) says why.
"""

from __future__ import annotations

AUDIT_TRAIL_PATH = (
    "Setup > Users/Roles > User Management > View Login Audit Trail "
    "(Use Advanced Search, add the columns Detail, Token-based Access Token Name and "
    "Token-based Application Name)"
)

FIXES: dict[str, str] = {
    "FeatureDisabled": "Token-Based Authentication is off in this account: Setup > Company > "
    "Enable Features > SuiteCloud > Manage Authentication > tick TOKEN-BASED AUTHENTICATION > "
    "Save.",
    "consumer_key_unknown": "NetSuite does not know the iClient's consumer key: install the bundle "
    "(its integration record eTail Connectors (Token-Based Auth)) in this account, or pick the "
    "eTail NetSuite iClient.",
    "consumer_key_refused": "The integration record eTail Connectors (Token-Based Auth) is "
    "Blocked: Setup > Integration > Manage Integrations > set its State to Enabled.",
    "token_rejected": "The Token ID is unknown, inactive, revoked or made for another application: "
    "create a new access token (Setup > Users/Roles > Access Tokens > New) with Application "
    "eTail Connectors (Token-Based Auth), and enter its Token ID and Token Secret.",
    "InvalidSignature": "The signature did not match: the Token Secret (or the iClient's consumer "
    "secret) is wrong. Re-enter the Token Secret exactly as NetSuite showed it, or create a new "
    "token.",
    "InvalidTimestamp": "This computer's clock is more than 5 minutes off NetSuite's: "
    "synchronise it (NTP) and test again.",
    "nonce_rejected": "The request's nonce was too short: update etail (NetSuite needs at least "
    "6 characters).",
    "nonce_used": "The same nonce and timestamp were sent twice: test again (each request "
    "must be signed afresh).",
    "NonceUsed": "The same nonce and timestamp were sent twice: test again (each request must "
    "be signed afresh).",
    "permission_denied": "The token's user or role cannot log in with tokens: check that the "
    "employee is active, has the role (Access > Roles) and that the role has the permissions "
    "User Access Tokens / Log in using Access Tokens (clone Celigo eTail SmartConnectors).",
    "parameter_rejected": "An OAuth parameter was duplicated, malformed or empty: update etail "
    "and test again.",
    "MissingTokenPassportRequiredFields": "A required OAuth parameter is missing: check that "
    "Token ID, Token Secret and the iClient are all set.",
    "UnknownAlgorithm": "NetSuite accepts only HMAC-SHA256 signatures: update etail.",
    "VersionRejected": "oauth_version must be 1.0: update etail.",
    "temporary_locked": "The user is locked after repeated failed logins: wait 30 minutes or "
    "ask a NetSuite administrator to unlock the user.",
    # OAuth 2.0 client credentials (M2M) at the token endpoint (docs/oauth2.md).
    "InvalidIssuer": "NetSuite does not know the Client ID: leave it blank to use the iClient's "
    "consumer key, or copy it from the integration record.",
    "MissingKeyId": "The Certificate ID is missing: copy it from the M2M setup page.",
    "MissingKey": "NetSuite has no certificate with this Certificate ID for the application: "
    "upload the certificate at Setup > Integration > Manage Authentication > OAuth 2.0 Client "
    "Credentials (M2M) Setup, then copy its Certificate ID.",
    "SignatureValidation": "The private key does not match the uploaded certificate: paste the "
    "key of that certificate, or upload the certificate of this key.",
    "UnsupportedAlgo": "NetSuite accepts PS256 (RSA 3072/4096) and ES256/384/512 keys: make a "
    "new key pair (`etail connections keypair`).",
    "IntegrationBlocked": "The integration record is Blocked, or its Client Credentials (M2M) "
    "grant is off: Setup > Integration > Manage Integrations.",
    "EntityOrRoleDisabled": "The certificate's user or role cannot log in: check the employee is "
    "active and still has the role.",
    "InvalidScope": "The integration record does not allow the requested scopes: tick REST Web "
    "Services and RESTlets on it.",
    "ScopeMismatched": "The requested scopes differ from the record's: tick REST Web Services and "
    "RESTlets on it.",
    "TokenExpired": "The signed assertion expired: check this computer's clock (NTP).",
    "TokenNotAcceptable": "The assertion was refused: check the Environment and Account ID (the "
    "token URL must be the account's own).",
    "TokenValidityTooBroad": "The assertion's lifetime is longer than NetSuite allows: "
    "update etail.",
    "InvalidLoginAttempt": "Invalid login: check the account ID, Token ID and Token Secret.",
}

USUAL_CAUSES = (
    "the Token Secret was mistyped (re-enter it as NetSuite showed it)",
    "the Account ID or Environment is wrong (a sandbox is 1234567_SB1)",
    "the token was made for another application than eTail Connectors (Token-Based Auth), "
    "or it was revoked",
    "Token-Based Authentication is not enabled in the account",
)


def fix_for(detail: str) -> str:
    """The plain fix for a Detail value (unknown values point at the audit trail)."""
    return (
        FIXES.get(detail)
        or FIXES.get(detail.strip())
        or (f"NetSuite recorded {detail!r}; see {AUDIT_TRAIL_PATH}.")
    )
