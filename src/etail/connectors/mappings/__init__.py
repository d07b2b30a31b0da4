"""Mappings of the Jet - NetSuite flows: pure functions of ``(record, settings)``.

Each module maps one flow's records and exposes ``FIELDS``, the rows the integrator shows as
the flow's Mapping. Records are the JSON objects the APIs exchange (``dict[str, Any]``).
"""
