"""Generate twhooks/twiml/{ssml,voice,messaging,fax}.py from spec.json (dev tool).

Usage: python tools/twiml_codegen/gen.py SPEC.json OUT_DIR, then ``ruff check --fix`` and
``ruff format`` on OUT_DIR. See README.md beside this file.
"""

import json
import sys
import textwrap
from collections import defaultdict

spec = json.load(open(sys.argv[1]))
V = spec["voice_response.py"]
M = spec["messaging_response.py"]
F = spec["fax_response.py"]


def lower_camel(s):
    MAP = {"from_": "from", "xml_lang": "xml:lang", "interpret_as": "interpret-as", "for_": "for"}
    s = MAP.get(s, s)
    if not s or "_" not in s:
        return s
    r = "".join(x.title() for x in s.split("_"))
    return r[0].lower() + r[1:]


XMLNS = "{http://www.w3.org/XML/1998/namespace}"


def lxml_name(p):
    n = lower_camel(p)
    return XMLNS + n[4:] if n.startswith("xml:") else n


# class registry: name -> (module, cls spec)
classes = {}
for n, c in V.items():
    classes[n] = ("ssml" if n.startswith("Ssml") else "voice", c)
for n, c in M.items():
    if n == "Redirect":
        continue
    classes[n] = ("messaging", c)
for n, c in F.items():
    classes[n] = ("fax", c)

KIND = {"VoiceResponse": "Voice", "MessagingResponse": "Messaging", "FaxResponse": "Fax"}


def text_param(cname):
    ip = classes[cname][1].get("init_params", [])
    return ip[0][0] if ip else None


def method_key(m):
    return (
        m["name"],
        m["target"],
        tuple(map(tuple, m["params"])),
        json.dumps(m["kwmap"], sort_keys=True),
        tuple(m["posargs"]),
    )


# find mixins: method keys used by >=2 classes

uses = defaultdict(list)
for n, (_mod, c) in classes.items():
    for m in c["methods"]:
        uses[method_key(m)].append(n)
mixins = {}  # key -> (mixin name, module, method spec)
names_used = set()
for key, users in uses.items():
    if len(users) < 2:
        continue
    m = next(mm for mm in classes[users[0]][1]["methods"] if method_key(mm) == key)
    tmod = classes[m["target"]][0]
    base = "_" + "".join(x.title() for x in m["name"].strip("_").split("_")) + "Builder"
    nm = base
    i = 2
    while nm in names_used:
        nm = base[:-7] + str(i) + "Builder"
        i += 1
    names_used.add(nm)
    mixins[key] = (nm, tmod, m)


def doc_for(param, pdocs):
    return _doc_for(param, pdocs).replace("\u2019", "'") if _doc_for(param, pdocs) else None


def _doc_for(param, pdocs):
    k = {"from_": "from", "for_": "for", "xml_lang": "xml:lang"}.get(param, param)
    return pdocs.get(k) or pdocs.get(param)


def gen_method(m, owner_for_doc=None):
    target = m["target"]
    tcls = classes[target][1]
    ttag = tcls["tag"]
    tp = text_param(target)
    # which builder param feeds the target text
    if m["posargs"]:
        tsrc = m["posargs"][0]
    else:
        tsrc = m["kwmap"].get(tp) if tp else None
    sig = ["self"]
    for p, has_def in m["params"]:
        typ = "TextValue" if p == tsrc else "AttrValue"
        sig.append(f"{p}: {typ} = None" if has_def else f"{p}: {typ}")
    sig.append("**kwargs: Any")
    lines = []
    lines.append(f"    def {m['name']}(")
    for s_ in sig:
        lines.append(f"        {s_},")
    lines.append(f"    ) -> {target}:")
    # docstring
    d = [f'        """Add a ``<{ttag}>`` child and return it.', ""]
    for p, _ in m["params"]:
        desc = doc_for(p, m["pdocs"]) or ""
        d.append(f"        :param {p}: {desc}".rstrip())
    d.append("        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)")
    d.append('        """')
    # wrap long doc lines
    out = []
    for l in d:
        if len(l) > 100:
            ind = "        " if not l.strip().startswith(":param") else "        "
            w = textwrap.wrap(l.strip(), width=100 - len(ind), subsequent_indent="    ")
            out += [ind + x for x in w]
        else:
            out.append(l)
    lines += out
    # Attributes in the official builder's order: sorted by XML name.
    attrs = sorted((p for p, _ in m["params"] if p != tsrc), key=lower_camel)
    lines.append("        try:")
    lines.append(f'            head = "<{ttag}"')
    for p in attrs:
        xn = lower_camel(p)
        sep = ', ", "' if xn == "hints" else ""
        lines.append(f"            if {p} is not None:")
        lines.append(f"""                head += ' {xn}="' + quote_attr({p}{sep}) + '"'""")
    lines.append("            if kwargs:")
    lines.append("                head = with_attributes(head, kwargs)")
    if tsrc and target == "Message":
        lines.append("            content: list[str | TwiML] = []")
        lines.append(f'            if {tsrc} is not None and {tsrc} != "":')
        lines.append(
            f"                raw = {tsrc} if type({tsrc}) is str else render_text({tsrc})"
        )
        lines.append("                if len(raw) > MAX_MESSAGE_CHARS:")
        lines.append("                    raise message_too_long(len(raw))")
        lines.append("                content.append(quote_text(raw))")
    elif tsrc:
        lines.append(f"            content = text_content({tsrc})")
    else:
        lines.append("            content: list[str | TwiML] = []")
    lines.append("        except _Unrepresentable:")
    amap = ", ".join(f'"{lower_camel(p)}": {p}' for p in attrs)
    lines.append(
        f'            raise invalid("{ttag}", {tsrc or "None"}, {{{amap}}}, kwargs) from None'
    )
    lines.append(f"        node = _new({target})")
    lines.append("        node._head = head")
    lines.append("        node._content = content")
    lines.append("        self._content.append(node)")
    if target == "Body":
        lines.append("        try:")
        lines.append("            self._check()")
        lines.append("        except TwiMLLimitExceeded:")
        lines.append("            self._content.pop()")
        lines.append("            raise")
    lines.append("        return node")
    # if invalid dict line too long, ruff format will fix
    return "\n".join(lines)


def class_doc(n, c):
    tag = c["tag"]
    kids = [classes[m["target"]][1]["tag"] for m in c["methods"]]
    if n in KIND:
        first = f"A ``<Response>`` for {KIND[n]}: the root of a {KIND[n]} TwiML document."
    elif n.startswith("Ssml"):
        first = f"The SSML ``<{tag}>`` element (inside ``<Say>``)."
    else:
        verbs = {m["target"] for r in KIND for m in classes[r][1]["methods"]}
        where = {
            classes[o][1]["tag"]
            for o, (_, oc) in classes.items()
            for m in oc["methods"]
            if m["target"] == n and o not in KIND
        }
        if n in verbs:
            first = f"The ``<{tag}>`` TwiML verb."
        else:
            inside = ", ".join(f"``<{t}>``" for t in sorted(where))
            first = f"The ``<{tag}>`` TwiML noun, inside {inside}."
    text = first
    if kids:
        text += " It holds " + ", ".join(f"``<{k}>``" for k in kids) + "."
    import textwrap as tw

    lines = tw.wrap(text, 92)
    return "\n    ".join(lines) + ("\n    " if len(lines) > 1 else "")


EXTRA = {
    "Message": """    def _check(self) -> None:
        # Twilio's limit is on the whole body: the text plus every <Body>.
        size = sum(
            len(item) if isinstance(item, str) else len(item.text or "") if item.tag == "Body" else 0
            for item in self.content
        )
        if size > MAX_MESSAGE_CHARS:
            raise message_too_long(size)
""",
    "Body": """    def _check(self) -> None:
        # A <Body> does not know its <Message>; Message.body() and Message.append()
        # check the total, this checks a <Body> on its own.
        size = len(self.text or "")
        if size > MAX_MESSAGE_CHARS:
            raise message_too_long(size)
""",
}


def gen_class(n, c):
    bases = []
    own = []
    for m in c["methods"]:
        k = method_key(m)
        if k in mixins:
            bases.append(mixins[k][0])
        else:
            own.append(m)
    bases.append("TwiML")
    L = [
        f"class {n}({', '.join(bases)}):",
        f'    """{class_doc(n, c)}"""',
        "",
        "    __slots__ = ()",
        f'    _tag = "{c["tag"]}"',
        "",
    ]
    tp = text_param(n)
    if tp is None:
        L += [
            "    def __init__(self, **kwargs: Any) -> None:",
            "        if kwargs:",
            "            super().__init__(None, **kwargs)",
            "        else:",
            f'            self._head = "<{c["tag"]}"',
            "            self._content = []",
            "",
        ]
    else:
        req = dict(c["init_params"])[tp]
        L += [
            f"    def __init__(self, {tp}: TextValue{' = None' if req else ''}, **kwargs: Any) -> None:",
            f"        super().__init__({tp}, **kwargs)",
            "",
        ]
    for m in own:
        L.append(gen_method(m))
        L.append("")
    if n in EXTRA:
        L.append(EXTRA[n])
    return "\n".join(L).rstrip() + "\n"


def gen_mixin(nm, m):
    L = [
        f"class {nm}(TwiML):",
        f'    """Builds ``<{classes[m["target"]][1]["tag"]}>`` children."""',
        "",
        "    __slots__ = ()",
        "",
    ]
    L.append(gen_method(m))
    return "\n".join(L) + "\n"


#: The first line of every generated module.
GENERATED = (
    "# Generated by tools/twiml_codegen/gen.py from tools/twiml_codegen/spec.json: do not edit.\n"
    "# Change the generator or the spec, then regenerate (see tools/twiml_codegen/README.md).\n"
)

HEADER = """from __future__ import annotations

from typing import Any

from ._base import (
    AttrValue,
    TextValue,
    TwiML,
    _new,
    _Unrepresentable,
    invalid,
    quote_attr,
    quote_text,
    render_text,
    text_content,
    with_attributes,
)
"""


def module(modname, doc, extra_imports=""):
    mods_classes = [n for n, (mod, c) in classes.items() if mod == modname]
    extra = {
        "messaging": ["Redirect"],
        "voice": [n for n, (m, _) in classes.items() if m == "ssml"],
    }
    public = sorted(mods_classes + extra.get(modname, []))
    all_list = "\n__all__ = [\n" + "".join(f'    "{x}",\n' for x in public) + "]\n"
    parts = [GENERATED, f'"""{doc}"""\n', HEADER + extra_imports, all_list]
    for _key, (nm, tmod, m) in mixins.items():
        if tmod == modname:
            parts.append("\n" + gen_mixin(nm, m))
    for n in mods_classes:
        parts.append("\n" + gen_class(n, classes[n][1]))
    # child tables
    parts.append(
        "\n# Which children each element may hold (tag -> class), from its builder methods.\n"
    )
    for n in mods_classes:
        c = classes[n][1]
        if c["methods"]:
            items = ", ".join(
                f'"{classes[m["target"]][1]["tag"]}": {m["target"]}' for m in c["methods"]
            )
            parts.append(f"{n}._child_classes = {{{items}}}\n")
    return "".join(parts)


VOICE_DOC = """Voice TwiML: :class:`VoiceResponse` and every verb and noun it can hold.

The vocabulary (class names, builder method names, positional arguments and keyword
names) is that of twilio-python 9.x, so code written for ``twilio.twiml.voice_response``
runs unchanged. Builder methods shared by several elements (``say``, ``play``,
``parameter``...) live in small ``_XBuilder`` mixins. Each builder renders its
element's opening tag once, when called; see :mod:`twhooks.twiml._base`.
"""

allnames = {}
for mod in ["ssml", "voice", "messaging", "fax"]:
    allnames[mod] = [n for n, (m_, c) in classes.items() if m_ == mod]
out = sys.argv[2]
open(f"{out}/ssml.py", "w").write(
    module(
        "ssml",
        "SSML elements inside ``<Say>``: ``say.break_()``, ``say.prosody()``, ``say.say_as()``…",
    )
)
ssml_mixins = sorted({mixins[k][0] for k in mixins if mixins[k][1] == "ssml"})
ssml_used_by_voice = [x for x in allnames["ssml"]]
vimp = (
    "\nfrom .ssml import (\n"
    + "".join(f"    {x},\n" for x in ssml_mixins + allnames["ssml"])
    + ")\n"
)
open(f"{out}/voice.py", "w").write(module("voice", VOICE_DOC, vimp))
mimp = "\nfrom ..exceptions import TwiMLLimitExceeded\nfrom ._base import MAX_MESSAGE_CHARS, message_too_long\nfrom .voice import Redirect, _RedirectBuilder\n"
open(f"{out}/messaging.py", "w").write(
    module(
        "messaging",
        "Messaging TwiML: :class:`MessagingResponse`, ``<Message>`` and its ``<Body>``/``<Media>``.",
        mimp,
    )
)
open(f"{out}/fax.py", "w").write(
    module("fax", "Fax TwiML: :class:`FaxResponse` and ``<Receive>``.", "")
)
print(json.dumps({k: v for k, v in allnames.items()}))
print([v[0] for v in mixins.values()])
