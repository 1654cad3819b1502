"""One jieba tokenizer per process, told only what changed in the lexicon."""

from __future__ import annotations

from moderation.segment import Segmenter, shared_segmenter
from moderation.text import LexiconEntry, TextScreener


def test_the_process_has_one_segmenter_and_screeners_share_it() -> None:
    a = TextScreener([LexiconEntry("色情", "pornography", "flag")])
    b = TextScreener([LexiconEntry("赌博网站", "gambling", "block")])
    assert a._segmenter is b._segmenter is shared_segmenter()


def test_words_come_and_go_and_a_removed_word_gets_back_its_frequency() -> None:
    segmenter = Segmenter()
    segmenter.use(frozenset())
    tokenizer = segmenter._ready()
    before_total = tokenizer.total
    known = tokenizer.FREQ["成人"]  # in jieba's own dictionary
    rare = tokenizer.FREQ.get("成人高考", 0)
    segmenter.use(frozenset({"成人高考", "成人"}))
    assert tokenizer.FREQ["成人高考"] > rare
    assert tokenizer.FREQ["成人"] >= known
    segmenter.use(frozenset({"成人高考"}))  # only 成人 changes
    assert tokenizer.FREQ["成人"] == known
    segmenter.use(frozenset())
    assert tokenizer.FREQ["成人高考"] == rare
    assert tokenizer.total == before_total
    assert segmenter.updates == 3  # the first use of the empty set changed nothing


def test_an_unchanged_word_set_costs_no_update() -> None:
    segmenter = Segmenter()
    words = frozenset({"成人高考"})
    segmenter.use(words)
    updates = segmenter.updates
    segmenter.straddle_cost(words, "今年成人高考报名", 2, 4)
    segmenter.use(frozenset({"成人高考"}))
    assert segmenter.updates == updates


def test_straddling_costs_more_than_a_real_word() -> None:
    segmenter = shared_segmenter()
    assert segmenter.straddle_cost(frozenset(), "网站含有色情内容", 4, 6) == 0
    assert segmenter.straddle_cost(frozenset(), "学校开展特色情景教学", 5, 7) > 5
