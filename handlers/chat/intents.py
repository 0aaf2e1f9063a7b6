"""The intent registry: one list of everything the assistant understands.

Each intent has its id, help text, slash subcommand, examples, the patterns the
rule-based NLU tries (in list order, those marked `first` before the rest: the
first intent with a matching pattern wins, so more specific intents come first)
and its handler. Help, the slash
command, the Teams command list and the manifest test all read this list.
"""

from __future__ import annotations

import re

from handlers.chat import answers, booking, changes, plan, team
from handlers.chat.intent import Intent
from handlers.chat.intents_records import (
    MARK_HELD,
    RECORDS_OWED,
    SHARE_RECORD,
    SIGN_RECORD,
    TO_SIGN,
)
from handlers.chat.intents_reflect import (
    ADD_ACTION,
    DELETE_NOTES,
    EDIT_NOTE,
    MY_ACTIONS,
    MY_NOTES,
    PREPARE,
    REFLECT,
    SHARED_NOTES,
)
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Reply

GREETING = (
    r"^(?:hi|hello|hey|hiya|morning|good (?:morning|afternoon|evening)|thanks|thank you"
    r"|thank you very much|thanks a lot|cheers|ta)(?: \w+)?$"
)
_THANKS = re.compile(r"^(?:thanks|thank|cheers|ta)\b")


def help_reply(ctx: ChatContext, req: ChatRequest) -> Reply:
    """What I can do, with an example of each."""
    lines = [f'• {i.help} — e.g. "{i.examples[0]}" (/supervision {i.subcommand})' for i in INTENTS]
    said = " ".join(req.text.lower().replace("’", "'").split())
    first = ctx.asker.name.split()[0] if ctx.asker.name else ""
    if _THANKS.match(said):
        opening = "You're welcome! Anything else? "
    elif re.match(GREETING, said.rstrip("!. ")):
        opening = f"Hello {first}! "
    else:
        opening = ""
    return Reply(text=opening + "Here's what I can help with:\n" + "\n".join(lines), ephemeral=True)


def fallback_reply(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Anything I did not understand: a short list of what I can do."""
    picks = ("next_due", "next_session", "my_supervisor", "book", "to_sign", "cadence")
    some = ", ".join(f'"{BY_ID[i].examples[0]}"' for i in picks)
    return Reply(
        text="Sorry, I didn't understand that. You can ask me things like "
        + some
        + '. Say "help" for the full list.',
        ephemeral=True,
    )


INTENTS: list[Intent] = [
    Intent(
        "help",
        "Show what I can do",
        "help",
        ("help", "what can you do?"),
        (
            r"^(?:help|\?|commands|menu|usage)(?: me| please)?$",
            GREETING,
            r"\bwhat (?:can|do) you do\b",
            r"\bhow (?:do|can) (?:i|you) use\b",
            r"^what can i (?:ask|say)\b",
        ),
        help_reply,
        keywords=("help", "hello", "thank"),
    ),
    REFLECT,
    PREPARE,
    ADD_ACTION,
    MY_ACTIONS,
    Intent(
        "plan",
        "Plan the next three months of sessions (supervisors)",
        "plan",
        ("plan the next three months", "suggest dates for Sam's supervision"),
        (
            r"^(?!.*\bplan (?:for|of) (?:my|our|the|this) (?:next |coming )?(?:session|supervision|"
            r"meeting|1:1)).*\bplan\b",
            r"\b(?:propose|suggest) (?:some )?(?:dates|sessions|a schedule)\b",
            r"\b(?:propose|suggest)\b.*\b(?:dates|sessions|schedule|times)\b",
            r"\bschedule .*\b(?:next|coming) (?:\w+ )?months\b",
            r"\bwork out (?:a |the )?(?:schedule|dates|sessions|rota)\b",
            r"\bschedule for (?:my|the|all my) (?:supervisees|team|people)\b",
        ),
        plan.plan,
        keywords=("plan", "propos", "suggest"),
    ),
    Intent(
        "rearrange",
        "Rearrange a session",
        "rearrange",
        ("rearrange my session with Sam to Thursday at 10am", "move my next session to the 14th"),
        (
            r"\b(?:rearrange|reschedule|re-schedule|re-arrange|postpone|push back|bring forward)\b",
            r"\bmove (?:my|our|the|it|this)\b",
            r"\b(?:push|move|put)\b.*\b(?:back|forward|later|earlier)\b",
            r"\bchange the (?:time|date|day)\b",
            r"\bmove\b.*\b(?:session|supervision|meeting|1:1|appointment|it)\b",
            r"\bchange (?:my|our|the|this)\b.*\b(?:session|supervision|meeting|1:1|appointment)\b",
        ),
        changes.rearrange,
        keywords=("move", "rearrang", "reschedul", "postpon"),
    ),
    Intent(
        "cancel",
        "Cancel a session, with a reason",
        "cancel",
        ("cancel my session with Sam because I'm off sick",),
        (
            r"\bcancel",
            r"\bcall off\b",
            r"\b(?:can't|cannot|cant|won't|will not|unable to|not be able to|won't be able to)"
            r" (?:make|attend|do)\b",
            r"\b(?:drop|skip) (?:my|our|the|this|session|supervision)\b",
        ),
        changes.cancel,
        keywords=("cancel",),
    ),
    Intent(
        "book",
        "Book a session",
        "book",
        ("book supervision with Sam on Tuesday at 2pm", "book a session with my supervisor"),
        (
            r"\bbook\b",
            r"\b(?:arrange|set up|setup|organise|organize|schedule|fix up)\b",
            r"\bput (?:in|a session)\b",
            r"\bput (?:[\w:-]+ ){0,3}in (?:with|for)\b",
            r"^(?:i|we|can i|could i|can we|could we)(?: would| will| do)?"
            r" (?:want|need|like|'d like|have|get) (?:a |an |some |to have |to book )?"
            r"(?:supervision|session|meeting|1:1|one-to-one)\b(?! (?:due|overdue))",
        ),
        booking.book,
        keywords=("book", "arrang", "slot"),
    ),
    TO_SIGN,
    RECORDS_OWED,
    MARK_HELD,
    SIGN_RECORD,
    SHARED_NOTES,
    SHARE_RECORD,
    MY_NOTES,
    EDIT_NOTE,
    DELETE_NOTES,
    Intent(
        "cadence",
        "How often you should have supervision, and why",
        "cadence",
        ("how often should I have supervision?", "why monthly?"),
        (
            r"\bhow (?:often|frequently|regularly)\b",
            r"\bfrequency\b",
            r"\bcadence\b",
            r"\bwhy\b",
            r"\bhow many (?:sessions|times|supervisions)\b",
            r"\bwhat does (?:the|our) policy say\b",
            r"\bentitled to\b",
        ),
        answers.cadence,
        keywords=("often", "frequen", "cadence", "policy", "monthly", "weekly", "fortnightly"),
    ),
    Intent(
        "service_status",
        "How your service is doing (line managers)",
        "service",
        ("how is my service doing?", "give me an overview of my area"),
        (
            r"\bservice\b",
            r"\bmy (?:area|department|directorate|managers|supervisors)\b",
            r"\b(?:whole|all my|across (?:my|the)) teams?\b",
            r"\bmy teams\b",
            r"\bcompliance\b",
            r"\boverview\b",
            r"\bhow (?:are|is) (?:we|the team|my team|our team|everyone) doing\b",
        ),
        team.service_status,
        keywords=("service", "overview", "complian"),
    ),
    Intent(
        "team_overdue",
        "Who is overdue in your team (supervisors)",
        "team",
        ("who is overdue in my team?", "is anyone on my team overdue?"),
        (
            r"\b(?:who|whose|anyone|anybody|which)\b.*"
            r"\b(?:overdue|behind|late|lapsed|out of date)\b",
            r"\bwho\b.*\b(?:hasn't|has not|haven't|have not|not) (?:had|been)\b",
            r"\bteam\b.*\b(?:overdue|status|behind)\b",
            r"\bwho\b.*\bneeds? (?:supervision|a session|booking|to be booked)\b",
        ),
        team.team_overdue,
        keywords=("overdue", "behind", "lapsed"),
    ),
    Intent(
        "my_supervisees",
        "Who you supervise",
        "supervisees",
        ("who do I supervise?", "list my supervisees"),
        (
            r"\bwho (?:do|am) i (?:supervise\b|supervising|responsible)",
            r"\b(?:people|staff|workers|ones|colleagues|those) (?:that |who )?i supervise\b",
            r"\bsupervisees\b",
            r"\bwho (?:reports|report) to me\b",
            r"\b(?:list|show|who is in|who's in) my team\b",
            r"^my team$",
            r"\bhow many people do i supervise\b",
        ),
        team.my_supervisees,
        keywords=("supervisees", "supervise"),
    ),
    Intent(
        "next_session",
        "Your next booked session",
        "next",
        ("when is my next session?", "when am I seeing my supervisor?"),
        (
            r"\bnext (?:\w+ )?(?:session|meeting|appointment|one-to-one|one to one|1:1|121|1-2-1"
            r"|catch[ -]?up)(?!\w)",
            r"\bwhen (?:am|do|are|will) (?:i|we) (?:next )?(?:seeing|see|meeting|meet|be seeing)\b",
            r"\bcoming up\b",
            r"\bwhat time is (?:my|our|the)\b",
            r"\bplan for (?:my|our|the|this) (?:next |coming )?"
            r"(?:session|supervision|meeting|1:1)\b",
            r"\b(?:upcoming|booked|scheduled|diary|calendar)\b",
            r"\bsessions?\b.*\bbooked\b",
        ),
        answers.next_session,
        keywords=("session", "meeting", "appointment", "diary", "upcoming"),
    ),
    Intent(
        "my_supervisor",
        "Who your supervisor is",
        "supervisor",
        ("who is my supervisor?", "who supervises me?"),
        (
            r"\bsupervisor\b",
            r"\bwho supervises\b",
            r"\bline manager\b",
            r"\bwho (?:do|should) i report to\b",
            r"\bwho(?:'s| is) my manager\b",
            r"\bsupervised by\b",
            r"\bwho (?:does|gives|runs|takes|leads|provides|is doing) (?:my|our) supervision\b",
            r"^my (?:manager|boss)$",
            r"\bwho(?:'s| is) my boss\b",
        ),
        answers.my_supervisor,
        keywords=("supervisor", "manager", "boss"),
    ),
    Intent(
        "am_i_overdue",
        "Whether you are overdue",
        "overdue",
        ("am I overdue?", "am I up to date with supervision?"),
        (
            r"\boverdue\b",
            r"\bup to date\b",
            r"\bbehind\b",
            r"\blate for\b",
            r"\b(?:is|am) (?:my|i) (?:supervision |sessions? )?(?:late|overdue|out of date)\b",
            r"\bout of date\b",
            r"\bhave i (?:had|got|done) (?:a |my |any )?(?:supervision|session)\b",
            r"\bmissed\b",
            r"\bon track\b",
        ),
        answers.am_i_overdue,
        keywords=("overdue", "late"),
    ),
    Intent(
        "next_due",
        "When your next supervision is due",
        "due",
        ("when is my next supervision due?", "when am I due supervision?"),
        (
            r"\bdue\b",
            r"\bnext supervision\b",
            r"\bwhen (?:should|do|must) i (?:have|get|next)\b",
            r"\bwhen\b.*\bsupervision\b",
            r"\bdeadline\b",
        ),
        answers.next_due,
        keywords=("due", "deadline"),
    ),
]

MATCH_ORDER: list[Intent] = [i for i in INTENTS if i.first] + [i for i in INTENTS if not i.first]
BY_ID: dict[str, Intent] = {i.id: i for i in INTENTS}
BY_SUBCOMMAND: dict[str, Intent] = {i.subcommand: i for i in INTENTS}
FALLBACK = "fallback"
