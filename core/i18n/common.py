"""Words of the app shell, the sidebar and the model's status."""

CATALOGUE: dict[str, dict[str, str]] = {
    "app.title": {"en": "Huayu reply desk", "zh": "花语客服台"},
    "nav.complaint": {"en": "Complaint reply", "zh": "投诉回复"},
    "sidebar.language": {"en": "Interface language", "zh": "界面语言"},
    "sidebar.model": {"en": "Model", "zh": "模型"},
    "sidebar.backend": {"en": "Backend", "zh": "后端"},
    "sidebar.model_path": {"en": "GGUF model file", "zh": "GGUF 模型文件"},
    "sidebar.model_path_help": {
        "en": "Leave empty for the embedded SmolLM2-135M (tiny, English-only).",
        "zh": "留空则使用内置的 SmolLM2-135M（很小，只会英文）。",
    },
    "sidebar.shop_model": {"en": "The shop's own model", "zh": "本店自己的模型"},
    "sidebar.shop_model_help": {
        "en": "Fine-tuned on this shop's approved replies (`python -m core tune`). Choose "
        "“none” to type a GGUF file instead.",
        "zh": "用本店认可过的回复微调而成（`python -m core tune`）。选“不使用”则可填写 GGUF 文件。",
    },
    "sidebar.no_shop_model": {"en": "none: a GGUF file", "zh": "不使用：填写 GGUF 文件"},
    "sidebar.settings": {"en": "Generation settings", "zh": "生成设置"},
    "sidebar.temperature": {"en": "Temperature", "zh": "温度"},
    "sidebar.top_p": {"en": "Top-p", "zh": "Top-p"},
    "sidebar.max_new_tokens": {"en": "Max new tokens", "zh": "最多新生成 token 数"},
    "sidebar.repetition_penalty": {"en": "Repetition penalty", "zh": "重复惩罚"},
    "sidebar.model_loaded": {"en": "Loaded: {model} ({backend})", "zh": "已加载：{model}（{backend}）"},
    "sidebar.model_not_loaded": {
        "en": "No model loaded yet: it loads with the first draft.",
        "zh": "尚未加载模型：生成第一份草稿时会自动加载。",
    },
    "model.loading": {"en": "Loading {model}…", "zh": "正在加载 {model}……"},
    "model.loaded": {"en": "Model ready in {seconds:.1f} s", "zh": "模型已就绪，用时 {seconds:.1f} 秒"},
    # a language named in a sentence ("cannot write Chinese"), not the interface's own name for it
    "language.en": {"en": "English", "zh": "英文"},
    "language.zh": {"en": "Chinese", "zh": "中文"},
}
