"""Words of the managers' dashboard: the range, the headline numbers, each chart and its table."""

CATALOGUE: dict[str, dict[str, str]] = {
    "nav.dashboard": {"en": "Dashboard", "zh": "数据看板"},
    "dashboard.title": {"en": "How the drafts are doing", "zh": "草稿表现一览"},
    "dashboard.intro": {
        "en": "The shop's own drafts only: imported past replies and the starter pack are left out. "
        "Each draft is judged by its newest rating.",
        "zh": "只统计本店自己生成的草稿，不含导入的历史回复和入门示例。每份草稿以最新一次评分为准。",
    },
    "dashboard.days": {"en": "Days", "zh": "日期范围"},
    "dashboard.days_help": {
        "en": "Whole days in UTC, both ends included.",
        "zh": "按 UTC 时间的整天计算，包含起止两天。",
    },
    "dashboard.bucket": {"en": "Complaints per", "zh": "投诉统计单位"},
    "dashboard.bucket_day": {"en": "Day", "zh": "按天"},
    "dashboard.bucket_week": {"en": "Week", "zh": "按周"},
    "dashboard.pick_last_day": {
        "en": "Pick the last day of the range too.",
        "zh": "请再选择范围的最后一天。",
    },
    "dashboard.empty": {
        "en": "No drafts in these days yet. Once staff draft replies or bouquet texts, their "
        "numbers appear here; or pick a wider range.",
        "zh": "这段日期里还没有草稿。店员开始生成投诉回复或花束文案后，数据会显示在这里；也可以选择更大的日期范围。",
    },
    "dashboard.section_empty": {
        "en": "Nothing to show here for these days.",
        "zh": "这段日期里这一项没有数据。",
    },
    "dashboard.table": {"en": "Table: {title}", "zh": "数据表：{title}"},
    "dashboard.download": {"en": "Download CSV", "zh": "下载 CSV"},
    # headline numbers
    "dashboard.metric.drafts": {"en": "Drafts", "zh": "草稿数"},
    "dashboard.metric.drafts_help": {
        "en": "Every generation: retries after a failed check, rewrites and variants included.",
        "zh": "所有生成记录，包括检查未通过后的重写、改写和多版本。",
    },
    "dashboard.metric.complaints": {"en": "Complaints", "zh": "投诉数"},
    "dashboard.metric.complaints_help": {
        "en": "Customer complaints answered: each counts once, however many drafts it got.",
        "zh": "处理过的顾客投诉：无论生成了几份草稿，每条投诉只算一次。",
    },
    "dashboard.metric.sent": {"en": "Sent as is", "zh": "直接发送"},
    "dashboard.metric.sent_help": {
        "en": "Of the {finished} finished drafts: thumbs up or 4–5 stars, and not edited.",
        "zh": "在 {finished} 份完成的草稿中：点赞或 4–5 星，且未修改。",
    },
    "dashboard.metric.edited": {"en": "Edited", "zh": "修改后发送"},
    "dashboard.metric.edited_help": {
        "en": "Staff put in the reply they actually sent.",
        "zh": "店员填写了实际发送的回复。",
    },
    "dashboard.metric.rejected": {"en": "Rejected", "zh": "被否决"},
    "dashboard.metric.rejected_help": {
        "en": "Rejected by the quality checks, or rated thumbs down.",
        "zh": "未通过质量检查，或被点踩。",
    },
    "dashboard.metric.edit_distance": {"en": "Characters changed", "zh": "平均修改字符数"},
    "dashboard.metric.edit_distance_help": {
        "en": "How many characters staff changed in an edited draft, on average.",
        "zh": "店员修改一份草稿时平均改动的字符数。",
    },
    "dashboard.metric.thumbs_up": {"en": "Thumbs up", "zh": "点赞率"},
    "dashboard.metric.thumbs_up_help": {
        "en": "Of the rated drafts that got a thumb, up or down.",
        "zh": "在获得赞或踩的草稿中，点赞的比例。",
    },
    "dashboard.metric.passed": {"en": "Passed every check", "zh": "全部检查通过"},
    "dashboard.metric.passed_help": {
        "en": "Of the drafts the quality checks looked at.",
        "zh": "在经过质量检查的草稿中的比例。",
    },
    # sections
    "dashboard.drafts": {"en": "Drafts per day", "zh": "每日草稿数"},
    "dashboard.drafts_caption": {
        "en": "Every generation, by task and UTC day.",
        "zh": "按任务和日期（UTC）统计的所有生成记录。",
    },
    "dashboard.complaints": {"en": "Complaints by category", "zh": "投诉类别趋势"},
    "dashboard.complaints_caption": {
        "en": "The triage category of each complaint; “untriaged” was never classified. A week starts on Monday.",
        "zh": "每条投诉的分诊类别；“未分类”表示从未分类。每周从周一开始。",
    },
    "dashboard.outcomes_model": {"en": "What became of the drafts, per model", "zh": "草稿去向（按模型）"},
    "dashboard.outcomes_template": {
        "en": "What became of the drafts, per template version",
        "zh": "草稿去向（按模板版本）",
    },
    "dashboard.outcomes_caption": {
        "en": "Finished drafts by their newest rating: edited (staff sent their own reply), rejected "
        "(by the checks or thumbs down), sent as is (thumbs up or 4–5 stars), undecided (rated, "
        "none of these) or unrated.",
        "zh": "已完成的草稿按最新评分分类：修改后发送（店员发送了自己的回复）、被否决（未通过检查或被点踩）、"
        "直接发送（点赞或 4–5 星）、未定（已评分但不属于以上几类）和未评分。",
    },
    "dashboard.ratings": {"en": "Ratings by model and template version", "zh": "评分（模型 × 模板版本）"},
    "dashboard.ratings_caption": {
        "en": "Colour: the share of thumbs up among drafts with a thumb; number: the mean stars.",
        "zh": "颜色表示获得赞或踩的草稿中点赞的比例；数字为平均星级。",
    },
    "dashboard.checks": {"en": "Quality-check failures", "zh": "质量检查未通过率"},
    "dashboard.checks_caption": {
        "en": "Share of each task's checked drafts that failed each check.",
        "zh": "每项检查在该任务已检查草稿中的未通过比例。",
    },
    "dashboard.latency": {"en": "Latency", "zh": "响应时间"},
    "dashboard.latency_caption": {
        "en": "Percentiles of successful drafts, per model: p90 means nine drafts in ten were faster.",
        "zh": "按模型统计成功草稿的百分位数：p90 表示十份草稿中有九份比这更快。",
    },
    "dashboard.reasons": {"en": "Why drafts were rated down", "zh": "点踩原因"},
    "dashboard.reasons_caption": {
        "en": "The reasons ticked with a thumbs down; one rating may give several.",
        "zh": "点踩时勾选的原因；一次评分可以勾选多个。",
    },
    "dashboard.no_reason": {"en": "No reason given", "zh": "未注明原因"},
    # chart axes and legends
    "dashboard.chart.outcome": {"en": "Outcome", "zh": "去向"},
    "dashboard.chart.share": {"en": "Share of drafts", "zh": "占草稿比例"},
    "dashboard.chart.percentile": {"en": "Percentile", "zh": "百分位"},
    "dashboard.chart.ms": {"en": "Milliseconds", "zh": "毫秒"},
    "dashboard.chart.ttft": {"en": "First token", "zh": "首个 token"},
    "dashboard.chart.latency": {"en": "Whole draft", "zh": "完整草稿"},
    # table columns
    "dashboard.col.day": {"en": "Day", "zh": "日期"},
    "dashboard.col.period": {"en": "Day or week", "zh": "日期或周"},
    "dashboard.col.task": {"en": "Task", "zh": "任务"},
    "dashboard.col.drafts": {"en": "Drafts", "zh": "草稿数"},
    "dashboard.col.category": {"en": "Category", "zh": "类别"},
    "dashboard.col.complaints": {"en": "Complaints", "zh": "投诉数"},
    "dashboard.col.model": {"en": "Model", "zh": "模型"},
    "dashboard.col.template": {"en": "Template version", "zh": "模板版本"},
    "dashboard.col.sent": {"en": "Sent as is", "zh": "直接发送"},
    "dashboard.col.edited": {"en": "Edited", "zh": "修改后发送"},
    "dashboard.col.rejected": {"en": "Rejected", "zh": "被否决"},
    "dashboard.col.undecided": {"en": "Undecided", "zh": "未定"},
    "dashboard.col.unrated": {"en": "Unrated", "zh": "未评分"},
    "dashboard.col.sent_share": {"en": "Share sent as is", "zh": "直接发送比例"},
    "dashboard.col.edited_share": {"en": "Share edited", "zh": "修改比例"},
    "dashboard.col.rejected_share": {"en": "Share rejected", "zh": "否决比例"},
    "dashboard.col.mean_edit_distance": {
        "en": "Mean characters changed",
        "zh": "平均修改字符数",
    },
    "dashboard.col.rated": {"en": "Rated", "zh": "已评分"},
    "dashboard.col.with_thumbs": {"en": "With a thumb", "zh": "有赞或踩"},
    "dashboard.col.thumbs_up": {"en": "Thumbs up", "zh": "点赞数"},
    "dashboard.col.share_thumbs_up": {"en": "Share thumbs up", "zh": "点赞比例"},
    "dashboard.col.with_stars": {"en": "With stars", "zh": "有星级"},
    "dashboard.col.mean_stars": {"en": "Mean stars", "zh": "平均星级"},
    "dashboard.col.check_id": {"en": "Check id", "zh": "检查项编号"},
    "dashboard.col.check": {"en": "Check", "zh": "检查项"},
    "dashboard.col.severity": {"en": "Severity", "zh": "严重程度"},
    "dashboard.col.failed": {"en": "Failed", "zh": "未通过数"},
    "dashboard.col.checked": {"en": "Checked", "zh": "已检查数"},
    "dashboard.col.rate": {"en": "Failure rate", "zh": "未通过率"},
    "dashboard.col.ttft_at": {"en": "First token p{p} (ms)", "zh": "首个 token p{p}（毫秒）"},
    "dashboard.col.latency_at": {"en": "Whole draft p{p} (ms)", "zh": "完整草稿 p{p}（毫秒）"},
    "dashboard.col.reason": {"en": "Reason", "zh": "原因"},
    "dashboard.col.ratings": {"en": "Thumbs down", "zh": "点踩次数"},
    # a complaint never classified (the categories' names are triage's, `category.*`)
    "dashboard.untriaged": {"en": "Untriaged", "zh": "未分类"},
    # quality checks (core.quality.checks.CHECK_IDS), short enough for an axis
    "dashboard.check.too_short": {"en": "Empty or too short", "zh": "为空或太短"},
    "dashboard.check.repeats_instructions": {"en": "Repeats instructions", "zh": "复述说明"},
    "dashboard.check.placeholder": {"en": "Placeholder or chat tag", "zh": "占位符或对话标记"},
    "dashboard.check.invented": {"en": "Invented facts or offers", "zh": "编造信息或优惠"},
    "dashboard.check.wrong_language": {"en": "Wrong language", "zh": "语言不对"},
    "dashboard.check.loop": {"en": "Repeats itself", "zh": "内容重复"},
    "dashboard.check.too_long": {"en": "Too long", "zh": "太长"},
    "dashboard.check.unfinished": {"en": "Cut off", "zh": "没写完"},
    "dashboard.check.no_apology": {"en": "No apology", "zh": "没有道歉"},
    "dashboard.check.no_remedy": {"en": "No remedy", "zh": "没有补救方案"},
    "dashboard.check.off_topic": {"en": "Off the complaint", "zh": "偏离投诉内容"},
    "dashboard.check.flowers_missing": {"en": "Flowers missing", "zh": "缺少花材"},
    "dashboard.check.flowers_partly_missing": {"en": "Some flowers missing", "zh": "部分花材缺失"},
    "dashboard.check.invented_flowers": {"en": "Invented flowers", "zh": "编造花材"},
    "dashboard.check.sympathy_loud": {"en": "Sympathy text not quiet", "zh": "慰问文案不够庄重"},
    "dashboard.severity.hard": {"en": "Hard", "zh": "严重"},
    "dashboard.severity.soft": {"en": "Soft", "zh": "提醒"},
}
