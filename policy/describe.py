"""Every rule of a pack as a one-line summary with a stable id, and "why?" lookup."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from policy.rules import Phase, Role

if TYPE_CHECKING:
    from policy.model import PolicyPack, RuleRef


def _role_summary(pack: PolicyPack, role: Role) -> str:
    names = [pack.roles[r].title if r in pack.roles else r for r in role.supervised_by]
    who = f"supervised by {' or '.join(names)}" if names else "supervisor not named"
    cadence = "" if role.supervised else "; no supervision cadence set for this role"
    return f"{role.title}: {who}{cadence}"


def _phase_summary(role: Role, phase: Phase) -> str:
    until = f" (until {phase.ends_after.span} after the start)" if phase.ends_after else ""
    return f"{role.title}: {phase.every.label}, {phase.when}{until}"


def all_rules(pack: PolicyPack) -> list[RuleRef]:
    from policy.model import RuleRef

    refs: list[RuleRef] = []
    for role_id, role in pack.roles.items():
        refs.append(RuleRef(f"roles.{role_id}", _role_summary(pack, role), role))
        for i, phase in enumerate(role.phases):
            refs.append(RuleRef(f"roles.{role_id}.phases[{i}]", _phase_summary(role, phase), phase))
        for i, ms in enumerate(role.milestones):
            refs.append(
                RuleRef(f"roles.{role_id}.milestones[{i}]",
                        f"{role.title}: {ms.what} {ms.offset.span} after starting", ms)
            )
    r = pack.records
    sign = (
        f"supervisee signs or agrees within {r.sign_within_working_days} working days"
        if r.sign_within_working_days is not None
        else "supervisee signs at the next session"
    )
    silence = "; no reply means the record is agreed" if r.silence_means_agreement else ""
    refs.append(RuleRef("records", f"Supervisor shares the record within "
                        f"{r.share_within_working_days} working days; {sign}{silence}", r))
    g = pack.rearranging
    refs.append(RuleRef("rearranging", f"A rearranged session takes place within "
                        f"{g.within_working_days} working days of the original date; after "
                        f"sickness within {g.after_sickness_working_days} working days of the "
                        f"return", g))
    a = pack.absence
    refs.append(RuleRef("absence", f"Supervisor absent more than "
                        f"{a.supervisor_absent_working_days} working days: the supervisee goes "
                        f"to the supervisor's line manager", a))
    ra = pack.ratio
    ratio = (
        f"At most {ra.max_supervisees} supervisees per supervisor; above that the line "
        f"manager reviews" if ra.max_supervisees else "No supervisee limit set"
    )
    refs.append(RuleRef("ratio", ratio, ra))
    refs.append(RuleRef("planning", f"Sessions planned at least {pack.planning.horizon_months} "
                        f"months ahead", pack.planning))
    ag = pack.agreement
    change = " and on a change of supervisor" if ag.on_supervisor_change else ""
    refs.append(RuleRef("agreement", f"Supervision agreement signed at the start, renewed every "
                        f"{ag.renew_months} months{change}", ag))
    refs.append(RuleRef("escalation", f"Overdue supervision escalates after "
                        f"{pack.escalation.overdue_grace_working_days} working days' grace",
                        pack.escalation))
    rm = pack.reminders
    refs.append(RuleRef("reminders", "Session reminders: "
                        + ", ".join(s.describe() for s in rm.session)
                        + f"; outcome check {rm.outcome_check_minutes_after} minutes after the end",
                        rm))
    if pack.overrides is not None:
        refs.append(RuleRef("overrides", "A person's supervision can be made more frequent "
                            "(e.g. by a performance plan)", pack.overrides))
    for m in pack.minimums:
        refs.append(RuleRef(f"minimums.{m.id}", f"At least {m.count} {m.what} a year"
                            + _applies(m.applies_to), m))
    for p in pack.periodic:
        refs.append(RuleRef(f"periodic.{p.id}", f"{p.what}: {p.every.label}"
                            + _applies(p.applies_to), p))
    for c in pack.case_supervision:
        rating = f" ({c.rating})" if c.rating else ""
        refs.append(RuleRef(f"case_supervision.{c.id}",
                            f"Case supervision{rating}: {c.what}, {c.every.label}", c))
    for d in pack.deadlines:
        unit = "working days" if d.working_days else "days"
        if d.within is not None:
            when = f"{d.within.span} after {d.after_event}"
        elif d.days == 0:
            when = f"the same day as {d.after_event}"
        else:
            when = f"within {d.days} {unit} of {d.after_event}"
        refs.append(RuleRef(f"deadlines.{d.id}", f"{d.what}: {when}", d))
    return refs


def _applies(roles: list[str] | None) -> str:
    return f" (for {', '.join(roles)})" if roles else ""


_SYNONYMS: dict[str, tuple[str, ...]] = {
    "records": ("record", "notes", "sign", "signing", "share", "write", "minutes", "agree"),
    "rearranging": ("rearrange", "rearranged", "cancel", "cancelled", "reschedule", "sick",
                    "sickness", "move"),
    "absence": ("absent", "away", "leave", "holiday", "cover"),
    "ratio": ("how many", "caseload", "too many", "supervisees", "limit"),
    "planning": ("plan", "ahead", "book", "advance", "horizon"),
    "agreement": ("contract", "renew", "annual", "new supervisor"),
    "escalation": ("escalate", "overdue", "late", "missed"),
    "reminders": ("remind", "reminder", "nudge"),
    "overrides": ("override", "performance", "frequent", "more", "extra", "enhanced"),
    "roles": ("who", "supervises", "supervisor", "manager", "frequency", "cadence", "weekly",
              "fortnightly", "monthly"),
    "minimums": ("minimum", "year", "yearly", "appraisal", "observation", "observations"),
    "periodic": ("group", "team", "regular"),
}
_STOP = {"why", "is", "it", "the", "a", "an", "my", "i", "do", "does", "have", "to", "of",
         "for", "what", "how", "am", "be", "are", "so", "often", "?", "we"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP}


def search(pack: PolicyPack, topic: str) -> list[RuleRef]:
    """Rules matching `topic`, best first: an exact rule id, a role id, then words."""
    refs = pack.rules()
    t = topic.strip()
    exact = [r for r in refs if r.rule_id == t]
    if exact:
        return exact
    by_role = [
        r for r in refs
        if r.rule_id == f"roles.{t}" or r.rule_id.startswith(f"roles.{t}.")
        or t in (getattr(r.rule, "applies_to", None) or [])
    ]
    if by_role:
        return by_role
    wanted = _words(t)
    if not wanted:
        return []
    scored: list[tuple[int, int, RuleRef]] = []
    for order, ref in enumerate(refs):
        top = ref.rule_id.split(".")[0].split("[")[0]
        haystack = _words(f"{ref.rule_id} {ref.summary} {ref.citation.quote}")
        # A word naming the kind of rule counts twice: "frequency" is about cadences
        # first, even though a case-supervision quote also says "frequency".
        kind = _words(top)
        for syn in _SYNONYMS.get(top, ()):
            kind |= _words(syn)
        score = len(wanted & haystack) + len(wanted & kind)
        if score:
            scored.append((-score, order, ref))
    scored.sort(key=lambda s: (s[0], s[1]))
    return [s[2] for s in scored]
