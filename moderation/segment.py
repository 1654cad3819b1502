"""Word boundaries from jieba, for telling a real hit from one that straddles two words.

jieba's tokenizer takes about half a second to build, so a process builds one and keeps it.
The lexicon's allow-listed words are made known to it (a benign word that holds a listed one
is a word), and when the lexicon changes only the words that came or went are updated: a word
added gets jieba's suggested frequency, a word removed gets back the frequency it had before.
Segmentation runs without the HMM, so it depends on the dictionary alone and is repeatable.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections.abc import Set

import jieba


class Segmenter:
    """One jieba tokenizer whose user words follow whichever lexicon asks."""

    def __init__(self) -> None:
        self._tokenizer: jieba.Tokenizer | None = None
        self._lock = threading.RLock()
        self._words: Set[str] = frozenset()
        self._before: dict[str, int] = {}  # a user word's frequency before it was added
        # what the dictionary says of each piece of text the straddle check has looked up (see
        # _score): a few thousand common words, found at once instead of in jieba's dictionary
        # of 600,000 entries, far out of the processor's cache; emptied when the dictionary
        # changes
        self._scores: dict[str, float] = {}
        self.updates = 0  # how many times the user words changed (tests and logs read it)

    def _ready(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" on stderr
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            self._tokenizer = tokenizer
        return self._tokenizer

    def _set_freq(self, tokenizer: jieba.Tokenizer, word: str, freq: int) -> None:
        old = tokenizer.FREQ.get(word, 0)
        tokenizer.FREQ[word] = freq
        tokenizer.total += freq - old
        for end in range(1, len(word)):  # prefixes must be known for the word graph
            tokenizer.FREQ.setdefault(word[:end], 0)

    def use(self, words: Set[str]) -> None:
        """Make ``words`` the user words: add what is new, take back what is gone."""
        with self._lock:
            if words == self._words:
                if isinstance(words, frozenset):
                    self._words = words  # the caller's own set: found by identity next time
                return
            tokenizer = self._ready()
            for word in self._words - words:
                self._set_freq(tokenizer, word, self._before.pop(word, 0))
            for word in sorted(words - self._words):
                self._before[word] = tokenizer.FREQ.get(word, 0)
                self._set_freq(tokenizer, word, tokenizer.suggest_freq(word, tune=False))
            self._words = words if isinstance(words, frozenset) else frozenset(words)
            self._scores.clear()
            self.updates += 1

    def straddle_cost(self, words: Set[str], text: str, start: int, end: int) -> float:
        """How much less likely jieba finds ``text`` when a word boundary is put at ``start``
        and at ``end`` than in its own best segmentation (natural log; 0 when its best
        segmentation already has both). A word that is really there costs nothing or little
        (免费看成人视频: 看成 / 人 reads slightly better than 看 / 成人, 0.97); one that only
        straddles two words costs much more (特色情景: 特色 / 情景, 12.1)."""
        with self._lock:
            # the same set object, as a screener passes it every time: no element-wise compare
            if words is not self._words:
                self.use(words)
            tokenizer = self._ready()
            if len(self._scores) > _MAX_SCORES:
                self._scores.clear()
            return _straddle_cost(text, self._scores, tokenizer.FREQ,
                                  math.log(tokenizer.total), start, end)


# what _scores holds for a piece of text: its log probability as a word (at most 0), or
_PREFIX = 1.0  # no word, but the start of longer ones
_ABSENT = 2.0  # not in the dictionary at all
_MAX_SCORES = 200_000


def _score(scores: dict[str, float], freq: dict[str, int], log_total: float, piece: str) -> float:
    count = freq.get(piece)
    score = _ABSENT if count is None else _PREFIX if not count else math.log(count) - log_total
    scores[piece] = score
    return score


def _straddle_cost(text: str, scores: dict[str, float], freq: dict[str, int], log_total: float,
                   start: int, end: int) -> float:
    """jieba's dynamic programme run twice in one sweep: free, and with no word running across
    ``start`` or ``end``. Returns the difference of the two best log probabilities.

    jieba's word graph (``get_DAG``: from each character, the dictionary words that start there,
    a prefix known to the dictionary with frequency 0 leading on to longer ones) is walked in the
    same loop instead of being built first, and what the dictionary says of each piece is
    remembered in ``scores``: the same words, the same sums, so the same figures, at about a
    third of the cost (the check runs for every hit that is not set off by punctuation, several
    times in an article packed with boundary traps)."""
    size = len(text)
    free = [0.0] * (size + 1)
    forced = [0.0] * (size + 1)
    get = scores.get
    unknown = math.log(1) - log_total  # a character that is no word of the dictionary
    for i in range(size - 1, -1, -1):
        # a single character is always a way through, and never runs across a boundary
        char = text[i]
        score = get(char)
        if score is None:
            score = _score(scores, freq, log_total, char)
        word = unknown if score > 0 else score
        best_free = word + free[i + 1]
        best_forced = word + forced[i + 1]
        if score != _ABSENT:  # a word or a prefix of one: longer words may start here
            # from ``end`` on no word can run across a boundary: the two programmes agree
            both = i < end
            for after in range(i + 2, size + 1):
                piece = text[i:after]
                score = get(piece)
                if score is None:
                    score = _score(scores, freq, log_total, piece)
                if score == _ABSENT:
                    break
                if score <= 0:  # a word
                    if score + free[after] > best_free:
                        best_free = score + free[after]
                    if both and not (i < start < after or end < after) and \
                            score + forced[after] > best_forced:
                        best_forced = score + forced[after]
        free[i] = best_free
        forced[i] = best_forced if i < end else best_free
    return free[0] - forced[0]


@functools.cache
def shared_segmenter() -> Segmenter:
    """The process's segmenter (built on first use, not at import)."""
    return Segmenter()
