"""gunicorn for つなぐ: ``gunicorn -c deploy/gunicorn.conf.py "app:create_app()"``.

Threads per worker keep slow clients (uploads, long polls) from blocking a whole process; the
workers are recycled now and then so that a slow leak never grows. Settings given on the
command line (``--bind``, ``--workers``) win over these.
"""

import multiprocessing

bind = "127.0.0.1:8000"  # nginx is in front; a second web host binds its own LAN address
workers = min(2 * multiprocessing.cpu_count() + 1, 9)
worker_class = "gthread"
threads = 4
timeout = 60  # a request longer than this is killed and logged (uploads are buffered by nginx)
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = "127.0.0.1"  # the portal reads X-Forwarded-For itself (TRUSTED_PROXY_COUNT)
accesslog = "-"
errorlog = "-"
# No query strings in the access log: search words on the 相談室's pages stay out of logs.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
