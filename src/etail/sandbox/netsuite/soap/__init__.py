"""SuiteTalk SOAP web services with Token-Based Authentication (docs/soap.md).

``router`` serves ``POST /services/NetSuitePort_<version>``; ``SoapRealmMiddleware`` lets the
account's concurrency pool count SOAP requests. ``create_app`` installs both.
"""

from etail.sandbox.netsuite.soap.envelope import VERSIONS
from etail.sandbox.netsuite.soap.realm import SoapRealmMiddleware
from etail.sandbox.netsuite.soap.routes import router

__all__ = ["VERSIONS", "SoapRealmMiddleware", "router"]
