"""Words the checks look for, in English and Chinese: apologies, remedies, offers, flowers.

Kept as plain data so a shop can read what a check means. English entries match whole words in
lower case, or word beginnings when they end in "*" ("apolog*" finds apologise and apologies);
Chinese entries match anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def find_term(text: str, terms: Iterable[str]) -> str | None:
    """The first of `terms` found in `text`, matched as described above; None if none is."""
    lowered = text.lower()
    for term in terms:
        if not term.isascii():
            if term in text:
                return term
            continue
        end = "" if term.endswith("*") else "(?![a-z])"
        if re.search(rf"(?<![a-z]){re.escape(term.rstrip('*'))}{end}", lowered):
            return term.rstrip("*")
    return None

APOLOGY = {
    "en": ("sorry", "apolog*", "regret*", "forgive"),
    "zh": ("抱歉", "歉意", "道歉", "对不起", "致歉", "不好意思", "很遗憾", "深表遗憾"),
}

# What the default policy lets staff offer, by policy rule. The `manager` remedy (pass the case
# on) is always allowed: it is the policy's answer to anything it does not list.
REMEDIES: dict[str, dict[str, tuple[str, ...]]] = {
    "freshness": {
        "en": ("re-deliver*", "redeliver*", "new bouquet", "fresh bouquet", "replac*",
               "refund*", "send you a new", "send a new", "deliver a new"),
        "zh": ("重新配送", "重新送", "补送", "重送", "退款", "全额退", "更换", "换一束", "新的花束"),
    },
    "wrong_item": {
        "en": ("correct item", "correct bouquet", "right bouquet", "the right", "correct one",
               "deliver the", "re-deliver*", "redeliver*", "send the correct", "replac*"),
        "zh": ("补送", "正确的", "重新配送", "重新送", "更换", "换成"),
    },
    "late_delivery": {
        "en": ("refund*", "delivery fee", "20%", "discount", "off your order", "off the order"),
        "zh": ("退还配送费", "退配送费", "配送费", "八折", "退款", "退还"),
    },
    "damaged": {
        "en": ("replac*", "new vase", "free of charge", "refund*"),
        "zh": ("更换", "免费换", "换一个", "补发", "退款", "重新"),
    },
    "double_charge": {
        "en": ("refund*", "reimburse*", "return the", "credited back", "pay back", "paid back"),
        "zh": ("退还", "退款", "退回", "返还"),
    },
    "manager": {
        "en": ("manager", "escalat*", "look into", "investigat*", "follow up", "get back to you",
               "contact you", "reach out"),
        "zh": ("店长", "经理", "转交", "跟进", "核实", "调查", "联系您", "回复您"),
    },
}

# Words in a complaint that say which policy rule applies (English lower-case prefixes).
POLICY_TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "freshness": {
        "en": ("wilt*", "dead", "died", "dying", "droop*", "brown", "fresh*", "rotten", "rotting",
               "smell*", "stink*", "limp", "wither*", "petal*", "hanging", "mould*", "mold*",
               "wilting", "sagging", "gone off"),
        "zh": ("枯", "蔫", "凋谢", "不新鲜", "烂", "发黑", "发臭", "臭", "掉花瓣", "花瓣掉", "耷拉", "谢了",
               "垂头", "垂了头", "发黄", "旧货"),
    },
    "wrong_item": {
        "en": ("wrong bouquet", "wrong flowers", "wrong item", "wrong colour", "wrong color",
               "not what i ordered", "instead", "different flowers", "someone else's order",
               "wrong size", "what came", "what arrived", "and got", "they sent", "sent me the"),
        "zh": ("送错", "不是我订的", "不是我点的", "颜色不对", "错了", "换成了", "而不是", "别人的",
               "送来的是", "送来的却是", "却是", "根本没选", "少了", "只有"),
    },
    "late_delivery": {
        "en": ("late", "delay*", "hours after", "never arrived", "still waiting", "didn't arrive",
               "did not arrive", "next day", "too late", "on time", "turned up at", "came at",
               "supposed to arrive", "meant to arrive", "supposed to be", "delivery slot",
               "time slot", "not received", "haven't received", "hasn't arrived"),
        "zh": ("迟到", "晚到", "延误", "晚了", "还没到", "没送到", "迟迟", "准时", "才送到", "才到",
               "没收到", "说好", "超时", "还没送"),
    },
    "damaged": {
        "en": ("broken", "broke", "crushed", "cracked", "smashed", "damage*", "torn", "ripped",
               "snapped", "dented", "shattered", "squashed", "bent", "leak*", "chipped"),
        "zh": ("碎", "破", "压坏", "压扁", "摔", "断", "裂", "损坏", "撕", "烂了", "变形"),
    },
    "double_charge": {
        "en": ("charged twice", "charged me twice", "double charge*", "double-charge*",
               "duplicate", "two payments", "two charges", "twice"),
        "zh": ("扣了两次", "扣两次", "重复扣款", "重复扣费", "重复支付", "两笔", "多扣", "扣了两笔"),
    },
}

# Offers a small model likes to invent; each is allowed only where the prompt itself has it.
OFFERS = {
    "en": ("voucher*", "coupon*", "gift card*", "store credit", "credit to your account",
           "discount code", "promo code", "loyalty points", "points", "complimentary",
           "free bouquet", "free delivery", "on the house", "bonus", "free gift"),
    "zh": ("代金券", "优惠券", "礼品卡", "积分", "优惠码", "免单", "赠送", "送您一", "免费赠",
           "折扣码", "红包", "返现", "小礼物", "免运费"),
}

# Discounts: the default policy has one, for late deliveries (see the invented check).
DISCOUNTS = {
    "en": ("discount*", "% off", "percent off", "money off", "off your next", "off the order", "off your order"),
    "zh": ("打折", "折优惠", "八折", "九折", "七折", "减免"),
}

# Words that must not describe a sympathy bouquet.
CELEBRATION = {
    "en": ("joy", "joyful", "joyous", "happy", "happiness", "celebrat*", "bright*", "fun", "cheer*",
           "party", "exciting", "excited", "delight*", "vibrant", "festive", "congratulat*"),
    "zh": ("快乐", "开心", "庆祝", "喜庆", "欢乐", "热闹", "欢快", "喜悦", "祝贺", "恭喜", "灿烂", "活泼"),
}

# Flower names, each with the forms it is written in. The first entry names the flower.
FLOWERS: dict[str, tuple[str, ...]] = {
    "rose": ("rose", "roses", "玫瑰", "月季"),
    "tulip": ("tulip", "tulips", "郁金香"),
    "lily": ("lily", "lilies", "百合"),
    "calla lily": ("calla", "callas", "马蹄莲"),
    "sunflower": ("sunflower", "sunflowers", "向日葵"),
    "peony": ("peony", "peonies", "芍药", "牡丹"),
    "carnation": ("carnation", "carnations", "康乃馨"),
    "hydrangea": ("hydrangea", "hydrangeas", "绣球"),
    "gerbera": ("gerbera", "gerberas", "非洲菊", "扶郎花"),
    "chrysanthemum": ("chrysanthemum", "chrysanthemums", "菊花", "白菊", "黄菊", "小菊"),
    "orchid": ("orchid", "orchids", "兰花", "蝴蝶兰"),
    "ranunculus": ("ranunculus", "洋牡丹", "花毛茛"),
    "lisianthus": ("lisianthus", "eustoma", "洋桔梗", "桔梗"),
    "freesia": ("freesia", "freesias", "小苍兰"),
    "baby's breath": ("baby's breath", "gypsophila", "满天星"),
    "daisy": ("daisy", "daisies", "雏菊"),
    "iris": ("iris", "irises", "鸢尾"),
    "lavender": ("lavender", "薰衣草"),
    "anemone": ("anemone", "anemones", "银莲花"),
    "sweet pea": ("sweet pea", "sweet peas", "香豌豆"),
    "dahlia": ("dahlia", "dahlias", "大丽花"),
    "alstroemeria": ("alstroemeria", "alstroemerias", "六出花", "水仙百合"),
    "forget-me-not": ("forget-me-not", "forget-me-nots", "勿忘我"),
    "hyacinth": ("hyacinth", "hyacinths", "风信子"),
    "gardenia": ("gardenia", "gardenias", "栀子"),
    "magnolia": ("magnolia", "magnolias", "玉兰"),
    "cherry blossom": ("cherry blossom", "cherry blossoms", "樱花"),
    "jasmine": ("jasmine", "茉莉"),
    "lotus": ("lotus", "荷花", "莲花"),
    "camellia": ("camellia", "camellias", "山茶"),
    "protea": ("protea", "proteas", "帝王花"),
    "delphinium": ("delphinium", "delphiniums", "larkspur", "飞燕草"),
    "snapdragon": ("snapdragon", "snapdragons", "金鱼草"),
    "statice": ("statice", "limonium", "情人草"),
    "cornflower": ("cornflower", "cornflowers", "矢车菊"),
    "marigold": ("marigold", "marigolds", "万寿菊"),
    "poppy": ("poppy", "poppies", "虞美人", "罂粟"),
    "stock": ("stock flowers", "紫罗兰"),
}
