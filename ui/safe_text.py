"""Making user and model text safe to show through ``st.markdown``."""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:>])")


def escape_markdown(text: object) -> str:
    """No HTML, links, LaTeX, emoji codes or formatting: the text shows as typed, on one line."""
    escaped = html.escape(str(text), quote=False).replace("\r", " ").replace("\n", " ")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", escaped)
