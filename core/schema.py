"""The label schema of a project: entity labels, boilerplate kinds, stance targets.

It lives inside the project (seeded from ``resources/schema/default.json``) so that every
annotator of a project works with the same labels, keys and colours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Light colours, far from the text selection's blue, for labels added without one.
SPARE_COLOURS = ("#c9e4b4", "#f7c6e0", "#ffd8a8", "#b4e0e0", "#e0d0b4", "#d0d0f0", "#f0f0a0")


class SchemaError(ValueError):
    """A schema that cannot be used as it is; the message says which part and why."""


@dataclass(frozen=True, slots=True)
class EntityLabel:
    name: str
    colour: str
    key: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class StanceOption:
    value: str
    key: str = ""


@dataclass(frozen=True, slots=True)
class StanceTarget:
    name: str
    options: tuple[StanceOption, ...]
    #: What the stance is toward ("main": the article's main actor or policy), shown beside
    #: the stance keys so that nobody has to guess what the target name means.
    description: str = ""


@dataclass(frozen=True, slots=True)
class Schema:
    entity_labels: tuple[EntityLabel, ...] = ()
    boilerplate_kinds: tuple[str, ...] = ("boilerplate",)
    boilerplate_key: str = "b"
    stance_targets: tuple[StanceTarget, ...] = ()
    snap_to_words: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def entity(self, name: str) -> EntityLabel | None:
        return next((label for label in self.entity_labels if label.name == name), None)

    def stance_target(self, name: str) -> StanceTarget | None:
        return next((t for t in self.stance_targets if t.name == name), None)

    @property
    def default_boilerplate_kind(self) -> str:
        """What the B key marks and the boilerplate suggesters propose: the first kind."""
        return self.boilerplate_kinds[0] if self.boilerplate_kinds else "boilerplate"

    def with_entity_label(
        self, name: str, *, colour: str = "", key: str = "", description: str = ""
    ) -> Schema:
        """This schema with one more entity label (validated). Without a colour the first
        of :data:`SPARE_COLOURS` no label uses is taken."""
        name = name.strip()
        if self.entity(name) is not None:
            raise SchemaError(f"the schema already has an entity label {name!r}")
        used = {e.colour.lower() for e in self.entity_labels}
        colour = colour or next((c for c in SPARE_COLOURS if c not in used), SPARE_COLOURS[0])
        label = EntityLabel(name=name, colour=colour, key=key, description=description)
        schema = replace(self, entity_labels=(*self.entity_labels, label))
        schema.validate()
        return schema

    def with_stance_value(self, target: str, value: str) -> Schema:
        """This schema with ``value`` as an option of ``target`` (the target is added when
        it is new; an option it already has changes nothing)."""
        found = self.stance_target(target)
        if found is None:
            return self.with_stance_target(target, [value], [])
        if value in {o.value for o in found.options}:
            return self
        grown = replace(found, options=(*found.options, StanceOption(value=value)))
        schema = replace(
            self,
            stance_targets=tuple(grown if t is found else t for t in self.stance_targets),
        )
        schema.validate()
        return schema

    def with_stance_target(self, name: str, options: list[str], keys: list[str]) -> Schema:
        """This schema with one more stance target and its options (keys optional)."""
        name = name.strip()
        if self.stance_target(name) is not None:
            raise SchemaError(f"the schema already has a stance target {name!r}")
        if keys and len(keys) != len(options):
            raise SchemaError(f"{len(options)} options but {len(keys)} keys")
        target = StanceTarget(
            name=name,
            options=tuple(
                StanceOption(value=o.strip(), key=(keys[i].strip() if keys else ""))
                for i, o in enumerate(options)
            ),
        )
        schema = replace(self, stance_targets=(*self.stance_targets, target))
        schema.validate()
        return schema

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_labels": [
                {"name": e.name, "colour": e.colour, "key": e.key, "description": e.description}
                for e in self.entity_labels
            ],
            "boilerplate_kinds": list(self.boilerplate_kinds),
            "boilerplate_key": self.boilerplate_key,
            "stance_targets": [
                {
                    "name": t.name,
                    "options": [{"value": o.value, "key": o.key} for o in t.options],
                    **({"description": t.description} if t.description else {}),
                }
                for t in self.stance_targets
            ],
            "snap_to_words": self.snap_to_words,
            **self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schema:
        """Build and validate a schema; raise :class:`SchemaError` naming the faulty part."""
        if not isinstance(data, dict):
            raise SchemaError("a schema must be a JSON object")
        known = {
            "entity_labels",
            "boilerplate_kinds",
            "boilerplate_key",
            "stance_targets",
            "snap_to_words",
        }
        try:
            labels = tuple(
                EntityLabel(
                    name=str(e["name"]).strip(),
                    colour=str(e.get("colour", "#ffd54f")),
                    key=str(e.get("key", "")),
                    description=str(e.get("description", "")),
                )
                for e in data.get("entity_labels", [])
            )
            targets = tuple(
                StanceTarget(
                    name=str(t["name"]).strip(),
                    options=tuple(
                        StanceOption(value=str(o["value"]), key=str(o.get("key", "")))
                        for o in t.get("options", [])
                    ),
                    description=str(t.get("description", "")),
                )
                for t in data.get("stance_targets", [])
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise SchemaError(
                f"schema entry is missing a field or has the wrong shape: {exc}"
            ) from exc
        schema = cls(
            entity_labels=labels,
            boilerplate_kinds=tuple(str(k) for k in data.get("boilerplate_kinds", ["boilerplate"])),
            boilerplate_key=str(data.get("boilerplate_key", "b")),
            stance_targets=targets,
            snap_to_words=bool(data.get("snap_to_words", True)),
            extra={k: v for k, v in data.items() if k not in known},
        )
        schema.validate()
        return schema

    def validate(self) -> None:
        names = [e.name for e in self.entity_labels]
        if any(not n for n in names):
            raise SchemaError("an entity label has an empty name")
        if len(set(names)) != len(names):
            raise SchemaError(f"entity label names repeat: {sorted(names)}")
        for label in self.entity_labels:
            if not _COLOUR.match(label.colour):
                raise SchemaError(
                    f"entity label {label.name!r}: colour {label.colour!r} is not #rrggbb"
                )
        keys = [e.key for e in self.entity_labels if e.key] + [self.boilerplate_key]
        if len(set(keys)) != len(keys):
            raise SchemaError(f"label keys repeat: {keys}")
        for target in self.stance_targets:
            if not target.name:
                raise SchemaError("a stance target has an empty name")
            values = [o.value for o in target.options]
            if not values or len(set(values)) != len(values):
                raise SchemaError(f"stance target {target.name!r} needs distinct options")
        if len({t.name for t in self.stance_targets}) != len(self.stance_targets):
            raise SchemaError("stance target names repeat")
