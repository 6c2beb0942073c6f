"""Scenarios page: saved plans, two of the same kind side by side, publish.

The comparison opens on a pair of the same kind (two schedules, two rosters, ...), never on an error;
the planner's picks stay until they change them.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app_pages import fmt
from app_pages.i18n import t
from app_pages.session import ScenarioPicks
from app_pages.state import plan_store_or_none, session, show_error
from optimiser.store.compare import compare_scenarios
from wfm.ground.errors import WfmInputError

s = session()
st.title(t("scenarios_title"))
store = plan_store_or_none()
if store is None:
    st.stop()
listing = store.list()
if listing.empty:
    st.info(t("no_scenarios"))
    st.stop()
shown = listing.assign(kind=listing["kind"].map(lambda k: t(f"kind_{k}")))
st.dataframe(fmt.table(shown, kinds={"latest_version": ("number", 0), "published_version": ("number", 0),
                                     "versions": ("number", 0)}), hide_index=True, width="stretch")

kinds = dict(zip(listing["name"], listing["kind"]))
names = listing["name"].tolist()
st.subheader(t("compare"))
comparable = [n for n in names if sum(k == kinds[n] for k in kinds.values()) >= 2]
picks = s.scenario_picks
if not comparable:
    st.info(t("compare_needs_two"))
else:
    ca, cb = st.columns(2)
    a_default = picks.name_a if picks.name_a in comparable else comparable[0]
    name_a = ca.selectbox(t("scenario_a"), comparable, index=comparable.index(a_default), key="scn_a",
                          format_func=lambda n: f"{n} ({t(f'kind_{kinds[n]}')})")
    same_kind = [n for n in comparable if kinds[n] == kinds[name_a]]
    others = [n for n in same_kind if n != name_a] or same_kind
    b_default = picks.name_b if picks.name_b in same_kind else others[0]
    name_b = cb.selectbox(t("scenario_b"), same_kind, index=same_kind.index(b_default), key="scn_b",
                          help=t("same_kind_help"))
    vers_a = [v.version for v in store.versions(name_a)]
    vers_b = [v.version for v in store.versions(name_b)]
    va_default = picks.version_a if picks.name_a == name_a and picks.version_a in vers_a else vers_a[-1]
    vb_default = picks.version_b if picks.name_b == name_b and picks.version_b in vers_b else vers_b[-1]
    ver_a = ca.selectbox(t("version"), vers_a, index=vers_a.index(va_default), key="scn_va")
    ver_b = cb.selectbox(t("version"), vers_b, index=vers_b.index(vb_default), key="scn_vb")
    s.scenario_picks = ScenarioPicks(name_a, name_b, ver_a, ver_b)
    try:
        cmp = compare_scenarios(store, name_a, name_b, ver_a, ver_b)
    except WfmInputError as exc:
        show_error(exc)
    else:
        summary = cmp.summary.assign(metric=cmp.summary["metric"].map(lambda m: t(f"metric_{m}")))
        summary = summary.rename(columns={"a": cmp.label_a, "b": cmp.label_b})
        st.dataframe(fmt.table(summary, labels={cmp.label_a: cmp.label_a, cmp.label_b: cmp.label_b},
                               kinds={c: ("number", 1) for c in (cmp.label_a, cmp.label_b, "change")}),
                     hide_index=True, width="stretch")
        q = cmp.summary["metric"].iloc[0]
        fig = go.Figure()
        fig.add_bar(x=cmp.by_day["date"], y=cmp.by_day[f"{q}_a"], name=cmp.label_a)
        fig.add_bar(x=cmp.by_day["date"], y=cmp.by_day[f"{q}_b"], name=cmp.label_b)
        fig.update_layout(barmode="group", height=320, margin={"t": 10}, yaxis_title=t(f"metric_{q}"),
                          separators=t("plotly_separators"), xaxis=fmt.DATE_AXIS)
        st.plotly_chart(fig, width="stretch", key="scn_chart")
        st.dataframe(fmt.table(cmp.by_day, kinds={"date": ("date",)}), hide_index=True, width="stretch")
        if len(cmp.agents_changed):
            st.subheader(t("agents_changed"))
            st.dataframe(fmt.table(cmp.agents_changed), hide_index=True, width="stretch")

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
        show_error(exc)
