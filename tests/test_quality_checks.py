"""Every quality check, passing and failing, in English and Chinese, on the real templates."""

from __future__ import annotations

import pytest

from core.drafting import bouquet_description, complaint_reply
from core.i18n import translate
from core.quality.checks import CHECK_IDS, CHECKS, CheckResult, judge
from core.quality.guard import draft_context

SHOP = "Huayu Flowers"

COMPLAINT = {
    "en": "The tulips I ordered for my aunt's birthday were wilted and brown when they arrived this morning.",
    "zh": "给阿姨订的生日郁金香今天上午送到时已经蔫了，花瓣都发黄了。",
}
GOOD_REPLY = {
    "en": (
        "Dear customer, we are so sorry that the tulips for your aunt's birthday arrived wilted. "
        "That is not the welcome a birthday bouquet should have. Please send us a photo of them, "
        "and we will re-deliver a fresh bouquet for free or refund you in full, whichever you "
        "prefer.\nHuayu Flowers"
    ),
    "zh": (
        "您好，非常抱歉给阿姨的生日郁金香送到时就已经蔫了，让您失望了。"
        "麻烦您拍一张照片发给我们，我们可以免费重新配送一束新的郁金香，或者为您全额退款，由您选择。"
        "再次向您致歉。\nHuayu Flowers"
    ),
}
DETAILS = {
    "en": "7 white tulips and 3 pink ranunculus, eucalyptus, kraft paper with a linen ribbon",
    "zh": "7支白色郁金香、3支粉色洋牡丹，尤加利叶，牛皮纸配亚麻丝带",
}
GOOD_BOUQUET = {
    "en": (
        "Seven white tulips and soft pink ranunculus sit among silvery eucalyptus, wrapped in "
        "kraft paper and tied with a linen ribbon."
    ),
    "zh": "七支白色郁金香搭配柔和的粉色洋牡丹，衬着银绿的尤加利叶，用牛皮纸包裹，系上亚麻丝带。",
}


def complaint_results(reply: str, language: str = "en", complaint: str | None = None, **order: str):
    request = complaint_reply.ComplaintRequest(
        complaint=complaint or COMPLAINT[language], language=language, **order
    )
    prompt = complaint_reply.build_prompt(request, SHOP)
    return {r.id: r for r in judge(draft_context(prompt, reply)).results}


def bouquet_results(reply: str, language: str = "en", occasion: str = "birthday", **fields: str):
    request = bouquet_description.BouquetRequest(
        details=fields.pop("details", DETAILS[language]), occasion=occasion, language=language, **fields
    )
    prompt = bouquet_description.build_prompt(request, SHOP)
    return {r.id: r for r in judge(draft_context(prompt, reply)).results}


def assert_fails(results: dict[str, CheckResult], check_id: str) -> None:
    assert check_id in results and not results[check_id].passed, results
    assert results[check_id].detail  # says what it found


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_good_reply_passes_every_check(language: str) -> None:
    results = complaint_results(GOOD_REPLY[language], language)
    assert [r for r in results.values() if not r.passed] == []
    assert set(results) >= {"no_apology", "no_remedy", "off_topic", "invented", "loop"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_good_bouquet_description_passes_every_check(language: str) -> None:
    results = bouquet_results(GOOD_BOUQUET[language], language)
    assert [r for r in results.values() if not r.passed] == []
    assert "flowers_missing" in results and "no_apology" not in results


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("reply", ["", "   ", "Sorry.", "抱歉。"])
def test_empty_or_too_short(language: str, reply: str) -> None:
    results = complaint_results(reply, language)
    assert_fails(results, "too_short")
    # An empty draft is reported as empty, not also as off topic, apology-less and so on.
    assert not results.get("no_apology")


@pytest.mark.parametrize(
    ("language", "echo"),
    [
        ("en", "Shop policy:\n- Freshness guarantee: if flowers wilt, we re-deliver.\nHuayu Flowers"),
        ("en", "Be sincerely apologetic: say sorry first and own the mistake. We are sorry about the tulips."),
        ("en", "Tone: warm. We are so sorry the tulips wilted, and we will re-deliver them for free."),
        ("en", "You answer customer complaints for Huayu Flowers, a flower shop. Write only the reply to the customer."),
        ("zh", "店铺政策：\n- 鲜花保障：送达后48小时内出现枯萎，可免费重新配送。"),
        ("zh", "你是Huayu Flowers花店的客服助手。请写出花店将发送给顾客的回复。严格遵守店铺政策。"),
    ],
)
def test_repeating_the_instructions_fails(language: str, echo: str) -> None:
    assert_fails(complaint_results(echo, language), "repeats_instructions")


def test_reciting_several_policy_rules_fails_but_restating_one_passes() -> None:
    recital = (
        "We are sorry about your tulips. If flowers wilt within 48 hours of delivery, we re-deliver "
        "for free or refund in full, the customer's choice. We deliver the correct item the same day "
        "if the order came before 15:00, else the next morning. Huayu Flowers"
    )
    assert_fails(complaint_results(recital), "repeats_instructions")
    assert complaint_results(GOOD_REPLY["en"])["repeats_instructions"].passed


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "Dear [customer_name], we are sorry the tulips wilted; we will refund you. [Your Name]"),
        ("en", "Dear <name>, we are sorry the tulips wilted and will refund you in full."),
        ("en", "Dear {name}, we are sorry the tulips wilted and will refund you in full."),
        ("en", "We are sorry the tulips wilted and will refund you in full.<|im_end|>"),
        ("en", "We are sorry the tulips wilted and will refund you.\nCustomer: thanks!"),
        ("zh", "尊敬的【顾客姓名】，郁金香蔫了非常抱歉，我们将为您全额退款。"),
        ("zh", "XXX您好，郁金香蔫了非常抱歉，我们将为您全额退款。"),
    ],
)
def test_placeholders_and_chat_tokens_fail(language: str, reply: str) -> None:
    assert_fails(complaint_results(reply, language), "placeholder")


def test_brackets_the_customer_wrote_are_not_placeholders() -> None:
    complaint = "The card said [sic] 'Happy Birthdy' — and the tulips wilted."
    reply = "We are so sorry the card said [sic] and that your tulips wilted; we will re-deliver fresh ones for free."
    assert complaint_results(reply, complaint=complaint)["placeholder"].passed


@pytest.mark.parametrize(
    ("language", "reply", "found"),
    [
        ("en", "We are sorry the tulips wilted. As an apology, here is a 25% discount on your next order.", "25"),
        ("en", "We are sorry the tulips wilted. Call us on 555 0199 and we will refund you.", "555"),
        ("en", "We are sorry the tulips wilted. Visit www.huayu-flowers.com for a refund.", "www"),
        ("en", "We are sorry the tulips wilted. Please accept a voucher, and we will refund you in full.", "voucher"),
        ("zh", "非常抱歉郁金香蔫了，我们为您全额退款，并赠送一张50元代金券。", "50"),
        ("zh", "非常抱歉郁金香蔫了，我们为您全额退款，另外送您一张优惠券。", "优惠券"),
        ("zh", "非常抱歉郁金香蔫了，下次订购可享九折，我们也会为您全额退款。", "九折"),
    ],
)
def test_invented_numbers_links_and_offers_fail(language: str, reply: str, found: str) -> None:
    results = complaint_results(reply, language)
    assert_fails(results, "invented")
    assert found in results["invented"].detail


def test_numbers_from_the_order_and_the_policy_are_not_invented() -> None:
    reply = (
        "We are sorry that order HY20261103-0415 arrived wilted on 2026-11-03. Within 48 hours of "
        "delivery we re-deliver for free or refund in full, so we will refund you."
    )
    results = complaint_results(reply, order_number="HY20261103-0415", delivery_date="2026-11-03")
    assert results["invented"].passed


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "非常抱歉您的郁金香送到时已经蔫了，我们会为您免费重新配送一束新的，或者全额退款。"),
        ("zh", "We are so sorry the tulips for your aunt arrived wilted; we will re-deliver them for free."),
    ],
)
def test_the_wrong_language_fails(language: str, reply: str) -> None:
    assert_fails(complaint_results(reply, language), "wrong_language")


def test_a_chinese_reply_may_carry_the_shop_name_and_order_number() -> None:
    reply = GOOD_REPLY["zh"] + " 订单号 HY20261103-0415。"
    assert complaint_results(reply, "zh", order_number="HY20261103-0415")["wrong_language"].passed


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "We are sorry the tulips wilted. We will refund you. " + "Thank you for your patience. " * 3),
        ("en", "We are sorry the tulips wilted and we will re-deliver " + "the flowers " * 8),
        ("zh", "非常抱歉郁金香蔫了，我们会为您全额退款。感谢您的耐心等待和理解。感谢您的耐心等待和理解。感谢您的耐心等待和理解。"),
    ],
)
def test_loops_fail(language: str, reply: str) -> None:
    assert_fails(complaint_results(reply, language), "loop")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_too_long_is_a_warning(language: str) -> None:
    results = complaint_results(GOOD_REPLY[language] * 6, language)
    assert_fails(results, "too_long")
    assert results["too_long"].severity == "soft"


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "We are so sorry that the tulips for your aunt's birthday wilted, and we will re-deliver a fresh"),
        ("zh", "非常抱歉阿姨的生日郁金香送到时已经蔫了，我们可以免费重新配送一束新的郁金香，或者为您"),
    ],
)
def test_a_draft_cut_off_mid_sentence_is_a_warning(language: str, reply: str) -> None:
    results = complaint_results(reply, language)
    assert_fails(results, "unfinished")
    assert results["unfinished"].severity == "soft"
    assert complaint_results(GOOD_REPLY[language], language)["unfinished"].passed  # signed off


def test_bouquet_length_follows_the_length_asked_for() -> None:
    long_text = " ".join([GOOD_BOUQUET["en"]] * 4)
    assert_fails(bouquet_results(long_text, length="short"), "too_long")
    assert bouquet_results(long_text, length="long")["too_long"].passed


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "Thank you for telling us about the tulips for your aunt's birthday. We will re-deliver a fresh bouquet for free."),
        ("zh", "感谢您告诉我们阿姨的生日郁金香蔫了的情况，我们会为您免费重新配送一束新的郁金香。"),
    ],
)
def test_no_apology_fails(language: str, reply: str) -> None:
    assert_fails(complaint_results(reply, language), "no_apology")


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "We are so sorry the tulips for your aunt's birthday arrived wilted and brown. We hope she still had a lovely day."),
        ("zh", "非常抱歉给阿姨的生日郁金香送到时已经蔫了，希望阿姨生日依然过得开心愉快。"),
    ],
)
def test_no_remedy_fails_when_the_policy_has_one(language: str, reply: str) -> None:
    results = complaint_results(reply, language)
    assert_fails(results, "no_remedy")
    assert "freshness" in results["no_remedy"].detail


def test_passing_to_the_manager_is_the_remedy_where_the_policy_lists_none() -> None:
    complaint = "Your driver was rude to my grandmother at the door."
    reply = "We are very sorry that our driver was rude to your grandmother. I have passed this to our manager, who will contact you today."
    assert complaint_results(reply, complaint=complaint)["no_remedy"].passed
    silent = "We are very sorry that our driver was rude to your grandmother. That is not how we work."
    assert_fails(complaint_results(silent, complaint=complaint), "no_remedy")


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "We are sorry. I've just added a new item to the shopping cart for you, and we will refund you."),
        ("zh", "非常抱歉。我们刚刚在购物车里为您添加了一件新商品，并为您办理退款。"),
    ],
)
def test_off_topic_fails(language: str, reply: str) -> None:
    assert_fails(complaint_results(reply, language), "off_topic")


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "A joyful bundle of spring colour, wrapped in kraft paper with a linen ribbon."),
        ("zh", "一束充满春日气息的花束，用牛皮纸包裹，系上亚麻丝带。"),
    ],
)
def test_a_description_naming_none_of_the_flowers_fails(language: str, reply: str) -> None:
    assert_fails(bouquet_results(reply, language), "flowers_missing")


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "Seven white tulips in kraft paper, tied with a linen ribbon, with silvery eucalyptus."),
        ("zh", "七支白色郁金香配尤加利叶，用牛皮纸包裹，系上亚麻丝带。"),
    ],
)
def test_leaving_out_some_flowers_is_a_warning(language: str, reply: str) -> None:
    results = bouquet_results(reply, language)
    assert results["flowers_missing"].passed
    assert_fails(results, "flowers_partly_missing")
    assert results["flowers_partly_missing"].severity == "soft"


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", GOOD_BOUQUET["en"] + " A few red roses complete it."),
        ("zh", GOOD_BOUQUET["zh"] + "再点缀几支红玫瑰。"),
    ],
)
def test_invented_flowers_fail(language: str, reply: str) -> None:
    # A product description naming flowers the bouquet lacks states a wrong fact.
    results = bouquet_results(reply, language)
    assert_fails(results, "invented_flowers")
    assert "rose" in results["invented_flowers"].detail
    assert results["invented_flowers"].severity == "hard"


def test_flower_names_used_as_colours_are_no_flowers() -> None:
    reply = GOOD_BOUQUET["en"] + " The paper is rose-pink and the bow a lavender satin."
    assert bouquet_results(reply)["invented_flowers"].passed


SYMPATHY_DETAILS = {"en": "white lilies and white roses, green leaves, a white satin ribbon", "zh": "白百合与白玫瑰，绿叶，白色缎带"}
QUIET = {
    "en": "White lilies and white roses rest among green leaves, tied with a white satin ribbon: a quiet tribute of peace and remembrance.",
    "zh": "白百合与白玫瑰静静相依，绿叶衬托，系上白色缎带，寄托深深的怀念与安慰。",
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("loud", ["!", " 🌸", " joyful"])
def test_sympathy_stays_quiet(language: str, loud: str) -> None:
    details = SYMPATHY_DETAILS[language]
    assert bouquet_results(QUIET[language], language, "sympathy", details=details)["sympathy_loud"].passed
    loud_text = QUIET[language] + (loud if loud != " joyful" or language == "en" else "充满欢乐。")
    assert_fails(bouquet_results(loud_text, language, "sympathy", details=details), "sympathy_loud")


def test_other_occasions_may_be_cheerful() -> None:
    assert bouquet_results(GOOD_BOUQUET["en"] + " Happy birthday!")["sympathy_loud"].passed


def test_every_check_has_a_sentence_in_both_languages() -> None:
    for check in CHECKS:
        for language in ("en", "zh"):
            assert translate(f"check.{check.id}", language).strip()
    assert len(set(CHECK_IDS)) == len(CHECK_IDS)
    assert {check.severity for check in CHECKS} == {"hard", "soft"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_templates_own_example_replies_pass_every_check(language: str) -> None:
    from dataclasses import replace

    from core.drafting.prompts import load_template

    template = load_template("complaint_reply", language)
    assert set(template.examples) == {"apologetic", "warm", "formal"}
    for tone, example in template.examples.items():
        request = complaint_reply.ComplaintRequest(complaint=example["complaint"], tone=tone, language=language)
        prompt = complaint_reply.build_prompt(request, SHOP)
        assert prompt.messages[2]["content"] == example["reply"].format(shop_name=SHOP)
        # Judged as a reply to its own complaint, not as a copy of itself.
        context = draft_context(prompt, example["reply"].format(shop_name=SHOP))
        verdict = judge(replace(context, examples=()))
        assert verdict.failures == [], (tone, verdict.failures)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_bouquet_templates_example_descriptions_pass_every_check(language: str) -> None:
    from dataclasses import replace

    from core.drafting.prompts import load_template

    template = load_template("bouquet_description", language)
    assert set(template.examples) == {"short", "medium", "long"}
    for length, example in template.examples.items():
        details = example["details"].split("：" if language == "zh" else ": ", 1)[1]
        request = bouquet_description.BouquetRequest(details=details, length=length, language=language)
        context = draft_context(bouquet_description.build_prompt(request, SHOP), example["reply"])
        verdict = judge(replace(context, examples=()))
        assert verdict.failures == [], (length, verdict.failures)


def test_a_complaint_reply_naming_flowers_the_customer_never_had_fails() -> None:
    # A small model copies its example: "fresh lilies" in a reply about roses is a wrong fact.
    complaint = "The roses I ordered for our anniversary were already drooping when they arrived."
    copied = "I am so sorry that the roses were drooping. Please send us a photo, and we will deliver fresh lilies free of charge or refund you in full."
    results = complaint_results(copied, complaint=complaint)
    assert_fails(results, "invented_flowers")
    assert "lily" in results["invented_flowers"].detail
    assert complaint_results(copied.replace("lilies", "roses"), complaint=complaint)["invented_flowers"].passed


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "We are so sorry the tulips wilted. We will refund you in full and offer a discount on your next order."),
        ("zh", "非常抱歉郁金香蔫了，我们会为您全额退款，下次订购还可以为您打折。"),
    ],
)
def test_a_discount_outside_the_late_delivery_rule_is_invented(language: str, reply: str) -> None:
    assert_fails(complaint_results(reply, language), "invented")
    late = {"en": "The flowers were delivered two days late.", "zh": "花晚到了两天。"}[language]
    on_time = {"en": "We are so sorry the flowers were two days late. We will refund the delivery fee and take 20% off, a discount for the delay.",
               "zh": "非常抱歉花晚到了两天，我们会退还配送费，并为这笔订单打八折。"}[language]
    assert complaint_results(on_time, language, complaint=late)["invented"].passed
