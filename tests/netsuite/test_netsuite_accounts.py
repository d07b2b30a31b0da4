"""Account IDs (realm vs host spelling) and credentials that never show a secret."""

from __future__ import annotations

import pytest

from etail.errors import SettingsError
from etail.netsuite import AccountId, Environment, TBACredentials, suggest_spelling


@pytest.mark.parametrize(
    ("raw", "realm", "prefix", "environment"),
    [
        ("1234567", "1234567", "1234567", Environment.PRODUCTION),
        ("1234567_SB1", "1234567_SB1", "1234567-sb1", Environment.SANDBOX),
        ("1234567_SB2", "1234567_SB2", "1234567-sb2", Environment.SANDBOX),
        ("1234567_RP", "1234567_RP", "1234567-rp", Environment.RELEASE_PREVIEW),
        ("TSTDRV1234567", "TSTDRV1234567", "tstdrv1234567", Environment.PRODUCTION),
        ("  1234567_SB1 ", "1234567_SB1", "1234567-sb1", Environment.SANDBOX),
    ],
)
def test_realm_and_hosts(raw: str, realm: str, prefix: str, environment: Environment) -> None:
    account = AccountId.parse(raw)
    assert account.realm == realm == str(account)
    assert account.host_prefix == prefix
    assert account.environment is environment
    assert account.rest_base_url == f"https://{prefix}.suitetalk.api.netsuite.com"
    assert account.restlet_base_url == f"https://{prefix}.restlets.api.netsuite.com"


@pytest.mark.parametrize(
    ("raw", "right"),
    [
        ("1234567-sb1", "1234567_SB1"),
        ("1234567_sb1", "1234567_SB1"),
        ("1234567-SB1", "1234567_SB1"),
        ("tstdrv1234567", "TSTDRV1234567"),
        ("https://1234567-sb1.app.netsuite.com/app/center/card.nl", "1234567_SB1"),
        ("1234567-sb1.suitetalk.api.netsuite.com", "1234567_SB1"),
    ],
)
def test_misspelled_ids_are_refused_with_the_right_spelling(raw: str, right: str) -> None:
    with pytest.raises(SettingsError) as info:
        AccountId.parse(raw)
    assert info.value.field == "account_id"
    assert repr(right) in str(info.value)
    assert suggest_spelling(raw) == right


@pytest.mark.parametrize("raw", ["", "acme", "1234567_XX", "12 34", "1234567_SB"])
def test_garbage_is_refused_and_says_where_to_look(raw: str) -> None:
    with pytest.raises(SettingsError) as info:
        AccountId.parse(raw)
    assert info.value.field == "account_id"
    assert "Company Information" in str(info.value)


def test_environment_must_agree_with_the_suffix() -> None:
    assert AccountId.parse("1234567_SB1", Environment.SANDBOX).environment is Environment.SANDBOX
    with pytest.raises(SettingsError, match="is a production account but environment is sandbox"):
        AccountId.parse("1234567", Environment.SANDBOX)
    with pytest.raises(SettingsError, match="_RP"):
        AccountId.parse("1234567_SB1", Environment.RELEASE_PREVIEW)


def test_direct_construction_is_checked_too() -> None:
    assert AccountId("1234567_SB1", Environment.SANDBOX).host_prefix == "1234567-sb1"
    with pytest.raises(SettingsError, match="1234567_SB1"):
        AccountId("1234567-sb1", Environment.SANDBOX)
    with pytest.raises(SettingsError, match="environment"):
        AccountId("1234567_SB1", Environment.PRODUCTION)


def test_environment_parse_is_forgiving_about_spelling() -> None:
    assert Environment.parse("Release Preview") is Environment.RELEASE_PREVIEW
    assert Environment.parse("SANDBOX") is Environment.SANDBOX
    with pytest.raises(SettingsError) as info:
        Environment.parse("staging")
    assert info.value.field == "environment"


SECRET_1 = "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5"
SECRET_2 = "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295"
CK = "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4"
TOKEN = "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc"


def test_repr_and_str_mask_every_secret() -> None:
    creds = TBACredentials(CK, SECRET_1, TOKEN, SECRET_2)
    for shown in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert SECRET_1 not in shown and SECRET_2 not in shown
        assert CK not in shown and TOKEN not in shown
        assert "******" in shown
    assert creds.check_formats() == []


def test_empty_value_names_the_field() -> None:
    with pytest.raises(SettingsError) as info:
        TBACredentials(CK, SECRET_1, TOKEN, "")
    assert info.value.field == "token_secret"
    assert "Token Secret" in str(info.value)


def test_check_formats_warns_without_showing_values() -> None:
    creds = TBACredentials(CK[:-1], SECRET_1.upper(), TOKEN + " ", "not-hex-" + "x" * 56)
    warnings = creds.check_formats()
    text = " ".join(warnings)
    assert "consumer_key is 63 characters long" in text
    assert "consumer_secret is upper-case hex" in text
    assert "token_id has leading or trailing whitespace" in text
    assert "token_secret contains characters other than" in text
    for value in (CK[:-1], SECRET_1.upper(), TOKEN, "x" * 56):
        assert value not in text


def test_same_value_pasted_twice_is_noticed() -> None:
    assert any(
        "pasted twice" in w for w in TBACredentials(CK, SECRET_1, CK, SECRET_2).check_formats()
    )
