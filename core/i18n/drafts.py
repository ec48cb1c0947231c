"""Words around a draft: its metrics, errors and the rating form."""

CATALOGUE: dict[str, dict[str, str]] = {
    "draft.heading": {"en": "Draft", "zh": "草稿"},
    "draft.metrics": {
        "en": "{backend} · {model} · first token {ttft} · {speed} · {tokens} tokens",
        "zh": "{backend} · {model} · 首个 token {ttft} · {speed} · {tokens} 个 token",
    },
    "draft.error": {"en": "The model failed: {error}", "zh": "模型出错：{error}"},
    "draft.nothing_written": {
        "en": "The model wrote nothing usable this time. Press the button again for a new draft; a larger model (see the sidebar) does this far less.",
        "zh": "模型这次没有写出可用的内容。请再按一次按钮重新生成；换用更大的模型（见侧边栏）会好很多。",
    },
    "draft.stop": {"en": "Stop", "zh": "停止"},
    "draft.copy": {"en": "Copy the draft", "zh": "复制草稿"},
    "draft.cancelled": {
        "en": "Stopped. The partial draft was kept.",
        "zh": "已停止，部分草稿已保存。",
    },
    # rating
    "rating.heading": {"en": "Rate this draft", "zh": "为这份草稿评分"},
    "rating.thumbs": {"en": "Good or bad?", "zh": "好还是不好？"},
    "rating.stars": {"en": "Stars", "zh": "星级"},
    "rating.reasons": {"en": "Why?", "zh": "原因"},
    "rating.comment": {"en": "Comment", "zh": "备注"},
    "rating.edited_reply": {"en": "The reply I actually sent", "zh": "实际发送的回复"},
    "rating.save": {"en": "Save rating", "zh": "保存评分"},
    "rating.saved": {"en": "Saved. Thank you!", "zh": "已保存，谢谢！"},
    "rating.nothing": {
        "en": "Give a thumb, stars, a reason, a comment or your edited reply first.",
        "zh": "请先给出赞/踩、星级、原因、备注或修改后的回复。",
    },
    "reason.wrong_facts": {"en": "Wrong facts", "zh": "事实错误"},
    "reason.against_policy": {"en": "Against policy", "zh": "违反政策"},
    "reason.wrong_tone": {"en": "Wrong tone", "zh": "语气不对"},
    "reason.too_long": {"en": "Too long", "zh": "太长"},
    "reason.too_short": {"en": "Too short", "zh": "太短"},
    "reason.wrong_language": {"en": "Wrong language", "zh": "语言不对"},
    "reason.great": {"en": "Great as is", "zh": "可直接使用"},
}
