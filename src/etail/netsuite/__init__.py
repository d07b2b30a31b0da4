"""etail.netsuite."""
