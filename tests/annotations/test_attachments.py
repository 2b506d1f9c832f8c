"""Files attached to a return (附件, e.g. 购置依据): through the one upload checker, stored under the extension of
what they are, served as attachments with nosniff, audited; seen by the return's township and the bureau only."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongqing.models import AuditEvent
from schools.annotations.models import ReturnAttachment

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(client, ret, name, content, **data):
    return client.post(
        reverse("annotations:attachment_add", args=[ret.pk]),
        {"file": SimpleUploadedFile(name, content), **data},
        follow=True,
    )


def test_the_township_attaches_a_purchase_basis_to_a_figure(login, ganlu_official, this_year):
    client = login(ganlu_official)
    response = upload(client, this_year, "购置依据.pdf", PDF, field="equipment_value_yuan", title="购置依据")
    assert "附件已上传" in response.content.decode()
    a = ReturnAttachment.objects.get()
    assert (a.field, a.title, a.name, a.content_type, a.uploaded_by) == (
        "equipment_value_yuan",
        "购置依据",
        "购置依据.pdf",
        "application/pdf",
        ganlu_official,
    )
    assert a.file.name.endswith(".pdf") and "购置" not in a.file.name  # a random stored name
    assert AuditEvent.objects.filter(action="attachment.upload", object_id=str(a.pk)).exists()
    # Beside its figure on the review page.
    page = client.get(reverse("annotations:review", args=[this_year.pk])).content.decode()
    row = page.split('id="figure-equipment_value_yuan"')[1].split("</tr>")[0]
    assert "购置依据.pdf" in row


def test_a_file_whose_content_is_not_what_its_name_says_is_refused(login, ganlu_official, this_year):
    response = upload(login(ganlu_official), this_year, "购置依据.pdf", PNG)
    assert "与扩展名“.pdf”不符" in response.content.decode()
    assert not ReturnAttachment.objects.exists()


def test_a_page_is_refused_whatever_it_is_called(login, ganlu_official, this_year):
    response = upload(login(ganlu_official), this_year, "invoice.html", b"<html><script>alert(1)</script></html>")
    assert not ReturnAttachment.objects.exists()
    assert "扩展名" in response.content.decode()


def test_an_attachment_is_served_as_a_download_never_sniffed(login, ganlu_official, staff, this_year):
    upload(login(ganlu_official), this_year, "购置依据.pdf", PDF)
    a = ReturnAttachment.objects.get()
    response = login(staff).get(reverse("annotations:attachment_download", args=[a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="attachment.download", user=staff).exists()


def test_another_townships_official_sees_nothing_of_it(login, ganlu_official, jiangyi_official, this_year):
    upload(login(ganlu_official), this_year, "购置依据.pdf", PDF)
    a = ReturnAttachment.objects.get()
    client = login(jiangyi_official)
    assert client.get(reverse("annotations:attachment_download", args=[a.pk])).status_code == 404
    assert client.get(reverse("annotations:review", args=[this_year.pk])).status_code == 404
    assert upload(client, this_year, "x.pdf", PDF).status_code == 404
    assert ReturnAttachment.objects.count() == 1
