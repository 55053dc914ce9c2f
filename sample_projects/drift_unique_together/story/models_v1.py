# Version 1: one membership per (team, person), via unique_together.
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=50)


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    person = models.CharField(max_length=50)
    season = models.IntegerField()

    class Meta:
        unique_together = [("team", "person")]
