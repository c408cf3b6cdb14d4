#!/usr/bin/env python3
"""Check an aircraft.json against readsb's documented format.

usage: tools/check_aircraft_json.py [--require FIELD,...] [--min-aircraft N] SOURCE

SOURCE is an http:// URL (e.g. http://127.0.0.1:8080/data/aircraft.json, as
`cairn run` serves it), a file, or "-" for standard input.

The rules are readsb's README-json.md ("aircraft.json"): the top-level keys
"now" (seconds since the epoch), "messages" (a total), "aircraft" (an
array); per aircraft, keys omitted when unknown, each with its documented
type, unit and range -- hex six hex digits (with "~" for a non-ICAO
address), alt_baro feet or "ground", gs knots, track degrees 0-360,
baro_rate feet/minute, squawk four octal digits, seen/seen_pos seconds,
rssi dBFS (negative), and so on. A key the document does not name is an
error: a front end would ignore it, and a typo would hide a missing field.

Units are checked by range where a wrong unit would show: "now" in ms
instead of s, seen in ms, a vertical rate in m/s, a speed in m/s would all
be caught only where the value leaves the range; the ranges are the widest
physical ones (an SR-71's 2,000 kt and 85,000 ft are inside them).

--require FIELD,... : each named key must appear in at least one aircraft
(a centre with ADS-B traffic should show hex, flight, alt_baro, lat...).
--min-aircraft N : at least N aircraft.

Exit status: 0 when the document passes, 1 with one line per problem on
standard error, 2 when it cannot be read or is not JSON.
"""
import argparse
import json
import math
import re
import sys
import time
import urllib.request

TYPES = {
    "adsb_icao", "adsb_icao_nt", "adsr_icao", "tisb_icao", "adsc", "mlat",
    "other", "mode_s", "adsb_other", "adsr_other", "tisb_other",
    "tisb_trackfile",
}
EMERGENCIES = {"none", "general", "lifeguard", "minfuel", "nordo",
               "unlawful", "downed", "reserved"}
NAV_MODES = {"autopilot", "vnav", "althold", "approach", "lnav", "tcas"}
SIL_TYPES = {"unknown", "perhour", "persample"}
FIELDS_DERIVED = {"lat", "lon", "alt_baro", "alt_geom", "gs", "track",
                  "baro_rate", "geom_rate", "callsign", "flight", "squawk",
                  "nic", "rc", "nac_p", "nac_v", "sil", "sil_type", "gva",
                  "sda", "nic_baro", "ias", "tas", "mach", "true_heading",
                  "mag_heading", "roll", "track_rate", "emergency",
                  "category", "nav_qnh", "nav_altitude_mcp",
                  "nav_altitude_fms", "nav_heading", "nav_modes", "version",
                  "alert", "spi", "type"}


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and \
        math.isfinite(v)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def rng(lo, hi, integer=False):
    def check(v):
        if integer and not is_int(v):
            return "an integer from %s to %s" % (lo, hi)
        if not is_num(v) or v < lo or v > hi:
            return "a number from %s to %s" % (lo, hi)
        return None
    return check


def one_of(values):
    def check(v):
        if v not in values:
            return "one of " + ", ".join(sorted(values))
        return None
    return check


def pattern(rx, what):
    r = re.compile(rx)

    def check(v):
        if not isinstance(v, str) or not r.fullmatch(v):
            return what
        return None
    return check


def alt_baro(v):
    if v == "ground":
        return None
    return rng(-2000, 100000, integer=True)(v) and \
        'feet, an integer from -2000 to 100000, or "ground"'


def str_list(allowed):
    def check(v):
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            return "an array of strings"
        if allowed is not None and not set(v) <= allowed:
            return "an array of " + ", ".join(sorted(allowed))
        return None
    return check


def flight(v):
    # 8 characters of the ICAO/DO-260B character set, padded with spaces
    if not isinstance(v, str) or len(v) > 8 or \
            not re.fullmatch(r"[A-Z0-9 @]*", v):
        return "at most 8 characters of A-Z, 0-9, space"
    return None


def obj_check(fields):
    def check(v):
        if not isinstance(v, dict):
            return "an object"
        for k, c in fields.items():
            if k in v and c(v[k]):
                return "an object whose %s is %s" % (k, c(v[k]))
        return None
    return check


# key -> check (a function returning None or what the value should be)
AIRCRAFT = {
    "hex": pattern(r"~?[0-9a-f]{6}", 'six lower-case hex digits, "~" first for non-ICAO'),
    "type": one_of(TYPES),
    "flight": flight,
    "alt_baro": alt_baro,
    "alt_geom": rng(-2000, 100000, integer=True),
    "gs": rng(0, 4000),             # knots (m/s would also pass: see mach/tas)
    "ias": rng(0, 1500),
    "tas": rng(0, 2500),
    "mach": rng(0, 5),
    "track": rng(0, 360),
    "track_rate": rng(-50, 50),
    "roll": rng(-90, 90),
    "mag_heading": rng(0, 360),
    "true_heading": rng(0, 360),
    "baro_rate": rng(-40000, 40000),  # ft/min
    "geom_rate": rng(-40000, 40000),
    "squawk": pattern(r"[0-7]{4}", "four octal digits as a string"),
    "emergency": one_of(EMERGENCIES),
    "category": pattern(r"[A-D][0-7]", "A0 to D7"),
    "nav_qnh": rng(800, 1100),
    "nav_altitude_mcp": rng(-2000, 100000),
    "nav_altitude_fms": rng(-2000, 100000),
    "nav_heading": rng(0, 360),
    "nav_modes": str_list(NAV_MODES),
    "lat": rng(-90, 90),
    "lon": rng(-180, 180),
    "nic": rng(0, 11, integer=True),
    "rc": rng(0, 1e6),
    "seen_pos": rng(0, 86400),      # seconds (readsb drops a position after 60 s)
    "version": rng(0, 7, integer=True),
    "nic_baro": rng(0, 1, integer=True),
    "nac_p": rng(0, 11, integer=True),
    "nac_v": rng(0, 4, integer=True),
    "sil": rng(0, 3, integer=True),
    "sil_type": one_of(SIL_TYPES),
    "gva": rng(0, 3, integer=True),
    "sda": rng(0, 3, integer=True),
    "mlat": str_list(FIELDS_DERIVED),
    "tisb": str_list(FIELDS_DERIVED),
    "messages": rng(0, 2**53, integer=True),
    "seen": rng(0, 86400),
    "rssi": rng(-100, 0),           # dBFS, always negative
    "alert": rng(0, 1, integer=True),
    "spi": rng(0, 1, integer=True),
    "wd": rng(0, 360),
    "ws": rng(0, 500),
    "oat": rng(-100, 60),
    "tat": rng(-100, 200),
    "acas_ra": lambda v: None if isinstance(v, dict) else "an object",
    "gpsOkBefore": rng(0, 1e11),
    "r": lambda v: None if isinstance(v, str) else "a string",
    "t": lambda v: None if isinstance(v, str) else "a string",
    "desc": lambda v: None if isinstance(v, str) else "a string",
    "dbFlags": rng(0, 2**31, integer=True),
    "lastPosition": obj_check({"lat": rng(-90, 90), "lon": rng(-180, 180),
                               "nic": rng(0, 11, integer=True),
                               "rc": rng(0, 1e6), "seen_pos": rng(0, 1e7)}),
    "rr_lat": rng(-90, 90),
    "rr_lon": rng(-180, 180),
}


def load(source):
    if source == "-":
        return sys.stdin.read()
    if source.startswith("http://") or source.startswith("https://"):
        with urllib.request.urlopen(source, timeout=10) as r:
            if r.status != 200:
                raise OSError("HTTP %d" % r.status)
            return r.read().decode("utf-8")
    with open(source, encoding="utf-8") as f:
        return f.read()


def check(doc, require, min_aircraft):
    problems = []
    if not isinstance(doc, dict):
        return ["the document is not a JSON object"]
    for k in doc:
        if k not in ("now", "messages", "aircraft"):
            problems.append("top level: key %r is not in readsb's aircraft.json" % k)
    now = doc.get("now")
    # seconds since the epoch: between 2000 and 2100 (ms would be 1000x)
    if not is_num(now) or not 946684800 <= now <= 4102444800:
        problems.append("top level: now is %r, not seconds since the epoch" % (now,))
    elif abs(now - time.time()) > 366 * 86400:
        pass  # a replay's clock: allowed, the format says "generated"
    if not is_int(doc.get("messages")) or doc["messages"] < 0:
        problems.append("top level: messages is %r, not a count" % (doc.get("messages"),))
    ac = doc.get("aircraft")
    if not isinstance(ac, list):
        problems.append("top level: aircraft is not an array")
        return problems
    if len(ac) < min_aircraft:
        problems.append("%d aircraft, fewer than %d" % (len(ac), min_aircraft))
    seen_keys = set()
    hexes = set()
    for i, a in enumerate(ac):
        if not isinstance(a, dict):
            problems.append("aircraft[%d] is not an object" % i)
            continue
        who = "aircraft[%d] %s" % (i, a.get("hex", "(no hex)"))
        if "hex" not in a:
            problems.append("%s: no hex" % who)
        elif a["hex"] in hexes:
            problems.append("%s: hex given twice" % who)
        hexes.add(a.get("hex"))
        for k, v in a.items():
            seen_keys.add(k)
            c = AIRCRAFT.get(k)
            if c is None:
                problems.append("%s: key %r is not in readsb's README-json.md" % (who, k))
                continue
            why = c(v)
            if why:
                problems.append("%s: %s is %r, should be %s" % (who, k, v, why))
        if ("lat" in a) != ("lon" in a):
            problems.append("%s: lat and lon come together" % who)
        if "lat" in a and "seen_pos" not in a:
            problems.append("%s: a position without seen_pos" % who)
        if is_num(a.get("seen_pos")) and is_num(a.get("seen")) and \
                a["seen_pos"] + 0.05 < a["seen"]:
            problems.append("%s: seen_pos %s is newer than seen %s" %
                            (who, a["seen_pos"], a["seen"]))
        if a.get("hex", "").startswith("~") and \
                a.get("type") in ("adsb_icao", "adsb_icao_nt", "adsr_icao", "tisb_icao"):
            problems.append("%s: a non-ICAO address with an ICAO type" % who)
    for k in require:
        if k not in seen_keys:
            problems.append("no aircraft has %s" % k)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source")
    ap.add_argument("--require", default="",
                    help="comma-separated keys that some aircraft must have")
    ap.add_argument("--min-aircraft", type=int, default=0)
    args = ap.parse_args()
    try:
        doc = json.loads(load(args.source))
    except (OSError, ValueError) as e:
        print("cannot read %s: %s" % (args.source, e), file=sys.stderr)
        return 2
    require = [k for k in args.require.split(",") if k]
    problems = check(doc, require, args.min_aircraft)
    for p in problems:
        print(p, file=sys.stderr)
    n = len(doc.get("aircraft", [])) if isinstance(doc, dict) and \
        isinstance(doc.get("aircraft"), list) else 0
    if problems:
        print("aircraft.json: %d problem(s) in %d aircraft" % (len(problems), n),
              file=sys.stderr)
        return 1
    print("aircraft.json: %d aircraft, readsb's fields and units" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
