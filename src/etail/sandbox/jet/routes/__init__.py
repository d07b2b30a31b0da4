"""HTTP routers of the Jet sandbox: Jet's merchant API under ``/api``, admin, pages."""
