"""The Microsoft Teams adapter, on Microsoft's Teams SDK for Python (`microsoft-teams-apps`).

Translation only: activities in (`inbound`), neutral replies out as Adaptive
Cards (`bot.render_teams`), proactive delivery (`transport`), the endpoint
(`app`, `server`) and the app package (`package`). Answers come from the shared
chat handlers through the `core.ChatCore` seam.
"""

import warnings

# The SDK flags its own preview features at import time; they are not used here.
warnings.filterwarnings("ignore", message=r".*is in preview and may change.*")
