"""The `opencities` command, run in-process against the test database, and once for real."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from opencities.accounts.models import Role, Workspace
from opencities.cli import main
from opencities.inventory.models import Dataset

DATASETS_CSV = (
    "identifier,title,steward,spectrum,themes\n"
    "bins,Bin collection rounds,Waste Services,open,Waste\n"
    "fly-tipping,Fly-tipping reports,Waste Services,internal,Waste\n"
)


def test_import_then_export_round_trip(workspace, tmp_path, capsys):
    source = tmp_path / "datasets.csv"
    source.write_text(DATASETS_CSV, encoding="utf-8")
    assert main(["import", str(source), "--workspace", "testford"]) == 0
    assert Dataset.objects.filter(workspace=workspace).count() == 2
    assert main(["import", str(source), "--workspace", "testford"]) == 0  # again: no duplicates
    assert Dataset.objects.filter(workspace=workspace).count() == 2
    out = tmp_path / "out.xlsx"
    assert main(["export", "--workspace", "testford", "--format", "xlsx", "-o", str(out)]) == 0
    assert out.stat().st_size > 0
    csv_out = tmp_path / "out.csv"
    assert main(["export", "--workspace", "testford", "--format", "csv", "-o", str(csv_out)]) == 0
    assert "Fly-tipping reports" in csv_out.read_text(encoding="utf-8")


def test_import_with_a_bad_row_exits_non_zero_names_the_row_and_writes_nothing(
    workspace, tmp_path, capsys
):
    source = tmp_path / "datasets.csv"
    source.write_text(DATASETS_CSV + "bad,Broken row,,opne,\n", encoding="utf-8")
    assert main(["import", str(source), "--workspace", "testford"]) == 1
    err = capsys.readouterr().err
    assert "row 4" in err.lower()
    assert "spectrum" in err
    assert Dataset.objects.count() == 0


def test_import_dry_run_writes_nothing(workspace, tmp_path, capsys):
    source = tmp_path / "datasets.csv"
    source.write_text(DATASETS_CSV, encoding="utf-8")
    assert main(["import", str(source), "--workspace", "testford", "--dry-run"]) == 0
    assert "valid" in capsys.readouterr().out
    assert Dataset.objects.count() == 0


def test_import_into_unknown_workspace_fails_clearly(db, tmp_path, capsys):
    source = tmp_path / "datasets.csv"
    source.write_text(DATASETS_CSV, encoding="utf-8")
    assert main(["import", str(source), "--workspace", "atlantis"]) == 2
    assert "atlantis" in capsys.readouterr().err


def test_createuser_with_workspace_role(workspace, monkeypatch, capsys):
    monkeypatch.setenv("OPENCITIES_PASSWORD", "correct-horse-battery-9")
    code = main(["createuser", "amira", "--workspace", "testford", "--role", "viewer"])
    assert code == 0
    amira = get_user_model().objects.get(username="amira")
    assert amira.check_password("correct-horse-battery-9")
    assert workspace.role_of(amira) == Role.VIEWER


def test_createuser_refuses_a_weak_password(db, monkeypatch, capsys):
    monkeypatch.setenv("OPENCITIES_PASSWORD", "1234")
    assert main(["createuser", "amira"]) == 2
    assert "password" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="amira").exists()


def test_createworkspace(db, capsys):
    assert main(["createworkspace", "lakeside", "--name", "Lakeside Council"]) == 0
    assert Workspace.objects.get(slug="lakeside").name == "Lakeside Council"
    assert main(["createworkspace", "not a slug"]) == 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_command_serves_the_demo_city_and_lets_demo_sign_in(tmp_path):
    """The README's first command, end to end: migrate, load Riverton, serve, sign in."""
    port = free_port()
    env = {
        **os.environ,
        "OPENCITIES_HOME": str(tmp_path),
        "OPENCITIES_DEMO_PASSWORD": "riverton-demo-pass",
    }
    env.pop("DATABASE_URL", None)
    script = Path(sys.executable).with_name("opencities")
    process = subprocess.Popen(
        [str(script), "demo", "--no-browser", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = ""
        deadline = time.monotonic() + 120
        while "Sign in as" not in output and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output += line
        assert f"http://localhost:{port}/" in output, output
        assert "riverton-demo-pass" in output

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login_url = f"http://localhost:{port}/accounts/login/"
        page = opener.open(login_url).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "demo", "password": "riverton-demo-pass"}
        ).encode()
        request = urllib.request.Request(login_url, data=form, headers={"Referer": login_url})
        dashboard = opener.open(request).read().decode()
        assert "Riverton" in dashboard
        assert "datasets recorded" in dashboard
        css = opener.open(f"http://localhost:{port}/static/opencities/site.css")
        assert css.status == 200
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert (tmp_path / "opencities.sqlite3").exists()


@pytest.mark.django_db
def test_demo_city_has_enough_to_explore():
    from opencities.demo.loader import load_demo

    riverton = load_demo()
    assert riverton.actors.count() >= 25
    assert riverton.datasets.count() >= 80
    assert set(riverton.actors.values_list("sector", flat=True)) == {
        "public",
        "private",
        "third_sector",
        "academia",
        "community",
    }
    assert set(riverton.datasets.values_list("spectrum", flat=True)) == {
        "internal",
        "named",
        "group",
        "public",
        "open",
    }
    assert riverton.datasets.filter(status="gap").exists()
    assert riverton.datasets.filter(status="unidentified").exists()


def test_createuser_refuses_a_bad_username_and_a_role_without_workspace(db, monkeypatch, capsys):
    monkeypatch.setenv("OPENCITIES_PASSWORD", "correct-horse-battery-9")
    assert main(["createuser", "bad name!"]) == 2
    assert main(["createuser", "amira", "--role", "owner"]) == 2
    assert "--role needs --workspace" in capsys.readouterr().err
    assert not get_user_model().objects.exists()


def test_export_to_a_missing_folder_says_so(workspace, tmp_path, capsys):
    target = tmp_path / "no" / "such" / "folder.csv"
    args = ["export", "--workspace", "testford", "--format", "csv", "-o", str(target)]
    assert main(args) == 2
    assert "cannot write" in capsys.readouterr().err


def test_a_port_out_of_range_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "99999"])
    assert exit_info.value.code == 2
    assert "not a port number" in capsys.readouterr().err


def test_demo_leaves_a_real_citys_database_alone(workspace, owner, capsys):
    """`opencities demo` on a data folder that holds another city adds no demo owner to it."""
    assert main(["demo", "--no-browser"]) == 2
    assert "not a demo" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="demo").exists()
    assert not Workspace.objects.filter(slug="riverton").exists()


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENCITIES_HOME": str(home), "OPENCITIES_PASSWORD": "a-good-pass-word-1"}
    env.pop("DATABASE_URL", None)
    script = Path(sys.executable).with_name("opencities")
    return subprocess.run([str(script), *args], env=env, capture_output=True, text=True)


def test_commands_work_on_a_new_data_folder_which_only_its_owner_can_read(tmp_path):
    home = tmp_path / "data"
    made = run_cli(home, "createworkspace", "Lakeside", "--name", "Lakeside Council")
    assert made.returncode == 0, made.stderr
    assert run_cli(home, "createuser", "lee", "--workspace", "lakeside").returncode == 0
    assert home.stat().st_mode & 0o777 == 0o700
    assert (home / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_demo_projects_show_every_kind_of_finding():
    from opencities.demo.loader import load_demo
    from opencities.maps.findings import FindingKind, analyse
    from opencities.maps.models import EcosystemMap

    riverton = load_demo()
    assert riverton.projects.count() >= 2
    maps = EcosystemMap.objects.filter(project__workspace=riverton)
    assert set(maps.values_list("state", flat=True)) == {"current", "future"}
    kinds = {finding.kind for m in maps for finding in analyse(m)}
    assert kinds == set(FindingKind.values)


def test_demo_project_has_a_filled_ethics_canvas_and_business_case(db):
    from opencities.canvases.models import ActionStatus, SectionStatus
    from opencities.demo.loader import load_demo

    riverton = load_demo()
    bins = riverton.projects.get(title="Cut missed bin collections")
    canvas = bins.ethics_canvas
    done, total = canvas.completeness()
    assert total == 15 and 5 <= done < total  # well under way, not finished
    statuses = set(canvas.sections.values_list("status", flat=True))
    assert statuses == set(SectionStatus.values)
    sources = canvas.sections.get(key="data_sources")
    assert sources.checks["personal_data"] == "yes"
    assert sources.datasets.filter(title="Assisted bin collections list").exists()
    assert canvas.sections.get(key="sharing").exchanges.filter(status="blocked").exists()
    assert canvas.sections.get(key="negative_effects").contributions.count() == 2
    overdue = [a for a in canvas.actions.all() if a.is_overdue()]
    assert len(overdue) == 1 and overdue[0].status == ActionStatus.IN_PROGRESS
    assert canvas.next_review > overdue[0].due

    case = bins.business_case
    assert case.completeness()[1] == 12
    assert case.benefits.count() == 3 and case.costs.count() == 4
    assert case.sections.get(key="decision").summary.startswith("Approve")


def test_demo_has_a_workshop_held_and_one_to_run(db):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from opencities.accounts.models import Membership, Role
    from opencities.canvases.models import ContributionSource
    from opencities.demo.loader import load_demo, load_workshops
    from opencities.workshops import summary
    from opencities.workshops.models import WorkshopState

    riverton = load_demo()
    demo = get_user_model().objects.create_user("demo", password="a-long-demo-password-1")
    Membership.objects.create(workspace=riverton, user=demo, role=Role.OWNER)
    load_workshops(riverton, facilitator=demo)

    bins = riverton.projects.get(title="Cut missed bin collections")
    held, planned = bins.workshops.order_by("date")
    assert (held.state, planned.state) == (WorkshopState.ENDED, WorkshopState.DRAFT)
    assert held.facilitator == planned.facilitator == demo
    assert (timezone.now() - held.date).days >= 7 and planned.date > timezone.now()

    # What the room left behind: the log in order, notes that are canvas contributions...
    versions = list(held.operations.values_list("version", flat=True))
    assert versions == list(range(versions[0], versions[0] + len(versions)))
    notes = held.notes.filter(deleted=False)
    assert notes.count() == 8
    assert all(n.contribution.source == ContributionSource.WORKSHOP for n in notes)
    assert all((timezone.now() - n.created).days >= 7 for n in notes)
    # ...and a summary with people, map additions, ranked votes and actions.
    made = summary.build(held)
    assert len(made.participants) == 6
    map_step = made.steps[0]
    assert [str(n) for n in map_step.nodes] == ["Riverton Tenants' Forum"]
    assert len(map_step.exchanges) == 1
    ((vote, results),) = made.votes
    assert vote.state == "closed"
    assert [dots for _key, _label, dots in results][:3] == [4, 3, 3]
    assert results[0][1].startswith("Crew tablets")
    assert len(made.actions) == 2
