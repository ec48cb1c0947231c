"""Words of the export page (training data for fine-tuning)."""

CATALOGUE: dict[str, dict[str, str]] = {
    "nav.export": {"en": "Training data export", "zh": "训练数据导出"},
    "export.title": {"en": "Export training data", "zh": "导出训练数据"},
    "export.intro": {
        "en": "Turns rated drafts, edited replies and picked variants into fine-tuning files. "
        "Phone numbers, emails, addresses and order numbers are replaced by placeholders unless you switch scrubbing off.",
        "zh": "把评过分的草稿、修改后的回复和选中的版本整理成微调文件。"
        "除非关闭脱敏，电话、邮箱、地址和订单号都会替换成占位符。",
    },
    "export.format": {"en": "Format", "zh": "格式"},
    "export.format.openai_chat": {"en": "OpenAI chat fine-tuning", "zh": "OpenAI 对话微调"},
    "export.format.trl_sft": {"en": "TRL SFT, conversational messages", "zh": "TRL SFT，对话消息"},
    "export.format.trl_prompt_completion": {
        "en": "TRL SFT, prompt and completion",
        "zh": "TRL SFT，提示与补全",
    },
    "export.format.trl_dpo": {"en": "TRL DPO, preference pairs", "zh": "TRL DPO，偏好对"},
    "export.format.trl_kto": {
        "en": "TRL KTO, single good/bad verdicts",
        "zh": "TRL KTO，单条好/坏评价",
    },
    "export.format.alpaca": {"en": "LLaMA-Factory alpaca", "zh": "LLaMA-Factory alpaca 格式"},
    "export.format.sharegpt": {"en": "LLaMA-Factory sharegpt", "zh": "LLaMA-Factory sharegpt 格式"},
    "export.task": {"en": "Task", "zh": "任务"},
    "export.task_all": {"en": "All tasks", "zh": "全部任务"},
    "export.task_complaint": {"en": "Complaint replies", "zh": "投诉回复"},
    "export.task_bouquet": {"en": "Bouquet descriptions", "zh": "花束描述"},
    "export.min_rating": {"en": "Minimum rating", "zh": "最低评分"},
    "export.rating_any": {"en": "Any", "zh": "不限"},
    "export.rating_at_least": {"en": "{stars}+ stars", "zh": "{stars} 星及以上"},
    "export.since": {"en": "From date", "zh": "起始日期"},
    "export.since_help": {"en": "Leave empty for all dates.", "zh": "留空表示不限日期。"},
    "export.split": {"en": "Validation share", "zh": "验证集比例"},
    "export.split_help": {
        "en": "The same prompt always lands in the same file, so the split is the same on every export.",
        "zh": "同一提示总是分到同一个文件，因此每次导出的划分都相同。",
    },
    "export.starter": {"en": "Include the starter pack", "zh": "包含入门示例"},
    "export.starter_help": {
        "en": "Huayu's exemplary replies, imported with `python -m core import --starter`. Leave them out to export only your shop's own replies.",
        "zh": "Huayu 自带的示范回复（用 `python -m core import --starter` 导入）。关闭后只导出本店自己的回复。",
    },
    "export.scrub": {"en": "Remove personal data", "zh": "去除个人信息"},
    "export.scrub_help": {
        "en": "Phones, emails, street addresses and order numbers become [PHONE], [EMAIL], [ADDRESS], [ORDER].",
        "zh": "电话、邮箱、街道地址和订单号会替换为 [PHONE]、[EMAIL]、[ADDRESS]、[ORDER]。",
    },
    "export.prepare": {"en": "Prepare export", "zh": "生成导出文件"},
    "export.working": {"en": "Exporting…", "zh": "正在导出…"},
    "export.empty": {
        "en": "Nothing matched: rate or edit some drafts first, or loosen the filters.",
        "zh": "没有符合条件的数据：请先给草稿评分或修改，或放宽筛选条件。",
    },
    "export.done": {
        "en": "{records} records: {train} for training, {validation} for validation; {duplicates} duplicates dropped.",
        "zh": "共 {records} 条：训练 {train} 条，验证 {validation} 条；去掉重复 {duplicates} 条。",
    },
    "export.pairs": {
        "en": "Pairs from edits: {edit}, from picked variants: {variant}, from ratings: {rating}.",
        "zh": "偏好对来源：修改 {edit}，选中版本 {variant}，评分 {rating}。",
    },
    "export.files": {"en": "Files: {files}", "zh": "文件：{files}"},
    "export.download": {"en": "Download", "zh": "下载"},
}
