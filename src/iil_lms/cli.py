"""The `iil-lms` command: one function per subcommand."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from iil_lms.logging_setup import configure_logging
from iil_lms.settings import LANGUAGES, get_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def _engine() -> Engine:
    import iil_lms.all_models  # noqa: F401 - every table known before any query
    from iil_lms.db import make_engine

    return make_engine(get_settings().database_url)


def cmd_migrate(args: argparse.Namespace) -> int:
    from iil_lms.migrations import upgrade

    upgrade(_engine())
    print("Database is up to date.")
    return 0


def _links_base_url(host: str, port: int) -> str:
    """The address put in emailed links (invitations, password resets): IIL_BASE_URL when
    configured; in development otherwise the address being served, so that links work
    when the app runs on another port than 8000."""
    import os

    settings = get_settings()
    if "base_url" in settings.model_fields_set or settings.production:
        return settings.base_url
    any_address = host in ("0.0.0.0", "::", "")  # noqa: S104 - compared, not bound
    shown_host = "127.0.0.1" if any_address else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    base_url = f"http://{shown_host}:{port}"
    os.environ["IIL_BASE_URL"] = base_url  # read by the app (and by uvicorn's workers)
    get_settings.cache_clear()
    return base_url


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    base_url = _links_base_url(args.host, args.port)
    print(
        f"Links in emails (invitations, password resets) use {base_url} "
        "(IIL_BASE_URL sets another).",
        flush=True,
    )
    uvicorn.run(
        "iil_lms.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        access_log=False,
        log_config=None,  # configure_logging() already sends every logger to JSON lines
        log_level="info",
    )
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from iil_lms.accounts import service
    from iil_lms.db import transaction

    settings = get_settings()
    password = None
    if args.password_prompt:
        password = getpass.getpass("Password: ")
    try:
        with transaction(_engine()) as session:
            user = service.create_user(
                session,
                email=args.email,
                display_name=args.name,
                password=password,
                language=args.language,
                is_admin=args.admin,
            )
            link = None
            if password is None:
                token = service.issue_token(session, settings, user, "invite")
                link = f"{settings.base_url}/invite/{token}"
    except service.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Created {user.email}" + (" (site admin)" if args.admin else ""))
    if link:
        print(f"Invitation link (valid {settings.invitation_days} days): {link}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from iil_lms.db import transaction
    from iil_lms.demo import DEFAULT_PASSWORD, build_demo

    with transaction(_engine()) as session:
        logins = build_demo(session, password=args.password, settings=get_settings())
    print("Demo logins (password: %s):" % (args.password or DEFAULT_PASSWORD))
    for login in logins:
        print(f"  {login.role:<10} {login.email:<36} {login.cohort}")
    return 0


def cmd_send_reminders(args: argparse.Namespace) -> int:
    from datetime import date

    from iil_lms.db import transaction
    from iil_lms.learning.reminders import send_due_soon_reminders

    today = date.fromisoformat(args.date) if args.date else None
    with transaction(_engine()) as session:
        sent = send_due_soon_reminders(session, today, days_ahead=args.days)
    when = today.isoformat() if today else "each academy's today"
    print(f"Sent {sent} due-soon reminders for {when}.")
    return 0


def cmd_send_at_risk_digest(args: argparse.Namespace) -> int:
    from datetime import date

    from iil_lms.db import transaction
    from iil_lms.reports.at_risk import send_at_risk_digest

    today = date.fromisoformat(args.date) if args.date else date.today()
    with transaction(_engine()) as session:
        told = send_at_risk_digest(session, today)
    print(f"Told {told} trainers and mentors who is at risk (week of {today.isoformat()}).")
    return 0


def cmd_send_outbox(args: argparse.Namespace) -> int:
    from iil_lms.notifications.service import deliver_outbox

    report = deliver_outbox(_engine(), get_settings(), limit=args.limit)
    print(
        f"Sent {report.sent} emails, {report.failed} failed (retried later), "
        f"{report.waiting} waiting."
    )
    return 1 if report.failed else 0


def cmd_load_curriculum(args: argparse.Namespace) -> int:
    from pathlib import Path

    from iil_lms.curriculum import service
    from iil_lms.curriculum.loader import CurriculumInvalid
    from iil_lms.db import transaction

    try:
        if args.check:
            print("\n".join(service.check_curriculum(Path(args.path)).summary_lines(True)))
            return 0
        with transaction(_engine()) as session:
            report = service.load_curriculum(session, Path(args.path))
    except CurriculumInvalid as invalid:
        for error in invalid.errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"{len(invalid.errors)} problem(s); nothing was loaded.", file=sys.stderr)
        return 1
    print("\n".join(report.summary_lines()))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from iil_lms.certificates import jobs

    settings = get_settings()
    resumed = jobs.resume_unfinished(_engine(), settings)
    if resumed:
        print(f"Resuming unfinished jobs: {', '.join(map(str, resumed))}")
    print("Worker running (Ctrl-C stops).", flush=True)
    jobs.queue(settings).create_consumer(workers=args.workers, worker_type="thread").run()
    return 0


def cmd_verify_credential(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from iil_lms.certificates import credentials
    from iil_lms.certificates.pdf import attachment

    data = Path(args.file).read_bytes()
    if data.startswith(b"%PDF-"):
        found = attachment(data)
        if found is None:
            print("invalid: the PDF carries no credential", file=sys.stderr)
            return 1
        data = found
    try:
        verified = credentials.verify(json.loads(data))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        print(f"invalid: {error}", file=sys.stderr)
        return 1
    if args.key and args.key.lower() != verified.public_key.hex():
        print("invalid: signed by another key than the one given", file=sys.stderr)
        return 1
    print(f"valid: {verified.title} for {verified.holder_name}, issued by {verified.issuer_name}")
    print(f"signed by Ed25519 key {verified.public_key.hex()}")
    print(f"check revocation online: {verified.url}")
    return 0


def cmd_rotate_signing_key(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from iil_lms.certificates.credentials import rotate_key
    from iil_lms.cohorts.models import Academy
    from iil_lms.db import transaction

    with transaction(_engine()) as session:
        academy = session.exec(select(Academy).where(Academy.slug == args.academy)).first()
        if academy is None:
            print(f"error: no academy {args.academy!r}", file=sys.stderr)
            return 1
        key = rotate_key(session, get_settings(), academy.id or 0)
    print(f"New signing key for {args.academy}: {key.row.public_key}")
    return 0


def _size(size_bytes: int) -> str:
    return f"{size_bytes / 1_000_000:.1f} MB" if size_bytes >= 100_000 else f"{size_bytes:,} bytes"


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from iil_lms.backup import BackupError, backup

    try:
        done = backup(get_settings(), Path(args.file))
    except BackupError as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return 1
    print(
        f"Backed up {done.rows:,} rows in {done.tables} tables ({done.engine}) and "
        f"{done.files} files to {args.file} ({_size(done.size_bytes)})."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from iil_lms.backup import BackupError, restore

    try:
        done = restore(get_settings(), Path(args.file), force=args.force)
    except BackupError as error:
        print(f"Restore refused: {error}", file=sys.stderr)
        return 1
    print(
        f"Restored {done.rows:,} rows in {done.tables} tables and {done.files} files from "
        f"{args.file}; the database is up to date with this version."
    )
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from iil_lms.audit.chain import verify
    from iil_lms.db import transaction

    with transaction(_engine(), writes=False) as session:
        verdict = verify(session)
    if verdict.broken is not None:
        print(f"broken: {verdict.broken}", file=sys.stderr)
        return 1
    print(f"{verdict.entries} entries, chain intact")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iil-lms", description="Integrity Innovation Lab LMS")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(
        name: str, handler: Callable[[argparse.Namespace], int], help_text: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    add("migrate", cmd_migrate, "Apply database migrations.")

    serve = add("serve", cmd_serve, "Serve the web application.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="Proxies whose X-Forwarded-* headers are trusted.",
    )

    create = add("create-user", cmd_create_user, "Create an account; prints an invitation link.")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--language",
        choices=LANGUAGES,
        default=None,
        help="Leave out to let pages follow the language the person uses.",
    )
    create.add_argument("--admin", action="store_true", help="Make the account a site admin.")
    create.add_argument(
        "--password-prompt",
        action="store_true",
        help="Set a password now instead of printing an invitation link.",
    )

    demo = add("demo", cmd_demo, "Create the demo academies, cohorts and people (idempotent).")
    demo.add_argument("--password", help="Password for every demo account.")

    remind = add(
        "send-reminders",
        cmd_send_reminders,
        "Notify trainees of modules due soon (safe to run again the same day).",
    )
    remind.add_argument(
        "--date", help="Treat this day (YYYY-MM-DD) as today (default: each academy's date)."
    )
    remind.add_argument("--days", type=int, default=3, help="How many days ahead count as soon.")

    digest = add(
        "send-at-risk-digest",
        cmd_send_at_risk_digest,
        "Tell trainers and mentors who is at risk (once a week; safe to run again).",
    )
    digest.add_argument("--date", help="Treat this day (YYYY-MM-DD) as today.")

    outbox = add(
        "send-outbox",
        cmd_send_outbox,
        "Send waiting notification emails (SMTP if configured, else the log).",
    )
    outbox.add_argument("--limit", type=int, default=500, help="Most emails to send this run.")

    load = add(
        "load-curriculum",
        cmd_load_curriculum,
        "Validate a curriculum folder and load it (all or nothing; reloading is safe).",
    )
    load.add_argument("path", help="The curriculum folder, e.g. curricula/iil-core")
    load.add_argument("--check", action="store_true", help="Validate only; write nothing.")

    worker = add("worker", cmd_worker, "Run background jobs (bulk certificates); resumes any left.")
    worker.add_argument("--workers", type=int, default=1)

    check = add(
        "verify-credential",
        cmd_verify_credential,
        "Check a certificate's signed credential offline (a .json file or the certificate PDF).",
    )
    check.add_argument("file")
    check.add_argument("--key", help="The academy's public key (hex) the credential must carry.")

    rotate = add(
        "rotate-signing-key",
        cmd_rotate_signing_key,
        "Retire an academy's certificate signing key and make a new one.",
    )
    rotate.add_argument("academy", help="The academy's slug.")

    save = add(
        "backup",
        cmd_backup,
        "Back up the database and uploaded files into one file, while the server runs.",
    )
    save.add_argument("file", help="Where to write the backup, e.g. iil-2026-11-27.tar.gz")

    load_backup = add(
        "restore",
        cmd_restore,
        "Restore a backup into an empty database (checks the whole file first).",
    )
    load_backup.add_argument("file")
    load_backup.add_argument(
        "--force", action="store_true", help="Replace a database that is not empty."
    )

    audit = add("audit", lambda _args: 2, "The tamper-evident audit log.")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_verify = audit_sub.add_parser(
        "verify",
        help="Check the audit log's hash chain; names the first entry altered or removed.",
    )
    audit_verify.set_defaults(handler=cmd_audit_verify)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging()
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
