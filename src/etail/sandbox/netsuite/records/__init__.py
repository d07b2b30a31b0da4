"""REST records, SuiteQL and RESTlets of the NetSuite sandbox."""
