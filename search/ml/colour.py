"""A photo's colours as a small vector: what ImageNet features mostly ignore and shoppers do not.

A hue-saturation-value histogram of the product's pixels (the near-white background left out):
12 hues x 2 saturations x 2 values for coloured pixels, plus 4 grey levels. Its square root,
L2-normalised (the Hellinger embedding), makes a dot product a histogram similarity.
"""

import numpy as np
from PIL import Image

HUES, SATURATIONS, VALUES, GREYS = 12, 2, 2, 4
COLOUR_DIMS = HUES * SATURATIONS * VALUES + GREYS
THUMBNAIL = 48
# Pixels this pale and unsaturated are the studio background.
_BACKGROUND_SATURATION, _BACKGROUND_VALUE = 0.08, 0.92
_GREY_SATURATION = 0.18


def colour_vector(photo: Image.Image) -> np.ndarray:
    thumbnail = photo.convert("RGB").resize((THUMBNAIL, THUMBNAIL), Image.Resampling.BILINEAR)
    hsv = np.asarray(thumbnail.convert("HSV"), dtype=np.float32).reshape(-1, 3) / 255.0
    hue, saturation, value = hsv[:, 0], hsv[:, 1], hsv[:, 2]
    product = ~((saturation < _BACKGROUND_SATURATION) & (value > _BACKGROUND_VALUE))
    if not product.any():  # a white product on white: keep everything
        product[:] = True
    hue, saturation, value = hue[product], saturation[product], value[product]
    grey = saturation < _GREY_SATURATION
    coloured_bins = (
        np.minimum((hue * HUES).astype(int), HUES - 1) * SATURATIONS * VALUES
        + (saturation >= 0.55).astype(int) * VALUES
        + (value >= 0.55).astype(int)
    )
    grey_bins = HUES * SATURATIONS * VALUES + np.minimum((value * GREYS).astype(int), GREYS - 1)
    bins = np.where(grey, grey_bins, coloured_bins)
    histogram = np.bincount(bins, minlength=COLOUR_DIMS).astype(np.float32)
    return normalise(np.sqrt(histogram / histogram.sum()))


def normalise(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)
