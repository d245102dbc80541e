from django.db import migrations

# The seed's teams: the hotline's "按 3 号键接入技术支持中心" and QQ's 技术部 / 客户服务部.
TEAMS = [("service", "客户服务部"), ("support", "技术支持中心"), ("centre", "售后服务中心")]


def add_teams(apps, schema_editor):
    Team = apps.get_model("cases", "Team")
    for key, name in TEAMS:
        Team.objects.get_or_create(key=key, defaults={"name": name})
    Rule = apps.get_model("notify", "Rule")
    # An unowned team case reminds the team (members + its robot); the escalation also reaches managers.
    for event, audience, role in (("case.team_reminder", "team", ""), ("case.team_overdue", "team", ""),
                                  ("case.team_overdue", "role", "manager")):
        Rule.objects.get_or_create(event=event, audience=audience, role=role, defaults={"inbox": True, "email": True})


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_teams_and_case_team"), ("notify", "0005_rule_audience_team")]
    operations = [migrations.RunPython(add_teams, migrations.RunPython.noop)]
