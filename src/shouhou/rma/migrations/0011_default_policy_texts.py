"""Load the default policy pack's texts (the seed vendor's) as version 1, unless a version exists."""

from pathlib import Path

from django.db import migrations
from django.utils import timezone

PACK = Path(__file__).resolve().parent.parent / "policy_pack"


def load(apps, schema_editor):
    PolicyVersion = apps.get_model("rma", "PolicyVersion")
    if PolicyVersion.objects.exists():
        return
    checklist = []
    for line in (PACK / "checklist.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            damage, reference, text = (p.strip() for p in line.split("|"))
            section, _, clause = reference.partition(" ")
            checklist.append({"damage": damage, "section": section, "clause": clause.strip(), "text": text})
    PolicyVersion.objects.create(
        version=1, note="默认政策文本", created_at=timezone.now(), checklist=checklist,
        **{key: (PACK / f"{key}.md").read_text(encoding="utf-8").strip()
           for key in ("service_policy", "replacement_terms", "free_repair_scope")})


class Migration(migrations.Migration):
    dependencies = [("rma", "0010_policy_texts_and_unannounced_receipts")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
