"""Words of the complaint-reply page."""

CATALOGUE: dict[str, dict[str, str]] = {
    "complaint.title": {"en": "Reply to a complaint", "zh": "回复顾客投诉"},
    "complaint.text": {"en": "Customer's complaint", "zh": "顾客投诉内容"},
    "complaint.text_placeholder": {
        "en": "Paste the customer's message here…",
        "zh": "在这里粘贴顾客的留言……",
    },
    "complaint.order": {"en": "Order details (optional)", "zh": "订单信息（可选）"},
    "complaint.order_number": {"en": "Order number", "zh": "订单号"},
    "complaint.product": {"en": "Product", "zh": "商品"},
    "complaint.delivery_date": {"en": "Delivery date", "zh": "送达日期"},
    "complaint.tone": {"en": "Tone", "zh": "语气"},
    "complaint.reply_language": {"en": "Reply language", "zh": "回复语言"},
    "complaint.submit": {"en": "Draft reply", "zh": "生成回复草稿"},
    "complaint.empty": {
        "en": "The complaint is empty: paste the customer's message first.",
        "zh": "投诉内容为空：请先粘贴顾客的留言。",
    },
    "tone.apologetic": {"en": "Apologetic", "zh": "诚恳致歉"},
    "tone.warm": {"en": "Warm", "zh": "亲切温暖"},
    "tone.formal": {"en": "Formal", "zh": "正式礼貌"},
    "lang.en": {"en": "English", "zh": "英文"},
    "lang.zh": {"en": "Chinese (中文)", "zh": "中文"},
}
