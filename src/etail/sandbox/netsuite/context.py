"""What an authenticated web-services request carries into the record routes.

This is the seam between the sandbox's TBA verification (admin side) and its records, SuiteQL
and governance: the verifier produces a ``Caller``; the record routes check permissions on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

Channel = Literal["rest", "restlet", "soap"]


class Level(IntEnum):
    """NetSuite permission levels, ordered (Setup > Users/Roles > Manage Roles > Permissions)."""

    NONE = 0
    VIEW = 1
    CREATE = 2
    EDIT = 3
    FULL = 4


# Permission keys used by roles. Record permissions are keyed by the REST record type they govern.
RECORD_PERMISSIONS: Mapping[str, str] = {
    "customer": "Customers",
    "salesOrder": "Sales Order",
    "inventoryItem": "Items",
    "itemFulfillment": "Item Fulfillment",
    "cashSale": "Cash Sale",
    "returnAuthorization": "Return Authorization",
    "customerRefund": "Customer Refund",
}
SETUP_PERMISSIONS: Mapping[str, str] = {
    "loginUsingAccessTokens": "Log in using Access Tokens",
    "loginUsingOAuth2AccessTokens": "Log in using OAuth 2.0 Access Tokens",
    "userAccessTokens": "User Access Tokens",
    "accessTokenManagement": "Access Token Management",
    "restWebServices": "REST Web Services",
    "soapWebServices": "SOAP Web Services",
    "suiteAnalyticsWorkbook": "SuiteAnalytics Workbook",
}


@dataclass(frozen=True)
class Caller:
    """The verified identity of one web-services request."""

    account_id: str  # realm spelling, e.g. "1234567_SB1"
    entity_id: int
    role_id: int
    token_id: int
    channel: Channel
    permissions: Mapping[str, Level] = field(default_factory=dict)

    def level(self, key: str) -> Level:
        return self.permissions.get(key, Level.NONE)

    def allows(self, key: str, needed: Level) -> bool:
        return self.level(key) >= needed
