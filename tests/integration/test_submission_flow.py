"""An informant's upload travels the whole embedded pipeline: screened, published, scored."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from services.settings import Settings
from tests.conftest import City
from tests.support import article, gps_exif, photo


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every flow here runs on the embedded SQLite and on PostgreSQL."""
    url = "" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    return Settings(data_dir=tmp_path / "var", database_url=url,  # type: ignore[call-arg]
                    _env_file=None)

ARTICLE = ("11月20日，青山县召开全县工业经济运行分析会，总结前三季度工业经济运行情况。"
           "前三季度全县规模以上工业增加值同比增长8.2%，高于全市平均水平。")
# a different article: the same text sent by a second unit would be a duplicate of the first
OTHER_ARTICLE = ("临江区举办中小企业数字化转型培训班，邀请专家讲解工业互联网平台应用，"
                 "全区六十余家规模以上企业的负责人参加培训。")


def test_article_with_two_photos_is_published_and_scored(city: City) -> None:
    p = city.pipeline
    response = p.upload(city.informant, title="青山县召开工业经济运行分析会", body=ARTICLE,
                        photos=[photo(seed=1), photo(seed=2)], captions=["会议现场", "项目工地"])
    assert response.status_code == 202
    assert response.json()["status"] == "received"
    submission_id = response.json()["id"]

    p.settle()

    item = p.get(f"/api/submissions/{submission_id}", city.informant).json()
    assert item["status"] == "published"
    assert item["url"].endswith(f"/site/articles/{submission_id}.html")
    assert item["findings"] == []
    assert [ph["caption"] for ph in item["photos"]] == ["会议现场", "项目工地"]

    page = p.client.get(f"/site/articles/{submission_id}.html")
    assert page.status_code == 200
    assert "青山县召开工业经济运行分析会" in page.text
    assert "会议现场" in page.text
    home = p.client.get("/site/index.html").text
    assert f"articles/{submission_id}.html" in home

    scores = p.get("/api/scores", city.informant).json()
    qingshan = next(u for u in scores["units"] if u["unit"] == "qingshan")
    assert qingshan["points"] == 2 and qingshan["rank"] == 1
    ledger = p.get("/api/scores/ledger", city.informant).json()
    assert [(line["rule"], line["points"]) for line in ledger["lines"]] == [
        ("published.article", 2)]


def test_published_photos_carry_no_exif_or_gps_and_stand_upright(city: City) -> None:
    p = city.pipeline
    portrait_on_its_side = photo(size=(1600, 1200), exif=gps_exif(orientation=6))
    response = p.upload(city.informant, kind="photo", title="临江大桥合龙",
                        photos=[portrait_on_its_side])
    p.settle()
    item = p.get(f"/api/submissions/{response.json()['id']}", city.informant).json()
    assert item["status"] == "published"
    page = p.client.get(f"/site/articles/{item['id']}.html")
    found = re.search(rf'src="\.\./(photos/{item["id"]}/\w+-0-web\.jpg)"', page.text)
    assert found is not None
    web_key = found.group(1)
    served = p.client.get(f"/site/{web_key}")
    assert served.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(served.content))
    assert image.getexif() == {}  # no camera, no GPS
    assert image.height > image.width  # orientation 6 applied: the photo stands upright


def test_article_with_contact_details_waits_for_a_moderator(city: City) -> None:
    p = city.pipeline
    body = "我公司新品上市，欢迎订购。联系电话：13812345678，QQ：12345678。"
    sid = p.upload(city.enterprise, title="新品上市", body=body).json()["id"]
    p.settle()

    item = p.get(f"/api/submissions/{sid}", city.enterprise).json()
    assert item["status"] == "flagged"
    matched = {f["rule"]: body[f["start"]:f["end"]] for f in item["findings"]}
    assert matched["pattern:mobile"] == "13812345678"
    assert "12345678" in matched["pattern:qq"]

    queue = p.get("/api/moderation/queue", city.moderator).json()
    assert [i["id"] for i in queue["items"]] == [sid]
    assert queue["counts"] == {"advertising": 1}
    assert all(f["excerpt"] for f in queue["items"][0]["findings"])

    decided = p.post(f"/api/moderation/{sid}/decision", city.moderator,
                     {"action": "reject", "reason": "含广告联系方式"})
    assert decided.status_code == 200
    p.settle()
    item = p.get(f"/api/submissions/{sid}", city.enterprise).json()
    assert item["status"] == "rejected" and item["reason"] == "含广告联系方式"
    assert p.get("/api/moderation/queue", city.moderator).json()["items"] == []
    assert p.get("/api/scores/ledger", city.admin).json()["lines"] == []
    again = p.post(f"/api/moderation/{sid}/decision", city.moderator, {"action": "approve"})
    assert again.status_code == 409


def test_moderator_approval_publishes_a_flagged_item(city: City) -> None:
    p = city.pipeline
    body = "详情咨询电话：0571-88776655。"
    sid = p.upload(city.informant, title="招商推介会", body=body).json()["id"]
    p.settle()
    assert p.get(f"/api/submissions/{sid}", city.informant).json()["status"] == "flagged"
    assert p.post(f"/api/moderation/{sid}/decision", city.moderator,
                  {"action": "approve"}).status_code == 200
    p.settle()
    assert p.get(f"/api/submissions/{sid}", city.informant).json()["status"] == "published"
    audit = p.get("/api/audit", city.admin).json()["entries"]
    assert audit[0]["action"] == "decision.approve" and audit[0]["actor_name"] == "周敏"


def test_blocked_word_rejects_at_once_with_the_word_as_reason(city: City) -> None:
    p = city.pipeline
    sid = p.upload(city.informant, title="通知", body="本站提供代开发票服务。").json()["id"]
    p.settle()
    item = p.get(f"/api/submissions/{sid}", city.informant).json()
    assert item["status"] == "rejected"
    assert "代开发票" in item["reason"]


def test_returned_item_is_revised_and_linked_to_the_original(city: City) -> None:
    p = city.pipeline
    body = "报名请加微信 abc12345 咨询。"
    sid = p.upload(city.informant, title="活动报道", body=body).json()["id"]
    p.settle()
    p.post(f"/api/moderation/{sid}/decision", city.moderator,
           {"action": "return", "reason": "请删去联系方式"})
    p.settle()
    assert p.get(f"/api/submissions/{sid}", city.informant).json()["status"] == "returned"

    revised = p.upload(city.informant, title="活动报道", body="活动圆满结束。",
                       path=f"/api/submissions/{sid}/revision")
    assert revised.status_code == 202
    new_id = revised.json()["id"]
    p.settle()
    assert p.get(f"/api/submissions/{new_id}", city.informant).json()["revision_of"] == sid
    assert p.get(f"/api/submissions/{sid}", city.informant).json()["revisions"] == [new_id]
    assert p.get(f"/api/submissions/{new_id}", city.informant).json()["status"] == "published"
    twice = p.upload(city.informant, title="活动报道", body="再改一次。",
                     path=f"/api/submissions/{sid}/revision")
    assert twice.status_code == 409


def test_retraction_takes_the_page_down_and_reverses_the_points(city: City) -> None:
    p = city.pipeline
    sid = p.upload(city.informant, title="待撤稿件", body=ARTICLE).json()["id"]
    p.settle()
    assert p.client.get(f"/site/articles/{sid}.html").status_code == 200
    assert p.post(f"/api/submissions/{sid}/retract", city.moderator,
                  {"reason": "数据有误"}).status_code == 200
    p.settle()
    assert p.client.get(f"/site/articles/{sid}.html").status_code == 404
    assert f"articles/{sid}.html" not in p.client.get("/site/index.html").text
    assert p.get(f"/api/submissions/{sid}", city.informant).json()["status"] == "retracted"
    lines = p.get("/api/scores/ledger", city.admin).json()["lines"]
    # the reversal names the rule whose points it takes back, and the event that caused it
    assert [(line["rule"], line["points"], line["event_type"]) for line in lines] == [
        ("published.article", 2, "submission.published"),
        ("published.article", -2, "submission.retracted")]
    assert lines[1]["note"].startswith("撤稿")


def test_lead_item_is_on_the_home_page(city: City) -> None:
    p = city.pipeline
    first = p.upload(city.informant, title="头条候选一", body=ARTICLE).json()["id"]
    second = p.upload(city.informant2, title="头条候选二", body=OTHER_ARTICLE).json()["id"]
    p.settle()
    assert p.post(f"/api/submissions/{second}/lead", city.moderator).status_code == 200
    p.settle()
    home = p.client.get("/site/index.html").text
    lead_section = home.split('<section class="lead">', 1)[1].split("</section>", 1)[0]
    assert "头条候选二" in lead_section and "头条候选一" not in lead_section
    assert p.post(f"/api/submissions/{first}/lead", city.informant).status_code == 403


def test_quotas_count_what_each_unit_sent_this_month(city: City) -> None:
    p = city.pipeline
    for n in range(2):
        p.upload(city.informant, title=f"文章{n}", body=article(n))
    for n in range(3):
        p.upload(city.informant, kind="photo", title=f"图片{n}", photos=[photo(seed=n)])
    p.upload(city.informant2, title="一篇", body=ARTICLE)
    p.settle()
    quotas = {u["unit"]: u for u in p.get("/api/quotas", city.informant).json()["units"]}
    assert quotas["qingshan"]["articles"] == 2 and quotas["qingshan"]["photos"] == 3
    assert quotas["qingshan"]["met"] is True
    assert quotas["linjiang"]["met"] is False
    assert quotas["huayuan"]["required"] == {"articles": 1, "photos": 0}


def test_informants_see_only_their_own_unit(city: City) -> None:
    p = city.pipeline
    sid = p.upload(city.informant, title="本单位稿件", body=ARTICLE).json()["id"]
    assert p.get(f"/api/submissions/{sid}", city.informant2).status_code == 404
    assert p.get(f"/api/submissions/{sid}", city.moderator).status_code == 200
    assert p.get("/api/submissions", city.informant2).json()["items"] == []
    assert p.get("/api/submissions", city.informant2, unit="qingshan").status_code == 403
    assert p.get("/api/scores/ledger", city.informant2, unit="qingshan").status_code == 403
