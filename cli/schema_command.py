"""The ``schema`` subcommand: show a project's labels and stance targets, add to them.

Without it a real NER set's labels (PERSON, PLACE, ...) could only be added in the app; a
script that imports such a set needs to add or map them from the command line.
"""

from __future__ import annotations

import argparse
import sys

from core.schema import Schema, SchemaError
from storage import Project, ProjectError


def add_schema_parser(sub: argparse._SubParsersAction) -> None:
    sch = sub.add_parser(
        "schema",
        help="show the label schema, or add an entity label or a stance target",
        description="Show the project's entity labels, boilerplate kinds and stance targets, "
        "or add to them. A label in use is never renamed or removed here (the app's schema "
        "editor has the same rule).",
    )
    sch.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    what = sch.add_mutually_exclusive_group()
    what.add_argument("--show", action="store_true", help="print the schema (the default)")
    what.add_argument("--add-label", metavar="NAME", help="add an entity label")
    what.add_argument("--add-target", metavar="NAME", help="add a stance target")
    sch.add_argument("--key", default="", help="with --add-label: its key (one character)")
    sch.add_argument("--colour", default="", help="with --add-label: #rrggbb")
    sch.add_argument("--description", default="", help="with --add-label: shown in the app")
    sch.add_argument(
        "--options", default="", help="with --add-target: its options, e.g. favour,against,neutral"
    )
    sch.add_argument("--keys", default="", help="with --add-target: a key per option, e.g. q,w,e")
    sch.set_defaults(handler=cmd_schema)


def describe_schema(schema: Schema) -> str:
    lines = ["entity labels:"]
    for e in schema.entity_labels:
        key = f" [{e.key}]" if e.key else ""
        desc = f"  {e.description}" if e.description else ""
        lines.append(f"  {e.name}{key} {e.colour}{desc}")
    lines.append(
        f"boilerplate kinds: {', '.join(schema.boilerplate_kinds)} [{schema.boilerplate_key}]"
    )
    lines.append("stance targets:")
    for t in schema.stance_targets:
        options = ", ".join(f"{o.value}" + (f" [{o.key}]" if o.key else "") for o in t.options)
        lines.append(f"  {t.name}: {options}")
    return "\n".join(lines)


def cmd_schema(args: argparse.Namespace) -> int:
    try:
        with Project.open(args.project) as project:
            schema = project.schema()
            if args.add_label:
                if len(args.key) > 1:
                    raise SchemaError("--key takes one character")
                schema = schema.with_entity_label(
                    args.add_label, colour=args.colour, key=args.key, description=args.description
                )
                project.set_schema(schema)
                print(f"added entity label {args.add_label.strip()}")
            elif args.add_target:
                options = [o for o in args.options.split(",") if o.strip()]
                if not options:
                    raise SchemaError("--add-target needs --options, e.g. favour,against")
                keys = [k for k in args.keys.split(",") if k.strip()]
                schema = schema.with_stance_target(args.add_target, options, keys)
                project.set_schema(schema)
                print(f"added stance target {args.add_target.strip()}")
            else:
                print(describe_schema(schema))
    except (SchemaError, ProjectError) as exc:
        print(f"tandai schema: {exc}", file=sys.stderr)
        return 1
    return 0
