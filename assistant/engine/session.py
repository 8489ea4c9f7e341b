"""Provides Session: the one guided-dialog engine that the TUI, `chat --jsonl` and the CLI drive.

A session is a log of what happened (pastes, answers, findings, declined probes). Everything else -
facts, scores, evidence, the next step - is derived from the log, so `back()` is dropping an entry
and the same inputs always give the same conversation. The engine is pure: no network, no clock
(`now` comes in), no UI. How it decides the next step:

1. One diagnosis clearly ahead: ask what its rules still need for the fix (`then.ask`), suggest the
   probes its rules name, then finish.
2. Otherwise ask the question whose answer is expected to separate the current candidates best
   (information gain, from the rule weights; see conclude.py), then questions rules ask for, then
   suggest probes, then finish with the ranking as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from assistant.engine import conclude
from assistant.engine.conditions import holds, reads, same_value
from assistant.i18n import _, pick
from assistant.kb import KnowledgeBase
from assistant.kb.schema import Question, Rule
from assistant.model import (
    AskQuestion,
    Candidate,
    Diagnosis,
    Evidence,
    EvidenceItem,
    FactValue,
    Finding,
    Finished,
    Step,
    SuggestProbe,
)

MAX_QUESTIONS = 6
"""Questions asked to separate candidates before the session settles for the ranking it has."""
TRIAGE_QUESTIONS = 9
"""When the paste named nothing (or only what the answers have ruled out), the answers are all there
is to go on: one yes/no answer removes at most one bit, and singling out one diagnosis of ~50 takes
about six, so such a conversation may ask a few more."""
MATCHED = 0.1
"""A diagnosis the paste matched at least this well counts as a candidate for rule conditions."""
TRIAGE_BELOW = 0.3
"""While no candidate reaches this score the paste told little: questions are judged against every
diagnosis of the taxonomy (at its current score, PRIOR unless answers moved it), so broad questions
come first."""
CONFIRM_BELOW = 0.95
"""A leader the paste alone put ahead, matched below this (a phrase, not a unique error code), is
checked once against its look-alikes (knowledge `look_alikes`) before the session settles."""
CONSIDERED = 0.15
"""A diagnosis the answers have lifted to this score is weighed when choosing the next question, even
before it is shown (SHOWN): a broad answer lifts a whole group, and the next question must be able to
tell its members apart, not only those the paste named."""
MAIN_MARGIN = 0.1
"""Matches within this of the best one are what the paste is mainly about (see Session._priors)."""
SOURCE_ORDER = {"paste": 0, "answer": 1, "probe": 2, "file": 3, "rule": 4}


@dataclass(frozen=True, slots=True)
class _Said:
    text: str
    evidence: Evidence
    matched: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class _Answered:
    question_id: str
    facts: dict[str, FactValue]


@dataclass(frozen=True, slots=True)
class _Recorded:
    findings: tuple[Finding, ...]
    source: str
    facts: dict[str, FactValue]


@dataclass(frozen=True, slots=True)
class _Declined:
    checks: tuple[str, ...]


@dataclass
class _State:
    """What the log adds up to."""

    facts: dict[str, FactValue] = field(default_factory=dict)
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    settled_checks: set[str] = field(default_factory=set)
    matched: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[EvidenceItem]] = field(default_factory=dict)
    gate: frozenset[str] = frozenset()
    fired: list[Rule] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)


class Session:
    """One guided conversation. Drive it with say/answer/record and read next_step()."""

    def __init__(self, kb: KnowledgeBase, *, now: datetime, language: str = "en") -> None:
        self.kb = kb
        self.now = now
        self.language = language
        self._log: list[_Said | _Answered | _Recorded | _Declined] = []
        self._state: _State | None = None
        self._rule_order = {rule.id: index for index, rule in enumerate(kb.rules)}

    # -- input -------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        """Take a paste or a free-text message: normalise, match, merge facts and candidates."""
        from assistant.engine.match import match
        from assistant.engine.normalise import normalise

        evidence = normalise(text)
        self.merge(evidence, match(evidence, self.kb))

    def merge(self, evidence: Evidence, candidates: list[Candidate]) -> None:
        """Take an already normalised and matched paste (the seam `say()` uses)."""
        self._push(_Said(evidence.text, evidence, tuple(candidates)))

    def answer(self, question_id: str, value: FactValue) -> None:
        """Record the answer to a question; `None` means "I don't know" (asked, not asked again).

        Raises ValueError (localized message) for an unknown question or a value it cannot take.
        """
        question = self.kb.questions.get(question_id)
        if question is None:
            raise ValueError(_("Unknown question: {question}").format(question=question_id))
        self._push(_Answered(question_id, self._coerce(question, value)))

    def record(self, findings: list[Finding], source: str = "probe", facts: dict[str, FactValue] | None = None) -> None:
        """Take probe or file findings: their facts and the diagnoses they support or refute."""
        merged: dict[str, FactValue] = {}
        for finding in findings:
            merged.update(finding.facts)
        merged.update(facts or {})
        self._push(_Recorded(tuple(findings), source, merged))

    def skip_probe(self, checks: list[str] | None = None) -> None:
        """The user will not run the suggested probe (or these checks): do not suggest it again."""
        step = self.next_step()
        if checks is None:
            checks = list(step.checks) if isinstance(step, SuggestProbe) else []
        if checks:
            self._push(_Declined(tuple(checks)))

    def back(self) -> None:
        """Undo the last answer (the question may be asked again)."""
        for index in range(len(self._log) - 1, -1, -1):
            if isinstance(self._log[index], _Answered):
                del self._log[index]
                self._state = None
                return

    def set_language(self, language: str) -> None:
        self.language = language
        self._state = None

    # -- output ------------------------------------------------------------------------------

    @property
    def candidates(self) -> list[Candidate]:
        return list(self._derive().candidates)

    @property
    def facts(self) -> dict[str, FactValue]:
        return dict(self._derive().facts)

    @property
    def asked(self) -> list[str]:
        """Question ids answered so far, in order ("I don't know" included)."""
        return list(self._derive().asked)

    def why(self, diagnosis_id: str) -> list[EvidenceItem]:
        """The evidence that moved this diagnosis, in order: paste, answers, probes, rules."""
        items = self._derive().evidence.get(diagnosis_id, [])
        return sorted(items, key=lambda item: SOURCE_ORDER.get(item.source, 9))

    def answer_support(self, question_id: str) -> dict[FactValue, dict[str, float]]:
        """For each answer a question can get, the support it would give each diagnosis now (the TUI
        can show what an answer points to; the benchmark's simulated user answers from it)."""
        state = self._derive()
        question = self.kb.questions[question_id]
        return {value: self._shift(state, question.sets, value) for value in _answer_values(question)}

    def diagnosis(self) -> Diagnosis:
        state = self._derive()
        return Diagnosis(tuple(state.candidates), dict(state.facts), self.language)

    def next_step(self) -> Step:
        """AskQuestion | SuggestProbe | Finished; pure, deterministic for the same inputs."""
        state = self._derive()
        scores = [c.score for c in state.candidates]
        if conclude.clearly_ahead(scores):
            leader = state.candidates[0].id
            confirm = self._confirm(state, leader)
            if confirm is not None:
                return AskQuestion(confirm)
            own = [rule for rule in state.fired if rule.when.candidate == leader]
            return self._pending_ask(state, own) or self._probe(state, own, [leader]) or self._finished(state)
        asked_to_split = sum(1 for q in state.asked if self.kb.questions[q].kind in ("choice", "yes_no"))
        said = any(isinstance(entry, _Said) for entry in self._log)
        # A paste whose matches the answers have since ruled out told as little as one that matched nothing.
        named = any(m >= MATCHED and state.scores.get(d, 0.0) >= TRIAGE_BELOW for d, m in state.matched.items())
        budget = MAX_QUESTIONS if named else TRIAGE_QUESTIONS
        if asked_to_split < budget and (state.candidates or said):
            best = self._best_question(state)
            if best is not None:
                return AskQuestion(best)
        top = {c.id for c in state.candidates[:3]}
        relevant = [rule for rule in state.fired if rule.when.candidate is None or rule.when.candidate in top]
        return (
            self._pending_ask(state, relevant)
            or self._probe(state, relevant, [c.id for c in state.candidates[:3]])
            or self._finished(state)
        )

    def transcript(self) -> list[dict[str, object]]:
        """What happened so far as plain data (for history, reports and `chat --jsonl`)."""
        events: list[dict[str, object]] = []
        for entry in self._log:
            if isinstance(entry, _Said):
                events.append({"say": entry.text, "language": entry.evidence.language})
            elif isinstance(entry, _Answered):
                events.append({"answer": entry.question_id, "facts": dict(entry.facts)})
            elif isinstance(entry, _Recorded):
                events.append(
                    {
                        "record": entry.source,
                        "findings": [
                            {"check": f.check, "status": str(f.status), "diagnosis": f.diagnosis}
                            for f in entry.findings
                        ],
                    }
                )
            else:
                events.append({"declined": list(entry.checks)})
        return events

    # -- deciding ----------------------------------------------------------------------------

    def _pending_ask(self, state: _State, rules: list[Rule]) -> AskQuestion | None:
        for rule in sorted(rules, key=self._rule_rank):
            question_id = rule.then.ask
            if question_id and self._askable(state, question_id):
                return AskQuestion(question_id)
        return None

    def _probe(self, state: _State, rules: list[Rule], diagnoses: list[str]) -> SuggestProbe | None:
        checks: list[str] = []
        for rule in sorted(rules, key=self._rule_rank):
            checks += rule.then.probe
        for diagnosis_id in diagnoses:
            entry = self.kb.entries.get(diagnosis_id)
            checks += entry.checks if entry else []
        wanted = [c for c in dict.fromkeys(checks) if c not in state.settled_checks]
        if not wanted:
            return None
        port = state.facts.get("port")
        host = state.facts.get("host")
        return SuggestProbe(
            tuple(wanted),
            host=str(host) if host else None,
            port=int(port) if isinstance(port, int | str) and str(port).isdigit() else None,
        )

    def _finished(self, state: _State) -> Finished:
        return Finished(Diagnosis(tuple(state.candidates), dict(state.facts), self.language))

    def _rule_rank(self, rule: Rule) -> tuple[int, int]:
        return (-rule.priority, self._rule_order.get(rule.id, 0))

    def _askable(self, state: _State, question_id: str) -> bool:
        question = self.kb.questions.get(question_id)
        return question is not None and question_id not in state.asked and question.sets not in state.facts

    def _confirm(self, state: _State, leader: str) -> str | None:
        """One question against the leader's look-alikes when the paste alone put it ahead and did
        not single it out: a phrase or pattern rather than a unique code, or a code that names
        several causes (its other diagnoses are candidates too)."""
        entry = self.kb.entries.get(leader)
        if entry is None or not entry.look_alikes or state.asked:
            return None
        if any(item.source != "paste" for item in state.evidence.get(leader, [])):
            return None
        rivals = self._sharing(state, leader)
        if state.matched.get(leader, 1.0) >= CONFIRM_BELOW and not rivals:
            return None
        weights = {leader: state.candidates[0].score}
        weights.update({other: 0.3 for other in [*entry.look_alikes, *rivals] if other != leader})
        return self._best_question(state, weights)

    def _sharing(self, state: _State, leader: str) -> list[str]:
        """Other candidates that the leader's strongest paste evidence also points to."""
        items = [item for item in state.evidence.get(leader, []) if item.source == "paste"]
        if not items:
            return []
        top = items[0].ref
        return [
            c.id
            for c in state.candidates[1:]
            if c.id != leader
            and any(item.ref == top for item in state.evidence.get(c.id, []) if item.source == "paste")
        ]

    def _best_question(self, state: _State, weights: dict[str, float] | None = None) -> str | None:
        """The unanswered question with the largest expected information gain over the candidates."""
        least = conclude.MIN_GAIN
        if weights is None:
            weights = {c.id: c.score for c in state.candidates[:8]}
            weights.update({d: s for d, s in state.scores.items() if s >= CONSIDERED and d not in weights})
            if not state.candidates or state.candidates[0].score < TRIAGE_BELOW:
                # Against the whole taxonomy one answer removes less uncertainty, yet it is still
                # the best lead there is: accept smaller gains while triaging.
                least = conclude.MIN_GAIN / 5
                for diagnosis_id in self.kb.taxonomy:  # answers so far have already moved some of them
                    weights.setdefault(diagnosis_id, state.scores.get(diagnosis_id, conclude.PRIOR))
        prior = conclude.distribution(weights)
        requested = {rule.then.ask for rule in state.fired if rule.then.ask}
        best: tuple[float, int, int, str] | None = None
        for index, question in enumerate(self.kb.questions.values()):
            values = _answer_values(question)
            if not values or not self._askable(state, question.id):
                continue
            shifts = {value: self._shift(state, question.sets, value) for value in values}
            gain = conclude.information_gain(prior, shifts)
            if gain < least:
                continue
            key = (-round(gain, 6), 0 if question.id in requested else 1, index, question.id)
            if best is None or key < best:
                best = key
        return best[3] if best else None

    def _shift(self, state: _State, fact: str, value: FactValue) -> dict[str, float]:
        """Support each diagnosis would gain (or lose) if `fact` took `value`."""
        facts = {**state.facts, fact: value}
        fired = {rule.id for rule in state.fired}
        shift: dict[str, float] = {}
        for rule in self.kb.rules:
            before = rule.id in fired
            after = holds(rule.when, facts, state.gate)
            if before == after:
                continue
            for diagnosis_id, weight in rule.then.support.items():
                shift[diagnosis_id] = shift.get(diagnosis_id, 0.0) + (weight if after else -weight)
        return shift

    # -- deriving ----------------------------------------------------------------------------

    def _push(self, entry: _Said | _Answered | _Recorded | _Declined) -> None:
        self._log.append(entry)
        self._state = None

    def _derive(self) -> _State:
        if self._state is not None:
            return self._state
        state = _State()
        for entry in self._log:
            if isinstance(entry, _Said):
                self._take_paste(state, entry)
            elif isinstance(entry, _Answered):
                state.asked.append(entry.question_id)
                for name, value in entry.facts.items():
                    state.facts[name] = value
                    state.sources[name] = ("answer", entry.question_id)
            elif isinstance(entry, _Recorded):
                self._take_findings(state, entry)
            else:
                state.settled_checks.update(entry.checks)
        if state.facts.get("host", "") is None:  # no host to probe: network checks cannot run
            state.settled_checks.update(c for c in self.kb.checks if not c.startswith("file."))
        positive = {d for d, items in state.evidence.items() if sum(i.weight for i in items) > 0}
        state.gate = frozenset({d for d, score in state.matched.items() if score >= MATCHED} | positive)
        state.fired = [rule for rule in self.kb.rules if holds(rule.when, state.facts, state.gate)]
        for rule in state.fired:
            for diagnosis_id, weight in rule.then.support.items():
                state.evidence.setdefault(diagnosis_id, []).append(self._rule_evidence(state, rule, weight))
        state.scores = self._scores(state)
        state.candidates = self._rank(state)
        self._state = state
        return state

    def _take_paste(self, state: _State, said: _Said) -> None:
        for name, value in said.evidence.facts.items():
            if name in self.kb.facts:
                state.facts[name] = value
                state.sources[name] = ("paste", "")
        for candidate in said.matched:
            state.matched[candidate.id] = max(state.matched.get(candidate.id, 0.0), candidate.score)
            bucket = state.evidence.setdefault(candidate.id, [])
            # Paste evidence is already in the matcher's score; carried at weight 0 for "why?".
            bucket += [EvidenceItem("paste", item.text, 0.0, item.span, item.ref) for item in candidate.evidence]

    def _take_findings(self, state: _State, recorded: _Recorded) -> None:
        source = recorded.source if recorded.source in SOURCE_ORDER else "probe"
        for name, value in recorded.facts.items():
            state.facts[name] = value
            state.sources[name] = (source, "")
        for finding in recorded.findings:
            state.settled_checks.add(finding.check)
            weight = conclude.FINDING_WEIGHT.get(str(finding.status), 0.0)
            if finding.diagnosis and weight:
                item = EvidenceItem(source, finding.evidence, weight, None, finding.check)  # type: ignore[arg-type]
                state.evidence.setdefault(finding.diagnosis, []).append(item)

    def _rule_evidence(self, state: _State, rule: Rule, weight: float) -> EvidenceItem:
        """Credit a rule to where its facts came from, and say why in the session's language."""
        origins = [state.sources.get(name, ("rule", ""))[0] for name in reads(rule.when)]
        source = max(origins, key=lambda s: SOURCE_ORDER.get(s, 0), default="rule")
        if rule.then.explain is not None:
            text = pick(rule.then.explain, self.language)
        else:
            text = "; ".join(self._describe(name, state.facts.get(name)) for name in reads(rule.when)) or rule.id
        return EvidenceItem(source, text, weight, None, rule.id)  # type: ignore[arg-type]

    def _describe(self, fact: str, value: FactValue) -> str:
        """A fact as the user gave it: the question's text and the chosen option, localized."""
        question = next((q for q in self.kb.questions.values() if q.sets == fact), None)
        if question is None:
            return f"{fact} = {value}"
        shown: str = str(value)
        for option in question.options:
            if same_value(option.value, value):
                shown = pick(option.text, self.language)
        if question.kind == "yes_no" and isinstance(value, bool):
            shown = _("yes") if value else _("no")
        if value is None:
            shown = _("I don't know")
        return f"{pick(question.text, self.language)} {shown}"

    def _priors(self, state: _State) -> dict[str, float]:
        """Paste priors, with one inheritance: a rule that fires because X is a candidate and moves
        support to Y (`renewed` turns "expired" into "old certificate still served") says the
        paste's symptom is Y's as much as X's, so Y starts from X's prior. Only a symptom the paste
        is mainly about (one of its best matches) passes on: a side remark does not."""
        priors = {d: conclude.paste_prior(score) for d, score in state.matched.items()}
        main = max(state.matched.values(), default=0.0) - MAIN_MARGIN
        for rule in state.fired:
            source = rule.when.candidate
            if source is None or state.matched.get(source, -1.0) < main:
                continue
            for diagnosis_id, weight in rule.then.support.items():
                if diagnosis_id != source and weight > 0:
                    inherited = conclude.paste_prior(state.matched[source])
                    priors[diagnosis_id] = max(priors.get(diagnosis_id, conclude.PRIOR), inherited)
        return priors

    def _scores(self, state: _State) -> dict[str, float]:
        """Every diagnosis with evidence or a prior, scored (the shown candidates are a subset)."""
        priors = self._priors(state)
        scores: dict[str, float] = {}
        for diagnosis_id in set(state.evidence) | set(priors):
            items = state.evidence.get(diagnosis_id, [])
            scores[diagnosis_id] = conclude.combine(priors.get(diagnosis_id, conclude.PRIOR), (i.weight for i in items))
        return scores

    def _rank(self, state: _State) -> list[Candidate]:
        ranked: list[Candidate] = []
        for diagnosis_id, score in state.scores.items():
            if diagnosis_id in state.matched or score >= conclude.SHOWN:
                items = state.evidence.get(diagnosis_id, [])
                ranked.append(Candidate(diagnosis_id, round(score, 4), tuple(self._sorted(items))))
        ranked.sort(key=lambda c: (-c.score, c.id))
        return ranked

    @staticmethod
    def _sorted(items: list[EvidenceItem]) -> list[EvidenceItem]:
        return sorted(items, key=lambda item: SOURCE_ORDER.get(item.source, 9))

    def _coerce(self, question: Question, value: FactValue) -> dict[str, FactValue]:
        """The facts an answer sets, typed as declared; ValueError when the value does not fit."""
        if value is None:
            return {question.sets: None}
        wrong = ValueError(_("{value} is not a valid answer to {question}").format(value=value, question=question.id))
        if question.kind == "yes_no":
            if isinstance(value, bool):
                return {question.sets: value}
            text = str(value).strip().casefold()
            if text in ("yes", "y", "true", "1"):
                return {question.sets: True}
            if text in ("no", "n", "false", "0"):
                return {question.sets: False}
            raise wrong
        if question.kind == "choice":
            for option in question.options:
                if same_value(option.value, value):
                    return {question.sets: option.value}
            raise wrong
        text = str(value).strip()
        if not text or isinstance(value, bool):
            raise wrong
        if question.kind == "host":
            return _host_and_port(text, question.sets, wrong)
        fact = self.kb.facts.get(question.sets)
        if fact is not None and fact.type == "int":
            if not text.isdigit():
                raise wrong
            return {question.sets: int(text)}
        return {question.sets: text}


def _answer_values(question: Question) -> list[FactValue]:
    """The answers a question can get, for judging it (free-input questions are not judged)."""
    if question.kind == "yes_no":
        return [True, False]
    if question.kind == "choice":
        return [option.value for option in question.options]
    return []


def _host_and_port(text: str, fact: str, wrong: ValueError) -> dict[str, FactValue]:
    """`www.example.com`, `www.example.com:8443`, `https://host/path` or `[::1]:443`."""
    text = text.split("://", 1)[-1].split("/", 1)[0]
    host, port = text, None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else None
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or any(c.isspace() for c in host) or (port is not None and not port.isdigit()):
        raise wrong
    facts: dict[str, FactValue] = {fact: host}
    if port is not None:
        facts["port"] = int(port)
    return facts
