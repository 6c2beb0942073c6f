"""Scenarios page: saved plans, publish, and two scenarios side by side."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app_pages.i18n import t
from app_pages.state import plan_store_or_none
from optimiser.store.compare import compare_scenarios
from wfm.ground.errors import WfmInputError

st.title(t("scenarios_title"))
store = plan_store_or_none()
if store is None:
    st.stop()
listing = store.list()
if listing.empty:
    st.info(t("no_scenarios"))
    st.stop()
st.dataframe(listing, hide_index=True, width="stretch")

names = listing["name"].tolist()
st.subheader(t("compare"))
ca, cb = st.columns(2)
name_a = ca.selectbox(t("scenario_a"), names, index=0, key="scn_a")
name_b = cb.selectbox(t("scenario_b"), names, index=min(1, len(names) - 1), key="scn_b")
vers_a = [v.version for v in store.versions(name_a)]
vers_b = [v.version for v in store.versions(name_b)]
ver_a = ca.selectbox(t("version"), vers_a, index=len(vers_a) - 1, key="scn_va")
ver_b = cb.selectbox(t("version"), vers_b, index=len(vers_b) - 1, key="scn_vb")
try:
    cmp = compare_scenarios(store, name_a, name_b, ver_a, ver_b)
except WfmInputError as exc:
    st.error(str(exc))
else:
    summary = cmp.summary.rename(columns={"a": cmp.label_a, "b": cmp.label_b})
    st.dataframe(summary, hide_index=True, width="stretch")
    q = cmp.summary["metric"].iloc[0]
    fig = go.Figure()
    fig.add_bar(x=cmp.by_day["date"], y=cmp.by_day[f"{q}_a"], name=cmp.label_a)
    fig.add_bar(x=cmp.by_day["date"], y=cmp.by_day[f"{q}_b"], name=cmp.label_b)
    fig.update_layout(barmode="group", height=320, margin={"t": 10}, yaxis_title=q)
    st.plotly_chart(fig, width="stretch", key="scn_chart")
    st.dataframe(cmp.by_day, hide_index=True, width="stretch")
    if len(cmp.agents_changed):
        st.subheader(t("agents_changed"))
        st.dataframe(cmp.agents_changed, hide_index=True, width="stretch")

st.subheader(t("publish"))
cp1, cp2 = st.columns(2)
pub_name = cp1.selectbox(t("scenario_name"), names, key="scn_pub_name")
pub_versions = [v.version for v in store.versions(pub_name)]
pub_version = cp2.selectbox(t("version"), pub_versions, index=len(pub_versions) - 1, key="scn_pub_version")
if st.button(t("publish_button"), key="scn_publish"):
    try:
        store.publish(pub_name, pub_version)
        st.success(t("published", name=pub_name, version=pub_version))
    except WfmInputError as exc:
        st.error(str(exc))
