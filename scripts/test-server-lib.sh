# Shared parts of the throw-away test mail servers (scripts/dovecot-test-server,
# scripts/mailutils-test-server): the account the server runs as, free
# loopback ports, a self-signed certificate, waiting until the ports listen.
# Sourced, not run. The sourcing script sets SERVER_NAME (for messages) first.

die() { echo "${SERVER_NAME}-test-server: $*" >&2; exit 1; }

# The account the server's processes run as: as root nobody:nogroup (servers
# refuse or drop root), else the caller.
if [[ "$(id -u)" -eq 0 ]]; then
  RUN_USER=nobody
  RUN_GROUP=nogroup
else
  RUN_USER="$(id -un)"
  RUN_GROUP="$(id -gn)"
fi
RUN_UID="$(id -u "$RUN_USER")"
RUN_GID="$(getent group "$RUN_GROUP" | cut -d: -f3)"

# free_ports N: N distinct free TCP ports on 127.0.0.1 (the kernel picks them).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# make_cert DIR: DIR/server.key and DIR/server.crt, a self-signed CA
# certificate for 127.0.0.1 and localhost, valid two days.
make_cert() {
  command -v openssl >/dev/null 2>&1 || die "openssl is not installed"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$1/server.key" -out "$1/server.crt" -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -addext "basicConstraints=critical,CA:TRUE" >/dev/null 2>&1 ||
    die "openssl could not make the test certificate"
}

# listening PORT...: true when every port accepts a connection on 127.0.0.1.
listening() {
  python3 - "$@" 2>/dev/null <<'PY'
import socket, sys
for p in sys.argv[1:]:
    socket.create_connection(("127.0.0.1", int(p)), timeout=1).close()
PY
}
