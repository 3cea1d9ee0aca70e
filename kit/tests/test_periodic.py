import asyncio

from towngrid_kit.periodic import rest_after, run_periodically


def test_a_long_round_is_followed_by_a_longer_rest():
    assert rest_after(0.01, 2.0) == 2.0
    assert rest_after(3.0, 2.0) == 27.0
    assert rest_after(3.0, 2.0, rest_factor=1) == 3.0


async def test_rounds_go_on_after_a_failure_and_stop_when_asked():
    rounds = []
    stop = asyncio.Event()

    async def one_round() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("a bad round")
        if len(rounds) == 3:
            stop.set()

    await asyncio.wait_for(run_periodically("test", one_round, 0.01, stop), 5)
    assert rounds == [0, 1, 2]
