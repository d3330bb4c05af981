from __future__ import annotations

from pathlib import Path

import pytest

from common import settings
from common.errors import SettingsError
from common.settings_docs import render_settings_table

DOCS = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_docs_list_every_setting_exactly() -> None:
    assert render_settings_table() in DOCS.read_text()


@pytest.mark.parametrize(
    ("name", "env", "expected"),
    [
        ("min_group_size", {}, 5),
        ("min_group_size", {"LEADLINE_MIN_GROUP_SIZE": "12"}, 12),
        ("target_follow_up_rate", {"LEADLINE_TARGET_FOLLOW_UP_RATE": "0.9"}, 0.9),
        ("cache_ttl_seconds", {}, 300),
        (
            "warehouse_url",
            {"LEADLINE_WAREHOUSE_URL": "postgresql+psycopg://u@h/db"},
            "postgresql+psycopg://u@h/db",
        ),
    ],
)
def test_settings_come_from_environment_or_default(name: str, env: dict[str, str], expected: object) -> None:
    assert settings.get(name, environ=env) == expected


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("min_group_size", "0", "at least 1"),
        ("min_group_size", "five", "LEADLINE_MIN_GROUP_SIZE"),
        ("target_conversion_rate", "13", "between 0 and 1"),
        ("query_timeout_seconds", "-1", "above 0"),
    ],
)
def test_malformed_setting_names_variable_value_and_fix(name: str, value: str, fragment: str) -> None:
    spec = next(s for s in settings.SETTINGS if s.name == name)
    with pytest.raises(SettingsError) as info:
        settings.get(name, environ={spec.env_var: value})
    text = info.value.describe()
    assert fragment in text
    assert repr(value) in text
    assert "Hint:" in text
