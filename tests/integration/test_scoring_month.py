"""A realistic month for a city of 10 counties and 20 enterprises, sent through the embedded
pipeline and the HTTP API, checked total by total against a table worked out by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from entrypoints.cli import cli
from scoring.jobs import penalise_missed_deadlines
from scoring.models import LedgerLine, Total
from scoring.queries import current_month
from scoring.quotas import month_bounds
from scoring.rules import load_rules
from services.bus.local import LocalMessage
from services.db import utcnow
from services.events import EventType
from services.outbox import OutboxMessage
from services.settings import Settings
from tests.support import Pipeline, photo

COUNTIES = [("c01", "青山县经济和信息化局"), ("c02", "临江区经济和信息化局"),
            ("c03", "白石市经济和信息化局"), ("c04", "东湖区经济和信息化局"),
            ("c05", "西岭县经济和信息化局"), ("c06", "南山县经济和信息化局"),
            ("c07", "北川县经济和信息化局"), ("c08", "云溪县经济和信息化局"),
            ("c09", "石桥区经济和信息化局"), ("c10", "龙泉市经济和信息化局")]
ENTERPRISES = [(f"e{n:02d}", f"重点企业{n:02d}有限公司") for n in range(1, 21)]
TEXT = "本月，我局组织召开全县工业经济运行调度会，分析重点企业生产经营情况，部署下一步重点工作。"
FLAGGED = "详情请咨询联系电话：13812345678。"

# The hand-computed table. Per unit: (informant's points, unit's points after the month close).
# Counties owe 2 articles and 3 photos (images in photo items); enterprises 1 article.
EXPECTED = {
    "c01": (12, 14),  # article a0 2 + lead +2; a1 adopted by the province: 5 instead of its 2
                      # (only the highest level counts); 3 photos 3; quota +2
    "c02": (6, 4),    # 2 articles 4 + 2 photos 2 (its third photo is c01's, resent: 0); -2
    "c03": (5, 3),    # 2 articles 4 + 3 photos 3, one article retracted -2; 1 article left: -2
    "c04": (5, 7),    # 2 articles 4 + one photo item of 3 images 1; quota met +2
    "c05": (17, 19),  # 2 articles 4 + 3 photos 3 + provincial leader instruction +10; +2
    "c06": (10, 12),  # 约稿 answered in time 2+3, another article 2, 3 photos 3; +2
    "c07": (0, -7),   # asked for the 约稿 and sent nothing: -5; quota -2
    "c08": (2, 0),    # one article rejected 0, one returned and revised 2 (counts once); -2
    "c09": (0, -2),   # sent nothing
    "c10": (5, 7),    # 2 articles 4 + one photo item of 6 images 1 (5 count); +2
    "e01": (10, 12),  # article adopted by the province and then the nation: 10 alone; +2
    **{f"e{n:02d}": (2, 4) for n in range(2, 16)},  # one article each; quota +2
    "e16": (5, 7),    # 约稿 answered in time 2+3; +2
    "e17": (1, -1),   # a photo, no article: quota -2
    "e18": (0, -2),   # its article was rejected
    "e19": (0, -2),   # sent nothing
    "e20": (4, 6),    # 2 articles; +2
}
COUNTY_ORDER = ["c05", "c01", "c06", "c04", "c10", "c02", "c03", "c08", "c09", "c07"]
ENTERPRISE_ORDER = ["e01", "e16", "e20", *[f"e{n:02d}" for n in range(2, 16)], "e17", "e18",
                    "e19"]


@dataclass
class Month:
    p: Pipeline
    tokens: dict[str, str]
    moderator: str
    admin: str
    ids: dict[str, int]
    month: str


def _published(p: Pipeline, token: str, **upload: Any) -> int:
    response = p.upload(token, **upload)
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


@pytest.fixture(params=["sqlite", "postgresql"])
def month(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Month]:
    """The city on the embedded SQLite database, and again on PostgreSQL."""
    if request.param == "postgresql":
        settings = settings.model_copy(update={"database_url": request.getfixturevalue("pg_url")})
    p = Pipeline(settings)
    try:
        yield _city(p)
    finally:
        p.close()


def _city(p: Pipeline) -> Month:
    tokens = {}
    for slug, name in COUNTIES:
        p.unit(slug, name, "county")
        tokens[slug] = p.user(f"{name[:3]}信息员", unit=slug)
    for slug, name in ENTERPRISES:
        p.unit(slug, name, "enterprise")
        tokens[slug] = p.user(f"{name[4:6]}号信息员", unit=slug)
    moderator, admin = p.user("周敏", role="moderator"), p.user("孙伟", role="admin")
    return Month(p, tokens, moderator, admin, {}, current_month(p.ctx.settings.timezone))


def run_the_month(m: Month) -> dt.datetime:
    p, t, ids = m.p, m.tokens, m.ids
    # An admin commissions a piece from c06, c07 and e16.
    deadline = min(utcnow() + dt.timedelta(minutes=10),
                   month_bounds(m.month, "Asia/Shanghai")[1] - dt.timedelta(seconds=2))
    topic = p.post("/api/topics", m.admin, {"title": "一季度工业经济运行情况",
                                            "deadline": deadline.isoformat(),
                                            "units": ["c06", "c07", "e16"]})
    assert topic.status_code == 201, topic.text
    topic_id = topic.json()["id"]
    p.settle()

    def articles(unit: str, n: int, **extra: Any) -> None:
        for i in range(n):
            ids[f"{unit}-a{i}"] = _published(p, t[unit], title=f"{unit}工作动态{i}", body=TEXT,
                                             **extra)

    def photos(unit: str, n: int, seed: int) -> None:
        for i in range(n):
            ids[f"{unit}-p{i}"] = _published(p, t[unit], kind="photo", title=f"{unit}图片{i}",
                                             photos=[photo(seed=seed + i)], captions=["现场"])

    articles("c01", 2)
    photos("c01", 3, 10)
    p.settle()
    articles("c02", 2)
    photos("c02", 2, 20)
    # c02 resends c01's first photo: screening marks it a duplicate of c01's and holds it for a
    # moderator, who lets it through; it is published, and the first sender keeps the credit
    resent = _published(p, t["c02"], kind="photo", title="转发的图片", photos=[photo(seed=10)])
    p.settle()
    held = p.get(f"/api/submissions/{resent}", m.moderator).json()
    assert held["status"] == "flagged"
    assert {f.get("duplicate_of") for f in held["findings"]} >= {ids["c01-p0"]}
    assert p.post(f"/api/moderation/{resent}/decision", m.moderator,
                  {"action": "approve"}).status_code == 200
    p.settle()
    ids["c02-resent"] = resent
    articles("c03", 2)
    photos("c03", 3, 30)
    p.settle()
    articles("c04", 2)
    ids["c04-set"] = _published(p, t["c04"], kind="photo", title="组图",
                                photos=[photo(seed=40 + i) for i in range(3)])
    p.settle()
    articles("c05", 2)
    photos("c05", 3, 50)
    p.settle()
    ids["c06-topic"] = _published(p, t["c06"], title="南山县一季度工业经济运行情况", body=TEXT,
                                  extra={"topic": topic_id})
    articles("c06", 1)
    photos("c06", 3, 60)
    p.settle()
    ids["c08-bad"] = _published(p, t["c08"], title="招商推介", body=FLAGGED)
    ids["c08-fix"] = _published(p, t["c08"], title="项目推介", body=FLAGGED)
    p.settle()
    assert p.post(f"/api/moderation/{ids['c08-bad']}/decision", m.moderator,
                  {"action": "reject", "reason": "含联系方式"}).status_code == 200
    assert p.post(f"/api/moderation/{ids['c08-fix']}/decision", m.moderator,
                  {"action": "return", "reason": "请删去联系方式"}).status_code == 200
    p.settle()
    revised = p.upload(t["c08"], title="项目推介", body=TEXT,
                       path=f"/api/submissions/{ids['c08-fix']}/revision")
    assert revised.status_code == 202
    p.settle()
    articles("c10", 2)
    ids["c10-set"] = _published(p, t["c10"], kind="photo", title="六张组图",
                                photos=[photo(seed=100 + i) for i in range(6)])
    p.settle()
    for n in range(1, 16):
        articles(f"e{n:02d}", 1)
        p.settle()  # one at a time: e02 reaches its points before e03, and so on
    ids["e16-topic"] = _published(p, t["e16"], title="企业一季度生产经营情况", body=TEXT,
                                  extra={"topic": topic_id})
    ids["e17-p0"] = _published(p, t["e17"], kind="photo", title="厂区一角",
                               photos=[photo(seed=170)])
    ids["e18-bad"] = _published(p, t["e18"], title="新品促销", body=FLAGGED)
    articles("e20", 2)
    p.settle()
    assert p.post(f"/api/moderation/{ids['e18-bad']}/decision", m.moderator,
                  {"action": "reject", "reason": "广告"}).status_code == 200

    # What moderators and admins record once items are out.
    assert p.post(f"/api/submissions/{ids['c01-a0']}/lead", m.moderator).status_code == 200
    assert p.post(f"/api/submissions/{ids['c01-a1']}/adoptions", m.moderator,
                  {"level": "provincial", "outlet": "《省经信工作简报》"}).status_code == 201
    assert p.post(f"/api/submissions/{ids['c05-a0']}/instructions", m.admin,
                  {"level": "provincial", "by": "省经信厅主要负责同志"}).status_code == 201
    assert p.post(f"/api/submissions/{ids['e01-a0']}/adoptions", m.moderator,
                  {"level": "provincial", "outlet": "《省政府工作快报》"}).status_code == 201
    assert p.post(f"/api/submissions/{ids['c03-a0']}/retract", m.moderator,
                  {"reason": "数据有误"}).status_code == 200
    p.settle()
    assert p.post(f"/api/submissions/{ids['e01-a0']}/adoptions", m.admin,
                  {"level": "national", "outlet": "《工业和信息化部简报》"}).status_code == 201
    p.settle()
    return deadline


def cli_run(p: Pipeline, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.setenv("BAOSONG_DATA_DIR", str(p.ctx.settings.data_dir))
    monkeypatch.setenv("BAOSONG_DATABASE_URL", p.ctx.settings.database_url)
    return CliRunner().invoke(cli, list(args))


def board(p: Pipeline, token: str, period: str, kind: str) -> list[dict[str, Any]]:
    return list(p.get("/api/scores", token, period=period, kind=kind).json()["units"])


def test_a_month_of_a_city_adds_up_to_the_hand_computed_table(
        month: Month, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    m, p = month, month.p
    deadline = run_the_month(m)
    rules = load_rules(p.ctx.settings.rules_path)

    # The 约稿: before the deadline nothing is missed; after it, c07 alone is penalised.
    assert penalise_missed_deadlines(p.ctx, rules) == []
    missed = penalise_missed_deadlines(p.ctx, rules, deadline + dt.timedelta(minutes=1))
    assert [unit for _, unit in missed] == ["c07"]
    assert penalise_missed_deadlines(p.ctx, rules, deadline + dt.timedelta(minutes=2)) == []
    p.settle()
    topics = p.get("/api/topics", m.tokens["c06"]).json()["topics"]
    assert {u["unit"]: u["status"] for u in topics[0]["units"]} == {
        "c06": "delivered", "c07": "missed", "e16": "delivered"}

    # Quotas before the close.
    quotas = {q["unit"]: q for q in p.get("/api/quotas", m.moderator,
                                          month=m.month).json()["units"]}
    assert (quotas["c02"]["photos"], quotas["c02"]["met"]) == (2, False)
    assert (quotas["c04"]["photos"], quotas["c04"]["photo_items"], quotas["c04"]["met"]) == \
        (3, 1, True)
    assert (quotas["c10"]["photos"], quotas["c10"]["counted_photos"]) == (6, 5)
    assert (quotas["c08"]["articles"], quotas["c03"]["articles"]) == (1, 1)

    # The month is closed by hand, twice: the second run books nothing.
    first = cli_run(p, monkeypatch, "scores", "close-month", m.month, "--force")
    assert first.exit_code == 0, first.output
    assert f"{m.month}: 新记 30 笔" in first.output
    second = cli_run(p, monkeypatch, "scores", "close-month", m.month, "--force")
    assert f"{m.month}: 新记 0 笔" in second.output
    p.settle()

    # Every total, for the unit and for its informant, month and all time.
    for period in (m.month, "all"):
        units = {u["unit"]: u["points"] for u in p.get("/api/scores", m.admin,
                                                       period=period).json()["units"]}
        assert units == {slug: unit for slug, (_, unit) in EXPECTED.items()}
        informants = {i["unit"]: i["points"] for i in p.get("/api/scores", m.admin,
                                                             period=period).json()["informants"]}
        assert informants == {slug: mine for slug, (mine, _) in EXPECTED.items()}
    assert [u["unit"] for u in board(p, m.admin, m.month, "county")] == COUNTY_ORDER
    assert [u["unit"] for u in board(p, m.admin, m.month, "enterprise")] == ENTERPRISE_ORDER

    # Each unit can explain its total line by line.
    ledger = p.get("/api/scores/ledger", m.tokens["e01"]).json()
    assert [(line["rule"], line["points"]) for line in ledger["lines"]] == [
        ("published.article", 2), ("published.article", -2), ("adoption.provincial", 5),
        ("adoption.provincial", -5), ("adoption.national", 10), ("quota.met", 2)]
    assert all(line["rules_version"] == rules.version for line in ledger["lines"])
    assert p.get("/api/scores/ledger", m.tokens["e01"], unit="c01").status_code == 403

    # The same event delivered again changes nothing.
    lines_before = _ledger(p)
    with p.ctx.db.transaction() as session:
        published = session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.type == EventType.PUBLISHED).limit(3)).all()
        for row in published:
            session.add(LocalMessage(queue="scoring", event_id=row.id, payload=row.payload))
    p.settle()
    assert _ledger(p) == lines_before

    # Rebuilding from the ledger finds every total equal; re-scoring the kept facts under the
    # same rules gives the same totals; under other rules, what they would have given.
    check = cli_run(p, monkeypatch, "scores", "rebuild", "--dry-run")
    assert check.exit_code == 0 and "，0 项不一致" in check.output, check.output
    same = cli_run(p, monkeypatch, "scores", "rebuild", "--rules",
                   str(p.ctx.settings.rules_path), "--dry-run")
    assert same.exit_code == 0 and "，0 项合计会不同" in same.output, same.output
    other = tmp_path / "rules-2027.toml"
    other.write_text(rules.text.replace('version = "2026.2"', 'version = "2027.1"')
                     .replace("article = 2", "article = 3")
                     .replace("missed_penalty = -5", "missed_penalty = -10"), encoding="utf-8")
    would = cli_run(p, monkeypatch, "scores", "rebuild", "--rules", str(other), "--dry-run")
    assert would.exit_code == 0, would.output
    changes = {tuple(line.split("\t")[:3]): line.split("\t")[3:] for line in
               would.output.splitlines() if line.startswith("unit\t")}
    # c01: article a0 3, lead doubles it (+3), a1 adopted 5 (its portal 3 does not count),
    # photos 3, quota 2 = 16
    assert changes[("unit", "c01", "all")] == ["14", "-> 16"]
    assert changes[("unit", "c07", "all")] == ["-7", "-> -12"]
    assert ("unit", "e17", "all") not in changes  # it had no article
    assert _ledger(p) == lines_before  # a dry run writes nothing
    refused = cli_run(p, monkeypatch, "scores", "rebuild", "--rules", str(other))
    assert refused.exit_code == 2


def _ledger(p: Pipeline) -> list[tuple[str, int]]:
    with p.ctx.db.session() as session:
        lines = [(line.id, line.points) for line in
                 session.scalars(sa.select(LedgerLine).order_by(LedgerLine.seq))]
        totals = [(t.scope, t.key, t.period, t.points) for t in session.scalars(sa.select(Total))]
    return [*lines, *[(repr(t), 0) for t in sorted(totals)]]
