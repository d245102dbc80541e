"""The public satisfaction page (满意度回访): a one-time link, a score of 1–5 and a comment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shouhou.cases import services
from shouhou.domain.errors import Invalid, NotFound


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
