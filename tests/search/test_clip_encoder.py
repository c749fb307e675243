"""The CLIP encoder, on a tiny random checkpoint built offline (see tiny_clip.py)."""

import socket
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from search.ml.encoders import active_dims, load_encoder
from search.ml.encoders.clip import ClipEncoder
from search.ml.encoders.dims import VectorDims
from tests.search.tiny_clip import build_tiny_clip

TEXTS = ["red cotton kurta", "blue denim jeans for men", "a"]


@pytest.fixture(scope="module", autouse=True)
def offline():
    """No download: offline mode, and sockets cut (transformers may have read the environment
    at import already), so that an attempt to reach the hub fails the load."""

    def refuse(*args, **kwargs):
        raise AssertionError("the CLIP encoder tried to reach the network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("TRANSFORMERS_OFFLINE", "1")
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        yield


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("checkpoints")


@pytest.fixture(scope="module")
def folder(checkpoints) -> Path:
    return build_tiny_clip(checkpoints / "tiny-clip")


@pytest.fixture(scope="module")
def encoder(folder) -> ClipEncoder:
    # The app's own path: VITRINE_ENCODER=clip:<folder>.
    return load_encoder(f"clip:{folder}")


def unit_rows(vectors: np.ndarray) -> bool:
    return np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_text_and_photos_share_one_space_of_the_configured_width(encoder, folder, settings):
    assert isinstance(encoder, ClipEncoder)
    assert encoder.dims == VectorDims(text=16, image=16)
    assert ClipEncoder.declared_dims(str(folder)) == encoder.dims
    settings.VITRINE_ENCODER = f"clip:{folder}"
    assert active_dims() == encoder.dims


def test_texts_become_deterministic_unit_vectors(encoder):
    vectors = encoder.encode_texts(TEXTS)
    assert vectors.shape == (3, 16) and vectors.dtype == np.float32
    assert unit_rows(vectors)
    np.testing.assert_array_equal(encoder.encode_texts(TEXTS), vectors)
    assert not np.allclose(vectors[0], vectors[1], atol=1e-3)


def test_a_text_vector_does_not_depend_on_its_batch(encoder):
    # Padding and the end-of-text pooling must leave each text's vector as it is alone.
    together = encoder.encode_texts(TEXTS)
    alone = np.concatenate([encoder.encode_texts([text]) for text in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_photos_of_any_size_and_mode_become_unit_vectors(encoder):
    photos = [
        Image.new("RGB", (60, 80), "red"),
        Image.new("RGB", (300, 120), "blue"),
        Image.new("L", (32, 32), 200),
        Image.new("RGBA", (50, 50), (0, 128, 0, 128)),
    ]
    vectors = encoder.encode_images(photos)
    assert vectors.shape == (4, 16) and vectors.dtype == np.float32
    assert unit_rows(vectors)
    assert not np.allclose(vectors[0], vectors[1], atol=1e-3)


def test_photo_vectors_are_already_in_the_text_space(encoder):
    vectors = encoder.encode_images([Image.new("RGB", (40, 40), "yellow")])
    np.testing.assert_allclose(encoder.images_to_text_space(vectors), vectors, atol=1e-6)
    mapped = encoder.images_to_text_space(3 * vectors.astype(np.float64))
    assert mapped.dtype == np.float32
    np.testing.assert_allclose(mapped, vectors, atol=1e-6)


def test_the_version_follows_the_checkpoint(encoder, folder, checkpoints):
    assert encoder.version.startswith("clip:clip:tiny-clip:")
    assert load_encoder(f"clip:{folder}").version == encoder.version

    wider = load_encoder(f"clip:{build_tiny_clip(checkpoints / 'wider', projection_dim=8)}")
    assert wider.dims == VectorDims(8, 8)
    # Same config, other weights (a fine-tune): the version must still change.
    retrained = load_encoder(f"clip:{build_tiny_clip(checkpoints / 'retrained', seed=1)}")
    versions = {encoder.version, wider.version, retrained.version}
    assert len({version.rsplit(":", 1)[1] for version in versions}) == 3


def test_a_model_without_a_shared_text_image_space_is_refused(checkpoints):
    from transformers import BertConfig, BertModel

    folder = checkpoints / "bert"
    config = BertConfig(
        vocab_size=64,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
    )
    BertModel(config).save_pretrained(folder)
    with pytest.raises(ImproperlyConfigured, match="not a CLIP-family model"):
        load_encoder(f"clip:{folder}")
    with pytest.raises(ImproperlyConfigured, match="not a CLIP-family"):
        ClipEncoder.declared_dims(str(folder))


def test_a_missing_checkpoint_is_a_configuration_error(checkpoints):
    with pytest.raises(ImproperlyConfigured, match="cannot be loaded"):
        ClipEncoder.declared_dims(str(checkpoints / "missing"))
