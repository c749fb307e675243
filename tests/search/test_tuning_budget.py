"""How deep a fine-tuning trains the image model: as deep as the time and memory budget allow,
timed on this machine with the real encoder."""

import pytest
from PIL import Image

from search.ml.training.tuning_budget import (
    TuningCost,
    TuningWork,
    deepest_fitting,
    measured_cost,
    tuning_depth,
)

pytestmark = pytest.mark.slow

# A small batch: the timing is of one batch, whatever the catalogue's size.
WORK = TuningWork(photos=2000, augmented=1600, training=1600, epochs=4, batch_size=8)


def test_a_deeper_tuning_costs_more_time_and_memory(encoder):
    shallow, deep = (measured_cost(encoder, blocks, WORK) for blocks in (2, encoder.photo_blocks))
    assert deep.seconds > shallow.seconds > 0
    # The whole model keeps the photos' pixels: 3 channels of the image model's square.
    width = encoder.photo_pixels(Image.new("RGB", (60, 80), "white")).shape[0]
    assert deep.cache_bytes == 3 * width * width * 2 * WORK.cached
    assert shallow.cache_bytes < deep.cache_bytes


def test_an_ample_budget_trains_the_whole_model(encoder, settings):
    settings.VITRINE_PHOTO_TUNING_BLOCKS = None
    settings.VITRINE_PHOTO_TUNING_SECONDS = 10**9
    settings.VITRINE_PHOTO_TUNING_MEMORY_MB = 10**6
    depth = tuning_depth(encoder, WORK)
    assert depth.blocks == encoder.photo_blocks


def test_the_deepest_tuning_within_the_time_is_chosen():
    # Costs as a machine would time them (each block a second, each a megabyte); how they are
    # timed is tested above, on the real encoder, and varies with what else the machine runs.
    costed = []

    def cost_of(blocks: int) -> TuningCost:
        costed.append(blocks)
        return TuningCost(blocks, seconds=blocks, cache_bytes=blocks * 2**20)

    depths = range(16, 0, -2)
    assert deepest_fitting(depths, cost_of, seconds=11, memory_bytes=2**30).blocks == 10
    assert costed == [16, 14, 12, 10]  # deepest first, none costed after the choice
    assert deepest_fitting(depths, cost_of, seconds=100, memory_bytes=5 * 2**20).blocks == 4
    # Within neither budget: the shallowest depth, rather than no tuning.
    assert deepest_fitting(depths, cost_of, seconds=0, memory_bytes=2**30).blocks == 2


def test_the_cache_must_fit_the_memory_budget(encoder, settings):
    settings.VITRINE_PHOTO_TUNING_BLOCKS = None
    settings.VITRINE_PHOTO_TUNING_SECONDS = 10**9
    whole = measured_cost(encoder, encoder.photo_blocks, WORK)
    settings.VITRINE_PHOTO_TUNING_MEMORY_MB = whole.cache_bytes / 2**20 / 2
    depth = tuning_depth(encoder, WORK)
    assert depth.blocks < encoder.photo_blocks
    assert depth.cache_bytes <= whole.cache_bytes / 2


def test_a_set_depth_is_not_timed(encoder, settings):
    settings.VITRINE_PHOTO_TUNING_BLOCKS = 3
    assert tuning_depth(encoder, WORK) is None
