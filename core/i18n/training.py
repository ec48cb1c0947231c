"""Words for the manager's page that trains the shop's own model."""

CATALOGUE: dict[str, dict[str, str]] = {
    "nav.training": {"en": "Train the shop's model", "zh": "训练本店模型"},
    "training.title": {"en": "Train the shop's model", "zh": "训练本店模型"},
    "training.intro": {
        "en": "Fine-tunes the embedded model on the replies your staff approved (edited and sent "
        "first), plus Huayu's starter pack, on this computer. Then base and tuned model draft "
        "every evaluation case; the tuned model becomes the default only if it does better.",
        "zh": "在本机用员工认可过的回复（先取修改后发送的）加上花语入门示例，微调内置模型。"
        "训练后，基础模型和微调模型分别起草全部评测用例；只有微调模型更好时才设为默认。",
    },
    "training.edited": {"en": "Edited and sent", "zh": "修改后发送"},
    "training.rated": {"en": "Rated well", "zh": "好评"},
    "training.starter": {"en": "Starter pack", "zh": "入门示例"},
    "training.languages": {
        "en": "The base model writes: {languages}. Replies in other languages are left out.",
        "zh": "基础模型能写：{languages}。其他语言的回复不参与训练。",
    },
    "training.source": {"en": "Train on", "zh": "训练数据"},
    "training.source.both": {
        "en": "the shop's replies and the starter pack",
        "zh": "本店回复 + 入门示例",
    },
    "training.source.db": {"en": "the shop's replies only", "zh": "只用本店回复"},
    "training.source.starter": {"en": "the starter pack only", "zh": "只用入门示例"},
    "training.epochs": {"en": "Passes over the data (epochs)", "zh": "训练轮数（epoch）"},
    "training.evaluate": {
        "en": "Evaluate against the base model afterwards (about 20 minutes here)",
        "zh": "训练后与基础模型对比评测（本机约 20 分钟）",
    },
    "training.start": {"en": "Start training", "zh": "开始训练"},
    "training.running": {
        "en": "Training runs in the background, started by {who}: closing this page does not stop it.",
        "zh": "训练在后台进行（由 {who} 启动）：关闭本页不会中断。",
    },
    "training.stage.data": {"en": "Preparing the data", "zh": "准备数据"},
    "training.stage.training": {"en": "Training", "zh": "训练中"},
    "training.stage.validating": {"en": "Measuring the validation loss", "zh": "计算验证集损失"},
    "training.stage.converting": {"en": "Writing the GGUF adapter", "zh": "写出 GGUF 适配器"},
    "training.stage.evaluating base": {"en": "Evaluating the base model", "zh": "评测基础模型"},
    "training.stage.evaluating tuned": {"en": "Evaluating the tuned model", "zh": "评测微调模型"},
    "training.stage.done": {"en": "Done", "zh": "完成"},
    "training.step": {
        "en": "{stage}: {step} of {total} · loss {loss} · about {eta} left",
        "zh": "{stage}：{step}/{total} · 损失 {loss} · 约剩 {eta}",
    },
    "training.cancel": {"en": "Cancel the run", "zh": "取消训练"},
    "training.log": {"en": "Log", "zh": "日志"},
    "training.state.done": {"en": "The last run finished: {out}", "zh": "上次训练已完成：{out}"},
    "training.state.failed": {
        "en": "The last run stopped with an error; its log is below.",
        "zh": "上次训练出错停止，日志见下方。",
    },
    "training.state.cancelled": {"en": "The last run was cancelled.", "zh": "上次训练已取消。"},
    "training.models": {"en": "The shop's models", "zh": "本店的模型"},
    "training.none": {"en": "No tuned model yet.", "zh": "还没有微调过的模型。"},
    "training.default": {"en": "the app's default", "zh": "应用默认模型"},
    "training.trained": {
        "en": "Trained {when} on {examples} examples in {minutes:.0f} min ({speed:.0f} tokens/s) · "
        "train loss {train} · validation loss {validation}",
        "zh": "{when} 用 {examples} 条样本训练，耗时 {minutes:.0f} 分钟（{speed:.0f} token/秒）· "
        "训练损失 {train} · 验证损失 {validation}",
    },
    "training.gate": {
        "en": "On {cases} held-out cases: base {base:.0%} vs tuned {tuned:.0%} passed every check; "
        "tuned wins {wins}, ties {ties}, loses {losses}.",
        "zh": "在 {cases} 个未参与训练的用例上：基础模型 {base:.0%}，微调模型 {tuned:.0%} 通过全部检查；"
        "微调模型胜 {wins}、平 {ties}、负 {losses}。",
    },
    "training.won": {"en": "The tuned model is better.", "zh": "微调模型更好。"},
    "training.lost": {
        "en": "The tuned model is not better, so it is not the default.",
        "zh": "微调模型没有更好，因此不设为默认。",
    },
    "training.not_evaluated": {"en": "Not evaluated.", "zh": "未评测。"},
    "training.loss_curve": {"en": "Training loss per step", "zh": "每步训练损失"},
}
