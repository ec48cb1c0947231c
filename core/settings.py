"""Shop-wide settings, read from the environment so one deployment can differ from another."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ShopSettings:
    """What the shop calls itself, and where its files live."""

    shop_name: str
    logo_path: Path | None
    models_dir: Path


def shop_settings() -> ShopSettings:
    """Settings from `HUAYU_SHOP_NAME`, `HUAYU_LOGO` and `HUAYU_MODELS_DIR`, with defaults."""
    logo = os.environ.get("HUAYU_LOGO")
    return ShopSettings(
        shop_name=os.environ.get("HUAYU_SHOP_NAME") or "Huayu Flowers",
        logo_path=Path(logo) if logo else None,
        models_dir=Path(os.environ.get("HUAYU_MODELS_DIR") or ROOT / "models"),
    )
