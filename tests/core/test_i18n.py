"""English is available: the committed catalogue is complete and the pages switch language.

The source language is Simplified Chinese; `src/shouhou/locale/en/LC_MESSAGES/django.po` (and
its compiled .mo, committed too) carries the English. See docs/translations.md for refreshing it.
"""

import ast
import gettext
import re
from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

import shouhou

LOCALE = Path(shouhou.__file__).parent / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


@pytest.fixture(autouse=True)
def _back_to_default_language():
    # The test client runs LocaleMiddleware in this thread: leave no English behind for other tests.
    yield
    translation.deactivate()


# --- the catalogue --------------------------------------------------------------------------
def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (list), flags. Obsolete (#~) skipped."""
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def finish() -> None:
        nonlocal entry, key
        if "msgid" in entry:
            entries.append(entry)
        entry, key = {}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#,"):
            if "msgid" in entry:
                finish()
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            if "msgid" in entry:
                finish()
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
        if match:
            key, text = match[1], ast.literal_eval(match[2])
            if key.startswith("msgstr"):
                entry.setdefault("msgstr", []).append(text)
            else:
                entry[key] = text
        elif line.startswith('"') and key:
            text = ast.literal_eval(line)
            if key.startswith("msgstr"):
                entry["msgstr"][-1] += text
            else:
                entry[key] += text
    finish()
    for e in entries:
        e.setdefault("flags", set())
    return entries


def catalogue() -> list[dict]:
    return [e for e in read_po(LOCALE / "django.po") if e["msgid"]]


def test_the_english_catalogue_and_its_compiled_form_are_committed():
    assert (LOCALE / "django.po").is_file()
    assert (LOCALE / "django.mo").is_file()
    assert len(catalogue()) > 700


def test_every_message_in_the_committed_catalogue_has_an_english_translation():
    entries = catalogue()
    empty = [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"])]
    assert empty == [], f"{len(empty)} messages without English; see docs/translations.md"


def test_the_committed_catalogue_has_no_fuzzy_entries():
    header = read_po(LOCALE / "django.po")[0]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    fuzzy = [e["msgid"] for e in catalogue() if "fuzzy" in e["flags"]]
    assert fuzzy == []


def test_translations_keep_the_placeholders_of_the_chinese():
    wrong = []
    for e in catalogue():
        expected = set(PLACEHOLDER.findall(e["msgid"]))
        wrong += [(e["msgid"], s) for s in e["msgstr"] if set(PLACEHOLDER.findall(s)) != expected]
    assert wrong == []


def test_the_compiled_catalogue_matches_the_po_file():
    with open(LOCALE / "django.mo", "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in catalogue():
        context = e.get("msgctxt")
        if "msgid_plural" in e:
            got = [mo.npgettext(context, e["msgid"], e["msgid_plural"], n) if context else
                   mo.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            want = [e["msgstr"][0], e["msgstr"][-1]]
        else:
            got = mo.pgettext(context, e["msgid"]) if context else mo.gettext(e["msgid"])
            want = e["msgstr"][0]
        if got != want:
            stale.append(e["msgid"])
    assert stale == [], "run compilemessages (docs/translations.md)"


# --- pages ----------------------------------------------------------------------------------
def switch_to_english(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_pages_are_chinese_by_default(make_user, client_for):
    client = client_for(make_user("service_center"))
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "工作台" in page and "Workspace" not in page
    assert "服务单队列" in client.get("/rma/").content.decode()


def test_a_staff_user_who_switches_to_english_sees_the_dashboard_in_english(make_user, client_for):
    client = client_for(make_user("service_center"))
    switch_to_english(client)
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    for text in ("Workspace", "Hello, ", "Change password", "Sign out", "中文"):
        assert text in page
    assert "工作台" not in page and "修改密码" not in page


def test_a_staff_user_sees_the_unit_list_in_english(make_user, client_for):
    client = client_for(make_user("customer_service"))
    switch_to_english(client)
    page = client.get("/units/").content.decode()
    for text in ("Serial number starts with", "All models", "All dealers", "Export to Excel"):
        assert text in page
    assert "序列号开头" not in page


def test_a_staff_user_sees_the_rma_queue_in_english(make_user, client_for):
    client = client_for(make_user("service_center"))
    switch_to_english(client)
    page = client.get("/rma/").content.decode()
    for text in ("Service order queue", "Enter service order", "Serial number or RMA number", "Overdue only"):
        assert text in page
    assert "服务单队列" not in page


def test_a_dealer_sees_the_portal_in_english(alice, client_for):
    client = client_for(alice)
    switch_to_english(client)
    page = client.get("/portal/").content.decode()
    for text in ("Needs your action", "Nothing needs your action right now.", "Download Excel template"):
        assert text in page
    assert "需要您处理" not in page


def test_the_public_warranty_page_follows_the_language_cookie(client, dealer_a):
    from shouhou.registry.models import ProductModel, Unit

    pm = ProductModel.objects.create(code="I18N-1", name="I18N", replacement_days=90, warranty_months=36)
    Unit.objects.create(serial="SN-I18N-0001", product_model=pm, dealer=dealer_a, shipped_on=date.today())
    client.cookies["django_language"] = "en"
    page = client.get("/warranty/", {"serial": "SN-I18N-0001"}).content.decode()
    for text in ("Enter a serial number to check the warranty", "Warranty start", "Within replacement period"):
        assert text in page
    assert "保修起始" not in page and "包换期内" not in page


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client, db):
    # The product's language is Chinese (DESIGN §1); English is a choice made on the page.
    page = client.get("/warranty/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "输入序列号查询保修" in page
    client.cookies["django_language"] = "en"
    page = client.get("/warranty/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "Enter a serial number to check the warranty" in page


def test_the_sign_in_and_public_pages_offer_the_language_switch(client, db):
    for path in ("/accounts/login/", "/warranty/", "/dealers/find/"):
        page = client.get(path).content.decode()
        assert 'action="/i18n/setlang/"' in page and 'value="en"' in page, path
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/warranty/"})
    assert response.status_code == 302 and response["Location"] == "/warranty/"
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in" in page and 'value="zh-hans"' in page
