"""Gunicorn for Copydesk in production, behind nginx (deploy/nginx.conf).

Threaded workers (gthread): a worker's main thread keeps beating to the
arbiter while its threads serve, so an export that streams for minutes to a
slow client is not killed by `timeout` (a sync worker was, after 30 s). nginx
in front reads whole requests before passing them on, so a client that sends
slowly holds none of these threads.

Every value can be set from the environment (WEB_WORKERS, WEB_THREADS, ...).
Each thread keeps its own database connection: workers x threads connections.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")  # "sync" only to see what it fixes
workers = int(os.environ.get("WEB_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", "8"))
worker_connections = int(os.environ.get("WEB_WORKER_CONNECTIONS", "1000"))
# Seconds without a heartbeat before a worker is restarted (a hung worker, not a long request).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
accesslog = "-"
errorlog = "-"
# The request's duration in microseconds closes each access line.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus'
# One shared default path would make a second instance on the host (another port) clash.
control_socket_disable = True
