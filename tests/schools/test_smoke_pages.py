from django.urls import reverse

from tests.factories import make_return


def test_the_official_sees_their_return_page(login, ganlu_official, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round)
    client = login(ganlu_official)
    assert client.get(reverse("schools:list")).status_code == 200
    assert client.get(reverse("schools:detail", args=[ganlu_school.pk])).status_code == 200
    response = client.get(reverse("schools:return_edit", args=[ret.pk]))
    assert response.status_code == 200
    assert "甘露镇中心小学" in response.content.decode()
