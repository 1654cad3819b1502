"""Word boundaries from jieba, for telling a real hit from one that straddles two words.

jieba's tokenizer takes about half a second to build, so a process builds one and keeps it.
The lexicon's words are made known to it (so that a listed word is read as a word where it can
be), and when the lexicon changes only the words that came or went are updated: a word added
gets jieba's suggested frequency, a word removed gets back the frequency it had before (or none).
Segmentation runs without the HMM, so it depends on the dictionary alone and is repeatable.
"""

from __future__ import annotations

import functools
import logging
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
                return
            tokenizer = self._ready()
            for word in self._words - words:
                self._set_freq(tokenizer, word, self._before.pop(word, 0))
            for word in sorted(words - self._words):
                self._before[word] = tokenizer.FREQ.get(word, 0)
                self._set_freq(tokenizer, word, tokenizer.suggest_freq(word, tune=False))
            self._words = frozenset(words)
            self.updates += 1

    def boundaries(self, words: Set[str], text: str) -> set[int]:
        """The offsets in ``text`` where jieba, knowing ``words``, puts a word boundary."""
        with self._lock:
            self.use(words)
            tokenizer = self._ready()
            bounds = {0, len(text)}
            for _, _, end in tokenizer.tokenize(text, HMM=False):
                bounds.add(end)
            return bounds


@functools.cache
def shared_segmenter() -> Segmenter:
    """The process's segmenter (built on first use, not at import)."""
    return Segmenter()
