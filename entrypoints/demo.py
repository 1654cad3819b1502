"""``baosong up --demo``: a small city, its people, and a few uploads sent through the real API.

The units and users are written directly; the submissions go over HTTP like any informant's, so
a newcomer sees the whole pipeline run: screening, a flagged item in the queue, published pages
and points on the dashboard.
"""

from __future__ import annotations

import io
import json
import logging
import random
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PIL import Image, ImageDraw

from services.context import Context
from services.identity import (
    Unit,
    User,
    add_unit,
    add_user,
    hash_token,
    issue_token,
    refusal_for,
)

log = logging.getLogger(__name__)

UNITS = (
    ("qingshan", "青山县经济和信息化局", "county", "http://qingshan.example.gov.cn"),
    ("linjiang", "临江区经济和信息化局", "county", "http://linjiang.example.gov.cn"),
    ("baishi", "白石市经济和信息化局", "county", None),
    ("huayuan", "华远机械股份有限公司", "enterprise", "http://www.huayuan-machinery.example.com"),
    ("jinsui", "金穗食品集团有限公司", "enterprise", None),
    ("office", "市经信委办公室", "department", None),
)
PEOPLE = (
    ("王晓明", "informant", "qingshan"),
    ("李娜", "informant", "linjiang"),
    ("赵强", "informant", "baishi"),
    ("陈静", "informant", "huayuan"),
    ("刘洋", "informant", "jinsui"),
    ("周敏", "moderator", None),
    ("孙伟", "admin", None),
    ("吴刚", "handler", "office"),  # answers the public mailbox's letters for the office
    ("钱芳", "handler", "qingshan"),
)


ROLE_HEADINGS = (
    ("informant", "信息员：可以报送稿件 (informants: may upload)"),
    ("moderator", "审核员：审核队列、撤稿、登记采用 (moderator: queue, retractions, adoptions)"),
    ("admin", "管理员：全部功能与看板 (admin: everything, and the dashboard)"),
)
TOKENS_FILE = "demo-tokens.json"  # in the data folder, readable by its owner only


def _saved_tokens(path: Path) -> dict[str, str]:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in saved.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(saved, dict) else {}


def _save_tokens(path: Path, tokens: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps(tokens, ensure_ascii=False, indent=1), encoding="utf-8")


def seed_people(ctx: Context) -> dict[str, str]:
    """Units and users, and their tokens, printed by role. A demo user keeps the token saved in
    the data folder across restarts (a token saved in a browser or a script goes on working);
    only one that no longer matches gets a new token."""
    path = ctx.settings.data_dir / TOKENS_FILE
    saved = _saved_tokens(path)
    tokens: dict[str, str] = {}
    with ctx.db.transaction() as session:
        for slug, name, kind, site in UNITS:
            if session.get(Unit, slug) is None:
                add_unit(session, slug, name, kind, site)
        for name, role, unit in PEOPLE:
            user = session.scalars(sa.select(User).where(User.name == name)).first()
            if user is None:
                user, token = add_user(session, name, role, unit)
            elif name in saved and hash_token(saved[name]) == user.token_hash \
                    and refusal_for(user, ctx.settings.token_days) is None:
                token = saved[name]
            else:  # lost, revoked or expired: a new one
                token = issue_token(user)
            tokens[name] = token
    _save_tokens(path, tokens)
    print(f"\n演示账号 (demo accounts) — API 令牌 (tokens), 保存在 {path}:", flush=True)
    for role, heading in ROLE_HEADINGS:
        print(f"  {heading}", flush=True)
        for name, person_role, unit in PEOPLE:
            if person_role == role:
                print(f"    {name:<4} {unit or '':<10} {tokens[name]}", flush=True)
    return tokens


def _photo(seed: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A picture of coloured blocks laid out by ``seed``: each demo photo is its own, so
    screening does not hold one as a copy of another."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(24):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(80, size[0] // 2), rng.randrange(80, size[1] // 2)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.rectangle([x, y, x + w, y + h], fill=colour)
        else:
            draw.ellipse([x, y, x + w, y + h], fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> \
        tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields:
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   .encode())
        body.write(value.encode() + b"\r\n")
    for name, filename, data in files:
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                   f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode())
        body.write(data + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def _post(url: str, token: str, fields: list[tuple[str, str]],
          files: list[tuple[str, str, bytes]]) -> dict[str, Any]:
    body, content_type = _multipart(fields, files)
    request = urllib.request.Request(
        f"{url}/api/submissions", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type,
                 "Idempotency-Key": f"demo-{uuid.uuid5(uuid.NAMESPACE_URL, repr(fields))}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


DEMO_ITEMS = (
    ("王晓明", [("kind", "article"), ("title", "青山县召开2026年工业经济运行分析会"),
              ("body", "11月20日，青山县召开全县工业经济运行分析会，总结前三季度工业经济运行情况，"
                       "部署四季度重点工作。会议指出，前三季度全县规模以上工业增加值同比增长8.2%，"
                       "高于全市平均水平。\n\n会议要求，各乡镇和有关部门要紧盯全年目标，"
                       "抓好重点项目建设，全力以赴推动工业经济稳中有进。"),
              ("captions", "会议现场"), ("captions", "重点项目建设工地")], 2),
    ("陈静", [("kind", "article"), ("title", "华远机械智能制造车间正式投产"),
             ("body", "近日，华远机械股份有限公司智能制造车间正式投产。车间引进数控加工中心和"
                      "工业机器人，生产效率提升三成以上，产品合格率达到99.5%。")], 0),
    ("李娜", [("kind", "photo"), ("title", "临江区举办企业用工对接活动"),
             ("captions", "活动现场，求职者向企业咨询岗位情况")], 1),
    ("刘洋", [("kind", "article"), ("title", "金穗食品新品上市 欢迎订购"),
             ("body", "金穗食品集团推出系列新品，订购热线：13812345678，"
                      "也可加微信 jinsui2026 了解详情。")], 0),
)


def seed_submissions(url: str, tokens: dict[str, str]) -> None:
    """Upload the demo items once the server answers (idempotent: keys are fixed)."""
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2).close()
            break
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    for index, (who, fields, photos) in enumerate(DEMO_ITEMS):
        files = [("photos", f"demo-{index}-{n}.jpg", _photo(index * 3 + n))
                 for n in range(photos)]
        try:
            result = _post(url, tokens[who], fields, files)
            print(f"  演示稿件 (demo submission) #{result['id']}: {dict(fields)['title']}",
                  flush=True)
        except (urllib.error.URLError, OSError, KeyError) as exc:
            log.warning("demo upload failed: %s", exc)
    # addresses only: a token never goes in one (it would end up in browser history and logs);
    # the tokens were printed above, by role, for the sign-in page
    print(f"\n登录 (sign in):   {url}/login  (输入上面的令牌 / paste a token printed above)\n"
          f"门户 (site):      {url}/site/index.html\n看板 (dashboard): {url}/dashboard\n"
          f"接口 (API docs):  {url}/docs\n"
          f"工作台 (desk):    {url}/desk  · 审核队列 (queue): {url}/queue\n", flush=True)
