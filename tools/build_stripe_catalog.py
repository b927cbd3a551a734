"""Rebuild the Stripe catalog's data (``hookmock/providers/stripe/data/``) from Stripe's own
packages.

``python tools/build_stripe_catalog.py PACKAGE FIXTURES`` where PACKAGE is the unpacked ``stripe``
npm package (``npm pack stripe && tar xzf stripe-*.tgz`` gives ``package/``) and FIXTURES is
``openapi/fixtures3.json`` of the stripe/openapi repository (MIT). It writes:

- ``events.json``: the API version the package is pinned to, and each event type the package's
  TypeScript types name (``cjs/resources/Events.d.ts``: one ``...Event`` interface per type,
  with the resource its ``data.object`` is) with the fixture resource that shapes that object;
- ``fixtures.json``: those fixture resources only, as stripe/openapi publishes them;
- ``LICENSE``: the fixtures' license, copied from beside FIXTURES when it is there.

Event types whose object has no fixture are left out and listed on standard error.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "hookmock" / "providers" / "stripe" / "data"

#: TypeScript types that are unions of resources: the member that real deliveries carry most.
UNIONS = {
    # CustomerSource = Account | BankAccount | Card | Source: a customer's saved card.
    "CustomerSource": "card",
    # ExternalAccount = BankAccount | Card: a connected account's payout bank account.
    "ExternalAccount": "bank_account",
}

_EVENT = re.compile(r"type: '([^']+)';\s*data: (\w+)\.Data;")
_DATA = re.compile(
    r"export declare namespace (\w+) \{\s*interface Data extends Event\.Data \{\s*"
    r"object: ([\w.]+);"
)
_VERSION = re.compile(r"ApiVersion = '([^']+)'")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def resource_of(ts_type: str, fixtures: dict[str, Any]) -> str | None:
    """The fixture resource that shapes the TypeScript type *ts_type*, or None."""
    if ts_type in UNIONS:
        return UNIONS[ts_type]
    parts = ts_type.split(".")
    for candidate in (
        ".".join(_snake(p) for p in parts),
        _snake(parts[-1]),
        parts[-1].lower(),
    ):
        if candidate in fixtures:
            return candidate
    return None


def build(package: Path, fixtures_path: Path) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """``(events, fixtures, skipped)`` from the npm package and the fixtures file."""
    text = (package / "cjs" / "resources" / "Events.d.ts").read_text(encoding="utf-8")
    version = _VERSION.search((package / "cjs" / "apiVersion.js").read_text(encoding="utf-8"))
    if version is None:
        raise SystemExit(f"no ApiVersion in {package / 'cjs' / 'apiVersion.js'}")
    objects = dict(_DATA.findall(text))
    resources: dict[str, Any] = json.loads(fixtures_path.read_text(encoding="utf-8"))["resources"]
    events: dict[str, str] = {}
    skipped: list[str] = []
    for event_type, interface in _EVENT.findall(text):
        ts_type = objects.get(interface)
        resource = resource_of(ts_type, resources) if ts_type else None
        if resource is None:
            skipped.append(f"{event_type} ({ts_type or 'no data type'})")
            continue
        events[event_type] = resource
    package_json = json.loads((package / "package.json").read_text(encoding="utf-8"))
    catalog = {
        "source": f"stripe {package_json['version']} (npm), cjs/resources/Events.d.ts",
        "api_version": version.group(1),
        "events": dict(sorted(events.items())),
    }
    used = {name: resources[name] for name in sorted(set(events.values()))}
    return catalog, used, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the unpacked stripe npm package")
    parser.add_argument("fixtures", type=Path, help="stripe/openapi's fixtures3.json")
    parser.add_argument("--out", type=Path, default=OUT, help="the folder written")
    args = parser.parse_args(argv)
    catalog, used, skipped = build(args.package, args.fixtures)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "events.json").write_text(json.dumps(catalog, indent=1) + "\n", encoding="utf-8")
    (args.out / "fixtures.json").write_text(
        json.dumps({"resources": used}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    license_file = args.fixtures.with_name("LICENSE")
    if license_file.is_file():
        shutil.copyfile(license_file, args.out / "LICENSE")
    print(f"{len(catalog['events'])} event types, {len(used)} fixture resources")
    for line in skipped:
        print(f"left out, no fixture: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
