"""`towngrid-scenario`: play the Chengguan scenario against a running local stack (`make run`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

from towngrid_devstack.config import StackConfig
from towngrid_devstack.run import service_ports
from towngrid_devstack.services import LocalSecrets, staff_token
from towngrid_kit.auth import Role
from towngrid_scenario import screenshot
from towngrid_scenario.client import Who
from towngrid_scenario.run import TooLateToResume, play, report


def wait_ready(urls: dict[str, str], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    waiting = set(urls)
    while waiting and time.monotonic() < deadline:
        for svc in sorted(waiting):
            try:
                if httpx.get(urls[svc] + "/readyz", timeout=5).status_code == 200:
                    waiting.discard(svc)
            except httpx.TransportError:
                pass
        time.sleep(1)
    return not waiting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="towngrid-scenario", description=__doc__)
    parser.add_argument("--seed", type=int, default=2020, help="the town's seed (2020)")
    parser.add_argument("--scale", type=float, default=1.0, help="a proportionally smaller town, e.g. 0.05 (1.0)")
    parser.add_argument("--profile", default="dev", help="the local stack's profile, for its tokens (dev)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight at once (16)")
    parser.add_argument("--state", type=Path, default=None,
                        help="where a resumed run finds its start time and the figures before it "
                             "(default: the profile's run dir, <data>/run/scenario: `make reset` deletes it with the data)")
    parser.add_argument("--wait-s", type=float, default=0.0,
                        help="first wait up to this long for every service's /readyz (make run SCENARIO=...)")
    parser.add_argument("--screenshot", type=Path, default=None,
                        help="at the end, save a picture of the board here once it has caught up (e.g. docs/board.png)")
    args = parser.parse_args(argv)
    config = StackConfig.from_env(profile=args.profile)
    secrets = LocalSecrets.for_profile(config)

    def mint(who: Who) -> str:
        return staff_token(secrets, role=who.role, scope=who.scope, subject=who.subject,
                           department=who.department, organisation=who.org)

    urls = {svc: f"http://127.0.0.1:{port}" for svc, port in service_ports().items()}
    if args.wait_s and not wait_ready(urls, args.wait_s):
        print(f"the services did not answer /readyz within {args.wait_s:.0f} s: is `make run` up?", file=sys.stderr)
        return 2
    try:
        outcome = asyncio.run(play(urls, mint, seed=args.seed, scale=args.scale,
                                   state=args.state or config.run_dir / "scenario",
                                   concurrency=args.concurrency))
    except KeyboardInterrupt:
        print("\ninterrupted: run it again within a day to resume (what was done is replayed, nothing doubles)",
              file=sys.stderr)
        return 130
    except TooLateToResume as late:
        print(late, file=sys.stderr)
        return 2
    print(report(outcome))
    if args.screenshot:
        board = staff_token(secrets, role=Role.BOARD_VIEWER.value, scope="town", subject="scenario-screenshot")
        behind = asyncio.run(screenshot.take(urls["board"], board, args.screenshot))
        print(f"the board: {args.screenshot}" + (f" (still {behind} events behind)" if behind else ""))
    return 1 if outcome.mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
