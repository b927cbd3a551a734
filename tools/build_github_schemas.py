"""Refresh GitHub's vendored event schemas, ``hookmock/providers/github/data/``.

``python tools/build_github_schemas.py [VERSION]`` fetches ``@octokit/webhooks-schemas`` (the
latest release, or VERSION) with ``npm pack``, and writes its ``schema.json`` gzip-compressed
(reproducibly: no file name, no time stamp) to ``webhooks-schemas.json.gz`` and the release to
``VERSION``. ``--from PATH`` reads a ``schema.json`` (or a package ``.tgz``) already on disk
instead, with the VERSION given. The schema is stored as published: what hookmock changes in it
is done at run time, in ``hookmock/providers/github/catalog.py`` (``PATCHES``).

Needs npm only to fetch; tests never run this.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "hookmock" / "providers" / "github" / "data"
PACKAGE = "@octokit/webhooks-schemas"


def compress(schema: bytes) -> bytes:
    """*schema* gzip'd the same way every time (level 9, no name, time stamp 0)."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=out, mtime=0) as handle:
        handle.write(schema)
    return out.getvalue()


def from_tarball(path: Path) -> tuple[bytes, str]:
    """``schema.json`` and the version of a package tarball made by ``npm pack``."""
    with tarfile.open(path) as tar:
        schema = tar.extractfile("package/schema.json")
        manifest = tar.extractfile("package/package.json")
        if schema is None or manifest is None:
            raise SystemExit(f"{path} is not a {PACKAGE} package")
        return schema.read(), json.loads(manifest.read())["version"]


def fetch(version: str | None) -> tuple[bytes, str]:
    spec = f"{PACKAGE}@{version}" if version else PACKAGE
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            ["npm", "pack", spec, "--pack-destination", folder, "--silent"],
            check=True,
            capture_output=True,
            text=True,
        )
        name = done.stdout.strip().splitlines()[-1]
        return from_tarball(Path(folder) / name)


def write(schema: bytes, version: str) -> None:
    document = json.loads(schema)
    if "definitions" not in document or "oneOf" not in document:
        raise SystemExit("the schema has no definitions/oneOf: has the package's layout changed?")
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "webhooks-schemas.json.gz").write_bytes(compress(schema))
    (DATA / "VERSION").write_text(version + "\n", encoding="utf-8")
    size = (DATA / "webhooks-schemas.json.gz").stat().st_size
    print(f"{PACKAGE} {version}: {len(schema)} bytes, {size} gzip'd")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", nargs="?", help="the release to fetch (default: the latest)")
    parser.add_argument(
        "--from", dest="source", type=Path, help="a schema.json or package .tgz on disk"
    )
    args = parser.parse_args(argv)
    if args.source is None:
        schema, version = fetch(args.version)
    elif args.source.suffix == ".tgz":
        schema, version = from_tarball(args.source)
    else:
        if not args.version:
            parser.error("--from with a schema.json needs the VERSION it is")
        schema, version = args.source.read_bytes(), args.version
    write(schema, version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
