"""Fulfillment settings people save are the ones the fulfillment flow reads."""

from __future__ import annotations

import pytest

from etail.connectors.settings import IntegrationSettings as FlowSettings
from etail.errors import SettingsError
from etail.integrator import app_settings


def test_saved_ship_method_map_and_zip_reach_the_flow() -> None:
    saved = app_settings.update_section(
        app_settings.load(None),
        "fulfillment",
        {
            "carrier_map": {"UPS Ground": "UPS"},
            "method_map": {"UPS Ground": "Ground"},
            "default_method": "Other",
            "ship_from_zip": "07302",
        },
    )
    flow = FlowSettings.from_mapping(saved.model_dump()).fulfillment
    assert flow.method_map == {"UPS Ground": "Ground"}
    assert flow.ship_from_zip == "07302"
    assert flow.carrier_map == {"UPS Ground": "UPS"}


def test_a_malformed_zip_is_refused_naming_the_field() -> None:
    with pytest.raises(SettingsError) as info:
        app_settings.update_section(
            app_settings.load(None), "fulfillment", {"ship_from_zip": "7302"}
        )
    assert "ship_from_zip" in str(info.value)
