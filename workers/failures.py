"""What is kept of a job that failed for good: its arguments with the secrets masked.

A job declares the arguments that must never be stored with the label `redact`, a tuple of
parameter names, or "*" for all of them:

    @broker.task(task_name="accounts.send_email", redact=("email", "token"))
    async def send_email(email: str, token: str, template: str) -> None: ...

Their values are replaced by a mark in the stored arguments and scrubbed from the error text;
a failure with masked arguments cannot be re-run from the staff API.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from taskiq.message import TaskiqMessage

from domain.core.job_failures import REDACTED, record_job_failure
from models.jobs import JobFailure
from workers.broker import broker
from workers.retries import ALL_ARGUMENTS, REDACT, RETRY_OF

MAX_ERROR_CHARACTERS = 4000
MIN_SCRUBBED_LENGTH = 4  # shorter values (a "1", a "fr") would mangle the error text


def hidden_names(labels: dict[str, Any]) -> set[str] | None:
    """The argument names to mask; None means every argument."""
    declared = labels.get(REDACT) or ()
    if declared == ALL_ARGUMENTS:
        return None
    if isinstance(declared, str):
        return {declared}
    return set(declared)


def redact_arguments(
    func: Callable[..., Any] | None,
    args: Iterable[Any],
    kwargs: dict[str, Any],
    hidden: set[str] | None,
) -> tuple[dict[str, Any], list[Any]]:
    """The arguments as stored ({"args", "kwargs", "redacted"}) and the values masked."""
    positional = _positional_names(func, len(list(args)))
    stored_args: list[Any] = []
    stored_kwargs: dict[str, Any] = {}
    masked_names: list[str] = []
    masked_values: list[Any] = []

    def keep(name: str, value: Any) -> Any:
        if hidden is None or name in hidden:
            masked_names.append(name)
            masked_values.append(value)
            return REDACTED
        return value

    for index, value in enumerate(args):
        stored_args.append(keep(positional[index], value))
    for name, value in kwargs.items():
        stored_kwargs[name] = keep(name, value)
    stored = {"args": stored_args, "kwargs": stored_kwargs, "redacted": masked_names}
    return stored, masked_values


def _positional_names(func: Callable[..., Any] | None, count: int) -> list[str]:
    """The parameter name each positional argument binds to (`*args` repeats its name)."""
    names: list[str] = []
    if func is not None:
        for parameter in inspect.signature(func).parameters.values():
            if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
                names.append(parameter.name)
            elif parameter.kind == parameter.VAR_POSITIONAL:
                names.extend([parameter.name] * max(0, count - len(names)))
    # Arguments the function cannot bind (or an unknown job) get an index as a name.
    names.extend(f"#{index}" for index in range(len(names), count))
    return names


def error_text(error: BaseException, masked_values: Iterable[Any]) -> str:
    """The exception's type and message, without the masked values, of bounded length."""
    text = f"{type(error).__name__}: {error}".rstrip(": ")
    for value in masked_values:
        secret = str(value)
        if len(secret) >= MIN_SCRUBBED_LENGTH:
            text = text.replace(secret, REDACTED)
    return text[:MAX_ERROR_CHARACTERS]


async def record_failure(
    message: TaskiqMessage, labels: dict[str, Any], error: BaseException, attempts: int
) -> JobFailure:
    task = broker.find_task(message.task_name)
    func = task.original_func if task is not None else None
    stored, masked = redact_arguments(func, message.args, message.kwargs, hidden_names(labels))
    retry_of = message.labels.get(RETRY_OF)
    return await record_job_failure(
        task_name=message.task_name,
        task_id=message.task_id,
        arguments=stored,
        error=error_text(error, masked),
        attempts=attempts,
        retry_of=UUID(str(retry_of)) if retry_of else None,
    )
