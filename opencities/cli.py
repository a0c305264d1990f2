"""The `opencities` command: set-up, demo, serving, import and export from one place."""

import argparse
import contextlib
import json
import os
import sys
import threading
import webbrowser
from getpass import getpass
from pathlib import Path

DEMO_USER = "demo"
DEMO_SLUG = "riverton"


def setup_django(migrated: bool = True) -> None:
    """Set Django up; with `migrated`, bring the database up to date first (quietly), so every
    command works on a new data folder."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencities.settings")
    import django

    django.setup()
    if migrated:
        migrate()


def fail(message: str) -> int:
    print(f"opencities: {message}", file=sys.stderr)
    return 2


def migrate(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def run_server(host: str, port: int, on_started=None) -> None:
    import uvicorn

    config = uvicorn.Config(
        "opencities.asgi:application",
        host=host,
        port=port,
        lifespan="off",
        log_level=os.environ.get("LOG_LEVEL", "warning").lower(),
        proxy_headers=True,
        # Compressing each websocket frame costs one deflate per person per frame: in a live
        # room of hundreds, more CPU than everything else the room does (docs/performance.md).
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)
    if on_started:

        def wait_then_announce():
            while not server.started:
                if server.should_exit:
                    return
                threading.Event().wait(0.05)
            on_started()

        threading.Thread(target=wait_then_announce, daemon=True).start()
    with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot bind the address
        server.run()
    if not server.started:
        raise SystemExit(fail(f"could not start the server on {host}:{port} (is the port in use?)"))


def demo_password() -> str:
    """OPENCITIES_DEMO_PASSWORD, or a generated one kept in the data folder across runs."""
    from django.conf import settings

    from opencities.private import kept_secret

    if os.environ.get("OPENCITIES_DEMO_PASSWORD"):
        return os.environ["OPENCITIES_DEMO_PASSWORD"]
    return kept_secret(Path(settings.HOME) / "demo_password", 9)


def cmd_demo(args) -> int:
    print("Preparing the database…")
    setup_django()
    from django.contrib.auth import get_user_model

    from opencities.accounts.models import Membership, Role, Workspace
    from opencities.demo.loader import load_demo, load_workshops

    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
    new = workspace is None
    if new:
        if Workspace.objects.exists():
            return fail(
                "this database already holds other workspaces, so it is not a demo: start it "
                "with `opencities serve`, or point OPENCITIES_HOME at an empty folder for the demo"
            )
        workspace = load_demo()
        print(
            f"Loaded the demo city “{workspace.name}”: {workspace.actors.count()} actors, "
            f"{workspace.datasets.count()} datasets."
        )
    User = get_user_model()
    user = User.objects.filter(username=DEMO_USER).first()
    if user is not None and not user.memberships.filter(workspace=workspace).exists():
        return fail(f"a user called “{DEMO_USER}” exists and is not the demo's: it was left alone")
    password = demo_password()
    user = user or User(username=DEMO_USER)
    user.set_password(password)
    user.save()
    Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": Role.OWNER})
    if new:  # facilitated by the demo's user, so they come once that user exists
        load_workshops(workspace, facilitator=user)
    shown_host = "localhost" if args.host in {"127.0.0.1", "0.0.0.0"} else args.host
    url = f"http://{shown_host}:{args.port}/"

    def announce():
        print(f"\nThe Open Cities Toolkit is running at {url}")
        print(f"Sign in as “{DEMO_USER}” with the password “{password}”.")
        print("Press Ctrl+C to stop.\n", flush=True)
        if not args.no_browser:
            webbrowser.open(url)

    run_server(args.host, args.port, on_started=announce)
    return 0


def cmd_serve(args) -> int:
    setup_django()
    print(f"Serving the Open Cities Toolkit on http://{args.host}:{args.port}/", flush=True)
    run_server(args.host, args.port)
    return 0


def cmd_createuser(args) -> int:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from opencities.accounts.models import Membership, Workspace

    User = get_user_model()
    if User.objects.filter(username=args.username).exists():
        return fail(f"a user called “{args.username}” already exists")
    if args.workspace is None and args.role is not None:
        return fail("--role needs --workspace: the role is held in a workspace")
    workspace = None
    if args.workspace:
        workspace = Workspace.objects.filter(slug=args.workspace).first()
        if workspace is None:
            return fail(f"no workspace with the slug “{args.workspace}”")
    password = os.environ.get("OPENCITIES_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            return fail("set OPENCITIES_PASSWORD, or run in a terminal to type the password")
        password = getpass("Password: ")
        if getpass("Password (again): ") != password:
            return fail("the two passwords differ")
    user = User(username=args.username, email=args.email or "")
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        return fail("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return fail("password not accepted: " + " ".join(exc.messages))
    with transaction.atomic():
        user.set_password(password)
        user.is_staff = user.is_superuser = args.superuser
        user.save()
        if workspace:
            Membership.objects.create(workspace=workspace, user=user, role=args.role or "editor")
    where = f" as {args.role or 'editor'} of {workspace.slug}" if workspace else ""
    print(f"Created user “{user.username}”{where}.")
    return 0


def cmd_createworkspace(args) -> int:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from opencities.accounts.models import Membership, Role, Workspace

    owner = None
    if args.owner:
        owner = get_user_model().objects.filter(username=args.owner).first()
        if owner is None:
            return fail(f"no user called “{args.owner}”")
    slug = args.slug.lower()
    workspace = Workspace(slug=slug, name=args.name or slug.replace("-", " ").title())
    try:
        workspace.full_clean()
    except ValidationError as exc:
        return fail("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
    with transaction.atomic():
        workspace.save()
        if owner:
            Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    print(f"Created workspace “{workspace.name}” ({workspace.slug}).")
    return 0


def progress_bar(description: str):
    """A tqdm bar driven by (done, total) callbacks; quiet when output is not a terminal."""
    from tqdm import tqdm

    bar = tqdm(desc=description, unit=" rows", disable=None, leave=False)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def cmd_import(args) -> int:
    setup_django()
    from opencities.accounts.models import Workspace
    from opencities.inventory import spreadsheet

    workspace = Workspace.objects.filter(slug=args.workspace).first()
    if workspace is None:
        return fail(f"no workspace with the slug “{args.workspace}”")
    path = Path(args.file)
    if not path.is_file():
        return fail(f"no file at {path}")
    bar, update = progress_bar(f"Checking {path.name}")
    try:
        plan = spreadsheet.read_plan(workspace, path, progress=update)
    except spreadsheet.SpreadsheetError as exc:
        bar.close()
        return fail(f"{path}: {exc}")
    bar.close()
    if not plan.ok:
        print(f"{path}: {len(plan.problems)} problem(s); nothing was imported.", file=sys.stderr)
        for problem in plan.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    counts = plan.counts()
    summary = ", ".join(
        f"{table}: {c['create']} new, {c['update']} updated, {c['unchanged']} unchanged"
        for table, c in counts.items()
    )
    if args.dry_run:
        print(f"{path} is valid ({summary}). Dry run: nothing was written.")
        return 0
    bar, update = progress_bar(f"Importing {path.name}")
    spreadsheet.apply_plan(plan, progress=update)
    bar.close()
    print(f"Imported {path} into {workspace.slug} ({summary}).")
    return 0


def cmd_import_map(args) -> int:
    setup_django()
    from opencities.accounts.models import Workspace
    from opencities.maps import importing
    from opencities.maps.models import EcosystemMap

    workspace = Workspace.objects.filter(slug=args.workspace).first()
    if workspace is None:
        return fail(f"no workspace with the slug “{args.workspace}”")
    ecosystem_map = EcosystemMap.objects.filter(pk=args.map, project__workspace=workspace).first()
    if ecosystem_map is None:
        return fail(f"workspace {workspace.slug} has no map with the id {args.map}")
    path = Path(args.file)
    if not path.is_file():
        return fail(f"no file at {path}")
    try:
        plan = importing.plan_map_import(ecosystem_map, path)
    except importing.MapImportError as exc:
        return fail(f"{path}: {exc}")
    if not plan.ok:
        print(f"{path}: {len(plan.problems)} problem(s); nothing was imported.", file=sys.stderr)
        for problem in plan.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    for change in plan.changes:
        if change.action != "unchanged":
            print(f"  {change}")
    if args.dry_run:
        print(f"{path} is valid ({plan.summary()}). Dry run: nothing was written.")
        return 0
    try:
        importing.apply_map_import(plan)
    except importing.MapImportError as exc:
        return fail(str(exc))
    print(f"Imported {path} into “{ecosystem_map.title}” ({plan.summary()}).")
    return 0


def cmd_export(args) -> int:
    setup_django()
    from opencities.accounts.models import Workspace
    from opencities.inventory import spreadsheet

    workspace = Workspace.objects.filter(slug=args.workspace).first()
    if workspace is None:
        return fail(f"no workspace with the slug “{args.workspace}”")
    out = Path(args.output)
    try:
        if args.format == "csv":
            with out.open("w", newline="", encoding="utf-8") as stream:
                rows = spreadsheet.export_csv(workspace, args.table, stream)
        else:
            with out.open("wb") as stream:
                rows = spreadsheet.export_xlsx(workspace, stream)
    except OSError as exc:
        return fail(f"cannot write {out}: {exc.strerror}")
    print(f"Wrote {rows} rows to {out}.")
    return 0


def cmd_analyse(args) -> int:
    setup_django()
    from opencities.accounts.models import Workspace
    from opencities.maps import findings
    from opencities.maps.models import EcosystemMap

    workspace = Workspace.objects.filter(slug=args.workspace).first()
    if workspace is None:
        return fail(f"no workspace with the slug “{args.workspace}”")
    ecosystem_map = EcosystemMap.objects.filter(pk=args.map, project__workspace=workspace).first()
    if ecosystem_map is None:
        return fail(f"workspace {workspace.slug} has no map with the id {args.map}")
    results = findings.analyse(ecosystem_map)  # with the changes from the map it was copied from
    if args.json:
        print(json.dumps([findings.as_dict(f) for f in results], indent=2, ensure_ascii=False))
        return 0
    print(f"{ecosystem_map} — {len(results)} finding(s)")
    for finding in results:
        print(f"\n[{finding.severity}] {finding.title}\n  {finding.explanation}")
    return 0


def cmd_report(args) -> int:
    setup_django()
    from opencities.canvases import reports
    from opencities.projects.models import Project

    project = Project.objects.select_related("workspace").filter(pk=args.project).first()
    if project is None:
        return fail(f"no project with the id {args.project}")
    if args.workspace and project.workspace.slug != args.workspace:
        return fail(f"project {args.project} is not in the workspace “{args.workspace}”")
    out = Path(args.output)
    if not out.parent.is_dir():
        return fail(f"cannot write {out}: there is no folder {out.parent}")
    print(f"Reading “{project.title}” for its report: {reports.REPORTS[args.report]}…", flush=True)
    report = reports.build_report(project, args.report, picture=reports.PICTURES[args.format])
    print(f"Writing it as {args.format.upper()}…", flush=True)
    content = reports.render(report, args.format)
    try:
        out.write_bytes(content)
    except OSError as exc:
        return fail(f"cannot write {out}: {exc.strerror}")
    print(f"Wrote {out} ({len(content) // 1024 + 1} KiB).")
    return 0


def cmd_manage(args) -> int:
    setup_django(migrated=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["opencities manage", *args.args])
    return 0


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1 to 65535)")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opencities",
        description="Open Cities Toolkit: record, map and share a city's data with purpose.",
        epilog="Data folder: $OPENCITIES_HOME (default ./var). Database: $DATABASE_URL.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="start the toolkit with the demo city Riverton")
    demo.add_argument("--port", type=port_number, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    demo.set_defaults(func=cmd_demo)

    serve = commands.add_parser("serve", help="run the web server (ASGI, static files included)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=port_number, default=8000)
    serve.set_defaults(func=cmd_serve)

    user = commands.add_parser(
        "createuser",
        help="create an account (password from $OPENCITIES_PASSWORD or typed)",
    )
    user.add_argument("username")
    user.add_argument("--email")
    user.add_argument("--workspace", metavar="SLUG", help="add the user to this workspace")
    user.add_argument(
        "--role", choices=["viewer", "editor", "owner"], help="with --workspace; default editor"
    )
    user.add_argument("--superuser", action="store_true", help="may use the administration site")
    user.set_defaults(func=cmd_createuser)

    ws = commands.add_parser("createworkspace", help="create a workspace for a city or partnership")
    ws.add_argument("slug", help="short name used in addresses, e.g. riverton")
    ws.add_argument("--name", help="full name, e.g. “Riverton City Council”")
    ws.add_argument("--owner", metavar="USERNAME", help="make this user its owner")
    ws.set_defaults(func=cmd_createworkspace)

    imp = commands.add_parser(
        "import", help="import actors and datasets from a CSV or XLSX file, all or nothing"
    )
    imp.add_argument("file")
    imp.add_argument("--workspace", required=True, metavar="SLUG")
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    imp.set_defaults(func=cmd_import)

    imp_map = commands.add_parser(
        "import-map",
        help="import nodes and exchanges into a map from an XLSX workbook or Kumu JSON",
    )
    imp_map.add_argument("file")
    imp_map.add_argument("--workspace", required=True, metavar="SLUG")
    imp_map.add_argument("--map", required=True, type=int, metavar="ID")
    imp_map.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    imp_map.set_defaults(func=cmd_import_map)

    exp = commands.add_parser("export", help="export the inventory as CSV or XLSX")
    exp.add_argument("--workspace", required=True, metavar="SLUG")
    exp.add_argument("--format", choices=["csv", "xlsx"], required=True)
    exp.add_argument("-o", "--output", required=True, metavar="FILE")
    exp.add_argument(
        "--table",
        choices=["datasets", "actors"],
        default="datasets",
        help="which table a CSV file holds (an XLSX file holds both)",
    )
    exp.set_defaults(func=cmd_export)

    analyse = commands.add_parser(
        "analyse",
        help="print the findings of an ecosystem map (and changes from its current state)",
    )
    analyse.add_argument("--workspace", required=True, metavar="SLUG")
    analyse.add_argument("--map", required=True, type=int, metavar="ID")
    analyse.add_argument("--json", action="store_true", help="machine-readable output")
    analyse.set_defaults(func=cmd_analyse)

    report = commands.add_parser(
        "report",
        help="write a project's report (the pack, ethics canvas or business case) to a file",
    )
    report.add_argument("--project", required=True, type=int, metavar="ID")
    report.add_argument("--format", choices=["pdf", "docx", "html"], required=True)
    report.add_argument("-o", "--output", required=True, metavar="FILE")
    report.add_argument(
        "--report",
        choices=["pack", "ethics", "business"],
        default="pack",
        help="which report (default: the pack, the whole project)",
    )
    report.add_argument(
        "--workspace", metavar="SLUG", help="check that the project is in this workspace"
    )
    report.set_defaults(func=cmd_report)

    manage = commands.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
