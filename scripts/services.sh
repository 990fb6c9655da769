#!/usr/bin/env bash
# Starts the local services the suites use when they are installed here but not running, and
# installs nats-server (the NATS suite) and Chromium (the browser suite) when they are missing and
# we may use apt.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  return 1
}

if ! port_open 3306 && [ -x /usr/sbin/mariadbd ]; then
  echo "services: starting MariaDB" >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port 3306 || echo "services: MariaDB did not come up" >&2
fi
# The NATS suite starts its own nats-server per test (own port and store folder): it needs the binary.
if ! [ -x /usr/sbin/nats-server ] && ! command -v nats-server >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
  command -v apt-get >/dev/null 2>&1; then
  echo "services: installing nats-server for the NATS suite" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null) ||
    echo "services: could not install nats-server" >&2
fi
if ! port_open 4222 && [ -x /usr/sbin/nats-server ]; then
  echo "services: starting NATS" >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_port 4222 || echo "services: NATS did not come up" >&2
fi
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "services: installing Chromium for the browser suite" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
    echo "services: could not install Chromium" >&2
fi
exit 0
