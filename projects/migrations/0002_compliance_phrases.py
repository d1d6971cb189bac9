"""Seed the phrases that flag a possible breach of the program's rules (editable in the admin)."""

from django.db import migrations

PHRASES = {
    "equipment": ["采购设备", "购买设备", "配套设备", "购买软件", "采购软件", "指定采购", "须购买",
                  "purchase equipment", "buy equipment", "purchase software", "buy our software"],
    "fees": ["培训费", "收取费用", "缴纳费用", "报名费", "学费", "押金", "training fee",
             "tuition", "registration fee", "deposit", "students pay"],
    "marketing": ["产品推广", "商业推广", "搭售", "促销", "独家代理", "广告宣传",
                  "product promotion", "advertis", "bundle", "sales promotion"],
}


def seed(apps, schema_editor):
    CompliancePhrase = apps.get_model("projects", "CompliancePhrase")
    CompliancePhrase.objects.bulk_create(
        CompliancePhrase(rule=rule, phrase=phrase)
        for rule, phrases in PHRASES.items() for phrase in phrases
    )


def unseed(apps, schema_editor):
    apps.get_model("projects", "CompliancePhrase").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
