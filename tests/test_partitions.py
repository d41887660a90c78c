"""How a large dispatch is cut into partitions (tasks/partitions.py): whole batches, consecutive, about the size
asked for, every notice in exactly one partition."""

from __future__ import annotations

import pytest

from tasks.partitions import cut_partitions


def batches(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@pytest.mark.parametrize(("notices", "batch", "size", "expected"), [
    (302, 20, 60, [60, 60, 60, 60, 62]),  # the last 2 join the partition before rather than run alone
    (100_754, 1000, 20_000, [20_000, 20_000, 20_000, 20_000, 20_754]),
    (1000, 1000, 20_000, [1000]),  # never more partitions than batches
    (290, 100, 120, [200, 90]),  # whole batches: 100 + 100 to reach the size; 90 is over half: its own
    (250, 100, 120, [250]),  # 50 is under half a partition: it joins the one before
])  # fmt: skip
def test_partitions_are_whole_consecutive_batches(notices: int, batch: int, size: int, expected: list[int]) -> None:
    ids = list(range(7, 7 + notices))  # assignment ids need not start at 1
    parts = cut_partitions(batches(ids, batch), size)
    assert [p["notices"] for p in parts] == expected
    covered = [i for p in parts for i in ids if p["first"] <= i <= p["last"]]
    assert covered == ids  # every notice in exactly one partition, in order
    edges = {i for p in parts for i in (p["first"], p["last"] + 1)}
    assert all((i - 7) % batch == 0 for i in edges if i < 7 + notices)  # no batch split between two partitions
