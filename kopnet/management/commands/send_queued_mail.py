import time

from django.core.management.base import BaseCommand

from kopnet.mail import BATCH, send_due


class Command(BaseCommand):
    help = "Send the queued emails that are due (kopnet/mail.py); --loop keeps polling."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running, polling the queue.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between polls with --loop.")

    def handle(self, *args, loop=False, interval=5.0, **options):
        while True:
            total_sent = total_failed = 0
            while True:
                sent, failed = send_due()
                total_sent += sent
                total_failed += failed
                if sent + failed < BATCH:
                    break
            if total_sent or total_failed or not loop:
                self.stdout.write(f"sent {total_sent}, failed {total_failed}")
            if not loop:
                return
            time.sleep(interval)
