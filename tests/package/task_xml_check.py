#!/usr/bin/env python3
"""scripts/crm-router-task.xml is a well-formed Windows Task Scheduler task
that runs crm-router every 5 minutes, never twice at once, at most 1 hour:
the elements the Task Scheduler schema (task version 1.2) requires are there,
in its namespace, with values of the schema's types.
Usage: task_xml_check.py FILE. Exit 0 when it is, 1 (with the reason) if not."""
import re
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
EXPECTED = {
    "t:Triggers/t:TimeTrigger/t:Repetition/t:Interval": "PT5M",
    "t:Principals/t:Principal/t:LogonType": "Password",
    "t:Settings/t:MultipleInstancesPolicy": "IgnoreNew",
    "t:Settings/t:ExecutionTimeLimit": "PT1H",
    "t:Actions/t:Exec/t:Command": '"C:\\Program Files\\crm-router\\crm-router.exe"',
    "t:Actions/t:Exec/t:Arguments": "-q --config C:\\ProgramData\\crm-router\\crm-router.toml run",
}

# Elements that must exist (the schema's required ones, and those schtasks
# needs to run our command on a schedule).
REQUIRED = [
    "t:RegistrationInfo",
    "t:Triggers/t:TimeTrigger/t:StartBoundary",
    "t:Triggers/t:TimeTrigger/t:Repetition/t:Interval",
    "t:Principals/t:Principal",
    "t:Principals/t:Principal/t:UserId",
    "t:Settings",
    "t:Settings/t:MultipleInstancesPolicy",
    "t:Actions/t:Exec/t:Command",
    "t:Actions/t:Exec/t:Arguments",
]
DURATION = re.compile(r"^P(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
# The Settings children of schema 1.2 that take true/false.
BOOLEANS = ["AllowHardTerminate", "StartWhenAvailable", "RunOnlyIfNetworkAvailable",
            "AllowStartOnDemand", "Enabled", "Hidden", "RunOnlyIfIdle", "WakeToRun",
            "DisallowStartIfOnBatteries", "StopIfGoingOnBatteries"]


def schema_problems(root):
    problems = []
    if root.get("version") not in ("1.2", "1.3", "1.4"):
        problems.append(f"Task version {root.get('version')!r}: want 1.2 or later")
    for where in REQUIRED:
        if root.find(where, NS) is None:
            problems.append(f"{where}: missing")
    for where in ("t:Triggers/t:TimeTrigger/t:Repetition/t:Interval", "t:Settings/t:ExecutionTimeLimit"):
        v = root.findtext(where, namespaces=NS)
        if v is not None and not DURATION.match(v):
            problems.append(f"{where}: {v!r} is not an xs:duration")
    v = root.findtext("t:Triggers/t:TimeTrigger/t:StartBoundary", namespaces=NS)
    if v is not None and not DATETIME.match(v):
        problems.append(f"StartBoundary: {v!r} is not an xs:dateTime")
    for name in BOOLEANS:
        v = root.findtext(f"t:Settings/t:{name}", namespaces=NS)
        if v is not None and v not in ("true", "false"):
            problems.append(f"Settings/{name}: {v!r} is not true or false")
    principal = root.find("t:Principals/t:Principal", NS)
    actions = root.find("t:Actions", NS)
    if principal is not None and actions is not None and actions.get("Context") != principal.get("id"):
        problems.append("Actions Context does not name the Principal's id")
    args = (root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=NS) or "").split()
    if "run" not in args or "-q" not in args:
        problems.append(f"Exec Arguments {args}: want `run` with -q")
    return problems


def main(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"{path}: not well-formed XML: {e}")
        return 1
    if root.tag != "{%s}Task" % NS["t"]:
        print(f"{path}: root element is {root.tag}, not a Task Scheduler Task")
        return 1
    problems = schema_problems(root)
    for where, want in EXPECTED.items():
        got = root.findtext(where, namespaces=NS)
        if got != want:
            problems.append(f"{where}: expected {want!r}, found {got!r}")
    for p in problems:
        print(f"{path}: {p}")
    if not problems:
        print(f"{path}: well-formed; every 5 minutes, IgnoreNew, stopped after 1 hour")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
