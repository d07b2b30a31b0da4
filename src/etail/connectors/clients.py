"""The HTTP clients of one Jet - NetSuite integration, created on first use on the I/O loop."""

from __future__ import annotations

from collections.abc import Callable

from etail.connectors.jet_api import JetApi
from etail.netsuite.client import NetSuiteClient


class Clients:
    """Lazily built NetSuite and Jet clients (secrets stay inside the factories)."""

    def __init__(
        self,
        netsuite: Callable[[], NetSuiteClient],
        jet: Callable[[], JetApi],
        *,
        fulfillment_node: str | None = None,
    ) -> None:
        self._make_netsuite = netsuite
        self._make_jet = jet
        self._netsuite: NetSuiteClient | None = None
        self._jet: JetApi | None = None
        self._retired: list[NetSuiteClient | JetApi] = []
        self.fulfillment_node = fulfillment_node

    def __repr__(self) -> str:
        return f"Clients(netsuite={self._netsuite!r}, jet={type(self._jet).__name__})"

    def netsuite(self) -> NetSuiteClient:
        if self._netsuite is None:
            self._netsuite = self._make_netsuite()
        return self._netsuite

    def jet(self) -> JetApi:
        if self._jet is None:
            self._jet = self._make_jet()
        return self._jet

    def reset(self, *, netsuite: bool = True, jet: bool = True) -> None:
        """Build the clients again on next use (a connection was saved with new credentials).

        Records in flight keep the client they hold; it is closed with the others at
        :meth:`aclose` rather than under them.
        """
        if netsuite and self._netsuite is not None:
            self._retired.append(self._netsuite)
            self._netsuite = None
        if jet and self._jet is not None:
            self._retired.append(self._jet)
            self._jet = None

    async def aclose(self) -> None:
        retired, self._retired = self._retired, []
        for old in retired:
            await old.aclose()
        if self._netsuite is not None:
            await self._netsuite.aclose()
            self._netsuite = None
        if self._jet is not None:
            await self._jet.aclose()
            self._jet = None
