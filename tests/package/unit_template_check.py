#!/usr/bin/env python3
"""scripts/crm-router@.service and crm-router@.timer are valid systemd template
units: one configuration and one database per instance, the hardening of
crm-router.service, every 5 minutes. With systemd-analyze on the machine they
are also verified by systemd itself (instance "demo", ExecStart pointed at
CRM_ROUTER so the command exists); without it, only parsed here.
Usage: unit_template_check.py SCRIPTS_DIR [CRM_ROUTER]. Exit 0 when they are,
1 (with the reasons) if not."""
import os
import shutil
import subprocess
import sys
import tempfile


def parse(path):
    """{section: [(key, value)]} of a unit file; raises ValueError on a line
    that is neither a comment, a section header nor key=value."""
    sections, current = {}, None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                current = line[1:-1]
                sections.setdefault(current, [])
            elif "=" in line and current is not None:
                key, value = line.split("=", 1)
                sections[current].append((key.strip(), value.strip()))
            else:
                raise ValueError(f"{path}:{n}: not a unit file line: {line}")
    return sections


def values(sections, section, key):
    return [v for k, v in sections.get(section, []) if k == key]


def check_parsed(scripts):
    problems = []
    service = parse(os.path.join(scripts, "crm-router@.service"))
    timer = parse(os.path.join(scripts, "crm-router@.timer"))
    single = parse(os.path.join(scripts, "crm-router.service"))

    def want(cond, why):
        if not cond:
            problems.append(why)

    exec_start = values(service, "Service", "ExecStart")
    want(len(exec_start) == 1, f"one ExecStart, got {exec_start}")
    args = exec_start[0].split() if exec_start else []
    want(args[:1] == ["/usr/bin/crm-router"], f"ExecStart runs /usr/bin/crm-router: {args}")
    want(args[-1:] == ["run"], f"ExecStart ends in run: {args}")
    for flag, path in (("--config", "/etc/crm-router/%i.toml"), ("--db", "/var/lib/crm-router/%i/state.db")):
        want(flag in args and args.index(flag) + 1 < len(args) and args[args.index(flag) + 1] == path,
             f"ExecStart gives {flag} {path}: {args}")
    want(values(service, "Service", "StateDirectory") == ["crm-router/%i"],
         "StateDirectory=crm-router/%i (the instance's database folder)")
    want(values(service, "Service", "Type") == ["oneshot"], "Type=oneshot")
    want(values(service, "Unit", "ConditionPathExists") == ["/etc/crm-router/%i.toml"],
         "ConditionPathExists=/etc/crm-router/%i.toml")
    # Everything the single unit hardens, the template hardens the same way.
    for key, value in single.get("Service", []):
        if key in ("ExecStart", "StateDirectory", "LogsDirectory", "EnvironmentFile"):
            continue
        want(value in values(service, "Service", key), f"crm-router@.service lacks {key}={value}")
    want(values(timer, "Timer", "OnUnitActiveSec") == ["5min"], "the timer runs every 5min")
    want(values(timer, "Install", "WantedBy") == ["timers.target"], "the timer is WantedBy=timers.target")
    want("Service" not in timer, "the timer has no [Service]")
    return problems


def check_verified(scripts, binary):
    tool = shutil.which("systemd-analyze")
    if not tool:
        print("systemd-analyze not found: units parsed only")
        return []
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(scripts, "crm-router@.service"), encoding="utf-8") as f:
            text = f.read().replace("ExecStart=/usr/bin/crm-router ", f"ExecStart={binary} ")
        with open(os.path.join(tmp, "crm-router@.service"), "w", encoding="utf-8") as f:
            f.write(text)
        shutil.copy(os.path.join(scripts, "crm-router@.timer"), tmp)
        for kind in ("service", "timer"):
            os.symlink(f"crm-router@.{kind}", os.path.join(tmp, f"crm-router@demo.{kind}"))
        r = subprocess.run([tool, "verify", "--man=no", "crm-router@demo.service", "crm-router@demo.timer"],
                           cwd=tmp, capture_output=True, text=True)
        # Warnings (an unknown key, a bad value) leave the status 0: any line
        # about our units is a problem too.
        lines = [l for l in (r.stdout + r.stderr).splitlines() if "crm-router@" in l]
        print(f"systemd-analyze verify: status {r.returncode}")
        return ([f"systemd-analyze verify exited {r.returncode}"] if r.returncode else []) + lines


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    scripts = argv[1]
    binary = os.path.abspath(argv[2]) if len(argv) > 2 else "/bin/true"
    try:
        problems = check_parsed(scripts) + check_verified(scripts, binary)
    except (OSError, ValueError) as e:
        problems = [str(e)]
    for p in problems:
        print("problem:", p)
    if not problems:
        print("crm-router@.service and crm-router@.timer: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
