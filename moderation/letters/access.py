"""Who may see a letter and do what with it: the centre (moderators) sees every letter, a
handler only those of their unit; someone else's open claim keeps others off."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from moderation.letters.desk import STATE_LABELS
from moderation.letters.models import CaseState, LetterCase
from services.identity import Principal, Role, user_names
from services.refusals import Conflict, Forbidden, NotFound


def is_centre(user: Principal) -> bool:
    return user.role == Role.MODERATOR


def may_see(user: Principal, case: LetterCase) -> bool:
    return is_centre(user) or (user.role == Role.HANDLER and user.unit is not None
                               and case.unit == user.unit)


def require_desk_role(user: Principal) -> None:
    if user.role not in (Role.MODERATOR, Role.HANDLER):
        raise Forbidden("没有权限：来信只由信息中心和办理单位处理 (requires role: moderator "
                        "or handler)")


def visible_case(session: Session, user: Principal, letter_id: int, *,
                 lock: bool = False) -> LetterCase:
    require_desk_role(user)
    case = session.get(LetterCase, letter_id, with_for_update=lock)
    if case is None or not may_see(user, case):
        raise NotFound.of("来信")
    return case


def require_centre(user: Principal) -> None:
    if not is_centre(user):
        raise Forbidden("只有信息中心（审核员）可以这样做 (only the centre may do this)")


def require_handling_unit(user: Principal, case: LetterCase) -> None:
    if user.role != Role.HANDLER or case.unit != user.unit:
        raise Forbidden("只有办理单位可以这样做 (only the handling unit may do this)")


def require_state(case: LetterCase, *states: CaseState, doing: str) -> None:
    if case.state not in states:
        label = STATE_LABELS.get(CaseState(case.state), case.state)
        raise Conflict(f"来信当前为“{label}”，不能{doing} (the letter is {case.state})")


def claim_conflict(session: Session, case: LetterCase, user: Principal,
                    now: dt.datetime) -> None:
    if (case.claimed_by and case.claimed_by != user.id and case.claim_expires_at
            and case.claim_expires_at > now):
        name = user_names(session).get(case.claimed_by, f"#{case.claimed_by}")
        raise Conflict(f"该来信正由 {name} 处理 (claimed by someone else)")
