"""The manager dashboard in a real browser on `shouhou serve --demo`: charts drawn, tables beside
them, and a click on a bar opening the list behind it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_rma_flow import login

pytestmark = pytest.mark.browser


def test_the_manager_dashboard_draws_its_charts_and_a_bar_opens_its_list(browser, server_factory, artifacts) -> None:
    server = server_factory(demo=True)
    server.start(timeout=900)  # the demo load is slow on a busy machine; no time limit is the point here
    page = login(browser, server, "jingli.chen")
    # The machine may be busy (charts draw after the deferred scripts load): wait as long as it takes.
    page.set_default_timeout(120_000)
    expect.set_options(timeout=120_000)
    assert page.locator("#manager-figures").count() == 1  # the manager's home shows figures
    page.screenshot(path=str(artifacts / "reports-home-manager.png"), full_page=True)

    page.goto(server.url + "/reports/")
    for key in ("backlog", "deadlines", "deadlines_week", "turnaround"):
        figure = page.locator(f"#figure-{key}")
        expect(figure.locator("canvas")).to_have_count(1)
        assert figure.locator("tbody tr").count() > 0, key
    page.screenshot(path=str(artifacts / "reports-dashboard.png"), full_page=True)
    page.goto(server.url + "/reports/quality/?from=2025-01-01&to=2026-12-31")
    expect(page.locator("#figure-components canvas")).to_have_count(1)
    page.screenshot(path=str(artifacts / "reports-quality.png"), full_page=True)
    page.goto(server.url + "/reports/dealers/")
    expect(page.locator("#figure-dealers canvas")).to_have_count(1)
    page.screenshot(path=str(artifacts / "reports-dealers.png"), full_page=True)

    # A click on the first bar of the backlog chart opens the service-order queue filtered by its state.
    page.goto(server.url + "/reports/")
    chart = page.locator("#figure-backlog [data-chart]")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    x, y = _first_bar_centre(page)
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert "/rma/?" in page.url and "state=" in page.url, page.url
    page.screenshot(path=str(artifacts / "reports-bar-opens-queue.png"), full_page=True)

    # A bar of a figure over a period opens its list over the same period: the dealers chart
    # counts lines reported in the period; the first dealer's bar opens exactly its lines.
    page.goto(server.url + "/reports/dealers/?from=2025-01-01&to=2026-12-31")
    chart = page.locator("#figure-dealers [data-chart]")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    x, y = _first_bar_centre(page, "dealers")
    expected = int(page.locator("#figure-dealers tbody tr").first.locator("td").nth(3).inner_text())
    code = page.locator("#figure-dealers tbody tr").first.locator("td").first.inner_text()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert "from=2025-01-01" in page.url and "to=2026-12-31" in page.url and f"dealer={code}" in page.url, page.url
    expect(page.locator("#f-period")).to_contain_text("2025-01-01")
    assert page.locator(".queue-table tbody tr").count() == expected
    page.screenshot(path=str(artifacts / "reports-dealer-bar-opens-its-period.png"), full_page=True)


def test_a_case_target_bar_opens_the_cases_of_its_period(browser, server_factory, artifacts) -> None:
    server = server_factory(demo=True)
    server.start(timeout=900)
    page = login(browser, server, "jingli.chen")
    page.set_default_timeout(120_000)
    expect.set_options(timeout=120_000)
    page.goto(server.url + "/reports/")
    period = (page.locator("input[name=from]").input_value(), page.locator("input[name=to]").input_value())
    figure = page.locator("#figure-case_targets")
    expect(figure.locator("canvas")).to_have_count(1)
    figure.scroll_into_view_if_needed()
    figure.screenshot(path=str(artifacts / "reports-case-targets.png"))
    # The first bar of the first target (first response): "met" unless none met, then "missed".
    cells = figure.locator("tbody tr").first.locator("td")
    met, missed = int(cells.nth(1).inner_text()), int(cells.nth(2).inner_text())
    expected = met or missed
    box = figure.locator("[data-chart]").bounding_box()
    assert box is not None and expected > 0
    x, y = _first_bar_centre(page, "case_targets")
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert "/cases/?" in page.url and f"from={period[0]}" in page.url and f"to={period[1]}" in page.url, page.url
    assert ("target=first_response_met" if met else "target=first_response_missed") in page.url
    expect(page.locator("#report-filter")).to_contain_text(period[0])
    pager = page.locator(".pager")
    shown = (int(pager.inner_text().split("共")[1].split("条")[0]) if pager.count()
             else page.locator(".queue-table tbody tr").count())
    assert shown == expected
    page.screenshot(path=str(artifacts / "reports-case-bar-opens-cases.png"), full_page=True)
    # Clearing the report's filter lists the open cases again, without the note.
    page.click("#report-filter-clear")
    expect(page.locator("#report-filter")).to_have_count(0)


def _first_bar_centre(page, key: str = "backlog") -> tuple[float, float]:
    """The middle of the first category's first non-empty bar inside the chart element, from
    ECharts itself (bars may be stacked: the bar starts where the series below it end)."""
    return tuple(page.evaluate("""(key) => {
        const el = document.querySelector('#figure-' + key + ' [data-chart]');
        const chart = window.echarts.getInstanceByDom(el);
        const series = chart.getOption().series;
        let below = 0;
        for (const s of series) {
            const raw = s.data[0];
            const value = Number(raw !== null && typeof raw === 'object' ? raw.value : raw) || 0;
            if (value > 0) {
                return [chart.convertToPixel({xAxisIndex: 0}, 0),
                        chart.convertToPixel({yAxisIndex: 0}, below + value / 2)];
            }
            if (s.stack) below += value;
        }
        throw new Error('the first category has no bar');
    }""", key))
