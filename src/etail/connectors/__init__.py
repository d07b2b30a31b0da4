"""etail.connectors."""
