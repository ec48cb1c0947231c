"""Words for the blind side-by-side comparison page."""

CATALOGUE: dict[str, dict[str, str]] = {
    "nav.compare": {"en": "Blind comparison", "zh": "盲评对比"},
    "compare.title": {"en": "Blind comparison", "zh": "盲评对比"},
    "compare.intro": {
        "en": "Two models draft the same reply; you see them in random order, without names, and "
        "pick the better one. Picks teach the shop's model (preference pairs) and rank the models.",
        "zh": "两个模型为同一条投诉起草回复；两份草稿随机排列、不显示模型名，由您选出更好的一份。"
        "您的选择会成为训练本店模型的偏好数据，并用于给模型排名。",
    },
    "compare.model_a": {"en": "One model", "zh": "模型一"},
    "compare.model_b": {"en": "The other model", "zh": "模型二"},
    "compare.embedded": {"en": "Embedded SmolLM2-135M (bare)", "zh": "内置 SmolLM2-135M（未微调）"},
    "compare.same_model": {"en": "Choose two different models.", "zh": "请选择两个不同的模型。"},
    "compare.complaint": {"en": "Customer's complaint", "zh": "客户投诉"},
    "compare.write": {"en": "Write both drafts", "zh": "生成两份草稿"},
    "compare.writing": {"en": "Writing two drafts…", "zh": "正在生成两份草稿……"},
    "compare.draft": {"en": "Draft {letter}", "zh": "草稿 {letter}"},
    "compare.pick": {"en": "{letter} is better", "zh": "{letter} 更好"},
    "compare.both_bad": {"en": "Both are bad", "zh": "都不好"},
    "compare.revealed": {"en": "Draft A: {a} · Draft B: {b}", "zh": "草稿 A：{a} · 草稿 B：{b}"},
    "compare.thanks": {"en": "Thank you — your pick is saved.", "zh": "谢谢，您的选择已保存。"},
    "compare.standings": {"en": "Standings", "zh": "排名"},
    "compare.no_picks": {
        "en": "No picks between two different models yet.",
        "zh": "还没有两个不同模型之间的评选。",
    },
    "compare.col.model": {"en": "Model", "zh": "模型"},
    "compare.col.judged": {"en": "Judged", "zh": "评选次数"},
    "compare.col.wins": {"en": "Better", "zh": "胜"},
    "compare.col.losses": {"en": "Worse", "zh": "负"},
    "compare.col.both_bad": {"en": "Both bad", "zh": "都不好"},
    "compare.col.win_rate": {"en": "Win rate", "zh": "胜率"},
    "compare.col.rating": {"en": "Rating (95% interval)", "zh": "评分（95% 区间）"},
    "compare.rating_help": {
        "en": "Bradley–Terry ratings on the Elo scale (mean 1000; 100 points ≈ 64% chance of "
        "being picked); the interval comes from resampling the picks 1000 times.",
        "zh": "Bradley–Terry 评分，按 Elo 刻度（平均 1000；高 100 分约等于 64% 的被选概率）；"
        "区间由对评选结果重抽样 1000 次得到。",
    },
}
