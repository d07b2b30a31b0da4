"""etail.sandbox.netsuite."""
