"""Personal data becomes placeholders; dates, prices and ordinary numbers stay."""

import pytest

from core.training_data.scrub import scrub


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678，谢谢", "电话[PHONE]，谢谢"),
        ("手机 +86 138-1234-5678", "手机 [PHONE]"),
        ("座机010-12345678", "座机[PHONE]"),
        ("Call +1 (415) 555-0134 or 020 7946 0958.", "Call [PHONE] or [PHONE]."),
        ("mail li.ming+flowers@example.com.cn now", "mail [EMAIL] now"),
        ("订单YS20260214-0381还没到", "订单[ORDER]还没到"),
        ("Order YS20260214-0381, please", "Order [ORDER], please"),
        ("请送到北京市朝阳区建国路88号3号楼2单元501室，谢谢", "请送到[ADDRESS]，谢谢"),
        ("寄往上海市浦东新区世纪大道100号", "寄往[ADDRESS]"),
        ("我住在南京西路1266号", "我住在[ADDRESS]"),
        ("送到幸福小区3栋2单元501，谢谢", "送到[ADDRESS]，谢谢"),
        ("I live at 221B Baker Street, Apt 4.", "I live at [ADDRESS]."),
        ("Deliver to 1600 Pennsylvania Avenue NW today", "Deliver to [ADDRESS] today"),
    ],
)
def test_personal_data_becomes_placeholders(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Delivered on 2026-03-01 at 10:00, refund in 3–5 working days.",
        "12 red roses for $129.99, order placed 20260214.",
        "12支红玫瑰，2026年2月14日送达，价格299元，48小时内可退款。",
        "We open at 9 and close at 18; Room 12 is upstairs.",
    ],
)
def test_ordinary_text_and_numbers_are_kept(text):
    assert scrub(text) == text


def test_every_kind_in_one_message():
    text = "订单YS20260214-0381送到建国路88号，电话13812345678，邮箱 a@b.cn"
    assert scrub(text) == "订单[ORDER]送到[ADDRESS]，电话[PHONE]，邮箱 [EMAIL]"
