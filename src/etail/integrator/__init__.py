"""etail.integrator."""
