"""Units, users, roles and API tokens (stored only as a hash; shown once when made).

A token works for ``settings.token_days`` from when it was issued, until it is revoked or a new
one replaces it (``baosong users revoke|rotate``)."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.clock import office_day
from services.db import Base, UTCDateTime, utcnow
from services.refusals import Forbidden, Unauthenticated
from services.settings import Settings

TOKEN_PREFIX = "bs_"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class UnitKind(enum.StrEnum):
    COUNTY = "county"
    ENTERPRISE = "enterprise"
    DEPARTMENT = "department"


class Role(enum.StrEnum):
    INFORMANT = "informant"
    MODERATOR = "moderator"
    ADMIN = "admin"
    HANDLER = "handler"  # answers the mailbox's letters for its unit (a department, a county)


UNIT_KIND_LABELS = {"county": "县区", "enterprise": "企业", "department": "部门"}


class Unit(Base):
    __tablename__ = "units"

    slug: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(16))
    site_url: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(16))
    unit_slug: Mapped[str | None] = mapped_column(sa.ForeignKey("units.slug"), nullable=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the current token's life: it expires token_days after it was issued; revoked, it is dead
    # at once (the row keeps its hash, so the refusal can say why)
    token_issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    token_revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


@dataclass(frozen=True)
class Principal:
    """Who is making a request: what the routes need to know, detached from any session."""

    id: int
    name: str
    role: Role
    unit: str | None

    def is_staff(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)


def require_role(principal: Principal, *roles: Role) -> None:
    """Refuse (403) unless ``principal`` holds one of ``roles``: the same from a route, a
    command or a job."""
    if principal.role not in roles:
        names = "、".join(r.value for r in roles)
        raise Forbidden(f"没有权限：需要 {names} 角色 (requires role: {names})")


class IdentityError(ValueError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_unit(session: Session, slug: str, name: str, kind: str,
             site_url: str | None = None) -> Unit:
    if not SLUG_RE.match(slug):
        raise IdentityError(f"单位代号只能用小写字母、数字和连字符 (invalid slug: {slug!r})")
    if kind not in UnitKind.__members__.values():
        raise IdentityError(f"单位类型须为 county、enterprise 或 department (kind: {kind!r})")
    if not name.strip():
        raise IdentityError("单位名称不能为空 (name is required)")
    if session.get(Unit, slug) is not None:
        raise IdentityError(f"单位 {slug} 已存在 (unit already exists)")
    unit = Unit(slug=slug, name=name.strip(), kind=kind, site_url=site_url)
    session.add(unit)
    session.flush()
    return unit


def add_user(session: Session, name: str, role: str, unit: str | None = None) -> tuple[User, str]:
    """Register a user; return it with its API token (the only time the token is seen)."""
    if role not in Role.__members__.values():
        raise IdentityError(f"角色须为 informant、moderator、admin 或 handler (role: {role!r})")
    if role == Role.INFORMANT and not unit:
        raise IdentityError("信息员必须属于一个单位 (an informant needs --unit)")
    if role == Role.HANDLER and not unit:
        raise IdentityError("办理人员必须属于一个办理单位 (a handler needs --unit)")
    found = session.get(Unit, unit) if unit is not None else None
    if unit is not None and found is None:
        raise IdentityError(f"没有单位 {unit} (no such unit)")
    if role == Role.HANDLER and found is not None and found.kind == UnitKind.ENTERPRISE:
        raise IdentityError("办理人员须属于委内部门或县区经信局 (a handler belongs to a "
                            "department or a county bureau)")
    if not name.strip():
        raise IdentityError("姓名不能为空 (name is required)")
    user = User(name=name.strip(), role=role, unit_slug=unit)
    token = issue_token(user)
    session.add(user)
    session.flush()
    return user, token


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def issue_token(user: User, token: str | None = None,
                now: dt.datetime | None = None) -> str:
    """Give ``user`` a new token (or ``token``), replacing the one it had; return it."""
    token = token or new_token()
    user.token_hash = hash_token(token)
    user.token_issued_at = now or utcnow()
    user.token_revoked_at = None
    return token


def user_named(session: Session, name: str) -> User:
    """The one user called ``name`` (or ``#id``, where names repeat) for the command line."""
    if name.startswith("#") and name[1:].isdigit():
        found = session.get(User, int(name[1:]))
        if found is None:
            raise IdentityError(f"没有用户 {name} (no such user)")
        return found
    users = list(session.scalars(sa.select(User).where(User.name == name.strip())))
    if not users:
        raise IdentityError(f"没有用户 {name} (no such user)")
    if len(users) > 1:
        ids = "、".join(f"#{u.id}" for u in users)
        raise IdentityError(f"有 {len(users)} 个用户叫 {name}，请用编号指明：{ids} "
                            f"(several users have this name: give the id)")
    return users[0]


# the commission's timezone as the settings give it by default (callers pass their setting)
_ZONE = str(Settings.model_fields["timezone"].default)


def revoke_token(user: User, now: dt.datetime | None = None) -> None:
    user.token_revoked_at = now or utcnow()


def token_expires(user: User, token_days: int) -> dt.datetime:
    return user.token_issued_at + dt.timedelta(days=token_days)


def refusal_for(user: User | None, token_days: int, now: dt.datetime | None = None,
                timezone: str = _ZONE) -> str | None:
    """Why ``user``'s token (or a session it began) no longer works, or None if it does (the
    day it expired said on the commission's calendar, ``timezone``)."""
    if user is None:
        return "API 令牌无效 (invalid token)"
    if not user.active:
        return "该用户已停用 (the user is deactivated)"
    if user.token_revoked_at is not None:
        return "API 令牌已被吊销，请向管理员申请新令牌 (the token was revoked)"
    expires = token_expires(user, token_days)
    if (now or utcnow()) >= expires:
        return (f"API 令牌已于 {office_day(expires, timezone)}过期，"
                f"请向管理员申请新令牌 (the token expired)")
    return None


def principal_of(user: User) -> Principal:
    return Principal(id=user.id, name=user.name, role=Role(user.role), unit=user.unit_slug)


def check_token(session: Session, token: str, token_days: int,
                now: dt.datetime | None = None, timezone: str = _ZONE) -> Principal:
    """The principal ``token`` stands for; refuses (401) saying why when it does not work."""
    user = None
    if token.startswith(TOKEN_PREFIX) and len(token) <= 200:
        user = session.scalars(sa.select(User).where(User.token_hash == hash_token(token))).first()
    reason = refusal_for(user, token_days, now, timezone)
    if reason is not None or user is None:
        raise Unauthenticated(reason or "API 令牌无效 (invalid token)",
                              headers={"WWW-Authenticate": "Bearer"})
    return principal_of(user)


def authenticate(session: Session, token: str,
                 token_days: int | None = None) -> Principal | None:
    """:func:`check_token` for callers that only need yes or no (commands, tests); without
    ``token_days``, the setting's default."""
    days = token_days or int(Settings.model_fields["token_days"].default)
    try:
        return check_token(session, token, days)
    except Unauthenticated:
        return None


def unit_names(session: Session) -> dict[str, Unit]:
    return {u.slug: u for u in session.scalars(sa.select(Unit))}


def user_names(session: Session) -> dict[int, str]:
    return {user_id: name for user_id, name in session.execute(sa.select(User.id, User.name))}
