"""`shouhou calendar due|show|import` (DESIGN.md §6)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shouhou.core.cli import main
from shouhou.workdays.models import OfficialYear
from tests.workdays.conftest import CSV_2027

pytestmark = pytest.mark.django_db
EXPECTED = '{"start": "2025-09-30T00:00:00+08:00", "working_days": 3, "due": "2025-10-11T18:30:00+08:00"}'


def test_due_json_is_exactly_the_documented_shape(capsys):
    assert main(["calendar", "due", "2025-09-30", "3", "--json"]) == 0
    out, err = capsys.readouterr()
    assert out == EXPECTED + "\n"
    assert err == ""


def test_due_prints_the_deadline_with_its_weekday(capsys):
    assert main(["calendar", "due", "2025-09-30", "3"]) == 0
    assert capsys.readouterr().out == "2025-10-11 18:30 (周六)\n"


def test_due_accepts_a_time_and_an_explicit_offset(capsys):
    # 20:00 UTC on 30 Sep is 04:00 on 1 Oct in Shanghai: the holidays start that day.
    assert main(["calendar", "due", "2025-09-30T20:00+00:00", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"start": "2025-10-01T04:00:00+08:00", "working_days": 1, "due": "2025-10-09T18:30:00+08:00"}
    assert main(["calendar", "due", "2025-09-30T17:45", "0"]) == 0
    assert capsys.readouterr().out == "2025-09-30 18:30 (周二)\n"


def test_a_provisional_deadline_says_so(capsys):
    assert main(["calendar", "due", "2027-01-29", "3"]) == 0
    assert capsys.readouterr().out == "2027-02-02 18:30 (周二)（暂定：2027 年安排未录入）\n"
    assert main(["calendar", "due", "2027-01-29", "3", "--json"]) == 0
    out, err = capsys.readouterr()
    assert list(json.loads(out)) == ["start", "working_days", "due"]
    assert "暂定" in err


@pytest.mark.parametrize("argv", [
    ["due", "2025-09-31", "3"],
    ["due", "30/09/2025", "3"],
    ["due", "2025-09-30", "-1"],
    ["due", "2025-09-30", "three"],
    ["due", "2025-09-30"],
    ["show", "2025-13"],
    ["show", "October"],
    ["import", "/nonexistent/calendar.csv"],
])
def test_bad_input_prints_one_line_and_exits_2(capsys, argv):
    try:
        code = main(["calendar", *argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("shouhou calendar: ")


def test_show_json_lists_each_day_with_its_kind(capsys):
    assert main(["calendar", "show", "2025-10", "--json"]) == 0
    days = json.loads(capsys.readouterr().out)
    assert len(days) == 31
    assert days[0] == {"date": "2025-10-01", "kind": "holiday", "name": "国庆节、中秋节", "working": False}
    assert days[8] == {"date": "2025-10-09", "kind": "working", "name": "", "working": True}
    assert days[10] == {"date": "2025-10-11", "kind": "makeup", "name": "国庆节、中秋节", "working": True}
    assert days[11] == {"date": "2025-10-12", "kind": "rest", "name": "", "working": False}


def test_show_text_lists_each_day(capsys):
    assert main(["calendar", "show", "2025-10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2025-10-01 周三  holiday") and "国庆节" in lines[0]
    assert lines[10].startswith("2025-10-11 周六  makeup")


def test_import_then_due_uses_the_stored_calendar(tmp_path, capsys):
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    assert main(["calendar", "due", "2027-02-04", "3"]) == 0
    assert capsys.readouterr().out.startswith("2027-02-08 18:30")
    assert main(["calendar", "import", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "official years 2027" in out and "company days 1" in out
    assert "清明节" in err  # the file has no 清明节: warned
    assert OfficialYear.objects.filter(year=2027).exists()
    assert main(["calendar", "due", "2027-02-04", "3"]) == 0
    assert capsys.readouterr().out == "2027-02-17 18:30 (周三)\n"


def test_import_of_a_bad_file_exits_2_and_saves_nothing(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("2027-01-01,vacation,x\n", encoding="utf-8")
    assert main(["calendar", "import", str(path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert not OfficialYear.objects.exists()


def _shouhou(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOUHOU_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)  # the embedded default: SQLite in the data dir
    return subprocess.run([str(Path(sys.executable).parent / "shouhou"), *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.database_independent
def test_the_installed_command_prints_the_documented_json(tmp_path, sites):
    data_dir = tmp_path / "var"
    sites.prepare(data_dir)  # a data dir as `serve` leaves it, with its calendar settings
    result = _shouhou("calendar", "due", "2025-09-30", "3", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED + "\n"
    bad = _shouhou("calendar", "due", "2025-02-30", "3", data_dir=data_dir)
    assert bad.returncode == 2
    assert bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1
