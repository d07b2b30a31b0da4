"""etail: a self-hosted eTail connector (Jet marketplace <-> NetSuite over TBA)."""

__version__ = "0.1.0"
