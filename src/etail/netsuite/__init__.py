"""NetSuite client: Token-Based Authentication, REST records, SuiteQL, RESTlets, SOAP passports.

Reusable on its own: imports nothing of etail but ``etail.errors``. See docs/netsuite-client.md.

::

    from etail.netsuite import AccountId, NetSuiteClient, TBACredentials

    account = AccountId.parse("1234567_SB1")          # realm 1234567_SB1, hosts 1234567-sb1.…
    creds = TBACredentials(consumer_key, consumer_secret, token_id, token_secret)
    async with NetSuiteClient(account, creds) as ns:
        internal_id = await ns.upsert("salesOrder", "JET-1001", {...})
"""

from etail.netsuite.accounts import AccountId, Environment, suggest_spelling
from etail.netsuite.auth import TBA
from etail.netsuite.client import MAX_PAGE_SIZE, ClientStats, NetSuiteClient
from etail.netsuite.credentials import TBACredentials
from etail.netsuite.doctor import Check, Diagnosis, diagnose
from etail.netsuite.limits import DEFAULT_CONCURRENCY, InFlightLimit, limit_for
from etail.netsuite.oauth2 import (
    AccessToken,
    KeyPair,
    M2MCredentials,
    OAuth2ClientCredentials,
    certificate_id,
    fetch_access_token,
    generate_key_pair,
    token_url,
)
from etail.netsuite.passport import TokenPassport, token_passport
from etail.netsuite.problems import INVALID_LOGIN_CAUSES, LOGIN_AUDIT_TRAIL, error_from_response
from etail.netsuite.retries import RetryPolicy, parse_retry_after
from etail.netsuite.signing import (
    SignedRequest,
    new_nonce,
    sign_oauth,
    sign_request,
    signature_base_string,
)
from etail.netsuite.soap import SoapClient

__all__ = [
    "DEFAULT_CONCURRENCY",
    "INVALID_LOGIN_CAUSES",
    "LOGIN_AUDIT_TRAIL",
    "MAX_PAGE_SIZE",
    "TBA",
    "AccessToken",
    "AccountId",
    "Check",
    "ClientStats",
    "Diagnosis",
    "Environment",
    "InFlightLimit",
    "KeyPair",
    "M2MCredentials",
    "NetSuiteClient",
    "OAuth2ClientCredentials",
    "RetryPolicy",
    "SignedRequest",
    "SoapClient",
    "TBACredentials",
    "TokenPassport",
    "certificate_id",
    "diagnose",
    "error_from_response",
    "fetch_access_token",
    "generate_key_pair",
    "limit_for",
    "new_nonce",
    "parse_retry_after",
    "sign_oauth",
    "sign_request",
    "signature_base_string",
    "suggest_spelling",
    "token_passport",
    "token_url",
]
