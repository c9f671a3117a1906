"""Names of the standard augmentations (kept light for the command line)."""

#: Names accepted by :func:`skdenoise.augment.from_names` and the command line,
#: with what each does.
AUGMENTATION_NAMES = {
    "flip": "sign flip with probability 0.5",
    "time-flip": "time reversal with probability 0.5",
    "warp": "time warp by a factor in [0.8, 1.25]",
    "scale": "amplitude scale by a factor in [0.5, 2]",
}
