"""Real processes for the portal's end-to-end tests: ``baosong up`` with the site in an S3 bucket,
nginx in front of it with the deploy config, and a crawler that follows every link."""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from tests.support import wait_until

REPO = Path(__file__).resolve().parents[2]
NGINX_TEMPLATE = REPO / "deploy" / "nginx" / "baosong.conf.template"
BAOSONG = Path(sys.executable).parent / "baosong"


@contextmanager
def running(command: list[str], env: dict[str, str], log: Path
            ) -> Iterator[subprocess.Popen[bytes]]:
    """A process of ours, stopped (by its id) when the block ends."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(5)


def baosong(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(BAOSONG), *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def nginx_config(workdir: Path, port: int, site_upstream: str, bucket: str,
                 api_upstream: str) -> Path:
    """The deploy template filled in as the nginx image fills it, inside a minimal main file."""
    site = string.Template(NGINX_TEMPLATE.read_text()).safe_substitute(
        BAOSONG_WEB_PORT=f"127.0.0.1:{port}", BAOSONG_SITE_UPSTREAM=site_upstream,
        BAOSONG_SITE_BUCKET=bucket, BAOSONG_API_UPSTREAM=api_upstream)
    (workdir / "baosong.conf").write_text(site)
    temp = workdir / "temp"
    temp.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers write temp files here
    main = workdir / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\nerror_log {workdir}/error.log warn;\n"
        f"pid {workdir}/nginx.pid;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n  access_log {workdir}/access.log;\n"
        f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
        f"  scgi_temp_path {temp}/scgi;\n  include {workdir}/baosong.conf;\n}}\n")
    return main


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                       else None)
    assert found, "nginx is required (make test installs it)"
    return found


def wait_for(url: str, timeout: float = 60.0) -> None:
    def up() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, timeout=timeout, every=0.2, what=url)


# --- crawling ---------------------------------------------------------------------------------

_LINK = re.compile(r'(?:href|src)="([^"]+)"')
_SRCSET = re.compile(r'srcset="([^"]+)"')


@dataclass
class Crawl:
    pages: dict[str, bytes] = field(default_factory=dict)  # path below the site -> body
    statuses: dict[str, int] = field(default_factory=dict)
    content_types: dict[str, str] = field(default_factory=dict)
    external: set[str] = field(default_factory=set)
    linked_from: dict[str, set[str]] = field(default_factory=dict)

    def html_pages(self) -> dict[str, str]:
        return {path: body.decode("utf-8") for path, body in self.pages.items()
                if self.content_types[path].startswith("text/html")}

    def broken(self) -> dict[str, int]:
        return {path: status for path, status in self.statuses.items() if status != 200}


def links_of(body: str, content_type: str) -> list[str]:
    if content_type.startswith("text/html"):
        found = [html.unescape(u) for u in _LINK.findall(body)]
        for srcset in _SRCSET.findall(body):
            found += [part.strip().split(" ")[0] for part in html.unescape(srcset).split(",")]
        return found
    if "xml" in content_type:
        root = ET.fromstring(body)
        found = [e.text or "" for e in root.iter() if e.tag.endswith("}loc")]
        found += [e.get("href", "") for e in root.iter() if e.tag.endswith("}link")]
        return found
    return []


def crawl(base: str, start: str = "/site/") -> Crawl:
    """Every page, feed, sitemap and image reachable from ``start`` below ``base``."""
    result = Crawl()
    prefix = urlsplit(urljoin(base, start)).path
    queue: deque[str] = deque([urljoin(base, start), urljoin(base, start + "sitemap.xml")])
    seen = set(queue)
    with httpx.Client(timeout=10) as client:
        while queue:
            url = queue.popleft()
            response = client.get(url)
            path = urlsplit(url).path.removeprefix(prefix)
            result.statuses[path] = response.status_code
            if response.status_code != 200:
                continue
            content_type = response.headers["content-type"]
            result.content_types[path] = content_type
            result.pages[path] = response.content
            if not (content_type.startswith("text/") or "xml" in content_type):
                continue
            for link in links_of(response.text, content_type):
                if link.startswith(("data:", "mailto:")) or not link:
                    continue
                target = urljoin(url, link).split("#")[0]
                if urlsplit(target).netloc != urlsplit(base).netloc or \
                        not urlsplit(target).path.startswith(prefix):
                    result.external.add(target)
                    continue
                result.linked_from.setdefault(urlsplit(target).path.removeprefix(prefix),
                                              set()).add(path)
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
    return result
