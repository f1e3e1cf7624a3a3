"""The `cjeune` command: serve, migrate, demo, createstaff, import-beneficiaries, close-year,
close-period, reindex, worker, scheduler, campaign."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
import textwrap
from collections.abc import Awaitable, Callable

from infra.settings import ImproperlyConfigured, get_settings, load_settings, use_settings
from models.accounts import StaffRole


def _with_database(work: Callable[[], Awaitable[None]]) -> None:
    """Run `work` with the database open and jobs kicked to where they run: Redis's stream
    (REDIS_URL), or this process, which waits for them before closing the database."""
    from infra.database import close_database, open_database
    from workers.broker import broker, configure_broker

    async def run() -> None:
        settings = get_settings()
        await open_database(settings)
        configure_broker(settings)
        await broker.startup()
        try:
            await work()
        finally:
            await broker.wait_all()
            await broker.shutdown()
            await close_database()

    asyncio.run(run())


def migrate(_args: argparse.Namespace) -> None:
    from infra.database import run_migrations

    settings = get_settings()
    print(f"Migrations sur {settings.database_url.split('@')[-1]} …")
    asyncio.run(run_migrations(settings))
    print("Base de données à jour.")


def demo(_args: argparse.Namespace) -> None:
    from server.demo import DEMO_PASSWORD, load_demo

    settings = get_settings()
    if settings.is_production:
        raise ImproperlyConfigured("demo data is never loaded in production")
    migrate(_args)

    async def load() -> None:
        logins = await load_demo()
        print("\nComptes de démonstration (mot de passe commun : " + DEMO_PASSWORD + ")")
        for role, email in logins:
            print(f"  {email:<32} {role}")
        print(
            f"\nEspace partenaire : {settings.public_url}/partenaires/ "
            f"(la caisse : caisse@cinema-prado.test, mot de passe {DEMO_PASSWORD})"
        )
        print(f"Courriels envoyés : {settings.outbox_dir}/ (EMAIL_BACKEND=outbox)")
        print(f"Notifications push : {settings.push_outbox_dir}/ (PUSH_BACKEND=outbox)")

    _with_database(load)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = get_settings()
    settings.check()
    if args.demo and settings.is_production:
        raise ImproperlyConfigured("demo data is never loaded in production")
    if args.demo:
        demo(args)
    else:
        migrate(args)
    what = "API GraphQL" if settings.is_production else "GraphiQL"  # no GraphiQL in production
    print(f"\n{what} : http://{args.host}:{args.port}/graphql")
    print(f"Espace partenaire : http://{args.host}:{args.port}/partenaires/")
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_level="info",
        ws_max_size=settings.max_request_bytes,  # a larger WebSocket message closes it (1009)
    )


def createstaff(args: argparse.Namespace) -> None:
    from domain.accounts.users import create_staff
    from domain.core.errors import DomainError

    password = (
        sys.stdin.readline().rstrip("\n")
        if args.password_stdin
        else getpass.getpass("Mot de passe : ")
    )

    async def create() -> None:
        try:
            user = await create_staff(
                None,
                email=args.email,
                first_name=args.first_name,
                last_name=args.last_name,
                roles=[StaffRole(r) for r in args.role],
                password=password,
            )
        except DomainError as error:
            raise SystemExit(f"Erreur : {error.message}") from None
        print(f"Compte créé : {user.email} ({', '.join(user.staff_roles)})")

    _with_database(create)


def show_progress(done: int, total: int) -> None:
    """A progress bar on stderr for long jobs."""
    filled = 30 * done // total if total else 30
    sys.stderr.write(f"\r[{'=' * filled}{' ' * (30 - filled)}] {done}/{total}")
    sys.stderr.flush()


def close_year(args: argparse.Namespace) -> None:
    from domain.cards.school_years import school_year_by_label
    from domain.cards.year_end import close_school_year
    from domain.core.errors import DomainError
    from domain.core.money import format_euros

    async def run() -> None:
        year = await school_year_by_label(args.year)
        if year is None:
            raise SystemExit(f"Erreur : l'année scolaire {args.year} n'existe pas.")
        try:
            report = await close_school_year(year, show_progress)
        except DomainError as error:
            raise SystemExit(f"Erreur : {error.message}") from None
        sys.stderr.write("\n")
        print(
            f"Année {year.label} close : {report.cards_expired} cartes expirées, "
            f"{report.wallets_forfeited} porte-monnaie soldés "
            f"({format_euros(report.forfeited_cents)} non dépensés)."
        )

    _with_database(run)


def close_period(args: argparse.Namespace) -> None:
    from datetime import date, timedelta

    from domain.core import clock
    from domain.core.errors import DomainError
    from domain.core.money import format_euros
    from domain.finance.reimbursements import close_period as close

    try:
        day = date.fromisoformat(args.day) if args.day else clock.paris_today() - timedelta(1)
    except ValueError:
        raise SystemExit(f"Erreur : date invalide « {args.day} » (AAAA-MM-JJ).") from None

    async def run() -> None:
        try:
            report = await close(day, progress=show_progress)
        except DomainError as error:
            raise SystemExit(f"Erreur : {error.message}") from None
        sys.stderr.write("\n")
        period = report.period
        state = "déjà close" if report.already_closed else "close"
        print(
            f"Période du {period.starts_on:%d/%m/%Y} au {period.ends_on:%d/%m/%Y} {state} : "
            f"{report.reimbursements} remboursements, {report.lines} transactions, "
            f"{report.adjustments} reprises, {format_euros(report.total_cents)}."
        )
        if period.discrepancies:
            raise SystemExit(
                f"Attention : les comptes ne concordent pas pour {len(period.discrepancies)} "
                "partenaire(s) ; aucun lot de virements possible avant correction."
            )

    _with_database(run)


def import_beneficiaries(args: argparse.Namespace) -> None:
    from pathlib import Path

    from domain.accounts.viewer import Viewer
    from domain.cards.beneficiary_import import import_middle_schoolers
    from domain.cards.school_years import school_year_by_label
    from domain.core.errors import DomainError

    try:
        text = Path(args.file).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise SystemExit(f"Erreur : fichier introuvable : {args.file}") from None
    except OSError as error:
        raise SystemExit(f"Erreur : lecture de {args.file} impossible ({error}).") from None
    except UnicodeDecodeError:
        raise SystemExit(f"Erreur : {args.file} n'est pas encodé en UTF-8.") from None

    async def run_import() -> None:
        year = await school_year_by_label(args.year)
        if year is None:
            raise SystemExit(f"Erreur : l'année scolaire {args.year} n'existe pas.")
        try:
            report = await import_middle_schoolers(
                Viewer(client_address="cli"), year, text, show_progress, Path(args.file).name
            )
        except DomainError as error:
            raise SystemExit(f"Erreur : {error.message}") from None
        sys.stderr.write("\n")

        def count(n: int, singular: str, plural: str) -> str:
            return f"{n} {singular if n < 2 else plural}"

        print(
            f"Import {year.label} : {count(report.created, 'créé', 'créés')}, "
            f"{count(report.already_present, 'déjà présent', 'déjà présents')}, "
            f"{count(len(report.rejected), 'rejeté', 'rejetés')}, "
            f"{count(report.cards_issued, 'carte émise', 'cartes émises')}."
        )
        if report.rejected:
            print("Lignes rejetées :")
            for row in report.rejected:
                print(f"  ligne {row.line} : {row.reason}")

    _with_database(run_import)


def reindex(_args: argparse.Namespace) -> None:
    from search.sync import reindex as rebuild_index

    settings = get_settings()
    settings.check()
    if settings.search_backend != "meilisearch":
        raise SystemExit("Rien à réindexer : SEARCH_BACKEND=database cherche dans la base.")

    async def run() -> None:
        count = await rebuild_index(show_progress)
        sys.stderr.write("\n")
        print(f"Index de recherche reconstruit : {count} éléments relus.")

    _with_database(run)


def worker(args: argparse.Namespace) -> None:
    from workers.runner import run_worker

    settings = use_settings(load_settings())
    settings.check()  # production requires REDIS_URL, among the rest
    if settings.redis_url is None:
        raise ImproperlyConfigured(
            "cjeune worker needs REDIS_URL; without it, jobs run inside the API process"
        )
    status = run_worker(settings, processes=args.workers, extra_modules=args.jobs)
    if status:
        raise SystemExit(status)


def scheduler(_args: argparse.Namespace) -> None:
    from workers.runner import run_scheduler

    settings = use_settings(load_settings())
    settings.check()  # production requires REDIS_URL, among the rest
    asyncio.run(run_scheduler(settings))


def campaign(args: argparse.Namespace) -> None:
    """`send` starts a campaign (the workers send it; without REDIS_URL, this process does)
    and follows it; `status` shows where it is. Both end with the figures."""
    from uuid import UUID

    from domain.accounts.viewer import Viewer
    from domain.campaigns.management import get_campaign, send_campaign
    from domain.core.errors import DomainError
    from models.campaigns import CampaignStatus
    from workers.broker import broker

    settings = get_settings()
    settings.check()
    try:
        campaign_id = UUID(args.id)
    except ValueError:
        raise SystemExit(f"Erreur : identifiant de campagne invalide : {args.id}") from None

    async def run() -> None:
        if args.action == "send":
            try:
                await send_campaign(Viewer(client_address="cli"), campaign_id)
            except DomainError as error:
                raise SystemExit(f"Erreur : {error.message}") from None
        found = await _follow_campaign(campaign_id, args.action == "send")
        await broker.wait_all()  # in-process: the last batch's jobs, before the figures
        if found.status == CampaignStatus.SENDING and args.action == "send":
            print("Suivi interrompu ; l'envoi continue sur les workers.")
        await _print_campaign(await get_campaign(campaign_id))

    _with_database(run)


async def _follow_campaign(campaign_id, follow: bool):
    """Show the progress bar until the campaign stops sending (or Ctrl-C)."""
    from domain.campaigns.management import get_campaign, progress
    from models.campaigns import CampaignStatus

    while True:
        found = await get_campaign(campaign_id)
        figures = await progress(found)
        if found.materialized_at is not None:
            done = figures.total("targeted") - figures.total("remaining")
            show_progress(done, figures.total("targeted"))
        if not follow or found.status not in (CampaignStatus.SENDING, CampaignStatus.SCHEDULED):
            sys.stderr.write("\n")
            return found
        try:
            await asyncio.sleep(0.5)
        except asyncio.CancelledError:
            sys.stderr.write("\n")
            return found


async def _print_campaign(found) -> None:
    from domain.campaigns.management import STATUS_WORDS, progress

    figures = await progress(found)
    print(f"Campagne « {found.name} » : {STATUS_WORDS[found.status]}.")
    for channel in figures.channels:
        print(
            f"  {channel.channel.value:<7} ciblés {channel.targeted}, envoyés {channel.sent}, "
            f"échecs {channel.failed}, écartés {channel.skipped}, restants {channel.remaining}"
        )
    print(f"  désabonnements par ses liens : {figures.unsubscribes}")
    for reason in figures.reasons:
        print(f"  {reason.count} × {reason.channel.value} {reason.status.value} : {reason.reason}")


# --- the command line: help in English (for operators, like docs/operations.md); what the
# commands report is in French, like the messages of the business rules they relay; the
# configuration errors, which name settings, are in English. No line mixes the two.

VARIABLES = {
    "ENVIRONMENT": "development (default), test or production",
    "DATABASE_URL": "the database (default: sqlite://$CJEUNE_DATA_DIR/cjeune.sqlite3)",
    "DATABASE_POOL_SIZE": "PostgreSQL connections per process (default: 20)",
    "CJEUNE_DATA_DIR": "local files: SQLite, email and push outboxes, uploaded images, "
    "finance files (default: var)",
    "REDIS_URL": "Redis: the job queue, shared counters, real-time events (default: unset, "
    "jobs run in this process)",
    "SECRET_KEY": "signs access tokens (required in production)",
    "PUBLIC_URL": "base of the links sent by email (default: http://127.0.0.1:8000)",
    "ALLOWED_ORIGINS": "browser origins allowed, comma-separated (default: none)",
    "EMAIL_BACKEND": "outbox (default: .eml files) or smtp (SMTP_HOST, SMTP_PORT, SMTP_TLS…)",
    "PUSH_BACKEND": "outbox (default: push-outbox/push.jsonl) or fcm (FCM_CREDENTIALS_FILE)",
    "GEOCODER": "offline (default) or ban",
    "SEARCH_BACKEND": "database (default) or meilisearch",
    "MEILISEARCH_URL": "the Meilisearch server (SEARCH_BACKEND=meilisearch)",
    "MEILISEARCH_KEY": "its API key",
    "JOB_MAX_RETRIES": "runs of a failing job before it is kept for staff (default: 5)",
    "JOB_CLAIM_AFTER_SECONDS": "a job a dead worker left goes to another after this (default: 600)",
    "CAMPAIGN_EMAIL_PER_SECOND": "campaign emails per second, all workers together "
    "(default: 0, no limit)",
    "CAMPAIGN_PUSH_PER_SECOND": "campaign pushes per second (default: 0, no limit)",
    "DAILY_COLLECTION_TIME": "when the partners' evening report is sent, Paris time "
    "(default: 20:00)",
}
_DATABASE = ["ENVIRONMENT", "DATABASE_URL", "CJEUNE_DATA_DIR"]
_JOBS = ["REDIS_URL", "EMAIL_BACKEND", "PUSH_BACKEND"]
ENVIRONMENT_READ = {
    "serve": [
        *_DATABASE,
        "DATABASE_POOL_SIZE",
        "SECRET_KEY",
        "PUBLIC_URL",
        "ALLOWED_ORIGINS",
        *_JOBS,
        "GEOCODER",
        "SEARCH_BACKEND",
    ],
    "migrate": _DATABASE,
    "demo": [*_DATABASE, *_JOBS, "PUBLIC_URL"],
    "createstaff": [*_DATABASE, "REDIS_URL"],
    "import-beneficiaries": [*_DATABASE, "REDIS_URL"],
    "close-year": [*_DATABASE, "REDIS_URL"],
    "close-period": [*_DATABASE, *_JOBS],
    "reindex": [*_DATABASE, "SEARCH_BACKEND", "MEILISEARCH_URL", "MEILISEARCH_KEY"],
    "worker": [
        *_DATABASE,
        *_JOBS,
        "JOB_MAX_RETRIES",
        "JOB_CLAIM_AFTER_SECONDS",
        "CAMPAIGN_EMAIL_PER_SECOND",
        "CAMPAIGN_PUSH_PER_SECOND",
    ],
    "scheduler": [*_DATABASE, "REDIS_URL", "DAILY_COLLECTION_TIME"],
    "campaign": [*_DATABASE, *_JOBS, "CAMPAIGN_EMAIL_PER_SECOND", "CAMPAIGN_PUSH_PER_SECOND"],
}


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Each option's default after its help (not for flags, nor where there is none);
    descriptions and epilogs as _wrapped() lays them out."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if isinstance(action, argparse._StoreTrueAction) or action.default in (None, []):
            return action.help
        return super()._get_help_string(action)


def _wrapped(text: str, indent: str = "", first: str = "") -> str:
    return textwrap.fill(text, 88, initial_indent=first or indent, subsequent_indent=indent)


def _epilog(command: str) -> str:
    names = ENVIRONMENT_READ[command]
    width = max(len(name) for name in names) + 4
    lines = [_wrapped(VARIABLES[name], " " * width, f"  {name:<{width - 2}}") for name in names]
    note = (
        "Every setting is described in docs/operations.md. What the command reports is in French."
    )
    return "environment variables read:\n" + "\n".join(lines) + "\n\n" + _wrapped(note)


def _command(
    commands: argparse._SubParsersAction, name: str, summary: str, description: str
) -> argparse.ArgumentParser:
    return commands.add_parser(  # type: ignore[no-any-return]
        name,
        help=summary,
        description=_wrapped(description),
        epilog=_epilog(name),
        formatter_class=_HelpFormatter,
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cjeune")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cjeune",
        description=_wrapped(
            "The carte CJeune's GraphQL API and its operations: serve it, migrate its "
            "database, run its jobs, import the pupils, close years and fortnights, send "
            "campaigns. `cjeune COMMAND --help` for each."
        ),
        epilog="Settings come from the environment: docs/operations.md lists them all.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve_parser = _command(
        commands,
        "serve",
        "migrate, then serve the API",
        "Apply the pending migrations, then serve the GraphQL API at /graphql (with GraphiQL "
        "outside production) through uvicorn. On the embedded default (no REDIS_URL) this "
        "process also runs the background jobs and the periodic ones.",
    )
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve_parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve_parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes (more than one needs REDIS_URL to share counters, "
        "events and jobs)",
    )
    serve_parser.add_argument(
        "--demo",
        action="store_true",
        help="load the demo data before serving (see `cjeune demo`; refused in production)",
    )
    serve_parser.set_defaults(func=serve)

    _command(
        commands,
        "migrate",
        "apply the database migrations",
        "Apply the pending database migrations and exit. Replicas migrating at once take "
        "turns (a PostgreSQL lock).",
    ).set_defaults(func=migrate)
    _command(
        commands,
        "demo",
        "migrate and load the demo data",
        "Apply the migrations, then load the demo data: staff, three partners with their "
        "delegates, four young people, activated cards with credited wallets and a demo "
        "phone for each middle-schooler, profiles, posts, a deal per partner and an event. "
        "Prints every login (one password for all). Loading twice changes nothing. Refused "
        "in production.",
    ).set_defaults(func=demo)

    staff_parser = _command(
        commands,
        "createstaff",
        "create a département staff account",
        "Create a staff account of the département with one or more roles. The password is "
        "asked for on the terminal (or read from standard input) and must follow the "
        "password policy.",
    )
    staff_parser.add_argument("--email", required=True, help="the account's email address")
    staff_parser.add_argument("--first-name", required=True, help="the person's first name")
    staff_parser.add_argument("--last-name", required=True, help="the person's last name")
    staff_parser.add_argument(
        "--role",
        action="append",
        required=True,
        choices=[role.value for role in StaffRole],
        help="a role; repeat the option for several",
    )
    staff_parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of asking",
    )
    staff_parser.set_defaults(func=createstaff)

    import_parser = _command(
        commands,
        "import-beneficiaries",
        "import the year's middle-schoolers from a CSV file",
        "Import the middle-schoolers of the schools' CSV export (separator ; , UTF-8): each "
        "new pupil gets a card and the year's credited wallets. Idempotent: a pupil already "
        "imported is left as is. Bad lines are reported with their number; shows progress.",
    )
    import_parser.add_argument("file", help="CSV exported by the schools' software")
    import_parser.add_argument("--year", required=True, help="school year, e.g. 2026-2027")
    import_parser.set_defaults(func=import_beneficiaries)

    close_parser = _command(
        commands,
        "close-year",
        "after 31 August: expire the year's cards, forfeit what is left",
        "Close a school year once it is over: its cards expire and what is left in its "
        "wallets goes back to the year's funding. Shows progress.",
    )
    close_parser.add_argument("year", help="school year, e.g. 2025-2026")
    close_parser.set_defaults(func=close_year)

    period_parser = _command(
        commands,
        "close-period",
        "close a fortnight of reimbursements, once ended",
        "Close the reimbursement fortnight of a day, once it has ended: each partner's "
        "reimbursement and statement. A job does it each night; closing twice changes "
        "nothing. Shows progress.",
    )
    period_parser.add_argument(
        "--day", help="a day of the fortnight, e.g. 2026-11-15 (default: yesterday, Paris time)"
    )
    period_parser.set_defaults(func=close_period)

    _command(
        commands,
        "reindex",
        "rebuild the Meilisearch index from the database",
        "Rebuild the Meilisearch index from the database (after switching SEARCH_BACKEND to "
        "meilisearch, or to repair it). Nothing to do with SEARCH_BACKEND=database.",
    ).set_defaults(func=reindex)

    worker_parser = _command(
        commands,
        "worker",
        "run background jobs (needs REDIS_URL)",
        "Run the background jobs (notification deliveries, emails, campaigns, "
        "reimbursements…) from Redis's stream until SIGTERM; run as many as the load needs. "
        "Without REDIS_URL there is no queue: the API process runs the jobs itself.",
    )
    worker_parser.add_argument("--workers", type=int, default=1, help="worker processes")
    worker_parser.add_argument(
        "--jobs",
        action="append",
        default=[],
        help="another module declaring jobs (repeatable)",
    )
    worker_parser.set_defaults(func=worker)
    _command(
        commands,
        "scheduler",
        "kick the periodic jobs on time (run one)",
        "Kick the periodic jobs (notification sweeps, the nightly closing of fortnights, the "
        "evening report…) on their Europe/Paris schedule until SIGTERM. Run exactly one, "
        "with REDIS_URL: the workers do the jobs. Without REDIS_URL, `cjeune serve` does it.",
    ).set_defaults(func=scheduler)
    campaign_parser = _command(
        commands,
        "campaign",
        "send a marketing campaign with a progress bar, or show its figures",
        "`send` starts a campaign and follows it with a progress bar (the workers send it; "
        "without REDIS_URL, this process does); `status` shows its figures.",
    )
    campaign_parser.add_argument(
        "action", choices=["send", "status"], help="send it, or show where it is"
    )
    campaign_parser.add_argument("id", help="the campaign's id")
    campaign_parser.set_defaults(func=campaign)
    return parser


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    logging.getLogger("tortoise").setLevel(logging.WARNING)  # "Tortoise-ORM shutdown"…
    if args.func is not worker:
        # Jobs run in this process without REDIS_URL: a line per job would bury the
        # command's own report (the `worker` process keeps them, for operations).
        logging.getLogger("taskiq.receiver").setLevel(logging.WARNING)
    try:
        args.func(args)
    except ImproperlyConfigured as error:
        raise SystemExit(f"Configuration refused: {error}") from None
