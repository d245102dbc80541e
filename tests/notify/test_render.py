"""Rendering in the recipient's language, admins' templates with a preview, and the pure parts
of the channels (signatures, backoff) checked with Hypothesis."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shouhou.notify.events import EVENTS
from shouhou.notify.models import MessageTemplate
from shouhou.notify.render import preview, render_parts
from shouhou.notify.sender import MAX_BACKOFF
from shouhou.notify.transports.robots import dingtalk_sign, feishu_sign
from shouhou.notify.transports.sms import aliyun_signature, percent_encode

HYPOTHESIS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EVENTS))
def test_every_event_renders_in_both_languages_from_its_sample(name):
    sample = EVENTS[name].sample
    zh = render_parts(event=name, language="zh-hans", context=sample, thread="RMA2026-000123")
    en = render_parts(event=name, language="en", context=sample, thread="RMA2026-000123")
    assert zh.subject.startswith("[RMA2026-000123] ") and en.subject.startswith("[RMA2026-000123] ")
    assert (zh.text and en.text and zh.text != en.text) or name == "notify.legacy"
    assert "<html" in zh.html and zh.subject in zh.html


@pytest.mark.django_db
def test_the_deadline_figure_comes_from_the_data_not_the_template():
    sample = {**EVENTS["rma.return_authorisation"].sample, "faulty_return_wd": 5}
    text = render_parts(event="rma.return_authorisation", language="zh-hans", context=sample).text
    assert "5 个工作日内寄回故障件" in text and "3 个工作日" not in text


@pytest.mark.django_db
def test_text_is_not_escaped_and_html_is():
    ctx = {**EVENTS["rma.rejection_notice"].sample, "reason": "<b>A & B</b>"}
    rendered = render_parts(event="rma.rejection_notice", language="zh-hans", context=ctx)
    assert "<b>A & B</b>" in rendered.text
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in rendered.html


@pytest.mark.django_db
def test_an_admins_template_wins_and_the_preview_shows_it(admin_user, client_for):
    MessageTemplate.objects.create(event="rma.quote", language="zh-hans", subject="报价 {{ serial }}",
                                   text="共 {{ total }} 元")
    rendered = render_parts(event="rma.quote", language="zh-hans", context=EVENTS["rma.quote"].sample)
    assert rendered.subject == "报价 SN-S200-000001" and rendered.text == "共 730.00 元"
    english = render_parts(event="rma.quote", language="en", context=EVENTS["rma.quote"].sample)
    assert english.subject.startswith("Repair quote")  # the other language keeps its file
    template = MessageTemplate.objects.get()
    page = client_for(admin_user).get(f"/admin/notify/messagetemplate/{template.pk}/change/").content.decode()
    assert "共 730.00 元" in page


@pytest.mark.django_db
def test_a_template_with_a_syntax_error_is_refused_and_not_saved(admin_user, client_for):
    response = client_for(admin_user).post("/admin/notify/messagetemplate/add/", {
        "event": "rma.quote", "language": "zh-hans", "subject": "{% if %}", "text": "x", "html": ""})
    assert response.status_code == 200 and "模板语法错误" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_preview_needs_no_database():
    template = MessageTemplate(event="rma.quote", language="en", subject="Quote {{ serial }}", text="{{ total }}")
    assert preview(template, EVENTS["rma.quote"].sample).subject == "Quote SN-S200-000001"


@HYPOTHESIS
@given(tries=st.integers(min_value=1, max_value=60))
def test_backoff_never_shrinks_and_never_passes_the_cap(tries):
    from django.conf import settings as django_settings

    from shouhou.notify.sender import backoff

    base = timedelta(seconds=django_settings.NOTIFY_RETRY_SECONDS)
    assert base <= backoff(tries) <= MAX_BACKOFF
    assert backoff(tries) <= backoff(tries + 1)


@HYPOTHESIS
@given(secret=st.text(min_size=1, max_size=40), ts=st.integers(min_value=1, max_value=2**42))
def test_robot_signatures_match_the_vendors_formulas(secret, ts):
    assert base64.b64decode(dingtalk_sign(secret, ts)) == hmac.new(
        secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert base64.b64decode(feishu_sign(secret, ts)) == hmac.new(
        f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()


@HYPOTHESIS
@given(value=st.text(max_size=30))
def test_aliyun_percent_encoding_is_rfc3986(value):
    encoded = percent_encode(value)
    assert urllib.parse.unquote(encoded) == value
    assert all((c.isalnum() and c.isascii()) or c in "-_.~%" for c in encoded)


@HYPOTHESIS
@given(params=st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=12), max_size=6),
       secret=st.text(max_size=12))
def test_aliyun_signature_ignores_parameter_order(params, secret):
    reordered = dict(reversed(list(params.items())))
    assert aliyun_signature(params, secret) == aliyun_signature(reordered, secret)


@pytest.mark.django_db
def test_a_new_template_starts_from_the_shipped_one(admin_user, client_for):
    page = client_for(admin_user).get("/admin/notify/messagetemplate/add/?event=rma.quote&language=en")
    html = page.content.decode()
    assert "Repair quote:" in html and "{% for item in items %}" in html
