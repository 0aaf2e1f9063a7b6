"""Reflective supervision as data: the 4x4x4 question bank, its rotation, child-details checks.

Public names (other packages import only these):

    load_bank(path | None) -> QuestionBank      BankError (str(e) is for people)
    default_bank() -> QuestionBank
    STAGES, STAKEHOLDERS, FUNCTIONS             the 4x4x4 model's names, in order
    plan_rotation(rotation) -> tuple[Slot, ...]  which cell and function each stage takes
    choose_questions(bank, rotation, recent)    four questions for one session
    load_child_patterns(path | None) -> ChildDetailPatterns; find_child_details(text, ...)
"""
