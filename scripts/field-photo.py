#!/usr/bin/env python3
"""Draws content/images/field-sensors.jpg, the flagship site's photo-like picture: a field at dusk
with crop rows, a soil-moisture sensor on a post and a cellular mast on the horizon. It is made
for the site from nothing but this script (fixed random seed: the same bytes each time), and
published with the site's text under CC BY 4.0.

Needs Pillow and NumPy (`pip install pillow numpy`); run from the repository's root."""

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

W, H = 1600, 1000
rng = np.random.default_rng(27)
y, x = np.mgrid[0:H, 0:W].astype(np.float32)


def noise(scale, octaves=5):
    """Smooth fractal noise in 0..1, from upscaled random grids."""
    total = np.zeros((H, W), np.float32)
    amp, norm = 1.0, 0.0
    for o in range(octaves):
        cells = max(2, int(scale * 2**o))
        grid = rng.random((cells, int(cells * W / H) + 2)).astype(np.float32)
        img = Image.fromarray((grid * 255).astype(np.uint8)).resize((W, H), Image.BICUBIC)
        total += amp * np.asarray(img, np.float32) / 255
        norm += amp
        amp *= 0.5
    return total / norm


horizon = 520
# Sky: deep blue above, warm near the horizon, with a glow around the low sun.
t = np.clip(y / horizon, 0, 1)[..., None]
sky = (1 - t) * np.array([38, 62, 112]) + t * np.array([246, 176, 110])
sun_x, sun_y = 1120, horizon - 40
d = np.sqrt((x - sun_x) ** 2 + (y - sun_y) ** 2)[..., None]
sky += np.exp(-d / 160) * np.array([90, 60, 20]) + np.exp(-d / 28) * np.array([120, 120, 100])
clouds = np.clip(noise(3) - 0.55, 0, 1)[..., None] * 2.2 * (1 - t * 0.6)
sky = sky * (1 - clouds * 0.35) + clouds * np.array([255, 200, 170]) * 0.35

# Hills: two layers of rolling ridges.
img = sky.copy()
for depth, (base, colour) in enumerate([(horizon - 30, (86, 84, 104)), (horizon + 10, (58, 70, 62))]):
    ridge = base + 40 * np.sin(x[0] / (260 - 60 * depth) + depth) + 25 * (noise(2)[0] - 0.5) * 4
    mask = (y > ridge[None, :])[..., None]
    img = np.where(mask, np.array(colour, np.float32) * (0.85 + 0.3 * noise(8)[..., None]), img)

# Field: crop rows converging on a vanishing point, greener and sharper near the viewer.
field = y > horizon + 40
vx = 800
rows = np.sin((x - vx) / np.maximum(y - horizon, 1) * 95) * 0.5 + 0.5
near = np.clip((y - horizon) / (H - horizon), 0, 1)
green = np.stack([60 + 40 * near, 92 + 70 * near, 40 + 20 * near], -1)
soil = np.array([92, 70, 48], np.float32)
crop = green * (0.7 + 0.3 * noise(20)[..., None])
field_px = rows[..., None] * crop + (1 - rows[..., None]) * soil * (0.8 + 0.4 * noise(30)[..., None])
light = 1 + 0.25 * np.exp(-np.abs(x - sun_x) / 500)[..., None] * (1 - near[..., None])
img = np.where(field[..., None], field_px * light, img)

pic = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
draw = ImageDraw.Draw(pic)
# A lattice mast on the horizon, with its antennas.
mx, top, foot = 380, horizon - 230, horizon + 22
draw.polygon([(mx - 22, foot), (mx - 4, top), (mx + 4, top), (mx + 22, foot)], outline=(34, 36, 48), width=4)
for k in range(1, 9):
    yy = top + (foot - top) * k / 9
    half = 4 + 18 * k / 9
    draw.line([(mx - half, yy), (mx + half, yy - 20)], fill=(34, 36, 48), width=2)
for dx in (-14, 10):
    draw.rectangle([mx + dx, top + 10, mx + dx + 6, top + 44], fill=(40, 42, 56))
# A sensor on a post in the foreground: a pole, a small solar panel and a box.
px0 = 1240
draw.rectangle([px0, 700, px0 + 12, 980], fill=(70, 72, 78))
draw.polygon([(px0 - 70, 690), (px0 + 60, 660), (px0 + 80, 720), (px0 - 50, 750)], fill=(30, 46, 84))
draw.rectangle([px0 - 34, 760, px0 + 46, 830], fill=(226, 226, 218), outline=(120, 120, 120), width=3)
draw.ellipse([px0 - 6, 780, px0 + 10, 796], fill=(70, 200, 110))
pic = pic.filter(ImageFilter.GaussianBlur(1.1))

# Grain, as a camera sensor gives.
arr = np.asarray(pic, np.float32) + rng.normal(0, 5, (H, W, 1)).astype(np.float32)
Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(
    "content/images/field-sensors.jpg", quality=86, optimize=True, progressive=False
)
