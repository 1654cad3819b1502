"""Headers and caps on what the portal serves (issue 15, item 5): a content security policy on
the dashboard and the bulletin as on every other page, nosniff on original photos, and a cap on
the number of reason templates."""

from __future__ import annotations

import re
from pathlib import Path

from services.settings import Settings
from tests.conftest import City
from tests.integration.test_web_sign_in import sign_in
from tests.support import Pipeline, photo


def test_the_dashboard_and_the_bulletin_have_a_content_security_policy(city: City) -> None:
    p = city.pipeline
    browser, _ = sign_in(city, city.admin)
    page = browser.get("/dashboard")
    policy = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)  # type: ignore[union-attr]
    assert f'<script nonce="{nonce}">' in page.text and "<script>" not in page.text
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert browser.get("/dashboard").headers["content-security-policy"] != policy  # per answer
    bulletin = p.get("/api/reports/bulletin", city.admin)
    assert bulletin.status_code == 200
    policy = bulletin.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert bulletin.headers["x-content-type-options"] == "nosniff"


def test_an_original_photo_is_sent_with_nosniff(city: City) -> None:
    p = city.pipeline
    sid = p.upload(city.informant, kind="photo", title="厂区全景", photos=[photo((640, 480))],
                   body="").json()["id"]
    p.settle()
    original = p.get(f"/api/moderation/{sid}/photos/0", city.moderator)
    assert original.status_code == 200 and original.headers["content-type"] == "image/jpeg"
    assert original.headers["x-content-type-options"] == "nosniff"


def test_reason_templates_are_capped_by_a_setting(tmp_path: Path) -> None:
    p = Pipeline(Settings(data_dir=tmp_path / "var", max_reason_templates=12,  # type: ignore[call-arg]
                          _env_file=None))
    try:
        editor = p.user("周敏", role="moderator")
        answers = [p.post("/api/moderation/reasons", editor,
                          {"action": "reject", "text": f"理由{n}"}).status_code
                   for n in range(13)]
        assert answers[-1] == 413 and 201 in answers
        count = len(p.get("/api/moderation/reasons", editor).json()["reasons"])
        assert count == 12
        refused = p.post("/api/moderation/reasons", editor, {"action": "return", "text": "再一条"})
        assert refused.status_code == 413 and "12" in refused.json()["detail"]
    finally:
        p.close()
