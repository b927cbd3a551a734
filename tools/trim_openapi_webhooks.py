"""Cut an OpenAPI document down to some of its webhooks (the test data in ``tests/data/openapi``).

``python tools/trim_openapi_webhooks.py SOURCE OUT NAME [NAME ...]`` keeps ``openapi``, ``info``
and the named entries of ``webhooks`` (every entry when no name is given), plus every component
those entries reach through ``$ref``, transitively; everything else (``paths``, ``tags``,
``servers``, components nothing reaches) is left out. Nothing kept is changed, and the output is
written with the source's key order, two-space indentation and a final newline.

How the vendored documents were made (see ``tests/data/openapi/README.md``): ``npm pack`` the
package, unpack it, and run this on the file named there with the names listed there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _reached(document: dict[str, Any], node: Any, seen: set[str]) -> None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/") and ref not in seen:
                seen.add(ref)
                target: Any = document
                for part in ref[2:].split("/"):
                    target = target[part.replace("~1", "/").replace("~0", "~")]
                stack.append(target)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def trim(document: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The document with only the webhooks *names* (all when empty) and what they reach."""
    webhooks = document.get("webhooks") or {}
    missing = [name for name in names if name not in webhooks]
    if missing:
        raise SystemExit(f"not in the document's webhooks: {', '.join(missing)}")
    kept = {name: hook for name, hook in webhooks.items() if not names or name in names}
    seen: set[str] = set()
    _reached(document, kept, seen)
    components: dict[str, dict[str, Any]] = {}
    for section, entries in document.get("components", {}).items():
        chosen = {
            key: value
            for key, value in entries.items()
            if f"#/components/{section}/{key.replace('~', '~0').replace('/', '~1')}" in seen
        }
        if chosen:
            components[section] = chosen
    out = {key: document[key] for key in ("openapi", "info") if key in document}
    out["webhooks"] = kept
    if components:
        out["components"] = components
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    document = json.loads(args.source.read_text(encoding="utf-8"))
    trimmed = trim(document, args.names)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(trimmed, indent=2, ensure_ascii=False) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {len(trimmed['webhooks'])} webhooks, {len(text.encode())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
