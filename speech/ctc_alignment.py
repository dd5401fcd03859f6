"""The one goodness-of-pronunciation (GOP) scorer for every CTC model.

A CTC model gives frame log-posteriors ``(frames, vocab)``. :class:`UnitInventory`
folds the model's vocabulary into the units we compare in (canonical phonemes
for phoneme models, letters for character models): every token that means the
same unit is summed, word delimiters count as blank, tokens that mean nothing
here (other languages, diacritics, specials) are dropped, and each frame is
renormalised. On that matrix :func:`assess_words`

1. picks, for each word, the accepted pronunciation that fits best (weak forms
   such as "the" /ðə/ or /ði/, see ``ReferenceWord.variants``),
2. CTC-force-aligns the whole reference (Viterbi over the usual blank-interleaved
   label sequence) to give each phone its frames and each word its span,
3. computes per phone, on the word's stretch of frames, the CTC posterior of the
   expected phone against every substitute and against its deletion (forward
   scores summed over all paths) and the posterior of the best of those rivals,
   plus frame statistics: mean and peak log-posterior, the margin over the best
   competing unit, the frame count,
4. and per word the summary a calibration reads (``WordEvidence.features``), with
   the forced path's cost against the model's own best reading of each frame and the
   edit distance between that free reading and the word.

``heard`` for a phone is the expected phone when its posterior is at least
:data:`HEARD_MIN_POSTERIOR`, otherwise the best substitute ("" for a deletion).
The default 0-1 word score (used when no calibration applies) is the mean phone
posterior.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from speech.transcription import PhoneEvidence, ReferenceWord, WordEvidence

logger = logging.getLogger(__name__)

NEG_INF = -1e30
HEARD_MIN_POSTERIOR = 0.5  # below this the best alternative is reported as heard
MISSING_WORD_SCORE = 0.05  # a word whose mean phone posterior is lower is "not found"
MARGIN_CLIP = 10.0  # log-posterior margins are clipped to +-this (nats)
FLOOR_LOG_PROB = -30.0  # log-probabilities below this are floored (avoids -inf arithmetic)
DELETION = ""  # the "heard" value of a phone that seems to be missing

# Tokens that mark silence or a word boundary rather than a sound: their mass goes to blank.
SILENCE_TOKENS: frozenset[str] = frozenset({"|", " ", "<wb>", "<pad>", "<blank>", "‿"})


@dataclass(frozen=True)
class AlignedToken:
    """One reference token and the frames ``[start, end)`` the forced path gave it."""

    token_id: int
    start: int
    end: int


@dataclass(frozen=True)
class UnitInventory:
    """How a model's vocabulary maps onto the units we score.

    Column 0 of :meth:`unit_log_probs` is blank (plus silence tokens); column
    ``k + 1`` is ``units[k]``, the sum of the tokens in ``token_groups[k]``.
    """

    units: tuple[str, ...]
    token_groups: tuple[tuple[int, ...], ...]
    silence_ids: tuple[int, ...]

    @classmethod
    def from_vocabulary(
        cls,
        id_to_token: Mapping[int, str],
        blank_id: int,
        to_unit: Callable[[str], str],
        silence_tokens: Iterable[str] = SILENCE_TOKENS,
    ) -> UnitInventory:
        """Group token ids by ``to_unit(token)`` ("" = not a unit and not silence: dropped)."""
        silence = set(silence_tokens)
        silence_ids = {blank_id} | {i for i, t in id_to_token.items() if t in silence}
        groups: dict[str, list[int]] = {}
        for token_id in sorted(id_to_token):
            if token_id in silence_ids:
                continue
            unit = to_unit(id_to_token[token_id])
            if unit:
                groups.setdefault(unit, []).append(token_id)
        units = tuple(sorted(groups))
        return cls(units, tuple(tuple(groups[u]) for u in units), tuple(sorted(silence_ids)))

    @property
    def index(self) -> dict[str, int]:
        """Unit -> its column in :meth:`unit_log_probs`."""
        return {unit: k + 1 for k, unit in enumerate(self.units)}

    def unit_log_probs(self, log_probs: np.ndarray) -> np.ndarray:
        """``(frames, 1 + len(units))`` log-posteriors over blank and the units, renormalised."""
        log_probs = np.asarray(log_probs, dtype=np.float64)
        columns = [_logsumexp(log_probs[:, list(self.silence_ids)], axis=1)]
        columns += [_logsumexp(log_probs[:, list(ids)], axis=1) for ids in self.token_groups]
        folded = np.stack(columns, axis=1)
        folded -= _logsumexp(folded, axis=1)[:, None]
        return np.maximum(folded, FLOOR_LOG_PROB)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def forced_align(log_probs: np.ndarray, tokens: Sequence[int], blank_id: int) -> list[AlignedToken]:
    """Viterbi CTC alignment of ``tokens`` to ``log_probs``; [] when it cannot fit.

    Works on the usual extended label sequence (blank, t1, blank, t2, ..., blank),
    vectorised over states so that a few hundred frames take milliseconds.
    """
    n_frames = log_probs.shape[0]
    if not tokens or n_frames == 0:
        return []
    ext = _extended(tokens, blank_id)
    n_states = ext.size
    can_skip = _can_skip(ext, blank_id)
    emissions = log_probs[:, ext]
    score = np.full(n_states, NEG_INF)
    score[0] = emissions[0, 0]
    score[1] = emissions[0, 1]
    back = np.zeros((n_frames, n_states), dtype=np.int8)
    for t in range(1, n_frames):
        step = np.concatenate(([NEG_INF], score[:-1]))
        skip = np.where(can_skip, np.concatenate(([NEG_INF, NEG_INF], score[:-2])), NEG_INF)
        choices = np.stack([score, step, skip])
        best = choices.argmax(axis=0)
        score = choices[best, np.arange(n_states)] + emissions[t]
        back[t] = best
    end_state = n_states - 1 if score[-1] >= score[-2] else n_states - 2
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
        aligned.append(AlignedToken(int(token), int(frames[0]), int(frames[-1]) + 1))
    return aligned


def ctc_log_likelihood(log_probs: np.ndarray, label_batch: np.ndarray, blank_id: int = 0) -> np.ndarray:
    """log P(labels | frames), summed over all CTC paths, for a batch of equal-length label rows.

    ``label_batch`` is ``(batch, length)``; a length of 0 means "all blank".
    """
    label_batch = np.atleast_2d(np.asarray(label_batch, dtype=np.int64))
    batch, length = label_batch.shape
    n_frames = log_probs.shape[0]
    if n_frames == 0:
        return np.full(batch, NEG_INF if length else 0.0)
    if length == 0:
        return np.full(batch, float(log_probs[:, blank_id].sum()))
    ext = np.full((batch, 2 * length + 1), blank_id, dtype=np.int64)
    ext[:, 1::2] = label_batch
    n_states = ext.shape[1]
    can_skip = np.zeros((batch, n_states), dtype=bool)
    can_skip[:, 3::2] = ext[:, 3::2] != ext[:, 1:-2:2]
    emissions = log_probs[:, ext]  # (frames, batch, states)
    alpha = np.full((batch, n_states), NEG_INF)
    alpha[:, 0] = emissions[0, :, 0]
    alpha[:, 1] = emissions[0, :, 1]
    pad1 = np.full((batch, 1), NEG_INF)
    pad2 = np.full((batch, 2), NEG_INF)
    for t in range(1, n_frames):
        step = np.concatenate((pad1, alpha[:, :-1]), axis=1)
        skip = np.where(can_skip, np.concatenate((pad2, alpha[:, :-2]), axis=1), NEG_INF)
        alpha = np.logaddexp(np.logaddexp(alpha, step), skip) + emissions[t]
    return np.logaddexp(alpha[:, -1], alpha[:, -2])


def assess_words(
    log_probs: np.ndarray,
    inventory: UnitInventory,
    words: Sequence[ReferenceWord],
    frame_seconds: float,
    units_are_phonemes: bool = True,
) -> list[WordEvidence]:
    """Forced alignment of ``words`` on a CTC model's log-posteriors and GOP statistics per phone.

    ``log_probs`` is the model's ``(frames, vocab)`` output; ``inventory`` folds it into
    units. For a character model pass words whose ``phonemes`` are letters and
    ``units_are_phonemes=False`` (phone evidence is then left empty). Returns one
    :class:`WordEvidence` per word, or [] when the reference cannot be aligned.
    """
    if not words:
        return []
    unit_lp = inventory.unit_log_probs(log_probs)
    column = inventory.index
    pronunciations = [_in_inventory(word.phonemes, column) for word in words]
    aligned = _align_words(unit_lp, pronunciations, column)
    if aligned is None:
        logger.info("forced alignment did not fit (%d words, %d frames)", len(words), unit_lp.shape[0])
        return []
    # a second pass with the best-fitting accepted pronunciation of each word
    chosen = [
        _best_variant(unit_lp, word, pron, column, _window(aligned, index, unit_lp.shape[0]))
        for index, (word, pron) in enumerate(zip(words, pronunciations))
    ]
    if chosen != pronunciations:
        realigned = _align_words(unit_lp, chosen, column)
        if realigned is not None:
            pronunciations, aligned = chosen, realigned
    path_cost = _path_cost(unit_lp, aligned)
    evidence = []
    for index, word in enumerate(words):
        window = _window(aligned, index, unit_lp.shape[0])
        evidence.append(
            _word_evidence(
                unit_lp, word, pronunciations[index], aligned[index], window, column,
                inventory.units, frame_seconds, path_cost, units_are_phonemes,
            )
        )
    return evidence


# -- helpers ---------------------------------------------------------------------
def _logsumexp(values: np.ndarray, axis: int) -> np.ndarray:
    top = values.max(axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.squeeze(top, axis=axis) + np.log(np.exp(values - top).sum(axis=axis))


def _extended(tokens: Sequence[int], blank_id: int) -> np.ndarray:
    ext = np.full(2 * len(tokens) + 1, blank_id, dtype=np.int64)
    ext[1::2] = tokens
    return ext


def _can_skip(ext: np.ndarray, blank_id: int) -> np.ndarray:
    """A skip from s-2 to s is allowed when s is a token differing from the token at s-2."""
    can_skip = np.zeros(ext.size, dtype=bool)
    can_skip[3::2] = ext[3::2] != ext[1:-2:2]
    return can_skip


def _in_inventory(phones: Sequence[str], column: Mapping[str, int]) -> tuple[str, ...]:
    """The phones the model can emit (others cannot be scored and are skipped)."""
    return tuple(p for p in phones if p in column)


def _align_words(
    unit_lp: np.ndarray, pronunciations: Sequence[tuple[str, ...]], column: Mapping[str, int]
) -> list[list[AlignedToken]] | None:
    tokens = [column[p] for pron in pronunciations for p in pron]
    flat = forced_align(unit_lp, tokens, 0) if tokens else []
    if tokens and not flat:
        return None
    out: list[list[AlignedToken]] = []
    position = 0
    for pron in pronunciations:
        out.append(flat[position : position + len(pron)])
        position += len(pron)
    return out


def _window(aligned: Sequence[Sequence[AlignedToken]], index: int, n_frames: int) -> tuple[int, int]:
    """The frames a word may use: from the previous word's last phone to the next word's first."""
    start = 0
    for previous in reversed(aligned[:index]):
        if previous:
            start = previous[-1].end
            break
    end = n_frames
    for following in aligned[index + 1 :]:
        if following:
            end = following[0].start
            break
    own = aligned[index]
    if own:
        start, end = min(start, own[0].start), max(end, own[-1].end)
    return start, max(end, start)


def _best_variant(
    unit_lp: np.ndarray,
    word: ReferenceWord,
    pron: tuple[str, ...],
    column: Mapping[str, int],
    window: tuple[int, int],
) -> tuple[str, ...]:
    candidates = [pron] + [v for v in (_in_inventory(v, column) for v in word.variants) if v and v != pron]
    if len(candidates) == 1 or not pron:
        return pron
    frames = unit_lp[window[0] : window[1]]
    scores = [
        float(ctc_log_likelihood(frames, np.array([[column[p] for p in c]]))[0]) for c in candidates
    ]
    return candidates[int(np.argmax(scores))]


def _path_cost(unit_lp: np.ndarray, aligned: Sequence[Sequence[AlignedToken]]) -> np.ndarray:
    """Per frame: best log-posterior minus that of what the forced path emits there (>= 0)."""
    emitted = unit_lp[:, 0].copy()
    for word in aligned:
        for item in word:
            emitted[item.start : item.end] = unit_lp[item.start : item.end, item.token_id]
    return unit_lp.max(axis=1) - emitted


def _phone_posteriors(
    frames: np.ndarray, pron: tuple[str, ...], column: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each phone: log posterior of the expected phone, posterior of its deletion, the best
    alternative's column (0 for a deletion) and that alternative's posterior.

    Candidates for phone i are the word with phone i kept, replaced by every other
    unit, or deleted; each scored by its CTC likelihood on ``frames``.
    """
    labels = np.array([column[p] for p in pron], dtype=np.int64)
    n_units = frames.shape[1] - 1
    length = labels.size
    substitutes = np.repeat(labels[None, :], length * n_units, axis=0)
    for i in range(length):
        substitutes[i * n_units : (i + 1) * n_units, i] = np.arange(1, n_units + 1)
    sub_ll = ctc_log_likelihood(frames, substitutes).reshape(length, n_units)
    deletions = np.array([np.delete(labels, i) for i in range(length)]).reshape(length, length - 1)
    del_ll = ctc_log_likelihood(frames, deletions)
    kept = sub_ll[np.arange(length), labels - 1]
    everything = np.concatenate([sub_ll, del_ll[:, None]], axis=1)
    total = _logsumexp(everything, axis=1)
    log_post = kept - total
    del_post = np.exp(del_ll - total)
    others = sub_ll.copy()
    others[np.arange(length), labels - 1] = NEG_INF
    best_sub = others.argmax(axis=1) + 1
    best_is_deletion = del_ll > others.max(axis=1)
    best = np.where(best_is_deletion, 0, best_sub)
    rival_post = np.exp(np.maximum(others.max(axis=1), del_ll) - total)
    return log_post, del_post, best, rival_post


def _word_evidence(
    unit_lp: np.ndarray,
    word: ReferenceWord,
    pron: tuple[str, ...],
    aligned: Sequence[AlignedToken],
    window: tuple[int, int],
    column: Mapping[str, int],
    units: Sequence[str],
    frame_seconds: float,
    path_cost: np.ndarray,
    units_are_phonemes: bool,
) -> WordEvidence:
    if not pron or not aligned:
        return WordEvidence(word.text, True, 0.0, 0.0, 1.0, pronunciation=pron)
    frames = unit_lp[window[0] : window[1]]
    log_post, del_post, best, rival_post = _phone_posteriors(frames, pron, column)
    phones: list[PhoneEvidence] = []
    stats: list[dict[str, float]] = []
    for i, (phone, item) in enumerate(zip(pron, aligned)):
        own = unit_lp[item.start : item.end]
        expected = own[:, item.token_id]
        rivals = own.copy()
        rivals[:, [0, item.token_id]] = NEG_INF
        margins = np.clip(expected - rivals.max(axis=1), -MARGIN_CLIP, MARGIN_CLIP)
        posterior = float(np.exp(log_post[i]))
        feature = {
            "log_posterior": float(log_post[i]),
            "deletion_posterior": float(del_post[i]),
            "rival_posterior": float(rival_post[i]),
            "mean_log_prob": float(expected.mean()),
            "peak_log_prob": float(expected.max()),
            "mean_margin": float(margins.mean()),
            "peak_margin": float(margins[int(expected.argmax())]),
            "frames": float(item.end - item.start),
        }
        heard = phone if posterior >= HEARD_MIN_POSTERIOR else (units[best[i] - 1] if best[i] else DELETION)
        stats.append(feature)
        phones.append(
            PhoneEvidence(
                expected=phone,
                heard=heard,
                score=posterior,
                start=item.start * frame_seconds,
                end=item.end * frame_seconds,
                features=feature,
            )
        )
    score = float(np.mean([p.score for p in phones]))
    start, end = aligned[0].start, aligned[-1].end
    features = _word_features(stats, path_cost[start:end], end - start, frame_seconds)
    features["free_decoding_errors"] = _free_decoding_errors(frames, pron, column)
    return WordEvidence(
        word=word.text,
        found=score >= MISSING_WORD_SCORE,
        start=start * frame_seconds,
        end=end * frame_seconds,
        score=score,
        phones=tuple(phones) if units_are_phonemes else (),
        heard_phonemes=tuple(p.heard for p in phones if p.heard) if units_are_phonemes else (),
        pronunciation=pron if units_are_phonemes else (),
        features=features,
    )


def _free_decoding_errors(frames: np.ndarray, pron: tuple[str, ...], column: Mapping[str, int]) -> float:
    """Edit distance between the model's own best reading of the word's frames and the word, per phone."""
    best = frames.argmax(axis=1)
    heard = [int(u) for k, u in enumerate(best) if u != 0 and (k == 0 or u != best[k - 1])]
    expected = [column[p] for p in pron]
    previous = list(range(len(heard) + 1))
    for i, unit in enumerate(expected, start=1):
        current = [i] + [0] * len(heard)
        for j, other in enumerate(heard, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (unit != other))
        previous = current
    return previous[-1] / len(expected)


def _word_features(
    stats: Sequence[Mapping[str, float]], path_cost: np.ndarray, n_frames: int, frame_seconds: float
) -> dict[str, float]:
    """The word-level summary of its phones' statistics (what the calibration reads)."""
    log_post = np.array([s["log_posterior"] for s in stats])
    margins = np.array([s["mean_margin"] for s in stats])
    peaks = np.array([s["peak_margin"] for s in stats])
    return {
        "gop_min": float(log_post.min()),
        "gop_mean": float(log_post.mean()),
        "posterior_mean": float(np.exp(log_post).mean()),
        "good_phone_share": float(np.mean(log_post >= np.log(HEARD_MIN_POSTERIOR))),
        "deletion_max": float(max(s["deletion_posterior"] for s in stats)),
        "rival_max": float(max(s["rival_posterior"] for s in stats)),
        "margin_min": float(margins.min()),
        "margin_mean": float(margins.mean()),
        "peak_margin_min": float(peaks.min()),
        "path_cost": float(path_cost.mean()) if path_cost.size else 0.0,
        "phones": float(len(stats)),
        "duration_s": float(n_frames * frame_seconds),
    }
