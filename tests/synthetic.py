"""Synthetic scans of printed worksheets: pages rasterised from the real PDF, marked by a hand-like pen, then
turned, shifted, scaled, blurred, made noisy and saved as JPEG, as a scanner and a person would.

Shared by tests/test_scans.py and scripts/bench_scans.py. Marks are drawn in the page's own coordinates (mm),
through the page's layout record (profilepress.marks), before the page is distorted:

    tick      a short stroke down then a long one up, slightly curved
    cross     two crossing strokes
    circle    a small ring inside the box
    fill      the box filled in
    scribble  a tick crossed out: zigzags over the box
    faint     a tick in a light pencil
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

CLEAR_STYLES = ("tick", "cross", "circle", "fill")


@dataclass(frozen=True)
class Pen:
    width: float = 0.5  # mm
    darkness: float = 0.9  # 0 paper … 1 black


def rasterise(pdf, dpi: int, pages: list[int] | None = None) -> list[np.ndarray]:
    """Pages of a PDF (1-based numbers, all by default) as grey images at ``dpi``."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    numbers = pages or list(range(1, len(document) + 1))
    images = [
        np.asarray(document[n - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")).copy() for n in numbers
    ]
    document.close()
    return images


def _curve(points, rng, steps=12):
    """A hand-like stroke through points (mm): each segment slightly bowed, the hand a little unsteady."""
    out = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        bow = rng.normal(0, 0.25)
        for t in np.linspace(0, 1, steps):
            nx, ny = -(y1 - y0), x1 - x0
            length = math.hypot(nx, ny) or 1
            b = bow * 4 * t * (1 - t)
            out.append((x0 + (x1 - x0) * t + nx / length * b, y0 + (y1 - y0) * t + ny / length * b))
    return np.array(out)


def draw(image, box, style: str, pen: Pen, rng, dpi: float) -> None:
    """A mark in a printed box (marks.Box, mm) on a page image at ``dpi``, drawn in place."""
    k = dpi / 25.4
    x, y, w, h = box.x, box.y, box.width, box.height
    j = lambda s=0.25: rng.normal(0, s)
    strokes = []
    if style in ("tick", "faint", "scribble"):
        strokes.append(
            _curve(
                [
                    (x + 0.9 + j(), y + h * 0.55 + j()),
                    (x + w * 0.42 + j(), y + h - 0.7 + j()),
                    (x + w - 0.3 + j(), y + 0.2 + j()),
                ],
                rng,
            )
        )
    if style == "cross":
        strokes.append(_curve([(x + 0.8 + j(), y + 0.8 + j()), (x + w - 0.8 + j(), y + h - 0.8 + j())], rng))
        strokes.append(_curve([(x + w - 0.8 + j(), y + 0.8 + j()), (x + 0.8 + j(), y + h - 0.8 + j())], rng))
    if style == "circle":
        cx, cy, r = x + w / 2 + j(0.15), y + h / 2 + j(0.15), rng.uniform(1.1, 1.6)
        t = np.linspace(0, 2 * math.pi * rng.uniform(1.0, 1.15), 40)
        strokes.append(np.stack([cx + r * np.cos(t) * rng.uniform(0.9, 1.1), cy + r * np.sin(t)], 1))
    if style == "scribble":
        ys = np.linspace(y + 0.6, y + h - 0.6, 9)
        zig = [(x + (0.4 if i % 2 else w - 0.4) + j(0.15), yy) for i, yy in enumerate(ys)]
        strokes.append(_curve(zig, rng, 6))
    level = int(round(255 * (1 - pen.darkness)))
    thickness = max(1, int(round(pen.width * k)))
    # drawn in the box's neighbourhood only (3 mm around it), in that patch's own coordinates
    left, top = max(0, int((x - 3) * k)), max(0, int((y - 3) * k))
    image = image[top : int((y + h + 3) * k), left : int((x + w + 3) * k)]
    origin = np.array([left / k, top / k])
    strokes = [stroke - origin for stroke in strokes]
    x, y = x - origin[0], y - origin[1]
    if style == "fill":
        inset = 0.35
        polygon = np.array(
            [
                (x + inset + j(0.1), y + inset + j(0.1)),
                (x + w - inset + j(0.1), y + inset + j(0.1)),
                (x + w - inset + j(0.1), y + h - inset + j(0.1)),
                (x + inset + j(0.1), y + h - inset + j(0.1)),
            ]
        )
        mask = np.zeros(image.shape, np.uint8)
        cv2.fillPoly(mask, [np.round(polygon * k * 4).astype(np.int32)], 255, cv2.LINE_AA, shift=2)
        image[:] = np.minimum(image, np.where(mask > 0, level, 255).astype(np.uint8))
        return
    for stroke in strokes:
        mask = np.zeros(image.shape, np.uint8)
        cv2.polylines(mask, [np.round(stroke * k * 4).astype(np.int32)], False, 255, thickness, cv2.LINE_AA, shift=2)
        ink = mask.astype(np.float32) / 255 * (255 - level)
        image[:] = np.minimum(image, (255 - ink).astype(np.uint8))


def distort(
    image, rng, dpi: float, *, upside_down=False, angle=None, scale=None, shift=None, noise=None, blur=None, jpeg=None
):
    """The page as scanned: on a slightly grey scanner bed 8 mm wider each side, turned up to ±3°, scaled ±3 %,
    shifted up to 4 mm, blurred (0.06–0.12 mm), with Gaussian noise, saved as JPEG (quality 50) or not."""
    k = dpi / 25.4
    pad = int(8 * k)
    h, w = image.shape
    canvas = np.full((h + 2 * pad, w + 2 * pad), 238, np.uint8)
    canvas[pad : pad + h, pad : pad + w] = image
    angle = rng.uniform(-3, 3) if angle is None else angle
    scale = rng.uniform(0.97, 1.03) if scale is None else scale
    dx, dy = (rng.uniform(-4, 4, 2) * k) if shift is None else np.array(shift) * k
    H, W = canvas.shape
    matrix = cv2.getRotationMatrix2D((W / 2, H / 2), angle + (180 if upside_down else 0), scale)
    matrix[:, 2] += (dx, dy)
    out = cv2.warpAffine(canvas, matrix, (W, H), flags=cv2.INTER_LINEAR, borderValue=238)
    sigma = (rng.uniform(0.06, 0.12) if blur is None else blur) * k
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    noise = rng.uniform(4, 10) if noise is None else noise
    out = np.clip(out.astype(np.float32) + rng.normal(0, noise, out.shape), 0, 255).astype(np.uint8)
    if jpeg if jpeg is not None else rng.random() < 0.5:
        _, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, 50])
        out = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return out


def mark_page(image, layout, rng, dpi: float, *, ambiguous_share=0.15, blank_share=0.2):
    """Marks drawn in a page's rating rows (and priorities) as people draw them; returns what was drawn:
    {field: value, None (blank) or "?" (ambiguous: two ticks, a tick crossed out beside another, a faint mark)}."""
    rows: dict[str, list] = {}
    for box in layout.boxes:
        if box.value:
            rows.setdefault(box.field, []).append(box)
    truth: dict[str, str | None] = {}
    for field, boxes in rows.items():
        boxes.sort(key=lambda b: b.x)
        pen = Pen(rng.uniform(0.35, 0.8), rng.uniform(0.8, 1.0))
        roll = rng.random()
        if roll < blank_share:
            truth[field] = None
            continue
        if roll < blank_share + ambiguous_share:
            kind = rng.choice(["two", "crossed", "faint"]) if len(boxes) > 1 else "faint"
            a, b = rng.choice(len(boxes), 2, replace=False) if len(boxes) > 1 else (0, 0)
            if kind == "two":
                draw(image, boxes[a], str(rng.choice(CLEAR_STYLES[:3])), pen, rng, dpi)
                draw(image, boxes[b], str(rng.choice(CLEAR_STYLES[:3])), pen, rng, dpi)
            elif kind == "crossed":
                draw(image, boxes[a], "scribble", Pen(pen.width, pen.darkness), rng, dpi)
                draw(image, boxes[b], "tick", pen, rng, dpi)
            elif kind == "scribble":
                draw(image, boxes[a], "scribble", pen, rng, dpi)
            else:
                draw(image, boxes[a], "faint", Pen(rng.uniform(0.3, 0.6), rng.uniform(0.12, 0.3)), rng, dpi)
            truth[field] = "?"
            continue
        chosen = boxes[rng.integers(len(boxes))]
        draw(image, chosen, str(rng.choice(CLEAR_STYLES)), pen, rng, dpi)
        truth[field] = chosen.value
    return truth
