"""Extract a spec of the official twilio.twiml builder (dev tool, not shipped).

Usage: python tools/twiml_codegen/spec.py SPEC.json
Reads the installed official ``twilio`` package's TwiML modules with ``ast`` (never imports
them) and writes every class, builder method, parameter and attribute mapping to SPEC.json.
"""

import ast
import importlib.util
import json
import os
import re
import sys

BASE = os.path.dirname(importlib.util.find_spec("twilio.twiml").origin) + "/"


def parse_doc(doc):
    params = {}
    summary = ""
    if doc:
        lines = [l.strip() for l in doc.strip().splitlines()]
        summary = lines[0]
        for l in lines:
            m = re.match(r":param ([\w:]+): (.*)", l)
            if m:
                params[m.group(1)] = m.group(2)
    return summary, params


def extract(fname):
    tree = ast.parse(open(BASE + fname).read())
    classes = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        c = {"name": node.name, "doc": ast.get_docstring(node), "methods": []}
        for fn in node.body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            args = fn.args.args[1:]
            defaults = [None] * (len(args) - len(fn.args.defaults)) + fn.args.defaults
            params = [(a.arg, d is not None) for a, d in zip(args, defaults, strict=False)]
            if fn.name == "__init__":
                c["init_params"] = params
                for st in ast.walk(fn):
                    if (
                        isinstance(st, ast.Assign)
                        and isinstance(st.targets[0], ast.Attribute)
                        and st.targets[0].attr == "name"
                    ):
                        c["tag"] = st.value.value
                continue
            summary, pdocs = parse_doc(ast.get_docstring(fn))
            # find self.nest(Target(...))
            call = None
            for st in ast.walk(fn):
                if (
                    isinstance(st, ast.Call)
                    and isinstance(st.func, ast.Attribute)
                    and st.func.attr == "nest"
                ):
                    call = st.args[0]
            target = call.func.id
            posargs = [a.id for a in call.args]
            kwmap = {
                k.arg: (k.value.id if isinstance(k.value, ast.Name) else None)
                for k in call.keywords
                if k.arg
            }
            c["methods"].append(
                {
                    "name": fn.name,
                    "params": params,
                    "target": target,
                    "posargs": posargs,
                    "kwmap": kwmap,
                    "pdocs": pdocs,
                }
            )
        classes[node.name] = c
    return classes


spec = {f: extract(f) for f in ["voice_response.py", "messaging_response.py", "fax_response.py"]}
json.dump(spec, open(sys.argv[1], "w"), indent=1)
for f, cs in spec.items():
    for n, c in cs.items():
        print(
            f,
            n,
            c.get("tag"),
            c.get("init_params"),
            [(m["name"], m["target"], m["posargs"]) for m in c["methods"]],
        )
