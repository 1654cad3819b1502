"""The pure parts of documents, features and search: download names, office dates, jieba terms,
the list sheet."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest

from publisher.documents.downloads import content_disposition, download_headers
from publisher.documents.views import human_size, office_date, office_time
from publisher.features.sheet import read_rows
from publisher.search.limits import RateLimit
from publisher.search.terms import index_terms, query_terms
from services.refusals import Invalid, TooMany
from tests.documents_support import xlsx_bytes


def test_a_chinese_download_name_is_written_as_rfc_5987_with_an_ascii_fallback() -> None:
    name = "技术改造专项资金管理办法（2025年修订）.pdf"
    header = content_disposition(name)
    assert header.startswith('attachment; filename="')
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and fallback.endswith(".pdf")
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == name
    assert "\n" not in content_disposition("a\nb.pdf").split("''")[1]


def test_a_file_is_served_as_a_download_of_its_type() -> None:
    media, headers = download_headers("files/3/abcdef/项目申报表.docx")
    assert media.endswith("wordprocessingml.document")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert download_headers("files/3/abcdef/x.html")[0] == "application/octet-stream"


def test_dates_are_written_as_an_office_writes_them() -> None:
    assert office_date(dt.date(2025, 12, 2)) == "2025年12月2日"
    assert office_time(dt.datetime(2025, 12, 2, 1, 30, tzinfo=dt.UTC), "Asia/Shanghai") == \
        "2025年12月2日 09:30"
    assert human_size(2048) == "2 KB" and human_size(3 * 1024 * 1024) == "3.0 MB"


def test_query_words_are_among_the_terms_of_a_text_that_holds_them() -> None:
    terms = index_terms("青山县召开工业经济运行分析会", "市经信发〔2025〕12号")
    for word in ("工业", "经济", "运行", "分析", "2025", "12"):
        assert word in terms, word
    assert set(query_terms("工业经济运行")) <= terms
    assert set(query_terms("市经信发〔2025〕12号")) <= terms
    assert "〔" not in terms and "，" not in terms
    assert query_terms("  ，。 ") == []


def test_the_list_sheet_is_read_by_its_headings() -> None:
    rows = read_rows(xlsx_bytes([["排名", "企业名称", "产值（亿元）", "推荐理由", "网站"],
                                 [2, "乙公司", 9.5, "第二", "javascript:alert(1)"],
                                 [1, "甲公司", 12, "第一", "https://jia.example.com"]]), "a.xlsx")
    assert [(r.rank, r.name, r.figures) for r in rows] == [
        (1, "甲公司", (("产值（亿元）", "12"),)), (2, "乙公司", (("产值（亿元）", "9.5"),))]
    assert rows[0].website == "https://jia.example.com" and rows[1].website == ""
    with pytest.raises(Invalid):
        read_rows("排名,企业\n一,甲\n".encode(), "a.csv")


def test_a_csv_with_old_mac_line_ends_is_read_and_a_broken_one_refused() -> None:
    # a lone carriage return ends a line (it was a 500 once, found by the schemathesis test)
    rows = read_rows("排名,企业\r1,华远机械\r".encode(), "a.csv")
    assert [row.name for row in rows] == ["华远机械"]
    with pytest.raises(Invalid):
        read_rows(b"\r0", "a.csv")  # one row: no headings to read it by
    with pytest.raises(Invalid, match="CSV"):
        read_rows(b'"' + b"x" * 200_000, "a.csv")  # a field past the reader's limit


def test_a_client_past_its_searches_a_minute_is_told_when_to_come_back() -> None:
    now = [1000.0]
    limit = RateLimit(2, clock=lambda: now[0])
    limit.check("a")
    limit.check("a")
    limit.check("b")
    with pytest.raises(TooMany) as refused:
        limit.check("a")
    assert refused.value.headers == {"Retry-After": "61"}
    now[0] += 61
    limit.check("a")
