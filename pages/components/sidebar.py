"""The shared sidebar: the shop's header, interface language, backend and model, and settings."""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st
from pydantic import ValidationError

from core.i18n import CATALOGUE, UI_LANGUAGES
from core.models.backends import REGISTRY, BackendConfig, GenerationParams, LoadedModel, ModelError
from core.models.backends.gguf import gpu_offload_available
from core.models.tuned import default_tuned, tuned_models
from core.runtime import backend_config
from core.settings import shop_settings
from core.text import escape_markdown
from pages.components.common import model_slot, tr

# The key each remote backend needs, by the name used in the environment and secrets.toml.
KEY_NAMES = {"hub": "HF_TOKEN", "openai": "OPENAI_API_KEY"}
HF_DEVICES = ("auto", "cuda", "mps", "cpu")


def shop_header() -> None:
    """The shop's logo (when configured) and name at the top of the sidebar."""
    settings = shop_settings()
    if settings.logo_path is not None and settings.logo_path.is_file():
        st.logo(str(settings.logo_path), size="large")
    st.sidebar.markdown(f"### 💐 {escape_markdown(settings.shop_name)}")
    st.sidebar.caption(tr("app.title"))


@dataclass(frozen=True)
class ModelChoice:
    """What the sidebar selected: which model, and how to sample from it."""

    backend_id: str
    config: BackendConfig
    params: GenerationParams


def secrets() -> dict[str, str]:
    """The keys from .streamlit/secrets.toml that backends use; empty when there is no file."""
    try:
        return {name: str(st.secrets[name]) for name in KEY_NAMES.values() if name in st.secrets}
    except FileNotFoundError:  # no secrets.toml: keys come from the environment
        return {}


def key_source(name: str) -> str | None:
    """Where a key would come from: "secrets", "env", or None. The key itself is never shown."""
    import os

    if name in secrets():
        return "secrets"
    return "env" if os.environ.get(name) else None


def sidebar() -> ModelChoice:
    """The shared sidebar: interface language, backend, model, its status, generation settings."""
    with st.sidebar:
        st.selectbox(
            tr("sidebar.language"),
            list(UI_LANGUAGES),
            format_func=UI_LANGUAGES.__getitem__,
            key="ui.language",
        )
        st.subheader(tr("sidebar.model"))
        # A backend registered without words of its own (a plugin's) shows its id.
        backend_labels = {
            backend: tr(f"backend.{backend}") if f"backend.{backend}" in CATALOGUE else backend
            for backend in REGISTRY
        }
        backend_id = st.selectbox(
            tr("sidebar.backend"),
            list(REGISTRY),
            format_func=backend_labels.__getitem__,
            key="sidebar.backend",
        )
        config = _backend_fields(backend_id)
        _model_status(backend_id, config)
        with st.expander(tr("sidebar.settings")):
            params = GenerationParams(
                temperature=st.slider(tr("sidebar.temperature"), 0.0, 2.0, 0.3, 0.05, key="sidebar.temperature"),
                top_p=st.slider(tr("sidebar.top_p"), 0.05, 1.0, 0.9, 0.05, key="sidebar.top_p"),
                max_new_tokens=st.number_input(
                    tr("sidebar.max_new_tokens"), 16, 4096, 320, 16, key="sidebar.max_new_tokens",
                    help=tr("sidebar.max_new_tokens_help"),
                ),
                repetition_penalty=st.slider(
                    tr("sidebar.repetition_penalty"), 1.0, 2.0, 1.1, 0.05, key="sidebar.repetition_penalty"
                ),
            )
    return ModelChoice(backend_id=backend_id, config=config, params=params)


def _backend_fields(backend_id: str) -> BackendConfig:
    """The chosen backend's own fields, turned into its config (defaults if they are invalid)."""
    options: dict[str, object] = {}
    model: str | None = None
    base_url: str | None = None
    if backend_id == "gguf":
        model = _shop_model() or st.text_input(
            tr("sidebar.model_path"), key="sidebar.model_path", help=tr("sidebar.model_path_help")
        )
        if gpu_offload_available():
            options["n_gpu_layers"] = st.number_input(
                tr("sidebar.n_gpu_layers"), -1, 512, -1, 1, key="sidebar.n_gpu_layers",
                help=tr("sidebar.n_gpu_layers_help"),
            )
    elif backend_id == "hf":
        model = st.text_input(tr("sidebar.hf_model"), key="sidebar.hf_model", help=tr("sidebar.hf_model_help"))
        options["device"] = st.selectbox(
            tr("sidebar.hf_device"), HF_DEVICES, key="sidebar.hf_device", help=tr("sidebar.hf_device_help")
        )
        options["trust_remote_code"] = st.checkbox(
            tr("sidebar.trust_remote_code"), key="sidebar.trust_remote_code"
        )
        if options["trust_remote_code"]:
            st.warning(tr("sidebar.trust_remote_code_warning"))
    elif backend_id == "hub":
        model = st.text_input(
            tr("sidebar.hub_model"), "Qwen/Qwen2.5-7B-Instruct", key="sidebar.hub_model",
            help=tr("sidebar.hub_model_help"),
        )
        base_url = st.text_input(
            tr("sidebar.hub_base_url"), key="sidebar.hub_base_url", help=tr("sidebar.hub_base_url_help")
        )
    elif backend_id == "openai":
        base_url = st.text_input(
            tr("sidebar.openai_base_url"), key="sidebar.openai_base_url",
            placeholder="http://127.0.0.1:8000/v1", help=tr("sidebar.openai_base_url_help"),
        )
        model = st.text_input(tr("sidebar.openai_model"), "gpt-4o-mini", key="sidebar.openai_model")
    if backend_id in KEY_NAMES:
        name = KEY_NAMES[backend_id]
        source = key_source(name)
        if source == "secrets":
            st.caption(tr("sidebar.key_from_secrets", name=name))
        elif source == "env":
            st.caption(tr("sidebar.key_from_env", name=name))
        else:
            st.caption(tr("sidebar.key_missing", name=name))
    try:
        return backend_config(
            backend_id,
            model=(model or "").strip() or None,
            base_url=(base_url or "").strip() or None,
            secrets=secrets(),
            **options,
        )
    except (ModelError, ValidationError) as error:
        st.error(str(error) if isinstance(error, ModelError) else tr("sidebar.invalid_settings"))
        return backend_config(backend_id, secrets=secrets())


def _shop_model() -> str | None:
    """The shop's own model (a tuned adapter folder) when there is one and staff keep it chosen;
    the gate's pick comes first. None means a plain GGUF file, typed below."""
    models_dir = shop_settings().models_dir
    tuned = tuned_models(models_dir)
    if not tuned:
        return None
    default = default_tuned(models_dir)
    choices = ["", *(str(m.folder) for m in tuned)]
    labels = {"": tr("sidebar.no_shop_model"), **{str(m.folder): m.label() for m in tuned}}
    picked = st.selectbox(
        tr("sidebar.shop_model"),
        choices,
        index=choices.index(str(default.folder)) if default is not None else 0,
        format_func=labels.__getitem__,
        key="sidebar.shop_model",
        help=tr("sidebar.shop_model_help"),
    )
    return picked or None


def _model_status(backend_id: str, config: BackendConfig) -> None:
    """The loaded model (backend, device, context, notices) and the load/unload buttons."""
    slot = model_slot()
    loaded = slot.current
    if loaded is None:
        st.caption(tr("sidebar.model_not_loaded"))
    else:
        info = loaded.info()
        st.caption(tr("sidebar.model_loaded", model=loaded.model_id, backend=loaded.backend_id))
        if info.device:
            st.caption(tr("sidebar.device", device=info.device))
        if info.context_size:
            st.caption(tr("sidebar.context_size", tokens=f"{info.context_size:,}"))
        for notice in info.notices:
            st.warning(notice)
        if not slot.holds(backend_id, config):
            st.caption(tr("sidebar.choice_differs"))
    load_column, unload_column = st.columns(2)
    if load_column.button(tr("sidebar.load"), key="sidebar.load", width="stretch"):
        try:
            _load(backend_id, config)
        except ModelError as error:
            st.error(str(error))
        else:
            st.rerun()  # redraw the status with the new model
    if unload_column.button(
        tr("sidebar.unload"), key="sidebar.unload", disabled=loaded is None, width="stretch"
    ):
        slot.unload()
        st.rerun()


def load_model(choice: ModelChoice) -> LoadedModel:
    """The chosen model from the process's slot; shows a status with the time a first load takes."""
    return _load(choice.backend_id, choice.config)


def _load(backend_id: str, config: BackendConfig) -> LoadedModel:
    slot = model_slot()
    current = slot.current
    if current is not None and slot.holds(backend_id, config):
        return current
    label = (
        getattr(config, "model_path", None) or getattr(config, "model", None) or tr("sidebar.embedded_model")
    )
    with st.status(tr("model.loading", model=label), expanded=False) as status:
        start = time.perf_counter()
        try:
            model = slot.get(backend_id, config)
        except ModelError:
            status.update(state="error")
            raise
        status.update(label=tr("model.loaded", seconds=time.perf_counter() - start), state="complete")
    return model
