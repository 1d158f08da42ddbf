"""Durable analysis jobs. `core` holds the job code (claim, run, lease, sweep) shared by both
executors: worker threads inside `talktrack serve` (`threads`) and Celery workers (`celery_app`)."""
