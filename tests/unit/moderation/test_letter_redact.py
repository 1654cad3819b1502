"""A published letter carries none of the writer's personal data."""

from __future__ import annotations

from moderation.letters.redact import MASK, redact


def test_phones_ids_and_emails_are_taken_out_whoever_they_belong_to() -> None:
    text = ("请联系我：139 1234 5678，或办公室 0571-88886666，身份证 330102199001011234，"
            "邮箱 zhang.wei@example.com。")
    out = redact(text)
    for secret in ("5678", "88886666", "330102199001011234", "zhang.wei@example.com"):
        assert secret not in out
    assert out.count(MASK) == 4


def test_the_writers_name_and_unchosen_enterprise_are_taken_out() -> None:
    out = redact("我是华远机械的张伟，反映用电报装问题。", name="张伟", enterprise="华远机械")
    assert "张伟" not in out and "华远机械" not in out and "用电报装" in out


def test_full_width_digits_do_not_hide_a_phone_number() -> None:
    assert "１３９１２３４５６７８" not in redact("电话１３９１２３４５６７８")
    assert "5678" not in redact("电话１３９１２３４５６７８")


def test_ordinary_figures_stay() -> None:
    text = "2026年产值增长12.5%，新增投资3000万元。"
    assert redact(text) == text
