"""Build the realistic value pools hookmock draws from into ``hookmock/generate/data/pools.json``.

``python tools/build_pools.py`` writes the file; ``--check`` writes nothing and exits 1 when the
file differs from what this faker would write (2 when the installed faker is not the version the
file records, whose output may differ for that reason alone).

faker makes names, companies, job titles, cities, country codes, time zones, meeting topics,
sentences, public IPv4 addresses and street addresses, from a fixed seed and locale, so the file
is a function of faker's version: the file records that version and the seed. hookmock reads the
file at run time and never imports faker to generate an event. The pools that need no faker
(departments, languages, domains...) are written out in ``hookmock/generate/kinds.py``, and
Zoom's own (devices, leave reasons) in ``hookmock/providers/zoom/kinds.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "hookmock" / "generate" / "data" / "pools.json"

#: The seed and locale of the pools; a new seed changes every value, so events for a given
#: ``seed=`` change too.
SEED = 20221024
LOCALE = "en_US"
#: Values drawn for each pool, before duplicates are dropped.
SIZE = 200
#: How many of faker's catch phrases join the meeting topics.
CATCH_PHRASES = 40

TOPIC_TEMPLATES = (
    "{} weekly sync",
    "Q{} planning",
    "{} interview",
    "{} kickoff",
    "{} review",
    "1:1 {}",
    "{} all-hands",
    "{} retrospective",
)


def faker_version() -> str:
    from faker import VERSION

    return str(VERSION)


def build() -> dict[str, Any]:
    """The file's content: faker's version, the seed and locale, and each pool, in draw order.

    The draws happen in a fixed order from one seeded generator: reordering them, or adding a
    pool anywhere but at the end, changes the values of the pools after it.
    """
    from faker import Faker

    fake = Faker(LOCALE)
    fake.seed_instance(SEED)

    def many(make: Callable[[], str]) -> list[str]:
        return list(dict.fromkeys(make() for _ in range(SIZE)))

    def topic() -> str:
        template = fake.random_element(TOPIC_TEMPLATES)
        filler: Any = fake.random_int(1, 4) if template.startswith("Q") else None
        if filler is None:
            filler = fake.random_element(
                (fake.first_name(), fake.company(), fake.job(), fake.bs().split()[-1].title())
            )
        return str(template.format(filler))

    pools: dict[str, list[str]] = {}
    pools["first_name"] = many(fake.first_name)
    pools["last_name"] = many(fake.last_name)
    pools["company"] = many(fake.company)
    pools["job_title"] = many(fake.job)
    pools["city"] = many(fake.city)
    pools["country_code"] = many(fake.country_code)
    pools["timezone"] = many(fake.timezone)
    topics = many(topic)
    pools["topic"] = topics + many(fake.catch_phrase)[:CATCH_PHRASES]
    pools["text"] = many(fake.sentence)
    pools["ipv4"] = many(fake.ipv4_public)
    pools["street_address"] = many(fake.street_address)
    return {"faker": faker_version(), "seed": SEED, "locale": LOCALE, "pools": pools}


def render(content: dict[str, Any]) -> str:
    """Compact JSON, one pool a line so that a new faker's changes read as a diff."""
    lines = [
        json.dumps(name, ensure_ascii=False) + ":" + _compact(values)
        for name, values in content["pools"].items()
    ]
    head = {key: value for key, value in content.items() if key != "pools"}
    return _compact(head)[:-1] + ',"pools":{\n' + ",\n".join(lines) + "\n}}\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def recorded_faker(path: Path = OUT) -> str | None:
    """The faker version *path* was built with, or None when there is no such file."""
    if not path.is_file():
        return None
    return str(json.loads(path.read_text(encoding="utf-8"))["faker"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    text = render(build())
    if not args.check:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)} with faker {faker_version()}, seed {SEED}")
        return 0
    recorded = recorded_faker()
    if recorded is not None and recorded != faker_version():
        print(
            f"{OUT.relative_to(ROOT)} was built with faker {recorded}, this is faker "
            f"{faker_version()}: install faker=={recorded} to check it, or run this tool "
            "without --check to rebuild it with this faker",
            file=sys.stderr,
        )
        return 2
    if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
        print(
            f"{OUT.relative_to(ROOT)} is not what faker {faker_version()} builds from seed "
            f"{SEED}: run python tools/build_pools.py to rebuild it",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
