"""The agent's code screen: a LocalPythonExecutor that runs only what a chain needs.

This is the first layer, not the boundary: it runs inside the worker process
(`agent.worker`), whose kernel limits (`agent.confine`) are what a bypass of
these Python-level rules runs into. Its job is to give the model clear
messages for code it should not write.


smolagents' LocalPythonExecutor already interprets the agent's code node by node
(no `open`, no `eval`, no dunder attributes, a short import list). It is not a
security boundary on its own: it lets code read any non-dunder attribute (a
tool's `.providers[0].session._token`, a generator's `.gi_frame.f_globals`),
call `setattr`, and allocate or loop without bound. This module closes those
gaps for Diorama:

- a pre-execution AST screen (`screen`) refuses over-long code, imports outside
  `ALLOWED_IMPORTS`, private/special/introspection attributes, dunder names and
  strings, code-running builtins, `str.format` field access, recursion, deeply
  nested comprehensions, and constant-sized bombs (`range(10**8)`,
  `'x' * 10**9`, `[0] * 10**9`, `2 ** 10**9`);
- tools reach the code as plain closures (`_sealed`); in the worker process
  (`agent.worker`) they are stubs that ask the app's broker (`agent.broker`),
  which checks every argument and alone holds sessions, caches and tokens;
- at run time: at most `MAX_OPERATIONS` interpreted operations per step, a
  stop check on every operation batch (cancel reaches a busy loop), `range`
  and `pow` bounded, `time.sleep` capped and interruptible, print output capped,
  `setattr` gone and `getattr`/`hasattr` refusing private names.

Every refusal is an `InterpreterError` whose message the agent reads as its
step's observation: "<what> is not allowed: <why>; use the provided tools instead."
"""

from __future__ import annotations

import ast
import math
import re
import string
import threading
import time
import types
from typing import Any, Callable

from smolagents.local_python_executor import BASE_PYTHON_TOOLS, InterpreterError, LocalPythonExecutor, \
    PrintContainer


ALLOWED_IMPORTS = ("collections", "datetime", "math", "random", "re", "statistics", "time", "unicodedata")
MAX_CODE_CHARS = 20_000
MAX_OPERATIONS = 1_000_000  # interpreted AST nodes per step (smolagents' own cap is 10,000,000)
MAX_RANGE = 1_000_000  # items of one range()
MAX_SEQUENCE = 1_000_000  # items or characters made by one repetition (`'x' * n`, `[0] * n`)
MAX_INT_BITS = 100_000  # size of one integer made by `**` or `<<`
MAX_COMPREHENSION_DEPTH = 3  # `for` clauses nested in one comprehension
MAX_AST_DEPTH = 60
MAX_SLEEP_S = 10.0
MAX_PRINT_CHARS = 100_000
_TAIL = "use the provided tools instead."

_FORBIDDEN_NAMES = {
    "eval": "the agent's code cannot run other code", "exec": "the agent's code cannot run other code",
    "compile": "the agent's code cannot run other code", "__import__": "imports are limited to a short list",
    "open": "the agent's code cannot touch files", "input": "there is no console",
    "breakpoint": "there is no debugger", "help": "there is no console", "memoryview": "raw memory is off limits",
    "globals": "the interpreter's namespaces are off limits", "locals": "the interpreter's namespaces are off limits",
    "vars": "the interpreter's namespaces are off limits", "dir": "the interpreter's namespaces are off limits",
    "setattr": "objects cannot be modified from the agent's code",
    "delattr": "objects cannot be modified from the agent's code",
    "exit": "the process cannot be stopped from the agent's code",
    "quit": "the process cannot be stopped from the agent's code",
}
# Non-underscore attributes that lead to frames, code objects, globals or the class hierarchy.
_INTROSPECTION = {"gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame", "ag_code",
                  "ag_await", "f_globals", "f_locals", "f_back", "f_builtins", "f_code", "tb_frame", "tb_next",
                  "func_globals", "func_code", "func_closure", "co_code", "mro", "im_func", "im_self",
                  "format_map"}
_DUNDER = re.compile(r"^__\w+__$")
_PADDING = {"ljust", "rjust", "center", "zfill", "expandtabs"}


def refusal(what: str, why: str) -> InterpreterError:
    """The error an agent reads when its code is refused."""
    return InterpreterError(f"{what} is not allowed: {why}; {_TAIL}")


# ---- the pre-execution screen ---------------------------------------------------------------

_HUGE = float("inf")  # a folded value too big to compute


def screen(code: str, *, tool_names: frozenset[str] = frozenset(), known: dict[str, Any] | None = None) -> None:
    """Refuse code that tries to escape or is likely to exhaust memory or CPU, before any of it runs.

    Args:
        code: the agent's code for one step.
        tool_names: names bound to tools (attribute access on them is refused).
        known: variables from earlier steps (their int values help size `range(n)` and `'x' * n`).

    Raises:
        InterpreterError: "<what> is not allowed: <why>; use the provided tools instead."
    """
    if len(code) > MAX_CODE_CHARS:
        raise refusal(f"Code of {len(code):,} characters", f"one step may have at most {MAX_CODE_CHARS:,}; "
                      "write shorter code (parallel_map makes many objects in one call)")
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return  # the executor reports the syntax error itself
    except RecursionError:
        raise refusal("Code nested this deeply", f"at most {MAX_AST_DEPTH} levels") from None
    _Screen(tool_names, known or {}).run(tree)


class _Screen(ast.NodeVisitor):
    def __init__(self, tool_names: frozenset[str], known: dict[str, Any]) -> None:
        self.tool_names = tool_names
        self.consts: dict[str, Any] = {k: v for k, v in known.items() if isinstance(v, (int, float, str, bytes))
                                       and not isinstance(v, bool)}
        self.assigned: set[str] = {k for k in known if not k.startswith("_")}
        self.depth = 0

    def run(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):  # names the code binds itself, and constants they may hold
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.assigned.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                self.assigned.add(node.name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = self.fold(node.value)
                if value is not None:
                    name = node.targets[0].id
                    previous = self.consts.get(name)
                    self.consts[name] = value if previous is None else _bigger(previous, value)
        self.visit(tree)

    def generic_visit(self, node: ast.AST) -> None:
        self.depth += 1
        if self.depth > MAX_AST_DEPTH:
            raise refusal("Code nested this deeply", f"at most {MAX_AST_DEPTH} levels")
        super().generic_visit(node)
        self.depth -= 1

    # -- imports and names

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check_module(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            raise refusal("A relative import", "imports are limited to " + ", ".join(ALLOWED_IMPORTS))
        self._check_module(node.module or "")
        for alias in node.names:
            if alias.name.startswith("_"):
                raise refusal(f"Importing {alias.name}", "private names are off limits")

    @staticmethod
    def _check_module(name: str) -> None:
        if name.split(".")[0] not in ALLOWED_IMPORTS:
            raise refusal(f"Import of {name}", "the agent's code may import only " + ", ".join(ALLOWED_IMPORTS))

    def visit_Name(self, node: ast.Name) -> None:
        if node.id.startswith("__"):
            raise refusal(f"The name {node.id}", "special names are off limits")
        if node.id in _FORBIDDEN_NAMES and not (isinstance(node.ctx, ast.Store) or node.id in self.assigned):
            raise refusal(f"{node.id}", _FORBIDDEN_NAMES[node.id])

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and _DUNDER.match(node.value):
            raise refusal(f"The string {node.value!r}", "special names are off limits")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_"):
            raise refusal(f"Attribute access .{node.attr}", "private and special attributes are off limits")
        if node.attr in _INTROSPECTION:
            raise refusal(f"Attribute access .{node.attr}", "frames, code objects and the class hierarchy are off "
                          "limits")
        if isinstance(node.value, ast.Name) and node.value.id in self.tool_names:
            raise refusal(f"Attribute access {node.value.id}.{node.attr}",
                          f"tools are plain functions; call {node.value.id}(...) with its arguments")
        if node.attr == "format" and not _plain_format_string(node.value):
            raise refusal("str.format here", "format fields may not read attributes or items, and the format "
                          "string must be a literal; use an f-string")
        self.generic_visit(node)

    # -- recursion, nesting

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == node.name:
                raise refusal(f"Recursive function {node.name}()", "recursion can exhaust the interpreter; "
                              "use a loop")
        self.generic_visit(node)

    def _comprehension(self, node: ast.AST) -> None:
        if _comprehension_depth(node) > MAX_COMPREHENSION_DEPTH:
            raise refusal("A comprehension nested this deeply", f"at most {MAX_COMPREHENSION_DEPTH} 'for' clauses")
        self.generic_visit(node)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    # -- sizes

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "range" and "range" not in self.assigned:
            args = [self.fold(a) for a in node.args]
            if args and all(isinstance(a, (int, float)) for a in args):
                size = _range_size(args)
                if size > MAX_RANGE:
                    raise refusal(f"range() of {_count(size)} items", f"a loop may run at most {MAX_RANGE:,} times")
        if isinstance(node.func, ast.Attribute) and node.func.attr in _PADDING:
            for arg in node.args:
                width = self.fold(arg)
                if isinstance(width, (int, float)) and width > MAX_SEQUENCE:
                    raise refusal(f"Padding a string to {_count(width)} characters",
                                  f"one string may have at most {MAX_SEQUENCE:,} characters")
        self.generic_visit(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        if isinstance(node.format_spec, ast.JoinedStr):
            for part in node.format_spec.values:
                if isinstance(part, ast.Constant) and _wide_spec(str(part.value)):
                    raise refusal("A format width this large", f"one string may have at most {MAX_SEQUENCE:,} "
                                  "characters")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        left, right = self.fold(node.left), self.fold(node.right)
        if isinstance(node.op, ast.Mult):
            for seq, times in ((node.left, right), (node.right, left)):
                length = self._length(seq)
                if length and isinstance(times, (int, float)) and length * times > MAX_SEQUENCE:
                    raise refusal(f"Repeating a sequence {_count(times)} times",
                                  f"one repetition may make at most {MAX_SEQUENCE:,} items or characters")
        if isinstance(node.op, (ast.Pow, ast.LShift)) and _int_bits(node.op, left, right) > MAX_INT_BITS:
            raise refusal("A number this large", f"integers are limited to {MAX_INT_BITS:,} bits")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        value = self.fold(node.value)
        if isinstance(node.op, ast.Mult) and isinstance(value, (int, float)) and value > MAX_SEQUENCE:
            raise refusal(f"Repeating a value {_count(value)} times",
                          f"one repetition may make at most {MAX_SEQUENCE:,} items or characters")
        if isinstance(node.op, (ast.Pow, ast.LShift)) and _int_bits(node.op, 2, value) > MAX_INT_BITS:
            raise refusal("A number this large", f"integers are limited to {MAX_INT_BITS:,} bits")
        self.generic_visit(node)

    def _length(self, node: ast.AST) -> int:
        """The length of a sequence literal (or a name holding a str), else 0 (unknown or not a sequence)."""
        if isinstance(node, (ast.List, ast.Tuple)):
            return max(1, len(node.elts))
        if isinstance(node, (ast.ListComp, ast.JoinedStr)):
            return 1
        value = self.fold(node)
        return max(1, len(value)) if isinstance(value, (str, bytes)) else 0

    def fold(self, node: ast.AST) -> Any:
        """The value of a constant expression (ints may come back as inf when too big to compute), else None."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bytes)) \
                and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.Name):
            return self.consts.get(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value = self.fold(node.operand)
            return -value if isinstance(value, (int, float)) else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("int", "float") \
                and len(node.args) == 1:
            return self.fold(node.args[0])
        if isinstance(node, ast.BinOp):
            left, right = self.fold(node.left), self.fold(node.right)
            if not (isinstance(left, (int, float)) and isinstance(right, (int, float))):
                return None
            try:
                if isinstance(node.op, ast.Pow):
                    return _HUGE if _int_bits(node.op, left, right) > MAX_INT_BITS else left ** right
                if isinstance(node.op, ast.LShift):
                    return _HUGE if _int_bits(node.op, left, right) > MAX_INT_BITS else int(left) << int(right)
                if isinstance(node.op, ast.Mult):
                    return left * right
                if isinstance(node.op, ast.Add):
                    return left + right
                if isinstance(node.op, ast.Sub):
                    return left - right
                if isinstance(node.op, (ast.FloorDiv, ast.Div)) and right:
                    return left // right if isinstance(node.op, ast.FloorDiv) else left / right
            except (OverflowError, ValueError, TypeError, ZeroDivisionError):
                return _HUGE
        return None


def _bigger(a: Any, b: Any) -> Any:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a if abs(a) >= abs(b) else b
    return b


def _plain_format_string(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(node.value) if f is not None]
    except ValueError:
        return False
    specs = [spec for _, _, spec, _ in string.Formatter().parse(node.value) if spec]
    return not any("." in f or "[" in f for f in fields) and not any(_wide_spec(spec) for spec in specs)


def _wide_spec(spec: str) -> bool:
    return any(int(digits) > MAX_SEQUENCE for digits in re.findall(r"\d+", spec))


def _comprehension_depth(node: ast.AST) -> int:
    generators = getattr(node, "generators", None)
    own = len(generators or [])
    inner = 0
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.comprehension):
            for part in (child.iter, *child.ifs):
                inner = max(inner, _max_comprehension(part))
        else:
            inner = max(inner, _max_comprehension(child))
    return own + inner


def _max_comprehension(node: ast.AST) -> int:
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return _comprehension_depth(node)
    return max((_max_comprehension(c) for c in ast.iter_child_nodes(node)), default=0)


def _range_size(args: list[float]) -> float:
    if any(math.isinf(a) for a in args):
        return _HUGE
    start, stop, step = (0, args[0], 1) if len(args) == 1 else (args[0], args[1], args[2] if len(args) > 2 else 1)
    if not step:
        return 0
    return max(0, math.ceil((stop - start) / step))


def _int_bits(op: ast.operator, left: Any, right: Any) -> float:
    """Rough size in bits of `left ** right` or `left << right`; 0 when unknown or small."""
    if not (isinstance(left, (int, float)) and isinstance(right, (int, float))):
        return 0
    if math.isinf(left) or math.isinf(right):
        return _HUGE
    if isinstance(op, ast.LShift):
        return max(0.0, float(right))
    if right <= 0 or abs(left) <= 1:
        return 0
    return float(right) * math.log2(abs(left))


def _count(value: float) -> str:
    return "an enormous number of" if math.isinf(value) or value > 10**15 else f"{int(value):,}"


# ---- run-time guards -------------------------------------------------------------------------

class _StepGuard(dict):
    """smolagents' per-step operation counter, made strict: a lower cap, and a stop check."""

    def __init__(self, limit: int, stop: Callable[[], bool]) -> None:
        super().__init__(counter=0)
        self._limit = limit
        self._stop = stop

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "counter":
            if value > self._limit:
                raise refusal(f"Running more than {self._limit:,} operations in one step",
                              "this looks like a runaway loop")
            if value % 256 == 0 and self._stop():
                raise InterpreterError("The run was stopped (cancelled or out of time); this step is abandoned.")
        super().__setitem__(key, value)


class _CappedPrint(PrintContainer):
    def __iadd__(self, other: Any) -> "_CappedPrint":
        if len(self.value) < MAX_PRINT_CHARS:
            self.value = (self.value + str(other))[:MAX_PRINT_CHARS]
            if len(self.value) >= MAX_PRINT_CHARS:
                self.value += f"\n[print output cut at {MAX_PRINT_CHARS:,} characters]\n"
        return self

    def append(self, text: str) -> "_CappedPrint":
        return self.__iadd__(text)


class _State(dict):
    """The executor's variables, with smolagents' bookkeeping swapped for strict versions as it is set."""

    def __init__(self, *args: Any, guard: Callable[[str, Any], Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard = guard

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, self._guard(key, value))

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def copy(self) -> "_State":  # function bodies and comprehensions run in copies: keep them guarded
        return _State(self, guard=self._guard)


def _bounded_range(*args: Any) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise refusal(f"range() of {len(result):,} items", f"a loop may run at most {MAX_RANGE:,} times")
    return result


def _bounded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is None and isinstance(base, int) and isinstance(exp, int) and \
            _int_bits(ast.Pow(), base, exp) > MAX_INT_BITS:
        raise refusal("A number this large", f"integers are limited to {MAX_INT_BITS:,} bits")
    return pow(base, exp) if mod is None else pow(base, exp, mod)


def _one_arg_type(obj: Any) -> type:
    """type(x) only: the three-argument form would build classes outside the interpreter."""
    return type(obj)


def _no_private(name: Any) -> str:
    if not isinstance(name, str) or name.startswith("_") or name in _INTROSPECTION or name == "format":
        raise refusal(f"Attribute access .{name}", "private, special and introspection attributes are off limits")
    return name


def _safe_getattr(obj: Any, name: Any, *default: Any) -> Any:
    if callable(obj) and getattr(obj, "_diorama_tool", False):
        raise refusal("Attribute access on a tool", "tools are plain functions; call them with their arguments")
    return getattr(obj, _no_private(name), *default)


def _safe_hasattr(obj: Any, name: Any) -> bool:
    return hasattr(obj, _no_private(name))


# ---- the executor ----------------------------------------------------------------------------

class SandboxedExecutor(LocalPythonExecutor):
    """LocalPythonExecutor with Diorama's screen, sealed tools and run-time guards.

    Args:
        stop: returns True once the run is cancelled or out of time; checked between operations.
        max_operations: interpreted operations allowed per step.
    """

    def __init__(self, *, stop: Callable[[], bool] = lambda: False, max_operations: int = MAX_OPERATIONS,
                 max_print_outputs_length: int | None = None) -> None:
        super().__init__([], max_print_outputs_length=max_print_outputs_length, timeout_seconds=None)
        self.authorized_imports = list(ALLOWED_IMPORTS)
        self.stop = stop
        self.max_operations = max_operations
        self.state = _State(self.state, guard=self._guard)
        self._tool_names: frozenset[str] = frozenset()
        self._safe_time = _safe_module(time, sleep=self._sleep)
        self._swaps = {id(time.sleep): self._sleep, id(math.factorial): _bounded_math(math.factorial),
                       id(math.comb): _bounded_math(math.comb), id(math.perm): _bounded_math(math.perm)}
        self._safe_math = _safe_module(math, factorial=self._swaps[id(math.factorial)],
                                       comb=self._swaps[id(math.comb)], perm=self._swaps[id(math.perm)])

    def __call__(self, code_action: str):
        try:
            screen(code_action, tool_names=self._tool_names,
                   known={k: v for k, v in self.state.items() if not k.startswith("_")})
        except InterpreterError as exc:  # read like smolagents' own run-time refusals
            raise InterpreterError(f"InterpreterError: {exc}") from None
        return super().__call__(code_action)

    def send_tools(self, tools: dict[str, Callable[..., Any]]) -> None:
        """Bind the tools: callables (in the worker, stubs that ask the broker) or smolagents Tools."""
        sealed = {name: _sealed(name, tool, getattr(tool, "description", None) or getattr(tool, "__doc__", "") or "")
                  for name, tool in tools.items()}
        base = {k: v for k, v in BASE_PYTHON_TOOLS.items() if k not in ("setattr",)}
        base.update(getattr=_safe_getattr, hasattr=_safe_hasattr, range=_bounded_range, pow=_bounded_pow,
                    type=_one_arg_type)
        self.static_tools = {**sealed, **base, **self.additional_functions}
        self._tool_names = frozenset(sealed)

    def _guard(self, key: str, value: Any) -> Any:
        if key == "_operations_count" and isinstance(value, dict) and not isinstance(value, _StepGuard):
            return _StepGuard(self.max_operations, self.stop)
        if key == "_print_outputs" and type(value) is PrintContainer:
            capped = _CappedPrint()
            capped.value = value.value
            return capped
        if isinstance(value, types.ModuleType):
            return {"time": self._safe_time, "math": self._safe_math}.get(value.__name__, value)
        if callable(value):
            try:
                return self._swaps.get(id(value), value)
            except TypeError:
                return value
        return value

    def _sleep(self, seconds: float) -> None:
        if not isinstance(seconds, (int, float)) or seconds < 0 or seconds > MAX_SLEEP_S:
            raise refusal(f"time.sleep({seconds!r})", f"a sleep may last 0 to {MAX_SLEEP_S:g} s")
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.stop():
                raise InterpreterError("The run was stopped (cancelled or out of time); this step is abandoned.")
            threading.Event().wait(min(0.1, left))


def _safe_module(module: types.ModuleType, **overrides: Any) -> types.ModuleType:
    copy = types.ModuleType(module.__name__)
    for name in dir(module):
        if not name.startswith("_"):
            setattr(copy, name, overrides.get(name, getattr(module, name)))
    return copy


def _bounded_math(function: Callable[..., int]) -> Callable[..., int]:
    def bounded(*args: Any) -> int:
        if any(isinstance(a, int) and a > 10_000 for a in args):
            raise refusal(f"math.{function.__name__} of numbers above 10,000", "the result would be enormous")
        return function(*args)

    bounded.__name__ = function.__name__
    return bounded


def _sealed(name: str, function: Callable[..., Any], description: str) -> Callable[..., Any]:
    """A plain function calling `function`: no attribute of it leads anywhere but its name and description."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = description
    call._diorama_tool = True  # type: ignore[attr-defined]
    return call


__all__ = ["ALLOWED_IMPORTS", "MAX_CODE_CHARS", "MAX_OPERATIONS", "SandboxedExecutor", "refusal", "screen"]
