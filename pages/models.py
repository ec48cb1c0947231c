"""Model manager: this computer's hardware, the models folder, downloads, loading and unloading."""

import streamlit as st

from core.models.backends import ModelError
from core.models.catalogue import RECOMMENDED, downloaded, estimated_decode_speed, fit, fit_state
from core.models.downloads import download_watched, hub_endpoint
from core.models.hardware import format_bytes, hardware_report
from core.models.model_files import ModelFile, estimate_memory, list_models
from core.models.tuned import default_tuned, tuned_models
from core.runtime import backend_config
from core.settings import shop_settings
from core.text import escape_markdown
from pages.components.auth import require_role
from pages.components.common import model_slot, tr
from pages.components.sidebar import load_model, secrets

require_role("manager")
st.title(tr("models.title"))
models_dir = shop_settings().models_dir

# --- Hardware: "do I have a GPU?" answered on screen ---
report = hardware_report()
with st.expander(tr("models.hardware"), expanded=True):
    cores_column, ram_column, gpu_column = st.columns(3)
    cores_column.metric(tr("models.cores"), f"{report.physical_cores} / {report.logical_cores}")
    ram_column.metric(tr("models.ram", total=format_bytes(report.ram_total_bytes)), format_bytes(report.ram_available_bytes))
    if report.gpus:
        gpu_column.metric(tr("models.cuda"), tr("models.cuda_yes", count=len(report.gpus)))
        for gpu in report.gpus:
            st.caption(
                tr("models.gpu", index=gpu.index, name=gpu.name, free=format_bytes(gpu.free_bytes), total=format_bytes(gpu.total_bytes))
            )
    else:
        gpu_column.metric(tr("models.cuda"), tr("models.no"))
        st.caption(tr("models.no_cuda_hint"))
    st.caption(tr("models.mps", state=tr("models.yes") if report.mps_available else tr("models.no")))
    st.caption(tr("models.llama_gpu", state=tr("models.yes") if report.llama_gpu_offload else tr("models.no")))
    st.table({tr("models.library"): list(report.versions), tr("models.version"): [v or "–" for v in report.versions.values()]})

# --- The loaded model ---
slot = model_slot()
loaded = slot.current
st.subheader(tr("models.loaded_heading"))
if loaded is None:
    st.caption(tr("sidebar.model_not_loaded"))
else:
    st.markdown(tr("sidebar.model_loaded", model=escape_markdown(loaded.model_id), backend=loaded.backend_id))
    if st.button(tr("sidebar.unload"), key="models.unload"):
        slot.unload()
        st.rerun()

if st.session_state.pop("models.pending_load", False):
    # Set by a "Load" button below: the sidebar now shows that model, so load what it shows.
    try:
        load_model(st.session_state["model_choice"])
    except ModelError as error:
        st.error(str(error))
    else:
        st.rerun()


def choose(backend_id: str, path: str) -> None:
    """Point the sidebar at `path` on `backend_id`, then load it on the rerun (callbacks run first)."""
    st.session_state["sidebar.backend"] = backend_id
    st.session_state["sidebar.model_path" if backend_id == "gguf" else "sidebar.hf_model"] = path
    st.session_state["sidebar.shop_model"] = ""  # a file, not the shop's own model
    st.session_state["models.pending_load"] = True


def choose_tuned(folder: str) -> None:
    """Point the sidebar at the shop's model in `folder`, then load it on the rerun."""
    st.session_state["sidebar.backend"] = "gguf"
    st.session_state["sidebar.shop_model"] = folder
    st.session_state["models.pending_load"] = True


def show_model(model: ModelFile, context: int, device: str) -> None:
    """One model: what it is, its memory estimate per backend, and load buttons."""
    with st.container(border=True):
        kind = tr(f"models.kind.{model.kind}")
        st.markdown(f"**{escape_markdown(model.name)}** · {kind} · {format_bytes(model.size_bytes)}")
        st.caption(escape_markdown(str(model.path)))
        if model.problem:
            st.warning(model.problem)
            return
        arch = model.architecture
        if arch and arch.context_length:
            st.caption(tr("models.trained_context", tokens=f"{arch.context_length:,}"))
        backends = ("gguf", "hf") if model.kind == "gguf" else ("hf",)
        for backend_id, column in zip(backends, st.columns(len(backends)), strict=True):
            estimate = estimate_memory(model, backend=backend_id, context=context, device=device)
            with column:
                column.caption(
                    tr(
                        "models.estimate",
                        backend=tr(f"backend.{backend_id}"),
                        total=format_bytes(estimate.total_bytes),
                        weights=format_bytes(estimate.weights_bytes),
                        kv=format_bytes(estimate.kv_cache_bytes),
                        free=format_bytes(estimate.free_bytes),
                    )
                )
                if not estimate.fits:
                    st.error(tr("models.too_big"))
                elif estimate.tight:
                    st.warning(tr("models.tight"))
                for note in estimate.notes:
                    st.caption(note)
                st.button(
                    tr("models.load_with", backend=tr(f"backend.{backend_id}")),
                    key=f"models.load.{backend_id}.{model.path}",
                    on_click=choose,
                    args=(backend_id, str(model.path)),
                    disabled=slot.holds(backend_id, backend_config(backend_id, model=str(model.path))),
                )


# --- The shop's own models (tuned adapters) ---
tuned = tuned_models(models_dir)
if tuned:
    st.subheader(tr("models.tuned_heading"))
    default = default_tuned(models_dir)
    for model in tuned:
        with st.container(border=True):
            is_default = default is not None and default.folder == model.folder
            marker = f" · **{tr('training.default')}**" if is_default else ""
            st.markdown(f"**{escape_markdown(model.name)}**{marker}")
            st.caption(escape_markdown(model.label()))
            st.caption(tr("models.tuned_base", base=escape_markdown(model.base_path.name)))
            st.button(
                tr("models.load_with", backend=tr("backend.gguf")),
                key=f"models.load.tuned.{model.folder}",
                on_click=choose_tuned,
                args=(str(model.folder),),
                disabled=slot.holds("gguf", backend_config("gguf", model=str(model.folder))),
            )

# --- Models in the folder ---
st.subheader(tr("models.folder_heading"))
st.caption(tr("models.folder", folder=escape_markdown(str(models_dir))))
context = int(st.number_input(tr("models.context"), 256, 131072, 4096, 256, key="models.context"))
device = "cuda" if report.gpus else "cpu"
found = list_models(models_dir)
if not found:
    st.info(tr("models.none"))
for model in found:
    show_model(model, context, device)

def download_with_progress(repo: str, filename: str = "") -> None:
    """Download a file (or a whole repository) with a progress bar; says where it went."""
    bar = st.progress(0.0, text=tr("models.starting"))

    def tick(done: int, total: int | None) -> None:
        shown = format_bytes(total) if total else "?"
        bar.progress(min(done / total, 1.0) if total else 0.0, text=tr("models.progress", done=format_bytes(done), total=shown))

    try:
        path = download_watched(
            repo, models_dir, filename=filename.strip(), token=secrets().get("HF_TOKEN"), on_tick=tick
        )
    except ModelError as error:
        st.error(str(error))
    else:
        where = escape_markdown(str(path))
        done = tr("models.verified", path=where) if filename else tr("models.downloaded", path=where)
        bar.progress(1.0, text=done)
        st.success(done)


# --- Recommended models ---
st.subheader(tr("models.recommended_heading"))
st.caption(tr("models.recommended_intro"))
language_names = {"en": tr("language.en"), "zh": tr("language.zh")}
rows = []
for model in RECOMMENDED:
    estimate = fit(model, models_dir, context)
    rows.append(
        {
            tr("models.col.model"): model.name,
            tr("models.col.languages"): ", ".join(language_names[code] for code in sorted(model.languages)),
            tr("models.col.size"): format_bytes(model.size_bytes),
            tr("models.col.memory"): format_bytes(estimate.total_bytes),
            tr("models.col.fits"): tr(f"models.fits.{fit_state(estimate)}"),
            tr("models.col.speed"): tr("models.speed", speed=estimated_decode_speed(model)),
            tr("models.col.licence"): model.licence,
        }
    )
st.dataframe(rows, hide_index=True)
wanted = None
with st.container(horizontal=True):
    for model in RECOMMENDED:
        if downloaded(model, models_dir):
            st.caption(tr("models.have", name=model.name))
        elif st.button(tr("models.get", name=model.name), key=f"models.get.{model.filename}"):
            wanted = model
if wanted is not None:
    download_with_progress(wanted.repo_id, wanted.filename)

# --- Download from the Hub ---
st.subheader(tr("models.download_heading"))
st.caption(tr("models.endpoint", endpoint=hub_endpoint()))
with st.form("models.download"):
    repo_id = st.text_input(tr("models.repo"), key="models.repo", placeholder="Qwen/Qwen2.5-3B-Instruct-GGUF")
    filename = st.text_input(
        tr("models.filename"), key="models.filename", placeholder="qwen2.5-3b-instruct-q4_k_m.gguf",
        help=tr("models.filename_help"),
    )
    submitted = st.form_submit_button(tr("models.download"), type="primary")
if submitted:
    download_with_progress(repo_id, filename)
