"""Pages of the bulk import (service centre, managers, admins) and the units xlsx export."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shouhou.core.access import role_required
from shouhou.core.roles import Role
from shouhou.core.sheets import xlsx_response
from shouhou.domain.errors import NotFound
from shouhou.registry.exports import units_export_xlsx
from shouhou.registry.imports import RowError, UnusableInput
from shouhou.registry.imports.jobs import import_job_create
from shouhou.registry.imports.report import write_report
from shouhou.registry.models_import import ImportJob, ImportKind
from shouhou.registry.selectors import UNIT_FILTERS, unit_search
from shouhou.workdays import clock

importers = role_required(Role.SERVICE_CENTER, Role.MANAGER, Role.ADMIN)


def max_upload_bytes() -> int:
    return int(getattr(settings, "SHOUHOU_IMPORT_MAX_UPLOAD_MB", 200)) * 1024 * 1024


def _too_big_message() -> str:
    return _("文件超过上传上限 %(mb)s MB；更大的文件请用命令行 shouhou import 导入。") % {
        "mb": max_upload_bytes() // (1024 * 1024)
    }


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入内容"), choices=ImportKind.choices)
    file = forms.FileField(label=gettext_lazy("文件（CSV 或 xlsx）"))
    all_or_nothing = forms.BooleanField(label=gettext_lazy("有任何错误行时全部不写入"), required=False)

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的。"))
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(_too_big_message())
        return upload


@importers
def import_upload(request: HttpRequest) -> HttpResponse:
    status, refused = 200, ""
    if request.method == "POST":
        # Refuse an oversized body before Django spools it to disk.
        if int(request.META.get("CONTENT_LENGTH") or 0) > max_upload_bytes() + 1024 * 1024:
            form, refused, status = ImportUploadForm(), _too_big_message(), 413
        else:
            form = ImportUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    job = import_job_create(kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
                                            all_or_nothing=form.cleaned_data["all_or_nothing"], actor=request.user)
                except UnusableInput as exc:
                    form.add_error("file", exc.zh)
                else:
                    return redirect("import_detail", pk=job.pk)
            status = 400
    else:
        form = ImportUploadForm()
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at")[:20]
    return render(request, "registry/import_upload.html",
                  {"form": form, "jobs": jobs, "refused": refused,
                   "max_mb": max_upload_bytes() // (1024 * 1024)}, status=status)


def _job(pk: int) -> ImportJob:
    try:
        return ImportJob.objects.select_related("created_by").get(pk=pk)
    except ImportJob.DoesNotExist:
        raise NotFound(_("没有找到该导入任务。")) from None


@importers
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    errors = [RowError(**e) for e in job.errors[:200]]
    template = "registry/import_detail.html#progress" if request.htmx else "registry/import_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job, "errors": errors})


@importers
@require_GET
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    buffer = io.BytesIO()
    write_report((RowError(**e) for e in job.errors), buffer)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


@role_required(*Role.values)
@require_GET
def unit_export_xlsx(request: HttpRequest) -> FileResponse:
    params = {k: request.GET.get(k, "").strip() for k in UNIT_FILTERS if request.GET.get(k, "").strip()}
    path = units_export_xlsx(unit_search(request.user, params))
    return xlsx_response(path, f"units-{clock.now():%Y%m%d-%H%M}.xlsx")
