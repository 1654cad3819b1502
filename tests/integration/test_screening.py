"""Screening through the HTTP API: duplicates marked with the first item and the distance (on
SQLite and PostgreSQL), a living lexicon shared by independent processes, photos of every
awkward mode published."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image
from typer.testing import CliRunner

from entrypoints.cli import cli
from moderation.lexicon import Lexicon
from services.outbox import OutboxMessage
from services.settings import Settings
from tests.conftest import City
from tests.support import photo

ARTICLE = ("11月20日，青山县召开全县工业经济运行分析会，总结前三季度工业经济运行情况。"
           "前三季度全县规模以上工业增加值同比增长8.2%，高于全市平均水平。"
           "会议要求，各部门要对照年度目标，逐项梳理进度，确保全年目标任务圆满完成。"
           "会议还对安全生产、节能降耗和企业服务等工作作了部署。")


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The banded fingerprint lookup and its lock run on both databases."""
    url = "" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    return Settings(data_dir=tmp_path / "var", database_url=url,  # type: ignore[call-arg]
                    _env_file=None)


def events(city: City, submission: int, event_type: str) -> list[dict[str, Any]]:
    with city.pipeline.ctx.db.session() as session:
        rows = session.scalars(sa.select(OutboxMessage.payload)
                               .where(OutboxMessage.type == event_type)).all()
    found = [json.loads(row)["data"] for row in rows]
    return [data for data in found if data["submission"] == submission]


def upload(city: City, token: str, **form: Any) -> int:
    response = city.pipeline.upload(token, **form)
    assert response.status_code == 202, response.text
    sid: int = response.json()["id"]
    city.pipeline.settle()
    return sid


def test_an_article_sent_again_by_another_unit_is_a_duplicate_of_the_first(city: City) -> None:
    p = city.pipeline
    first = upload(city, city.informant, title="全县工业经济运行分析会", body=ARTICLE)
    lightly_edited = ARTICLE.replace("8.2%", "8.3%").replace("，", "， ")
    copy = upload(city, city.informant2, title="我区转载：工业经济运行分析会", body=lightly_edited)

    assert p.get(f"/api/submissions/{first}", city.admin).json()["status"] == "published"
    item = p.get(f"/api/submissions/{copy}", city.admin).json()
    assert item["status"] == "flagged"  # a person looks at it
    [finding] = [f for f in item["findings"] if f["category"] == "duplicate"]
    assert finding["rule"] == "duplicate:text" and finding["duplicate_of"] == first
    assert 0 <= finding["duplicate_distance"] <= 8
    assert "全县工业经济运行分析会" in finding["message"]

    for event_type in ("submission.screened", "submission.flagged"):
        [data] = events(city, copy, event_type)
        assert data["duplicate_of"] == first
        assert data["duplicate_distance"] == finding["duplicate_distance"]
    [original] = events(city, first, "submission.screened")
    assert original["duplicate_of"] is None

    # approved by a moderator, the copy still says whose it is (scoring awards it nothing)
    assert p.post(f"/api/moderation/{copy}/decision", city.moderator,
                  {"action": "approve"}).status_code == 200
    p.settle()
    [approved] = events(city, copy, "submission.approved")
    assert approved["duplicate_of"] == first
    queue_item = p.get("/api/moderation/queue", city.moderator).json()["items"]
    assert queue_item == []


def test_a_resized_recompressed_photo_is_a_duplicate_and_a_new_one_is_not(city: City) -> None:
    p = city.pipeline
    original = photo((2000, 1500), seed=11)
    first = upload(city, city.informant, kind="photo", title="项目工地", photos=[original])
    smaller = io.BytesIO()
    Image.open(io.BytesIO(original)).resize((1200, 900)).save(smaller, "JPEG", quality=50)
    copy = upload(city, city.enterprise, kind="photo", title="工地一角",
                  photos=[photo((1600, 1200), seed=12), smaller.getvalue()])
    fresh = upload(city, city.informant2, kind="photo", title="新厂房",
                   photos=[photo((1600, 1200), seed=13)])

    item = p.get(f"/api/submissions/{copy}", city.admin).json()
    assert item["status"] == "flagged"
    [finding] = [f for f in item["findings"] if f["category"] == "duplicate"]
    assert finding["rule"] == "duplicate:photo" and finding["photo"] == 1
    assert finding["duplicate_of"] == first and finding["duplicate_photo"] == 0
    assert finding["duplicate_distance"] <= 6
    [screened] = events(city, copy, "submission.screened")
    assert screened["duplicate_of"] == first
    assert p.get(f"/api/submissions/{fresh}", city.admin).json()["status"] == "published"


def test_a_revision_is_not_a_duplicate_of_the_item_it_revises(city: City) -> None:
    p = city.pipeline
    body = ARTICLE + "联系电话：0571-88776655。"  # flagged for the phone number
    first = upload(city, city.informant, title="分析会", body=body)
    assert p.post(f"/api/moderation/{first}/decision", city.moderator,
                  {"action": "return", "reason": "请删去联系方式"}).status_code == 200
    p.settle()
    response = p.upload(city.informant, title="分析会", body=ARTICLE,
                        path=f"/api/submissions/{first}/revision")
    assert response.status_code == 202, response.text
    p.settle()
    revision = response.json()["id"]
    item = p.get(f"/api/submissions/{revision}", city.admin).json()
    assert item["status"] == "published" and item["findings"] == []


def test_an_article_that_only_reuses_a_photo_is_not_a_duplicate_item(city: City) -> None:
    p = city.pipeline
    picture = photo((1600, 1200), seed=21)
    upload(city, city.informant, kind="photo", title="厂区全景", photos=[picture])
    article = upload(city, city.enterprise, title="企业新闻", body=ARTICLE, photos=[picture])
    item = p.get(f"/api/submissions/{article}", city.admin).json()
    assert [f["rule"] for f in item["findings"]] == ["duplicate:photo"]  # for the moderator
    [screened] = events(city, article, "submission.screened")
    assert screened["duplicate_of"] is None  # but the article is its own


def test_a_lexicon_edit_takes_effect_in_another_process_without_a_restart(city: City) -> None:
    p = city.pipeline
    settings = p.ctx.settings
    # a second worker process: its own Lexicon on the same database and file
    other = Lexicon(p.ctx.db, settings.lexicon_path)
    text = "本公司承接各类鉴定评估业务"
    assert other.screener().screen("", text) == []
    version_before = other.screener().version

    added = p.post("/api/lexicon", city.admin,
                   {"word": "鉴定评估", "category": "advertising", "action": "flag"})
    assert added.status_code == 201
    hits = other.screener().screen("", text)
    assert [(h.entry, h.action) for h in hits] == [("鉴定评估", "flag")]
    assert other.screener().version != version_before
    assert hits[0].lexicon_version == other.screener().version

    # and the pipeline's own worker screens with it at once
    sid = upload(city, city.enterprise, title="业务介绍", body=text)
    item = p.get(f"/api/submissions/{sid}", city.admin).json()
    assert item["status"] == "flagged"
    assert item["findings"][0]["lexicon_version"] == other.screener().version

    removed = p.client.delete("/api/lexicon/鉴定评估",
                              headers={"Authorization": f"Bearer {city.admin}"})
    assert removed.status_code == 200
    assert other.screener().screen("", text) == []
    assert other.screener().version == version_before


def test_the_lexicon_api_refuses_single_characters_and_takes_allow_entries(city: City) -> None:
    p = city.pipeline
    refused = p.post("/api/lexicon", city.admin, {"word": "赌", "category": "gambling",
                                                  "action": "block"})
    assert refused.status_code == 422 and "单字" in refused.json()["detail"]
    assert p.post("/api/lexicon", city.admin, {"word": "成人用品展", "category": "benign",
                                               "action": "allow"}).status_code == 201
    assert p.post("/api/lexicon", city.informant, {"word": "测试词条", "category": "x",
                                                   "action": "flag"}).status_code == 403
    listing = p.get("/api/lexicon", city.admin).json()
    assert {"word": "成人用品展", "category": "benign", "action": "allow"} in listing["entries"]
    assert listing["refused"] == []
    assert {e["category"] for e in listing["entries"]} >= {
        "advertising", "fraud", "gambling", "pornography", "rumour", "benign"}


def test_a_bad_line_in_the_lexicon_file_is_refused_with_a_message_and_the_rest_applies(
        tmp_path: Path) -> None:
    from tests.support import Pipeline

    lexicon = tmp_path / "lexicon.tsv"
    lexicon.write_text("赌\tgambling\tblock\n赌博网站\tgambling\tblock\n坏行\n", encoding="utf-8")
    p = Pipeline(Settings(data_dir=tmp_path / "var", lexicon=lexicon,  # type: ignore[call-arg]
                          _env_file=None))
    try:
        admin = p.user("管理员", role="admin")
        listing = p.get("/api/lexicon", admin).json()
        assert [e["word"] for e in listing["entries"]] == ["赌博网站"]
        assert len(listing["refused"]) == 2
        assert "第 1 行" in listing["refused"][0] and "单字" in listing["refused"][0]
        assert "第 3 行" in listing["refused"][1]
    finally:
        p.close()


def test_the_command_line_imports_lists_and_removes_entries(tmp_path: Path,
                                                            settings: Settings) -> None:
    env = {"BAOSONG_DATA_DIR": str(settings.data_dir),
           "BAOSONG_DATABASE_URL": settings.database_url}
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"], env=env).exit_code == 0
    bad = tmp_path / "bad.tsv"
    bad.write_text("好词条\tadvertising\tflag\n坏\tadvertising\tflag\n", encoding="utf-8")
    refused = runner.invoke(cli, ["lexicon", "import", str(bad)], env=env)
    assert refused.exit_code == 2 and "单字" in refused.output
    good = tmp_path / "good.tsv"
    good.write_text("# 导入\n好词条\tadvertising\tflag\n白名单词\tbenign\tallow\n",
                    encoding="utf-8")
    imported = runner.invoke(cli, ["lexicon", "import", str(good)], env=env)
    assert imported.exit_code == 0, imported.output
    listed = runner.invoke(cli, ["lexicon", "list"], env=env).output
    assert "好词条\tadvertising\tflag" in listed and "白名单词\tbenign\tallow" in listed
    assert runner.invoke(cli, ["lexicon", "remove", "好词条"], env=env).exit_code == 0
    assert "好词条" not in runner.invoke(cli, ["lexicon", "list"], env=env).output
    assert runner.invoke(cli, ["lexicon", "add", "单", "--category", "x", "--action",
                               "flag"], env=env).exit_code == 2


@pytest.mark.parametrize("mode", ["CMYK", "I;16", "P"])
def test_cmyk_sixteen_bit_and_palette_photos_are_screened_and_published(city: City,
                                                                         mode: str) -> None:
    seed = {"CMYK": 31, "I;16": 32, "P": 33}[mode]
    base = Image.open(io.BytesIO(photo((1600, 1200), seed=seed)))
    out = io.BytesIO()
    if mode == "CMYK":
        base.convert("CMYK").save(out, "JPEG")
    elif mode == "I;16":
        grey = base.convert("L")
        Image.frombytes("I;16", grey.size, bytes(
            b for v in grey.tobytes() for b in (v, v))).save(out, "PNG")
    else:
        base.convert("P", palette=Image.Palette.ADAPTIVE).save(out, "PNG", transparency=0)
    sid = upload(city, city.informant, kind="photo", title=f"{mode} 照片", photos=[out.getvalue()],
                 filenames=["photo.png" if mode != "CMYK" else "photo.jpg"])
    item = city.pipeline.get(f"/api/submissions/{sid}", city.admin).json()
    assert item["findings"] == [] and item["status"] == "published"


def test_a_qr_code_in_a_photo_reaches_the_moderator_queue_and_a_clean_photo_publishes(
        city: City) -> None:
    from tests.support import photo_with_code

    p = city.pipeline
    coded = upload(city, city.informant, kind="photo", title="新品展示",
                   photos=[photo_with_code("https://u.wechat.com/shop-888", at=(100, 80), seed=41)])
    clean = upload(city, city.informant2, kind="photo", title="车间", photos=[photo(seed=42)])
    queue = {i["id"]: i for i in p.get("/api/moderation/queue", city.moderator).json()["items"]}
    [finding] = queue[coded]["findings"]
    assert finding["rule"] == "photo:code" and finding["text"] == "https://u.wechat.com/shop-888"
    assert "左上" in finding["message"]
    assert clean not in queue
    assert p.get(f"/api/submissions/{clean}", city.admin).json()["status"] == "published"


def test_a_copy_simhash_misses_is_found_by_its_minhash_bands(city: City) -> None:
    from bench.duplicates import pairs
    from moderation.fingerprints import distance, simhash
    from moderation.normalise import normalise

    p = city.pipeline
    [(original, copy)] = [(a, b) for _, kind, a, b in pairs() if kind == "two_numbers_and_a_repeat"
                          and distance(simhash(normalise(a).text),
                                       simhash(normalise(b).text)) > 8][:1]
    first = upload(city, city.informant, title="原稿", body=original)
    second = upload(city, city.informant2, title="改过两个数字的副本", body=copy)
    [finding] = p.get(f"/api/submissions/{second}", city.admin).json()["findings"]
    assert finding["rule"] == "duplicate:text" and finding["entry"] == "minhash"
    assert finding["duplicate_of"] == first and "MinHash" in finding["message"]
