#!/bin/sh
case "$*" in
  *sidekiq*) exec /app/sidekiq 6 ;;
esac
httpd -p 3000 -h /www
httpd -p 4000 -h /www
exec sleep 2147483647
