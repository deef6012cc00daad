#!/usr/bin/python3
"""Writes src/data/imagenet_classes.json: the 1000 ImageNet class names in index order, exactly as
torchvision 0.14 lists them (torchvision/models/_meta.py, _IMAGENET_CATEGORIES; BSD-3-Clause).
Run with the Python that has torchvision: /usr/bin/python3 tools/make_imagenet_classes.py"""
import json
import pathlib

from torchvision.models._meta import _IMAGENET_CATEGORIES

out = pathlib.Path(__file__).resolve().parent.parent / "src" / "data" / "imagenet_classes.json"
out.write_text(json.dumps(list(_IMAGENET_CATEGORIES), indent=0) + "\n")
print(f"wrote {out} ({len(_IMAGENET_CATEGORIES)} classes)")
