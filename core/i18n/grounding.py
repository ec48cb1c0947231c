"""Words for what a draft was based on (past replies, knowledge) and the knowledge page."""

CATALOGUE: dict[str, dict[str, str]] = {
    "grounding.examples": {
        "en": "Based on these past replies ({count})",
        "zh": "参考了这些过往回复（{count} 条）",
    },
    "grounding.example": {
        "en": "Generation {id} · {tier} · similarity {score:.2f}",
        "zh": "记录 {id} · {tier} · 相似度 {score:.2f}",
    },
    "grounding.tier.edited": {"en": "edited and sent by staff", "zh": "员工修改后发送"},
    "grounding.tier.rated": {"en": "rated highly", "zh": "高评分"},
    "grounding.tier.starter": {"en": "starter pack", "zh": "入门示例"},
    "grounding.request": {"en": "Request", "zh": "请求"},
    "grounding.open": {"en": "Open in history", "zh": "在历史记录中打开"},
    "grounding.sources": {"en": "Sources: {sources}", "zh": "资料来源：{sources}"},
    # the knowledge page
    "nav.knowledge": {"en": "Shop knowledge", "zh": "店铺资料"},
    "knowledge.title": {"en": "Shop knowledge", "zh": "店铺资料"},
    "knowledge.intro": {
        "en": "Drafts quote these files when a section fits the request, and cite it under the draft. Each `## ` heading starts a section that must make sense on its own.",
        "zh": "当某一节与请求相关时，草稿会引用这些文件，并在草稿下注明出处。每个 `## ` 标题开始一节，每节都要能单独看懂。",
    },
    "knowledge.language": {"en": "Language", "zh": "语言"},
    "knowledge.file": {"en": "File", "zh": "文件"},
    "knowledge.new_file": {"en": "New file name (e.g. events.md)", "zh": "新文件名（例如 events.md）"},
    "knowledge.create": {"en": "Create", "zh": "新建"},
    "knowledge.edit": {"en": "Edit", "zh": "编辑"},
    "knowledge.preview": {"en": "Preview", "zh": "预览"},
    "knowledge.sections": {"en": "Sections as the drafts see them ({count})", "zh": "草稿看到的分节（{count} 节）"},
    "knowledge.save": {"en": "Save", "zh": "保存"},
    "knowledge.saved": {"en": "Saved {name}: {count} sections.", "zh": "已保存 {name}：{count} 节。"},
    "knowledge.no_sections": {
        "en": "This file has no `## ` sections, so drafts will never use it.",
        "zh": "这个文件没有 `## ` 分节，草稿不会用到它。",
    },
    "knowledge.none": {"en": "No knowledge files yet: create one.", "zh": "还没有资料文件，请新建一个。"},
    "knowledge.try": {"en": "Try a request", "zh": "试一个请求"},
    "knowledge.try_help": {
        "en": "The sections a draft for this text would cite.",
        "zh": "为这段文字写草稿时会引用的分节。",
    },
    "knowledge.found_none": {"en": "No section is close enough.", "zh": "没有足够相关的分节。"},
}
