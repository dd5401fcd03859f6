"""Thread-safe access to transformers' classes.

transformers resolves its classes lazily, on first attribute access, and two threads
doing that at once (a session's warm-up thread and a page, say) can see a half-built
module and fail with ImportError. Everything in the project takes them from here,
under one lock.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

_LOCK = threading.Lock()


def transformers_classes(*names: str) -> tuple[Any, ...]:
    """``transformers_classes("AutoProcessor", "AutoModelForCTC")`` -> the two classes."""
    with _LOCK:
        module = importlib.import_module("transformers")
        return tuple(getattr(module, name) for name in names)
