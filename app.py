"""The planner's app: a router over thin pages in ``app_pages/``.

Run with ``make run`` (http://localhost:8501). All logic lives in :mod:`forecasting` and
:mod:`optimiser`; pages only hold widgets and rendering. What flows between the pages lives in one
typed session object (:mod:`app_pages.session`). A page that fails unexpectedly shows a plain message;
the details go to the server log, never a traceback to the planner.
"""

from __future__ import annotations

import logging

import streamlit as st

from app_pages.i18n import LANGUAGES, t, widget_text_css
from app_pages.state import auth_enabled, session

st.set_page_config(page_title="WFM", page_icon=":telephone_receiver:", layout="wide")
s = session()

with st.sidebar:
    s.language = st.selectbox(
        "Language / Språk",
        options=list(LANGUAGES),
        index=list(LANGUAGES).index(s.language),
        format_func=LANGUAGES.get,
        key="lang",
    )
    css = widget_text_css(int(st.get_option("server.maxUploadSize")))
    if css:
        st.html(css)
    if auth_enabled():
        # Deployed for a team: sign-in through the OpenID Connect provider in secrets.toml.
        if st.user.is_logged_in:
            st.caption(f"{t('signed_in_as')} {st.user.get('name') or st.user.get('email')}")
            st.button(t("sign_out"), on_click=st.logout, key="sign_out")
        else:
            st.button(t("sign_in"), on_click=st.login, key="sign_in")

pages = [
    st.Page("app_pages/data.py", title=t("page_data"), icon=":material/table_chart:", default=True),
    st.Page("app_pages/forecast.py", title=t("page_forecast"), icon=":material/trending_up:"),
    st.Page("app_pages/staffing.py", title=t("page_staffing"), icon=":material/support_agent:"),
    st.Page("app_pages/schedule.py", title=t("page_schedule"), icon=":material/calendar_month:"),
    st.Page("app_pages/risk.py", title=t("page_risk"), icon=":material/query_stats:"),
    st.Page("app_pages/replay.py", title=t("page_replay"), icon=":material/history:"),
    st.Page("app_pages/roster.py", title=t("page_roster"), icon=":material/badge:"),
    st.Page("app_pages/scenarios.py", title=t("page_scenarios"), icon=":material/compare:"),
    st.Page("app_pages/capacity.py", title=t("page_capacity"), icon=":material/groups:"),
    st.Page("app_pages/today.py", title=t("page_today"), icon=":material/today:"),
]
try:
    st.navigation(pages).run()
except Exception:  # noqa: BLE001 -- st.stop/st.rerun are BaseExceptions and pass through
    logging.getLogger("wfm.app").exception("page failed")
    st.error(t("page_failed"))
