"""`shouhou faq import PATH`: one article per Markdown file, published, updated by title on re-import.

A file looks like::

    ---
    category: 无盘启动
    tags: 蓝屏, 网卡
    models: DL-2000, DL-3000
    ---
    # 无盘客户机启动蓝屏
    正文（Markdown）…

The front matter is optional ("key: value" lines; lists comma-separated or in [brackets]); the
first line after it must be the ``# title``. Each file is written in its own transaction: a bad
file is reported and the others are still written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from shouhou.domain.errors import ShouhouError
from shouhou.faq import services
from shouhou.faq.models import FaqArticle

KEYS = {"category", "tags", "models"}
MAX_FILE_BYTES = 1_000_000


class UnusableInput(Exception):
    """Nothing can be imported from the path (missing, no Markdown files): exit code 2."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


class BadFile(Exception):
    pass


@dataclass(frozen=True)
class ParsedArticle:
    title: str
    body: str
    category: str = ""
    tags: tuple[str, ...] = ()
    models: tuple[str, ...] = ()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, message)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def summary(self) -> str:
        return (f"新建 {self.created} 篇，更新 {self.updated} 篇，拒绝 {len(self.errors)} 个文件 / "
                f"created {self.created}, updated {self.updated}, rejected {len(self.errors)} files")


def _list(value: str) -> tuple[str, ...]:
    value = value.strip().removeprefix("[").removesuffix("]")
    parts = value.replace("，", ",").replace("、", ",").split(",")
    return tuple(p.strip().strip("\"'") for p in parts if p.strip().strip("\"'"))


def parse(source: str) -> ParsedArticle:
    """The article in SOURCE (a Markdown file's text); raises BadFile naming what is wrong."""
    lines = source.removeprefix("\ufeff").splitlines()
    meta: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration as exc:
            raise BadFile("front matter has no closing --- / 文件头缺少结束行 ---") from exc
        for number, line in enumerate(lines[1:end], start=2):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            if not sep or key not in KEYS:
                raise BadFile(f"line {number}: unknown front matter {line.strip()!r} (keys: category, tags, models) / "
                              f"第 {number} 行：无法识别的文件头")
            meta[key] = value.strip()
        lines = lines[end + 1 :]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines or not lines[0].startswith("# "):
        raise BadFile("the first line must be '# title' / 第一行必须是“# 标题”")
    title = lines[0][2:].strip()
    body = "\n".join(lines[1:]).strip()
    return ParsedArticle(title=title, body=body, category=meta.get("category", "").strip().strip("\"'"),
                         tags=_list(meta.get("tags", "")), models=_list(meta.get("models", "")))


def markdown_files(path: Path) -> list[Path]:
    """The .md files to import from PATH; raises UnusableInput when there are none."""
    if not path.exists():
        raise UnusableInput(f"路径不存在：{path}", f"no such file or folder: {path}")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.md") if p.is_file())
        if not files:
            raise UnusableInput(f"文件夹中没有 .md 文件：{path}", f"no .md files in {path}")
        return files
    if path.suffix.lower() != ".md":
        raise UnusableInput(f"不是 Markdown 文件（.md）：{path}", f"not a Markdown (.md) file: {path}")
    return [path]


def _read(file: Path) -> ParsedArticle:
    if file.stat().st_size > MAX_FILE_BYTES:
        raise BadFile(f"larger than {MAX_FILE_BYTES // 1000} kB / 文件过大")
    try:
        source = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadFile("not UTF-8 text / 不是 UTF-8 编码的文本") from exc
    return parse(source)


def run_import(path: str | Path) -> ImportResult:
    """Import every Markdown file under PATH (published; same title updates). Raises UnusableInput."""
    root = Path(path)
    files = markdown_files(root)
    result = ImportResult()
    seen: dict[str, str] = {}
    for file in files:
        name = str(file.relative_to(root)) if root.is_dir() else file.name
        try:
            article = _read(file)
            if article.title in seen:
                raise BadFile(f"same title as {seen[article.title]} / 与 {seen[article.title]} 标题重复")
            with transaction.atomic():
                existing = FaqArticle.objects.filter(title=" ".join(article.title.split())).first()
                fields = {"title": article.title, "body": article.body, "category": article.category,
                          "tags": article.tags, "models": article.models, "publish": True}
                if existing is None:
                    services.article_create(actor=None, **fields)
                    result.created += 1
                else:
                    services.article_update(article=existing, actor=None, **fields)
                    result.updated += 1
            seen[article.title] = name
        except BadFile as exc:
            result.errors.append((name, str(exc)))
        except ShouhouError as exc:
            result.errors.append((name, str(exc)))
    return result
