#!/usr/bin/env bash
# Make sure the services the tests use are up (each started if installed but down):
# PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (the background-job queue).
set -uo pipefail
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if command -v pg_isready >/dev/null 2>&1 && ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
  fi
fi
if pg_up 2>/dev/null; then echo "services: PostgreSQL is up on 127.0.0.1:5432"; else echo "services: PostgreSQL is NOT reachable on 127.0.0.1:5432"; fi
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if command -v redis-server >/dev/null 2>&1 && ! redis_up; then
  echo "services: starting Redis"
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes >/dev/null 2>&1 || true
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
fi
if redis_up; then echo "services: Redis is up on 127.0.0.1:6379"; else echo "services: Redis is NOT reachable on 127.0.0.1:6379"; fi
exit 0
