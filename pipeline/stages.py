"""The pipeline's stages, in the order a report lists them."""
from __future__ import annotations

import enum


class Stage(str, enum.Enum):
    SCA = "sca"
    SAST = "sast"
    IAC = "iac"
    DAST = "dast"

    @classmethod
    def parse_list(cls, text: str) -> list[Stage]:
        stages = []
        for word in (w.strip().lower() for w in text.split(",")):
            if not word:
                continue
            try:
                stages.append(cls(word))
            except ValueError:
                raise ValueError(f"unknown stage {word!r}; use a comma-separated list of {', '.join(s.value for s in cls)}") from None
        return stages
