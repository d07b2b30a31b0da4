"""etail.jet."""
