"""bench/gpu.py builds the production encoders' architectures by hand, to run where neither our
packages nor their weights can travel: these tests hold it to production."""

import ast
import importlib.util
import sys
from pathlib import Path

import pytest
import torch

from search.ml.encoders import minilm_efficientnet
from search.ml.encoders.device import device_profile
from search.ml.training import photo_tuning

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gpu.py"
# Loaded by its path: the bench folder's other scripts stay off sys.path.
_spec = importlib.util.spec_from_file_location("gpu_bench", BENCH)
gpu = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gpu)


@pytest.fixture
def production_encoder(encoder):
    assert isinstance(encoder, minilm_efficientnet.EmbeddedEncoder)
    return encoder


def parameter_count(model: torch.nn.Module, leaving_out: str | None = None) -> int:
    return sum(
        parameter.numel()
        for name, parameter in model.named_parameters()
        if leaving_out is None or leaving_out not in name
    )


def test_the_photo_network_is_efficientnet_lite0_as_production_runs_it(production_encoder):
    production = production_encoder.image_model
    bench = gpu.EfficientNetLite0Features().eval()
    # The ImageNet classifier (_fc) is not part of a photo vector.
    assert parameter_count(bench) == parameter_count(production, leaving_out="_fc")
    pixels = torch.zeros(2, 3, gpu.IMAGE_SIZE, gpu.IMAGE_SIZE)
    with torch.inference_mode():
        assert bench(pixels).shape == production_encoder.image_features(pixels).shape


def test_the_text_network_is_minilm_as_production_runs_it(production_encoder):
    production = production_encoder.text_model
    bench = gpu.MiniLMText().eval()
    # BERT's pooler is never used: the text vector is the tokens' mean.
    assert parameter_count(bench) == parameter_count(production, leaving_out="pooler")
    tokens = torch.randint(0, gpu.MINILM["vocabulary"], (3, 11))
    mask = torch.ones_like(tokens, dtype=torch.bool)
    mask[0, 5:] = False
    with torch.inference_mode():
        vectors = bench(tokens, mask)
    assert vectors.shape == (3, production_encoder.dims.text)
    assert torch.allclose(vectors.norm(dim=-1), torch.ones(3))


def test_the_benchs_sizes_are_productions(monkeypatch):
    assert gpu.IMAGE_SIZE == minilm_efficientnet.IMAGE_SIZE
    assert gpu.MAX_TEXT_TOKENS == minilm_efficientnet.MAX_TEXT_TOKENS
    monkeypatch.setenv("VITRINE_TORCH_THREADS", str(torch.get_num_threads()))
    for device in ("cuda", "cpu"):
        monkeypatch.setenv("VITRINE_DEVICE", device)
        profile = device_profile()
        assert gpu.BATCH_SIZES[device] == {
            "text": profile.text_batch_size,
            "image": profile.image_batch_size,
        }


def test_the_bench_needs_nothing_but_python_and_torch():
    imported = set()
    for node in ast.walk(ast.parse(BENCH.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    # Pillow is optional: the photo decoding figure is left out where it is missing.
    assert imported - set(sys.stdlib_module_names) <= {"torch", "PIL"}


def test_the_bench_fine_tunes_as_the_training_does():
    assert gpu.TRAIN_BATCH["cuda"] == photo_tuning.BATCH_SIZES["cuda"]
    assert gpu.CONTRASTIVE_TEMPERATURE == photo_tuning.TEMPERATURE
    assert gpu.CROP_KEEPS == photo_tuning.CROP_KEEPS


def test_augmented_photos_keep_their_colour_and_stay_inside_the_photo():
    torch.manual_seed(0)
    teal = torch.tensor([0.0, 0.5, 0.5]).view(1, 3, 1, 1).expand(64, 3, 32, 32).clone()
    assert torch.allclose(gpu.augment(teal), teal, atol=1e-5)


def test_augmentation_crops_and_flips_some_photos_and_not_others():
    torch.manual_seed(0)
    halves = torch.zeros(64, 1, 32, 32)
    halves[..., :16] = 1.0  # bright on the left
    views = gpu.augment(halves)
    left_brighter = views[..., :16].mean(dim=(1, 2, 3)) > views[..., 16:].mean(dim=(1, 2, 3))
    assert 10 < int(left_brighter.sum()) < 54
    assert not torch.allclose(views[left_brighter], halves[left_brighter])
