"""etail.sandbox.jet."""
