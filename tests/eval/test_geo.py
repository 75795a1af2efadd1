"""Countries of masked addresses against a public source the collector does not ship:
DB-IP's country database, sampled into ``tests/eval/corpora/dbip-country-sample.tsv``
(``python -m bench.geo sample``; docs/geo.md). ``python -m bench.geo score`` prints the
same figures.

The shipped data is the registries' (where a block was assigned); DB-IP says where an
address is used. They disagree on about a tenth of IPv4 addresses even unmasked (cloud and
corporate blocks registered in one country, used in many), which bounds any answer drawn
from registry data; so the 99 % target is checked where it can be met: the masked answer
against what the same data says of the full address (what the mask and the majority rule
cost), and the figures against DB-IP have floors, as measured, so that they cannot slide."""

from __future__ import annotations

from functools import cache

import pytest

from bench.geo import TARGET_NAMED, TARGET_RIGHT, Score, read_sample, score

# measured on the shipped sample with iptocc 3.3 (docs/geo.md), as floors
FLOOR_RIGHT_VS_DBIP = {4: 0.90, 6: 0.80}


@cache
def scores() -> dict[int, Score]:
    return {found.version: found for found in score(read_sample(), 2)}


def test_the_sample_is_big_enough() -> None:
    assert scores()[4].total >= 19_000 and scores()[6].total >= 1_000


@pytest.mark.parametrize("version", [4, 6])
def test_most_public_addresses_are_named(version: int) -> None:
    assert scores()[version].named_share >= TARGET_NAMED


@pytest.mark.parametrize("version", [4, 6])
def test_the_mask_almost_never_changes_the_answer(version: int) -> None:
    found = scores()[version]
    assert found.same_as_full / found.named >= TARGET_RIGHT


@pytest.mark.parametrize("version", [4, 6])
def test_against_dbip_no_worse_than_measured(version: int) -> None:
    found = scores()[version]
    assert found.right_share >= FLOOR_RIGHT_VS_DBIP[version]
    # and right more often than a plain lookup of the masked address, as other tools do it
    assert found.right_share >= found.plain_right / found.total
