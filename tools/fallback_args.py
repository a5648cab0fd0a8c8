"""Whether a fallback provider can take the arguments of its tool's first provider.

A tool's interface is its first provider's schema; a fallback receives the same
arguments by name, or under other names given in the config (`args`). A fallback
that would miss a required argument, or silently drop one the agent passes, is
refused when the tool loads instead of failing later with an unrelated error.
"""

from __future__ import annotations

from typing import Mapping

from tools.schema import EndpointSchema

DROP = ""  # `args = {seed = ""}`: the fallback has no such argument; drop it on purpose


def fallback_problem(primary: EndpointSchema, fallback: EndpointSchema, args: Mapping[str, str]) -> str | None:
    """Why `fallback` cannot take `primary`'s arguments (renamed by `args`), or None if it can."""
    primary_names = [p.name for p in primary.params]
    own = {p.name for p in fallback.params}
    problems = []
    stray = [name for name in args if name not in primary_names]
    if stray:
        problems.append(f"args renames {', '.join(repr(n) for n in stray)}, which the first provider does not have "
                        f"(it takes {', '.join(primary_names) or 'nothing'})")
    wrong = [target for target in args.values() if target != DROP and target not in own]
    if wrong:
        problems.append(f"args maps to {', '.join(repr(n) for n in wrong)}, which the fallback does not have")
    sent = {args.get(name, name) for name in primary_names} - {DROP}
    missing = [p.name for p in fallback.params if p.required and p.name not in sent]
    if missing:
        problems.append(f"it needs {', '.join(repr(n) for n in missing)}, which the first provider does not take")
    dropped = [name for name in primary_names if args.get(name, name) not in own and args.get(name) != DROP]
    if dropped:
        problems.append(f"it has no {', '.join(repr(n) for n in dropped)}, so those arguments would be lost")
    if not problems:
        return None
    example = ", ".join(f'{name} = "{_guess(name, fallback)}"' for name in (dropped or primary_names)[:2])
    return ("; ".join(problems) + f". Map the names in the fallback's config entry, e.g. "
            f"{{space = ..., endpoint = ..., args = {{{example}}}}} (\"\" drops an argument), or remove the fallback.")


def renamed(values: Mapping[str, object], args: Mapping[str, str]) -> dict[str, object]:
    """The first provider's arguments under the fallback's names (those mapped to "" left out)."""
    return {args.get(name, name): value for name, value in values.items() if args.get(name, name) != DROP}


def _guess(name: str, fallback: EndpointSchema) -> str:
    unused = [p.name for p in fallback.params if p.name != name]
    return unused[0] if unused else DROP
