"""Featured enterprises: a year's 工业五十强 imported from xlsx (or csv) gives a list page whose
ranks and figures match the file, a page per enterprise linked to its unit, a home page block;
importing the year again replaces the old list."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import load_workbook

from scoring.review.enterprise_facts import FeatureMark
from services.contracts.enterprises import FeatureListed
from services.inbox import deliver
from tests.conftest import City
from tests.documents_support import xlsx_bytes
from tests.support import Pipeline

HEADER = ["排名", "企业名称", "产值（亿元）", "税收（亿元）", "推荐理由"]
ROWS = [
    [1, "华远机械股份有限公司", 125.6, 8.3, "智能制造示范企业，全年新增产值二十亿元"],
    [2, "江南新材料科技有限公司", 98.2, 6.1, "新材料产业链龙头"],
    [3, "青山电子有限公司", 76.4, 4.9, "电子信息产业骨干"],
]


def import_list(p: Pipeline, token: str, data: bytes, name: str = "2025年工业五十强.xlsx",
                year: str = "2025", series: str = "top50") -> Any:
    return p.client.post("/api/features", data={"list": series, "year": year},
                         files={"file": (name, data, "application/octet-stream")},
                         headers={"Authorization": f"Bearer {token}"})


def test_a_years_list_from_xlsx_gives_pages_that_match_the_file(city: City) -> None:
    p = city.pipeline
    sid = p.upload(city.enterprise, title="华远机械智能制造车间投产",
                   body="新车间引入工业机器人生产线，年产值预计增加两亿元。").json()["id"]
    p.settle()
    data = xlsx_bytes([HEADER, *ROWS])
    response = import_list(p, city.admin, data)
    assert response.status_code == 200, response.text
    assert response.json()["url"].endswith("/site/features/top50-2025.html")

    page = p.client.get("/site/features/top50-2025.html").text
    assert "2025年度工业五十强" in page
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = re.findall(r"<tr><td class=\"num\">(\d+)</td><td><a href=\"[^\"]+\">([^<]+)</a></td>"
                       r"<td class=\"num\">([^<]+)</td><td class=\"num\">([^<]+)</td>", page)
    expected = [(str(r[0]), str(r[1]), str(r[2]), str(r[3]))
                for r in list(sheet.iter_rows(values_only=True))[1:]]
    assert cells == expected

    enterprise = p.client.get("/site/features/top50-2025/1.html").text
    assert "智能制造示范企业" in enterprise and "125.6" in enterprise
    assert "华远机械智能制造车间投产" in enterprise  # its published items
    assert "../../units/huayuan/index.html" in enterprise
    unit_page = p.client.get("/site/units/huayuan/").text
    assert "2025年度工业五十强第1名" in unit_page
    home = p.client.get("/site/index.html").text
    assert "features/top50-2025.html" in home and "1. 华远机械股份有限公司" in home
    assert f"articles/{sid}.html" in enterprise


def test_importing_the_year_again_replaces_the_old_list(city: City) -> None:
    p = city.pipeline
    assert import_list(p, city.admin, xlsx_bytes([HEADER, *ROWS])).status_code == 200
    corrected = [[1, "江南新材料科技有限公司", 130.0, 9.0, "更正后的名单"],
                 [2, "华远机械股份有限公司", 125.6, 8.3, "智能制造示范企业"]]
    csv_text = "\n".join(",".join(str(c) for c in row) for row in [HEADER, *corrected])
    response = import_list(p, city.admin, csv_text.encode("gb18030"), name="更正.csv")
    assert response.status_code == 200, response.text
    page = p.client.get("/site/features/top50-2025.html").text
    assert "更正后的名单" in page and "青山电子有限公司" not in page
    assert p.client.get("/site/features/top50-2025/3.html").status_code == 404


def test_a_bad_list_is_refused_and_changes_nothing(city: City) -> None:
    p = city.pipeline
    cases = [(xlsx_bytes([["名称", "产值"], ["华远", 1]]), "a.xlsx", 422),
             (xlsx_bytes([HEADER, [1, "甲", 1, 1, ""], [1, "乙", 1, 1, ""]]), "a.xlsx", 422),
             (b"PK\x03\x04 not a zip", "a.xlsx", 415),
             (b"\xff\xfe\x00garbage", "a.csv", 415)]
    for data, name, status in cases:
        assert import_list(p, city.admin, data, name=name).status_code == status, name
    assert import_list(p, city.informant, xlsx_bytes([HEADER, *ROWS])).status_code == 403
    assert p.client.get("/site/features/top50-2025.html").status_code == 404


def test_the_command_line_imports_a_list(tmp_path: Path, pipeline: Pipeline) -> None:
    file = tmp_path / "贡献企业.xlsx"
    file.write_bytes(xlsx_bytes([HEADER, *ROWS]))
    env = {"BAOSONG_DATA_DIR": str(pipeline.ctx.settings.data_dir), "PATH": "/usr/bin:/bin"}
    baosong = str(Path(sys.executable).parent / "baosong")
    result = subprocess.run([baosong, "features", "import",
                             str(file), "--list", "contributors", "--year", "2025"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("/site/features/contributors-2025.html")
    page = pipeline.client.get("/site/features/contributors-2025.html").text
    assert "2025年度突出贡献企业" in page and "青山电子有限公司" in page


def test_a_retracted_item_leaves_the_enterprise_page_first(city: City) -> None:
    p = city.pipeline
    assert import_list(p, city.admin, xlsx_bytes([HEADER, *ROWS])).status_code == 200
    sid = p.upload(city.enterprise, title="华远机械智能制造车间投产",
                   body="新车间引入工业机器人生产线，年产值预计增加两亿元。").json()["id"]
    p.settle()
    assert f"articles/{sid}.html" in p.client.get("/site/features/top50-2025/1.html").text
    retracted = p.post(f"/api/submissions/{sid}/retract", city.moderator, {"reason": "数据有误"})
    assert retracted.status_code == 200, retracted.text
    p.settle()
    assert f"articles/{sid}.html" not in p.client.get("/site/features/top50-2025/1.html").text


def test_an_older_import_reaching_scoring_late_leaves_the_newer_list(city: City) -> None:
    p = city.pipeline
    assert import_list(p, city.admin, xlsx_bytes([HEADER, *ROWS])).status_code == 200
    assert import_list(p, city.admin, xlsx_bytes([HEADER, *ROWS[:2]])).status_code == 200
    first, second = p.pending(FeatureListed.TYPE)
    scoring = p.subscription("scoring-enterprises")
    assert deliver(p.ctx.db, scoring, second)
    assert deliver(p.ctx.db, scoring, first)  # the first import, relayed late
    with p.ctx.db.session() as session:
        ranks = session.scalars(sa.select(FeatureMark.rank).order_by(FeatureMark.rank)).all()
    assert ranks == [1, 2]  # the list as imported the second time
