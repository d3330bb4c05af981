"""Renders the settings registry as the Markdown table in ``docs/settings.md``.

Run ``python -m common.settings_docs`` to print it; a test fails when the doc drifts.
"""

from __future__ import annotations

from common.settings import SETTINGS


def render_settings_table() -> str:
    """The Markdown table of every setting: name, environment variable, default, meaning."""
    lines = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    for spec in SETTINGS:
        default = "(empty)" if spec.default == "" else f"`{spec.default}`"
        if spec.name == "warehouse_url":
            default = "`duckdb:///<project>/data/demo.duckdb`"
        if spec.name == "app_db_url":
            default = "`sqlite:///<project>/data/leadline-app.sqlite`"
        lines.append(f"| `{spec.name}` | `{spec.env_var}` | {default} | {spec.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_settings_table(), end="")
