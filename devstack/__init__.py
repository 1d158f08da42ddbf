"""Real service processes for development: what the service tests and the benches start and stop.

`devstack.stack` starts a `talktrack serve` (or uvicorn) server and a `talktrack worker` Celery
process in their own process groups, throwaway PostgreSQL databases and Celery queues, the bootstrap
accounts, and moto's S3 server. It is tooling, not part of the installed `talktrack` distribution:
it is imported from the repository root (pytest's `pythonpath`, `python -m bench.x`), and it uses
the dev extra (moto, psycopg2, redis).
"""
