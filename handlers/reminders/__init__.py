"""What the engine sends and when: pure planners over the store as known at an instant.

Message kinds, escalation reasons and button action ids are listed in `candidate`.
"""
