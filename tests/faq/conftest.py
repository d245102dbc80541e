from pathlib import Path

import pytest

ARTICLES = Path(__file__).resolve().parents[2] / "src" / "shouhou" / "faq" / "articles"


@pytest.fixture
def corpus(db):
    """The FAQ shipped with Shouhou, imported the way operators do it."""
    from shouhou.faq.imports import run_import

    result = run_import(ARTICLES)
    assert result.errors == []
    return result


@pytest.fixture
def editor(make_user):
    return make_user("support_engineer", username="jishu")


@pytest.fixture(autouse=True)
def _public_rate_off(settings):
    """Most tests make many public requests; the rate limit has its own tests."""
    settings.PUBLIC_RATE = "off"
