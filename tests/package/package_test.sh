#!/usr/bin/env bash
# The Debian package, end to end: cpack builds it from a built tree, `dpkg -x`
# unpacks it into a throw-away root (nothing is installed on this system), and
# the test checks its file list, that its Depends names the runtime libraries
# (and no -dev package), and that the unpacked binary runs the demo.
#   package_test.sh BUILD_DIR SOURCE_DIR
# Exit status: 0 passed; 1 failed; 77 skipped (no dpkg-deb / dpkg-shlibdeps:
# not a Debian system, or dpkg-dev missing; scripts/package installs it).
set -euo pipefail

build_dir="$(readlink -f "${1:?usage: package_test.sh BUILD_DIR SOURCE_DIR}")"
source_dir="$(readlink -f "${2:?usage: package_test.sh BUILD_DIR SOURCE_DIR}")"

for tool in dpkg-deb dpkg-shlibdeps cpack; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "package_test: SKIPPED: $tool not found (scripts/setup-deps dpkg-dev)" >&2
    exit 77
  fi
done

fails=0
check() {  # check DESCRIPTION COMMAND...: runs COMMAND, counts a failure
  local what="$1"
  shift
  if "$@"; then echo "ok:   $what"; else echo "FAIL: $what" >&2; fails=$((fails + 1)); fi
}

tmp="$(mktemp -d -t crmr-package-test.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

# --- build the package (its own output folder: parallel runs do not collide)
(cd "$build_dir" && cpack --config CPackConfig.cmake -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1) || {
  cat "$tmp/cpack.log" >&2
  echo "FAIL: cpack" >&2
  exit 1
}
debs=("$tmp"/out/*.deb)
[[ -f "${debs[0]}" && ${#debs[@]} -eq 1 ]] || { echo "FAIL: expected one .deb, got: ${debs[*]}" >&2; exit 1; }
deb="${debs[0]}"
echo "package: $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# --- control data
info="$(dpkg-deb -I "$deb")"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
check "Package is crm-router" test "$(dpkg-deb -f "$deb" Package)" = crm-router
check "Section is mail" test "$(dpkg-deb -f "$deb" Section)" = mail
check "Maintainer is set" test -n "$(dpkg-deb -f "$deb" Maintainer)"
check "Version is the project's" grep -q '^ Version: [0-9]\+\.[0-9]\+\.[0-9]\+' <<<"$info"
for lib in libc6 libcurl libsqlite3 zlib1g libstdc++6 adduser; do
  check "Depends lists $lib" grep -q "\\b$lib" <<<"$depends"
done
check "Depends lists no -dev package" bash -c '! grep -q -- "-dev\b" <<<"$1"' _ "$depends"
check "postinst is there and executable" grep -Eq "\*[[:space:]]+postinst" <<<"$info"

# --- file list
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$tmp/files"
for f in /usr/bin/crm-router \
         /usr/share/man/man1/crm-router.1 \
         /usr/share/man/man5/crm-router.conf.5 \
         /usr/share/doc/crm-router/examples/crm-router.toml.sample \
         /usr/share/doc/crm-router/examples/cron.example \
         /usr/share/doc/crm-router/examples/crm-router-task.xml \
         /usr/lib/systemd/system/crm-router.service \
         /usr/lib/systemd/system/crm-router.timer \
         /usr/lib/systemd/system/crm-router@.service \
         /usr/lib/systemd/system/crm-router@.timer; do
  check "ships $f" grep -qxF "$f" "$tmp/files"
done
check "ships nothing outside /usr" bash -c '! grep -v "^/$\|^/usr\(/\|$\)" "$1"' _ "$tmp/files"

# --- unpacked into a throw-away root: the units and the binary
root="$tmp/root"
mkdir -p "$root"
dpkg -x "$deb" "$root"
check "the unit runs /usr/bin/crm-router" \
  grep -qx 'ExecStart=/usr/bin/crm-router -q --config /etc/crm-router/crm-router.toml run' \
  "$root/usr/lib/systemd/system/crm-router.service"
check "the template unit runs /usr/bin/crm-router per instance" \
  grep -qx 'ExecStart=/usr/bin/crm-router -q --config /etc/crm-router/%i.toml --db /var/lib/crm-router/%i/state.db run' \
  "$root/usr/lib/systemd/system/crm-router@.service"
bin="$root/usr/bin/crm-router"
check "the binary is stripped" bash -c '! file "$1" 2>/dev/null | grep -q "not stripped"' _ "$bin"
version="$("$bin" --version)"
check "crm-router --version prints '$version'" grep -q '^crm-router [0-9]' <<<"$version"

db="$tmp/demo.db"
check "cache import demo/cache.jsonl" \
  "$bin" --config /dev/null --db "$db" -q cache import "$source_dir/demo/cache.jsonl"
rc=0
"$bin" --config /dev/null --db "$db" --no-progress import "$source_dir/demo/demo.mbox" \
  >"$tmp/import.out" 2>"$tmp/import.err" || rc=$?
cat "$tmp/import.out"
check "import of the demo exits 1 (message 32 is quarantined on purpose), got $rc" test "$rc" -eq 1
check "the summary counts 35 messages" grep -q '35 messages' "$tmp/import.out"

if ((fails > 0)); then
  echo "package_test: $fails check(s) failed" >&2
  exit 1
fi
echo "package_test: all checks passed"
