"""`talktrack worker`: a Celery worker running analysis jobs and webhook deliveries (production)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any, summary: str) -> None:
    parser = subparsers.add_parser(
        "worker", help=summary,
        description="Run analysis jobs from the Redis broker in TALKTRACK_BROKER_URL against the database in "
                    "TALKTRACK_DATABASE_URL. Start as many as the machine has cores for.")
    parser.add_argument("--concurrency", type=int, default=1, help="jobs at once in this worker (default 1)")
    parser.add_argument("--pool", default="prefork", choices=("prefork", "solo", "threads"),
                        help="Celery pool (default prefork)")
    parser.add_argument("--queues", default="jobs,webhooks",
                        help="what this worker takes: jobs, webhooks or both (default jobs,webhooks); "
                             "a worker with `--queues webhooks --pool threads` delivers notifications alone")
    parser.add_argument("--loglevel", default="INFO", help="Celery log level")
    parser.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    from service.core.config import get_settings
    from service.core.db import run_migrations
    from service.jobs.celery_app import celery_app, webhook_queue
    from transcription.errors import TalktrackError

    settings = get_settings()
    if not settings.broker_url:
        raise TalktrackError("set TALKTRACK_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run a worker")
    kinds = [k.strip() for k in args.queues.split(",") if k.strip()]
    unknown = sorted(set(kinds) - {"jobs", "webhooks"})
    if not kinds or unknown:
        raise TalktrackError(f"--queues takes jobs, webhooks or both, comma-separated (got {args.queues!r})")
    names = {"jobs": settings.celery_queue, "webhooks": webhook_queue(settings.celery_queue)}
    run_migrations(settings)
    app = celery_app()
    app.worker_main(["worker", f"--concurrency={args.concurrency}", f"--pool={args.pool}",
                     f"--queues={','.join(names[k] for k in kinds)}",
                     f"--loglevel={args.loglevel}", "--without-gossip", "--without-mingle"])
    return 0
