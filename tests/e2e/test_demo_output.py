"""``baosong up --demo`` prints the sign-in page's address and the tokens by role, and no address
with a token in it (issue 15, item 3): a link with a token ends up in browser history and logs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from tests.support import free_port, wait_until


def test_the_demo_prints_addresses_without_tokens_and_its_tokens_sign_in(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "BAOSONG_DATA_DIR": str(tmp_path / "var"),
           "BAOSONG_PIPELINE_PROCESSES": "1", "BAOSONG_POLL_SECONDS": "0.1"}
    process = subprocess.Popen([sys.executable, "-c", "from entrypoints.cli import main; main()",
                                "up", "--demo", "--port", str(port)], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")),
                              daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        wait_until(lambda: any("工作台 (desk)" in line for line in lines), timeout=120,
                   what="the demo's addresses")
        printed = "".join(lines)
        url = f"http://127.0.0.1:{port}"
        assert f"{url}/login" in printed and f"{url}/dashboard\n" in printed
        addresses = re.findall(r"https?://\S+", printed)
        assert len(addresses) >= 5
        assert not [a for a in addresses if "token" in a or "bs_" in a or "?" in a]
        admin = re.search(r"孙伟\s+(bs_\S+)", printed)
        assert admin is not None  # printed under its role, for the sign-in page
        with httpx.Client(base_url=url) as browser:
            form = browser.get("/login")
            nonce = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
            browser.post("/login", data={"token": admin.group(1), "csrf": nonce})
            assert browser.get("/dashboard").status_code == 200
            assert browser.get("/api/dashboard").status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=20)
