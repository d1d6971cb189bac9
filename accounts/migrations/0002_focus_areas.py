"""Seed the program's focus-area taxonomy: the six priority areas and their sub-areas."""

from django.db import migrations

TAXONOMY = [
    ("algorithms", "人工智能算法", "AI algorithms", [
        ("optimization", "优化与搜索算法", "Optimisation and search"),
        ("knowledge_graph", "知识图谱与推理", "Knowledge graphs and reasoning"),
        ("reinforcement_learning", "强化学习", "Reinforcement learning"),
        ("recommender", "推荐算法", "Recommender algorithms"),
    ]),
    ("ml", "机器学习", "Machine learning", [
        ("deep_learning", "深度学习", "Deep learning"),
        ("large_models", "大模型训练与微调", "Large-model training and fine-tuning"),
        ("federated", "联邦学习与隐私计算", "Federated learning and privacy computing"),
        ("data_mining", "数据挖掘与分析", "Data mining and analytics"),
    ]),
    ("nlp", "自然语言处理", "Natural language processing", [
        ("machine_translation", "机器翻译", "Machine translation"),
        ("speech", "语音识别与合成", "Speech recognition and synthesis"),
        ("dialogue", "智能问答与对话", "Question answering and dialogue"),
        ("information_extraction", "文本分析与信息抽取", "Text analysis and information extraction"),
    ]),
    ("cv", "计算机视觉", "Computer vision", [
        ("medical_imaging", "医学影像分析", "Medical imaging"),
        ("industrial_inspection", "工业视觉检测", "Industrial visual inspection"),
        ("autonomous_driving", "自动驾驶感知", "Autonomous-driving perception"),
        ("video_analytics", "视频分析", "Video analytics"),
    ]),
    ("robotics", "智能机器人", "Intelligent robotics", [
        ("industrial", "工业机器人", "Industrial robots"),
        ("service", "服务机器人", "Service robots"),
        ("embodied", "具身智能", "Embodied intelligence"),
        ("drones", "无人机与无人系统", "Drones and unmanned systems"),
    ]),
    ("tools", "人工智能工具应用", "AI tool applications", [
        ("office", "AI 办公工具应用", "AI tools for office work"),
        ("coding", "AI 辅助编程", "AI-assisted programming"),
        ("aigc", "生成式内容创作", "Generative content creation"),
        ("industry_solutions", "行业 AI 应用解决方案", "Industry AI solutions"),
    ]),
]


def seed(apps, schema_editor):
    FocusArea = apps.get_model("accounts", "FocusArea")
    for i, (code, zh, en, children) in enumerate(TAXONOMY):
        parent = FocusArea.objects.create(code=code, name_zh=zh, name_en=en, position=i * 10)
        for j, (sub, sub_zh, sub_en) in enumerate(children, start=1):
            FocusArea.objects.create(
                code=f"{code}.{sub}", parent=parent, name_zh=sub_zh, name_en=sub_en,
                position=i * 10 + j,
            )


def unseed(apps, schema_editor):
    FocusArea = apps.get_model("accounts", "FocusArea")
    FocusArea.objects.filter(parent__isnull=False).delete()
    FocusArea.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
