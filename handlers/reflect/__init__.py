"""Reflective supervision handlers: prepare, reflect any time, private notes, agreed actions.

All platform-neutral: each takes a database session, ids and a Clock, and returns
a `handlers.replies.Reply`. The chat layer and the engine call these:

    prep.start_prep / save_prep / share_prep / unshare_prep
    questions.reflect / reflective_question / again / note_form / parse_focus
    notes.my_notes / shared_prep / notes_visible_to / edit_note / save_reflection /
          delete_note / delete_session_notes / purge_expired_notes
    note_changes.edit_form / ask_delete_note / ask_delete_session_notes / keep
    actions.add_action / my_actions / supervisee_actions / overdue_actions /
            mark_action_done  (the engine words the action reminders: reminders/cadence.py)
    common.ACTIONS  (button and form action ids these replies use)
    config.configured_bank / configured_patterns  (the organisation's files, read once)
"""
