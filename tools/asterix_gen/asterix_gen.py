#!/usr/bin/env python3
"""asterix_gen.py — generate cairn's ASTERIX C tables from asterix-specs.

Input: the machine-readable category specifications of
zoranbosnjak/asterix-specs (BSD-3-Clause), one `.ast` text file per category
and edition (`catNNN_cat-X.Y.ast`) plus the Reserved Expansion specs
(`catNNN_ref-X.Y.ast`). Output: one C file per category,
src/decode/asterix/tables_catNNN.c, and the index src/decode/asterix/tables_index.c,
filling the descriptor tree of asterix.h (struct ax_node / struct ax_category).

The .ast grammar, as read from the files (indentation-based, 4 spaces):

    asterix NNN "title" | ref NNN "title"
    edition X.Y
    date YYYY-MM-DD
    preamble / definition / remark / description   <indented free text>
    items
        ID "title"
            definition ...
            <variation>
            remark ...
    uap
        ID | -

    <variation> :=  element BITS <content>
                 |  group <subitem>*
                 |  extended <subitem | "-">*      ("-" = the FX bit)
                 |  repetitive 1 | repetitive fx   <variation>
                 |  explicit re | explicit sp
                 |  compound [N] <subitem | "-">*  ("-" = unused slot)
    <subitem>   :=  NAME "title" [description ...] <variation>  |  spare BITS
    <content>   :=  raw | table <lines> | string icao|ascii|octal
                 |  unsigned|signed integer [constraints]
                 |  unsigned|signed quantity LSB "unit" [constraints]
                 |  bds [NN]

A ref file holds one compound: the content of the category's RE item.

Hand-made tables for categories asterix-specs lacks here (CAT001 1.2, CAT002
1.0) are kept in the same format in tools/asterix_gen/handmade/; they may use
one extension, `uaps ITEM/FIELD` with two named UAPs (CAT001 plot/track).

Usage (from the repository root):
    python3 tools/asterix_gen/asterix_gen.py ../shared/data/asterix/asterix-specs \
        tools/asterix_gen/handmade src/decode/asterix
"""

import glob
import os
import re
import sys

TEXT_BLOCKS = {"definition", "remark", "description", "preamble", "note"}


class Line:
    def __init__(self, indent, text, lineno):
        self.indent = indent
        self.text = text
        self.lineno = lineno
        self.kids = []


def parse_tree(path):
    """Lines as a tree by indentation; blank lines dropped."""
    root = Line(-1, "", 0)
    stack = [root]
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            s = raw.rstrip("\n").rstrip()
            if not s.strip():
                continue
            ind = len(s) - len(s.lstrip(" "))
            ln = Line(ind, s.strip(), n)
            while stack[-1].indent >= ind:
                stack.pop()
            stack[-1].kids.append(ln)
            stack.append(ln)
    return root


def lsb_value(expr):
    """'180/2^25' -> float; forms: A, A/B, A/B^C, A^B/C ..."""
    def term(t):
        if "^" in t:
            b, e = t.split("^")
            return float(int(b) ** int(e))
        return float(t)
    parts = expr.split("/")
    v = term(parts[0])
    for p in parts[1:]:
        v /= term(p)
    return v


class Node:
    def __init__(self, kind, name=None, title="", bits=0, enc="RAW", unit=None, lsb=0.0,
                 rep_bytes=0, bds=0, sub=None, dep=None, sel=0, range="0", rmin=0.0,
                 rmax=0.0):
        self.kind, self.name, self.title, self.bits = kind, name, title, bits
        self.enc, self.unit, self.lsb = enc, unit, lsb
        self.rep_bytes, self.bds = rep_bytes, bds
        self.sub = sub or []
        self.dep, self.sel = dep, sel
        self.range, self.rmin, self.rmax = range, rmin, rmax


NAME_RE = re.compile(r'^(\S+)\s+"(.*)"$')


def fail(ln, msg):
    raise SystemExit("%s at line %d: %r" % (msg, ln.lineno, ln.text))


def parse_content(ln, bits):
    """The line under `element BITS`."""
    w = ln.text.split()
    if w[0] == "raw":
        return dict(enc="RAW")
    if w[0] == "table":
        return dict(enc="TABLE")
    if w[0] == "string":
        return dict(enc={"icao": "ICAO6", "ascii": "ASCII", "octal": "OCTAL"}[w[1]])
    if w[0] == "case":
        alts = []
        for k in ln.kids:
            sel = 0xFFFF if k.text == "default:" else int(k.text.rstrip(":"))
            c = parse_content(k.kids[0], bits)
            n = Node("ELEMENT", bits=bits, **c)
            n.sel = sel
            alts.append(n)
        return dict(enc="CASE", dep=w[1], sub=alts)
    if w[0] == "bds":
        return dict(enc="BDS", bds=int(w[1], 16) if len(w) > 1 else 0)
    if w[0] in ("unsigned", "signed") and w[1] == "integer":
        d = dict(enc="UINT" if w[0] == "unsigned" else "SINT")
        d.update(parse_range(ln.text.split(None, 2)[2] if len(w) > 2 else ""))
        return d
    if w[0] in ("unsigned", "signed") and w[1] == "quantity":
        m = re.match(r'^(unsigned|signed) quantity (\S+) "([^"]*)"(.*)$', ln.text)
        if not m:
            fail(ln, "bad quantity")
        d = dict(enc="UQUANT" if w[0] == "unsigned" else "SQUANT",
                 lsb=lsb_value(m.group(2)), unit=m.group(3))
        d.update(parse_range(m.group(4)))
        return d
    fail(ln, "unknown element content")


RANGE_FLAGS = {">=": ("MIN", "lo"), ">": ("MIN_EXCL", "lo"), "<=": ("MAX", "hi"), "<": ("MAX_EXCL", "hi")}


def parse_range(text):
    """'>= -90 <= 90' -> flags and bounds (values in the element's unit)."""
    flags, lo, hi = [], 0.0, 0.0
    w = text.split()
    for i in range(0, len(w) - 1, 2):
        if w[i] not in RANGE_FLAGS:
            raise SystemExit("bad range %r" % text)
        flag, side = RANGE_FLAGS[w[i]]
        v = lsb_value(w[i + 1]) if not w[i + 1].startswith("-") else -lsb_value(w[i + 1][1:])
        flags.append("AX_RANGE_" + flag)
        if side == "lo":
            lo = v
        else:
            hi = v
    return dict(range="|".join(flags) if flags else "0", rmin=lo, rmax=hi)


def variation_line(kids):
    """The first child that is a variation (skipping text blocks)."""
    for k in kids:
        head = k.text.split()[0]
        if head in TEXT_BLOCKS:
            continue
        return k
    return None


def parse_variation(ln, ref=None):
    w = ln.text.split()
    head = w[0]
    if head == "element":
        bits = int(w[1])
        content = parse_content(ln.kids[0], bits) if ln.kids else dict(enc="RAW")
        return Node("ELEMENT", bits=bits, **content)
    if head in ("group", "extended", "compound"):
        sub = []
        for k in ln.kids:
            kw = k.text.split()
            if k.text == "-":
                sub.append(Node("FX" if head == "extended" else "ABSENT", bits=1 if head == "extended" else 0))
            elif kw[0] == "spare":
                sub.append(Node("SPARE", bits=int(kw[1])))
            elif kw[0] in TEXT_BLOCKS:
                continue
            else:
                m = NAME_RE.match(k.text)
                if not m:
                    fail(k, "bad subitem")
                v = variation_line(k.kids)
                if v is None:
                    fail(k, "subitem without variation")
                n = parse_variation(v, ref)
                name_node(n, m.group(1), m.group(2))
                sub.append(n)
        kind = {"group": "GROUP", "extended": "EXTENDED", "compound": "COMPOUND"}[head]
        node = Node(kind, sub=sub)
        if kind == "GROUP":
            node.bits = sum(group_bits(s) for s in sub)
        return node
    if head == "repetitive":
        v = variation_line(ln.kids)
        child = parse_variation(v, ref)
        rb = 0 if w[1] == "fx" else int(w[1])
        return Node("REPETITIVE", rep_bytes=rb, sub=[child])
    if head == "explicit":
        n = Node("EXPLICIT")
        if len(w) > 1 and w[1] == "re" and ref is not None:
            n.sub = [ref]
        return n
    fail(ln, "unknown variation")


def name_node(n, name, title):
    """Name a node; the alternatives of a case element carry its name.
    Names become JSON keys unescaped (src/decode/asterix/json.c): letters,
    digits and '_' only."""
    if not re.match(r"^[A-Za-z0-9_]+$", name):
        raise SystemExit("name %r is not a plain token" % name)
    n.name, n.title = name, title
    if n.enc == "CASE":
        for a in n.sub:
            a.name, a.title = name, title


def group_bits(n):
    if n.kind in ("ELEMENT", "SPARE", "FX"):
        return n.bits
    if n.kind == "GROUP":
        return n.bits
    raise SystemExit("variable-size node inside a group: %s" % n.name)


def parse_spec(path, ref=None):
    root = parse_tree(path)
    info = {"items": [], "uap": [], "file": os.path.basename(path)}
    for ln in root.kids:
        w = ln.text.split(None, 2)
        if w[0] in ("asterix", "ref"):
            info["kind"] = w[0]
            info["cat"] = int(w[1])
            info["title"] = w[2].strip('"') if len(w) > 2 else ""
        elif w[0] == "edition":
            info["edition"] = w[1]
        elif w[0] == "items":
            for it in ln.kids:
                m = NAME_RE.match(it.text)
                if not m:
                    fail(it, "bad item")
                v = variation_line(it.kids)
                node = parse_variation(v, ref)
                name_node(node, m.group(1), m.group(2))
                info["items"].append(node)
        elif w[0] == "uap":
            info["uap"] = [k.text for k in ln.kids]
        elif w[0] == "uaps":
            # cairn extension for hand-made tables: `uaps ITEM/FIELD` then two
            # named UAPs, the first for FIELD = 0, the second for FIELD = 1.
            info["uap_sel"] = w[1]
            info["uap"] = [k.text for k in ln.kids[0].kids]
            info["uap_alt"] = [k.text for k in ln.kids[1].kids]
        elif w[0] == "compound" and info.get("kind") == "ref":
            info["compound"] = parse_variation(ln, None)
    return info


def cstr(s):
    if s is None:
        return "NULL"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Emitter:
    def __init__(self, prefix):
        self.prefix = prefix
        self.out = []
        self.arrays = {}  # body text -> array name (deduplication)
        self.n = 0

    def node_init(self, n):
        sub = "NULL"
        if n.sub:
            sub = self.array(n.sub)
        lsb = repr(float(n.lsb)) if n.lsb else "0"
        rng = ", 0, 0, 0"
        if n.range != "0":
            rng = ", %s, %r, %r" % (n.range, float(n.rmin), float(n.rmax))
        return ("{AX_%s, AX_ENC_%s, %d, 0x%02x, %d, %d, %d, %s, %s, %s, %s, %s, %s%s}" %
                (n.kind, n.enc, n.rep_bytes, n.bds, n.bits, len(n.sub), n.sel, cstr(n.name),
                 cstr(n.title), cstr(n.unit), lsb, cstr(n.dep), sub, rng))

    def array(self, nodes, name=None, static=True):
        body = ",\n    ".join(self.node_init(c) for c in nodes)
        if name is None and body in self.arrays:
            return self.arrays[body]
        if name is None:
            name = "%s_n%d" % (self.prefix, self.n)
            self.n += 1
            self.arrays[body] = name
        self.out.append("%sconst struct ax_node %s[%d] = {\n    %s,\n};\n" %
                        ("static " if static else "", name, len(nodes), body))
        return name


def c_ident(cat, ed):
    return "cat%03d_%s" % (cat, ed.replace(".", "_"))


def generate(spec_dirs, out_dir):
    files = sorted(f for d in spec_dirs for f in glob.glob(os.path.join(d, "cat*_*.ast")))
    refs = {}
    for f in files:
        if "_ref-" in f:
            info = parse_spec(f)
            refs[info["cat"]] = info
    cats = {}
    for f in files:
        if "_cat-" not in f:
            continue
        cat = int(os.path.basename(f)[3:6])
        # A ref spec expands the RE of the editions it was written for: the
        # asterix-specs ones, not the hand-made older editions.
        ref = refs.get(cat) if os.path.basename(os.path.dirname(os.path.abspath(f))) != "handmade" else None
        refnode = None
        if ref:
            refnode = ref["compound"]
            refnode.name, refnode.title = None, "Reserved Expansion Field (" + ref["file"] + ")"
        info = parse_spec(f, refnode)
        if ref:
            info["ref_file"] = ref["file"]
        cats.setdefault(cat, []).append(info)

    index = []
    for cat, eds in sorted(cats.items()):
        em = Emitter("c%03d" % cat)
        defs = []
        for info in sorted(eds, key=lambda i: [int(x) for x in i["edition"].split(".")]):
            ident = c_ident(cat, info["edition"])
            items_name = ident + "_items"
            em.array(info["items"], items_name)
            pos = {it.name: i for i, it in enumerate(info["items"])}
            def uap_refs(lst):
                return ["NULL" if u == "-" else "&%s[%d]" % (items_name, pos[u]) for u in lst]
            uap = uap_refs(info["uap"])
            alt = "NULL, 0, 0, 0"
            alt_def = ""
            if "uap_alt" in info:
                item_id, field = info["uap_sel"].split("/")
                sel_frn = info["uap"].index(item_id) + 1
                assert info["uap_alt"][:sel_frn] == info["uap"][:sel_frn], "selector FRNs differ"
                sel_bit = 0
                for sub in info["items"][pos[item_id]].sub:
                    if sub.name == field:
                        break
                    sel_bit += sub.bits
                alt_refs = uap_refs(info["uap_alt"])
                alt_def = ("static const struct ax_node *const %s_uap_alt[%d] = {\n    %s,\n};\n\n"
                           % (ident, len(alt_refs), ",\n    ".join(alt_refs)))
                alt = "%s_uap_alt, %d, %d, %d" % (ident, len(alt_refs), sel_frn, sel_bit)
            src = info["file"] + (" + " + info["ref_file"] if "ref_file" in info else "")
            major, minor = info["edition"].split(".")
            defs.append(
                alt_def +
                "static const struct ax_node *const %s_uap[%d] = {\n    %s,\n};\n\n"
                "const struct ax_category ax_tab_%s = {\n"
                "    %d, AX_ED(%s, %s), %s, %s,\n    %s,\n    %s, %d, %d, %s_uap,\n    %s,\n};\n"
                % (ident, len(uap), ",\n    ".join(uap), ident, cat, major, minor,
                   cstr(info["edition"]), cstr(info["title"]), cstr(src), items_name,
                   len(info["items"]), len(uap), ident, alt))
            index.append(ident)
        path = os.path.join(out_dir, "tables_cat%03d.c" % cat)
        with open(path, "w", encoding="utf-8") as f:
            f.write(HEADER % {"what": "CAT%03d" % cat,
                              "files": ", ".join(sorted(i["file"] for i in eds)
                                                 + ([refs[cat]["file"]] if cat in refs else []))})
            f.write('#include "decode/asterix/tables.h"\n\n')
            f.write("\n".join(em.out))
            f.write("\n")
            f.write("\n".join(defs))
    with open(os.path.join(out_dir, "tables_index.c"), "w", encoding="utf-8") as f:
        f.write(HEADER % {"what": "the index of all tables", "files": "every table above"})
        f.write('#include "decode/asterix/tables.h"\n\n')
        for ident in index:
            f.write("extern const struct ax_category ax_tab_%s;\n" % ident)
        f.write("\n/* Sorted by category, then edition (oldest first). */\n")
        f.write("const struct ax_category *const ax_tables[] = {\n")
        for ident in index:
            f.write("    &ax_tab_%s,\n" % ident)
        f.write("};\nconst size_t ax_n_tables = %d;\n" % len(index))


HEADER = """/*
 * GENERATED by tools/asterix_gen/asterix_gen.py — do not edit; regenerate
 * (see docs/asterix.md). ASTERIX tables for %(what)s.
 *
 * Source: EUROCONTROL ASTERIX category specifications in the machine-readable
 * form of zoranbosnjak/asterix-specs (files: %(files)s; files under
 * tools/asterix_gen/handmade/ are cairn's own transcriptions).
 * Copyright (c) Zoran Bosnjak and contributors, BSD-3-Clause: redistribution
 * of data generated from them keeps this notice; no endorsement implied.
 */
"""

if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: asterix_gen.py SPEC_DIR... OUT_DIR")
    generate(sys.argv[1:-1], sys.argv[-1])
