#!/usr/bin/python3
"""Parses an iCalendar file with a real iCalendar library (Debian's python3-icalendar) and
prints what the tests check, as JSON: the calendar's properties and, per VEVENT, its UID,
SEQUENCE, STATUS, SUMMARY and start/end in UTC computed twice: by the library (through the
TZID) and through the file's own VTIMEZONE (so a wrong VTIMEZONE is caught too).

Usage: ical_check.py FILE   (exit 1 with a message when the file does not parse)
"""
import json
import sys
from datetime import timezone

import icalendar


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    cal = icalendar.Calendar.from_ical(data)
    zones = {}
    for tz in cal.walk("VTIMEZONE"):
        zones[str(tz["TZID"])] = tz.to_tz()
    out = {
        "version": str(cal.get("VERSION")),
        "prodid": str(cal.get("PRODID")),
        "method": str(cal.get("METHOD")),
        "calscale": str(cal.get("CALSCALE")),
        "timezones": sorted(zones),
        "events": [],
    }

    def utc(dt):
        return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def via_vtimezone(prop):
        tzid = prop.params.get("TZID")
        naive = prop.dt.replace(tzinfo=None)
        return utc(zones[tzid].localize(naive))

    for ev in cal.walk("VEVENT"):
        out["events"].append({
            "uid": str(ev["UID"]),
            "sequence": int(ev.get("SEQUENCE", 0)),
            "status": str(ev.get("STATUS", "")),
            "summary": str(ev.get("SUMMARY", "")),
            "description": str(ev.get("DESCRIPTION", "")),
            "location": str(ev.get("LOCATION", "")),
            "start_utc": utc(ev.decoded("DTSTART")),
            "end_utc": utc(ev.decoded("DTEND")),
            "start_utc_vtimezone": via_vtimezone(ev["DTSTART"]),
            "end_utc_vtimezone": via_vtimezone(ev["DTEND"]),
        })
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # the test prints this
        print("ical_check: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
