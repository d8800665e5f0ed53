"""gunicorn settings of a kleroterion site (deploy/, docs/hosting.md).

Every value may be overridden by gunicorn's own environment variable
(GUNICORN_CMD_ARGS) or on the command line.
"""

import os
import shutil

bind = os.environ.get("KLEROTERION_BIND", "127.0.0.1:8000")
# gunicorn's rule: 2 x cores + 1 sync workers; a page is a few milliseconds of CPU.
workers = int(os.environ.get("KLEROTERION_WEB_WORKERS", (os.cpu_count() or 1) * 2 + 1))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
# The reverse proxy on the same machine (or the compose network) is trusted for
# X-Forwarded-Proto; set KLEROTERION_FORWARDED_ALLOW_IPS to its address otherwise.
forwarded_allow_ips = os.environ.get("KLEROTERION_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# kleroterion logs each request itself (with its request id, never its query string).
accesslog = None
errorlog = "-"
control_socket_disable = True


def on_starting(server):
    """Empty the metrics folder: multiprocess counts must start from zero each start."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    """Forget a dead worker's live gauges (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
