"""etail.storage."""
