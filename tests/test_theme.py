"""The theme settings: the settings menu (light / dark) is reachable and primary buttons are readable."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"
WHITE = "#ffffff"  # Streamlit draws primary buttons' text in white


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_settings_menu_is_not_hidden() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["client"]["toolbarMode"] in ("viewer", "auto")


def test_white_text_on_primary_buttons_reads_in_both_themes() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    for theme in ("light", "dark"):
        primary = config["theme"][theme]["primaryColor"]
        assert contrast(WHITE, primary) >= 4.5, (theme, primary)
