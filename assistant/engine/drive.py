"""Provides drive(): run a session to its end with answers from a function (scripts, tests, benchmarks).

Faces that talk to a person step the session themselves; this is the loop for when the answers are
known in advance. Suggested probes are declined: a scripted run never touches the network.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.engine.session import Session
from assistant.model import AskQuestion, FactValue, Finished, SuggestProbe

Answerer = Callable[[str], FactValue]


def drive(
    session: Session,
    answer: Answerer,
    *,
    limit: int = 30,
    on_step: Callable[[Session], None] | None = None,
    on_probe: Callable[[Session, SuggestProbe], None] | None = None,
) -> Finished:
    """Answer every question with `answer(question_id)` until the session finishes.

    `on_step` is called before each step (for measuring when the right diagnosis first leads);
    `on_probe` with each suggested probe, just before it is declined.
    """
    for _ in range(limit):
        if on_step is not None:
            on_step(session)
        step = session.next_step()
        if isinstance(step, Finished):
            return step
        if isinstance(step, AskQuestion):
            session.answer(step.question_id, answer(step.question_id))
        elif isinstance(step, SuggestProbe):
            if on_probe is not None:
                on_probe(session, step)
            session.skip_probe(list(step.checks))
    final = session.next_step()
    if isinstance(final, Finished):
        return final
    return session._finished(session._derive())  # the step limit is a safety net, not a policy


def run_script(
    session: Session, paste: str, answers: dict[str, FactValue], *, on_step: Callable[[Session], None] | None = None
) -> tuple[list[str], Finished]:
    """Paste, then answer from `answers` ("I don't know" for anything not in it): the questions asked
    and where the session ended."""
    session.say(paste)
    final = drive(session, lambda question_id: answers.get(question_id), on_step=on_step)
    return session.asked, final
