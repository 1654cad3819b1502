"""Separation of duties beyond decisions: nobody records an adoption or an instruction, makes the
lead, retracts or republishes an item of their own unit, or one they sent (issue 15, item 1)."""

from __future__ import annotations

from tests.conftest import City

TEXT = "前三季度全县规模以上工业增加值同比增长8.2%，高于全市平均水平。"


def test_nothing_that_moves_points_is_done_on_an_item_of_ones_own_unit(city: City) -> None:
    p = city.pipeline
    local_editor = p.user("钱进", role="moderator", unit="qingshan")
    local_admin = p.user("赵刚", role="admin", unit="qingshan")
    sid = p.upload(city.informant, title="青山县工业增长", body=TEXT).json()["id"]
    p.settle()
    actions = [("adoptions", {"level": "provincial", "outlet": "《省报》"}),
               ("instructions", {"level": "city", "by": "市长"}),
               ("lead", None), ("retract", {"reason": "数据有误"})]
    for token in (local_editor, local_admin):
        for action, body in actions:
            refused = p.post(f"/api/submissions/{sid}/{action}", token, body)
            assert refused.status_code == 403, (action, refused.text)
            assert "本单位" in refused.json()["detail"]
    ledger = p.get("/api/scores/ledger", city.admin).json()["lines"]
    assert [line["rule"] for line in ledger] == ["published.article"]  # nothing moved

    assert p.post(f"/api/submissions/{sid}/retract", city.moderator,
                  {"reason": "数据有误"}).status_code == 200
    p.settle()
    refused = p.post(f"/api/submissions/{sid}/republish", local_editor, {"reason": "已更正"})
    assert refused.status_code == 403 and "本单位" in refused.json()["detail"]
    other = p.upload(city.informant2, title="临江区推介会", body=TEXT).json()["id"]
    p.settle()
    assert p.post(f"/api/submissions/{other}/lead", local_editor).status_code == 200
