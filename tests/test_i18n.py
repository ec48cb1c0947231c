"""Every interface text the code asks for exists in both languages."""

import re
from pathlib import Path
from typing import get_args

from core.accounts.auth import ROLES, SESSION_END_REASONS
from core.drafting.bouquet_description import LENGTHS, OCCASIONS
from core.drafting.complaint_reply import TONES
from core.drafting.grounding import Tier
from core.drafting.rewrite import REWRITE_ACTIONS
from core.history.browse import MESSAGE_ROLES, RATING_FILTERS, STATUSES, TASKS
from core.history.feedback import REASON_TAGS
from core.i18n import CATALOGUE, UI_LANGUAGES, pick_ui_language, translate
from core.models.backends import REGISTRY
from core.models.catalogue import FIT_STATES
from core.models.model_files import ModelKind
from core.quality.checks import CHECK_IDS, Severity
from core.training_data.export_formats import FORMATS
from core.triage.labels import CHOICES as TRIAGE_CHOICES
from core.tuning.dataset import SOURCES as TRAINING_SOURCES
from core.tuning.jobs import ENDED
from core.tuning.trainer import STAGES
from db.review import REASONS as REVIEW_REASONS
from db.review import STATUSES as REVIEW_STATUSES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "core").rglob("*.py")]
KEY_CALL = re.compile(r"""\btr\(\s*["']([a-z_.]+)["']""")


def used_keys() -> set[str]:
    keys = {key for path in SOURCES for key in KEY_CALL.findall(path.read_text(encoding="utf-8"))}
    # keys built from option values
    keys |= {f"tone.{tone}" for tone in TONES}
    keys |= {f"reason.{tag}" for tag in REASON_TAGS}
    keys |= {f"lang.{code}" for code in ("en", "zh")}
    keys |= {f"occasion.{occasion}" for occasion in OCCASIONS}
    keys |= {f"length.{length}" for length in LENGTHS}
    keys |= {f"rewrite.{action}" for action in REWRITE_ACTIONS}
    keys |= {f"history.rating.{mode}" for mode in RATING_FILTERS}
    keys |= {f"history.status.{status}" for status in STATUSES}
    keys |= {f"history.role.{role}" for role in MESSAGE_ROLES}
    keys |= {f"task.{task}" for task in TASKS}
    keys |= {f"export.format.{name.replace('-', '_')}" for name in FORMATS}
    keys |= {f"auth.role.{role}" for role in ROLES}
    keys |= {f"auth.ended.{reason}" for reason in SESSION_END_REASONS}
    keys |= {f"backend.{backend_id}" for backend_id in REGISTRY}
    keys |= {f"models.kind.{kind}" for kind in get_args(ModelKind)}
    keys |= {f"models.fits.{state}" for state in FIT_STATES}
    keys |= {f"check.{check_id}" for check_id in CHECK_IDS}
    keys |= {f"grounding.tier.{tier}" for tier in get_args(Tier)}
    keys |= {f"training.stage.{stage}" for stage in STAGES}
    keys |= {f"training.state.{state}" for state in ENDED}
    keys |= {f"training.source.{source}" for source in TRAINING_SOURCES}
    keys |= {f"dashboard.check.{check_id}" for check_id in CHECK_IDS}
    keys |= {f"dashboard.severity.{severity}" for severity in get_args(Severity)}
    keys |= {f"{name}.{value}" for name, values in TRIAGE_CHOICES.items() for value in values}
    keys |= {f"triage.{name}" for name in TRIAGE_CHOICES}
    keys |= {f"review.reason.{reason}" for reason in REVIEW_REASONS}
    keys |= {f"review.status.{status}" for status in REVIEW_STATUSES}
    return keys


def test_every_used_key_is_in_the_catalogue():
    missing = used_keys() - CATALOGUE.keys()
    assert not missing


def test_every_entry_has_every_language_with_the_same_placeholders():
    placeholder = re.compile(r"\{(\w+)")
    for key, entry in CATALOGUE.items():
        assert set(entry) == set(UI_LANGUAGES), key
        assert all(text.strip() for text in entry.values()), key
        assert set(placeholder.findall(entry["en"])) == set(placeholder.findall(entry["zh"])), key


def test_no_key_is_left_unused():
    assert not CATALOGUE.keys() - used_keys()


def test_browser_locale_picks_the_interface_language():
    assert pick_ui_language("zh-CN") == "zh"
    assert pick_ui_language("en-US") == "en"
    assert pick_ui_language("fr-FR") == "zh"
    assert pick_ui_language(None) == "zh"
    assert translate("sidebar.model_loaded", "en", model="m", backend="b") == "Loaded: m (b)"
