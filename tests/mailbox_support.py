"""What the mailbox tests share: a city with handling units and their handlers, and a writer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.support import Pipeline

PHONE = "13912345678"


@dataclass
class Mailbox:
    p: Pipeline
    centre: str  # a moderator of the information centre
    handler: str  # 工业科 (industry department)
    handler2: str  # 青山县 bureau: another unit's handler
    informant: str
    admin: str

    def write(self, *, type: str = "complaint", subject: str = "企业用电报装进度缓慢",
              body: str = "我公司新厂房的用电报装申请已提交两个月，至今没有进展，请帮助协调。",
              name: str = "张伟", phone: str = PHONE, consent: bool = True,
              files: list[tuple[str, bytes, str]] | None = None,
              headers: dict[str, str] | None = None, **extra: str) -> Any:
        data = {"type": type, "subject": subject, "body": body, "name": name, "phone": phone,
                "enterprise": "华远机械股份有限公司", "consent": "true" if consent else "false",
                **extra}
        upload = [("attachments", f) for f in files] if files else None
        return self.p.client.post("/api/letters", data=data, files=upload, headers=headers or {})

    def lookup(self, code: str, secret: str) -> Any:
        return self.p.client.get("/api/letters/lookup", params={"code": code, "secret": secret})


def mailbox_city(p: Pipeline) -> Mailbox:
    p.unit("industry", "市经信委工业科", "department")
    p.unit("qingshan", "青山县经济和信息化局", "county")
    p.unit("huayuan", "华远机械股份有限公司", "enterprise")
    return Mailbox(p=p, centre=p.user("周敏", role="moderator"),
                   handler=p.user("刘洋", role="handler", unit="industry"),
                   handler2=p.user("赵磊", role="handler", unit="qingshan"),
                   informant=p.user("陈静", unit="huayuan"),
                   admin=p.user("孙伟", role="admin"))


def desk_of(p: Pipeline) -> Any:
    """The mailbox desk the pipeline's moderation runs on (its clock can be moved)."""
    (consumer,) = [s for c in p.components for s in c.subscriptions
                   if s.consumer == "moderation-letters"]
    return consumer.handlers["letter.received"].__self__.desk  # type: ignore[union-attr]
