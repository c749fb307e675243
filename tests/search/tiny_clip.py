"""A tiny random CLIP checkpoint, built offline, for tests of the CLIP encoder.

Its vectors mean nothing; it has the real layout (config, weights, tokenizer, image processor),
so that the encoder loads it through the same Auto* classes as a downloaded checkpoint.
"""

import json
from pathlib import Path

import torch
from transformers import (
    CLIPConfig,
    CLIPImageProcessor,
    CLIPModel,
    CLIPTextConfig,
    CLIPTokenizer,
    CLIPVisionConfig,
)

IMAGE_SIZE = 32
MAX_TEXT_TOKENS = 77


def build_tiny_clip(folder: Path, *, projection_dim: int = 16, seed: int = 0) -> Path:
    """Saves a tiny random CLIPModel, its tokenizer and image processor into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = _tiny_tokenizer(folder)
    layers = {
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
    }
    config = CLIPConfig(
        text_config=CLIPTextConfig(
            **layers,
            vocab_size=len(tokenizer),
            max_position_embeddings=MAX_TEXT_TOKENS,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        ).to_dict(),
        vision_config=CLIPVisionConfig(**layers, image_size=IMAGE_SIZE, patch_size=8).to_dict(),
        projection_dim=projection_dim,
    )
    torch.manual_seed(seed)
    CLIPModel(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    CLIPImageProcessor(
        size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}
    ).save_pretrained(folder)
    return folder


def _tiny_tokenizer(folder: Path) -> CLIPTokenizer:
    """CLIP's byte-level BPE with no merges: every byte is a token, alone or ending a word."""
    alphabet = list(_bytes_to_unicode().values())
    tokens = [*alphabet, *(character + "</w>" for character in alphabet)]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    vocab, merges = folder / "vocab.json", folder / "merges.txt"
    vocab.write_text(json.dumps({token: i for i, token in enumerate(tokens)}))
    merges.write_text("#version: 0.2\n")
    # Positional file paths: the signature transformers 4 (slow tokenizer) and 5 share.
    return CLIPTokenizer(str(vocab), str(merges), model_max_length=MAX_TEXT_TOKENS)


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's map of the 256 bytes to printable characters (as in tokenization_clip)."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    characters = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            characters.append(256 + extra)
            extra += 1
    return {byte: chr(character) for byte, character in zip(printable, characters, strict=True)}
