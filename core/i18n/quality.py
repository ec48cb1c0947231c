"""Words of the quality checks: one plain sentence per check, and the guard's notices."""

CATALOGUE: dict[str, dict[str, str]] = {
    "check.too_short": {
        "en": "The draft is empty or too short to answer the customer.",
        "zh": "草稿为空或太短，无法回复顾客。",
    },
    "check.repeats_instructions": {
        "en": "The draft repeats the instructions or the shop policy instead of answering.",
        "zh": "草稿在复述给模型的说明或店铺政策，而不是回复顾客。",
    },
    "check.placeholder": {
        "en": "The draft has a placeholder or a chat tag to fill in, such as [name].",
        "zh": "草稿里有待填写的占位符或对话标记，例如 [姓名]。",
    },
    "check.invented": {
        "en": "The draft states a number, link, contact or offer that is in neither the request nor the policy.",
        "zh": "草稿写了请求和政策里都没有的数字、链接、联系方式或优惠。",
    },
    "check.wrong_language": {
        "en": "The draft is not in the reply language asked for.",
        "zh": "草稿的语言与所选回复语言不符。",
    },
    "check.loop": {
        "en": "The draft repeats itself.",
        "zh": "草稿在重复同样的内容。",
    },
    "check.too_long": {
        "en": "The draft is longer than this task asks for.",
        "zh": "草稿比这项任务要求的长。",
    },
    "check.unfinished": {
        "en": "The draft stops mid-sentence.",
        "zh": "草稿在句子中间断掉了。",
    },
    "check.no_apology": {
        "en": "The reply does not apologise.",
        "zh": "回复中没有道歉。",
    },
    "check.no_remedy": {
        "en": "The reply offers no remedy, although the policy has one for this complaint.",
        "zh": "政策对这类投诉有补偿办法，但回复没有提出。",
    },
    "check.off_topic": {
        "en": "The reply does not mention anything the customer wrote about.",
        "zh": "回复没有提到顾客所说的任何内容。",
    },
    "check.flowers_missing": {
        "en": "The description names none of the bouquet's flowers.",
        "zh": "描述里没有提到花束中的任何一种花。",
    },
    "check.flowers_partly_missing": {
        "en": "The description leaves out some of the bouquet's flowers.",
        "zh": "描述漏掉了花束中的部分花材。",
    },
    "check.invented_flowers": {
        "en": "The text names flowers that are not in the bouquet or the customer's order.",
        "zh": "文中提到了花束或顾客订单里没有的花。",
    },
    "check.sympathy_loud": {
        "en": "A sympathy description must stay quiet: no exclamation marks, emoji or festive words.",
        "zh": "悼念花束的描述应当素净：不用感叹号、表情符号或喜庆的词。",
    },
    # the guard
    "guard.passed": {"en": "Passed every check.", "zh": "通过全部检查。"},
    "guard.retrying": {
        "en": "Attempt {attempt} failed a check ({reasons}); writing another…",
        "zh": "第 {attempt} 次尝试未通过检查（{reasons}），正在重写……",
    },
    "guard.unusable": {
        "en": "This model could not write a usable reply in {attempts} attempts. Below is the least bad one: fix it before sending, or choose a larger model in the sidebar (see the Model manager's recommended models).",
        "zh": "该模型尝试 {attempts} 次都没能写出可用的回复。下面是其中最好的一份：发送前请先修改，或在侧边栏换用更大的模型（见模型管理中的推荐模型）。",
    },
    "language.unsupported": {
        "en": "{model} cannot write {wanted}: its drafts would be unusable. Choose a model that writes {wanted} in the sidebar (the Model manager recommends some), or ask for the reply in {supported}.",
        "zh": "{model} 不会写{wanted}，生成的草稿将无法使用。请在侧边栏选择能写{wanted}的模型（模型管理中有推荐），或改用{supported}回复。",
    },
}
