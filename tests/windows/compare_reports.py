#!/usr/bin/env python3
"""The Windows build decides as the Linux build does: compares two JSON
reports (crm-router --report FILE.json) of the same input, message by message.
Every field of every message must be equal, but "source", whose path is
spelled differently on each platform (only its file name is compared); the
run's totals must be equal too.
Usage: compare_reports.py LINUX.json WINDOWS.json
Exit 0 when they agree; 1 with the first differences listed."""
import json
import ntpath
import posixpath
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def base(source):
    # "mbox:/tmp/x/demo.mbox.gz" or "mbox:C:\\...\\demo.mbox.gz"
    return ntpath.basename(posixpath.basename(source))


def main(linux_path, windows_path):
    linux, windows = load(linux_path), load(windows_path)
    problems = []
    lm, wm = linux.get("messages", []), windows.get("messages", [])
    if len(lm) != len(wm):
        problems.append(f"{len(lm)} messages on Linux, {len(wm)} on Windows")
    for i, (a, b) in enumerate(zip(lm, wm)):
        a, b = dict(a), dict(b)
        sa, sb = base(a.pop("source", "")), base(b.pop("source", ""))
        if sa != sb:
            problems.append(f"message {i + 1}: source {sa!r} != {sb!r}")
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                problems.append(f"message {i + 1} ({a.get('message_id')}): {key}: "
                                f"Linux {a.get(key)!r}, Windows {b.get(key)!r}")
    lt, wt = linux.get("run", {}).get("totals"), windows.get("run", {}).get("totals")
    if lt != wt:
        problems.append(f"totals: Linux {lt}, Windows {wt}")
    for p in problems[:40]:
        print(p)
    if problems:
        print(f"compare_reports: {len(problems)} differences")
        return 1
    print(f"compare_reports: {len(lm)} messages, every decision the same; totals {lt}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
