"""Checking an upload form: what the informant sent, turned into a draft or a refusal."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass

from ingest.uploads import ParsedForm, UploadedFile
from services.columns import Columns
from services.refusals import Invalid, TooLarge
from services.settings import Settings

KINDS = ("article", "photo")


@dataclass(frozen=True)
class PhotoDraft:
    upload: UploadedFile
    caption: str


@dataclass(frozen=True)
class Draft:
    kind: str
    title: str
    body: str
    column: str | None
    topic: str | None
    photos: tuple[PhotoDraft, ...]

    def content_hash(self) -> str:
        """What the content is, whoever sends it: the screened text and the photos' bytes."""
        digest = hashlib.sha256()
        for part in (self.kind, self.title, self.body, *(p.upload.sha256 for p in self.photos)):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def fingerprint(self) -> str:
        """What the request said: a retry with the same key must say the same."""
        return hashlib.sha256(json.dumps(
            [self.kind, self.title, self.body, self.column, self.topic,
             [(p.upload.sha256, p.upload.filename, p.caption) for p in self.photos]],
            ensure_ascii=False).encode()).hexdigest()


def clean_text(value: str) -> str:
    """Line breaks kept, other control characters dropped, Unicode in its composed form."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def _one(form: ParsedForm, name: str) -> str | None:
    values = form.fields.get(name, [])
    if len(values) > 1:
        raise Invalid(f"字段 {name} 只能有一个 (field {name} given more than once)")
    return clean_text(values[0]) if values else None


def read_draft(form: ParsedForm, settings: Settings, columns: Columns) -> Draft:
    kind = _one(form, "kind")
    if kind not in KINDS:
        raise Invalid("kind 须为 article（文章）或 photo（图片） "
                      "(kind must be article or photo)", reason="bad_kind")
    title = _one(form, "title") or ""
    if not title:
        raise Invalid("标题不能为空 (title is required)", reason="no_title")
    if len(title) > settings.max_title_chars:
        raise Invalid(f"标题不能超过 {settings.max_title_chars} 字 (title too long)",
                      reason="title_too_long")
    body = _one(form, "body") or ""
    if kind == "article" and not body:
        raise Invalid("文章正文不能为空 (body is required for an article)", reason="no_body")
    if len(body) > settings.max_body_chars:
        raise TooLarge(f"正文不能超过 {settings.max_body_chars} 字 (body too long)",
                       reason="body_too_long")
    column = _one(form, "column") or None
    if column is not None and column not in columns:
        raise Invalid(f"没有栏目 {column}；可选：{'、'.join(c.id for c in columns)} "
                      f"(unknown column)", reason="unknown_column")
    topic = _one(form, "topic") or None
    if topic is not None and len(topic) > 64:
        raise Invalid("约稿编号无效 (invalid topic)")
    stray = [f.field for f in form.files if f.field != "photos"]
    if stray:
        raise Invalid(f"文件须放在 photos 字段中 (files must be sent as 'photos', got "
                      f"{stray[0]!r})")
    for upload in form.files:
        if upload.size == 0:
            raise Invalid(f"照片 {upload.filename} 是空文件 (empty file)", reason="empty_file")
    captions = [clean_text(c) for c in form.fields.get("captions", [])]
    if len(captions) > len(form.files):
        raise Invalid("说明（captions）比照片多 (more captions than photos)")
    for caption in captions:
        if len(caption) > settings.max_caption_chars:
            raise Invalid(f"照片说明不能超过 {settings.max_caption_chars} 字 "
                          f"(caption too long)")
    if kind == "photo" and not form.files:
        raise Invalid("图片稿至少要有一张照片 (a photo item needs at least one photo)",
                      reason="no_photo")
    captions += [""] * (len(form.files) - len(captions))
    photos = tuple(PhotoDraft(u, c) for u, c in zip(form.files, captions, strict=True))
    return Draft(kind=kind, title=title, body=body, column=column, topic=topic, photos=photos)
