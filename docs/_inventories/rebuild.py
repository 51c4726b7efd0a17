"""Rebuild the intersphinx inventories of this folder from Debian's documentation packages.

The docs are built without network access, so intersphinx reads these committed files
instead of fetching ``objects.inv`` from the web. To refresh them (needs ``apt-get``)::

    cd "$(mktemp -d)"
    apt-get download python3.11-doc python-flask-doc python-werkzeug-doc
    for deb in *.deb; do dpkg-deb -x "$deb" root; done
    python /path/to/docs/_inventories/rebuild.py root/usr/share/doc

Debian builds the Flask and Werkzeug docs with Sphinx's ``html`` builder (``api.html``)
while their sites use ``dirhtml`` (``api/``): their links are rewritten to match the site.
"""

from __future__ import annotations

import re
import shutil
import sys
import zlib
from pathlib import Path

from sphinx.util.inventory import InventoryFile

HERE = Path(__file__).resolve().parent

#: Output name → (inventory in the Debian packages, project, version, rewrite for dirhtml).
SOURCES = {
    "python.inv": ("python3.11/html/objects.inv", "Python", "3.11", False),
    "flask.inv": ("python-flask-doc/html/objects.inv", "Flask", "2.2", True),
    "werkzeug.inv": ("python-werkzeug-doc/html/objects.inv", "Werkzeug", "2.2", True),
}


def dirhtml(uri: str) -> str:
    """``api.html#flask.Flask`` → ``api/#flask.Flask``; ``index.html`` → ``""``."""
    page, hash_, anchor = uri.partition("#")
    page = re.sub(r"(^|/)index\.html$", r"\1", page)
    page = re.sub(r"\.html$", "/", page)
    return page + hash_ + anchor


def rebuild(root: Path, name: str) -> None:
    source, project, version, rewrite = SOURCES[name]
    if not rewrite:
        shutil.copyfile(root / source, HERE / name)
        return
    with (root / source).open("rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    lines = []
    data = inventory.data if hasattr(inventory, "data") else inventory
    for kind, entries in sorted(data.items()):
        for target, item in sorted(entries.items()):
            # Sphinx 8.2+ items have attributes; older ones are tuples.
            modern = hasattr(item, "uri")
            uri = dirhtml(item.uri if modern else item[2])
            display = item.display_name if modern else item[3]
            # objects.inv shortens a URI ending in the target's name to "$".
            if uri.endswith("#" + target):
                uri = uri[: -len(target)] + "$"
            display = "-" if display in ("-", target) else display
            lines.append(f"{target} {kind} 1 {uri} {display}\n")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = zlib.compress("".join(lines).encode("utf-8"), 9)
    (HERE / name).write_bytes(header.encode("utf-8") + body)


if __name__ == "__main__":
    for output in SOURCES:
        rebuild(Path(sys.argv[1]), output)
