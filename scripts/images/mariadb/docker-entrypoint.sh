#!/bin/bash
# The official image's entrypoint contract, reduced: initialise /var/lib/mysql once with
# MARIADB_ROOT_PASSWORD, create MARIADB_DATABASE and MARIADB_USER, then run mariadbd.
set -euo pipefail
if [ "$1" = mariadbd ] && [ "$(id -u)" = 0 ]; then
  find /var/lib/mysql /run/mysqld \! -user mysql -exec chown mysql:mysql '{}' +
  exec setpriv --reuid=mysql --regid=mysql --init-groups "$0" "$@"
fi
if [ "$1" = mariadbd ] && [ ! -d /var/lib/mysql/mysql ]; then
  : "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD must be set}"
  mariadb-install-db --datadir=/var/lib/mysql --skip-test-db --auth-root-authentication-method=normal >/dev/null
  mariadbd --skip-networking --socket=/run/mysqld/init.sock &
  for _ in $(seq 1 60); do mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break; sleep 0.5; done
  sql() { printf '%s' "$1" | mariadb --socket=/run/mysqld/init.sock -uroot; }
  esc() { printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g"; }
  sql "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(esc "$MARIADB_ROOT_PASSWORD")'; FLUSH PRIVILEGES;"
  auth=(--socket=/run/mysqld/init.sock -uroot "-p$MARIADB_ROOT_PASSWORD")
  if [ -n "${MARIADB_DATABASE:-}" ]; then printf 'CREATE DATABASE IF NOT EXISTS `%s`;' "$MARIADB_DATABASE" | mariadb "${auth[@]}"; fi
  if [ -n "${MARIADB_USER:-}" ]; then
    printf "CREATE USER '%s'@'%%' IDENTIFIED BY '%s';" "$MARIADB_USER" "$(esc "${MARIADB_PASSWORD:?MARIADB_PASSWORD must be set}")" | mariadb "${auth[@]}"
    if [ -n "${MARIADB_DATABASE:-}" ]; then printf "GRANT ALL ON \`%s\`.* TO '%s'@'%%';" "$MARIADB_DATABASE" "$MARIADB_USER" | mariadb "${auth[@]}"; fi
  fi
  mariadb-admin "${auth[@]}" shutdown
  wait || true
  echo "MariaDB init process done. Ready for start up."
fi
exec "$@"
