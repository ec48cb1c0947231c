"""Dashboard: how the shop's drafts are doing over a range of days, for managers."""

import streamlit as st

from core.dashboard.report import BUCKETS, default_range, headline, load_dashboard, utc_today
from pages.components.auth import require_role
from pages.components.common import db_sessions, tr
from pages.components.dashboard_charts import headline_metrics, sections, show

require_role("manager")
st.title(tr("dashboard.title"))
st.caption(tr("dashboard.intro"))

today = utc_today()
bucket_labels = {"day": tr("dashboard.bucket_day"), "week": tr("dashboard.bucket_week")}
days_column, bucket_column = st.columns([3, 1])
picked = days_column.date_input(
    tr("dashboard.days"), value=default_range(today), max_value=today, key="dashboard.days",
    help=tr("dashboard.days_help"),
)
bucket = bucket_column.segmented_control(
    tr("dashboard.bucket"), BUCKETS, format_func=bucket_labels.__getitem__, default="day",
    required=True, key="dashboard.bucket",
)
picked = list(picked)  # the first day alone while the second is being picked
if len(picked) < 2:
    st.info(tr("dashboard.pick_last_day"))
    st.stop()

dashboard = load_dashboard(db_sessions(), picked[0], picked[-1], bucket)
if dashboard.empty:
    st.info(tr("dashboard.empty"))
    st.stop()

headline_metrics(headline(dashboard))
for section in sections(dashboard):
    show(section, dashboard.days)
