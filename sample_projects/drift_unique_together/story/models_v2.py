# Version 2 (today's models): one membership per (team, person, season), as a UniqueConstraint.
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=50)


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    person = models.CharField(max_length=50)
    season = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "person", "season"], name="one_membership_per_season"),
        ]
