import pytest
from django.urls import reverse
from accounts.notifications import notify_users

@pytest.mark.django_db
def test_peek(client_for, employer):
    for i in range(3):
        notify_users([employer.pk], "accounts/email/verified", {"organisation": f"<b>公司{i}</b>"}, url="/accounts/dashboard/")
    html = client_for(employer).get(reverse("accounts:inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    print(html[html.index("<main"):html.index("</main>")])
