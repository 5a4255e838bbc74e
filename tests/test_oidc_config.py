"""Identity providers are declared in the environment and checked at start-up: an
incomplete or wrong provider stops grabpack with one line, never showing a secret."""

from __future__ import annotations

import json
import os

import pytest

from grabpack.config import ConfigError, load_config

SECRET = "s3cr3t-client-secret-value"


@pytest.fixture
def env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("GRABPACK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GRABPACK_ENV", "development")
    monkeypatch.setenv("GRABPACK_OIDC_PROVIDERS", "nhs,met")
    values = {
        "NHS_ISSUER": "https://login.microsoftonline.com/00000000-aaaa-bbbb-cccc-000000000000/v2.0",
        "NHS_CLIENT_ID": "11111111-2222-3333-4444-555555555555",
        "NHS_CLIENT_SECRET": SECRET,
        "NHS_DOMAINS": "example.nhs.uk, nhs.net",
        "NHS_LABEL": "NHS identity",
        "MET_ISSUER": "https://idp.example.police.uk/realms/met",
        "MET_CLIENT_ID": "grabpack",
        "MET_CLIENT_SECRET": SECRET,
        "MET_DOMAINS": "example.police.uk",
    }
    for key, value in values.items():
        monkeypatch.setenv(f"GRABPACK_OIDC_{key}", value)
    return monkeypatch


def refusal(tmp_path) -> str:
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path)
    message = str(refused.value)
    assert "\n" not in message and SECRET not in message
    return message


def test_providers_are_read_from_the_environment(env, tmp_path):
    providers = load_config(tmp_path)["OIDC_PROVIDERS"]
    assert list(providers) == ["nhs", "met"]
    nhs, met = providers["nhs"], providers["met"]
    assert nhs.label == "NHS identity" and met.label == "MET"
    assert nhs.domains == ("example.nhs.uk", "nhs.net")
    assert nhs.scopes == ("openid", "email", "profile")
    assert nhs.provision is False
    assert nhs.metadata_url.endswith("/v2.0/.well-known/openid-configuration")
    assert nhs.serves("Someone@NHS.net") and not nhs.serves("someone@example.police.uk")
    assert SECRET not in repr(nhs)


def test_no_providers_by_default(env, tmp_path):
    env.delenv("GRABPACK_OIDC_PROVIDERS")
    for name in list(os.environ):
        if name.startswith("GRABPACK_OIDC_"):
            env.delenv(name)
    assert load_config(tmp_path)["OIDC_PROVIDERS"] == {}


GROUPS = json.dumps({"ward-a": {"role": "nurse", "wards": ["wa1"]}})

REFUSED = [
    ("GRABPACK_OIDC_PROVIDERS", "nhs,nhs", "GRABPACK_OIDC_PROVIDERS", "twice"),
    ("GRABPACK_OIDC_PROVIDERS", "nhs,met-police", "GRABPACK_OIDC_PROVIDERS", "letters"),
    ("GRABPACK_OIDC_NHS_ISSUER", "", "GRABPACK_OIDC_NHS_ISSUER is not set", "issuer URL"),
    ("GRABPACK_OIDC_NHS_ISSUER", "http://idp.example.org", "GRABPACK_OIDC_NHS_ISSUER", "https://"),
    ("GRABPACK_OIDC_NHS_ISSUER", "idp.example.org", "GRABPACK_OIDC_NHS_ISSUER", "https://"),
    ("GRABPACK_OIDC_NHS_CLIENT_ID", "", "GRABPACK_OIDC_NHS_CLIENT_ID is not set", "client"),
    ("GRABPACK_OIDC_NHS_CLIENT_SECRET", "", "GRABPACK_OIDC_NHS_CLIENT_SECRET is not set", ""),
    ("GRABPACK_OIDC_NHS_DOMAINS", "", "GRABPACK_OIDC_NHS_DOMAINS is not set", "email domains"),
    ("GRABPACK_OIDC_NHS_DOMAINS", "not a domain", "GRABPACK_OIDC_NHS_DOMAINS", "domains"),
    ("GRABPACK_OIDC_MET_DOMAINS", "nhs.net", "GRABPACK_OIDC_MET_DOMAINS", "already served"),
    ("GRABPACK_OIDC_NHS_SCOPES", "email profile", "GRABPACK_OIDC_NHS_SCOPES", "openid"),
    ("GRABPACK_OIDC_NHS_PROVISION", "perhaps", "GRABPACK_OIDC_NHS_PROVISION", "yes"),
    ("GRABPACK_OIDC_NHS_PROVISION", "yes", "GRABPACK_OIDC_NHS_PROVISION=yes needs", "GROUPS"),
    ("GRABPACK_OIDC_NHS_GROUPS", "ward-a=nurse", "GRABPACK_OIDC_NHS_GROUPS", "JSON"),
    (
        "GRABPACK_OIDC_NHS_GROUPS",
        json.dumps({"it": {"role": "admin"}}),
        "GRABPACK_OIDC_NHS_GROUPS",
        "administrators are made by hand",
    ),
    (
        "GRABPACK_OIDC_NHS_GROUPS",
        json.dumps({"ward-a": {"role": "nurse", "areas": ["AREA1"]}}),
        "GRABPACK_OIDC_NHS_GROUPS",
        "at least one ward",
    ),
    (
        "GRABPACK_OIDC_NSH_ISSUER",
        "https://x.example.org",
        "GRABPACK_OIDC_NSH_ISSUER",
        "no provider",
    ),
    ("GRABPACK_OIDC_NHS_SCOPE", "openid", "GRABPACK_OIDC_NHS_SCOPE", "not a provider setting"),
]


@pytest.mark.parametrize(("variable", "value", "starts", "says"), REFUSED)
def test_a_bad_provider_stops_start_up_with_one_line(env, tmp_path, variable, value, starts, says):
    env.setenv(variable, value)
    message = refusal(tmp_path)
    assert message.startswith(starts), message
    assert says in message, message


def test_groups_are_read_when_provisioning_is_on(env, tmp_path):
    env.setenv("GRABPACK_OIDC_NHS_PROVISION", "yes")
    env.setenv("GRABPACK_OIDC_NHS_GROUPS", GROUPS)
    nhs = load_config(tmp_path)["OIDC_PROVIDERS"]["nhs"]
    assert nhs.provision is True
    assert [(group, grant.role, grant.wards) for group, grant in nhs.groups] == [
        ("ward-a", "nurse", ("WA1",))
    ]


@pytest.mark.parametrize("issuer", ["http://127.0.0.1:8080", "http://localhost:9000/realm"])
def test_plain_http_only_for_a_provider_on_this_machine_outside_production(env, tmp_path, issuer):
    env.setenv("GRABPACK_OIDC_NHS_ISSUER", issuer)
    assert load_config(tmp_path)["OIDC_PROVIDERS"]["nhs"].issuer == issuer
    env.setenv("GRABPACK_ENV", "production")
    env.setenv("GRABPACK_SECRET_KEY", "0123456789abcdef" * 4)
    message = refusal(tmp_path)
    assert message.startswith("GRABPACK_OIDC_NHS_ISSUER") and "production" in message


def test_production_takes_https_issuers(env, tmp_path):
    env.setenv("GRABPACK_ENV", "production")
    env.setenv("GRABPACK_SECRET_KEY", "0123456789abcdef" * 4)
    assert set(load_config(tmp_path)["OIDC_PROVIDERS"]) == {"nhs", "met"}


def test_overrides_set_up_a_provider_through_the_same_checks(env, tmp_path):
    for name in list(os.environ):
        if name.startswith("GRABPACK_OIDC_"):
            env.delenv(name)
    overrides = {
        "OIDC_PROVIDER_NAMES": "trust",
        "OIDC_TRUST_ISSUER": "http://10.0.0.5",
        "OIDC_TRUST_CLIENT_ID": "grabpack",
        "OIDC_TRUST_CLIENT_SECRET": SECRET,
        "OIDC_TRUST_DOMAINS": "trust.nhs.uk",
    }
    with pytest.raises(ConfigError, match="GRABPACK_OIDC_TRUST_ISSUER"):
        load_config(tmp_path, overrides)
    overrides["OIDC_TRUST_ISSUER"] = "https://idp.trust.nhs.uk"
    assert load_config(tmp_path, overrides)["OIDC_PROVIDERS"]["trust"].label == "TRUST"
