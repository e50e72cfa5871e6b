"""Settings come from ESATIS_* variables, with clear errors for bad values."""

import pytest

from settings import Environment, Settings, SettingsError


def test_defaults_need_nothing() -> None:
    settings = Settings.from_env({})
    assert settings.env is Environment.DEVELOPMENT
    assert settings.database_url == "sqlite://esatis.sqlite3"
    assert settings.bus_url == "memory://"
    assert settings.graphiql_enabled is True
    assert settings.demo_data_enabled is True
    settings.check_startable()


def test_values_are_read() -> None:
    settings = Settings.from_env(
        {
            "ESATIS_ENV": "production",
            "ESATIS_DATABASE_URL": "postgres://u:p@db:5432/esatis",
            "ESATIS_BUS_URL": "redis://r:6379/0",
            "ESATIS_SECRET_KEY": "k" * 32,
            "ESATIS_TOKEN_KEY_FILE": "/run/keys/token.pem",
            "ESATIS_ALLOWED_ORIGINS": "https://a.example, https://b.example",
            "ESATIS_CARRIER_SECRETS": "ARAS=abc,MNG=def",
        }
    )
    assert settings.is_production
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert dict(settings.carrier_secrets) == {"ARAS": "abc", "MNG": "def"}
    assert settings.graphiql_enabled is False
    assert settings.demo_data_enabled is False
    settings.check_startable()


def test_secret_is_not_in_repr() -> None:
    settings = Settings.from_env({"ESATIS_SECRET_KEY": "very-secret-value"})
    assert "very-secret-value" not in repr(settings)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"ESATIS_ENV": "staging"},
            "ESATIS_ENV must be 'development' or 'production', not 'staging'",
        ),
        (
            {"ESATIS_BUS_URL": "kafka://x"},
            "ESATIS_BUS_URL must start with memory://, redis:// or rediss://",
        ),
        (
            {"ESATIS_DATABASE_URL": "mysql://x"},
            "ESATIS_DATABASE_URL must be a sqlite:// or postgres:// URL",
        ),
        (
            {"ESATIS_CARRIER_SECRETS": "ARAS"},
            "ESATIS_CARRIER_SECRETS must look like CODE=secret,CODE2=secret2",
        ),
    ],
)
def test_bad_values_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert str(refused.value) == message


def test_production_needs_a_long_secret() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(
            {"ESATIS_ENV": "production", "ESATIS_SECRET_KEY": "short"}
        ).check_startable()
    assert str(refused.value) == "ESATIS_SECRET_KEY must be at least 32 characters in production"


def test_production_needs_a_token_key_file() -> None:
    settings = Settings.from_env({"ESATIS_ENV": "production", "ESATIS_SECRET_KEY": "k" * 40})
    with pytest.raises(SettingsError) as refused:
        settings.check_startable()
    assert str(refused.value) == (
        "ESATIS_TOKEN_KEY_FILE must name the Ed25519 private key (PEM) that signs access "
        "tokens when ESATIS_ENV=production"
    )


def test_token_key_settings_are_read() -> None:
    settings = Settings.from_env(
        {
            "ESATIS_TOKEN_KEY_FILE": "/run/keys/token.pem",
            "ESATIS_TOKEN_PREVIOUS_KEY_FILES": "/run/keys/old1.pem, /run/keys/old2.pem",
            "ESATIS_LOCAL_DIR": "/var/lib/esatis",
        }
    )
    assert settings.token_key_file == "/run/keys/token.pem"
    assert settings.token_previous_key_files == ("/run/keys/old1.pem", "/run/keys/old2.pem")
    assert settings.local_dir == "/var/lib/esatis"
