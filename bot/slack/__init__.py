"""The Slack adapter: a sync Bolt app over the platform-neutral chat handlers.

`registry` lists every event, command, API method and scope the adapter uses
(app_manifest.yaml must agree; a test checks); `app` wires Bolt listeners;
`answers` decides where a reply goes so only the asker sees it;
`transport` delivers the engine's messages as DMs; `server` serves HTTP (waitress)
or Socket Mode; `cli` adds `supervision-bot serve`.
"""
