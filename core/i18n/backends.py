"""Words of the sidebar's backend choice, per-backend fields and model status."""

CATALOGUE: dict[str, dict[str, str]] = {
    "backend.gguf": {"en": "GGUF (llama.cpp)", "zh": "GGUF（llama.cpp）"},
    "backend.hf": {"en": "Transformers (HF pipeline)", "zh": "Transformers（HF 流水线）"},
    "backend.hub": {"en": "Hugging Face Hub / Endpoint", "zh": "Hugging Face Hub / 推理端点"},
    "backend.openai": {"en": "OpenAI-compatible API", "zh": "OpenAI 兼容接口"},
    "sidebar.max_new_tokens_help": {
        "en": "Counts only the reply's new tokens, not the prompt (unlike max_length).",
        "zh": "只计算回复中新生成的 token，不含提示词（与 max_length 不同）。",
    },
    "sidebar.n_gpu_layers": {"en": "Layers on the GPU", "zh": "放到 GPU 的层数"},
    "sidebar.n_gpu_layers_help": {
        "en": "-1 puts every layer on the GPU; lower it if the GPU runs out of memory.",
        "zh": "-1 表示全部层都放到 GPU；显存不够时调小。",
    },
    "sidebar.hf_model": {"en": "Model folder, .gguf file or Hub id", "zh": "模型文件夹、.gguf 文件或 Hub 模型 ID"},
    "sidebar.hf_model_help": {
        "en": "Leave empty for the embedded SmolLM2-135M, converted to transformers once (about 20 s) and cached.",
        "zh": "留空则使用内置的 SmolLM2-135M：首次转换为 transformers 格式（约 20 秒）后缓存。",
    },
    "sidebar.hf_device": {"en": "Device", "zh": "设备"},
    "sidebar.hf_device_help": {
        "en": "auto: CUDA GPU, else Apple MPS, else CPU. A missing device falls back to the CPU.",
        "zh": "auto：优先 CUDA 显卡，其次苹果 MPS，最后 CPU。所选设备不存在时改用 CPU。",
    },
    "sidebar.trust_remote_code": {"en": "Trust remote code", "zh": "信任远程代码"},
    "sidebar.trust_remote_code_warning": {
        "en": "The model's own Python code will run on this computer (ChatGLM needs this). Only for authors you trust.",
        "zh": "将在本机运行模型自带的 Python 代码（ChatGLM 需要）。只对可信的作者开启。",
    },
    "sidebar.hub_model": {"en": "Hub model id or endpoint URL", "zh": "Hub 模型 ID 或端点 URL"},
    "sidebar.hub_model_help": {
        "en": "e.g. Qwen/Qwen2.5-7B-Instruct, or https://xyz.endpoints.huggingface.cloud",
        "zh": "例如 Qwen/Qwen2.5-7B-Instruct，或 https://xyz.endpoints.huggingface.cloud",
    },
    "sidebar.hub_base_url": {"en": "Endpoint URL (optional)", "zh": "端点 URL（可选）"},
    "sidebar.hub_base_url_help": {
        "en": "A TGI or Inference Endpoint to send the model id to.",
        "zh": "把上面的模型 ID 发送到这个 TGI 或推理端点。",
    },
    "sidebar.openai_base_url": {"en": "Base URL", "zh": "接口地址（Base URL）"},
    "sidebar.openai_base_url_help": {
        "en": "Empty for OpenAI. vLLM: http://host:8000/v1 · Ollama: http://host:11434/v1 · llama.cpp: http://host:8080/v1",
        "zh": "留空即 OpenAI。vLLM：http://host:8000/v1 · Ollama：http://host:11434/v1 · llama.cpp：http://host:8080/v1",
    },
    "sidebar.openai_model": {"en": "Model name", "zh": "模型名称"},
    "sidebar.key_from_secrets": {"en": "Key {name}: set in secrets.toml", "zh": "密钥 {name}：已在 secrets.toml 中设置"},
    "sidebar.key_from_env": {"en": "Key {name}: set in the environment", "zh": "密钥 {name}：已在环境变量中设置"},
    "sidebar.key_missing": {
        "en": "Key {name}: not set (fine for most local servers)",
        "zh": "密钥 {name}：未设置（多数本地服务器不需要）",
    },
    "sidebar.invalid_settings": {
        "en": "These settings are not valid; using the backend's defaults.",
        "zh": "设置无效，改用该后端的默认设置。",
    },
    "sidebar.device": {"en": "Device: {device}", "zh": "设备：{device}"},
    "sidebar.context_size": {"en": "Context: {tokens} tokens", "zh": "上下文：{tokens} 个 token"},
    "sidebar.choice_differs": {
        "en": "The selection above is a different model: it loads with the next draft, or press Load.",
        "zh": "上面选择的是另一个模型：下次生成时加载，或点击“加载”。",
    },
    "sidebar.load": {"en": "Load", "zh": "加载"},
    "sidebar.unload": {"en": "Unload", "zh": "卸载"},
    "sidebar.embedded_model": {"en": "the embedded SmolLM2-135M", "zh": "内置的 SmolLM2-135M"},
}
