"""The intent registry: one list of everything the assistant understands.

Each intent has its id, help text, slash subcommand, examples, the patterns the
rule-based NLU tries (in list order: the first intent with a matching pattern
wins, so more specific intents come first) and its handler. Help, the slash
command, the Teams command list and the manifest test all read this list.
"""

from __future__ import annotations

from handlers.chat import answers, booking, changes, plan, records, team
from handlers.chat.intent import QUESTION as _Q
from handlers.chat.intent import Intent
from handlers.chat.intents_reflect import (
    ADD_ACTION,
    MY_ACTIONS,
    MY_NOTES,
    PREPARE,
    REFLECT,
    SHARED_NOTES,
)
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Reply


def help_reply(ctx: ChatContext, req: ChatRequest) -> Reply:
    """What I can do, with an example of each."""
    lines = [f'• {i.help} — e.g. "{i.examples[0]}" (/supervision {i.subcommand})' for i in INTENTS]
    return Reply(text="Here's what I can help with:\n" + "\n".join(lines), ephemeral=True)


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
            r"^(?:help|\?|commands|menu|usage)$",
            r"\bwhat (?:can|do) you do\b",
            r"\bhow (?:do|can) (?:i|you) use\b",
            r"^what can i (?:ask|say)\b",
        ),
        help_reply,
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
            r"\bplan\b",
            r"\b(?:propose|suggest) (?:some )?(?:dates|sessions|a schedule)\b",
            r"\bschedule .*\b(?:next|coming) (?:\w+ )?months\b",
        ),
        plan.plan,
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
        ),
        changes.rearrange,
    ),
    Intent(
        "cancel",
        "Cancel a session, with a reason",
        "cancel",
        ("cancel my session with Sam because I'm off sick",),
        (r"\bcancel", r"\bcall off\b", r"\b(?:can't|cannot|cant|won't) make\b"),
        changes.cancel,
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
        ),
        booking.book,
    ),
    Intent(
        "to_sign",
        "What you need to sign",
        "to-sign",
        ("what do I need to sign?", "any records waiting for my signature?"),
        (
            _Q + r".*\b(?:sign|signature|signing)\b",
            r"\b(?:need|waiting|outstanding|left) .*\bsign",
            r"\bunsigned\b",
            _Q + r".*\bagree\b.*\brecords?\b",
            r"\bneed to agree\b",
        ),
        records.to_sign,
    ),
    Intent(
        "records_owed",
        "Which records you owe (supervisors)",
        "owed",
        ("which records do I owe?", "what write-ups are outstanding?"),
        (
            r"\bowe\b",
            r"\b(?:records?|write-?ups?|notes)\b.*\b(?:outstanding|overdue|to write|to share|"
            r"not shared|unshared|pending|missing)\b",
            _Q + r".*\brecords?\b.*\bshare\b",
            r"\b(?:records?|notes|write-?ups?)\b.*\b(?:still|yet|not)\b.*"
            r"\b(?:write|written|send|sent|share|shared)\b",
            r"\b(?:records?|notes|write-?ups?)\b.*\b(?:write|written|send|share)\b.*\b(?:still|yet)\b",
            r"\bhaven't (?:i )?(?:written|sent|shared)\b",
        ),
        records.records_owed,
    ),
    Intent(
        "mark_held",
        "Mark a session held (supervisors)",
        "held",
        ("mark my session with Sam as held", "we had our supervision today"),
        (
            r"\b(?:held|happened|took place|went ahead)\b",
            r"\bmark\b.*\b(?:done|complete|completed)\b",
            r"\bwe (?:had|did|met)\b",
        ),
        records.mark_held,
    ),
    Intent(
        "sign_record",
        "Sign a record shared with you",
        "sign",
        ("sign my last record", "I agree with the record"),
        (
            r"\bsign\b",
            r"\bagree (?:with|to) (?:the|my)\b.*\brecord",
            r"\bcountersign\b",
            r"\bapprove (?:the|my) record\b",
        ),
        records.sign_record,
    ),
    SHARED_NOTES,
    Intent(
        "share_record",
        "Record that you shared a session record (supervisors)",
        "share",
        ("I've shared the record for Sam", "share the record of my session with Sam"),
        (
            r"\bshar(?:e|ed|ing)\b",
            r"\b(?:sent|send|emailed|uploaded) .*\b(?:record|notes|write-?up)\b",
            r"\b(?:record|notes|write-?up) (?:is|are) (?:done|written|ready)\b",
        ),
        records.share_record,
    ),
    MY_NOTES,
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
        ),
        team.service_status,
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
        ),
        team.team_overdue,
    ),
    Intent(
        "my_supervisees",
        "Who you supervise",
        "supervisees",
        ("who do I supervise?", "list my supervisees"),
        (
            r"\bwho (?:do|am) i (?:supervis|responsible)",
            r"\bsupervisees\b",
            r"\bwho (?:reports|report) to me\b",
            r"\b(?:list|show|who is in|who's in) my team\b",
            r"^my team$",
            r"\bhow many people do i supervise\b",
        ),
        team.my_supervisees,
    ),
    Intent(
        "next_session",
        "Your next booked session",
        "next",
        ("when is my next session?", "when am I seeing my supervisor?"),
        (
            r"\bnext (?:\w+ )?(?:session|meeting|appointment|one-to-one|one to one|1:1|121|1-2-1"
            r"|catch[ -]?up)(?!\w)",
            r"\bwhen (?:am|do|are) (?:i|we) (?:seeing|see|meeting|meet)\b",
            r"\b(?:upcoming|booked|scheduled|diary|calendar)\b",
            r"\bsessions?\b.*\bbooked\b",
        ),
        answers.next_session,
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
        ),
        answers.my_supervisor,
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
    ),
]

BY_ID: dict[str, Intent] = {i.id: i for i in INTENTS}
BY_SUBCOMMAND: dict[str, Intent] = {i.subcommand: i for i in INTENTS}
FALLBACK = "fallback"
