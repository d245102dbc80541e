"""Web imports: upload → worker task → htmx progress → error report; staff only."""

from __future__ import annotations

import codecs
import tracemalloc

import pytest
from django.core.management import call_command
from django.urls import reverse

from shouhou.registry.imports.read import open_table
from shouhou.registry.models import ProductModel, Unit
from shouhou.registry.models_import import ImportJob

from .import_helpers import MODELS, UNIT_HEADER, write_csv

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def immediate(settings, media):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def model_ab(db):
    return ProductModel.objects.create(code="AB-1", name="路由器", replacement_days=15, warranty_months=12)


def upload(client, path, kind="units", **extra):
    with path.open("rb") as fh:
        return client.post(reverse("import_upload"), {"kind": kind, "file": fh, **extra})


def test_staff_upload_runs_in_the_task_and_shows_the_result(immediate, service_center, client_for, model_ab,
                                                            tmp_path, django_capture_on_commit_callbacks):
    client = client_for(service_center)
    path = write_csv(tmp_path / "units.csv", [UNIT_HEADER, ["SN-1", "AB-1", "2024-01-01", "", "", "", "", ""],
                                              ["X123", "ZZ-1", "", "", "", "", "", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("import_detail", args=[job.pk])
    assert (job.status, job.rows, job.created_count, job.rejected_count, job.written) == ("done", 2, 1, 1, True)
    assert job.file.name.startswith("imports/") and job.created_by == service_center
    assert Unit.objects.filter(serial="SN-1").exists()
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    progress = text[text.index('id="import-progress"'):]
    progress = progress[:progress.index(">")]
    assert "hx-trigger" not in progress  # finished: no more polling
    assert '型号 &quot;ZZ-1&quot; 不存在' in text
    report = client.get(reverse("import_errors", args=[job.pk]))
    assert report["Content-Type"].startswith("text/csv")
    assert report.content.startswith(codecs.BOM_UTF8)
    assert "ZZ-1" in report.content.decode("utf-8-sig")


def test_progress_fragment_polls_every_second_while_the_job_runs(service_center, client_for, media):
    job = ImportJob.objects.create(kind="units", file="imports/x.csv", file_name="x.csv", status="running",
                                   percent=40, rows=1234)
    response = client_for(service_center).get(reverse("import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="import-progress"')  # the fragment only, not the page
    assert 'hx-trigger="every 1s"' in text and reverse("import_detail", args=[job.pk]) in text
    assert 'value="40"' in text and "1234" in text


def test_all_or_nothing_upload_writes_nothing_when_a_row_is_bad(immediate, manager, client_for, model_ab, tmp_path,
                                                                django_capture_on_commit_callbacks):
    path = write_csv(tmp_path / "u.csv", [UNIT_HEADER, ["SN-1", "AB-1", "", "", "", "", "", ""],
                                          ["SN-1", "AB-1", "", "", "", "", "", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(manager), path, all_or_nothing="on")
    job = ImportJob.objects.get()
    assert (job.status, job.rejected_count, job.written) == ("done", 2, False)
    assert not Unit.objects.exists()


def test_file_named_xlsx_that_is_not_one_is_refused_at_upload(immediate, admin_user, client_for, tmp_path):
    path = write_csv(tmp_path / "units.xlsx", [UNIT_HEADER, ["SN-1", "AB-1"]])
    response = upload(client_for(admin_user), path)
    assert response.status_code == 400
    assert "不是有效的 xlsx 文件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_wrong_headers_are_refused_at_upload(immediate, admin_user, client_for, tmp_path):
    path = write_csv(tmp_path / "models.csv", MODELS)
    response = upload(client_for(admin_user), path, kind="units")
    assert response.status_code == 400
    assert "无法识别的表头" in response.content.decode()


def test_upload_over_the_size_limit_is_refused_with_a_clear_message(immediate, settings, admin_user, client_for,
                                                                    tmp_path):
    settings.SHOUHOU_IMPORT_MAX_UPLOAD_MB = 0
    path = write_csv(tmp_path / "u.csv", [UNIT_HEADER, ["SN-1", "AB-1"]])
    response = upload(client_for(admin_user), path)
    assert response.status_code == 400
    assert "文件超过上传上限 0 MB" in response.content.decode()
    big = client_for(admin_user).post(reverse("import_upload"), data=b"x" * 10, content_type="text/plain",
                                      CONTENT_LENGTH=str(3 * 1024 * 1024))
    assert big.status_code == 413


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after the task
def test_the_database_worker_runs_a_queued_import(settings, media, service_center, client_for, model_ab, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = write_csv(tmp_path / "u.csv", [UNIT_HEADER, ["SN-W1", "AB-1", "2024-01-01", "", "", "", "", ""]])
    upload(client_for(service_center), path)
    assert ImportJob.objects.get().status == "queued"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job = ImportJob.objects.get()
    assert (job.status, job.created_count) == ("done", 1)
    assert Unit.objects.filter(serial="SN-W1").exists()


@pytest.mark.parametrize("name", ["import_upload", "import_detail", "import_errors"])
def test_dealer_users_and_other_staff_get_404_on_import_pages(alice, make_user, client_for, media, name):
    job = ImportJob.objects.create(kind="units", file="imports/x.csv", file_name="x.csv")
    args = [] if name == "import_upload" else [job.pk]
    assert client_for(alice).get(reverse(name, args=args)).status_code == 404
    assert client_for(make_user("customer_service")).get(reverse(name, args=args)).status_code == 404


def test_reading_a_30_mb_csv_streams_in_bounded_memory(tmp_path):
    path = tmp_path / "big.csv"
    line = "SN-{:010d},AB-1,2024-01-01,2024-02-01,GX-A01,450100,网吧{:05d},\n"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(UNIT_HEADER) + "\n")
        for i in range(480_000):
            fh.write(line.format(i, i % 20000))
    assert path.stat().st_size > 30 * 1024 * 1024
    tracemalloc.start()
    table = open_table(path)
    count = sum(1 for _ in table.rows)
    table.close()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 480_000
    assert peak < 5 * 1024 * 1024, peak  # a few read buffers, not the file
