# The local mail server's handler (run by aiosmtpd, see MailServerExtensions.cs): every message is kept in a Maildir,
# where tests read it, and announced on one console line, which the dashboard shows in the resource's logs.
from aiosmtpd.handlers import Mailbox


class LoggingMailbox(Mailbox):
    def handle_message(self, message):
        super().handle_message(message)
        print(f"mail to {message['X-RcptTo']}: {message['Subject']} {message['Message-Id']}", flush=True)
