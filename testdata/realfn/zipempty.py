#!/usr/bin/env python3
"""Zip an installed Node function the way the corpus zips were made.

usage: zipempty.py APPDIR OUT.zip

Every file and directory under APPDIR is an entry, in sorted order, dated
2026-01-01 00:00, with its Unix mode. Kept byte-identical (deflated): the
function's own files at the root, every package.json, package-lock.json,
node_modules/.package-lock.json and LICENSE/LICENCE/NOTICE/COPYING files.
Every other file of a third-party package (code, maps, READMEs, data) is
kept at its path with zero bytes (stored), so the zip stays small while
every package's metadata is exactly what the registry shipped.
"""
import os
import stat
import sys
import zipfile

DATE = (2026, 1, 1, 0, 0, 0)
KEEP_NAMES = {"package.json", "package-lock.json", ".package-lock.json"}
KEEP_PREFIXES = ("license", "licence", "notice", "copying")


def keep(rel):
    if "node_modules/" not in rel and not rel.startswith("node_modules"):
        return True  # the function's own files
    base = os.path.basename(rel)
    return base in KEEP_NAMES or base.lower().startswith(KEEP_PREFIXES)


def main(app, out):
    entries = []
    for root, dirs, files in os.walk(app):
        dirs.sort()
        for d in dirs:
            entries.append(os.path.relpath(os.path.join(root, d), app) + "/")
        for f in files:
            entries.append(os.path.relpath(os.path.join(root, f), app))
    entries.sort()
    with zipfile.ZipFile(out, "w") as z:
        for rel in entries:
            full = os.path.join(app, rel)
            st = os.lstat(full)
            info = zipfile.ZipInfo(rel, DATE)
            info.create_system = 3
            info.external_attr = (st.st_mode & 0xFFFF) << 16
            if rel.endswith("/"):
                info.external_attr |= 0x10
                z.writestr(info, b"", zipfile.ZIP_STORED)
            elif stat.S_ISLNK(st.st_mode):
                z.writestr(info, os.readlink(full).encode(), zipfile.ZIP_STORED)
            elif keep(rel):
                with open(full, "rb") as fh:
                    z.writestr(info, fh.read(), zipfile.ZIP_DEFLATED, 9)
            else:
                z.writestr(info, b"", zipfile.ZIP_STORED)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
