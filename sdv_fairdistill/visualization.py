"""Image grids of generated images, written as PNG with the standard library only.

Neither matplotlib nor Pillow is a dependency of the package, and a PNG is a few lines of
``zlib`` and ``struct``, so the picture needs nothing more.
"""

import struct
import zlib

import numpy as np

#: Grey level of the lines between the cells of a grid.
SEPARATOR = 128


def write_png(path, pixels):
    """Write ``uint8`` pixels ``(H, W, 3)`` (RGB) or ``(H, W)`` (grey) as an 8-bit PNG."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    height, width, _ = pixels.shape
    # Each scanline starts with filter type 0 (none).
    raw = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], axis=1)

    def chunk(kind, data):
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body))

    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    with open(path, 'wb') as file:
        file.write(b'\x89PNG\r\n\x1a\n')
        file.write(chunk(b'IHDR', header))
        file.write(chunk(b'IDAT', zlib.compress(raw.tobytes(), 9)))
        file.write(chunk(b'IEND', b''))


def _to_rgb(images):
    """Images as given to the image synthesizer, to ``uint8 (n, H, W, 3)``."""
    from sdv_fairdistill.adapters.image import to_model_layout

    channels_first, _ = to_model_layout(images)  # float (n, C, H, W) in [0, 1]
    array = np.round(channels_first.numpy() * 255).astype(np.uint8).transpose(0, 2, 3, 1)
    n, height, width, channels = array.shape
    if channels == 1:
        return np.repeat(array, 3, axis=3)
    rgb = np.zeros((n, height, width, 3), dtype=np.uint8)
    rgb[..., : min(channels, 3)] = array[..., :3]  # 2 channels: red and green; 4: drop alpha
    return rgb


def _tile(cells, scale):
    """Lay out a 2-D list of ``(H, W, 3)`` images (None: blank) with separators."""
    height, width = next(cell for row in cells for cell in row if cell is not None).shape[:2]
    n_rows, n_cols = len(cells), max(len(row) for row in cells)
    canvas = np.full(
        (n_rows * (height + 1) + 1, n_cols * (width + 1) + 1, 3), SEPARATOR, dtype=np.uint8
    )
    for i, row in enumerate(cells):
        for j, cell in enumerate(row):
            top, left = 1 + i * (height + 1), 1 + j * (width + 1)
            canvas[top : top + height, left : left + width] = 0 if cell is None else cell
    return np.kron(canvas, np.ones((scale, scale, 1), dtype=np.uint8))


def save_image_grid(source, path, per_cell=4, scale=3, num_rows=4000):
    """Save a PNG grid of images.

    Args:
        source: a fitted ``FairDistillImageSynthesizer`` (it samples ``num_rows`` images and
            lays them out), a ``(images, sensitive, target)`` tuple as returned by its
            ``sample`` (one row per target class, one block of ``per_cell`` columns per
            sensitive group; a cell stays black when no image has that pair), or an array
            of images (a plain grid, ten per row).
        path (str): where to write the PNG.
        per_cell (int): images per (target, sensitive) cell.
        scale (int): each pixel becomes a ``scale x scale`` block.
        num_rows (int): images sampled from a synthesizer to fill the cells.

    Returns:
        np.ndarray: the grid's pixels, ``uint8 (height, width, 3)``.
    """
    for name, value in (('per_cell', per_cell), ('scale', scale), ('num_rows', num_rows)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f'{name} must be a positive integer, got {value!r}.')
    if hasattr(source, 'sample') and hasattr(source, 'reset_sampling'):  # a synthesizer
        source = source.sample(num_rows)
    if isinstance(source, tuple):
        images, sensitive, target = source
        rgb = _to_rgb(images)
        sensitive = np.asarray(sensitive)
        target = np.zeros(len(rgb), dtype=int) if target is None else np.asarray(target)
        if len(sensitive) != len(rgb) or len(target) != len(rgb):
            raise ValueError(f'{len(rgb)} images need as many sensitive and target labels, '
                             f'got {len(sensitive)} and {len(target)}.')
        cells = []
        for label in _sorted(np.unique(target)):
            row = []
            for group in _sorted(np.unique(sensitive)):
                matches = np.flatnonzero((target == label) & (sensitive == group))[:per_cell]
                row += [rgb[k] for k in matches] + [None] * (per_cell - len(matches))
            cells.append(row)
    else:
        rgb = _to_rgb(source)
        cells = [list(rgb[start : start + 10]) for start in range(0, len(rgb), 10)]
    grid = _tile(cells, scale)
    write_png(path, grid)
    return grid


def _sorted(values):
    try:
        return sorted(values)
    except TypeError:  # labels of mixed types: keep their order
        return list(values)
