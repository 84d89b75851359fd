"""Channels as the care domain knows them: names only, stored with a patient's chats and with
each delivery. What a channel is (a messenger, its transport) is jobs/channels' business."""

# Every chat stored before there were channels is a Telegram chat; callers that predate
# channels mean Telegram too.
TELEGRAM = "telegram"
