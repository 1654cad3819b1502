"""Screening reads the words the portal will show, through the embedded pipeline: a body that hides
words in markup or character references gets its finding, and on every page the item appears
on (its article page, its column and unit pages, the home page, the feed) its words are the words
screening read."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import html5lib

from services.sanitise import readable_body, readable_line, summary
from tests.conftest import City
from tests.support import photo

ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class Sent:
    title: str
    body: str = ""
    captions: tuple[str, ...] = ()
    finding: str = ""  # what a reader reads where screening must find something


ITEMS = [
    Sent("青山县召开工业经济运行分析会", "&#22312;&#32447;&#36172;&#22330;，欢迎光临。",
         finding="在线赌场"),
    Sent("企业服务月活动启动", "<p>本公司可以<span>代开</span>发票，</p><p>价格从优。</p>",
         finding="代开发票"),
    Sent("项目推进会召开", "项目推进会在线<b></b>赌场召开。", finding="在线赌场"),
    Sent("招商引资签约仪式", "签约仪式现场。详询138<!-- -->12345678", finding="13812345678"),
    Sent("技改项目现场", "<p>工地&nbsp;一角<!-- 待补 --></p><table><tr><td>投资</td>"
         "<td>1.2亿元</td></tr></table>", captions=("项目&#24037;地 138<b></b>1234",)),
    Sent("专精特新企业培育", "“&ldquo;专精特新&rdquo;”<b>企业</b>培育工作稳步推进。\n\n第二段。",
         captions=("会议现场",)),
]


def words(text: str) -> str:
    return "".join(text.split())


def parse(page: str) -> Any:
    return html5lib.parse(page, namespaceHTMLElements=False)


def text_of(element: Any) -> str:
    return words("".join(element.itertext()))


class Read:
    """What screening read of one item: the reader's text of each field."""

    def __init__(self, sent: Sent) -> None:
        self.title = words(readable_line(sent.title).text)
        self.body = words(readable_body(sent.body).text)
        self.captions = [words(readable_line(c).text) for c in sent.captions]
        self.summary = words(summary(sent.body))

    def holds(self, shown: str) -> bool:
        """Whether ``shown`` is a field as read, or the start of the body (a summary)."""
        if shown in (self.title, self.body, *self.captions):
            return True
        return shown == self.summary and self.body.startswith(shown.removesuffix("…"))


def publish(city: City, n: int, sent: Sent) -> int:
    p = city.pipeline
    photos = [photo(seed=100 + 10 * n + i) for i in range(len(sent.captions))]
    response = p.upload(city.informant, kind="photo" if photos and not sent.body else "article",
                        title=sent.title, body=sent.body, photos=photos or None,
                        captions=list(sent.captions) or None)
    assert response.status_code == 202, response.text
    sid: int = response.json()["id"]
    p.settle()
    item = p.get(f"/api/submissions/{sid}", city.moderator).json()
    if sent.finding:
        assert item["status"] == "flagged", item
        assert sent.finding in [f.get("read") or f["match"] for f in item["findings"]], item
        decision = p.post(f"/api/moderation/{sid}/decision", city.moderator,
                          {"action": "approve"})
        assert decision.status_code == 200, decision.text
        p.settle()
    item = p.get(f"/api/submissions/{sid}", city.moderator).json()
    assert item["status"] == "published", item["findings"]
    return sid


def linked(tree: Any, sid: int) -> list[str]:
    """Every piece of the item's words on a listing page: the text of each link to it, and
    the description of each picture in one."""
    shown = []
    for link in tree.iter("a"):
        if not link.get("href", "").endswith(f"articles/{sid}.html"):
            continue
        for image in link.iter("img"):
            shown.append(words(image.get("alt", "")))
        for span in link.iter("span"):
            shown.append(text_of(span))
        if not list(link.iter("span")) and text_of(link):
            shown.append(text_of(link))
    return [s for s in shown if s]


def test_on_every_page_the_words_of_an_item_are_the_words_screening_read(city: City) -> None:
    p = city.pipeline
    published = [(publish(city, n, sent), sent) for n, sent in enumerate(ITEMS)]
    lead = published[1][0]
    assert p.post(f"/api/submissions/{lead}/lead", city.moderator).status_code == 200
    p.settle()

    for sid, sent in published:
        read = Read(sent)
        article = parse(p.client.get(f"/site/articles/{sid}.html").text)
        assert text_of(article.find(".//h1")) == read.title
        if sent.body:
            [body] = [d for d in article.iter("div") if d.get("class") == "article-body"]
            assert text_of(body) == read.body
        assert [text_of(c) for c in article.iter("figcaption")] == read.captions
        for image in article.iter("img"):
            assert read.holds(words(image.get("alt", "")))
        [description] = [m for m in article.iter("meta") if m.get("name") == "description"]
        assert read.holds(words(description.get("content", "")))
        if sent.finding:  # the words screening found are on the page
            assert sent.finding in read.body and sent.finding in text_of(article)

        column = "photo" if sent.captions and not sent.body else "county"
        for page in (f"columns/{column}/index.html", "units/qingshan/index.html", "index.html"):
            shown = linked(parse(p.client.get(f"/site/{page}").text), sid)
            if page != "index.html":
                assert shown, page
            for piece in shown:
                assert read.holds(piece), (page, piece)

        feed = ET.fromstring(p.client.get(f"/site/columns/{column}/feed.atom").content)
        [entry] = [e for e in feed.iter(f"{ATOM}entry")
                   if (e.findtext(f"{ATOM}id") or "").endswith(f"articles/{sid}.html")]
        assert words(entry.findtext(f"{ATOM}title") or "") == read.title
        assert read.holds(words(entry.findtext(f"{ATOM}summary") or ""))

    home = parse(p.client.get("/site/index.html").text)
    [lead_summary] = [e for e in home.iter("p") if e.get("class") == "lead-summary"]
    assert Read(published[1][1]).holds(text_of(lead_summary))


DISGUISED = [
    # (body, the pattern or lexicon rule, what was written there)
    ("订购请加❤信：abc123456，价格从优。", "pattern:wechat", "❤信：abc123456"),
    ("手机 l38l2345678，欢迎来电。", "pattern:mobile", "l38l2345678"),
    ("电话：¹³⁸¹²³⁴⁵⁶⁷⁸", "pattern:mobile", "¹³⁸¹²³⁴⁵⁶⁷⁸"),
    ("QQ：二零六七八九一二", "pattern:qq", "QQ：二零六七八九一二"),
    ("详询☎：87654321", "pattern:solicit", "☎：87654321"),
    ("<p>欢迎光临&#22312;线<b></b>赌场</p>", "lexicon", "&#22312;线<b></b>赌场"),
    ("欢迎访问赌搏网站，注册就送", "lexicon", "赌搏网站"),  # a homophone of a marked entry
    ("认准 dubo网站 注册", "lexicon", "dubo网站"),  # its pinyin
    ("贝者博网站等你来", "lexicon", "贝者博网站"),  # its characters split
]


def test_a_disguised_body_gets_its_finding_through_the_pipeline(city: City) -> None:
    p = city.pipeline
    for body, rule, written in DISGUISED:
        response = p.upload(city.informant, title="企业服务活动", body=body)
        assert response.status_code == 202, response.text
        p.settle()
        item = p.get(f"/api/submissions/{response.json()['id']}", city.moderator).json()
        assert item["status"] == "flagged", (body, item["findings"])
        [finding] = [f for f in item["findings"] if f["rule"] == rule]
        assert finding["match"] == written and body[finding["start"]:finding["end"]] == written
