"""Reading a letter form into a draft, or a clear refusal (nothing is stored before it passes)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import get_args

from ingest.forms import clean_text
from ingest.uploads import ParsedForm, UploadedFile
from services.contracts.letters import LetterType
from services.refusals import Invalid, TooLarge
from services.settings import Settings

LETTER_TYPES: tuple[str, ...] = get_args(LetterType)
HONEYPOT = "website"  # hidden on the page: a person leaves it empty, a form-filling robot does not
# a mobile number (11 digits from 1[3-9]) or a landline with its area code
PHONE_RE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9}|0\d{2,3}\d{7,8})$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
TRUE = ("true", "1", "on", "yes")
FALSE = ("false", "0", "off", "no", "")


@dataclass(frozen=True)
class LetterDraft:
    type: str
    subject: str
    body: str
    name: str
    phone: str
    email: str
    enterprise: str
    consent: bool
    show_enterprise: bool
    attachments: tuple[UploadedFile, ...]

    def content_hash(self) -> str:
        """The same letter sent again: its type, subject, text and files."""
        digest = hashlib.sha256()
        for part in (self.type, self.subject, self.body, *(a.sha256 for a in self.attachments)):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()


def phone_hash(phone: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{phone}".encode()).hexdigest()


def _one(form: ParsedForm, name: str) -> str:
    values = form.fields.get(name, [])
    if len(values) > 1:
        raise Invalid(f"字段 {name} 只能有一个 (field {name} given more than once)")
    return clean_text(values[0]) if values else ""


def _flag(form: ParsedForm, name: str, label: str) -> bool:
    value = _one(form, name).lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise Invalid(f"{label}须为 true 或 false ({name} must be true or false)")


def _short(form: ParsedForm, name: str, label: str, limit: int, *, required: bool) -> str:
    value = _one(form, name)
    if required and not value:
        raise Invalid(f"请填写{label} ({name} is required)")
    if len(value) > limit:
        raise Invalid(f"{label}不能超过 {limit} 字 ({name} too long)")
    return value


def normal_phone(raw: str) -> str:
    return re.sub(r"[\s\-()（）]", "", raw)


def read_letter(form: ParsedForm, settings: Settings, *, default_name: str = "",
                default_enterprise: str = "") -> LetterDraft:
    if _one(form, HONEYPOT):
        raise Invalid("来信无法受理 (the letter cannot be accepted)")
    letter_type = _one(form, "type")
    if letter_type not in LETTER_TYPES:
        raise Invalid("来信类型须为 consult（咨询）、complaint（投诉）、suggestion（建议）或 "
                      "help（求助） (type must be consult, complaint, suggestion or help)")
    subject = _short(form, "subject", "标题", settings.letter_max_subject_chars, required=True)
    body = _one(form, "body")
    if not body:
        raise Invalid("请填写来信内容 (body is required)")
    if len(body) > settings.letter_max_body_chars:
        raise TooLarge(f"来信内容不能超过 {settings.letter_max_body_chars} 字 (body too long)")
    field_chars = settings.letter_max_field_chars
    name = _short(form, "name", "姓名", field_chars, required=not default_name) or default_name
    phone = normal_phone(_short(form, "phone", "联系电话", field_chars, required=True))
    if not PHONE_RE.match(phone):
        raise Invalid("联系电话格式不对：请填写手机号或带区号的固定电话 (invalid phone number)")
    email = _short(form, "email", "电子邮箱", field_chars, required=False)
    if email and not EMAIL_RE.match(email):
        raise Invalid("电子邮箱格式不对 (invalid e-mail address)")
    enterprise = (_short(form, "enterprise", "企业名称", field_chars, required=False)
                  or default_enterprise)
    stray = [f.field for f in form.files if f.field != "attachments"]
    if stray:
        raise Invalid(f"附件须放在 attachments 字段中 (files must be sent as 'attachments', "
                      f"got {stray[0]!r})")
    for upload in form.files:
        if upload.size == 0:
            raise Invalid(f"附件 {upload.filename} 是空文件 (empty file)")
    return LetterDraft(
        type=letter_type, subject=subject, body=body, name=name, phone=phone, email=email,
        enterprise=enterprise, consent=_flag(form, "consent", "是否同意公开"),
        show_enterprise=_flag(form, "show_enterprise", "是否公开企业名称"),
        attachments=tuple(form.files))
