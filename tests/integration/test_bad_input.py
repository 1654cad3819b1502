"""Bad input gets a clear 4xx and changes nothing; a retry with the same key is one submission."""

from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image

from ingest.models import Submission
from services.settings import Settings
from tests.conftest import City
from tests.support import Pipeline, huge_png_header, photo

BODY = "青山县今年以来实施技改项目32个，完成投资12.6亿元。"


def _count(p: Pipeline) -> int:
    with p.ctx.db.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Submission)) or 0


def test_500_megapixel_png_is_refused_from_its_header(city: City) -> None:
    p = city.pipeline
    bomb = huge_png_header(25_000, 20_000)
    response = p.upload(city.informant, kind="photo", title="大图", photos=[bomb],
                        filenames=["bomb.png"])
    assert response.status_code == 413
    assert "像素" in response.json()["detail"]
    assert _count(p) == 0
    assert list(p.ctx.uploads.list()) == []  # nothing stored either


def test_bilevel_bombs_are_capped_by_the_pixels_of_the_whole_submission(city: City) -> None:
    # each 40-megapixel 1-bit PNG is within every per-photo limit, and a few kilobytes; four of
    # them (160 megapixels) are more than a submission may bring (a setting, 120 by default)
    p = city.pipeline
    sheet = io.BytesIO()
    Image.new("1", (8000, 5000), 1).save(sheet, "PNG")
    response = p.upload(city.informant, kind="photo", title="扫描件", photos=[sheet.getvalue()] * 4,
                        filenames=[f"scan{n}.png" for n in range(4)])
    assert response.status_code == 413, response.text
    assert "每篇" in response.json()["detail"]
    assert _count(p) == 0 and list(p.ctx.uploads.list()) == []


def test_text_file_named_jpg_is_unsupported_media(city: City) -> None:
    p = city.pipeline
    response = p.upload(city.informant, kind="photo", title="伪装的图片",
                        photos=["这不是图片，只是文字。".encode()], filenames=["photo.jpg"])
    assert response.status_code == 415
    assert "photo.jpg" in response.json()["detail"]
    assert _count(p) == 0


def test_truncated_jpeg_is_rejected_with_the_reason(city: City) -> None:
    p = city.pipeline
    whole = photo(seed=3)
    response = p.upload(city.informant, kind="photo", title="半张图",
                        photos=[whole[: len(whole) // 2]])
    assert response.status_code == 202  # the header is sound: only a full decode tells
    p.settle()
    item = p.get(f"/api/submissions/{response.json()['id']}", city.informant).json()
    assert item["status"] == "rejected"
    assert "损坏" in item["reason"]
    assert item["findings"][0]["rule"] == "photo:integrity"
    assert p.client.get("/healthz").status_code == 200


def test_missing_and_invalid_fields_are_422_with_a_chinese_message(city: City) -> None:
    p = city.pipeline
    cases = [
        ({"kind": "video", "title": "x"}, "kind"),
        ({"kind": "article", "title": ""}, "标题"),
        ({"kind": "article", "title": "无正文"}, "正文"),
        ({"kind": "article", "title": "栏目", "body": BODY, "column": "sports"}, "栏目"),
        ({"kind": "photo", "title": "无图"}, "照片"),
    ]
    for fields, word in cases:
        response = p.client.post("/api/submissions", data=fields,
                                 headers={"Authorization": f"Bearer {city.informant}"})
        assert response.status_code == 422, fields
        assert word in response.json()["detail"], response.json()
    assert _count(p) == 0


def test_limits_are_settings_and_give_413(tmp_path: object) -> None:
    from pathlib import Path

    settings = Settings(data_dir=Path(str(tmp_path)) / "var", max_photos=2,  # type: ignore[call-arg]
                        max_photo_bytes=50_000, max_body_chars=100, max_title_chars=10,
                        _env_file=None)
    p = Pipeline(settings)
    p.unit("qingshan", "青山县经济和信息化局")
    token = p.user("王晓明", unit="qingshan")
    try:
        assert p.upload(token, kind="photo", title="三张",
                        photos=[photo((200, 200), seed=i) for i in range(3)]).status_code == 413
        big = photo((3000, 3000), seed=9)
        assert len(big) > 50_000
        assert p.upload(token, kind="photo", title="大", photos=[big]).status_code == 413
        assert p.upload(token, title="长", body="字" * 101).status_code == 413
        assert p.upload(token, title="标题太长了已经超过十个字", body="正文").status_code == 422
        assert _count(p) == 0
    finally:
        p.close()


def test_who_may_do_what(city: City) -> None:
    p = city.pipeline
    no_token = p.client.post("/api/submissions", data={"kind": "article", "title": "x"})
    assert no_token.status_code == 401
    bad = p.upload("bs_not-a-real-token", title="x", body=BODY)
    assert bad.status_code == 401
    assert p.upload(city.moderator, title="审核员不能报送", body=BODY).status_code == 403
    assert p.get("/api/moderation/queue", city.informant).status_code == 403
    assert p.get("/api/audit", city.moderator).status_code == 403
    assert p.get("/api/lexicon", city.moderator).status_code == 403


def test_wrong_content_type_and_broken_multipart(city: City) -> None:
    p = city.pipeline
    headers = {"Authorization": f"Bearer {city.informant}"}
    as_json = p.client.post("/api/submissions", json={"kind": "article"}, headers=headers)
    assert as_json.status_code == 415
    broken = p.client.post(
        "/api/submissions", content=b"--xyz\r\nContent-Disposition: form-data\r\n\r\nvalue",
        headers={**headers, "Content-Type": "multipart/form-data; boundary=xyz"})
    assert broken.status_code == 400
    no_boundary = p.client.post("/api/submissions", content=b"x",
                                headers={**headers, "Content-Type": "multipart/form-data"})
    assert no_boundary.status_code == 400


def test_decisions_and_queries_validate_their_input(city: City) -> None:
    p = city.pipeline
    assert p.post("/api/moderation/999/decision", city.moderator,
                  {"action": "approve"}).status_code == 404
    assert p.post("/api/moderation/1/decision", city.moderator,
                  {"action": "delete"}).status_code == 422
    assert p.get("/api/submissions/not-a-number", city.moderator).status_code == 422
    assert p.get("/api/submissions", city.moderator, status="lost").status_code == 422
    assert p.get("/api/submissions", city.moderator, month="2026-13").status_code == 422
    assert p.get("/api/scores", city.informant, period="last-week").status_code == 422
    assert p.get("/api/quotas", city.informant, month="2026").status_code == 422


def test_retry_with_the_same_idempotency_key_returns_the_first_answer(city: City) -> None:
    p = city.pipeline
    first = p.upload(city.informant, title="网络不好时的重试", body=BODY, photos=[photo()],
                     key="upload-7f3a")
    again = p.upload(city.informant, title="网络不好时的重试", body=BODY, photos=[photo()],
                     key="upload-7f3a")
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(p) == 1
    assert len(list(p.ctx.uploads.list())) == 1
    different = p.upload(city.informant, title="另一篇", body=BODY, key="upload-7f3a")
    assert different.status_code == 422
    other_user = p.upload(city.informant2, title="网络不好时的重试", body=BODY,
                          photos=[photo()], key="upload-7f3a")
    assert other_user.status_code == 202 and other_user.json()["id"] != first.json()["id"]
    p.settle()
    lines = p.get("/api/scores/ledger", city.admin).json()["lines"]
    assert sum(1 for line in lines if line["unit"] == "qingshan") == 1


def test_ids_too_large_for_the_database_are_422_not_a_crash(city: City) -> None:
    p = city.pipeline
    huge = 2**40
    assert p.get(f"/api/submissions/{huge}", city.moderator).status_code == 422
    assert p.post(f"/api/moderation/{huge}/decision", city.moderator,
                  {"action": "approve"}).status_code == 422
    assert p.post(f"/api/submissions/{huge}/retract", city.moderator,
                  {"reason": "x"}).status_code == 422


def test_a_nul_character_is_refused_on_postgresql_too(pg_url: str, tmp_path: object) -> None:
    from pathlib import Path

    p = Pipeline(Settings(data_dir=Path(str(tmp_path)) / "var",  # type: ignore[call-arg]
                          database_url=pg_url, _env_file=None))
    try:
        p.unit("qingshan", "青山县经济和信息化局")
        informant = p.user("王晓明", unit="qingshan")
        moderator = p.user("周敏", role="moderator")
        sid = p.upload(informant, title="广告", body="联系电话：13812345678").json()["id"]
        p.settle()
        refused = p.post(f"/api/moderation/{sid}/decision", moderator,
                         {"action": "reject", "reason": "含\u0000广告"})
        assert refused.status_code == 422
        assert p.get("/api/submissions", moderator, unit="qing\u0000shan").status_code == 422
        assert p.get(f"/api/submissions/{sid}", informant).json()["status"] == "flagged"
    finally:
        p.close()
