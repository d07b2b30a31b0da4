"""etail.sandbox."""
