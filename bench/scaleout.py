"""Scale-out under one bot's global limit: several `studybot run` processes, one shard each, with due
nudges in each shard's guild at the same minute, against a fake Discord that answers 429 past the
limit for the bot as a whole (issue 17).

    python bench/scaleout.py [--members 300] [--limit 50] [--processes 2] [--busy 0,1] [--timeout 120]
                             [--database-url URL]

Reports members nudged (and twice), the nudges' combined rate against the limit (target >= 0.9), and
global 429s as a share of the requests under the limit (target <= 1 %). DM channels are known, so
each nudge is one request. SQLite in a temporary folder unless --database-url names a database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine
from bot.db.migrate import upgrade_to_head
from tests.e2e.live import end_leftovers
from tests.e2e.scaleout import scale_out


async def main_async(args: argparse.Namespace, tmp: Path, url: str) -> dict:
    busy = tuple(int(s) for s in args.busy.split(","))
    try:
        result = await scale_out(
            tmp,
            url,
            members=args.members,
            limit=args.limit,
            busy_shards=busy,
            processes=args.processes,
            timeout=args.timeout,
        )
    finally:
        end_leftovers()
    return asdict(result) | {
        "limit": args.limit,
        "rate_vs_limit": round(result.rate / args.limit, 3),
        "limited_share": round(result.limited_share, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=300, help="due nudges in each busy shard's guild")
    parser.add_argument("--limit", type=float, default=50.0, help="the fake's global limit, and the bot's setting")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--busy", default="0,1", help="the shards whose guild has nudges due")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        upgrade_to_head(url)
        result = asyncio.run(main_async(args, Path(tmp), url))
    print(machine())
    print(json.dumps(result, indent=2))
    ok = (
        result["nudged"] == result["expected"]
        and result["duplicates"] == 0
        and result["rate_vs_limit"] >= 0.9
        and result["limited_share"] <= 0.01
    )
    print("scale-out target met" if ok else "scale-out target MISSED")


if __name__ == "__main__":
    main()
