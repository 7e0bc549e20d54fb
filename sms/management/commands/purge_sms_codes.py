"""Scheduled job: delete code challenges a day after they were sent (issue 18).

A challenge matters for 5 minutes (its code) and for an hour (the send limits count it);
after a day it only says where a person was texted. Safe to run repeatedly.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from sms.models import Challenge

KEEP = timedelta(days=1)


class Command(BaseCommand):
    help = "Delete text-message code challenges older than a day."

    def handle(self, *args, **options):
        deleted, _ = Challenge.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
        self.stdout.write(f"Deleted {deleted} text-message code challenge(s).")
