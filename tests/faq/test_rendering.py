"""Article bodies are Markdown rendered to safe HTML: no scripts, handlers or javascript: links."""

from html.parser import HTMLParser

import pytest

from shouhou.faq.rendering import plain_text, render


class Elements(HTMLParser):
    """The tags and attributes a browser would build from the HTML (text stays text)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k: v or "" for k, v in attrs}))


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "前文 <img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(1))",
    "[点我](  javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe src=\"https://example.com\"></iframe>",
    "<svg onload=alert(1)>",
    "[x](vbscript:msgbox(1))",
])
def test_nothing_executable_survives(source):
    html = render(source)
    for tag, attrs in Elements(html).found:
        assert tag not in {"script", "iframe", "svg", "object", "embed", "style"}, html
        assert not any(name.startswith("on") for name in attrs), html
        for name in ("href", "src"):
            url = attrs.get(name, "").strip().lower()
            assert not url or url.startswith(("http://", "https://", "mailto:")), html


def test_raw_html_is_shown_as_text_not_markup():
    assert "&lt;script&gt;" in render("<script>alert(1)</script>")


def test_markdown_renders_headings_lists_code_and_safe_links():
    html = render("## 步骤\n1. 重启\n2. 按 `Del`\n\n[官网](https://example.cn/a)")
    assert "<h2>步骤</h2>" in html
    assert "<ol>" in html and "<code>Del</code>" in html
    assert 'href="https://example.cn/a"' in html
    assert 'rel="noopener noreferrer"' in html


def test_plain_text_drops_markup():
    assert plain_text("## 标题\n**加粗** 与 `代码` &amp;") == "标题 加粗 与 代码 &"
