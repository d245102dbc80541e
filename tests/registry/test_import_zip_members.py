"""An xlsx whose zip repeats a member name is unusable input: exit 2, a 400, and no file left."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from shouhou.registry.models_import import ImportJob
from tests.registry.import_helpers import UNIT_HEADER, cli, write_xlsx


def twin_member_xlsx(tmp_path: Path) -> Path:
    path = write_xlsx(tmp_path / "units.xlsx", [UNIT_HEADER, ["SN-1", "AB-1"]])
    with zipfile.ZipFile(path) as zf:
        first = zf.infolist()[0]
        data = zf.read(first)
    with warnings.catch_warnings(), zipfile.ZipFile(path, "a") as zf:
        warnings.simplefilter("ignore")  # "Duplicate name": the point of the file
        zf.writestr(first, data)
    return path


@pytest.mark.django_db
def test_the_cli_exits_2_for_an_xlsx_with_twin_members(tmp_path, capsys):
    code, out, err = cli(capsys, "units", str(twin_member_xlsx(tmp_path)))
    assert code == 2
    assert "重名" in err and "Traceback" not in err + out


@pytest.mark.django_db
def test_the_upload_of_an_xlsx_with_twin_members_is_refused_and_nothing_is_kept(settings, tmp_path, admin_user,
                                                                                 client_for):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_for(admin_user)
    client.raise_request_exception = False
    with twin_member_xlsx(tmp_path).open("rb") as fh:
        response = client.post(reverse("import_upload"), {"kind": "units", "file": fh})
    assert response.status_code == 400
    assert "重名" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
