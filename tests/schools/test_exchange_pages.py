"""Where the exchange shows: the school list, the round board and the round's import/export page."""

from django.urls import reverse


def test_the_school_list_links_to_the_exchange_for_data_entry_only(login, staff, personas):
    link = reverse("schools:exchange")
    assert link in login(staff).get(reverse("schools:list")).content.decode()
    assert link in login(personas["ganlu_official"]).get(reverse("schools:list")).content.decode()
    assert link not in login(personas["leadership"]).get(reverse("schools:list")).content.decode()


def test_the_round_board_links_to_the_rounds_exchange_page(login, staff, official_round):
    html = login(staff).get(reverse("schools:round_board", args=[official_round.pk])).content.decode()
    assert reverse("schools:exchange_upload", args=[official_round.pk]) in html
    assert reverse("schools:exchange_export", args=[official_round.pk]) in html


def test_the_index_lists_the_rounds(login, staff, official_round):
    html = login(staff).get(reverse("schools:exchange")).content.decode()
    assert reverse("schools:exchange_upload", args=[official_round.pk]) in html


def test_an_official_is_offered_their_own_townships_template_only(
    login, jiangyi_official, ganlu, jiangyi, official_round
):
    html = login(jiangyi_official).get(reverse("schools:exchange_upload", args=[official_round.pk])).content.decode()
    assert reverse("schools:exchange_template", args=[official_round.pk, jiangyi.pk]) in html
    assert reverse("schools:exchange_template", args=[official_round.pk, ganlu.pk]) not in html
    assert "甘露镇" not in html


def test_bureau_staff_are_offered_every_townships_template(login, staff, ganlu, jiangyi, official_round):
    html = login(staff).get(reverse("schools:exchange_upload", args=[official_round.pk])).content.decode()
    for township in (ganlu, jiangyi):
        assert reverse("schools:exchange_template", args=[official_round.pk, township.pk]) in html


def test_a_closed_round_offers_no_upload_form(login, staff, official_round):
    official_round.is_open = False
    official_round.save(update_fields=["is_open"])
    html = login(staff).get(reverse("schools:exchange_upload", args=[official_round.pk])).content.decode()
    assert 'id="upload-form"' not in html
    assert "该批次已停止填报" in html
