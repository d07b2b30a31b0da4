"""Admin objects of the NetSuite sandbox: one service module per object (API, pages, CLI)."""
