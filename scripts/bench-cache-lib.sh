# Shared parts of the cache-scale benchmarks (scripts/bench-cache,
# scripts/bench-import --big-cache): generated CRM records, nothing stored in
# the repository. Sourced, not run.

# bench_contacts N FILE: N contacts as CSV (one address each, every 10th with a
# second).
bench_contacts() {
  python3 - "$1" "$2" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", buffering=1 << 20) as f:
    f.write("contactid,fullname,emailaddress1,emailaddress2,statecode\n")
    for i in range(n):
        second = "c%d@home.example.net" % i if i % 10 == 0 else ""
        f.write("%08x-0000-4000-8000-%012x,Contact %d,contact%d@customer%d.example.com,%s,0\n"
                % (i, i, i, i, i % 5000, second))
PY
}

# bench_emails N FILE: N tracked e-mails as JSON Lines, regarding the contacts
# above (written by hand rather than json.dumps: the text needs no escaping,
# and 5 million lines come out in a fraction of the time).
bench_emails() {
  python3 - "$1" "$2" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
line = ('{"entity": "email", "activityid": "%08x-0000-4000-9000-%012x", '
        '"messageid": "<gen-%d@crm.contoso.example>", "trackingtoken": "CRM:%07d", '
        '"subject": "Order %d shipping update", "directioncode": true, '
        '"torecipients": "contact%d@customer%d.example.com", '
        '"regardingobjectid": "%08x-0000-4000-8000-%012x", "regardingobjecttype": "contact", '
        '"modifiedon": "2026-%02d-%02dT12:00:00Z"}\n')
with open(path, "w", buffering=1 << 20) as f:
    for i in range(n):
        f.write(line % (i, i, i, 1000000 + i, i, i, i % 5000, i, i, 1 + i % 12, 1 + i % 28))
PY
}

# bench_big_cache BIN DB N WORK: a cache of N generated contacts, N tracked
# e-mails and the demo organisation (users, queues), made with BIN's own
# `cache import`; WORK is a scratch folder for the generated files.
bench_big_cache() {
  local bin="$1" db="$2" n="$3" work="$4"
  bench_contacts "$n" "$work/big-contacts.csv"
  bench_emails "$n" "$work/big-emails.jsonl"
  rm -f "$db" "$db-wal" "$db-shm"
  "$bin" --db "$db" --no-progress -q cache import --entity contact "$work/big-contacts.csv" >/dev/null
  "$bin" --db "$db" --no-progress -q cache import "$work/big-emails.jsonl" >/dev/null
  "$bin" --db "$db" --no-progress -q cache import demo/cache.jsonl >/dev/null
  rm -f "$work/big-contacts.csv" "$work/big-emails.jsonl"
}
