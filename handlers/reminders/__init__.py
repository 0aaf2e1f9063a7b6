"""What the engine sends and when: pure planners over the store as known at an instant.

Message kinds (`candidate.KINDS`), each with its recipients:

- session_reminder: supervisee and supervisor, per `reminders.session` of the pack
  (Leeds: 2 working days before at 09:00 their time, and 1 hour before). The supervisee's
  earliest one carries the preparation prompt and a "Prepare" button.
- session_outcome_check: supervisor, `outcome_check_minutes_after` the session's end.
- record_due_reminder: supervisor, before the record-sharing deadline and on the day.
- signing_reminder: supervisee, before the signing deadline (or on the next session's
  morning where the pack says "at the next session").
- record_deemed_agreed: supervisee and supervisor, the working morning after the signing
  deadline where silence means agreement; sending it marks `record_deemed_agreed_at`.
- booking_nudge: supervisor, when nothing is booked before next_due, and monthly while
  the pack's planning horizon is not covered.
- overdue_notice: supervisee and supervisor, the morning after next_due passes unmet.
- agreement_reminder: supervisor and supervisee: agreement missing, due for renewal, or
  older than the current supervisor; then monthly until signed ("Signed today" records it).
- action_reminder: the action's owner, before its due date.
- minimum_reminder: supervisor, on the first working day of each month while the
  supervisee is short of a yearly minimum the pack counts from recorded sessions
  (Warwickshire: 10 supervision sessions, 2 appraisals, 2 observations of practice).
- escalation (reason missed_session | overdue | supervisor_absent | ratio): the
  supervisor's line manager (fallback: settings/org `escalation_fallback_id`, then an
  admin); supervisor_absent also tells the supervisee whom to contact.

Button actions (`candidate.BUTTON_ACTIONS`) and their `value`:
open_prep, session_held, session_cancel, record_share, record_sign -> session id;
book_open, agreement_signed -> supervisee person id; action_done -> action item id.
"""
