"""Words of what staff can do with a draft besides rating it: variants and rewrites."""

CATALOGUE: dict[str, dict[str, str]] = {
    "variants.count": {"en": "Drafts at once", "zh": "同时生成几份"},
    "variants.count_help": {
        "en": "Up to 4 drafts side by side, written one after another; pick the one you use.",
        "zh": "最多并排生成 4 份草稿（依次生成），选出你要用的那一份。",
    },
    "variants.label": {"en": "Draft {number}", "zh": "草稿 {number}"},
    "variants.choose": {"en": "Use this one", "zh": "用这一份"},
    "variants.chosen": {"en": "Chosen", "zh": "已选用"},
    "rewrite.prompt": {"en": "Rewrite:", "zh": "改写："},
    "rewrite.heading": {"en": "Rewrite: {action}", "zh": "改写：{action}"},
    "rewrite.shorter": {"en": "Shorter", "zh": "更短"},
    "rewrite.longer": {"en": "Longer", "zh": "更长"},
    "rewrite.warmer": {"en": "Warmer", "zh": "更温暖"},
    "rewrite.formal": {"en": "More formal", "zh": "更正式"},
}
