#!/usr/bin/env python3
"""scripts/crm-router-task.xml is a well-formed Windows Task Scheduler task
that runs crm-router every 5 minutes, never twice at once, at most 1 hour.
Usage: task_xml_check.py FILE. Exit 0 when it is, 1 (with the reason) if not."""
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


def main(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"{path}: not well-formed XML: {e}")
        return 1
    if root.tag != "{%s}Task" % NS["t"]:
        print(f"{path}: root element is {root.tag}, not a Task Scheduler Task")
        return 1
    problems = []
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
