"""Platform-neutral chat: parse what a person said, decide who may see what, answer with a Reply.

Adapters (Slack, Teams, console) call `handle_text` and `handle_action` from
`handlers.chat.dispatch`; nothing in this package imports a chat SDK.
"""
