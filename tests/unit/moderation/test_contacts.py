"""Contact details used as advertising are found with their exact span; the numbers of ordinary
government prose are not; the quick, windowed search answers as a scan of everything would."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.contacts import find_contacts, scan_everything

PROSE = Path(__file__).resolve().parents[2] / "fixtures" / "prose"

# (text, pattern, what the span holds)
CONTACTS = [
    ("欢迎订购，联系电话：13812345678。", "mobile", "13812345678"),
    ("手机 138-1234-5678 微信同号", "mobile", "138-1234-5678"),
    ("手机138 1234 5678", "mobile", "138 1234 5678"),
    ("手机 1 3 8 1 2 3 4 5 6 7 8 详询", "mobile", "1 3 8 1 2 3 4 5 6 7 8"),
    ("手机：１３８１２３４５６７８", "mobile", "１３８１２３４５６７８"),
    ("电话一三八一二三四五六七八", "mobile", "一三八一二三四五六七八"),
    ("拨打+86 13912345678咨询", "mobile", "+86 13912345678"),
    ("热线：0571-87654321", "landline", "0571-87654321"),
    ("电话（0571）87654321", "landline", "（0571）87654321"),
    ("订购请致电 010-8765-4321", "landline", "010-8765-4321"),
    ("全国服务热线400-888-1234", "hotline", "400-888-1234"),
    ("QQ：12345678", "qq", "QQ：12345678"),
    ("加扣扣 98765432 领取", "qq", "扣扣 98765432"),
    ("Q号:1234567890", "qq", "Q号:1234567890"),
    ("ｑｑ群 5566778899", "qq", "ｑｑ群 5566778899"),
    ("企鹅号：10001234", "qq", "企鹅号：10001234"),
    ("加微信：abc_123456", "wechat", "微信：abc_123456"),
    ("vx: shop888888 下单", "wechat", "vx: shop888888"),
    ("V信 zhaoshang2024", "wechat", "V信 zhaoshang2024"),
    ("薇信号 meimei_520", "wechat", "薇信号 meimei_520"),
    ("邮箱 sales@example.com 联系", "email", "sales@example.com"),
    ("投稿邮箱：ｂｕｙ＠ｓｈｏｐ．ｃｏｍ", "email", "ｂｕｙ＠ｓｈｏｐ．ｃｏｍ"),
    ("详见 https://www.example.com/buy?id=1 了解", "link", "https://www.example.com/buy?id=1"),
    ("访问www.haoyun888.com领取", "link", "www.haoyun888.com"),
    ("登录 lucky88.vip 注册", "link", "lucky88.vip"),
    ("详情咨询：87654321", "solicit", "详情咨询：87654321"),
    ("咨询请拨打 8765 4321", "solicit", "咨询请拨打 8765 4321"),
]


@pytest.mark.parametrize(("text", "name", "span"), CONTACTS, ids=[t for t, _, _ in CONTACTS])
def test_contact_details_are_found_with_their_span(text: str, name: str, span: str) -> None:
    found = find_contacts(text)
    assert [(c.name, text[c.start:c.end]) for c in found] == [(name, span)]


GOVERNMENT_NUMBERS = [
    "关于印发《若干政策》的通知（青政发〔2024〕12号）",
    "市经信发〔2023〕145号文件要求",
    "2024年11月20日上午9时30分召开会议",
    "2023-2024年度先进集体名单",
    "规模以上工业增加值同比增长7.8%，高于全省1.2个百分点",
    "全年完成工业投资13812345678元",
    "实现营业收入15900000000元，利润总额1380000000元",
    "全市工业用电量达到13512345678千瓦时",
    "完成产量13800000吨，同比增长12.3%",
    "服务企业138123家次，解决问题15678个",
    "全市共有规上企业2365家，从业人员318650人",
    "统一社会信用代码91330100MA2B3C4D5E",
    "邮政编码310012",
    "对比度达到1000000:1，亮度2000尼特",
    "项目编号2024-0312-0001",
    "第12345678号专利证书",
    "关注“青山发布”微信公众号，了解最新政策",
    "政策原文见市政府网站 www.qingshan.gov.cn 的政策文件栏目",
    "来信请寄 jxw@qingshan.gov.cn",
    "5G、AI、LED、GDP、CPI等英文缩写",
    "年产能1380万套，产值15.6亿元",
    "一二三产业协调发展，二〇二四年是关键之年",
]


@pytest.mark.parametrize("text", GOVERNMENT_NUMBERS)
def test_ordinary_numbers_of_government_prose_are_not_contact_details(text: str) -> None:
    assert find_contacts(text) == []


def _corpus() -> list[str]:
    texts = [t for t, _, _ in CONTACTS] + GOVERNMENT_NUMBERS
    for path in sorted(PROSE.glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
    texts.append("".join(t for t, _, _ in CONTACTS))  # many in one text, windows overlapping
    return texts


def test_the_windowed_search_finds_what_a_scan_of_everything_finds() -> None:
    for text in _corpus():
        assert find_contacts(text) == scan_everything(text), text[:40]


def test_a_phone_number_inside_a_solicitation_is_reported_once_as_the_number() -> None:
    text = "联系电话：13812345678"
    assert [(c.name, text[c.start:c.end]) for c in find_contacts(text)] == [
        ("mobile", "13812345678")]


def test_empty_and_number_free_texts_give_nothing() -> None:
    assert find_contacts("") == []
    assert find_contacts("没有任何数字的一句话。") == []
