"""The sidebar's speech-model status in plain words (no Streamlit here: the sidebar draws it).

It answers the learner's questions from the first second of a session: which model will
listen to me, on what, and why not the one I picked. The session's warm-up thread
(:meth:`asr_model.ASRModelManager.warm_up`) knows which model loaded or fell back before
the first analysis; after an analysis the manager itself knows. A notice is shown only
when it is about the learner's *current* choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from asr_model import BUNDLED_ENGINES, ASRModelManager, describe_folder_problem, looks_like_folder, model_label

State = Literal["ready", "preparing", "failed"]

SHARED_NOTE = "Loaded once for everyone on this server"
OFFLINE_NOTE = "works without a network"


@dataclass(frozen=True)
class ModelStatusView:
    """What the sidebar says about the speech model."""

    state: State
    model: str  # the short name of the model in use (or being prepared)
    device: str  # "CPU" or "GPU (CUDA)"
    headline: str  # one line: "Offline (bundled) · CPU"
    notice: str | None  # why the learner's choice is not the model in use, in plain words
    notes: tuple[str, ...]  # short facts: loaded once for everyone, works offline

    @property
    def note_line(self) -> str:
        """The short facts as one line ("Loaded once for everyone on this server · works without a network")."""
        return " · ".join(self.notes)
    details: tuple[tuple[str, str], ...]  # developer figures, for the "Details" expander


def device_words(device: str) -> str:
    return "GPU (CUDA)" if device.lower().startswith("cuda") else "CPU"


def _details(status: dict[str, Any], model_id: str | None) -> tuple[tuple[str, str], ...]:
    session, server = status["session"], status["process"]
    return (
        ("Model id", model_id or "none yet"),
        ("Real loads", f"{session['real_loads']} this session · {server['real_loads']} on the server"),
        ("Loads skipped (already in memory)",
         f"{session['skipped_loads']} this session · {server['skipped_loads']} on the server"),
        ("Time spent loading", f"{session['load_seconds']:.2f} s this session · "
                               f"{server['load_seconds']:.2f} s on the server"),
        ("Failed loads (server)", str(server["failed_loads"])),
    )


def describe(manager: ASRModelManager, selected: str) -> ModelStatusView:
    """The status for the learner's current choice ``selected`` (a model id, folder or "offline")."""
    device = device_words(manager.device)
    in_use: str | None = None
    notice: str | None = None
    state: State = "ready"
    outcome = manager.warm_up_outcome
    if manager.model_name is not None and selected in (manager.model_name, manager.requested_name):
        in_use = manager.model_name
        notice = manager.notice if manager.model_name != selected else None
    elif outcome is not None and outcome.requested == selected:
        in_use = outcome.model_name
        notice = outcome.notice
        if in_use is None:
            state = "failed"
    else:
        state = "preparing"
        problem = describe_folder_problem(selected) if looks_like_folder(selected) else None
        if problem:
            notice = f"This folder cannot be used: {problem}. Another model will be used instead."
    name = model_label(in_use if in_use is not None else selected)
    if state == "preparing":
        headline = f"Getting {name} ready…"
    elif state == "failed":
        headline = "No speech model could be loaded"
    else:
        headline = f"{name} · {device}"
    notes = [SHARED_NOTE] if state == "ready" else []
    if in_use in BUNDLED_ENGINES:
        notes.append(OFFLINE_NOTE)
    details = _details(manager.status(), in_use)
    return ModelStatusView(state, name, device, headline, notice, tuple(notes), details)
