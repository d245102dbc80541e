"""Public pages of cases (no login): the satisfaction page (满意度回访: a one-time link, a score of
1–5 and a comment), the fault report from a unit's page (扫码报修) and the case status by number +
phone. They work without JavaScript on a phone."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shouhou.cases import challenge, selectors, services
from shouhou.cases.display import target_of
from shouhou.cases.models import Case
from shouhou.cases.policy import work_calendar
from shouhou.domain.errors import Invalid, NotFound
from shouhou.registry.models import normalize_serial


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        rating = services.rating_for(token)
    except NotFound:
        return render(request, "cases/rate.html", {"gone": True}, status=404)
    error, status = "", 200
    if request.method == "POST":
        raw = request.POST.get("score", "")
        try:
            services.case_rate(token=token, score=int(raw) if raw.isdigit() else raw,
                               comment=request.POST.get("comment", ""))
        except Invalid as exc:
            error, status = str(exc), 422
        except NotFound:
            return render(request, "cases/rate.html", {"gone": True}, status=404)
        else:
            return render(request, "cases/rate.html", {"thanks": True, "number": rating.case.number})
    return render(request, "cases/rate.html", {
        "number": rating.case.number, "subject": rating.case.subject, "error": error,
        "scores": [(5, _("非常满意")), (4, _("满意")), (3, _("一般")), (2, _("不满意")), (1, _("非常不满意"))],
        "comment": request.POST.get("comment", ""),
    }, status=status)


# --- 扫码报修 and the public case status ------------------------------------------------------------

# Cases opened from the public unit page per client address, beside the pages' own limit: a person
# reports a fault or two, a script would fill the triage queue. `CASE_REPORT_RATE` in settings
# (e.g. "5/h"; "off" disables it) overrides it.
REPORT_RATE = "10/h"


def _limited(request: HttpRequest, *, reports: bool = False) -> HttpResponse | None:
    """The public pages' 429 answer when the caller's IP is over the shared per-IP limit (or, with
    REPORTS, over the limit of fault reports)."""
    from django.conf import settings

    from shouhou.registry.throttle import limited, public_limited, retry_after
    from shouhou.registry.views_public import _base_context

    wait = public_limited(request) or (reports and limited(
        request, group="shouhou.cases.report", rate=getattr(settings, "CASE_REPORT_RATE", REPORT_RATE)))
    if not wait:
        return None
    response = render(request, "public/rate_limited.html", _base_context(), status=429)
    response["Retry-After"] = retry_after(wait)
    return response


def pickup_context(case: Case) -> dict[str, Any]:
    """When CASE will be picked up, in the calendar's time zone: `out_of_hours` when it came in
    outside business hours (DESIGN §2), so the page says when staff will start on it."""
    cal = work_calendar()
    return {
        "pickup_at": cal.local(case.pickup_at),
        "out_of_hours": case.pickup_at > case.opened_at,
        "first_response_due": cal.local(case.first_response_due),
        "resolution_due": cal.local(case.resolution_due),
    }


@require_POST
def report(request: HttpRequest, serial: str) -> HttpResponse:
    """The fault report posted from the unit page `/u/<serial>`: a plain form POST (no JavaScript),
    answered with the confirmation, or the form again with a Chinese message and nothing saved."""
    from shouhou.registry import selectors as registry_selectors
    from shouhou.registry.views_public import _base_context, _unit_context

    if limited := _limited(request, reports=True):
        return limited
    base = {**_base_context(), "serial": normalize_serial(serial)[:64]}
    unit = registry_selectors.unit_public_find(serial)
    if unit is None:
        return render(request, "public/unit.html", {**base, "not_found": True}, status=404)
    values = {k: request.POST.get(k, "") for k in ("name", "phone", "description")}
    token = request.POST.get("token", "")
    try:
        challenge.check(token, unit.serial, honeypot=request.POST.get(challenge.HONEYPOT, ""))
        case = services.case_report(unit=unit, photos=request.FILES.getlist("photos"), **values)
    except Invalid as exc:
        field = str(exc.extra.get("field") or "form")
        errors = {field: str(exc)}
        # A refused challenge gets a fresh token; other refusals keep the one already waited for.
        fresh = field == "challenge"
        context = {**base, **_unit_context(unit), "report": values, "report_errors": errors,
                   "report_token": challenge.issue(unit.serial) if fresh else token}
        return render(request, "public/unit.html", context, status=422)
    challenge.consume(token)
    return render(request, "cases/report_done.html", {**base, "case": case, **pickup_context(case)})


PUBLIC_TIMELINE_VERBS = ("case.opened", "case.accept", "case.forward_to_dealer", "case.wait", "case.resolve",
                         "case.close", "case.reopen")


def public_timeline(case: Case) -> list[dict[str, Any]]:
    """What the reporter may see of CASE's timeline: when it was opened and each status change,
    by label and time only (never notes, calls, hand-overs, triage or who did it)."""
    from shouhou.cases.forms import VERB_LABELS
    from shouhou.cases.models import CaseStatus
    from shouhou.core.models import AuditEvent

    cal = work_calendar()
    rows = (AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), verb__in=PUBLIC_TIMELINE_VERBS)
            .order_by("at", "id").values_list("verb", "at", "data"))
    return [{"label": str(VERB_LABELS.get(verb, verb)), "at": cal.local(at),
             "status": str(CaseStatus(data["status"]).label) if data.get("status") in CaseStatus.values else ""}
            for verb, at, data in rows]


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """A reporter's case by number + phone. A wrong pair answers exactly as a missing case does."""
    from shouhou.registry.views_public import _base_context

    if limited := _limited(request):
        return limited
    context: dict[str, Any] = {**_base_context(), "number": request.POST.get("number", "").strip()[:20]}
    if request.method == "GET":
        return render(request, "cases/status.html", context)
    case = selectors.case_public_find(context["number"], request.POST.get("phone", ""))
    if case is None:
        return render(request, "cases/status.html", {**context, "not_found": True}, status=404)
    now, cal = timezone.now(), work_calendar()
    return render(request, "cases/status.html", {
        **context, "case": case, **pickup_context(case), "timeline": public_timeline(case),
        "first": target_of(case.first_response_due, met_at=case.first_responded_at, now=now, cal=cal),
        "resolution": target_of(case.resolution_due, met_at=case.resolved_at, now=now, cal=cal),
    })
