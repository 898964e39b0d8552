#!/bin/sh
# Writes /tmp/pgbouncer.ini from PGBOUNCER_UPSTREAM (libpq "host=... port=... dbname=...
# user=... password=... sslmode=require", from Secrets Manager) and runs PgBouncer.
set -eu
get() { printf '%s\n' "$PGBOUNCER_UPSTREAM" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
user=$(get user)
password=$(get password)
dbname=$(get dbname)
umask 077
printf '"%s" "%s"\n' "$user" "$password" > /tmp/userlist.txt
cat > /tmp/pgbouncer.ini <<INI
[databases]
$dbname = $PGBOUNCER_UPSTREAM
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = 6432
unix_socket_dir =
auth_type = scram-sha-256
auth_file = /tmp/userlist.txt
pool_mode = ${POOL_MODE:-transaction}
default_pool_size = ${DEFAULT_POOL_SIZE:-10}
max_client_conn = ${MAX_CLIENT_CONN:-200}
server_tls_sslmode = require
ignore_startup_parameters = extra_float_digits,options
server_reset_query =
logfile =
INI
exec pgbouncer /tmp/pgbouncer.ini
