"""Text shared by the mail we send and the mail we read back.

The reply marker heads every customer email. Mail clients quote the whole message under the
customer's answer, so everything from the marker down is history the ticket already has: the
inbound parser cuts the reply there.
"""

REPLY_MARKER = "##- Please type your reply above this line -##"
