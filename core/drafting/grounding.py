"""What a prompt can be grounded in besides its template: past replies to imitate and passages
of the shop's knowledge. `core.examples` and `core.knowledge` find them; drafting places them in
the prompt and logs which were used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Tier = Literal["edited", "rated", "starter"]
"""Why a past reply counts as good: staff edited and sent it, rated it 4–5 stars or thumbs up,
or it is from Huayu's starter pack. Earlier tiers are preferred."""


@dataclass(frozen=True)
class ExampleReply:
    """A past request and the approved reply to it, to be shown to the model as an exchange."""

    generation_id: int
    score: float
    """Cosine similarity of the two requests (1 is the same meaning)."""
    tier: Tier
    language: str
    request: str
    """The complaint, or the bouquet details."""
    reply: str

    def logged(self) -> dict[str, Any]:
        return {"id": self.generation_id, "score": round(self.score, 4), "tier": self.tier}


@dataclass(frozen=True)
class Passage:
    """A section of a knowledge file placed in the prompt, cited under the draft."""

    source: str
    """The file, relative to the knowledge folder (`en/care.md`)."""
    heading: str
    text: str
    score: float

    def logged(self) -> dict[str, Any]:
        return {"source": self.source, "heading": self.heading, "score": round(self.score, 4)}

    @property
    def citation(self) -> str:
        return f"{self.source} › {self.heading}"


@dataclass(frozen=True)
class Grounding:
    """The examples and passages one prompt uses; empty when few-shot and knowledge are off."""

    examples: tuple[ExampleReply, ...] = ()
    passages: tuple[Passage, ...] = ()

    def logged(self) -> dict[str, Any] | None:
        """As stored with the generation; None when there is nothing."""
        if not self.examples and not self.passages:
            return None
        return {
            "examples": [e.logged() for e in self.examples],
            "passages": [p.logged() for p in self.passages],
        }


NO_GROUNDING = Grounding()
