"""CTC forced alignment and goodness scores over a model's frame posteriors.

Given log-posteriors ``(frames, vocab)`` from a CTC model and the token ids a
reference text should produce, :func:`forced_align` finds the most likely path
that emits exactly those tokens (blanks allowed between them) and returns, for
every token, its frames. :func:`token_goodness` then compares the posterior of
the expected token with the best competing token on those frames: the
"goodness of pronunciation" the analysis uses as acoustic evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEG_INF = -1e30


@dataclass(frozen=True)
class AlignedToken:
    """One reference token and the frames ``[start, end)`` the forced path gave it."""

    token_id: int
    start: int
    end: int


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def forced_align(log_probs: np.ndarray, tokens: list[int], blank_id: int) -> list[AlignedToken]:
    """Viterbi CTC alignment of ``tokens`` to ``log_probs``; [] when it cannot fit.

    Works on the usual extended label sequence (blank, t1, blank, t2, ..., blank),
    vectorised over states so that a few hundred frames take milliseconds.
    """
    n_frames = log_probs.shape[0]
    if not tokens or n_frames == 0:
        return []
    ext = np.full(2 * len(tokens) + 1, blank_id, dtype=np.int64)
    ext[1::2] = tokens
    n_states = ext.size
    # a skip from s-2 to s is allowed when s is a token differing from the token at s-2
    can_skip = np.zeros(n_states, dtype=bool)
    can_skip[3::2] = ext[3::2] != ext[1:-2:2]
    emissions = log_probs[:, ext]
    score = np.full(n_states, NEG_INF)
    score[0] = emissions[0, 0]
    if n_states > 1:
        score[1] = emissions[0, 1]
    back = np.zeros((n_frames, n_states), dtype=np.int8)
    for t in range(1, n_frames):
        stay = score
        step = np.concatenate(([NEG_INF], score[:-1]))
        skip = np.where(can_skip, np.concatenate(([NEG_INF, NEG_INF], score[:-2])), NEG_INF)
        choices = np.stack([stay, step, skip])
        best = choices.argmax(axis=0)
        score = choices[best, np.arange(n_states)] + emissions[t]
        back[t] = best
    end_state = n_states - 1 if n_states == 1 or score[-1] >= score[-2] else n_states - 2
    if score[end_state] <= NEG_INF / 2:
        return []
    path = np.empty(n_frames, dtype=np.int64)
    state = end_state
    for t in range(n_frames - 1, -1, -1):
        path[t] = state
        state -= int(back[t, state])
    if path[0] > 1:
        return []
    aligned: list[AlignedToken] = []
    for index, token in enumerate(tokens):
        frames = np.flatnonzero(path == 2 * index + 1)
        if frames.size == 0:
            return []
        aligned.append(AlignedToken(token, int(frames[0]), int(frames[-1]) + 1))
    return aligned


def token_goodness(log_probs: np.ndarray, token: AlignedToken, blank_id: int) -> tuple[float, int]:
    """(0-1 goodness of the expected token, id of the best competing non-blank token).

    Goodness is ``exp(mean(log p(expected) - log p(best non-blank)))`` over the
    token's frames: 1.0 when the expected token is the model's favourite, lower
    as a competitor wins.
    """
    frames = log_probs[token.start : token.end]
    competitors = frames.copy()
    competitors[:, blank_id] = NEG_INF
    best_ids = competitors.argmax(axis=1)
    best = competitors[np.arange(frames.shape[0]), best_ids]
    margin = float(np.mean(np.minimum(frames[:, token.token_id] - best, 0.0)))
    counts = np.bincount(best_ids, minlength=log_probs.shape[1])
    return float(np.exp(margin)), int(counts.argmax())
