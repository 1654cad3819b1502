"""Letters and digits written in another style (circled, parenthesised, full stop, superscript,
mathematical, Roman, Chinese and financial numerals, l/I/O for digits) hide neither a listed
word nor a phone number, and the finding still names the span written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from moderation.contact_words import ContactWordsError, read_contact_words
from moderation.contacts import find_contacts, scan_everything
from moderation.normalise import normalise
from moderation.text import LexiconEntry, TextScreener

# (as written, as matched)
STYLED_WORDS = [
    ("ⓋⓅⓃ", "vpn"),  # circled capitals (a symbol, kept for the letter it is)
    ("ⓥⓟⓝ", "vpn"),  # circled small letters
    ("⒱⒫⒩", "vpn"),  # parenthesised
    ("🄥🄟🄝", "vpn"),  # parenthesised capitals, beyond the basic plane
    ("🅅🄿🄽", "vpn"),  # squared
    ("𝐕𝐏𝐍", "vpn"),  # mathematical bold
    ("𝓿𝓹𝓷", "vpn"),  # mathematical script
    ("𝕧𝕡𝕟", "vpn"),  # double-struck
    ("ᵛᵖⁿ", "vpn"),  # superscript letters
    ("ⅤＰＮ", "vpn"),  # a Roman numeral five and full-width letters
    ("㊥国", "中国"),  # a circled ideograph
    ("⑴⒉③⁴₅𝟔", "123456"),  # parenthesised, full stop, circled, super, sub, mathematical
    ("㈠㊁", "一二"),
]


@pytest.mark.parametrize(("written", "matched"), STYLED_WORDS, ids=[w for w, _ in STYLED_WORDS])
def test_a_styled_letter_or_digit_is_matched_as_itself(written: str, matched: str) -> None:
    norm = normalise(written)
    assert norm.text == matched
    assert norm.span(0, len(matched)) == (0, len(written))  # one character for one


def test_what_is_not_one_letter_or_digit_stays_noise() -> None:
    # a degree sign with its letter, a unit of two letters, a trade mark: not words of the text
    assert normalise("30℃，120㎡，品牌™").text == "30120品牌"


SCREENER = TextScreener([LexiconEntry("vpn", "circumvention", "block"),
                         LexiconEntry("翻墙软件", "circumvention", "block")])


@pytest.mark.parametrize(("text", "span"), [
    ("下载ⓋⓅⓃ加速器", "ⓋⓅⓃ"),
    ("免费𝐕𝐏𝐍，", "𝐕𝐏𝐍"),
    ("好用的⒱⒫⒩软件", "⒱⒫⒩"),
    ("好用的 🅅🄿🄽 软件", "🅅🄿🄽"),
])
def test_a_styled_listed_word_is_found_at_its_span_and_goes_to_a_person(text: str,
                                                                         span: str) -> None:
    [finding] = SCREENER.screen_field("body", text)
    assert finding.match == span and text[finding.start:finding.end] == span
    assert finding.normalised_only and finding.action == "flag"


# (text, pattern, the span)
STYLED_NUMBERS = [
    ("电话：①③⑧①②③④⑤⑥⑦⑧", "mobile", "①③⑧①②③④⑤⑥⑦⑧"),
    ("电话：⑴⑶⑻⑴⑵⑶⑷⑸⑹⑺⑻", "mobile", "⑴⑶⑻⑴⑵⑶⑷⑸⑹⑺⑻"),
    ("电话：⒈⒊⒏⒈⒉⒊⒋⒌⒍⒎⒏", "mobile", "⒈⒊⒏⒈⒉⒊⒋⒌⒍⒎⒏"),
    ("电话：❶❸❽❶❷❸❹❺❻❼❽", "mobile", "❶❸❽❶❷❸❹❺❻❼❽"),
    ("手机¹³⁸¹²³⁴⁵⁶⁷⁸", "mobile", "¹³⁸¹²³⁴⁵⁶⁷⁸"),
    ("手机₁₃₈₁₂₃₄₅₆₇₈", "mobile", "₁₃₈₁₂₃₄₅₆₇₈"),
    ("手机𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "mobile", "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖"),
    ("手机𝟙𝟛𝟠 𝟙𝟚𝟛𝟜 𝟝𝟞𝟟𝟠", "mobile", "𝟙𝟛𝟠 𝟙𝟚𝟛𝟜 𝟝𝟞𝟟𝟠"),
    ("手机ⅠⅢⅧⅠⅡⅢⅣⅤⅥⅦⅧ", "mobile", "ⅠⅢⅧⅠⅡⅢⅣⅤⅥⅦⅧ"),
    ("手机㊀㊂㊇㊀㊁㊂㊃㊄㊅㊆㊇", "mobile", "㊀㊂㊇㊀㊁㊂㊃㊄㊅㊆㊇"),
    ("手机㈠㈢㈧㈠㈡㈢㈣㈤㈥㈦㈧", "mobile", "㈠㈢㈧㈠㈡㈢㈣㈤㈥㈦㈧"),
    ("电话壹叁捌壹贰叁肆伍陆柒捌", "mobile", "壹叁捌壹贰叁肆伍陆柒捌"),
    ("电话幺三八幺二三四五六七八", "mobile", "幺三八幺二三四五六七八"),
    ("QQ：二零六七八九一二", "qq", "QQ：二零六七八九一二"),
    ("扣扣〡〢〣〤〥〦〧〨", "qq", "扣扣〡〢〣〤〥〦〧〨"),
    ("手机：l38l2345678", "mobile", "l38l2345678"),
    ("手机 I38 O123 4567", "mobile", "I38 O123 4567"),
    ("手机 138 l 234 567o", "mobile", "138 l 234 567o"),
    ("ⓠⓠ：12345678", "qq", "ⓠⓠ：12345678"),
    ("热线 4OO-888-l234", "hotline", "4OO-888-l234"),
]


@pytest.mark.parametrize(("text", "name", "span"), STYLED_NUMBERS,
                         ids=[t for t, _, _ in STYLED_NUMBERS])
def test_a_number_in_any_style_is_a_contact_at_its_span(text: str, name: str,
                                                        span: str) -> None:
    found = find_contacts(text)
    assert [(c.name, text[c.start:c.end]) for c in found] == [(name, span)]
    assert scan_everything(text) == found


# letters stand for digits only in a word that is otherwise a number
NOT_NUMBERS = [
    "iPhone 15于2024年9月发布，销量12345678台",
    "推行O2O模式，覆盖门店1380家",
    "PM2.5平均浓度下降12.3%",
    "建成5G基站1200个，IPv6用户13800000户",
    "通过ISO9001认证，Windows 10系统",
    "l型钢材产量138吨，Io接口 12345 个",
    "hello 2024 lol，office 13800 元",
    "Ⅱ期工程投资12亿元，Ⅲ类水质达标率98.5%",
    "㈠ 总体要求 ㈡ 主要任务 ㈢ 保障措施",
    "第①项、第②项、第③项任务已完成",
]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_letters_and_styled_digits_in_honest_text_are_no_contact(text: str) -> None:
    assert find_contacts(text) == [] and scan_everything(text) == []


# symbols and variants standing for the words of contact phrases (moderation/data/contact_words.tsv)
SYMBOLS = [
    ("加❤信：abc123456", "wechat", "❤信：abc123456"),
    ("加❤️信 zhaoshang2024", "wechat", "❤️信 zhaoshang2024"),  # with the emoji selector
    ("微★ abc_123456 详谈", "wechat", "微★ abc_123456"),
    ("➕V：shop888888", "wechat", "➕V：shop888888"),
    ("＋ｖ：shop888888", "wechat", "＋ｖ：shop888888"),
    ("vx信 abcdef123", "wechat", "vx信 abcdef123"),
    ("加wei信：abcdef1", "wechat", "wei信：abcdef1"),
    ("绿泡泡：meimei_520", "wechat", "绿泡泡：meimei_520"),
    ("嶶信号 meimei_520", "wechat", "嶶信号 meimei_520"),
    ("☎：87654321", "solicit", "☎：87654321"),
    ("预订📞 87654321", "solicit", "📞 87654321"),
    ("联系☎ 87654321", "solicit", "联系☎ 87654321"),
    ("+我 87654321 领取", "solicit", "+我 87654321"),
    ("秋秋 12345678", "qq", "秋秋 12345678"),
    ("🐧：12345678", "qq", "🐧：12345678"),
    ("q扣 12345678", "qq", "q扣 12345678"),
    ("1️⃣3️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", "mobile", "1️⃣3️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8"),
]


@pytest.mark.parametrize(("text", "name", "span"), SYMBOLS, ids=[t for t, _, _ in SYMBOLS])
def test_a_symbol_or_variant_for_a_contact_word_is_found(text: str, name: str, span: str) -> None:
    found = find_contacts(text)
    assert [(c.name, text[c.start:c.end]) for c in found] == [(name, span)]
    assert scan_everything(text) == found


HONEST_SYMBOLS = [
    "欢迎关注“青山发布”微信公众号，了解最新政策",
    "荣获五星★级企业称号，服务热线电话12345",
    "我❤青山，共建美丽家园",
    "提高威信，维护稳定，加强微信群管理",
    "★重点项目★ 完成投资12亿元",
    "☎ 政务服务便民热线 12345",
    "加快推进“企业上云”，新增上云企业1380家",
]


@pytest.mark.parametrize("text", HONEST_SYMBOLS)
def test_symbols_in_honest_text_are_no_contact(text: str) -> None:
    assert find_contacts(text) == [] and scan_everything(text) == []


def test_the_contact_words_are_a_table_of_data(tmp_path: Path) -> None:
    table = tmp_path / "words.tsv"
    table.write_text("# a tea cup for 微\n微\t🍵\n微信\tWX\t(a note)\n", encoding="utf-8")
    words = read_contact_words(table)
    wechat = re.compile(words.regex("微信"))
    for written in ("🍵信", "微 信", "wx", "w x", "微信"):
        assert wechat.fullmatch(written), written
    assert not wechat.fullmatch("❤信")  # only in the shipped table
    table.write_text("微信\n", encoding="utf-8")
    with pytest.raises(ContactWordsError, match=r"words\.tsv:1"):
        read_contact_words(table)
