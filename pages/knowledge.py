"""Shop knowledge: the Markdown files drafts quote and cite, edited with a preview, for managers."""

import streamlit as st

from core.knowledge.files import knowledge_files, read_knowledge_file, save_knowledge_file, sections
from pages.components.auth import require_role
from pages.components.common import grounder, tr

require_role("manager")
st.title(tr("knowledge.title"))
st.caption(tr("knowledge.intro"))
language_labels = {code: tr(f"lang.{code}") for code in ("en", "zh")}

language_column, file_column, new_column = st.columns([1, 2, 2], vertical_alignment="bottom")
language = language_column.radio(
    tr("knowledge.language"),
    list(language_labels),
    format_func=language_labels.__getitem__,
    key="knowledge.language",
    horizontal=True,
)
names = [path.name for path in knowledge_files(language)]
with new_column.form("knowledge.new", border=False):
    new_name = st.text_input(tr("knowledge.new_file"), key="knowledge.new_name")
    if st.form_submit_button(tr("knowledge.create")) and new_name.strip():
        name = new_name.strip() if new_name.strip().endswith(".md") else f"{new_name.strip()}.md"
        try:
            save_knowledge_file(language, name, f"# {name.removesuffix('.md')}\n")
        except ValueError as error:
            st.warning(str(error))
        else:
            st.session_state["knowledge.file"] = name
            st.rerun()
if not names:
    st.info(tr("knowledge.none"))
    st.stop()
name = file_column.selectbox(tr("knowledge.file"), names, key="knowledge.file")

text = read_knowledge_file(language, name)
edit_tab, preview_tab = st.tabs([tr("knowledge.edit"), tr("knowledge.preview")])
with edit_tab, st.form(f"knowledge.form.{language}.{name}"):
    edited = st.text_area(
        name,
        value=text,
        height=480,
        key=f"knowledge.text.{language}.{name}",
        label_visibility="collapsed",
    )
    if st.form_submit_button(tr("knowledge.save"), type="primary"):
        saved = save_knowledge_file(language, name, edited)
        st.success(tr("knowledge.saved", name=name, count=len(saved)))
        text = edited
with preview_tab:
    st.markdown(text)

found = sections(f"{language}/{name}", text)
if not found:
    st.warning(tr("knowledge.no_sections"))
with st.expander(tr("knowledge.sections", count=len(found))):
    for section in found:
        st.markdown(f"**{section.heading}**")
        st.caption(section.text)

st.subheader(tr("knowledge.try"))
probe = st.text_input(
    tr("knowledge.try"),
    help=tr("knowledge.try_help"),
    key="knowledge.probe",
    label_visibility="collapsed",
    placeholder=tr("knowledge.try_help"),
)
if probe.strip():
    passages = grounder().knowledge.find(probe, language)
    if not passages:
        st.info(tr("knowledge.found_none"))
    for passage in passages:
        st.markdown(f"**{passage.citation}** · {passage.score:.2f}")
        st.caption(passage.text)
