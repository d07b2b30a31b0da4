"""Tests of the sandbox records, SuiteQL, RESTlets and governance."""
