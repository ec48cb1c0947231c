"""Words of the bouquet-description page, its occasions and lengths."""

CATALOGUE: dict[str, dict[str, str]] = {
    "nav.bouquet": {"en": "Bouquet description", "zh": "花束文案"},
    "bouquet.title": {"en": "Describe a bouquet", "zh": "撰写花束文案"},
    "bouquet.details": {"en": "Flowers, colours and wrapping", "zh": "花材、颜色与包装"},
    "bouquet.details_placeholder": {
        "en": "e.g. 12 red roses with baby's breath and greenery, wrapped in red paper",
        "zh": "例如：12支红玫瑰，搭配白色满天星和绿叶，包装在浪漫的红色纸中",
    },
    "bouquet.occasion": {"en": "Occasion", "zh": "场合"},
    "bouquet.recipient": {"en": "For whom (optional)", "zh": "送给谁（可选）"},
    "bouquet.recipient_placeholder": {
        "en": "e.g. my mother, a colleague",
        "zh": "例如：妈妈、同事",
    },
    "bouquet.length": {"en": "Length", "zh": "篇幅"},
    "bouquet.language": {"en": "Description language", "zh": "文案语言"},
    "bouquet.submit": {"en": "Write description", "zh": "生成文案"},
    "bouquet.empty": {
        "en": "The flower details are empty: describe the bouquet first.",
        "zh": "花束信息为空：请先描述这束花。",
    },
    "occasion.birthday": {"en": "Birthday", "zh": "生日"},
    "occasion.anniversary": {"en": "Anniversary", "zh": "纪念日"},
    "occasion.valentine": {"en": "Valentine's Day", "zh": "情人节"},
    "occasion.mothers_day": {"en": "Mother's Day", "zh": "母亲节"},
    "occasion.wedding": {"en": "Wedding", "zh": "婚礼"},
    "occasion.congratulations": {"en": "Congratulations", "zh": "祝贺"},
    "occasion.housewarming": {"en": "Housewarming", "zh": "乔迁"},
    "occasion.thanks": {"en": "Thank you", "zh": "致谢"},
    "occasion.get_well": {"en": "Get well soon", "zh": "早日康复"},
    "occasion.apology": {"en": "Apology", "zh": "道歉"},
    "occasion.sympathy": {"en": "Sympathy", "zh": "悼念慰问"},
    "occasion.just_because": {"en": "Just because", "zh": "无特别场合"},
    "length.short": {"en": "Short", "zh": "短"},
    "length.medium": {"en": "Medium", "zh": "中"},
    "length.long": {"en": "Long", "zh": "长"},
}
