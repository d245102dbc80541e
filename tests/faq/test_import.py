"""`shouhou faq import PATH`: files and folders, front matter, re-import by title, exit codes."""

import pytest

from shouhou.core.cli import main
from shouhou.core.models import AuditEvent
from shouhou.faq.models import ArticleStatus, FaqArticle
from shouhou.faq.selectors import faq_search
from shouhou.registry.models import ProductModel

from .conftest import ARTICLES

pytestmark = pytest.mark.django_db


def cli(capsys, *args):
    code = main(["faq", "import", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_shipped_folder_imports_every_article_published(capsys):
    code, out, _err = cli(capsys, ARTICLES)
    assert code == 0
    count = len(list(ARTICLES.glob("*.md")))
    assert count >= 30
    assert f"新建 {count} 篇" in out
    assert FaqArticle.objects.filter(status=ArticleStatus.PUBLISHED).count() == count
    assert FaqArticle.objects.get(title="服务器网卡频繁掉线").category == "网络"


def test_front_matter_sets_category_tags_and_models(tmp_path, capsys):
    ProductModel.objects.create(code="DL-2000", name="无盘服务器", replacement_days=30, warranty_months=36)
    source = "---\ncategory: 网络\ntags: [网卡, 掉线]\nmodels: DL-2000\n---\n# 网卡掉线\n\n换网线。\n"
    (tmp_path / "a.md").write_text(source, encoding="utf-8")
    assert cli(capsys, tmp_path / "a.md")[0] == 0
    article = FaqArticle.objects.get(title="网卡掉线")
    assert (article.category, article.tags, article.body) == ("网络", ["网卡", "掉线"], "换网线。")
    assert [m.code for m in article.product_models.all()] == ["DL-2000"]


def test_reimport_updates_by_title_and_records_the_edit(tmp_path, capsys):
    path = tmp_path / "a.md"
    path.write_text("# 风扇噪音大\n\n清灰。\n", encoding="utf-8")
    cli(capsys, path)
    path.write_text("# 风扇噪音大\n\n更换风扇模块。\n", encoding="utf-8")
    code, out, _err = cli(capsys, path)
    assert code == 0 and "更新 1 篇" in out
    article = FaqArticle.objects.get()
    assert article.body == "更换风扇模块。"
    assert [h.id for h in faq_search("风扇模块")] == [article.pk]
    event = AuditEvent.objects.filter(verb="faq.updated", object_id=str(article.pk)).get()
    assert event.data["before"]["body"] == "清灰。"


def test_reimporting_an_unchanged_file_records_nothing(tmp_path, capsys):
    (tmp_path / "a.md").write_text("# 风扇噪音大\n\n清灰。\n", encoding="utf-8")
    cli(capsys, tmp_path)
    before = (AuditEvent.objects.count(), FaqArticle.objects.get().updated_at)
    assert cli(capsys, tmp_path)[0] == 0
    assert (AuditEvent.objects.count(), FaqArticle.objects.get().updated_at) == before


def test_bad_files_are_reported_and_the_good_ones_still_written(tmp_path, capsys):
    (tmp_path / "good.md").write_text("# 电源告警\n\n检查电源线。", encoding="utf-8")
    (tmp_path / "no_title.md").write_text("检查电源线。", encoding="utf-8")
    (tmp_path / "gbk.md").write_bytes("# 标题\n正文".encode("gbk"))
    (tmp_path / "empty_body.md").write_text("# 只有标题\n", encoding="utf-8")
    (tmp_path / "unknown_model.md").write_text("---\nmodels: NOPE-1\n---\n# 型号不存在\n正文", encoding="utf-8")
    (tmp_path / "bad_meta.md").write_text("---\nauthor: 王\n---\n# 头部错误\n正文", encoding="utf-8")
    (tmp_path / "zz_same_title.md").write_text("# 电源告警\n\n另一篇。", encoding="utf-8")
    code, out, _err = cli(capsys, tmp_path)
    assert code == 1
    for name in ("no_title.md", "gbk.md", "empty_body.md", "unknown_model.md", "bad_meta.md", "zz_same_title.md"):
        assert name in out
    assert "NOPE-1" in out
    assert list(FaqArticle.objects.values_list("title", "body")) == [("电源告警", "检查电源线。")]


@pytest.mark.parametrize("make", [
    lambda tmp: tmp / "missing",
    lambda tmp: tmp,  # a folder without .md files
    lambda tmp: (tmp / "notes.txt").write_text("# x\ny", encoding="utf-8") and tmp / "notes.txt",
])
def test_unusable_input_exits_2_and_writes_nothing(tmp_path, capsys, make):
    code, _out, err = cli(capsys, make(tmp_path))
    assert code == 2
    assert "无法导入" in err
    assert not FaqArticle.objects.exists()
