"""etail.engine."""
