"""Formulas of tenant pay components over named inputs (pure).

A component with method ``formula`` gives its monthly amount as an
arithmetic expression over the worker's month, for example::

    post_pay * 0.1
    days_worked * 30
    min(overtime_hours, 36) * 20
    round(band_pay / 21.75 * 2, 1)

The expression is parsed with Python's ``ast`` and walked by hand; nothing
is ever passed to ``eval``.  Only these are allowed:

* numbers typed as plain decimals (``30``, ``0.1``; no exponents, no
  underscores, no complex numbers);
* the names in ``INPUTS`` (documented on the pay components page);
* ``+ - * /``, unary ``-`` and ``+``, parentheses;
* ``min(a, b, ...)`` and ``max(a, b, ...)`` (two or more arguments) and
  ``round(x)`` / ``round(x, places)`` with ``places`` a whole number 0–2,
  rounding half up (as payroll sheets do, not Python's half-even).

Arithmetic is ``Decimal`` throughout, in a local context of 28 significant
digits, so a float never enters.  The result is rounded once to the fen,
half up.  Every refusal — a syntax error, an unknown name, division by zero,
a number out of range — is a ``DomainError`` with the form field
``formula``: ``check`` is called when the component is saved, ``evaluate``
in the run for each worker.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal, DecimalException, localcontext
from functools import lru_cache
from typing import Any

from service.errors import N_, DomainError
from service.money import FEN

MAX_LENGTH = 500
MAX_NODES = 200  # a generous bound on the size of a formula's tree
MAX_DEPTH = 30
LIMIT = Decimal("10000000000")  # |value| of any intermediate result; numeric(12, 2) holds less
PRECISION = 28
FIELD = "formula"

# The named inputs, each with its msgid for the page.  ``components.rules.formula_inputs``
# gives their values for a worker and month; keep both in step.
INPUTS: dict[str, str] = {
    "post_pay": N_("Post pay of the worker's band cell"),
    "grade_pay": N_("Grade pay of the worker's band cell"),
    "performance_pay": N_("Performance pay of the band cell (coefficient × performance base)"),
    "band_pay": N_("Post pay + grade pay + performance pay"),
    "grade": N_("The worker's professional grade, 1 to 5"),
    "years_of_service": N_("Full years of service before the month starts"),
    "days_worked": N_("Days worked in the month (21.75 when no attendance is recorded)"),
    "absence_days": N_("Days of unpaid absence in the month"),
    "overtime_weekday_hours": N_("Weekday overtime hours"),
    "overtime_rest_day_hours": N_("Rest-day overtime hours"),
    "overtime_holiday_hours": N_("Holiday overtime hours"),
    "overtime_hours": N_("All overtime hours of the month"),
    "monthly_pay_days": N_("Monthly pay days, 21.75"),
}
FUNCTIONS = ("min", "max", "round")


def _error(message: str, **params: Any) -> DomainError:
    return DomainError(message, field=FIELD, **params)


def _number(text: object) -> Decimal:
    if isinstance(text, bool) or not isinstance(text, (int, float)):
        raise _error(N_("Only numbers, the listed inputs, + - * /, parentheses, min, max and round are allowed."))
    # A float literal is read back from its source text, so 0.1 is exactly 0.1.
    value = Decimal(repr(text)) if isinstance(text, float) else Decimal(text)
    if not value.is_finite() or abs(value) >= LIMIT:
        raise _error(N_("The number {number} is too large."), number=repr(text))
    return value


def _check_literal(source: str, node: ast.Constant) -> None:
    """Plain decimals only (no 1e3, 1_000, 0x10, 1j, True, 'text'); the
    node's value becomes the exact Decimal of the typed digits."""
    segment = ast.get_source_segment(source, node) or ""
    if (
        isinstance(node.value, bool)
        or not isinstance(node.value, (int, float))
        or not segment
        or any(c not in "0123456789." for c in segment)
    ):
        raise _error(N_("Only numbers, the listed inputs, + - * /, parentheses, min, max and round are allowed."))
    _number(node.value)  # the size check
    node.value = Decimal(segment)  # type: ignore[assignment]  # ast types no Decimal: the checked tree carries exact ones


def _validate(source: str, node: ast.AST, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise _error(N_("The formula is too complicated."))
    if isinstance(node, ast.Expression):
        _validate(source, node.body, depth + 1)
    elif isinstance(node, ast.Constant):
        _check_literal(source, node)
    elif isinstance(node, ast.Name):
        if node.id not in INPUTS:
            raise _error(N_("Unknown name {name}: use one of the listed inputs."), name=node.id)
    elif isinstance(node, ast.BinOp):
        if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            raise _error(N_("Only + - * / are allowed as operators."))
        _validate(source, node.left, depth + 1)
        _validate(source, node.right, depth + 1)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _error(N_("Only + - * / are allowed as operators."))
        _validate(source, node.operand, depth + 1)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise _error(N_("Only numbers, the listed inputs, + - * /, parentheses, min, max and round are allowed."))
        if node.func.id not in FUNCTIONS:
            raise _error(N_("Unknown function {name}: use min, max or round."), name=node.func.id)
        if node.keywords:
            raise _error(N_("Write the arguments of {name} without names."), name=node.func.id)
        count = len(node.args)
        if node.func.id in ("min", "max") and count < 2:
            raise _error(N_("{name} needs at least two arguments."), name=node.func.id)
        if node.func.id == "round":
            if count not in (1, 2):
                raise _error(N_("round takes a number and, optionally, the decimal places (0 to 2)."))
            if count == 2 and not (
                isinstance(node.args[1], ast.Constant)
                and type(node.args[1].value) is int
                and 0 <= node.args[1].value <= 2
                and (ast.get_source_segment(source, node.args[1]) or "").isdigit()
            ):
                raise _error(N_("round takes a number and, optionally, the decimal places (0 to 2)."))
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise _error(N_("Only numbers, the listed inputs, + - * /, parentheses, min, max and round are allowed."))
            _validate(source, arg, depth + 1)
    else:
        raise _error(N_("Only numbers, the listed inputs, + - * /, parentheses, min, max and round are allowed."))


def parse(source: str) -> ast.Expression:
    """The checked tree of a formula; raises DomainError (field ``formula``)."""
    if not isinstance(source, str):
        raise _error(N_("Enter a formula."))
    text = source.strip()
    if not text:
        raise _error(N_("Enter a formula."))
    if len(text) > MAX_LENGTH:
        raise _error(N_("At most {limit} characters."), limit=MAX_LENGTH)
    if not text.isascii():
        raise _error(N_("Type the formula with ASCII characters: letters, digits, + - * / ( ) , and the decimal point."))
    return _checked_tree(text)


@lru_cache(maxsize=512)
def _checked_tree(text: str) -> ast.Expression:
    """Parsed and checked once per formula text (a run values it for every worker);
    the tree is never changed after this, and refusals are not cached."""
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise _error(N_("The formula cannot be read: check the brackets and operators.")) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise _error(N_("The formula is too complicated."))
    _validate(text, tree)
    return tree


def names_in(source: str) -> frozenset[str]:
    """The inputs a (valid) formula uses."""
    return frozenset(n.id for n in ast.walk(parse(source)) if isinstance(n, ast.Name) and n.id in INPUTS)


def check(source: str) -> str:
    """The formula as saved (stripped), after parsing it; raises DomainError."""
    parse(source)
    return source.strip()


def _bounded(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) >= LIMIT:
        raise _error(N_("The formula gives a number that is too large."))
    return value


def _eval(node: ast.AST, inputs: Mapping[str, Decimal]) -> Decimal:
    if isinstance(node, ast.Expression):
        return _eval(node.body, inputs)
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, Decimal) else _number(node.value)
    if isinstance(node, ast.Name):
        value = inputs.get(node.id)
        if value is None:
            raise _error(N_("The input {name} has no value for this worker."), name=node.id)
        return _bounded(Decimal(value))
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, inputs)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, inputs), _eval(node.right, inputs)
        if isinstance(node.op, ast.Add):
            return _bounded(left + right)
        if isinstance(node.op, ast.Sub):
            return _bounded(left - right)
        if isinstance(node.op, ast.Mult):
            return _bounded(left * right)
        if right == 0:
            raise _error(N_("The formula divides by zero."))
        return _bounded(left / right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "round":
            places = int(_eval(node.args[1], inputs)) if len(node.args) == 2 else 0  # a whole 0-2 (_validate)
            value = _eval(node.args[0], inputs)
            return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        values = [_eval(a, inputs) for a in node.args]
        return min(values) if node.func.id == "min" else max(values)
    raise _error(N_("Only numbers, the listed inputs, + - * /, parentheses, min, max and round are allowed."))


def evaluate(source: str, inputs: Mapping[str, Decimal]) -> Decimal:
    """The formula's value for these inputs, rounded to the fen half up.

    Raises only DomainError: an invalid formula, an input without a value,
    division by zero, a number out of range."""
    tree = parse(source)
    context = Context(prec=PRECISION, rounding=ROUND_HALF_UP, Emin=-999999, Emax=999999)
    try:
        with localcontext(context):
            result = _eval(tree, inputs)
            return _bounded(result).quantize(FEN, rounding=ROUND_HALF_UP)
    except DomainError:
        raise
    except (DecimalException, ArithmeticError, RecursionError, TypeError, ValueError):
        raise _error(N_("The formula cannot be computed for these inputs.")) from None
